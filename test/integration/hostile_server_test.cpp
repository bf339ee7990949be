// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The client against a hostile server, a bare WebSocket end written by hand: pings streamed
// at a client while nothing it writes is read, and text frames that are not UTF-8.

#include <swim/client/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include "common/raw_ws.hpp"
#include "common/scripted_peer.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace swim;
using namespace std::chrono_literals;
namespace raw = swim::test::raw_ws;
using net::detail::ws_event;

namespace {

client::client_config quiet_config()
{
    client::client_config cfg;
    cfg.reconnect.first_min = 10ms;
    cfg.reconnect.first_max = 20ms;
    cfg.reconnect.max = 50ms;
    return cfg;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hostile_server)

BOOST_AUTO_TEST_CASE(a_server_that_streams_pings_and_never_reads_gets_only_the_latest_pong)
{
    asio::io_context ioc;
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        std::string const url = "warp://127.0.0.1:" + std::to_string(acc.local_endpoint().port());
        client::client c(ioc.get_executor(), quiet_config());
        auto d = c.value_downlink<int>(url, "/a", "b");
        auto s = co_await raw::accept(acc);
        BOOST_TEST_REQUIRE(s.is_open());
        // 200,000 pings (25 MB) while nothing the client writes is read: the pongs cannot
        // all wait in the sockets' buffers, so the client answers only the latest.
        std::size_t const count = 200000;
        std::string const pings = raw::pings(count, false);
        auto [wec, wn] = co_await asio::async_write(s, asio::buffer(pings), raw::use_tuple);
        BOOST_TEST_REQUIRE(!wec);
        std::size_t const pongs = co_await raw::pongs_until_the_last(s, true, count);
        BOOST_TEST(pongs > 0u);
        BOOST_TEST_MESSAGE(pongs << " pongs for " << count << " pings");
        BOOST_TEST(pongs < count / 2);
        s.close();
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_CASE(a_text_frame_that_is_not_utf8_is_closed_with_1007)
{
    asio::io_context ioc;
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        std::string const url = "warp://127.0.0.1:" + std::to_string(acc.local_endpoint().port());
        client::client c(ioc.get_executor(), quiet_config());
        auto d = c.value_downlink<int>(url, "/a", "b");
        auto s = co_await raw::accept(acc);
        BOOST_TEST_REQUIRE(s.is_open());
        std::string frame;
        net::detail::append_ws_frame(
            frame,
            net::detail::ws_opcode::text,
            "@event(node:\"/a\",lane:b) \"\xC3\x28\"",
            std::nullopt);
        auto [wec, wn] = co_await asio::async_write(s, asio::buffer(frame), raw::use_tuple);
        BOOST_TEST_REQUIRE(!wec);
        auto [code, reason] = co_await raw::close_frame(s, true);
        BOOST_TEST(code == 1007);
        BOOST_TEST(reason.find("UTF-8") != std::string::npos, reason);
        s.close();
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_CASE(a_value_over_max_value_memory_is_closed_with_1009)
{
    asio::io_context ioc;
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        std::string const url = "warp://127.0.0.1:" + std::to_string(acc.local_endpoint().port());
        auto cfg = quiet_config();
        cfg.max_value_memory = 1024 * 1024;
        client::client c(ioc.get_executor(), cfg);
        auto d = c.value_downlink<int>(url, "/a", "b");
        auto s = co_await raw::accept(acc);
        BOOST_TEST_REQUIRE(s.is_open());
        // 200 KB of `@a` would take about 9 MB once parsed.
        std::string event = "@event(node:\"/a\",lane:b) ";
        for (int i = 0; i < 100000; ++i)
            event += "@a";
        std::string frame;
        net::detail::append_ws_frame(frame, net::detail::ws_opcode::text, event, std::nullopt);
        auto [wec, wn] = co_await asio::async_write(s, asio::buffer(frame), raw::use_tuple);
        BOOST_TEST_REQUIRE(!wec);
        auto [code, reason] = co_await raw::close_frame(s, true);
        BOOST_TEST(code == 1009);
        BOOST_TEST(reason.find("max_value_memory") != std::string::npos, reason);
        s.close();
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_SUITE_END()
