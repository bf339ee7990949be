// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The lane kinds beyond value, map and command, on the wire (frames in, frames out, over
// loopback): supply, demand and demand map lanes, and value and map stores.

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "server/uplink_fixture.hpp"

namespace {

/// /kinds/:id: `say s` counts s in the stores, supplies it on `news`, and cues `total` (the
/// count) and `lengths` (each word said and its length); `forget s` takes s out of `seen`.
struct kinds_agent : server::agent {
    explicit kinds_agent(server::agent_context& ctx)
        : agent(ctx)
    {
        total.on_cue([this] { return count.get(); });
        lengths.keys([this] {
            std::vector<std::string> keys;
            for (auto const& [k, v] : seen.get_all())
                keys.push_back(k);
            return keys;
        });
        lengths.on_cue_key([this](std::string const& k) { return seen.get(k); });
        say.on_command([this](std::string const& s) {
            count.set(count.get() + 1);
            seen.update(s, static_cast<std::int64_t>(s.size()));
            news.supply(s);
            total.cue();
            lengths.cue_key(s);
        });
        forget.on_command([this](std::string const& s) {
            seen.remove(s);
            lengths.cue_key(s);
        });
        stop.on_command([this](recon::value const&) { context().stop(); });
        throws.on_cue([]() -> std::int64_t { throw std::runtime_error("no total today"); });
        nan.on_cue([] { return std::numeric_limits<double>::quiet_NaN(); });
    }

    server::supply_lane<std::string> news{*this, "news"};
    server::demand_lane<std::int64_t> total{*this, "total"};
    server::demand_map_lane<std::string, std::int64_t> lengths{*this, "lengths"};
    server::value_store<std::int64_t> count{*this, "count"};
    server::map_store<std::string, std::int64_t> seen{*this, "seen"};
    server::command_lane<std::string> say{*this, "say"};
    server::command_lane<std::string> forget{*this, "forget"};
    server::command_lane<> stop{*this, "stop"};
    server::demand_lane<std::int64_t> throws{*this, "throws"};
    server::demand_lane<double> nan{*this, "nan"};
};

void kinds_routes(server::server& srv)
{
    default_routes(srv);
    BOOST_REQUIRE(!srv.route<kinds_agent>("/kinds/:id"));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lane_kinds)

BOOST_FIXTURE_TEST_CASE(a_supply_lane_sends_each_supply_and_syncs_nothing, server_fixture)
{
    routes = kinds_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@sync(node:"/kinds/1",lane:news))");
        co_await c.expect_envelope(R"(@linked(node:"/kinds/1",lane:news))");
        co_await c.expect_envelope(R"(@synced(node:"/kinds/1",lane:news))");
        for (auto word : {"a", "b", "a"}) {
            co_await c.send(std::string(R"(@command(node:"/kinds/1",lane:say) ")") + word + "\"");
            co_await c.expect_envelope(
                std::string(R"(@event(node:"/kinds/1",lane:news) ")") + word + "\"");
        }
        // A client's command is refused: nothing is sent.
        co_await c.send(R"(@command(node:"/kinds/1",lane:news) "x")");
        co_await c.expect_silence(quiet);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(
    a_demand_lane_computes_for_a_sync_alone_and_for_everyone_on_cue,
    server_fixture)
{
    routes = kinds_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client a(ioc);
        scripted_client b(ioc);
        co_await a.connect(port);
        co_await b.connect(port);
        co_await b.send(R"(@link(node:"/kinds/1",lane:total))");
        co_await b.expect_envelope(R"(@linked(node:"/kinds/1",lane:total))");
        co_await a.send(R"(@sync(node:"/kinds/1",lane:total))");
        co_await a.expect_envelope(R"(@linked(node:"/kinds/1",lane:total))");
        co_await a.expect_envelope(R"(@event(node:"/kinds/1",lane:total) 0)");
        co_await a.expect_envelope(R"(@synced(node:"/kinds/1",lane:total))");
        co_await b.expect_silence(quiet);  // a's sync was computed for a alone
        co_await a.send(R"(@command(node:"/kinds/1",lane:say) "hello")");
        co_await a.expect_envelope(R"(@event(node:"/kinds/1",lane:total) 1)");
        co_await b.expect_envelope(R"(@event(node:"/kinds/1",lane:total) 1)");
        co_await a.send(R"(@command(node:"/kinds/1",lane:total) 7)");
        co_await a.expect_silence(quiet);
        co_await b.close();
        co_await a.close();
    });
}

