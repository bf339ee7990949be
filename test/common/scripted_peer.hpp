// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_TEST_COMMON_SCRIPTED_PEER_HPP
#define SWIM_TEST_COMMON_SCRIPTED_PEER_HPP

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

/** @file
 * A scripted in-process WARP peer for loopback tests (Boost.Test): a WebSocket server on
 * 127.0.0.1 that sends exactly what the test tells it to and checks exactly what the client
 * under test writes.
 *
 * @code
 * BOOST_FIXTURE_TEST_CASE(sync_gets_linked, swim::test::peer_fixture)
 * {
 *     run([&]() -> boost::asio::awaitable<void> {
 *         // ... start the client under test on ioc against peer.url() ...
 *         co_await peer.accept();
 *         BOOST_TEST(peer.request().offered_warp0);
 *         co_await peer.expect_envelope("@sync(node:\"/a\",lane:b)");
 *         co_await peer.send("@linked(node:\"/a\",lane:b)");
 *         co_await peer.expect_silence(std::chrono::milliseconds(50));
 *         // ... stop the client; run() then stops the peer and checks that ioc drains ...
 *     });
 * }
 * @endcode
 *
 * Failures are reported at the caller's line (std::source_location): a mismatch in expect()
 * is a non-fatal error, as with BOOST_TEST; an operation that cannot go on (a timeout, a
 * closed connection, a binary frame where text was wanted) logs an error and then throws
 * boost::execution_aborted, which ends the test case without a second report. The primitive
 * operations (accept, reject, receive, receive_ping, receive_pong, send, send_binary, close)
 * have `try_` twins that report nothing and return a peer_error instead.
 * Cancelling an operation (e.g. the losing side of `||`) is never reported: it completes
 * with boost::system::system_error(operation_aborted).
 *
 * The client's frames are read all the time by one reader task per connection, so pings are
 * answered (by Beast) whether or not the test is waiting in receive(), as a real server does,
 * and a timeout never disturbs the WebSocket stream: expect_silence() can be followed by
 * receive(). Not calling accept() leaves a connecting client in the listen backlog with its
 * WebSocket handshake unanswered (a handshake-timeout scenario).
 *
 * Single-threaded use only: every member must be called on the io_context's one thread.
 */

namespace swim::test {

/// What went wrong in a `try_` operation; empty on success.
struct peer_error {
    /// asio::error::timed_out, not_connected (no connection, or the peer ended it), the
    /// transport error that ended the connection (eof, connection_reset, websocket closed),
    /// operation_aborted when the operation was cancelled, invalid_argument for misuse.
    boost::system::error_code code;
    /// A readable one-line explanation, naming the connection and the operation.
    std::string message;

    explicit operator bool() const noexcept { return code.failed(); }
};

/// A value or an error.
template <class T>
struct peer_result {
    T value{};
    peer_error error;
};

/// The kind of a frame received from the client.
enum class frame_kind : std::uint8_t {
    text,
    binary,
    /// The client's close frame; `payload` holds the reason. Once the client has closed,
    /// every later receive returns it again.
    close,
};

/// A frame received from the client.
struct received_frame {
    frame_kind kind = frame_kind::text;
    /// The message payload, or the close reason.
    std::string payload;
    /// The close code (1000 normal, 1001 going away, ...) of a close frame, else 0.
    std::uint16_t close_code = 0;
};

/// How drop() ends the TCP connection.
enum class drop_mode : std::uint8_t {
    /// close(2): a FIN, as when a server process is killed.
    fin,
    /// SO_LINGER 0 then close(2): a RST, as from a crashed host or a middlebox.
    reset,
};

/// The client's HTTP upgrade request, as recorded by accept() or reject().
struct handshake_request {
    /// The request target: "/" or a path and query.
    std::string target;
    /// The Host header.
    std::string host;
    /// The Sec-WebSocket-Protocol offers, as sent (all header lines joined by ", ").
    std::string subprotocols;
    /// Whether "warp0" is among the offered subprotocols.
    bool offered_warp0 = false;
    /// Whether the handshake response echoed "warp0".
    bool echoed_warp0 = false;
    /// Every header field, in order (name as sent, value).
    std::vector<std::pair<std::string, std::string>> headers;
};

/// Options of a scripted_peer; change them through scripted_peer::options() at any time.
struct peer_options {
    /// Answer `Sec-WebSocket-Protocol: warp0` when the client offers it. The Java SwimOS
    /// server never does, so clients must work both ways.
    bool echo_subprotocol = true;
    /// The limit of each operation (accept, receive, send, close, receive_ping ...),
    /// after which it fails instead of hanging.
    std::chrono::steady_clock::duration timeout = std::chrono::seconds(5);
};

/** A WebSocket server on 127.0.0.1 (ephemeral port) whose every move is scripted.
 *
 * Operations act on the current connection: the one accepted last, or the one chosen with
 * select(). Connections are numbered 0, 1, ... in the order they were accepted (a client
 * that reconnects after drop() is accepted again and gets the next index).
 */
class scripted_peer {
public:
    template <class T>
    using awaitable = boost::asio::awaitable<T>;
    using duration = std::chrono::steady_clock::duration;
    using location = std::source_location;

    /// Listens on 127.0.0.1 port 0 of `ioc`. Accepts nothing until accept() is called.
    explicit scripted_peer(boost::asio::io_context& ioc, peer_options opts = {});
    /// Calls stop().
    ~scripted_peer();
    scripted_peer(scripted_peer const&) = delete;
    scripted_peer& operator=(scripted_peer const&) = delete;

    /// The listening port.
    std::uint16_t port() const noexcept;
    /// "ws://127.0.0.1:<port>".
    std::string url() const;
    peer_options& options() noexcept;

