// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Fuzzes the client's WebSocket frame decoder (lib/net/ws_frames.hpp, net::detail::ws_decoder)
// the way the client drives it: bytes arrive in chunks into a buffer, next() is called until
// it needs more, consumed bytes are erased. Checks that `used` and `want` are sane (no
// livelock: need_more always asks for more than is there), that views point into the buffer
// or the decoder, that a message never exceeds the limit, that nothing comes after an error,
// and that every message and control frame decoded survives append_ws_frame (unmasked) and a
// second decoder unchanged.
//
// Input: byte 0 picks the message limit, byte 1 the chunk size; the rest is the stream.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/ws_frames.hpp"

namespace ws = swim::net::detail;

namespace {

bool inside(std::string_view part, std::string_view whole) noexcept
{
    if (part.empty())
        return true;
    auto p = reinterpret_cast<std::uintptr_t>(part.data());
    auto w = reinterpret_cast<std::uintptr_t>(whole.data());
    return p >= w && p + part.size() <= w + whole.size();
}

/// Encodes one decoded event again and decodes it with a fresh decoder: the same event.
void check_round_trip(ws::ws_event const& e, std::size_t limit)
{
    ws::ws_opcode op = ws::ws_opcode::text;
    std::string payload(e.payload);
    switch (e.what) {
        case ws::ws_event::type::text: op = ws::ws_opcode::text; break;
        case ws::ws_event::type::binary: op = ws::ws_opcode::binary; break;
        case ws::ws_event::type::ping: op = ws::ws_opcode::ping; break;
        case ws::ws_event::type::pong: op = ws::ws_opcode::pong; break;
        case ws::ws_event::type::close:
            if (e.code == ws::ws_close::no_status)
                return;  // no code on the wire: nothing to re-encode with append_ws_close
            op = ws::ws_opcode::close;
            break;
        default: return;
    }
    std::string frame;
    if (op == ws::ws_opcode::close)
        ws::append_ws_close(frame, e.code, e.payload, std::nullopt);
    else
        ws::append_ws_frame(frame, op, payload, std::nullopt);
    ws::ws_decoder again(limit);
    std::size_t used = 0;
    ws::ws_event e2 = again.next(frame, used);
    if (e2.what != e.what || used != frame.size())
        __builtin_trap();  // the encoder wrote a frame the decoder reads otherwise
    if (e.what == ws::ws_event::type::close) {
        if (e2.code != e.code || e2.payload != e.payload.substr(0, 123))
            __builtin_trap();
    } else if (e2.payload != payload) {
        __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    if (size < 2)
        return 0;
    static constexpr std::size_t limits[] = {0, 1, 16, 125, 126, 200, 65535, 65536, 1 << 20};
    std::size_t const limit = limits[data[0] % (sizeof limits / sizeof limits[0])];
    std::size_t const chunk = (data[1] & 0x3F) + 1;
    std::string_view stream(reinterpret_cast<char const*>(data) + 2, size - 2);

    ws::ws_decoder dec(limit);
    std::string buf;
    std::size_t fed = 0;
    bool spent = false;
    while (!spent) {
        if (fed < stream.size()) {
            std::size_t n = std::min(chunk, stream.size() - fed);
            buf.append(stream.substr(fed, n));
            fed += n;
        }
        // Decode everything the buffer holds.
        for (int guard = 0;; ++guard) {
            if (guard > 100000)
                __builtin_trap();  // next() keeps returning without consuming
            std::size_t used = 12345;
            ws::ws_event e = dec.next(buf, used);
            if (used > buf.size())
                __builtin_trap();
            if (e.what == ws::ws_event::type::need_more) {
                if (e.want <= buf.size() - used)
                    __builtin_trap();  // asks for what it already has: the caller would spin
                buf.erase(0, used);
                break;
            }
            if (e.what == ws::ws_event::type::error) {
                if (e.code != ws::ws_close::protocol_error && e.code != ws::ws_close::too_big)
                    __builtin_trap();
                if (e.payload.empty())
                    __builtin_trap();
                spent = true;
                break;
            }
            if (used == 0)
                __builtin_trap();  // an event that consumed nothing
            // Touch every byte, so ASan sees a dangling view.
            std::string copy(e.payload);
            bool const in_buf = inside(e.payload, std::string_view(buf).substr(0, used));
            if (e.what == ws::ws_event::type::text || e.what == ws::ws_event::type::binary) {
                if (e.payload.size() > limit)
                    __builtin_trap();
            } else if (!in_buf || e.payload.size() > 125) {
                __builtin_trap();  // a control frame is at most 125 bytes, always in place
            }
            check_round_trip(e, limit);
            buf.erase(0, used);
        }
        if (fed >= stream.size() && !spent) {
            // Everything fed: one more call must ask for more (or find an error).
            std::size_t used = 0;
            ws::ws_event e = dec.next(buf, used);
            if (e.what != ws::ws_event::type::need_more && e.what != ws::ws_event::type::error)
                __builtin_trap();
            break;
        }
    }
    return 0;
}