BOOST_FIXTURE_TEST_CASE(
    a_demand_map_lane_syncs_computed_entries_and_sends_cued_keys,
    server_fixture)
{
    routes = kinds_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        for (auto word : {"ccc", "a", "bb"})
            co_await c.send(std::string(R"(@command(node:"/kinds/1",lane:say) ")") + word + "\"");
        co_await c.send(R"(@sync(node:"/kinds/1",lane:lengths))");
        co_await c.expect_envelope(R"(@linked(node:"/kinds/1",lane:lengths))");
        // In key order, each computed by on_cue_key.
        co_await c.expect_envelope(R"(@event(node:"/kinds/1",lane:lengths) @update(key:a) 1)");
        co_await c.expect_envelope(R"(@event(node:"/kinds/1",lane:lengths) @update(key:bb) 2)");
        co_await c.expect_envelope(R"(@event(node:"/kinds/1",lane:lengths) @update(key:ccc) 3)");
        co_await c.expect_envelope(R"(@synced(node:"/kinds/1",lane:lengths))");
        co_await c.send(R"(@command(node:"/kinds/1",lane:say) "dddd")");
        co_await c.expect_envelope(R"(@event(node:"/kinds/1",lane:lengths) @update(key:dddd) 4)");
        // A key on_cue_key has no entry for: a removal.
        co_await c.send(R"(@command(node:"/kinds/1",lane:forget) "a")");
        co_await c.expect_envelope(R"(@event(node:"/kinds/1",lane:lengths) @remove(key:a))");
        co_await c.send(R"(@command(node:"/kinds/1",lane:lengths) @update(key:z) 1)");
        co_await c.expect_silence(quiet);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_value_on_cue_cannot_give_is_logged_and_not_sent, server_fixture)
{
    auto logged = std::make_shared<std::vector<std::string>>();
    cfg.log.level = client::log_level::error;
    cfg.log.sink = [logged](client::log_level, std::string_view line) {
        logged->emplace_back(line);
    };
    routes = kinds_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        for (std::string lane : {"throws", "nan"}) {
            co_await c.send(R"(@sync(node:"/kinds/1",lane:)" + lane + ")");
            co_await c.expect_envelope(R"(@linked(node:"/kinds/1",lane:)" + lane + ")");
            co_await c.expect_envelope(R"(@synced(node:"/kinds/1",lane:)" + lane + ")");
        }
        auto has = [&](std::string const& what) {
            return std::any_of(logged->begin(), logged->end(), [&](auto const& l) {
                return l.find(what) != std::string::npos;
            });
        };
        BOOST_TEST(has("lane throws: on_cue failed, nothing was sent: no total today"));
        BOOST_TEST(has("lane nan: on_cue failed, nothing was sent: it gave a NaN"));
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(stores_are_not_addressed_and_are_kept_when_the_agent_stops, server_fixture)
{
    routes = kinds_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        // A store is no lane: a request for it makes no agent.
        co_await c.send(R"(@link(node:"/kinds/1",lane:count))");
        co_await c.expect_envelope(R"(@unlinked(node:"/kinds/1",lane:count)@laneNotFound)");
        co_await c.send(R"(@command(node:"/kinds/1",lane:seen) @update(key:x) 1)");
        co_await c.expect_silence(quiet);
        BOOST_TEST(srv->get_stats().agents == 0u);
        for (auto word : {"a", "b"})
            co_await c.send(std::string(R"(@command(node:"/kinds/1",lane:say) ")") + word + "\"");
        co_await c.send(R"(@command(node:"/kinds/1",lane:count) 100)");
        co_await c.send(R"(@command(node:"/kinds/1",lane:stop))");
        BOOST_TEST(
            co_await swim::test::eventually([&] { return srv->get_stats().dormant_agents == 1u; }));
        // The next instance holds both stores: the demand lanes compute from them.
        co_await c.send(R"(@sync(node:"/kinds/1",lane:total))");
        co_await c.expect_envelope(R"(@linked(node:"/kinds/1",lane:total))");
        co_await c.expect_envelope(R"(@event(node:"/kinds/1",lane:total) 2)");
        co_await c.expect_envelope(R"(@synced(node:"/kinds/1",lane:total))");
        co_await c.send(R"(@sync(node:"/kinds/1",lane:lengths))");
        co_await c.expect_envelope(R"(@linked(node:"/kinds/1",lane:lengths))");
        co_await c.expect_envelope(R"(@event(node:"/kinds/1",lane:lengths) @update(key:a) 1)");
        co_await c.expect_envelope(R"(@event(node:"/kinds/1",lane:lengths) @update(key:b) 1)");
        co_await c.expect_envelope(R"(@synced(node:"/kinds/1",lane:lengths))");
        co_await c.close();
    });
}

BOOST_AUTO_TEST_SUITE_END()
