// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Self-tests of the scripted WARP peer, driven by a plain Beast WebSocket client: the
// handshake it records and answers, frames both ways, pings, close, drop, half-open, several
// connections, and that its failures (timeouts, mismatches) fail the test with a message.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/execution_monitor.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "common/scripted_peer.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace utf = boost::unit_test;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;
using boost::system::error_code;
using swim::test::drop_mode;
using swim::test::frame_kind;
using swim::test::peer_fixture;
using swim::test::run_test;
using swim::test::scripted_peer;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> sleep(std::chrono::steady_clock::duration d)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::use_awaitable);
}

enum class offer {
    warp0,
    nothing
};

// A plain Beast client: the stand-in for ours.
struct test_client {
    explicit test_client(asio::io_context& ioc)
        : ws(ioc)
    {}

    websocket::stream<beast::tcp_stream> ws;
    websocket::response_type response;
    beast::flat_buffer buffer;
    std::vector<std::string> pongs;

    asio::awaitable<void> connect(
        std::uint16_t port,
        offer o = offer::warp0,
        std::string target = "/")
    {
        asio::ip::tcp::endpoint const endpoint(asio::ip::make_address("127.0.0.1"), port);
        co_await beast::get_lowest_layer(ws).async_connect(endpoint, asio::use_awaitable);
        ws.set_option(websocket::stream_base::decorator([o](websocket::request_type& req) {
            if (o == offer::warp0)
                req.set(http::field::sec_websocket_protocol, "warp0");
        }));
        ws.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
            if (kind == websocket::frame_type::pong)
                pongs.emplace_back(payload.data(), payload.size());
        });
        auto const host = "127.0.0.1:" + std::to_string(port);
        co_await ws.async_handshake(response, host, target, asio::use_awaitable);
    }

    asio::awaitable<std::tuple<error_code, std::string>> read()
    {
        auto const [ec, n] = co_await ws.async_read(buffer, use_tuple);
        auto text = beast::buffers_to_string(buffer.data());
        buffer.consume(n);
        co_return std::tuple{ec, std::move(text)};
    }

    asio::awaitable<void> write(std::string frame)
    {
        ws.text(true);
        co_await ws.async_write(asio::buffer(frame), asio::use_awaitable);
    }

    std::string echoed_subprotocol() const
    {
        return std::string(response[http::field::sec_websocket_protocol]);
    }
};

bool contains(std::string const& text, std::string const& part)
{
    return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(scripted_peer_suite, peer_fixture)

BOOST_AUTO_TEST_CASE(listens_on_loopback)
{
    BOOST_TEST(peer.port() != 0);
    BOOST_TEST(peer.url() == "ws://127.0.0.1:" + std::to_string(peer.port()));
    BOOST_TEST(peer.connections() == 0u);
    run([&]() -> asio::awaitable<void> { co_return; });
}

BOOST_AUTO_TEST_CASE(sync_then_linked)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        auto const index = co_await (client.connect(peer.port()) && peer.accept());
        BOOST_TEST(index == 0u);
        BOOST_TEST(peer.connection() == 0u);
        BOOST_TEST(peer.connections() == 1u);
        BOOST_TEST(peer.request().target == "/");
        BOOST_TEST(peer.request().host == "127.0.0.1:" + std::to_string(peer.port()));
        BOOST_TEST(peer.request().offered_warp0);
        BOOST_TEST(peer.request().echoed_warp0);
        BOOST_TEST(peer.request().subprotocols == "warp0");
        BOOST_TEST(client.echoed_subprotocol() == "warp0");

        co_await client.write(R"(@sync(node:"/a",lane:b))");
        co_await peer.expect(R"(@sync(node:"/a",lane:b))");
        co_await peer.send(R"(@linked(node:"/a",lane:b))");
        auto const [ec, frame] = co_await client.read();
        BOOST_TEST(!ec);
        BOOST_TEST(client.ws.got_text());
        BOOST_TEST(frame == R"(@linked(node:"/a",lane:b))");
    });
}

