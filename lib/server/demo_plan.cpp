// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/server/demo_plan.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>

namespace swim::server::demo {

namespace asio = boost::asio;

room_agent::room_agent(agent_context& ctx)
    : agent(ctx)
    , light(*this, "light")
    , toggle(*this, "toggle")
    , command(*this, "command")
{
    toggle.on_command([this](recon::value const&) {
        bool on = light.get().is_bool() && light.get().as_bool();
        light.set(recon::value(!on));
    });
}

lobby_agent::lobby_agent(agent_context& ctx)
    : agent(ctx)
    , elevators(*this, "elevators")
{}

std::string unit_agent::key(std::int64_t i)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "k%07lld", static_cast<long long>(i));
    return buf;
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
    fill.on_command([this](std::int64_t const& n) {
        map.clear();
        for (std::int64_t i = 0; i < n; ++i)
            map.update(key(i), i);
    });
    clear.on_command([this](recon::value const&) { map.clear(); });
    burst.on_command([this](std::int64_t const& n) {
        for (std::int64_t i = 1; i <= n; ++i)
            value.set(i);
    });
    // As fast as it can for `ms` milliseconds, letting the writers run between batches
    // (a slow client sees the latest values: value uplinks coalesce).
    pump.on_command([this](std::int64_t const& ms) -> asio::awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        std::int64_t i = 0;
        while (std::chrono::steady_clock::now() < end) {
            for (int k = 0; k < 64; ++k)
                value.set(++i);
            co_await asio::post(ex, asio::use_awaitable);
        }
    });
}

boost::system::error_code add_demo_plan(server& srv)
{
    if (auto ec = srv.route<room_agent>("/hotel/room/:id"))
        return ec;
    if (auto ec = srv.route<lobby_agent>("/hotel/lobby"))
        return ec;
    return srv.route<unit_agent>("/unit/:id");
}

}  // namespace swim::server::demo
