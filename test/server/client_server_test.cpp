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
        BOOST_REQUIRE(!server::demo::add_demo_plan(srv));
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

BOOST_AUTO_TEST_SUITE_END()
