// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/writer.hpp>
#include <swim/server/demo_plan.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string>

namespace swim::server::demo {

namespace asio = boost::asio;

room_agent::room_agent(agent_context& ctx)
    : agent(ctx)
    , light(*this, "light")
    , toggle(*this, "toggle")
    , command(*this, "command")
    , state(*this, "state")
{
    toggle.on_command([this](recon::value const&) {
        bool on = light.get().is_bool() && light.get().as_bool();
        light.set(recon::value(!on));
    });
    auto lanes = [this] {
        recon::record r;
        r.add_slot(recon::value("light"), light.get());
        return recon::value(std::move(r));
    };
    state.on_get([lanes](http_request const&) { return http_response::ok(lanes()); });
    state.on_put([this, lanes](http_request const& req) {
        if (!req.body.is_record())
            return http_response::with_status(400, recon::value("Expected a record of lanes."));
        // Every slot names a lane this room has, or nothing is set.
        for (auto const& it : req.body.as_record().items()) {
            if (!it.is_slot() || !it.key.is_text() || it.key.as_text() != "light")
                return http_response::with_status(
                    400,
                    recon::value("The room has one lane to set: light."));
            if (!recon::is_writable(it.val))
                return http_response::with_status(
                    400,
                    recon::value("A NaN or an infinity cannot be set."));
        }
        for (auto const& it : req.body.as_record().items())
            light.set(it.val);
        return http_response::ok(lanes());
    });
}

void room_agent::on_start()
{
    context().command(
        std::nullopt,
        "/hotel/lobby",
        "join",
        recon::value(std::string(context().param("id"))));
}

lobby_agent::lobby_agent(agent_context& ctx)
    : agent(ctx)
    , elevators(*this, "elevators")
    , rooms(*this, "rooms")
    , join(*this, "join")
{
    join.on_command([this](std::string const& id) {
        rooms.add_downlink(id, std::nullopt, "/hotel/room/" + id, "light");
    });
}

std::string unit_agent::key(std::int64_t i)
{
    // "k%07lld", without printf's parsing of the format (a fill makes one per entry).
    char digits[24];
    auto const end = std::to_chars(digits, digits + sizeof digits, i).ptr;
    auto const n = static_cast<std::size_t>(end - digits);
    std::string k(1, 'k');
    if (n < 7)
        k.append(7 - n, '0');
    return k.append(digits, n);
}

namespace {

/// Lets the server's other work (other agents, the connections' writers) run, then goes on.
asio::awaitable<void> yield()
{
    auto ex = co_await asio::this_coro::executor;
    co_await asio::post(ex, asio::use_awaitable);
}

}  // namespace

bool unit_agent::within(char const* lane, std::int64_t n, std::int64_t max)
{
    if (n >= 0 && n <= max)
        return true;
    context().log(
        client::log_level::warning,
        std::string(lane) + " " + std::to_string(n) + " not applied: it takes 0 to " +
            std::to_string(max));
    return false;
}

unit_agent::unit_agent(agent_context& ctx)
    : agent(ctx)
    , value(*this, "value")
    , map(*this, "map")
    , fill(*this, "fill")
    , clear(*this, "clear")
    , burst(*this, "burst")
    , pump(*this, "pump")
{
    // Each works in batches and yields between them: the agent's clients are synced and
    // written to meanwhile (a slow client sees the latest values: uplinks coalesce).
    fill.on_command([this](std::int64_t const& n) -> asio::awaitable<void> {
        if (!within("fill", n, max_fill))
            co_return;
        map.clear();
        // (256 updates, about 20 KB of frames per batch: a client that keeps up takes each
        // batch before its queue reaches coalesce_after_bytes.)
        for (std::int64_t i = 0; i < n && !stopping_;) {
            for (std::int64_t const end = std::min(n, i + 256); i < end; ++i)
                map.update(key(i), i);
            co_await yield();
        }
    });
    clear.on_command([this](recon::value const&) { map.clear(); });
    burst.on_command([this](std::int64_t const& n) -> asio::awaitable<void> {
        if (!within("burst", n, max_burst))
            co_return;
        for (std::int64_t i = 1; i <= n && !stopping_;) {
            for (std::int64_t const end = std::min(n, i + 1023); i <= end; ++i)
                value.set(i);
            co_await yield();
        }
    });
    pump.on_command([this](std::int64_t const& ms) -> asio::awaitable<void> {
        if (!within("pump", ms, max_pump_ms))
            co_return;
        auto const end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        std::int64_t i = 0;
        while (!stopping_ && std::chrono::steady_clock::now() < end) {
            for (int k = 0; k < 64; ++k)
                value.set(++i);
            co_await yield();
        }
    });
}

boost::system::error_code add_demo_plan(server& srv, demo_options opts)
{
    if (auto ec = srv.route<room_agent>("/hotel/room/:id"))
        return ec;
    if (auto ec = srv.route<lobby_agent>("/hotel/lobby"))
        return ec;
    if (!opts.bench_agents)
        return {};
    return srv.route<unit_agent>("/unit/:id");
}

}  // namespace swim::server::demo
