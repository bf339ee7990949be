// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// One WebSocket connection's protocol state, for either role, without I/O: frames in and
// out, the ping/pong rule, the close handshake, and the keepalive and idle deadlines as data.
// Both the client's host connection and the server's connections run on it. Private.

#ifndef SWIM_LIB_NET_WS_SESSION_HPP
#define SWIM_LIB_NET_WS_SESSION_HPP

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ws_frames.hpp"

namespace swim::net::detail {

enum class ws_role : std::uint8_t {
    client,
    server
};

struct ws_session_options {
    /// A message longer than this is refused with 1009.
    std::size_t max_message = 16 * 1024 * 1024;
    /// Silence after which the peer is pinged (half of it) and then given up (all of it):
    /// any byte read counts as life. 0: neither.
    std::uint64_t idle_timeout_ms = 0;
};

/** The protocol state of one WebSocket connection. The caller reads bytes into a buffer and
 * calls next() until it needs more; it writes what take_control() and append_text() (or
 * put_text()) append; it passes the time in (any monotonic milliseconds) and arms a timer
 * for deadline().
 *
 * * Pings are answered with a pong, but at most one pong waits: a later ping replaces it
 *   (RFC 6455 §5.5.3), so a peer that pings and never reads cannot make a queue grow.
 * * The peer's close frame is answered (its code echoed), after which nothing is sent.
 * * A protocol violation queues a close frame with its code (1002, 1007, 1009) and a reason
 *   that is valid UTF-8; nothing more is decoded.
 * * Once our close frame is taken and the peer's has come (or the peer broke the protocol),
 *   finished() is true: the caller shuts its side down and closes once the peer has.
 */
class ws_session {
public:
    static constexpr std::uint64_t never = std::numeric_limits<std::uint64_t>::max();

    ws_session(ws_role role, ws_session_options opts, std::uint64_t now_ms, std::uint64_t seed);

    // ---- input ----------------------------------------------------------------------------

    /** The next text or binary message in `in` (the bytes not yet consumed), or need_more.
     * Control frames are handled here and skipped. A close or an error event is returned
     * once, for the log, with its answer queued already; after it only need_more comes and
     * the caller discards what it reads. `used` is what to consume, as ws_decoder::next().
     */
    ws_event next(std::span<char> in, std::size_t& used);

    /// Bytes arrived at `now_ms`: the peer is alive.
    void on_input(std::uint64_t now_ms) noexcept
    {
        last_input_ = now_ms;
        pinged_ = false;
    }

    /// Nothing more is decoded (the peer closed, or broke the protocol).
    bool reading_done() const noexcept { return peer_closed_ || failed_; }

    // ---- output ---------------------------------------------------------------------------

    /// Data frames may be sent: no close frame is queued or sent.
    bool can_send() const noexcept { return !close_queued_; }

    /// Appends one text message, masked when this is the client. Only while can_send().
    void append_text(std::string& out, std::string_view payload);
    /// The bytes a text message of `n` bytes takes as a frame of this role.
    std::size_t text_frame_size(std::size_t n) const noexcept
    {
        return ws_frame_size(n, role_ == ws_role::client);
    }
    /// append_text() into room made already: writes the frame at `p` (text_frame_size()
    /// bytes) and returns its end. A batch of messages grows its buffer once.
    char* put_text(char* p, std::string_view payload) noexcept
    {
        return put_ws_frame(p, ws_opcode::text, payload, mask());
    }

    /// Control frames wait for take_control().
    bool has_control() const noexcept
    {
        return pong_pending_ || ping_pending_ || (close_queued_ && !close_taken_);
    }

    /// Appends the waiting control frames: the pong, a keepalive ping, then the close frame,
    /// which is the last frame of the connection.
    void take_control(std::string& out);

    /// Starts the close handshake with `code` and `reason` (made valid UTF-8 and cut to 123
    /// bytes); nothing more is sent after it. Ignored once a close is queued.
    void close(std::uint16_t code, std::string_view reason);

    /// Our close frame has been taken for writing.
    bool close_sent() const noexcept { return close_taken_; }

    /// Our close frame is taken and the peer's came (or the peer broke the protocol): the
    /// handshake is over; once the close frame is written, the connection ends.
    bool finished() const noexcept { return close_taken_ && (peer_closed_ || failed_); }

    // ---- time -----------------------------------------------------------------------------

    /// When on_timer() wants to run next (`never` without an idle timeout, or once closing).
    std::uint64_t deadline() const noexcept;

    enum class timer_result : std::uint8_t {
        /// Nothing due.
        none,
        /// A keepalive ping is queued: write the control frames.
        ping,
        /// Nothing came for the whole idle timeout, not even a pong: the connection is lost.
        lost,
    };
    timer_result on_timer(std::uint64_t now_ms);

    /// The memory the session holds beyond its own size (a fragmented message in progress).
    std::size_t buffered() const noexcept { return decoder_.buffered(); }

private:
    /// splitmix64: a fresh key per frame from 8 bytes of state, seeded by the caller.
    std::uint32_t next_mask() noexcept
    {
        std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return static_cast<std::uint32_t>(z ^ (z >> 31));
    }
    std::optional<std::uint32_t> mask() noexcept
    {
        if (role_ == ws_role::client)
            return next_mask();
        return std::nullopt;
    }

    ws_role role_;
    ws_session_options opts_;
    ws_decoder decoder_;
    std::uint64_t rng_;
    std::uint64_t last_input_;
    bool pinged_ = false;
    bool ping_pending_ = false;
    bool pong_pending_ = false;
    bool close_queued_ = false;
    bool close_taken_ = false;
    bool peer_closed_ = false;
    bool failed_ = false;
    /// The latest ping's payload, which the pong answers.
    std::string pong_;
    /// Our close frame, framed when queued.
    std::string close_frame_;
};

}  // namespace swim::net::detail

#endif
