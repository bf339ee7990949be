// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Our client against a WARP server built on the official @swim/warp and @swim/recon codecs
// (test/interop/warp_server.mjs), started by run_with_server.sh.

#include <swim/client/client.hpp>
#include <swim/recon/writer.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace swim;
using namespace std::chrono_literals;

namespace {

std::string host()
{
    char const* h = std::getenv("SWIM_INTEROP_HOST");
    BOOST_REQUIRE_MESSAGE(h, "SWIM_INTEROP_HOST is not set: run through run_with_server.sh");
    return h;
}

// A node of its own for each test, so tests do not see each other's state.
std::string fresh_node()
{
    static int n = 0;
    return "/unit/interop" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000) +
           "x" + std::to_string(++n);
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// Runs `body` on a fresh io_context; fails on an exception, on a time limit, and when the
// context does not run out of work afterwards (a task was left behind).
void run(std::function<asio::awaitable<void>(asio::io_context&)> body)
{
    asio::io_context ioc;
    std::exception_ptr failure;
    bool done = false;
    asio::co_spawn(ioc, body(ioc), [&](std::exception_ptr e) {
        failure = e;
        done = true;
    });
    ioc.run_for(20s);
    BOOST_TEST_REQUIRE(done, "the test did not finish within 20 s");
    if (failure)
        std::rethrow_exception(failure);
    BOOST_TEST(ioc.stopped(), "the io_context still had work after the test");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_interop)

BOOST_AUTO_TEST_CASE(value_sync_and_set_across_two_clients)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        std::string node = fresh_node();
        client::client a(ioc.get_executor());
        client::client b(ioc.get_executor());
        auto va = a.value_downlink<std::optional<int>>(host(), node, "value");
        std::vector<std::string> seen;
        va.did_set(
            [&](std::optional<int> const& now, std::optional<std::optional<int>> const& before) {
                seen.push_back(
                    std::to_string(now.value_or(-1)) + " from " +
                    (before && *before ? std::to_string(**before) : "none"));
            });
        BOOST_TEST(!(co_await va.get()).has_value());  // the lane starts empty

        auto vb = b.value_downlink<std::optional<int>>(host(), node, "value");
        co_await vb.synced();
        BOOST_TEST(!vb.set(5));
        BOOST_TEST(!vb.set(6));
        auto first = co_await va.next_event();
        auto second = first == 6 ? first : co_await va.next_event();
        BOOST_TEST(second.value_or(-1) == 6);
        co_await sleep_for(50ms);
        BOOST_TEST((seen.back() == "6 from 5" || seen.back() == "6 from none"));

        // A late joiner syncs the latest state.
        client::client c(ioc.get_executor());
        auto vc = c.value_downlink<int>(host(), node, "value");
        BOOST_TEST(co_await vc.get() == 6);
        co_await c.async_close();
        co_await b.async_close();
        co_await a.async_close();
    });
}

BOOST_AUTO_TEST_CASE(map_put_remove_clear_take_drop_seen_by_a_second_client)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        std::string node = fresh_node();
        client::client a(ioc.get_executor());
        client::client b(ioc.get_executor());
        auto writer = a.map_downlink<std::string, int>(host(), node, "map");
        auto reader = b.map_downlink<std::string, int>(host(), node, "map");
        std::vector<std::string> log;
        reader.did_update([&](std::string const& k, int v, std::optional<int> const&) {
            log.push_back("update " + k + " " + std::to_string(v));
        });
        reader.did_remove([&](std::string const& k, int) { log.push_back("remove " + k); });
        reader.did_clear([&] { log.push_back("clear"); });
        co_await writer.synced();
        co_await reader.synced();

        for (auto k : {"k1", "k2", "k3", "k4", "k5"})
            BOOST_TEST(!writer.put(k, 1));
        BOOST_TEST(!writer.remove("k2"));
        BOOST_TEST(!writer.take(3));  // keeps k1 k3 k4
        BOOST_TEST(!writer.drop(1));  // removes k1
        co_await sleep_for(300ms);
        BOOST_TEST(
            log == (std::vector<std::string>{
                       "update k1 1",
                       "update k2 1",
                       "update k3 1",
                       "update k4 1",
                       "update k5 1",
                       "remove k2",
                       "remove k5",
                       "remove k1"}));
        auto all = co_await reader.get_all();
        BOOST_TEST(all.size() == 2u);
        BOOST_TEST(all.count("k3") == 1u);
        BOOST_TEST(all.count("k4") == 1u);
        BOOST_TEST(writer.size() == 2u);

        BOOST_TEST(!writer.clear());
        co_await sleep_for(200ms);
        BOOST_TEST(log.back() == "clear");
        BOOST_TEST(reader.size() == 0u);
        co_await b.async_close();
        co_await a.async_close();
    });
}

BOOST_AUTO_TEST_CASE(event_downlink_receives_commands)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        std::string node = fresh_node();
        client::client a(ioc.get_executor());
        auto events = a.event_downlink<recon::value>(host(), node, "cmd");
        co_await events.linked();
        BOOST_TEST(!a.command(host(), node, "cmd", recon::parse("{msg:hello,n:1}")));
        BOOST_TEST(!a.command(host(), node, "cmd", recon::parse("@greeting(\"hi there\")")));
        auto e1 = co_await events.next_event();
        auto e2 = co_await events.next_event();
        BOOST_TEST(recon::to_string(e1) == "{msg:hello,n:1}");
        BOOST_TEST(recon::to_string(e2) == "@greeting(\"hi there\")");
        co_await a.async_close();
    });
}

BOOST_AUTO_TEST_CASE(node_and_lane_not_found_reach_the_downlink)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        client::client a(ioc.get_executor());
        auto nowhere = a.value_downlink<int>(host(), "/no/such/node", "value");
        std::string reason;
        nowhere.on_unlinked([&](std::string_view r) { reason = r; });
        bool threw = false;
        try {
            co_await nowhere.get();
        } catch (boost::system::system_error const& e) {
            threw = true;
            BOOST_TEST((e.code() == client::error::unlinked));
            BOOST_TEST(std::string(e.what()).find("nodeNotFound") != std::string::npos);
        }
        BOOST_TEST(threw);
        BOOST_TEST(nowhere.reason() == "nodeNotFound");
        co_await sleep_for(50ms);
        BOOST_TEST(reason == "nodeNotFound");

        auto no_lane = a.value_downlink<int>(host(), fresh_node(), "nosuchlane");
        threw = false;
        try {
            co_await no_lane.linked();
        } catch (boost::system::system_error const&) {
            threw = true;
        }
        BOOST_TEST(threw);
        BOOST_TEST(no_lane.reason() == "laneNotFound");
        co_await a.async_close();
    });
}

BOOST_AUTO_TEST_CASE(close_flushes_queued_sets)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        std::string node = fresh_node();
        {
            client::client a(ioc.get_executor());
            auto v = a.value_downlink<int>(host(), node, "value");
            // Queued before the connection is even up, then closed at once.
            for (int i = 1; i <= 100; ++i)
                BOOST_TEST(!v.set(i));
            co_await v.linked();
            co_await a.async_close();
        }
        client::client b(ioc.get_executor());
        auto v = b.value_downlink<int>(host(), node, "value");
        BOOST_TEST(co_await v.get() == 100);
        co_await b.async_close();
    });
}

BOOST_AUTO_TEST_SUITE_END()
