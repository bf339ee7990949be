// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// The one I/O loop of a WebSocket, for the client's host connections and the server's
// connections alike, over plain TCP or TLS: it reads into a buffer that shrinks when idle,
// runs a ws_session over what it reads, writes control frames and batches of data frames
// with one write each, and keeps the session's deadlines. Compiled once. Private.

#ifndef SWIM_LIB_NET_WS_TRANSPORT_HPP
#define SWIM_LIB_NET_WS_TRANSPORT_HPP

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "ws_session.hpp"

namespace swim::net::detail {

/// What a byte_stream calls when a read or a write completes.
class stream_user {
public:
    virtual void on_read(boost::system::error_code ec, std::size_t n) = 0;
    virtual void on_write(boost::system::error_code ec) = 0;

protected:
    ~stream_user() = default;
};

/** A connected byte stream, plain or TLS, behind one interface: one read and one write at
 * a time, each completing through its stream_user, which outlives them. No coroutine frame
 * lives while an operation waits: an idle connection costs its socket and a handler.
 */
class byte_stream {
public:
    virtual ~byte_stream() = default;
    /// Reads at least one byte (or fails) into [p, p + n).
    virtual void async_read_some(char* p, std::size_t n, stream_user& u) = 0;
    /// Writes all `n` bytes (or fails).
    virtual void async_write(char const* p, std::size_t n, stream_user& u) = 0;
    /// Sends no more (TCP FIN); reading goes on.
    virtual void shutdown_send() noexcept = 0;
    /// Closes the socket: pending reads and writes end.
    virtual void close() noexcept = 0;
};

std::unique_ptr<byte_stream> make_byte_stream(boost::asio::ip::tcp::socket socket);
std::unique_ptr<byte_stream> make_byte_stream(
    boost::asio::ssl::stream<boost::beast::tcp_stream> stream);

/// Milliseconds of the steady clock, the time ws_session is given.
std::uint64_t steady_ms() noexcept;

/// Why a connection ends, as the transport saw it.
enum class ws_end : std::uint8_t {
    /// The peer's close frame came (answered already).
    peer_closed,
    /// The peer broke the protocol; our close frame says how.
    protocol_error,
    /// The peer closed its side without a close frame.
    peer_gone,
    /// Nothing came within the idle timeout, not even a pong.
    lost,
    read_failed,
    write_failed,
};

/// The connection's side of a transport: what it does with messages, where its output
/// comes from. Called on the transport's executor.
class ws_handler {
public:
    /// A whole text message.
    virtual void on_text(std::string_view message) = 0;
    /// A binary message (WARP has none).
    virtual void on_binary(std::string_view message) = 0;
    /// Every message of one read has been handed over.
    virtual void on_read() {}
    /** Appends the data frames that wait, each with `session.append_text(out, frame)` (or,
     * for a batch, `out` grown once by their text_frame_size() and each put_text() in
     * place); false when none wait. What it takes is written next.
     */
    virtual bool take_output(ws_session& session, std::string& out) = 0;
    /// Whether frames taken from the handler's queue still wait for take_output() (a long
    /// queue is written in parts): a close after the output waits for them.
    virtual bool output_left() const noexcept { return false; }
    /// About how many bytes wait for take_output() (a writer that rests after a large write
    /// stops resting once ws_transport_options::rest_until wait).
    virtual std::size_t output_waiting() const noexcept { return 0; }
    /// The frames of the last take_output() were written, or failed to be (`ec`).
    virtual void on_written(boost::system::error_code ec) = 0;
    /// The connection ends, and why in words (text from the peer escaped), for the log.
    virtual void on_end(ws_end why, std::string_view what) = 0;
    /// The handler's own deadline (steady_ms), and what it does then.
    virtual std::uint64_t deadline() const noexcept { return ws_session::never; }
    virtual void on_deadline(std::uint64_t now_ms) { (void)now_ms; }
    /// The connection has ended: reading and writing are over, the socket is closed. The
    /// transport may be destroyed from here on (not within this call).
    virtual void on_finished() = 0;

protected:
    ~ws_handler() = default;
};

struct ws_transport_options {
    ws_session_options session;
    /// After our close frame is written, how long the peer has to close its side.
    std::chrono::milliseconds close_timeout{10000};
    /// The read buffer while idle, and its limit between messages (a larger message gets a
    /// buffer of its size, freed once it is handled).
    std::size_t small_buffer = 256;
    std::size_t large_buffer = 64 * 1024;
    /** A busy connection writes more with each write: after a write of at least rest_after
     * bytes (0: never), the writer lets the executor run rest_turns more turns (each a pass
     * over the handlers ready then) before it takes more output, unless rest_until bytes
     * wait already. Output of light traffic (smaller writes) goes at once; under load, the
     * frames of several turns go with one write (one send, one wake-up of the peer).
     */
    std::size_t rest_after = 0;
    unsigned rest_turns = 3;
    std::size_t rest_until = 16 * 1024;
};

/// The options both roles derive from their configs: the message limit, the idle timeout
/// (zero or less: none) and the close handshake's time limit.
ws_transport_options transport_options(
    std::size_t max_message,
    std::chrono::milliseconds idle_timeout,
    std::chrono::milliseconds close_timeout) noexcept;

/** Runs one WebSocket connection with callbacks, not coroutines: a read always pending, a
 * write when there is output, and one timer for the session's deadlines and the handler's,
 * which wake() cuts short. The handler's owner keeps the transport alive until
 * ws_handler::on_finished(). Everything runs on the executor given (a strand).
 */
class ws_transport final : private stream_user {
public:
    ws_transport(
        boost::asio::any_io_executor ex,
        std::unique_ptr<byte_stream> stream,
        ws_role role,
        ws_transport_options const& opts,
        std::uint64_t seed,
        ws_handler& handler);
    ~ws_transport();
    ws_transport(ws_transport const&) = delete;
    ws_transport& operator=(ws_transport const&) = delete;

