// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The blocking client against our server (the demo plan, on its own thread): calls after
// close() return instead of waiting forever, close() from a handler is refused without
// harm, and a write holding NaN is refused before it changes anything.

#include <swim/client/blocking_client.hpp>
#include <swim/recon/error.hpp>
#include <swim/server/demo_plan.hpp>
#include <swim/server/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <future>
#include <limits>
#include <stdexcept>
#include <thread>

#include "test_util.hpp"

namespace asio = boost::asio;
using namespace swim;
using namespace std::chrono_literals;

namespace {

// The demo server on a thread of its own, as a blocking client's peer would be.
struct threaded_server {
    asio::io_context ioc;
    server::server srv{ioc.get_executor(), swim::test::loopback_server_config()};
    std::thread thread;
    std::string url;

    threaded_server()
    {
        BOOST_REQUIRE(!server::demo::add_demo_plan(srv, {.bench_agents = true}));
        BOOST_REQUIRE(!srv.start());
        url = srv.local_url();
        thread = std::thread([this] { ioc.run(); });
    }
    ~threaded_server()
    {
        auto stopped = asio::co_spawn(ioc, srv.async_stop(), asio::use_future);
        stopped.wait();
        thread.join();
    }
};

// Runs `f` on another thread and says whether it returned within `limit`.
template <class F>
bool returns_within(std::chrono::seconds limit, F f)
{
    auto done = std::async(std::launch::async, std::move(f));
    return done.wait_for(limit) == std::future_status::ready;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(blocking_client_behaviour)

// A late joiner of the blocking client: its handlers are set in calls of their own, after the
// downlink was made and its link (shared with the first downlink) was synced already; each
// handler still runs once, on_synced with the lane's value.
BOOST_FIXTURE_TEST_CASE(handlers_set_after_a_late_join_run_once, threaded_server)
{
    client::blocking_client bc(swim::test::fast_client_config());
    auto first = bc.value_downlink<std::int64_t>(url, "/unit/late", "value");
    first.synced();
    BOOST_TEST(!first.set(7));
    std::atomic<int> linked{0};
    std::atomic<int> synced{0};
    std::atomic<std::int64_t> value{-1};
    auto second = bc.value_downlink<std::int64_t>(url, "/unit/late", "value");
    std::this_thread::sleep_for(50ms);  // the replay of linked and synced has run by now
    second.on_linked([&] { ++linked; });
    second.on_synced([&](std::int64_t const& v) {
        value = v;
        ++synced;
    });
    second.synced();
    for (int i = 0; i < 200 && (linked == 0 || synced == 0); ++i)
        std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(50ms);  // no second call
    BOOST_TEST(linked.load() == 1);
    BOOST_TEST(synced.load() == 1);
    BOOST_TEST(value.load() == 7);
    // Set again while synced: the handler is not called again.
    second.on_synced([&](std::int64_t const&) { ++synced; });
    std::this_thread::sleep_for(50ms);
    BOOST_TEST(synced.load() == 1);
    bc.close();
}

BOOST_FIXTURE_TEST_CASE(calls_after_close_fail_instead_of_waiting, threaded_server)
{
    client::blocking_client bc(swim::test::fast_client_config());
    auto light = bc.value_downlink<recon::value>(url, "/hotel/room/7", "light");
    light.synced();
    bc.close();
    bc.close();  // a second close returns at once
    boost::system::error_code ec;
    BOOST_TEST_REQUIRE(
        returns_within(10s, [&] { ec = bc.command(url, "/hotel/room/7", "toggle"); }));
    BOOST_TEST((ec == client::error::client_closed), ec.message());
    BOOST_TEST_REQUIRE(returns_within(10s, [&] { ec = light.set(recon::value(true)); }));
    BOOST_TEST((ec == warp::error::closed), ec.message());
    bool threw = false;
    BOOST_TEST_REQUIRE(returns_within(10s, [&] {
        try {
            light.get();
        } catch (boost::system::system_error const&) {
            threw = true;
        }
    }));
    BOOST_TEST(threw);
}

BOOST_FIXTURE_TEST_CASE(close_from_a_handler_is_refused_and_harmless, threaded_server)
{
    std::promise<std::string> refused;
    {
        client::blocking_client bc(swim::test::fast_client_config());
        auto light = bc.value_downlink<bool>(url, "/hotel/room/8", "light");
        light.did_set([&](bool, std::optional<bool> const&) {
            try {
                bc.close();
                refused.set_value("close() returned");
            } catch (std::logic_error const& e) {
                refused.set_value(e.what());
            }
        });
        light.synced();
        BOOST_TEST(!light.set(true));
        auto what = refused.get_future();
        BOOST_TEST_REQUIRE((what.wait_for(10s) == std::future_status::ready));
        BOOST_TEST(what.get().find("deadlock") != std::string::npos);
        // The client is still open and closes normally (the destructor joins its thread).
        BOOST_TEST(!light.is_closed());
        BOOST_TEST(!bc.command(url, "/hotel/room/8", "toggle"));
    }
}

BOOST_FIXTURE_TEST_CASE(a_non_finite_write_is_refused_and_changes_nothing, threaded_server)
{
    client::blocking_client bc(swim::test::fast_client_config());
    auto v = bc.value_downlink<double>(url, "/hotel/room/nan", "light");
    auto m = bc.map_downlink<std::string, recon::value>(url, "/hotel/lobby", "elevators");
    v.synced();
    m.synced();
    BOOST_TEST(!v.set(1.5));
    double const nan = std::numeric_limits<double>::quiet_NaN();
    BOOST_TEST((v.set(nan) == recon::error::non_finite_float));
    BOOST_TEST((v.set(-std::numeric_limits<double>::infinity()) == recon::error::non_finite_float));
    BOOST_TEST(v.get() == 1.5);
    recon::record r;
    r.push_back(recon::value(nan));
    BOOST_TEST((m.put("a", recon::value(std::move(r))) == recon::error::non_finite_float));
    BOOST_TEST(m.get_all().empty());
    BOOST_TEST((
        bc.command(url, "/unit/nan", "fill", recon::value(nan)) == recon::error::non_finite_float));
    BOOST_TEST(!v.is_closed());
}

BOOST_AUTO_TEST_SUITE_END()
