// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Reads that do not wait (value: current(); map: size, contains, current, keys, snapshot), a
// map downlink's stream of changes (next_event), against the demo plan on loopback; and the
// same reads through the blocking client.

#include <swim/client/blocking_client.hpp>
#include <swim/client/client.hpp>
#include <swim/server/demo_plan.hpp>
#include <swim/server/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/scripted_peer.hpp"
#include "test_util.hpp"

namespace asio = boost::asio;
using namespace swim;
using namespace std::chrono_literals;
using swim::test::eventually;

namespace {

struct reads_fixture {
    asio::io_context ioc;
    server::server srv{ioc.get_executor(), swim::test::loopback_server_config()};
    std::string url;

    reads_fixture()
    {
        BOOST_REQUIRE(!server::demo::add_demo_plan(srv, {.bench_agents = true}));
        BOOST_REQUIRE(!srv.start());
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

using change = client::map_change<std::string, std::int64_t>;

std::string describe(change const& c)
{
    switch (c.what) {
        case change::kind::clear: return "clear";
        case change::kind::remove: return "remove " + *c.key + " was " + std::to_string(*c.before);
        case change::kind::update:
            return "update " + *c.key + " " + std::to_string(*c.value) +
                   (c.before ? " from " + std::to_string(*c.before) : std::string());
    }
    return "?";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(downlink_reads)

BOOST_FIXTURE_TEST_CASE(a_value_downlink_reads_its_value_without_waiting, reads_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        auto d = c.value_downlink<std::int64_t>(url, "/unit/reads1", "value");
        BOOST_TEST(!d.current().has_value(), "nothing before the first event");
        co_await d.synced();
        BOOST_TEST((d.current() == std::optional<std::int64_t>(0)));
        BOOST_TEST(!d.set(41));
        BOOST_TEST((d.current() == std::optional<std::int64_t>(41)), "a local write shows at once");
        d.close();
        BOOST_TEST(!d.current().has_value(), "nothing once closed");
        client::value_downlink<int> none;
        BOOST_TEST(!none.current().has_value());
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_map_downlink_reads_its_entries_without_waiting, reads_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        auto d = c.map_downlink<std::string, std::int64_t>(url, "/unit/reads2", "map");
        BOOST_TEST(d.size() == 0u);
        BOOST_TEST(d.keys().empty());
        co_await d.synced();
        BOOST_TEST(!d.put("b", 2));
        BOOST_TEST(!d.put("a", 1));
        BOOST_TEST(d.size() == 2u);
        BOOST_TEST(d.contains("a"));
        BOOST_TEST(!d.contains("z"));
        BOOST_TEST((d.current("b") == std::optional<std::int64_t>(2)));
        BOOST_TEST(!d.current("z").has_value());
        BOOST_TEST(
            d.keys() == (std::vector<std::string>{"a", "b"}),
            boost::test_tools::per_element());
        auto all = d.snapshot();
        BOOST_TEST(all.size() == 2u);
        BOOST_TEST(all["a"] == 1);
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_map_downlink_streams_its_changes, reads_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        client::client other(ioc.get_executor(), swim::test::fast_client_config());
        auto d = c.map_downlink<std::string, std::int64_t>(url, "/unit/reads3", "map");
        co_await d.synced();
        auto first = d.next_event();  // buffering starts here
        auto w = other.map_downlink<std::string, std::int64_t>(url, "/unit/reads3", "map");
        co_await w.synced();
        BOOST_TEST(!w.put("k", 1));
        BOOST_TEST(!w.put("k", 2));
        BOOST_TEST(!w.remove("k"));
        BOOST_TEST(!w.put("j", 5));
        BOOST_TEST(!w.clear());
        std::vector<std::string> seen;
        auto c1 = co_await std::move(first);
        seen.push_back(describe(c1));
        for (int i = 0; i < 4; ++i) {
            auto next = co_await d.next_event();
            seen.push_back(describe(next));
        }
        BOOST_TEST(
            seen == (std::vector<std::string>{
                        "update k 1",
                        "update k 2 from 1",
                        "remove k was 2",
                        "update j 5",
                        "clear"}),
            boost::test_tools::per_element());
        co_await other.async_close();
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(an_unread_map_stream_keeps_the_latest_change_of_each_key, reads_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        client::downlink_config cfg;
        cfg.max_pending_events = 2;
        auto d = c.map_downlink<std::string, std::int64_t>(url, "/unit/reads4", "map", cfg);
        co_await d.synced();
        // Start the stream (a reader waits on it), then write more than it may hold.
        std::vector<std::string> seen;
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                auto c1 = co_await d.next_event();
                seen.push_back(describe(c1));
            },
            asio::detached);
        co_await swim::test::sleep_for(10ms);
        for (int i = 1; i <= 50; ++i)
            BOOST_TEST(!d.put(i % 2 ? "odd" : "even", i));
        bool first = co_await eventually([&] { return !seen.empty(); });
        BOOST_TEST(first);
        // The two that waited when the limit was reached, then the latest change of each key
        // (its `before` the value the reader saw last).
        for (int i = 0; i < 3; ++i) {
            auto next = co_await d.next_event();
            seen.push_back(describe(next));
        }
        BOOST_TEST(
            seen == (std::vector<std::string>{
                        "update odd 1",
                        "update even 2",
                        "update odd 49 from 1",
                        "update even 50 from 2"}),
            boost::test_tools::per_element());
        co_await c.async_close();
    });
}

// A coroutine on_synced that runs late (behind a slow on_linked) gets the map as it was at
// @synced; the changes after it come as did_update, so nothing is seen twice.
BOOST_FIXTURE_TEST_CASE(a_late_coroutine_on_synced_gets_the_state_of_its_sync, reads_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        client::client other(ioc.get_executor(), swim::test::fast_client_config());
        auto w = other.map_downlink<std::string, std::int64_t>(url, "/unit/reads6", "map");
        co_await w.synced();
        BOOST_TEST(!w.put("before", 1));
        co_await swim::test::sleep_for(50ms);
        auto d = c.map_downlink<std::string, std::int64_t>(url, "/unit/reads6", "map");
        std::map<std::string, std::int64_t> at_sync;
        std::vector<std::string> updates;
        bool synced = false;
        d.on_linked([&]() -> asio::awaitable<void> {
            // Slow: the sync and the changes after it wait behind this handler.
            co_await swim::test::sleep_for(200ms);
        });
        d.on_synced([&](std::map<std::string, std::int64_t> const& all) -> asio::awaitable<void> {
            at_sync = all;
            synced = true;
            co_return;
        });
        d.did_update([&](std::string const& k, std::int64_t, std::optional<std::int64_t> const&) {
            updates.push_back(k);
        });
        bool up = co_await eventually([&] { return d.is_synced(); });
        BOOST_TEST(up);
        BOOST_TEST(!w.put("after", 2));  // arrives while on_linked still sleeps
        bool ran = co_await eventually([&] { return synced && !updates.empty(); });
        BOOST_TEST(ran);
        BOOST_TEST(at_sync.size() == 1u);
        BOOST_TEST(at_sync.count("before") == 1u);
        BOOST_TEST(at_sync.count("after") == 0u, "on_synced saw a change made after the sync");
        BOOST_TEST(updates == std::vector<std::string>{"after"}, boost::test_tools::per_element());
        co_await other.async_close();
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(blocking_reads)

BOOST_AUTO_TEST_CASE(the_blocking_client_reads_without_waiting_and_streams_map_changes)
{
    asio::io_context ioc;
    server::server srv{ioc.get_executor(), swim::test::loopback_server_config()};
    BOOST_REQUIRE(!server::demo::add_demo_plan(srv, {.bench_agents = true}));
    BOOST_REQUIRE(!srv.start());
    std::string url = srv.local_url();
    std::thread thread([&] { ioc.run(); });
    {
        client::blocking_client bc(swim::test::fast_client_config());
        auto v = bc.value_downlink<std::int64_t>(url, "/unit/reads5", "value");
        BOOST_TEST(v.get() == 0);
        BOOST_TEST(!v.set(7));
        BOOST_TEST((v.current() == std::optional<std::int64_t>(7)));
        auto m = bc.map_downlink<std::string, std::int64_t>(url, "/unit/reads5", "map");
        m.get_all();
        BOOST_TEST(!m.put("x", 3));
        BOOST_TEST(m.size() == 1u);
        BOOST_TEST(m.contains("x"));
        BOOST_TEST((m.current("x") == std::optional<std::int64_t>(3)));
        BOOST_TEST(m.keys() == (std::vector<std::string>{"x"}), boost::test_tools::per_element());
        BOOST_TEST(m.snapshot().size() == 1u);
        auto w = bc.map_downlink<std::string, std::int64_t>(url, "/unit/reads5", "map");
        // (A second downlink of the same lane shares the link: its stream sees later changes.)
        std::thread writer([&] {
            std::this_thread::sleep_for(50ms);
            BOOST_TEST(!m.put("y", 4));
        });
        auto c = w.next_event();
        writer.join();
        BOOST_TEST(describe(c) == "update y 4");
        bc.close();
    }
    auto stopped = asio::co_spawn(ioc, srv.async_stop(), asio::use_future);
    stopped.wait();
    thread.join();
}

BOOST_AUTO_TEST_SUITE_END()
