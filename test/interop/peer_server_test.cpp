// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Our client against a real server serving the demo plan: the official SwimOS Java server
// (../shared/peers) and swim-server, each started by run_with_peer.sh, which sets
// SWIM_PEER_HOST. The same tests run against both: the convergence contract (bursts of local
// writes interleaved with another connection's, then quiet: every downlink holds what a fresh
// sync returns), late joiners (each downlink gets its own on_linked and on_synced), and what
// a downlink says when its host cannot be reached.

#include <swim/client/client.hpp>
#include <swim/recon/writer.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>

namespace asio = boost::asio;
using namespace swim;
using namespace std::chrono_literals;

namespace {

std::string host()
{
    char const* h = std::getenv("SWIM_PEER_HOST");
    BOOST_REQUIRE_MESSAGE(h, "SWIM_PEER_HOST is not set: run through run_with_peer.sh");
    return h;
}

// The clients' configuration: their log goes to stderr when SWIM_TEST_LOG is set.
client::client_config config()
{
    client::client_config cfg;
    if (std::getenv("SWIM_TEST_LOG")) {
        auto t0 = std::chrono::steady_clock::now();
        cfg.log.level = client::log_level::debug;
        cfg.log.sink = [t0](client::log_level, std::string_view line) {
            auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - t0);
            std::fprintf(
                stderr,
                "%6lld ms %.*s\n",
                static_cast<long long>(ms.count()),
                static_cast<int>(line.size()),
                line.data());
        };
    }
    return cfg;
}

// A fresh agent id for each test, so tests do not see each other's state.
std::string fresh_id()
{
    static int n = 0;
    return "p" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000) +
           "x" + std::to_string(++n);
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// Waits until `done()` holds, checking every 20 ms, for at most `limit`; returns whether it
// held.
asio::awaitable<bool> eventually(std::function<bool()> done, std::chrono::milliseconds limit)
{
    auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until)
            co_return false;
        co_await sleep_for(20ms);
    }
    co_return true;
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
    ioc.run_for(60s);
    BOOST_TEST_REQUIRE(done, "the test did not finish within 60 s");
    if (failure)
        std::rethrow_exception(failure);
}

std::string text(recon::value const& v)
{
    return recon::to_string(v);
}

// What a fresh client syncs from a value lane now.
asio::awaitable<recon::value> fresh_value(asio::io_context& ioc, std::string node, std::string lane)
{
    client::client c(ioc.get_executor(), config());
    auto d = c.value_downlink<recon::value>(host(), node, lane);
    auto v = co_await d.get();
    co_await c.async_close();
    co_return v;
}

using entries = std::map<std::string, std::int64_t>;

asio::awaitable<entries> fresh_map(asio::io_context& ioc, std::string node, std::string lane)
{
    client::client c(ioc.get_executor(), config());
    auto d = c.map_downlink<std::string, std::int64_t>(host(), node, lane);
    auto all = co_await d.get_all();
    co_await c.async_close();
    co_return all;
}

std::string text(entries const& m)
{
    std::string s = "{";
    for (auto const& [k, v] : m)
        s += k + ":" + std::to_string(v) + ",";
    return s + "}";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(peer_convergence)

// The scenario that diverged against the Java server: 300 quick sets come back coalesced
// into a few echoes; a later set from another connection must still reach the downlink.
BOOST_AUTO_TEST_CASE(a_value_downlink_hears_another_connection_after_300_quick_sets)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        std::string node = "/hotel/room/" + fresh_id();
        client::client a(ioc.get_executor(), config());
        client::client b(ioc.get_executor(), config());
        auto la = a.value_downlink<recon::value>(host(), node, "light");
        int heard = 0;
        la.did_set([&](recon::value const& now, std::optional<recon::value> const&) {
            if (now == recon::value(987654))
                ++heard;
        });
        co_await la.synced();
        for (int i = 1; i <= 300; ++i)
            BOOST_TEST(!la.set(recon::value(i)));
        // Let the echoes come back (coalesced or not), then another connection writes.
        co_await sleep_for(300ms);
        auto lb = b.value_downlink<recon::value>(host(), node, "light");
        co_await lb.synced();
        BOOST_TEST(!lb.set(recon::value(987654)));
        bool arrived = co_await eventually([&] { return heard > 0; }, 5s);
        BOOST_TEST(arrived, "did_set(987654) never fired on the first downlink");
        auto lane = co_await fresh_value(ioc, node, "light");
        BOOST_TEST(text(lane) == "987654");
        auto held = co_await la.get();
        BOOST_TEST(text(held) == text(lane));
        BOOST_TEST(heard == 1);
        co_await a.async_close();
        co_await b.async_close();
    });
}