    // ---- connections ----------------------------------------------------------------------

    /** Accepts the next TCP connection and its WebSocket handshake, records the request and
     * makes it the current connection. Echoes warp0 when offered and options().echo_subprotocol.
     * @returns the connection index
     */
    awaitable<std::size_t> accept(location loc = location::current());
    awaitable<peer_result<std::size_t>> try_accept();

    /// Accepts the next TCP connection, reads its upgrade request and answers it with an HTTP
    /// error `status` (e.g. 404, 503) instead of upgrading, then closes it.
    awaitable<std::size_t> reject(unsigned status, location loc = location::current());
    awaitable<peer_result<std::size_t>> try_reject(unsigned status);

    /// The number of connections accepted (or rejected) so far.
    std::size_t connections() const noexcept;
    /// The index of the current connection; connections() when there is none.
    std::size_t connection() const noexcept;
    /// Makes connection `index` (< connections()) the current one.
    void select(std::size_t index);
    /// The upgrade request of the current connection, or of connection `index`.
    handshake_request const& request() const;
    handshake_request const& request(std::size_t index) const;

    // ---- what the client sends -----------------------------------------------------------

    /// The next text frame. Fails on a binary frame, the client's close, the end of the
    /// connection or a timeout.
    awaitable<std::string> receive(location loc = location::current());
    /// The next frame of any kind, or an error when none comes (never reports).
    awaitable<peer_result<received_frame>> try_receive();
    /// As try_receive() with its own time limit.
    awaitable<peer_result<received_frame>> try_receive(duration timeout);

    /// Receives a text frame and checks that it equals `frame` (a non-fatal error with both
    /// frames and the first difference otherwise).
    awaitable<void> expect(std::string frame, location loc = location::current());
    /// Receives a text frame and checks that it is the same envelope as `frame` (both read
    /// with warp::parse_envelope, so spacing, quoting and header order do not matter).
    awaitable<void> expect_envelope(std::string frame, location loc = location::current());
    /// Checks that no frame comes and the connection stays up for `d` (pings do not count).
    awaitable<void> expect_silence(duration d, location loc = location::current());
    /// Waits for the client's close frame and checks its code (if nonzero).
    /// @returns the close reason
    awaitable<std::string> expect_close(std::uint16_t code = 0, location loc = location::current());
    /// Waits until the connection ends for any reason (close frame, EOF, reset), skipping
    /// frames that come before.
    awaitable<void> expect_disconnect(location loc = location::current());

    /// Waits for a ping from the client (recorded whenever it came since the last call) and
    /// returns its payload. Beast has already answered it with a pong.
    awaitable<std::string> receive_ping(location loc = location::current());
    awaitable<peer_result<std::string>> try_receive_ping();
    /// Waits for a pong from the client (an answer to send_ping()) and returns its payload.
    awaitable<std::string> receive_pong(location loc = location::current());
    awaitable<peer_result<std::string>> try_receive_pong();

    // ---- what the peer does --------------------------------------------------------------

    /// Sends one text frame.
    awaitable<void> send(std::string frame, location loc = location::current());
    awaitable<peer_error> try_send(std::string frame);
    /// Sends one binary frame.
    awaitable<void> send_binary(std::string bytes, location loc = location::current());
    awaitable<peer_error> try_send_binary(std::string bytes);
    /// Writes `bytes` to the TCP socket as they are, past the WebSocket layer: a hand-made
    /// (possibly invalid) frame.
    awaitable<void> send_raw(std::string bytes, location loc = location::current());
    /// Sends a ping.
    awaitable<void> send_ping(std::string payload = {}, location loc = location::current());
    /// Starts the WebSocket closing handshake with `code` and `reason`, and completes when the
    /// client has answered and the TCP connection is closed.
    awaitable<void> close(
        std::uint16_t code = 1000,
        std::string reason = {},
        location loc = location::current());
    awaitable<peer_error> try_close(std::uint16_t code = 1000, std::string reason = {});

    /// Closes the current connection's TCP socket without a close frame: a killed server.
    void drop(drop_mode mode = drop_mode::fin);
    /// A half-open (frozen) peer: stops reading the current connection, so the client's pings
    /// are no longer answered and its frames stay unread. The TCP connection stays up.
    /// Frames already received can still be received; sending and closing fail afterwards
    /// (Beast's stream is unusable once its read is cancelled): use drop() to end it.
    void stop_reading();

    /// Closes the listener and every connection (no close frame). Pending operations
    /// complete, and the io_context runs out of work once they have. Idempotent.
    void stop() noexcept;

private:
    struct impl;
    // Shared with every operation in flight, so that none outlives what it uses.
    std::shared_ptr<impl> impl_;
};

/** Runs a test body on `ioc`: co_spawns `body()`, runs the context until the body completes,
 * rethrows the body's exception, then checks that the context runs out of work (no leaked
 * coroutine, timer or socket). Fails the test if the body is still running after `limit`
 * (it is then cancelled) or the context has work left.
 */
void run_test(
    boost::asio::io_context& ioc,
    std::function<boost::asio::awaitable<void>()> body,
    std::chrono::steady_clock::duration limit = std::chrono::seconds(30),
    std::source_location loc = std::source_location::current());

/// An io_context and a peer on it. run() runs a test body, then stops the peer, then checks
/// that the context drains (the body must stop whatever else it started).
struct peer_fixture {
    boost::asio::io_context ioc;
    scripted_peer peer{ioc};

    void run(
        std::function<boost::asio::awaitable<void>()> body,
        std::chrono::steady_clock::duration limit = std::chrono::seconds(30),
        std::source_location loc = std::source_location::current());
};

}  // namespace swim::test

#endif
