// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// What the server tests on loopback share: test agents, the server fixture (a server on
// 127.0.0.1, port 0, around each test's body), and helpers to read its frames.

#ifndef SWIM_TEST_SERVER_UPLINK_FIXTURE_HPP
#define SWIM_TEST_SERVER_UPLINK_FIXTURE_HPP

#include <swim/recon/convert.hpp>
#include <swim/server/demo_plan.hpp>
#include <swim/server/server.hpp>
#include <swim/warp/envelope.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/scripted_client.hpp"
#include "test_util.hpp"

namespace asio = boost::asio;
using namespace swim;
using namespace std::chrono_literals;
using swim::test::client_options;
using swim::test::frame_kind;
using swim::test::scripted_client;

namespace {

// ---- test agents --------------------------------------------------------------------------

/// Exposes its route parameter and node URI: "id" set in the constructor, "node" in on_start.
struct param_agent : server::agent {
    explicit param_agent(server::agent_context& ctx)
        : agent(ctx)
        , id(*this, "id", std::string(ctx.param("id")))
        , node(*this, "node")
        , missing(*this, "missing")
    {}

    void on_start() override
    {
        node.set(context().node_uri());
        missing.set(std::string(context().param("nope")));
    }

    server::value_lane<std::string> id;
    server::value_lane<std::string> node;
    server::value_lane<std::string> missing;
};

/// Two parameters: "/pair/:x/of/:y".
struct pair_agent : server::agent {
    explicit pair_agent(server::agent_context& ctx)
        : agent(ctx)
        , params(*this, "params")
    {
        for (auto const& [k, v] : ctx.params())
            params.update(k, v);
    }

    server::map_lane<std::string, std::string> params;
};

/// "/count/:id": `count n` sets `value` to "1:<pad>" .. "n:<pad>" (a 4 KB string, so that TCP
/// buffers fill up soon) in batches of 64, letting the connections' writers run between
/// batches: a fast client keeps up while a slow one falls behind.
struct counter_agent : server::agent {
    static constexpr std::size_t pad_size = 4000;

    explicit counter_agent(server::agent_context& ctx)
        : agent(ctx)
        , value(*this, "value")
        , count(*this, "count")
    {
        count.on_command([this](std::int64_t const& n) -> asio::awaitable<void> {
            auto ex = co_await asio::this_coro::executor;
            std::string const pad(pad_size, '.');
            for (std::int64_t i = 1; i <= n; ++i) {
                value.set(std::to_string(i) + ":" + pad);
                if (i % 64 == 0)
                    co_await asio::post(ex, asio::use_awaitable);
            }
        });
    }

    server::value_lane<std::string> value;
    server::command_lane<std::int64_t> count;
};

/// "/shout/:id": `flood n` sends n events of about 1 KB on the command lane `events` (never
/// coalesced), in batches of 64 with the writers running between them.
struct shout_agent : server::agent {
    explicit shout_agent(server::agent_context& ctx)
        : agent(ctx)
        , events(*this, "events")
        , flood(*this, "flood")
    {
        flood.on_command([this](std::int64_t const& n) -> asio::awaitable<void> {
            auto ex = co_await asio::this_coro::executor;
            std::string const pad(1000, '.');
            for (std::int64_t i = 1; i <= n; ++i) {
                events.command(std::to_string(i) + ":" + pad);
                if (i % 64 == 0)
                    co_await asio::post(ex, asio::use_awaitable);
            }
        });
    }

    server::command_lane<std::string> events;
    server::command_lane<std::int64_t> flood;
};

/// "/big/:n": the map lane `map` holds n entries, k0000000 -> 0 ... , put by on_start (before
/// any link is served).
struct big_agent : server::agent {
    explicit big_agent(server::agent_context& ctx)
        : agent(ctx)
        , map(*this, "map")
    {}

    void on_start() override
    {
        std::int64_t const n = std::stoll(std::string(context().param("n")));
        for (std::int64_t i = 0; i < n; ++i) {
            char key[16];
            std::snprintf(key, sizeof key, "k%07lld", static_cast<long long>(i));
            map.update(key, i);
        }
    }