    /// Starts the connection; `initial` holds bytes read with the upgrade. It ends with
    /// ws_handler::on_finished().
    void start(std::string_view initial);

    /// Output waits: the writer takes it.
    void wake();

    /** Closes with `code` and `reason`: after the output taken next when `after_output`
     * (the frames queued now go first), otherwise at once, and then what the peer sends
     * is no longer handed over.
     */
    void close(std::uint16_t code, std::string reason, bool after_output);

    /// Closes the socket now, without a close frame.
    void abort() noexcept;

    ws_session& session() noexcept { return session_; }
    /// The memory of the transport's buffers now (read buffer, write buffer, fragments).
    std::size_t buffered() const noexcept { return cap_ + out_.capacity() + session_.buffered(); }

private:
    void on_read(boost::system::error_code ec, std::size_t n) override;
    void on_write(boost::system::error_code ec) override;
    void read_more();
    void handle_input();
    /// The writer's one step: writes what waits (unless a write is pending) and arms the
    /// timer for the next deadline; ends the writer once aborted.
    void step();
    void write_more();
    /// After a large write: lets the executor run `turns` more handlers' turns before the
    /// writer takes again (fewer when enough waits, a close or a control frame is due).
    void rest(unsigned turns);
    /// A close is under way: the close timeout starts (once).
    void note_closing();
    void arm_timer();
    void on_timer(boost::system::error_code ec);
    /// Calls on_finished() once reading and writing have ended and the timer is idle.
    void finish_part();
    template <class F>
    void guarded(F&& f) noexcept;
    void failed(char const* what) noexcept;
    std::uint64_t deadline() const noexcept;
    void reserve_read(std::size_t want);
    void release_read() noexcept;

    std::unique_ptr<byte_stream> stream_;
    ws_session session_;
    ws_handler& handler_;
    std::chrono::milliseconds close_timeout_;
    std::size_t rest_after_;
    std::size_t rest_until_;
    unsigned rest_turns_;
    std::uint32_t small_;
    std::uint32_t large_;
    boost::asio::steady_timer timer_;
    /// The read buffer: bytes [begin_, end_) of cap_ wait to be decoded.
    std::unique_ptr<char[]> rbuf_;
    std::size_t cap_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    /// What the frame in progress needs in all (ws_event::want).
    std::size_t want_ = 0;
    std::string out_;
    /// The size of the last write.
    std::size_t last_write_ = 0;
    std::string close_reason_;
    /// From the moment a close is under way: when the peer's time to end the connection is
    /// up (unset before).
    std::chrono::steady_clock::time_point close_until_{};
    /// When the armed timer expires.
    std::chrono::steady_clock::time_point armed_at_{};
    std::uint16_t close_code_ = 0;
    /// close(): the close after the next take (after_output) or now.
    bool close_pending_ = false;
    bool close_after_output_ = false;
    bool aborted_ = false;
    /// Messages are handed to the handler (not after an immediate close()).
    bool deliver_ = true;
    /// The last read filled the buffer: read in large steps.
    bool grow_ = false;
    bool writing_ = false;
    /// The last write carried frames of the handler's (on_written() is due).
    bool took_ = false;
    bool timer_armed_ = false;
    bool shut_ = false;
    bool finished_ = false;
    bool reading_done_ = false;
    bool writing_done_ = false;
};

}  // namespace swim::net::detail

#endif