BOOST_AUTO_TEST_CASE(no_echo_like_the_java_server)
{
    peer.options().echo_subprotocol = false;
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        BOOST_TEST(peer.request().offered_warp0);
        BOOST_TEST(!peer.request().echoed_warp0);
        BOOST_TEST(client.echoed_subprotocol() == "");
        co_await client.write("@sync(node:a,lane:b)");
        co_await peer.expect("@sync(node:a,lane:b)");
    });
}

BOOST_AUTO_TEST_CASE(records_a_request_without_warp0)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port(), offer::nothing, "/swim?x=1") && peer.accept());
        BOOST_TEST(peer.request().target == "/swim?x=1");
        BOOST_TEST(!peer.request().offered_warp0);
        BOOST_TEST(!peer.request().echoed_warp0);
        BOOST_TEST(peer.request().subprotocols == "");
        BOOST_TEST(client.echoed_subprotocol() == "");
        bool has_upgrade = false;
        for (auto const& [name, value] : peer.request().headers)
            has_upgrade = has_upgrade || (name == "Upgrade" && value == "websocket");
        BOOST_TEST(has_upgrade);
    });
}

BOOST_AUTO_TEST_CASE(expect_envelope_ignores_spacing_and_quoting)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        co_await client.write(R"(@sync(node: "/a", lane: "b"))");
        co_await peer.expect_envelope(R"(@sync(node:"/a",lane:b))");
        co_await client.write(R"(@command(node:"/a",lane:b){x: 1,y:"two"})");
        co_await peer.expect_envelope(R"(@command(node:"/a",lane:b) {x:1,y:two})");
    });
}

BOOST_AUTO_TEST_CASE(silence_keeps_the_connection_usable)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        co_await peer.expect_silence(100ms);
        auto const quiet = co_await peer.try_receive(50ms);
        BOOST_TEST(quiet.error.code == error_code(asio::error::timed_out));
        BOOST_TEST(contains(quiet.error.message, "timed out after 50 ms waiting for a frame"));
        // The timeouts did not disturb the stream: frames still flow both ways.
        co_await client.write("@event(node:a,lane:b)1");
        co_await peer.expect("@event(node:a,lane:b)1");
        co_await peer.send("@event(node:a,lane:b)2");
        auto const [ec, frame] = co_await client.read();
        BOOST_TEST(!ec);
        BOOST_TEST(frame == "@event(node:a,lane:b)2");
    });
}

BOOST_AUTO_TEST_CASE(binary_frames)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        co_await peer.send_binary(std::string("\x01\x02\x00", 3));
        auto const [ec, bytes] = co_await client.read();
        BOOST_TEST(!ec);
        BOOST_TEST(client.ws.got_binary());
        BOOST_TEST(bytes == std::string("\x01\x02\x00", 3));

        client.ws.binary(true);
        co_await client.ws.async_write(asio::buffer("\xff", 1), asio::use_awaitable);
        auto const got = co_await peer.try_receive();
        BOOST_TEST(!got.error);
        BOOST_TEST((got.value.kind == frame_kind::binary));
        BOOST_TEST(got.value.payload == "\xff");
    });
}

BOOST_AUTO_TEST_CASE(drop_makes_the_client_read_fail_and_it_can_reconnect)
{
    run([&]() -> asio::awaitable<void> {
        {
            test_client client(ioc);
            co_await (client.connect(peer.port()) && peer.accept());
            peer.drop();
            auto const [ec, frame] = co_await client.read();
            BOOST_TEST_MESSAGE("client read after drop(): " << ec.message());
            BOOST_TEST(ec.failed());
            BOOST_TEST(ec != error_code(websocket::error::closed));  // no close frame
            auto const after = co_await peer.try_receive();
            BOOST_TEST(after.error.code == error_code(asio::error::not_connected));
            BOOST_TEST(contains(after.error.message, "drop()"));
            auto const sent = co_await peer.try_send("@event(node:a,lane:b)");
            BOOST_TEST(sent.code == error_code(asio::error::not_connected));
        }
        test_client again(ioc);
        auto const index = co_await (again.connect(peer.port()) && peer.accept());
        BOOST_TEST(index == 1u);
        BOOST_TEST(peer.connections() == 2u);
        co_await again.write("@link(node:a,lane:b)");
        co_await peer.expect("@link(node:a,lane:b)");
    });
}

