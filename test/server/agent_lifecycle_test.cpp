// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Agents' lifecycle, over loopback: what makes an agent (an allowed link, sync or command to
// a lane it has; never an unlink or a refused request), server_config::max_agents, stopping
// for idleness (agent_idle_timeout) and by the application, and starting again with the
// lanes' state kept.

#include <atomic>
#include <mutex>

#include "server/uplink_fixture.hpp"

namespace {

/// What the lifecycle agents did, across instances.
struct lifecycle_journal {
    std::mutex mutex;
    std::vector<std::string> lines;

    void add(std::string line)
    {
        std::lock_guard lock(mutex);
        lines.push_back(std::move(line));
    }
    std::size_t count(std::string const& line)
    {
        std::lock_guard lock(mutex);
        return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), line));
    }
};

lifecycle_journal journal;

/// Records its starts and stops; `stop` stops it (agent_context::stop()).
struct life_agent : server::agent {
    explicit life_agent(server::agent_context& ctx)
        : agent(ctx)
    {
        stop.on_command([this](recon::value const&) { context().stop(); });
        // Stops the agent, and holds its handlers (so the stop's end) for `ms` milliseconds.
        stop_slowly.on_command([this](std::int64_t const& ms) -> asio::awaitable<void> {
            context().stop();
            asio::steady_timer t(context().get_executor(), std::chrono::milliseconds(ms));
            co_await t.async_wait(asio::use_awaitable);
        });
    }
    void on_start() override
    {
        (void)context().params();  // (what it keeps for that is no state to keep)
        journal.add("start " + context().node_uri());
    }
    void on_stop() override { journal.add("stop " + context().node_uri()); }

    server::value_lane<std::int64_t> value{*this, "value"};
    server::map_lane<std::string, std::int64_t> map{*this, "map"};
    server::command_lane<> stop{*this, "stop"};
    server::command_lane<std::int64_t> stop_slowly{*this, "stop_slowly"};
};

/// Lane `extra` only at /opt/full.
struct optional_agent : server::agent {
    explicit optional_agent(server::agent_context& ctx)
        : agent(ctx)
    {
        if (ctx.param("id") == "full")
            extra.emplace(*this, "extra");
    }
    server::value_lane<std::int64_t> base{*this, "base"};
    std::optional<server::value_lane<std::int64_t>> extra;
};

/// Lanes named by its route parameter: `common`, and one named `:name`.
struct named_agent : server::agent {
    explicit named_agent(server::agent_context& ctx)
        : agent(ctx)
        , common(*this, "common")
        , own(*this, std::string(ctx.param("name")))
    {}
    server::value_lane<std::int64_t> common;
    server::value_lane<std::int64_t> own;
};

/// Lanes on the heap, after a block whose size depends on the id (so the lanes are at other
/// places in each agent); `drop` destroys the lane `gone` while the agent lives.
struct heap_agent : server::agent {
    explicit heap_agent(server::agent_context& ctx)
        : agent(ctx)
        , pad(ctx.param("id").size() * 200)
        , value(std::make_unique<server::value_lane<std::int64_t>>(*this, "value"))
        , gone(std::make_unique<server::value_lane<std::int64_t>>(*this, "gone"))
    {
        drop.on_command([this](recon::value const&) { gone.reset(); });
    }
    std::vector<char> pad;
    std::unique_ptr<server::value_lane<std::int64_t>> value;
    std::unique_ptr<server::value_lane<std::int64_t>> gone;
    server::command_lane<> drop{*this, "drop"};
};

void life_routes(server::server& srv)
{
    BOOST_REQUIRE(!srv.route<heap_agent>("/heap/:id"));
    default_routes(srv);
    BOOST_REQUIRE(!srv.route<life_agent>("/life/:id"));
    BOOST_REQUIRE(!srv.route<named_agent>("/named/:name"));
    BOOST_REQUIRE(!srv.route<optional_agent>("/opt/:id"));
}

std::size_t live(server::server& srv)
{
    return srv.get_stats().agents;
}

