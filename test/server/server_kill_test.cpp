// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// A real swim-server process killed (SIGKILL) mid-stream and started again on the same port
// (issue 7, "faults"): our client's downlinks relink, resync and reconcile; the sets made
// while the server was down are written after the reconnect, in order, and those beyond the
// write queue's limit are refused to the caller (queue_full), never dropped silently.

#include <swim/client/client.hpp>
#include <swim/warp/error.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/raw_ws.hpp"
#include "common/scripted_client.hpp"
#include "common/scripted_peer.hpp"
#include "server_process.hpp"
#include "test_util.hpp"

namespace asio = boost::asio;
using namespace swim;
using namespace std::chrono_literals;
using swim::test::eventually;
using swim::test::server_process;

BOOST_AUTO_TEST_SUITE(server_killed)

BOOST_AUTO_TEST_CASE(downlinks_relink_resync_reconcile_and_sets_made_while_down_arrive_in_order)
{
    asio::io_context ioc;
    server_process server;
    std::uint16_t const port = server.start(0, {"--bench-agents"});
    BOOST_REQUIRE(port != 0);
    std::string const url = "warp://127.0.0.1:" + std::to_string(port);

    swim::test::run_test(
        ioc,
        [&]() -> asio::awaitable<void> {
            // The client under test retries slowly (3 s), so the observer below is usually
            // linked to the restarted server before the sets made while it was down reach it.
            // Its write queue holds about 40 sets.
            auto cfg = swim::test::fast_client_config();
            cfg.reconnect.first_min = 3000ms;
            cfg.reconnect.first_max = 3000ms;
            cfg.reconnect.max = 3000ms;
            cfg.max_queued_bytes = 2048;
            client::client c(ioc.get_executor(), cfg);
            client::client observer(ioc.get_executor(), swim::test::fast_client_config());

            auto value = c.value_downlink<std::int64_t>(url, "/unit/1", "value");
            auto map = c.map_downlink<std::string, std::int64_t>(url, "/unit/1", "map");
            auto setter = c.value_downlink<std::int64_t>(url, "/unit/2", "value");
            int value_synced = 0;
            int map_synced = 0;
            std::int64_t value_now = -1;
            std::optional<std::int64_t> value_before;
            std::size_t value_sets = 0;
            std::vector<std::string> removed;
            value.on_synced([&](std::int64_t const&) { ++value_synced; });
            value.did_set([&](std::int64_t const& now, std::optional<std::int64_t> const& before) {
                value_now = now;
                value_before = before;
                ++value_sets;
            });
            map.on_synced([&](std::map<std::string, std::int64_t> const&) { ++map_synced; });
            map.did_remove(
                [&](std::string const& k, std::int64_t const&) { removed.push_back(k); });
            co_await value.synced();
            co_await map.synced();
            co_await setter.synced();

            // State the next server will not have: two map entries (seen by the observer, so
            // the server holds them), and a value pumped as fast as the server can.
            BOOST_TEST(!map.put("a", 1));
            BOOST_TEST(!map.put("b", 2));
            auto seen_map = observer.map_downlink<std::string, std::int64_t>(url, "/unit/1", "map");
            BOOST_TEST(co_await eventually([&] { return seen_map.size() == 2; }));
            seen_map.close();
            BOOST_TEST(!c.command(url, "/unit/1", "pump", 30000));
            BOOST_TEST(co_await eventually([&] { return value_sets >= 2000; }, 20000ms));

            // Mid-stream: killed.
            server.kill();
            BOOST_TEST(co_await eventually([&] { return !value.is_linked(); }));
            std::int64_t const pumped = value_now;
            BOOST_TEST_MESSAGE("killed after " << value_sets << " events, at " << pumped);
            BOOST_TEST(!value.is_closed());  // keep_linked: waiting for the server

            // While it is down: a map put, then sets until the write queue is full.
            BOOST_TEST(!map.put("c", 3));
            std::int64_t accepted = 0;
            boost::system::error_code refused;
            for (std::int64_t i = 1; i <= 1000; ++i) {
                auto ec = setter.set(i);
                if (ec) {
                    refused = ec;
                    break;
                }
                accepted = i;
            }
            BOOST_TEST((refused == warp::error::queue_full));
            BOOST_TEST(accepted >= 10);
            BOOST_TEST_MESSAGE(accepted << " sets queued while down, the next one refused");
            // Once refused, refused until the queue drains: nothing skipped in between.
            BOOST_TEST((setter.set(accepted + 1) == warp::error::queue_full));

            // Started again on the same port, with none of the old state.
            BOOST_REQUIRE(server.start(port, {"--bench-agents"}) == port);
            // An observer of the lane the sets go to: what it was synced with, then every
            // event after that. (A client of its own: the first one's connection may have an
            // attempt refused while the server was down and not yet reported, which would
            // end a wait for sync made now.)
            client::client watcher(ioc.get_executor(), swim::test::fast_client_config());
            auto watch = watcher.value_downlink<std::int64_t>(url, "/unit/2", "value");
            std::optional<std::int64_t> base;
            std::vector<std::int64_t> watched;
            watch.on_synced([&](std::int64_t const& v) { base = v; });
            watch.on_event([&](std::int64_t const& v) { watched.push_back(v); });
            co_await watch.synced();

            // Every downlink relinks and resyncs...
            BOOST_TEST(co_await eventually(
                [&] { return value_synced == 2 && map_synced == 2 && setter.is_synced(); }));
            // ... and reconciles with the new server's state: the value changed back to 0,
            // the entries it no longer has are removed, the put made while down is there.
            BOOST_TEST(co_await eventually([&] { return value_now == 0; }));
            BOOST_TEST((value_before == std::optional<std::int64_t>(pumped)));
            BOOST_TEST(co_await eventually([&] { return map.size() == 1; }));
            std::sort(removed.begin(), removed.end());
            BOOST_TEST(
                removed == (std::vector<std::string>{"a", "b"}),
                boost::test_tools::per_element());
            auto all = co_await map.get_all();
            BOOST_TEST((all == std::map<std::string, std::int64_t>{{"c", 3}}));

            // The accepted sets arrived, in order, and nothing after them.
            BOOST_TEST(co_await eventually([&] { return setter.is_synced(); }));
            BOOST_TEST(co_await setter.get() == accepted);
            co_await swim::test::sleep_for(100ms);
            BOOST_TEST(co_await watch.get() == accepted);
            // After the state it was synced with (0 when it linked before the client came
            // back, as it usually does), exactly the accepted sets that followed, in order.
            BOOST_TEST_REQUIRE(base.has_value());
            BOOST_TEST_MESSAGE(
                "the observer was synced with " << *base << ", then saw " << watched.size()
                                                << " events");
            std::vector<std::int64_t> want;
            for (std::int64_t i = *base + 1; i <= accepted; ++i)
                want.push_back(i);
            BOOST_TEST(watched == want, boost::test_tools::per_element());
            // The queue drained: sets are accepted again.
            BOOST_TEST(!setter.set(accepted + 1));

            co_await observer.async_close();
            co_await watcher.async_close();
            co_await c.async_close();
        },
        120s);
    server.kill();
}

BOOST_AUTO_TEST_SUITE_END()