BOOST_AUTO_TEST_CASE(drop_with_reset)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        peer.drop(drop_mode::reset);
        auto const [ec, frame] = co_await client.read();
        BOOST_TEST_MESSAGE("client read after drop(reset): " << ec.message());
        BOOST_TEST(ec.failed());
        BOOST_TEST(ec != error_code(websocket::error::closed));
    });
}

BOOST_AUTO_TEST_CASE(close_sends_a_close_frame)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        auto const [ec, frame] = co_await (peer.close(1001, "going away") && client.read());
        BOOST_TEST(ec == error_code(websocket::error::closed));
        BOOST_TEST(client.ws.reason().code == 1001);
        BOOST_TEST(std::string(client.ws.reason().reason.c_str()) == "going away");
        auto const after = co_await peer.try_receive();
        BOOST_TEST(after.error.code == error_code(asio::error::not_connected));
        BOOST_TEST(contains(after.error.message, "close(1001)"));
    });
}

BOOST_AUTO_TEST_CASE(expect_close_and_disconnect)
{
    run([&]() -> asio::awaitable<void> {
        {
            test_client client(ioc);
            co_await (client.connect(peer.port()) && peer.accept());
            co_await client.ws.async_close(
                websocket::close_reason(websocket::close_code::normal, "bye"),
                asio::use_awaitable);
            auto const reason = co_await peer.expect_close(1000);
            BOOST_TEST(reason == "bye");
            // The close stays the last thing received.
            auto const again = co_await peer.try_receive();
            BOOST_TEST((again.value.kind == frame_kind::close));
        }
        test_client rude(ioc);
        co_await (rude.connect(peer.port()) && peer.accept());
        co_await rude.write("@event(node:a,lane:b)");
        beast::get_lowest_layer(rude.ws).close();
        co_await peer.expect_disconnect();
        auto const after = co_await peer.try_receive();
        BOOST_TEST(after.error.code == error_code(asio::error::eof));
        BOOST_TEST(contains(after.error.message, "without a close frame"));
    });
}

BOOST_AUTO_TEST_CASE(records_and_answers_pings)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        co_await client.ws.async_ping("hb", asio::use_awaitable);
        auto const payload = co_await peer.receive_ping();
        BOOST_TEST(payload == "hb");
        // Beast answered: the client sees the pong while it reads.
        auto const r = co_await (client.read() || sleep(200ms));
        BOOST_TEST(r.index() == 1u);
        BOOST_TEST(client.pongs == std::vector<std::string>{"hb"});
    });
}

BOOST_AUTO_TEST_CASE(pings_the_client)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        co_await peer.send_ping("p1");
        auto peer_side = [&]() -> asio::awaitable<std::string> {
            auto pong = co_await peer.receive_pong();
            co_await peer.send("done");
            co_return pong;
        };
        auto const [pong, read] = co_await (peer_side() && client.read());
        BOOST_TEST(pong == "p1");
        BOOST_TEST(std::get<1>(read) == "done");
    });
}

BOOST_AUTO_TEST_CASE(stop_reading_is_a_half_open_peer)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        co_await client.write("@event(node:a,lane:b)1");
        co_await sleep(50ms);  // read by the peer before it freezes
        peer.stop_reading();
        co_await client.ws.async_ping("hb", asio::use_awaitable);
        co_await client.write("@event(node:a,lane:b)2");
        // No pong, and the connection stays up: the client's read just waits.
        auto const r = co_await (client.read() || sleep(300ms));
        BOOST_TEST(r.index() == 1u);
        BOOST_TEST(client.pongs.empty());
        // What came before is still there; nothing after.
        co_await peer.expect("@event(node:a,lane:b)1");
        auto const next = co_await peer.try_receive();
        BOOST_TEST(next.error.code == error_code(asio::error::not_connected));
        BOOST_TEST(contains(next.error.message, "stop_reading()"));
        auto const ping = co_await peer.try_receive_ping();
        BOOST_TEST(ping.error.code == error_code(asio::error::not_connected));
    });
}

