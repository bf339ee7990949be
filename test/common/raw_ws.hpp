// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// A bare WebSocket end for hostile-peer tests: the opening handshake done by hand over a TCP
// socket, then frames written and read as bytes, so a test can do what no well-behaved
// library would (stream pings and never read, send text that is not UTF-8).

#ifndef SWIM_TEST_COMMON_RAW_WS_HPP
#define SWIM_TEST_COMMON_RAW_WS_HPP

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "../../lib/net/ws_frames.hpp"
#include "../../lib/net/ws_handshake.hpp"

namespace swim::test::raw_ws {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// Connects to 127.0.0.1:`port` and upgrades; the socket, or a closed one on failure.
/// `receive_buffer` (when not 0) is set before connecting: a small one makes a reader that
/// stops reading back the peer up at once.
inline asio::awaitable<tcp::socket> connect(std::uint16_t port, int receive_buffer = 0)
{
    auto ex = co_await asio::this_coro::executor;
    tcp::socket s(ex);
    if (receive_buffer != 0) {
        s.open(tcp::v4());
        s.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    }
    auto [ec] = co_await s.async_connect({asio::ip::make_address("127.0.0.1"), port}, use_tuple);
    if (ec)
        co_return s;
    std::string const req = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: warp0\r\n\r\n";
    auto [wec, wn] = co_await asio::async_write(s, asio::buffer(req), use_tuple);
    // Byte by byte up to the blank line: nothing of what follows is taken.
    std::string head;
    while (!wec && head.find("\r\n\r\n") == std::string::npos) {
        char c = 0;
        auto [rec, rn] = co_await asio::async_read(s, asio::buffer(&c, 1), use_tuple);
        if (rec)
            break;
        head += c;
    }
    if (head.rfind("HTTP/1.1 101", 0) != 0)
        s.close();
    co_return s;
}

/// Accepts one connection on `acc` and answers its upgrade.
inline asio::awaitable<tcp::socket> accept(tcp::acceptor& acc)
{
    auto [ec, s] = co_await acc.async_accept(use_tuple);
    if (ec)
        co_return std::move(s);
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
        char c = 0;
        auto [rec, rn] = co_await asio::async_read(s, asio::buffer(&c, 1), use_tuple);
        if (rec)
            co_return std::move(s);
        head += c;
    }
    std::string_view const field = "Sec-WebSocket-Key: ";
    auto at = head.find(field);
    std::string key;
    if (at != std::string::npos)
        key = head.substr(at + field.size(), head.find("\r\n", at) - at - field.size());
    std::string const res = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Protocol: warp0\r\n"
                            "Sec-WebSocket-Accept: " +
                            net::detail::ws_accept(key) + "\r\n\r\n";
    auto [wec, wn] = co_await asio::async_write(s, asio::buffer(res), use_tuple);
    (void)wec;
    co_return std::move(s);
}

/// Reads frames from `s` (masked: the peer is a client) and hands each to `f` until `f`
/// returns false or the connection ends; false when it ended first.
inline asio::awaitable<bool> read_frames(
    tcp::socket& s,
    bool masked,
    std::function<bool(net::detail::ws_event const&)> f)
{
    net::detail::ws_decoder d(1 << 24, masked);
    std::string buf;
    char chunk[65536];
    for (;;) {
        std::size_t off = 0;
        for (;;) {
            std::size_t used = 0;
            auto e = d.next(std::span<char>(buf).subspan(off), used);
            off += used;
            if (e.what == net::detail::ws_event::type::need_more)
                break;
            if (!f(e))
                co_return true;
            if (e.what == net::detail::ws_event::type::error)
                co_return false;
        }
        buf.erase(0, off);
        auto [ec, n] = co_await s.async_read_some(asio::buffer(chunk), use_tuple);
        if (ec)
            co_return false;
        buf.append(chunk, n);
    }
}

/// Reads until the peer's close frame: its code and reason (0 when the connection ended
/// without one).
inline asio::awaitable<std::pair<std::uint16_t, std::string>> close_frame(
    tcp::socket& s,
    bool masked)
{
    std::pair<std::uint16_t, std::string> out{0, {}};
    co_await read_frames(s, masked, [&](net::detail::ws_event const& e) {
        if (e.what != net::detail::ws_event::type::close)
            return true;
        out = {e.code, std::string(e.payload)};
        return false;
    });
    co_return out;
}

/// `count` ping frames of 125 bytes each, the i-th ending with its number; masked from a client.
inline std::string pings(std::size_t count, bool masked)
{
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        std::string payload = std::to_string(i);
        payload.insert(0, 125 - payload.size(), 'p');
        net::detail::append_ws_frame(
            out,
            net::detail::ws_opcode::ping,
            payload,
            masked ? std::optional<std::uint32_t>(0x01020304u) : std::nullopt);
    }
    return out;
}

/// Reads until the pong that answers the last of `count` pings(); the pongs read, or 0 when
/// the connection ended first.
inline asio::awaitable<std::size_t> pongs_until_the_last(
    tcp::socket& s,
    bool masked,
    std::size_t count)
{
    std::size_t pongs = 0;
    std::string last = std::to_string(count - 1);
    last.insert(0, 125 - last.size(), 'p');
    bool const saw_last = co_await read_frames(s, masked, [&](net::detail::ws_event const& e) {
        if (e.what != net::detail::ws_event::type::pong)
            return true;
        ++pongs;
        return e.payload != last;
    });
    co_return saw_last ? pongs : 0;
}

}  // namespace swim::test::raw_ws

#endif
