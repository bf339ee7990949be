// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// WebSocket framing (RFC 6455 §5) without I/O: a decoder and an encoder for the frames of
// either role. Sans-io. Private to the client and the server.

#ifndef SWIM_LIB_NET_WS_FRAMES_HPP
#define SWIM_LIB_NET_WS_FRAMES_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace swim::net::detail {

/// WebSocket opcodes (RFC 6455 §5.2).
enum class ws_opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// Close codes used here (RFC 6455 §7.4.1).
namespace ws_close {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t no_status = 1005;
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t policy = 1008;
inline constexpr std::uint16_t too_big = 1009;
inline constexpr std::uint16_t try_again_later = 1013;
}  // namespace ws_close

/// The bytes of one whole frame of `payload` bytes, masked (a client's) or not.
constexpr std::size_t ws_frame_size(std::size_t payload, bool masked) noexcept
{
    std::size_t const len = payload < 126 ? 0 : payload <= 0xFFFF ? 2 : 8;
    return 2 + len + (masked ? 4 : 0) + payload;
}

/** Writes one whole frame (FIN set) at `p`, which has room for ws_frame_size() bytes, and
 * returns its end. `mask` is the client's masking key (RFC 6455 §5.3: a client masks every
 * frame, a server none); the payload is masked as it is copied.
 */
char* put_ws_frame(
    char* p,
    ws_opcode op,
    std::string_view payload,
    std::optional<std::uint32_t> mask) noexcept;

/// Appends one whole frame to `out` (put_ws_frame).
void append_ws_frame(
    std::string& out,
    ws_opcode op,
    std::string_view payload,
    std::optional<std::uint32_t> mask);

/// Appends a close frame with `code` and `reason`, made valid UTF-8 (escaped when it is not)
/// and cut to the 123 bytes a control frame has room for, on a character boundary.
void append_ws_close(
    std::string& out,
    std::uint16_t code,
    std::string_view reason,
    std::optional<std::uint32_t> mask);

/// What ws_decoder::next() found.
struct ws_event {
    enum class type : std::uint8_t {
        /// No whole frame yet: read more (`want` bytes in all after the `used` ones).
        need_more,
        /// A whole text message (reassembled when it came in fragments).
        text,
        /// A whole binary message.
        binary,
        ping,
        pong,
        /// The peer's close frame: `code` (1005 when it sent none) and the reason.
        close,
        /// The peer broke the protocol: `code` is the close code to answer with (1002, 1007
        /// for text that is not UTF-8, or 1009 for a message over the limit), `payload` says
        /// what was wrong.
        error,
    };
    type what = type::need_more;
    /// The message, the control frame's payload, the close reason or the error.
    std::string_view payload;
    std::uint16_t code = 0;
    /// need_more: the bytes the frame in progress needs in all, from its first byte.
    std::size_t want = 0;
};

/** Reads the frames the peer sends, one event at a time, from a buffer the caller fills. A
 * server's decoder (`masked`) requires every frame masked and unmasks it in place; a
 * client's refuses masked frames. Text and binary messages wholly in the buffer come out
 * as views into it (no copy); fragmented ones are reassembled here. A message longer than
 * `max_message` is an error (1009) as soon as its header says so, before its payload is
 * read; a text message that is not UTF-8 is an error (1007).
 *
 * After an error the decoder is spent: the caller closes the connection.
 */
class ws_decoder {
public:
    ws_decoder(std::size_t max_message, bool masked) noexcept
        : max_(max_message)
        , masked_(masked)
    {}

    /** Decodes the next event from `in`, the bytes not yet consumed; `used` is set to the
     * bytes taken in, which the caller consumes (for need_more, fragments of a message
     * already copied out; usually 0). A whole masked frame is unmasked in place. Views in
     * the event point into `in` or into the decoder, valid until the bytes are consumed or
     * next() is called again.
     */
    ws_event next(std::span<char> in, std::size_t& used);

    /// The memory the decoder holds for a fragmented message in progress.
    std::size_t buffered() const noexcept { return message_.capacity(); }

private:
    std::size_t max_;
    bool masked_;
    bool in_message_ = false;
    bool binary_ = false;
    /// The message being reassembled; after an error, what was wrong (the decoder is spent).
    std::string message_;
    /// message_ held a large message handed out: freed at the next call.
    bool release_ = false;
};

}  // namespace swim::net::detail

#endif
