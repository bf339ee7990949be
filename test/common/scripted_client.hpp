// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_TEST_COMMON_SCRIPTED_CLIENT_HPP
#define SWIM_TEST_COMMON_SCRIPTED_CLIENT_HPP

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

#include "common/scripted_peer.hpp"

/** @file
 * A scripted WebSocket client for the server's loopback tests (Boost.Test): it connects to
 * 127.0.0.1:<port>, sends exactly the frames the test tells it to and checks exactly what
 * the server answers. The client-side twin of scripted_peer, with the same conventions.
 *
 * @code
 * BOOST_AUTO_TEST_CASE(sync_a_value_lane)
 * {
 *     boost::asio::io_context ioc;
 *     swim::test::run_test(ioc, [&]() -> boost::asio::awaitable<void> {
 *         // ... start the server under test on ioc, port 0 ...
 *         swim::test::scripted_client c(ioc);
 *         co_await c.connect(port);
 *         BOOST_TEST(c.response().echoed_warp0);
 *         co_await c.send(R"(@sync(node:"/unit/1",lane:value))");
 *         co_await c.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
 *         co_await c.expect_envelope(R"(@event(node:"/unit/1",lane:value) 0)");
 *         co_await c.expect_envelope(R"(@synced(node:"/unit/1",lane:value))");
 *         co_await c.close();
 *         // ... stop the server; run_test then checks that ioc drains ...
 *     });
 * }
 * @endcode
 *
 * Failures are reported at the caller's line (std::source_location): a mismatch in expect()
 * is a non-fatal error, as with BOOST_TEST; an operation that cannot go on (a timeout, a
 * closed connection, a binary frame where text was wanted) logs an error and then throws
 * boost::execution_aborted. The primitive operations have `try_` twins that report nothing
 * and return a peer_error instead. Cancelling an operation is never reported: it completes
 * with boost::system::system_error(operation_aborted).
 *
 * The server's frames are read all the time by one reader task (so pings are answered and a
 * timeout never disturbs the WebSocket stream), except while pause_reading() holds it: then
 * nothing more is read from the socket, and the server's writes back up in TCP (a slow
 * client).
 *
 * Single-threaded use only: every member must be called on the io_context's one thread.
 */

namespace swim::test {

/// Options of a scripted_client.
struct client_options {
    /// The Sec-WebSocket-Protocol offers of the handshake ("warp0"); none when empty.
    std::vector<std::string> subprotocols = {"warp0"};
    /// The request target of the handshake.
    std::string target = "/";
    /// The limit of each operation (connect, receive, send, close...).
    std::chrono::steady_clock::duration timeout = std::chrono::seconds(5);
    /// SO_RCVBUF of the socket, set before connecting (small: a slow client backs up sooner);
    /// 0 leaves the system default.
    int receive_buffer = 0;
};

/// The server's answer to the WebSocket handshake, as recorded by connect().
struct handshake_response {
    /// The HTTP status (101 when upgraded).
    unsigned status = 0;
    /// The Sec-WebSocket-Protocol of the response; nullopt when there is none.
    std::optional<std::string> subprotocol;
    /// Whether the response selected "warp0".
    bool echoed_warp0 = false;
    /// Every header field, in order (name as sent, value).
    std::vector<std::pair<std::string, std::string>> headers;
    /// The body of a response that is not an upgrade.
    std::string body;
};

/// A plain HTTP request (http()).
struct http_call {
    std::string method = "GET";
    std::string target = "/";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

/// A plain HTTP response (http_get(), http()).
struct http_response {
    unsigned status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    /// The first header named `name` (any case), or empty.
    std::string header(std::string_view name) const;
};

/** A WebSocket client on 127.0.0.1 whose every move is scripted. One connection: connect()
 * once. The frames of the server are received in order.
 */
class scripted_client {
public:
    template <class T>
    using awaitable = boost::asio::awaitable<T>;
    using duration = std::chrono::steady_clock::duration;
    using location = std::source_location;

    explicit scripted_client(boost::asio::io_context& ioc, client_options opts = {});
    /// Calls stop().
    ~scripted_client();
    scripted_client(scripted_client const&) = delete;
    scripted_client& operator=(scripted_client const&) = delete;