// Bursts of local writes on one connection interleaved with another connection's writes,
// seeded; then quiet: both downlinks hold what a fresh sync returns.
BOOST_AUTO_TEST_CASE(value_downlinks_converge_after_interleaved_bursts)
{
    for (std::uint32_t seed = 1; seed <= 3; ++seed) {
        run([seed](asio::io_context& ioc) -> asio::awaitable<void> {
            std::mt19937 rng(seed);
            std::string node = "/hotel/room/" + fresh_id();
            client::client a(ioc.get_executor(), config());
            client::client b(ioc.get_executor(), config());
            auto la = a.value_downlink<recon::value>(host(), node, "light");
            auto lb = b.value_downlink<recon::value>(host(), node, "light");
            co_await la.synced();
            co_await lb.synced();
            for (int round = 0; round < 20; ++round) {
                auto& d = rng() % 2 ? la : lb;
                int burst = static_cast<int>(rng() % 40) + 1;
                for (int i = 0; i < burst; ++i)
                    BOOST_TEST(!d.set(recon::value(static_cast<std::int64_t>(rng() % 1000))));
                if (rng() % 3 == 0)
                    co_await sleep_for(std::chrono::milliseconds(rng() % 20));
            }
            // Quiet: wait until both agree with a fresh sync.
            recon::value lane;
            bool agreed = false;
            for (int i = 0; i < 50 && !agreed; ++i) {
                co_await sleep_for(100ms);
                lane = co_await fresh_value(ioc, node, "light");
                auto va = co_await la.get();
                auto vb = co_await lb.get();
                agreed = va == lane && vb == lane;
            }
            auto va = co_await la.get();
            auto vb = co_await lb.get();
            BOOST_TEST(text(va) == text(lane), "seed " << seed);
            BOOST_TEST(text(vb) == text(lane), "seed " << seed);
            co_await a.async_close();
            co_await b.async_close();
        });
    }
}

BOOST_AUTO_TEST_CASE(map_downlinks_converge_after_interleaved_bursts)
{
    for (std::uint32_t seed = 1; seed <= 3; ++seed) {
        run([seed](asio::io_context& ioc) -> asio::awaitable<void> {
            std::mt19937 rng(seed);
            std::string node = "/unit/" + fresh_id();
            client::client a(ioc.get_executor(), config());
            client::client b(ioc.get_executor(), config());
            auto ma = a.map_downlink<std::string, std::int64_t>(host(), node, "map");
            auto mb = b.map_downlink<std::string, std::int64_t>(host(), node, "map");
            co_await ma.synced();
            co_await mb.synced();
            for (int round = 0; round < 20; ++round) {
                auto& d = rng() % 2 ? ma : mb;
                int burst = static_cast<int>(rng() % 30) + 1;
                for (int i = 0; i < burst; ++i) {
                    std::string key = "k" + std::to_string(rng() % 12);
                    if (rng() % 4 == 0)
                        BOOST_TEST(!d.remove(key));
                    else
                        BOOST_TEST(!d.put(key, static_cast<std::int64_t>(rng() % 1000)));
                }
                if (rng() % 3 == 0)
                    co_await sleep_for(std::chrono::milliseconds(rng() % 20));
            }
            entries lane;
            bool agreed = false;
            for (int i = 0; i < 50 && !agreed; ++i) {
                co_await sleep_for(100ms);
                lane = co_await fresh_map(ioc, node, "map");
                auto ea = co_await ma.get_all();
                auto eb = co_await mb.get_all();
                agreed = ea == lane && eb == lane;
            }
            auto ea = co_await ma.get_all();
            auto eb = co_await mb.get_all();
            BOOST_TEST(text(ea) == text(lane), "seed " << seed);
            BOOST_TEST(text(eb) == text(lane), "seed " << seed);
            co_await a.async_close();
            co_await b.async_close();
        });
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(peer_late_joiners)

// A second downlink to a lane the first has already synced gets its own on_linked and
// on_synced, once; the first hears nothing new.
BOOST_AUTO_TEST_CASE(a_late_value_downlink_gets_linked_and_synced)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        std::string node = "/hotel/room/" + fresh_id();
        client::client a(ioc.get_executor(), config());
        auto first = a.value_downlink<recon::value>(host(), node, "light");
        int linked1 = 0, synced1 = 0, linked2 = 0, synced2 = 0;
        first.on_linked([&] { ++linked1; });
        first.on_synced([&](recon::value const&) { ++synced1; });
        BOOST_TEST(!first.set(recon::value(42)));
        co_await first.synced();
        auto late = a.value_downlink<recon::value>(host(), node, "light");
        recon::value seen;
        late.on_linked([&] { ++linked2; });
        late.on_synced([&](recon::value const& v) {
            ++synced2;
            seen = v;
        });
        bool got = co_await eventually([&] { return synced2 > 0; }, 5s);
        BOOST_TEST(got, "the late joiner's on_synced never fired");
        co_await sleep_for(200ms);
        BOOST_TEST(linked2 == 1);
        BOOST_TEST(synced2 == 1);
        BOOST_TEST(text(seen) == "42");
        BOOST_TEST(linked1 == 1);
        BOOST_TEST(synced1 == 1);
        co_await a.async_close();
    });
}