std::size_t dormant(server::server& srv)
{
    return srv.get_stats().dormant_agents;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(agent_lifecycle)

BOOST_FIXTURE_TEST_CASE(unlinks_refused_requests_and_missing_lanes_make_no_agent, server_fixture)
{
    cfg.auth.on_request = [](std::optional<recon::value> const&, server::lane_request const& r) {
        return r.node.starts_with("/unit/") ? server::request_verdict::refuse
                                            : server::request_verdict::allow;
    };
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        for (int i = 0; i < 50; ++i) {
            auto const room = "/hotel/room/" + std::to_string(i);
            auto const unit = "/unit/" + std::to_string(i);
            co_await c.send(R"(@unlink(node:")" + room + R"(",lane:light))");
            co_await c.send(R"(@command(node:")" + room + R"(",lane:nope) 1)");
            co_await c.send(R"(@command(node:")" + unit + R"(",lane:value) 1)");
            co_await c.send(R"(@link(node:")" + unit + R"(",lane:value))");
            co_await c.expect_envelope(R"(@unlinked(node:")" + unit + R"(",lane:value))");
            co_await c.send(R"(@sync(node:")" + room + R"(",lane:nope))");
            co_await c.expect_envelope(
                R"(@unlinked(node:")" + room + R"(",lane:nope)@laneNotFound)");
        }
        // A request that is allowed, to a lane that exists: one agent (and the lobby, which
        // the room joins as it starts).
        co_await c.send(R"(@command(node:"/hotel/room/1",lane:light) on)");
        BOOST_TEST(co_await swim::test::eventually([&] { return live(*srv) == 2u; }));
        BOOST_TEST(dormant(*srv) == 0u);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(max_agents_refuses_further_agents_with_a_reason_logged_once, server_fixture)
{
    cfg.max_agents = 3;
    auto lines = std::make_shared<std::atomic<int>>(0);
    cfg.log.sink = [lines](client::log_level, std::string_view line) {
        if (line.find("max_agents") != std::string_view::npos)
            ++*lines;
    };
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        for (int i = 0; i < 6; ++i) {
            auto const node = "/unit/" + std::to_string(i);
            co_await c.send(R"(@link(node:")" + node + R"(",lane:value))");
            if (i < 3)
                co_await c.expect_envelope(R"(@linked(node:")" + node + R"(",lane:value))");
            else
                co_await c.expect_envelope(
                    R"(@unlinked(node:")" + node + R"x(",lane:value)"too many agents")x");
        }
        // Commands that would start one more are dropped; those to live agents are served.
        co_await c.send(R"(@command(node:"/unit/9",lane:value) 9)");
        co_await c.send(R"(@command(node:"/unit/0",lane:value) 5)");
        co_await c.expect_envelope(R"(@event(node:"/unit/0",lane:value) 5)");
        BOOST_TEST(live(*srv) == 3u);
        BOOST_TEST(*lines == 1);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(an_idle_agent_stops_and_starts_again_with_its_state, server_fixture)
{
    cfg.agent_idle_timeout = 200ms;
    routes = life_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        // Changed by commands, no link: idle once they stop.
        co_await c.send(R"(@command(node:"/life/a",lane:value) 7)");
        co_await c.send(R"(@command(node:"/life/a",lane:map) @update(key:k) 3)");
        // Linked: never idle.
        co_await c.send(R"(@link(node:"/life/b",lane:value))");
        co_await c.expect_envelope(R"(@linked(node:"/life/b",lane:value))");
        // Started and never changed: forgotten once idle.
        co_await c.send(R"(@sync(node:"/life/c",lane:value))");
        co_await c.expect_envelope(R"(@linked(node:"/life/c",lane:value))");
        co_await c.expect_envelope(R"(@event(node:"/life/c",lane:value) 0)");
        co_await c.expect_envelope(R"(@synced(node:"/life/c",lane:value))");
        co_await c.send(R"(@unlink(node:"/life/c",lane:value))");
        co_await c.expect_envelope(R"(@unlinked(node:"/life/c",lane:value))");
        BOOST_TEST(live(*srv) == 3u);
        BOOST_TEST(co_await swim::test::eventually(
            [&] {
                return journal.count("stop /life/a") == 1 && journal.count("stop /life/c") == 1;
            },
            3000ms));
        BOOST_TEST(live(*srv) == 1u);     // /life/b, linked
        BOOST_TEST(dormant(*srv) == 1u);  // /life/a keeps its state; /life/c had none
        BOOST_TEST(journal.count("stop /life/b") == 0u);
        // The next envelope starts /life/a again, its lanes as they were.
        co_await c.send(R"(@sync(node:"/life/a",lane:value))");
        co_await c.expect_envelope(R"(@linked(node:"/life/a",lane:value))");
        co_await c.expect_envelope(R"(@event(node:"/life/a",lane:value) 7)");
        co_await c.expect_envelope(R"(@synced(node:"/life/a",lane:value))");
        co_await c.send(R"(@sync(node:"/life/a",lane:map))");
        co_await c.expect_envelope(R"(@linked(node:"/life/a",lane:map))");
        co_await c.expect_envelope(R"(@event(node:"/life/a",lane:map)@update(key:k) 3)");
        co_await c.expect_envelope(R"(@synced(node:"/life/a",lane:map))");
        BOOST_TEST(journal.count("start /life/a") == 2u);
        BOOST_TEST(live(*srv) == 2u);
        BOOST_TEST(dormant(*srv) == 0u);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(
    the_application_stops_an_agent_its_links_end_its_state_stays,
    server_fixture)
{
    routes = life_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        scripted_client other(ioc);
        co_await c.connect(port);
        co_await other.connect(port);
        co_await c.send(R"(@link(node:"/life/s",lane:value))");
        co_await c.expect_envelope(R"(@linked(node:"/life/s",lane:value))");
        co_await c.send(R"(@command(node:"/life/s",lane:value) 42)");
        co_await c.expect_envelope(R"(@event(node:"/life/s",lane:value) 42)");
        co_await other.send(R"(@link(node:"/life/s",lane:map))");
        co_await other.expect_envelope(R"(@linked(node:"/life/s",lane:map))");
        co_await other.send(R"(@command(node:"/life/s",lane:stop))");
        co_await c.expect_envelope(R"(@unlinked(node:"/life/s",lane:value))");
        co_await other.expect_envelope(R"(@unlinked(node:"/life/s",lane:map))");
        BOOST_TEST(journal.count("stop /life/s") == 1u);
        BOOST_TEST(co_await swim::test::eventually([&] { return dormant(*srv) == 1u; }));
        // Linked again (the connection forgot the old link: a new one, @linked once).
        co_await c.send(R"(@sync(node:"/life/s",lane:value))");
        co_await c.expect_envelope(R"(@linked(node:"/life/s",lane:value))");
        co_await c.expect_envelope(R"(@event(node:"/life/s",lane:value) 42)");
        co_await c.expect_envelope(R"(@synced(node:"/life/s",lane:value))");
        BOOST_TEST(journal.count("start /life/s") == 2u);
        co_await c.expect_silence(quiet);
        co_await other.expect_silence(10ms);
        co_await other.close();
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(agents_of_one_route_may_have_lanes_of_their_own, server_fixture)
{
    // The lanes of a route's agents are looked up once per route when they are the same;
    // an agent whose lanes differ is served by its own.
    routes = life_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        for (std::string name : {"a", "b", "common"}) {
            auto const node = "/named/" + name;
            co_await c.send(R"(@link(node:")" + node + R"(",lane:)" + name + ")");
            co_await c.expect_envelope(R"(@linked(node:")" + node + R"(",lane:)" + name + ")");
            // (For /named/common, a second link of its one served `common`: answered again.
            // Its second lane of that name is logged and not served.)
            co_await c.send(R"(@link(node:")" + node + R"(",lane:common))");
            co_await c.expect_envelope(R"(@linked(node:")" + node + R"(",lane:common))");
        }
        co_await c.send(R"(@link(node:"/named/b",lane:a))");
        co_await c.expect_envelope(R"(@unlinked(node:"/named/b",lane:a)@laneNotFound)");
        co_await c.send(R"(@link(node:"/named/a",lane:b))");
        co_await c.expect_envelope(R"(@unlinked(node:"/named/a",lane:b)@laneNotFound)");
        co_await c.send(R"(@command(node:"/named/b",lane:b) 5)");
        co_await c.expect_envelope(R"(@event(node:"/named/b",lane:b) 5)");
        BOOST_TEST(live(*srv) == 3u);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(lanes_anywhere_in_an_agent_are_served_until_they_go, server_fixture)
{
    // The lanes of most agents are found at the places of the route's first agent's; these are
    // somewhere else in each agent, and one of them goes while its agent lives.
    routes = life_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        for (std::string id : {"a", "bbbb", "cccccccc"}) {
            auto const node = "/heap/" + id;
            co_await c.send(
                R"(@command(node:")" + node + R"(",lane:value) )" + std::to_string(id.size()));
            co_await c.send(R"(@command(node:")" + node + R"(",lane:gone) 1)");
            for (std::string lane : {"value", "gone"}) {
                co_await c.send(R"(@sync(node:")" + node + R"(",lane:)" + lane + ")");
                co_await c.expect_envelope(R"(@linked(node:")" + node + R"(",lane:)" + lane + ")");
                auto const want = lane == "gone" ? std::size_t(1) : id.size();
                co_await c.expect_envelope(
                    R"(@event(node:")" + node + R"(",lane:)" + lane + ") " + std::to_string(want));
                co_await c.expect_envelope(R"(@synced(node:")" + node + R"(",lane:)" + lane + ")");
                co_await c.send(R"(@unlink(node:")" + node + R"(",lane:)" + lane + ")");
                co_await c.expect_envelope(
                    R"(@unlinked(node:")" + node + R"(",lane:)" + lane + ")");
            }
        }
        co_await c.send(R"(@command(node:"/heap/bbbb",lane:drop))");
        co_await c.send(R"(@link(node:"/heap/bbbb",lane:gone))");
        co_await c.expect_envelope(R"(@unlinked(node:"/heap/bbbb",lane:gone)@laneNotFound)");
        // Its other lanes, and the lanes of the other agents, are served still.
        co_await c.send(R"(@sync(node:"/heap/bbbb",lane:value))");
        co_await c.expect_envelope(R"(@linked(node:"/heap/bbbb",lane:value))");
        co_await c.expect_envelope(R"(@event(node:"/heap/bbbb",lane:value) 4)");
        co_await c.expect_envelope(R"(@synced(node:"/heap/bbbb",lane:value))");
        co_await c.send(R"(@sync(node:"/heap/a",lane:gone))");
        co_await c.expect_envelope(R"(@linked(node:"/heap/a",lane:gone))");
        co_await c.expect_envelope(R"(@event(node:"/heap/a",lane:gone) 1)");
        co_await c.expect_envelope(R"(@synced(node:"/heap/a",lane:gone))");
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(an_agent_with_fewer_lanes_than_its_routes_first, server_fixture)
{
    routes = life_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@link(node:"/opt/full",lane:extra))");
        co_await c.expect_envelope(R"(@linked(node:"/opt/full",lane:extra))");
        co_await c.send(R"(@link(node:"/opt/lite",lane:base))");
        co_await c.expect_envelope(R"(@linked(node:"/opt/lite",lane:base))");
        co_await c.send(R"(@link(node:"/opt/lite",lane:extra))");
        co_await c.expect_envelope(R"(@unlinked(node:"/opt/lite",lane:extra)@laneNotFound)");
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(
    a_link_and_its_unlink_made_while_an_agent_stops_keep_their_order,
    server_fixture)
{
    routes = life_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        // A handler holds the agent while it stops: what comes meanwhile waits, in order.
        co_await c.send(R"(@command(node:"/life/o",lane:stop_slowly) 300)");
        asio::steady_timer t(ioc, 50ms);
        co_await t.async_wait(asio::use_awaitable);
        BOOST_TEST(journal.count("stop /life/o") == 1u);
        co_await c.send(R"(@link(node:"/life/o",lane:value))");
        co_await c.send(R"(@unlink(node:"/life/o",lane:value))");
        co_await c.expect_envelope(R"(@linked(node:"/life/o",lane:value))");
        co_await c.expect_envelope(R"(@unlinked(node:"/life/o",lane:value))");
        // Unlinked: its changes do not reach the connection.
        co_await c.send(R"(@command(node:"/life/o",lane:value) 5)");
        co_await c.expect_silence(quiet);
        BOOST_TEST(journal.count("start /life/o") == 2u);
        co_await c.close();
    });
}

BOOST_AUTO_TEST_SUITE_END()