    server::map_lane<std::string, std::int64_t> map;
};

// ---- helpers -------------------------------------------------------------------------------

server::server_config loopback_config()
{
    server::server_config cfg;
    cfg.address = "127.0.0.1";
    cfg.port = 0;
    cfg.log.level = client::log_level::warning;
    cfg.log.sink = [](client::log_level, std::string_view line) {
        std::clog << "server: " << line << "\n";
    };
    return cfg;
}

/// The demo plan and the test agents.
void default_routes(server::server& srv)
{
    BOOST_REQUIRE(!server::demo::add_demo_plan(srv, {.bench_agents = true}));
    BOOST_REQUIRE(!srv.route<counter_agent>("/count/:id"));
    BOOST_REQUIRE(!srv.route<pair_agent>("/pair/:x/of/:y"));
    BOOST_REQUIRE(!srv.route<shout_agent>("/shout/:id"));
    BOOST_REQUIRE(!srv.route<big_agent>("/big/:n"));
}

/// An io_context, and a server on it (127.0.0.1, port 0) started by run() before the body
/// and stopped after it (also when the body fails), before run_test checks that the context
/// drains.
struct server_fixture {
    asio::io_context ioc;
    server::server_config cfg = loopback_config();
    std::function<void(server::server&)> routes = default_routes;
    std::optional<server::server> srv;
    std::uint16_t port = 0;

    void run(
        std::function<asio::awaitable<void>()> body,
        std::chrono::steady_clock::duration limit = 30s,
        std::source_location loc = std::source_location::current())
    {
        swim::test::run_test(
            ioc,
            [this, b = std::move(body)]() -> asio::awaitable<void> {
                srv.emplace(ioc.get_executor(), cfg);
                routes(*srv);
                auto ec = srv->start();
                BOOST_REQUIRE_MESSAGE(!ec, "server start: " << ec.message());
                port = srv->port();
                BOOST_REQUIRE(port != 0);
                std::exception_ptr failure;
                try {
                    co_await b();
                } catch (...) {
                    failure = std::current_exception();
                }
                co_await srv->async_stop();
                if (failure)
                    std::rethrow_exception(failure);
            },
            limit,
            loc);
    }
};

/// An envelope in the canonical text of warp::to_string (to compare frames as sets).
[[maybe_unused]] std::string canonical(std::string const& frame)
{
    warp::envelope e;
    if (warp::parse_envelope(frame, e))
        return "not an envelope: " + frame;
    return warp::to_string(e);
}

/// The integer body of a value event of (node, lane); nullopt for any other frame.
[[maybe_unused]] std::optional<std::int64_t> int_event(
    std::string const& frame,
    std::string_view node,
    std::string_view lane)
{
    warp::envelope e;
    if (warp::parse_envelope(frame, e) || e.kind != warp::envelope_kind::event || e.node != node ||
        e.lane != lane)
        return std::nullopt;
    std::int64_t v = 0;
    recon::conversion_error err;
    if (!recon::value_to(e.body, v, err))
        return std::nullopt;
    return v;
}

/// The counter of a counter_agent event ("<i>:<pad>"); nullopt for any other frame.
[[maybe_unused]] std::optional<std::int64_t> counter_event(std::string const& frame)
{
    warp::envelope e;
    if (warp::parse_envelope(frame, e) || e.kind != warp::envelope_kind::event ||
        e.node != "/count/1" || e.lane != "value")
        return std::nullopt;
    std::string text;
    recon::conversion_error err;
    if (!recon::value_to(e.body, text, err))
        return std::nullopt;
    auto colon = text.find(':');
    if (colon == std::string::npos || text.size() - colon - 1 != counter_agent::pad_size)
        return std::nullopt;
    try {
        return std::stoll(text.substr(0, colon));
    } catch (std::exception const&) {
        return std::nullopt;
    }
}

constexpr auto quiet = 150ms;

/// `@sync` of /unit/1 value, answered with its current value `v`.
[[maybe_unused]] asio::awaitable<void> sync_unit_value(
    scripted_client& c,
    int v,
    std::source_location loc = std::source_location::current())
{
    co_await c.send(R"(@sync(node:"/unit/1",lane:value))", loc);
    co_await c.expect_envelope(R"(@linked(node:"/unit/1",lane:value))", loc);
    co_await c.expect_envelope(R"(@event(node:"/unit/1",lane:value) )" + std::to_string(v), loc);
    co_await c.expect_envelope(R"(@synced(node:"/unit/1",lane:value))", loc);
}

/// A second client, linked before the bad one, still served after it was closed.
[[maybe_unused]] asio::awaitable<void> bystander_still_served(
    scripted_client& c,
    std::source_location loc = std::source_location::current())
{
    co_await c.send(R"(@command(node:"/unit/1",lane:value) 5)", loc);
    co_await c.expect_envelope(R"(@event(node:"/unit/1",lane:value) 5)", loc);
    co_await c.send(R"(@sync(node:"/hotel/lobby",lane:elevators))", loc);
    co_await c.expect_envelope(R"(@linked(node:"/hotel/lobby",lane:elevators))", loc);
    co_await c.expect_envelope(R"(@synced(node:"/hotel/lobby",lane:elevators))", loc);
}

}  // namespace

#endif