BOOST_AUTO_TEST_CASE(several_connections)
{
    run([&]() -> asio::awaitable<void> {
        test_client a(ioc);
        test_client b(ioc);
        auto const ia = co_await (a.connect(peer.port(), offer::warp0, "/a") && peer.accept());
        auto const ib = co_await (b.connect(peer.port(), offer::nothing, "/b") && peer.accept());
        BOOST_TEST(ia == 0u);
        BOOST_TEST(ib == 1u);
        BOOST_TEST(peer.connection() == 1u);
        BOOST_TEST(peer.request(0).target == "/a");
        BOOST_TEST(peer.request(1).target == "/b");
        co_await a.write("from a");
        co_await b.write("from b");
        co_await peer.expect("from b");
        peer.select(0);
        co_await peer.expect("from a");
        co_await peer.send("to a");
        auto const [ec, frame] = co_await a.read();
        BOOST_TEST(frame == "to a");
        BOOST_CHECK_THROW(peer.select(2), std::out_of_range);
    });
}

BOOST_AUTO_TEST_CASE(reject_answers_with_an_http_error)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        auto connect = [&]() -> asio::awaitable<error_code> {
            try {
                co_await client.connect(peer.port(), offer::warp0, "/nowhere");
            } catch (boost::system::system_error const& e) {
                co_return e.code();
            }
            co_return error_code{};
        };
        auto const [ec, index] = co_await (connect() && peer.reject(404));
        BOOST_TEST(ec == error_code(websocket::error::upgrade_declined));
        BOOST_TEST(client.response.result_int() == 404u);
        BOOST_TEST(index == 0u);
        BOOST_TEST(peer.request().target == "/nowhere");
        auto const r = co_await peer.try_receive();
        BOOST_TEST(r.error.code == error_code(asio::error::not_connected));
    });
}

BOOST_AUTO_TEST_CASE(unaccepted_client_waits_in_the_handshake)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        auto const r = co_await (client.connect(peer.port()) || sleep(200ms));
        BOOST_TEST(r.index() == 1u);  // the handshake never completed
        BOOST_TEST(peer.connections() == 0u);
    });
}

BOOST_AUTO_TEST_CASE(try_variants_time_out)
{
    peer.options().timeout = 100ms;
    run([&]() -> asio::awaitable<void> {
        auto const none = co_await peer.try_receive();
        BOOST_TEST(none.error.code == error_code(asio::error::not_connected));
        BOOST_TEST(contains(none.error.message, "call accept() first"));

        auto const accepted = co_await peer.try_accept();
        BOOST_TEST(accepted.error.code == error_code(asio::error::timed_out));
        BOOST_TEST(contains(accepted.error.message, "timed out after 100 ms waiting for a client"));

        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        auto const frame = co_await peer.try_receive();
        BOOST_TEST(frame.error.code == error_code(asio::error::timed_out));
        BOOST_TEST(
            frame.error.message ==
            "scripted_peer connection 0: receive: timed out after 100 ms waiting for a frame");
        auto const ping = co_await peer.try_receive_ping();
        BOOST_TEST(ping.error.code == error_code(asio::error::timed_out));
    });
}

// The failing paths report through Boost.Test: each case below expects its failures.

BOOST_AUTO_TEST_CASE(expect_timeout_fails_the_test, *utf::expected_failures(1))
{
    peer.options().timeout = 100ms;
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        bool aborted = false;
        try {
            co_await peer.expect("@linked(node:a,lane:b)");
        } catch (boost::execution_aborted const&) {
            aborted = true;
        }
        BOOST_TEST(aborted);
    });
}

BOOST_AUTO_TEST_CASE(expect_mismatch_is_not_fatal, *utf::expected_failures(2))
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        co_await client.write(R"(@sync(node:"/a",lane:c))");
        co_await peer.expect(R"(@sync(node:"/a",lane:b))");
        co_await client.write(R"(@sync(node:"/a",lane:c,prio:2))");
        co_await peer.expect_envelope(R"(@sync(node:"/a",lane:b))");
        // The script goes on.
        co_await client.write("@unlink(node:a,lane:b)");
        co_await peer.expect_envelope("@unlink(node:a,lane:b)");
    });
}

