// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Our client against our server (the demo plan) on loopback: value, map and event downlinks,
// commands, late joiners, unlink reasons.

#include <swim/client/client.hpp>
#include <swim/recon/writer.hpp>
#include <swim/server/demo_plan.hpp>
#include <swim/server/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/scripted_peer.hpp"
#include "test_util.hpp"

namespace asio = boost::asio;
using namespace swim;
using namespace std::chrono_literals;
using swim::test::eventually;

namespace {

struct demo_fixture {
    asio::io_context ioc;
    server::server srv{ioc.get_executor(), swim::test::loopback_server_config()};
    std::string url;

    demo_fixture()
    {
        BOOST_REQUIRE(!server::demo::add_demo_plan(srv, {.bench_agents = true}));
        BOOST_REQUIRE(!srv.start());
        BOOST_REQUIRE(srv.port() != 0);
        url = srv.local_url();
    }

    void run(std::function<asio::awaitable<void>()> body)
    {
        swim::test::run_test(ioc, [this, body]() -> asio::awaitable<void> {
            co_await body();
            co_await srv.async_stop();
        });
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(client_against_server)

BOOST_FIXTURE_TEST_CASE(value_sync_and_set_across_two_clients, demo_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client a(ioc.get_executor(), swim::test::fast_client_config());
        client::client b(ioc.get_executor(), swim::test::fast_client_config());
        auto la = a.value_downlink<recon::value>(url, "/hotel/room/1", "light");
        auto lb = b.value_downlink<recon::value>(url, "/hotel/room/1", "light");
        std::vector<std::string> seen;
        lb.did_set([&](recon::value const& now, std::optional<recon::value> const&) {
            seen.push_back(recon::to_string(now));
        });
        // A fresh lane holds nothing.
        BOOST_TEST((co_await la.get()).is_empty());
        co_await lb.synced();
        BOOST_TEST(!la.set(recon::value(true)));
        BOOST_TEST(co_await eventually([&] { return !seen.empty(); }));
        BOOST_TEST(seen == std::vector<std::string>{"true"});
        // The toggle command flips it, seen by both.
        BOOST_TEST(!a.command(url, "/hotel/room/1", "toggle"));
        BOOST_TEST(co_await eventually([&] { return seen.size() == 2; }));
        BOOST_TEST(seen.back() == "false");
        co_await a.async_close();
        co_await b.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(late_joiner_syncs_the_latest_state, demo_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client a(ioc.get_executor(), swim::test::fast_client_config());
        BOOST_TEST(!a.command(url, "/unit/7", "burst", 500));
        auto v = a.value_downlink<std::int64_t>(url, "/unit/7", "value");
        // The burst was routed before the sync on the same connection: the sync sees it.
        BOOST_TEST(co_await v.get() == 500);
        client::client late(ioc.get_executor(), swim::test::fast_client_config());
        auto lv = late.value_downlink<std::int64_t>(url, "/unit/7", "value");
        BOOST_TEST(co_await lv.get() == 500);
        co_await a.async_close();
        co_await late.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(map_put_and_remove_seen_by_a_second_client, demo_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client a(ioc.get_executor(), swim::test::fast_client_config());
        client::client b(ioc.get_executor(), swim::test::fast_client_config());
        auto ea = a.map_downlink<std::string, std::string>(url, "/hotel/lobby", "elevators");
        auto eb = b.map_downlink<std::string, std::string>(url, "/hotel/lobby", "elevators");
        std::vector<std::string> log;
        eb.did_update(
            [&](std::string const& k, std::string const& v, std::optional<std::string> const&) {
                log.push_back("update " + k + "=" + v);
            });
        eb.did_remove(
            [&](std::string const& k, std::string const&) { log.push_back("remove " + k); });
        co_await ea.synced();
        co_await eb.synced();
        BOOST_TEST(!ea.put("service", "elevator"));
        BOOST_TEST(!ea.put("freight", "lift"));
        BOOST_TEST(!ea.remove("service"));
        BOOST_TEST(co_await eventually([&] { return log.size() == 3; }));
        BOOST_TEST(
            log == (std::vector<std::string>{
                       "update service=elevator",
                       "update freight=lift",
                       "remove service"}),
            boost::test_tools::per_element());
        auto all = co_await eb.get_all();
        BOOST_TEST(all.size() == 1u);
        BOOST_TEST(all["freight"] == "lift");
        co_await a.async_close();
        co_await b.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(map_fill_syncs_every_entry_and_take_drop_clear_apply, demo_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client a(ioc.get_executor(), swim::test::fast_client_config());
        BOOST_TEST(!a.command(url, "/unit/3", "fill", 1000));
        auto m = a.map_downlink<std::string, std::int64_t>(url, "/unit/3", "map");
        // The fill yields every 256 entries: the link may come in between, and the sync
        // then holds part of it, the rest following as events.
        co_await m.synced();
        BOOST_TEST(co_await eventually([&] { return m.size() == 1000; }));
        auto all = co_await m.get_all();
        BOOST_TEST(all.size() == 1000u);
        BOOST_TEST(all["k0000999"] == 999);
        // take and drop are applied by the lane and come back as removes.
        client::client b(ioc.get_executor(), swim::test::fast_client_config());
        auto mb = b.map_downlink<std::string, std::int64_t>(url, "/unit/3", "map");
        co_await mb.synced();
        BOOST_TEST(!m.take(10));
        BOOST_TEST(co_await eventually([&] { return mb.size() == 10; }));
        BOOST_TEST(!m.drop(4));
        BOOST_TEST(co_await eventually([&] { return mb.size() == 6; }));
        auto rest = co_await mb.get_all();
        BOOST_TEST(rest.begin()->first == "k0000004");
        BOOST_TEST(!a.command(url, "/unit/3", "clear"));
        BOOST_TEST(co_await eventually([&] { return mb.size() == 0 && m.size() == 0; }));
        co_await a.async_close();
        co_await b.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(event_downlink_gets_relayed_commands, demo_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client a(ioc.get_executor(), swim::test::fast_client_config());
        client::client b(ioc.get_executor(), swim::test::fast_client_config());
        auto ev = b.event_downlink<std::string>(url, "/hotel/room/2", "command");
        std::vector<std::string> got;
        ev.on_event([&](std::string const& s) { got.push_back(s); });
        co_await ev.linked();
        BOOST_TEST(!a.command(url, "/hotel/room/2", "command", std::string("hello")));
        BOOST_TEST(!a.command(url, "/hotel/room/2", "command", std::string("again")));
        BOOST_TEST(co_await eventually([&] { return got.size() == 2; }));
        BOOST_TEST(
            got == (std::vector<std::string>{"hello", "again"}),
            boost::test_tools::per_element());
        co_await a.async_close();
        co_await b.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(unknown_node_and_lane_give_the_reason, demo_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client a(ioc.get_executor(), swim::test::fast_client_config());
        auto n = a.value_downlink<>(url, "/nowhere", "light");
        auto l = a.value_downlink<>(url, "/hotel/room/1", "nolane");
        std::string nr, lr;
        n.on_unlinked([&](std::string_view r) { nr = std::string(r); });
        l.on_unlinked([&](std::string_view r) { lr = std::string(r); });
        BOOST_CHECK_THROW(co_await n.synced(), boost::system::system_error);
        BOOST_CHECK_THROW(co_await l.synced(), boost::system::system_error);
        BOOST_TEST(co_await eventually([&] { return !nr.empty() && !lr.empty(); }));
        BOOST_TEST(nr == "nodeNotFound");
        BOOST_TEST(lr == "laneNotFound");
        BOOST_TEST(n.reason() == "nodeNotFound");
        co_await a.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(server_stop_unlinks_the_client_downlinks, demo_fixture)
{
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client a(ioc.get_executor(), swim::test::fast_client_config());
        auto v = a.value_downlink<std::int64_t>(url, "/unit/1", "value");
        bool unlinked = false;
        v.on_unlinked([&](std::string_view) { unlinked = true; });
        co_await v.synced();
        co_await srv.async_stop();
        BOOST_TEST(co_await eventually([&] { return unlinked; }));
        co_await a.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(plain_handlers_that_write_see_every_change_in_order, demo_fixture)
{
    // Plain handlers run in the notification's turn; a set from inside did_set is itself
    // a notification, handled after the handler returns, for both downlinks of the link.
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        auto a = c.value_downlink<std::int64_t>(url, "/unit/reentrant", "value");
        auto b = c.value_downlink<std::int64_t>(url, "/unit/reentrant", "value");
        std::vector<std::int64_t> seen_a, seen_b;
        int depth = 0;
        int deepest = 0;
        a.did_set([&](std::int64_t now, std::optional<std::int64_t> const&) {
            ++depth;
            deepest = std::max(deepest, depth);
            seen_a.push_back(now);
            if (now < 5)
                BOOST_TEST(!a.set(now + 1));
            --depth;
        });
        b.did_set(
            [&](std::int64_t now, std::optional<std::int64_t> const&) { seen_b.push_back(now); });
        co_await a.synced();
        co_await b.synced();
        seen_a.clear();
        seen_b.clear();
        BOOST_TEST(!a.set(1));
        std::vector<std::int64_t> const want{1, 2, 3, 4, 5};
        BOOST_TEST(seen_a == want, boost::test_tools::per_element());
        BOOST_TEST(seen_b == want, boost::test_tools::per_element());
        BOOST_TEST(deepest == 1);  // never one handler inside another
        // The server's echoes change nothing: still 5 everywhere.
        auto fresh = c.value_downlink<std::int64_t>(url, "/unit/reentrant", "value");
        BOOST_TEST(co_await eventually([&] { return fresh.is_synced(); }));
        BOOST_TEST(co_await fresh.get() == 5);
        BOOST_TEST(seen_a.size() == 5u);
        co_await c.async_close();
    });
}

// ---- slow consumers: coroutine handlers that fall behind ------------------------------------

namespace {

/// A downlink config whose handlers may fall 64 notifications behind.
client::downlink_config behind_64()
{
    client::downlink_config cfg;
    cfg.max_pending_events = 64;
    return cfg;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(
    a_slow_value_handler_sees_the_latest_values_and_others_are_not_slowed,
    demo_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        auto slow = c.value_downlink<std::int64_t>(url, "/unit/slow", "value", behind_64());
        auto fast = c.value_downlink<std::int64_t>(url, "/unit/fast", "value");
        std::size_t slow_calls = 0;
        bool chained = true;  // each call's `before` is the previous call's `now`
        std::int64_t slow_last = 0;
        slow.did_set(
            [&](std::int64_t now, std::optional<std::int64_t> before) -> asio::awaitable<void> {
                chained = chained && before.value_or(-1) == slow_last && now > slow_last;
                slow_last = now;
                ++slow_calls;
                co_await swim::test::sleep_for(2ms);
            });
        std::int64_t fast_last = 0;
        fast.did_set(
            [&](std::int64_t now, std::optional<std::int64_t> const&) { fast_last = now; });
        co_await slow.synced();
        co_await fast.synced();
        constexpr std::int64_t n = 100000;
        BOOST_TEST(!c.command(url, "/unit/slow", "burst", n));
        BOOST_TEST(!c.command(url, "/unit/fast", "burst", n));
        // The fast downlink, on the same connection, is done long before the slow handler
        // could have taken every event (100000 x 2 ms).
        BOOST_TEST(co_await eventually([&] { return fast_last == n; }, 30000ms));
        BOOST_TEST(co_await eventually([&] { return slow_last == n; }, 30000ms));
        BOOST_TEST(chained);
        BOOST_TEST_MESSAGE("slow handler: " << slow_calls << " calls for " << n << " events");
        BOOST_TEST(slow_calls < static_cast<std::size_t>(n) / 10);
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_slow_map_handler_sees_the_latest_change_of_each_key, demo_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        client::client writer(ioc.get_executor(), swim::test::fast_client_config());
        auto slow = c.map_downlink<std::string, std::int64_t>(
            url,
            "/unit/slowmap",
            "map",
            behind_64());
        auto w = writer.map_downlink<std::string, std::int64_t>(url, "/unit/slowmap", "map");
        std::map<std::string, std::int64_t> seen;  // what the handlers were told, per key
        std::size_t calls = 0;
        bool chained = true;  // each key's `before` is what the handlers last saw of it
        slow.did_update(
            [&](std::string const& k,
                std::int64_t const& now,
                std::optional<std::int64_t> before) -> asio::awaitable<void> {
                auto it = seen.find(k);
                std::optional<std::int64_t> had;
                if (it != seen.end())
                    had = it->second;
                chained = chained && before == had;
                seen[k] = now;
                ++calls;
                co_await swim::test::sleep_for(1ms);
            });
        slow.did_remove(
            [&](std::string const& k, std::int64_t const& before) -> asio::awaitable<void> {
                auto it = seen.find(k);
                chained = chained && it != seen.end() && it->second == before;
                seen.erase(k);
                ++calls;
                co_return;
            });
        co_await slow.synced();
        co_await w.synced();
        // 20000 changes to 10 keys, one removed on the way; k0 is removed at the end.
        constexpr int n = 20000;
        for (int i = 1; i <= n; ++i) {
            std::string key = "k" + std::to_string(i % 10);
            auto ec = co_await w.async_put(key, i);
            BOOST_TEST_REQUIRE(!ec);
            if (i == n / 2)
                BOOST_TEST(!w.remove("k3"));
        }
        BOOST_TEST(!w.remove("k0"));
        std::map<std::string, std::int64_t> want;
        for (int k = 1; k <= 9; ++k)
            want["k" + std::to_string(k)] = n - 10 + k;
        BOOST_TEST(co_await eventually([&] { return seen == want; }, 30000ms));
        BOOST_TEST(chained);
        auto all = co_await slow.get_all();
        BOOST_TEST((all == want));
        BOOST_TEST_MESSAGE("slow map handlers: " << calls << " calls for " << n + 2 << " changes");
        BOOST_TEST(calls < static_cast<std::size_t>(n) / 4);
        co_await writer.async_close();
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(
    an_event_downlink_too_far_behind_fails_and_loses_nothing_silently,
    demo_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        auto events = c.event_downlink<std::int64_t>(url, "/hotel/room/9", "command", behind_64());
        auto value = c.value_downlink<std::int64_t>(url, "/unit/9", "value");
        std::vector<std::int64_t> got;
        boost::system::error_code failed;
        std::string why;
        events.on_event([&](std::int64_t const& v) -> asio::awaitable<void> {
            got.push_back(v);
            co_await swim::test::sleep_for(1ms);
        });
        events.on_failed([&](boost::system::error_code ec, std::string_view r) {
            failed = ec;
            why = r;
        });
        co_await events.linked();
        co_await value.synced();
        for (std::int64_t i = 1; i <= 1000; ++i)
            BOOST_TEST_REQUIRE(!c.command(url, "/hotel/room/9", "command", i));
        BOOST_TEST(co_await eventually([&] { return static_cast<bool>(failed); }, 20000ms));
        BOOST_TEST((failed == client::error::overrun));
        BOOST_TEST(why.find("64 events behind") != std::string::npos, why);
        BOOST_TEST(events.is_closed());
        BOOST_TEST((events.error() == client::error::overrun));
        // Every event it took came in order, from the first, and at least those that fit.
        BOOST_TEST(got.size() >= 64u);
        bool in_order = true;
        for (std::size_t i = 0; i < got.size(); ++i)
            in_order = in_order && got[i] == static_cast<std::int64_t>(i) + 1;
        BOOST_TEST(in_order);
        // The connection and its other downlinks go on.
        std::int64_t value_last = 0;
        value.did_set(
            [&](std::int64_t now, std::optional<std::int64_t> const&) { value_last = now; });
        BOOST_TEST(!c.command(url, "/unit/9", "burst", 3));
        BOOST_TEST(co_await eventually([&] { return value_last == 3; }));
        co_await c.async_close();
    });
}

// An unread event stream overruns while the handlers are plain: on_failed runs at once, and
// already sees the downlink closed with error::overrun.
BOOST_FIXTURE_TEST_CASE(an_overrun_stream_is_closed_when_on_failed_runs, demo_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        auto events = c.event_downlink<std::int64_t>(url, "/hotel/room/10", "command", behind_64());
        std::string seen;
        events.on_failed([&](boost::system::error_code ec, std::string_view) {
            seen = std::string(ec == client::error::overrun ? "overrun" : ec.message()) +
                   (events.is_closed() ? ", closed" : ", open") +
                   (events.error() == client::error::overrun ? ", error overrun" : ", no error");
        });
        co_await events.linked();
        BOOST_TEST(!c.command(url, "/hotel/room/10", "command", 0));
        BOOST_TEST(co_await events.next_event() == 0);  // buffering starts; then never read
        for (std::int64_t i = 1; i <= 200; ++i)
            BOOST_TEST_REQUIRE(!c.command(url, "/hotel/room/10", "command", i));
        BOOST_TEST(co_await eventually([&] { return !seen.empty(); }));
        BOOST_TEST(seen == "overrun, closed, error overrun");
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(an_unread_value_stream_keeps_the_latest_value, demo_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        auto v = c.value_downlink<std::int64_t>(url, "/unit/stream", "value", behind_64());
        co_await v.synced();
        BOOST_TEST(!c.command(url, "/unit/stream", "burst", 1));
        BOOST_TEST(co_await v.next_event() == 1);  // buffering starts
        constexpr std::int64_t n = 50000;
        BOOST_TEST(!c.command(url, "/unit/stream", "burst", n));
        // Another downlink of the link, with a plain handler, sees the burst end.
        auto probe = c.value_downlink<std::int64_t>(url, "/unit/stream", "value");
        std::int64_t probe_last = 0;
        probe.did_set(
            [&](std::int64_t now, std::optional<std::int64_t> const&) { probe_last = now; });
        BOOST_TEST(co_await eventually([&] { return probe_last == n; }, 30000ms));
        // The stream held at most 64 values, the latest last.
        std::size_t read = 0;
        std::int64_t last = 0;  // (the burst starts at 1 again)
        bool increasing = true;
        while (last != n && read <= 64) {
            std::int64_t e = co_await v.next_event();
            increasing = increasing && e > last;
            last = e;
            ++read;
        }
        BOOST_TEST(last == n);
        BOOST_TEST(increasing);
        BOOST_TEST(read <= 64u);
        BOOST_TEST_MESSAGE("the stream gave " << read << " values for a burst of " << n);
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(ten_thousand_downlinks_opened_and_closed_leave_nothing_behind, demo_fixture)
{
    // Under LeakSanitizer (scripts/test.sh) a leak fails the test process at its exit; the
    // io_context must run out of work at the end (run_test checks it).
    swim::test::run_test(
        ioc,
        [&]() -> asio::awaitable<void> {
            client::client c(ioc.get_executor(), swim::test::fast_client_config());
            constexpr int n = 10000;
            std::size_t synced = 0;
            std::size_t events = 0;
            for (int i = 0; i < n; ++i) {
                std::string const id = std::to_string(i % 50);
                switch (i % 4) {
                    case 0: {  // plain handlers
                        auto d = c.value_downlink<std::int64_t>(url, "/unit/" + id, "value");
                        d.on_synced([&](std::int64_t const&) { ++synced; });
                        co_await d.synced();
                        BOOST_TEST_REQUIRE(!d.set(i));
                        d.close();
                        break;
                    }
                    case 1: {  // a coroutine handler, closed with its notification waiting
                        auto d = c.map_downlink<std::string, std::int64_t>(
                            url,
                            "/unit/" + id,
                            "map");
                        d.on_synced(
                            [&](std::map<std::string, std::int64_t> const&)
                                -> asio::awaitable<void> {
                                ++synced;
                                co_return;
                            });
                        co_await d.synced();
                        BOOST_TEST_REQUIRE(!d.put("k", i));
                        d.close();
                        break;
                    }
                    case 2: {  // an event stream, closed while buffering
                        auto d = c.event_downlink<recon::value>(
                            url,
                            "/hotel/room/" + id,
                            "command");
                        co_await d.linked();
                        BOOST_TEST_REQUIRE(!c.command(url, "/hotel/room/" + id, "command", i));
                        recon::value e = co_await d.next_event();
                        events += e.is_integer() ? 1 : 0;
                        d.close();
                        break;
                    }
                    default: {  // dropped without close(): the handle's end closes it
                        auto d = c.value_downlink<recon::value>(url, "/hotel/room/" + id, "light");
                        co_await d.linked();
                        break;
                    }
                }
            }
            BOOST_TEST(synced == static_cast<std::size_t>(n / 2));
            BOOST_TEST(events == static_cast<std::size_t>(n / 4));
            co_await c.async_close();
            BOOST_TEST(co_await eventually([&] { return srv.get_stats().connections == 0; }));
            // 50 units, 50 rooms and the lobby they joined.
            BOOST_TEST(srv.get_stats().agents == 101u);
            co_await srv.async_stop();
        },
        300s);
}

BOOST_FIXTURE_TEST_CASE(changes_during_a_long_sync_end_in_the_lanes_state, demo_fixture)
{
    // A sync of 30000 entries goes out 4096 at a time, the agent's other work running in
    // between: changes made meanwhile reach the syncing client too, in order.
    run([&]() -> asio::awaitable<void> {
        client::client writer(ioc.get_executor(), swim::test::fast_client_config());
        client::client reader(ioc.get_executor(), swim::test::fast_client_config());
        auto w = writer.map_downlink<std::string, std::int64_t>(url, "/unit/long", "map");
        co_await w.synced();
        BOOST_TEST(!writer.command(url, "/unit/long", "fill", 30000));
        BOOST_TEST(co_await eventually([&] { return w.size() == 30000; }, 20000ms));
        auto r = reader.map_downlink<std::string, std::int64_t>(url, "/unit/long", "map");
        // Changes while the reader's sync is (most likely) under way, before, at and after
        // where it has got to: updates, removes, new keys.
        for (int round = 0; round < 20; ++round) {
            BOOST_TEST(!w.put(server::demo::unit_agent::key(round * 1500), -round));
            BOOST_TEST(!w.remove(server::demo::unit_agent::key(round * 1500 + 1)));
            BOOST_TEST(!w.put("z" + std::to_string(round), round));
            co_await swim::test::sleep_for(1ms);
        }
        co_await r.synced();
        BOOST_TEST(!w.put("after", 1));
        BOOST_TEST(co_await eventually([&] { return r.size() == w.size() && r.size() == 30001; }));
        auto want = co_await w.get_all();
        auto got = co_await r.get_all();
        BOOST_TEST((got == want));
        // A fresh sync agrees.
        client::client late(ioc.get_executor(), swim::test::fast_client_config());
        auto l = late.map_downlink<std::string, std::int64_t>(url, "/unit/long", "map");
        auto fresh = co_await l.get_all();
        BOOST_TEST((fresh == want));
        co_await late.async_close();
        co_await reader.async_close();
        co_await writer.async_close();
    });
}

BOOST_AUTO_TEST_SUITE_END()