BOOST_AUTO_TEST_CASE(a_late_map_downlink_gets_linked_and_synced_with_the_state)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        std::string node = "/unit/" + fresh_id();
        client::client a(ioc.get_executor(), config());
        auto first = a.map_downlink<std::string, std::int64_t>(host(), node, "map");
        BOOST_TEST(!first.put("a", 1));
        BOOST_TEST(!first.put("b", 2));
        co_await first.synced();
        auto late = a.map_downlink<std::string, std::int64_t>(host(), node, "map");
        int linked = 0, synced = 0;
        entries seen;
        late.on_linked([&] { ++linked; });
        late.on_synced([&](entries const& all) {
            ++synced;
            seen = all;
        });
        bool got = co_await eventually([&] { return synced > 0; }, 5s);
        BOOST_TEST(got, "the late joiner's on_synced never fired");
        co_await sleep_for(200ms);
        BOOST_TEST(linked == 1);
        BOOST_TEST(synced == 1);
        BOOST_TEST(text(seen) == "{a:1,b:2,}");
        co_await a.async_close();
    });
}

BOOST_AUTO_TEST_CASE(a_late_event_downlink_gets_linked)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        std::string node = "/hotel/room/" + fresh_id();
        client::client a(ioc.get_executor(), config());
        auto first = a.event_downlink<recon::value>(host(), node, "command");
        co_await first.linked();
        auto late = a.event_downlink<recon::value>(host(), node, "command");
        int linked = 0;
        std::vector<std::string> events;
        late.on_linked([&] { ++linked; });
        late.on_event([&](recon::value const& v) { events.push_back(text(v)); });
        bool got = co_await eventually([&] { return linked > 0; }, 5s);
        BOOST_TEST(got, "the late joiner's on_linked never fired");
        BOOST_TEST(!a.command(host(), node, "command", recon::value("hello")));
        bool heard = co_await eventually([&] { return !events.empty(); }, 5s);
        BOOST_TEST(heard);
        BOOST_TEST(linked == 1);
        BOOST_TEST(events == std::vector<std::string>{"hello"}, boost::test_tools::per_element());
        co_await a.async_close();
    });
}

// Two downlinks opened in the same turn, before the link is up: one on_linked and one
// on_synced each.
BOOST_AUTO_TEST_CASE(downlinks_opened_together_each_get_linked_and_synced_once)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        std::string node = "/hotel/room/" + fresh_id();
        client::client a(ioc.get_executor(), config());
        auto d1 = a.value_downlink<recon::value>(host(), node, "light");
        auto d2 = a.value_downlink<recon::value>(host(), node, "light");
        int l1 = 0, s1 = 0, l2 = 0, s2 = 0;
        d1.on_linked([&] { ++l1; });
        d1.on_synced([&](recon::value const&) { ++s1; });
        d2.on_linked([&] { ++l2; });
        d2.on_synced([&](recon::value const&) { ++s2; });
        bool got = co_await eventually([&] { return s1 > 0 && s2 > 0; }, 5s);
        BOOST_TEST(got);
        co_await sleep_for(200ms);
        BOOST_TEST(l1 == 1);
        BOOST_TEST(s1 == 1);
        BOOST_TEST(l2 == 1);
        BOOST_TEST(s2 == 1);
        co_await a.async_close();
    });
}

BOOST_AUTO_TEST_SUITE_END()