    client_options& options() noexcept;
    /// A name for messages ("client 1"); by default "client <n>" in the order of creation.
    void name(std::string n);
    std::string const& name() const noexcept;

    // ---- the connection --------------------------------------------------------------------

    /// Connects to 127.0.0.1:`port`, does the WebSocket handshake with the options'
    /// subprotocol offers and starts reading. Fails when the server does not upgrade.
    awaitable<void> connect(std::uint16_t port, location loc = location::current());
    /// As connect(); an upgrade refused is an error whose response() tells the status.
    awaitable<peer_error> try_connect(std::uint16_t port);
    /// The server's handshake response (after connect()).
    handshake_response const& response() const noexcept;
    /// Whether the connection is up (connected, not yet closed by either side).
    bool connected() const noexcept;

    // ---- what the server sends -----------------------------------------------------------

    /// The next text frame. Fails on a binary frame, the server's close, the end of the
    /// connection or a timeout.
    awaitable<std::string> receive(location loc = location::current());
    /// The next frame of any kind (the server's close frame is the last one and stays).
    awaitable<peer_result<received_frame>> try_receive();
    awaitable<peer_result<received_frame>> try_receive(duration timeout);

    /// Receives a text frame and checks that it equals `frame`.
    awaitable<void> expect(std::string frame, location loc = location::current());
    /// Receives a text frame and checks that it is the same envelope as `frame` (both read
    /// with warp::parse_envelope, so spacing, quoting and header order do not matter).
    awaitable<void> expect_envelope(std::string frame, location loc = location::current());
    /// Checks that no frame comes and the connection stays up for `d`.
    awaitable<void> expect_silence(duration d, location loc = location::current());
    /// Waits for the server's close frame (skipping nothing: it must be the next frame) and
    /// checks its code (if nonzero). @returns the close reason
    awaitable<std::string> expect_close(std::uint16_t code = 0, location loc = location::current());
    /// Waits until the connection ends for any reason, skipping frames that come before.
    awaitable<void> expect_disconnect(location loc = location::current());

    /// Frames received and not yet taken by receive() (whatever the reader has read).
    std::size_t pending() const noexcept;
    /// Frames read from the socket so far (text and binary), taken or not.
    std::size_t frames_read() const noexcept;

    /// A slow client: the reader stops reading the socket after the frame it is reading now
    /// (if any), until resume_reading(). Pings go unanswered meanwhile.
    void pause_reading();
    void resume_reading();

    // ---- what the client does ------------------------------------------------------------

    /// Sends one text frame.
    awaitable<void> send(std::string frame, location loc = location::current());
    awaitable<peer_error> try_send(std::string frame);
    /// Sends one binary frame.
    awaitable<void> send_binary(std::string bytes, location loc = location::current());
    awaitable<peer_error> try_send_binary(std::string bytes);
    /// Starts the closing handshake with `code` and `reason`, and completes when the server
    /// has answered and the TCP connection is closed.
    awaitable<void> close(
        std::uint16_t code = 1000,
        std::string reason = {},
        location loc = location::current());
    awaitable<peer_error> try_close(std::uint16_t code = 1000, std::string reason = {});

    /// Closes the TCP socket without a close frame. Pending operations complete, and the
    /// io_context runs out of the client's work once they have. Idempotent.
    void stop() noexcept;

    // ---- plain HTTP ----------------------------------------------------------------------

    /// Sends `GET target` (no upgrade) to 127.0.0.1:`port` on a connection of its own and
    /// returns the response (status 0 and the error when none came).
    static awaitable<peer_result<http_response>> http_get(
        boost::asio::io_context& ioc,
        std::uint16_t port,
        std::string target = "/",
        duration timeout = std::chrono::seconds(5));
    /// One HTTP request on a connection of its own (a HEAD's response is read without a
    /// body).
    static awaitable<peer_result<http_response>> http(
        boost::asio::io_context& ioc,
        std::uint16_t port,
        http_call call,
        duration timeout = std::chrono::seconds(5));

private:
    struct impl;
    // Shared with every operation in flight, so that none outlives what it uses.
    std::shared_ptr<impl> impl_;
};

}  // namespace swim::test

#endif
