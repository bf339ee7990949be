// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include "ws_frames.hpp"

#include <algorithm>
#include <cstring>

#include "text.hpp"

namespace swim::net::detail {

namespace {

std::uint64_t read_be(char const* p, int n) noexcept
{
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

/// Unmasks `n` bytes at `p` with `key`, eight bytes a step.
void apply_mask(char* p, std::size_t n, unsigned char const key[4]) noexcept
{
    std::uint64_t key8;
    unsigned char k8[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
    std::memcpy(&key8, k8, 8);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        w ^= key8;
        std::memcpy(p + i, &w, 8);
    }
    for (; i < n; ++i)
        p[i] = static_cast<char>(static_cast<unsigned char>(p[i]) ^ key[i & 3]);
}

/// A close code a peer may send (RFC 6455 §7.4): 1000-1003, 1007-1014, 3000-4999.
bool valid_close_code(std::uint16_t code) noexcept
{
    if (code >= 3000 && code <= 4999)
        return true;
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

ws_event fail(std::string& why, std::uint16_t code, std::string text)
{
    why = std::move(text);
    ws_event e;
    e.what = ws_event::type::error;
    e.code = code;
    e.payload = why;
    return e;
}

}  // namespace

char* put_ws_frame(
    char* p,
    ws_opcode op,
    std::string_view payload,
    std::optional<std::uint32_t> mask) noexcept
{
    *p++ = static_cast<char>(0x80 | static_cast<unsigned>(op));
    unsigned char const mask_bit = mask ? 0x80 : 0x00;
    std::uint64_t const n = payload.size();
    if (n < 126) {
        *p++ = static_cast<char>(mask_bit | n);
    } else if (n <= 0xFFFF) {
        *p++ = static_cast<char>(mask_bit | 126);
        *p++ = static_cast<char>(n >> 8);
        *p++ = static_cast<char>(n);
    } else {
        *p++ = static_cast<char>(mask_bit | 127);
        for (int i = 7; i >= 0; --i)
            *p++ = static_cast<char>(n >> (8 * i));
    }
    unsigned char key[4] = {0, 0, 0, 0};
    if (mask) {
        std::memcpy(key, &*mask, 4);
        std::memcpy(p, key, 4);
        p += 4;
    }
    if (n != 0)
        std::memcpy(p, payload.data(), n);
    if (mask)
        apply_mask(p, n, key);
    return p + n;
}

void append_ws_frame(
    std::string& out,
    ws_opcode op,
    std::string_view payload,
    std::optional<std::uint32_t> mask)
{
    std::size_t const at = out.size();
    out.resize(at + ws_frame_size(payload.size(), mask.has_value()));
    put_ws_frame(out.data() + at, op, payload, mask);
}

void append_ws_close(
    std::string& out,
    std::uint16_t code,
    std::string_view reason,
    std::optional<std::uint32_t> mask)
{
    // A control frame carries at most 125 bytes: the code and 123 of the reason, which must
    // be UTF-8 (RFC 6455 §5.5.1).
    std::string escaped;
    if (!valid_utf8(reason)) {
        escaped = escape_untrusted(reason, 123);
        reason = escaped;
    }
    reason = utf8_prefix(reason, 123);
    char payload[125];
    payload[0] = static_cast<char>(code >> 8);
    payload[1] = static_cast<char>(code);
    std::size_t const n = reason.size();
    if (n > 0)  // an empty view may hold a null pointer, which memcpy must not get
        std::memcpy(payload + 2, reason.data(), n);
    append_ws_frame(out, ws_opcode::close, std::string_view(payload, n + 2), mask);
}

ws_event ws_decoder::next(std::span<char> in, std::size_t& used)
{
    used = 0;
    if (release_) {
        // The large message handed out by the last call: its buffer goes now.
        std::string().swap(message_);
        release_ = false;
    }
    for (;;) {
        std::span<char> const rest = in.subspan(used);
        ws_event e;
        if (rest.size() < 2) {
            e.want = 2;
            return e;
        }
        auto const b0 = static_cast<unsigned char>(rest[0]);
        auto const b1 = static_cast<unsigned char>(rest[1]);
        bool const fin = (b0 & 0x80) != 0;
        unsigned const op = b0 & 0x0F;
        if ((b0 & 0x70) != 0)
            return fail(message_, ws_close::protocol_error, "a frame with reserved bits set");
        bool const masked = (b1 & 0x80) != 0;
        if (masked != masked_)
            return fail(
                message_,
                ws_close::protocol_error,
                masked ? "a masked frame from the server" : "an unmasked frame from the client");
        std::size_t h = 2;
        std::uint64_t len = b1 & 0x7F;
        if (len == 126) {
            if (rest.size() < 4) {
                e.want = 4;
                return e;
            }
            len = read_be(rest.data() + 2, 2);
            h = 4;
        } else if (len == 127) {
            if (rest.size() < 10) {
                e.want = 10;
                return e;
            }
            len = read_be(rest.data() + 2, 8);
            h = 10;
            if (len >> 63)
                return fail(message_, ws_close::protocol_error, "a frame length over 2^63");
        }
        unsigned char key[4] = {0, 0, 0, 0};
        if (masked) {
            if (rest.size() < h + 4) {
                e.want = h + 4;
                return e;
            }
            std::memcpy(key, rest.data() + h, 4);
            h += 4;
        }
        bool const control = (op & 0x8) != 0;
        if (control) {
            if (op != 0x8 && op != 0x9 && op != 0xA)
                return fail(
                    message_,
                    ws_close::protocol_error,
                    "an unknown control opcode " + std::to_string(op));
            if (!fin)
                return fail(message_, ws_close::protocol_error, "a fragmented control frame");
            if (len > 125)
                return fail(message_, ws_close::protocol_error, "a control frame over 125 bytes");
        } else {
            if (op > 0x2)
                return fail(
                    message_,
                    ws_close::protocol_error,
                    "an unknown data opcode " + std::to_string(op));
            if (op == 0 && !in_message_)
                return fail(
                    message_,
                    ws_close::protocol_error,
                    "a continuation frame out of place");
            if (op != 0 && in_message_)
                return fail(
                    message_,
                    ws_close::protocol_error,
                    "a new message inside a fragmented one");
            std::uint64_t const total = (op == 0 ? message_.size() : 0) + len;
            if (total > max_)
                return fail(
                    message_,
                    ws_close::too_big,
                    "a message of at least " + std::to_string(total) + " bytes (the limit is " +
                        std::to_string(max_) + ")");
        }
        if (rest.size() - h < len) {
            e.want = h + static_cast<std::size_t>(len);
            return e;
        }
        if (masked)
            apply_mask(rest.data() + h, static_cast<std::size_t>(len), key);
        std::string_view payload(rest.data() + h, static_cast<std::size_t>(len));
        std::size_t const frame_size = h + static_cast<std::size_t>(len);
        if (control) {
            used += frame_size;
            e.payload = payload;
            if (op == 0x9) {
                e.what = ws_event::type::ping;
            } else if (op == 0xA) {
                e.what = ws_event::type::pong;
            } else {
                if (payload.size() == 1)
                    return fail(message_, ws_close::protocol_error, "a close frame of one byte");
                e.what = ws_event::type::close;
                e.code = ws_close::no_status;
                if (payload.size() >= 2) {
                    e.code = static_cast<std::uint16_t>(read_be(payload.data(), 2));
                    e.payload = payload.substr(2);
                    if (!valid_close_code(e.code))
                        return fail(
                            message_,
                            ws_close::protocol_error,
                            "a close frame with the code " + std::to_string(e.code) +
                                ", which may not be sent");
                    if (!valid_utf8(e.payload))
                        return fail(
                            message_,
                            ws_close::invalid_payload,
                            "a close reason that is not UTF-8");
                }
            }
            return e;
        }
        if (op != 0 && fin) {
            // The common case: a whole message in one frame, handed out in place.
            if (op == 0x1 && !valid_utf8(payload))
                return fail(
                    message_,
                    ws_close::invalid_payload,
                    "a text message that is not UTF-8");
            used += frame_size;
            e.what = op == 0x1 ? ws_event::type::text : ws_event::type::binary;
            e.payload = payload;
            return e;
        }
        if (op != 0) {
            in_message_ = true;
            binary_ = op == 0x2;
            message_.assign(payload);
        } else {
            message_.append(payload);
        }
        used += frame_size;
        if (!fin) {
            // A fragment is copied out and consumed; need_more from here on still reports
            // it in `used`, so it is never fed twice.
            continue;
        }
        in_message_ = false;
        if (!binary_ && !valid_utf8(message_))
            return fail(message_, ws_close::invalid_payload, "a text message that is not UTF-8");
        e.what = binary_ ? ws_event::type::binary : ws_event::type::text;
        e.payload = message_;
        // A large reassembled message does not keep its buffer past the next call.
        release_ = message_.capacity() > 64 * 1024;
        return e;
    }
}

}  // namespace swim::net::detail