BOOST_AUTO_TEST_CASE(receive_of_binary_fails_the_test, *utf::expected_failures(1))
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        client.ws.binary(true);
        co_await client.ws.async_write(asio::buffer("\x01", 1), asio::use_awaitable);
        BOOST_CHECK_THROW(co_await peer.receive(), boost::execution_aborted);
    });
}

BOOST_AUTO_TEST_CASE(expect_silence_fails_on_a_frame, *utf::expected_failures(1))
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        co_await client.write("@event(node:a,lane:b)");
        co_await peer.expect_silence(200ms);
    });
}

// The usual failure: the body ends at a failed expect() with a client still connected; the
// fixture then destroys the peer and the io_context with the reader still pending.
BOOST_AUTO_TEST_CASE(an_aborted_body_leaves_nothing_dangling, *utf::expected_failures(1))
{
    peer.options().timeout = 100ms;
    auto client = std::make_shared<test_client>(ioc);
    run([&]() -> asio::awaitable<void> {
        co_await (client->connect(peer.port()) && peer.accept());
        co_await peer.expect("@linked(node:a,lane:b)");
        BOOST_ERROR("not reached");
    });
}

BOOST_AUTO_TEST_CASE(cancellation_is_not_a_failure)
{
    run([&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer.port()) && peer.accept());
        // receive() loses the race: it is cancelled, reports nothing, and the frame that
        // comes later is still there.
        auto const r = co_await (peer.receive() || sleep(50ms));
        BOOST_TEST(r.index() == 1u);
        co_await client.write("late");
        co_await peer.expect("late");
    });
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the runner and the peer's lifetime -------------------------------------------------------

BOOST_AUTO_TEST_SUITE(run_test_suite)

BOOST_AUTO_TEST_CASE(rethrows_the_body_exception)
{
    asio::io_context ioc;
    BOOST_CHECK_THROW(
        run_test(
            ioc,
            []() -> asio::awaitable<void> {
                co_await sleep(1ms);
                throw std::runtime_error("boom");
            }),
        std::runtime_error);
}

BOOST_AUTO_TEST_CASE(fails_when_work_is_left, *utf::expected_failures(1))
{
    asio::io_context ioc;
    asio::steady_timer leaked(ioc, 60s);
    run_test(
        ioc,
        [&]() -> asio::awaitable<void> {
            leaked.async_wait([](error_code) {});
            co_return;
        },
        500ms);
}

BOOST_AUTO_TEST_CASE(fails_and_cancels_a_body_over_its_limit, *utf::expected_failures(1))
{
    asio::io_context ioc;
    BOOST_CHECK_THROW(
        run_test(
            ioc,
            []() -> asio::awaitable<void> { co_await sleep(60s); },
            300ms),
        boost::execution_aborted);
    // The body was cancelled and has unwound: nothing is left to run.
    ioc.restart();
    ioc.run_for(1s);
    BOOST_TEST(ioc.stopped());
}

BOOST_AUTO_TEST_CASE(destroying_the_peer_mid_connection_leaves_no_work)
{
    asio::io_context ioc;
    auto peer = std::make_unique<scripted_peer>(ioc);
    run_test(ioc, [&]() -> asio::awaitable<void> {
        test_client client(ioc);
        co_await (client.connect(peer->port()) && peer->accept());
        co_await client.write("pending");
        // A receive still waiting when the peer goes away completes (with an error).
        auto waiting = [&]() -> asio::awaitable<void> {
            auto const first = co_await peer->try_receive();
            BOOST_TEST(first.value.payload == "pending");
            auto const second = co_await peer->try_receive();
            BOOST_TEST(second.error.code == error_code(asio::error::not_connected));
        };
        auto destroy = [&]() -> asio::awaitable<void> {
            co_await sleep(50ms);
            peer.reset();
        };
        co_await (waiting() && destroy());
        auto const [ec, frame] = co_await client.read();
        BOOST_TEST(ec.failed());
    });
}

BOOST_AUTO_TEST_SUITE_END()
