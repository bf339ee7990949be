// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Fuzzes the WebSocket session of both roles (lib/net/ws_session.hpp) the way the transport
// drives it: bytes arrive in chunks into a buffer, next() is called until it needs more,
// consumed bytes are erased, and now and then the control frames are taken, as a writer
// would. Checks:
// * `used` within the input; need_more asks for more than is there (no spin);
// * messages within the limit, text always UTF-8; nothing but need_more after a close or an
//   error, and an error is 1002, 1007 or 1009 with a reason;
// * what the session writes is what its peer reads: control frames decoded by the other
//   role's decoder, at most one pong and one ping per take, the close frame last with a
//   reason that is UTF-8 and at most 123 bytes, nothing after it;
// * every message decoded survives the peer's encoder and a fresh session unchanged.
//
// Input: byte 0 picks the role (high bit: server) and the message limit, byte 1 the chunk
// size (low 6 bits) and how often control frames are taken (high 2 bits); the rest is the
// stream from the peer.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/text.hpp"
#include "net/ws_session.hpp"

namespace ws = swim::net::detail;

namespace {

using type = ws::ws_event::type;

/// Decodes what `s` wrote as its peer would; traps on anything a correct session never writes.
void check_output(std::string out, ws::ws_role role, bool& closed)
{
    ws::ws_decoder peer(1 << 20, role == ws::ws_role::client);
    std::size_t off = 0;
    int pongs = 0;
    int pings = 0;
    for (;;) {
        std::size_t used = 0;
        ws::ws_event e = peer.next(std::span<char>(out).subspan(off), used);
        off += used;
        if (e.what == type::need_more) {
            if (off != out.size())
                __builtin_trap();  // a partial frame written
            return;
        }
        if (closed)
            __builtin_trap();  // a frame after the close frame
        switch (e.what) {
            case type::pong: ++pongs; break;
            case type::ping: ++pings; break;
            case type::close:
                if (e.payload.size() > 123 || !ws::valid_utf8(e.payload))
                    __builtin_trap();
                closed = true;
                break;
            default: __builtin_trap();  // only control frames come from take_control
        }
        if (pongs > 1 || pings > 1)
            __builtin_trap();
    }
}

/// A message re-encoded by the peer's side and read by a fresh session is the same message.
void check_round_trip(ws::ws_event const& e, ws::ws_role role, std::size_t limit)
{
    ws::ws_role const peer_role = role == ws::ws_role::client ? ws::ws_role::server
                                                              : ws::ws_role::client;
    ws::ws_session peer(peer_role, {limit, 0}, 0, 99);
    std::string frame;
    if (e.what == type::text)
        peer.append_text(frame, e.payload);
    else
        ws::append_ws_frame(
            frame,
            ws::ws_opcode::binary,
            e.payload,
            peer_role == ws::ws_role::client ? std::optional<std::uint32_t>(0x5A5A5A5Au)
                                             : std::nullopt);
    ws::ws_session again(role, {limit, 0}, 0, 1);
    std::size_t used = 0;
    ws::ws_event e2 = again.next(frame, used);
    if (e2.what != e.what || used != frame.size() || e2.payload != e.payload)
        __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    if (size < 2)
        return 0;
    static constexpr std::size_t limits[] = {0, 1, 16, 125, 126, 200, 65535, 65536, 1 << 20};
    ws::ws_role const role = (data[0] & 0x80) ? ws::ws_role::server : ws::ws_role::client;
    std::size_t const limit = limits[(data[0] & 0x7F) % (sizeof limits / sizeof limits[0])];
    std::size_t const chunk = (data[1] & 0x3F) + 1;
    unsigned const take_every = (data[1] >> 6) + 1;
    std::string_view stream(reinterpret_cast<char const*>(data) + 2, size - 2);

    ws::ws_session s(role, {limit, 0}, 0, 42);
    std::string buf;
    std::size_t fed = 0;
    bool ended = false;  // a close or an error was returned
    bool close_written = false;
    unsigned reads = 0;
    for (;;) {
        if (fed < stream.size()) {
            std::size_t n = std::min(chunk, stream.size() - fed);
            buf.append(stream.substr(fed, n));
            fed += n;
        }
        for (int guard = 0;; ++guard) {
            if (guard > 100000)
                __builtin_trap();  // next() keeps returning without consuming
            std::size_t used = 12345;
            ws::ws_event e = s.next(buf, used);
            if (used > buf.size())
                __builtin_trap();
            if (e.what == type::need_more) {
                if (e.want <= buf.size() - used)
                    __builtin_trap();  // asks for what it already has: the caller would spin
                buf.erase(0, used);
                break;
            }
            if (ended)
                __builtin_trap();         // something decoded after the close or the error
            std::string copy(e.payload);  // touch every byte: ASan sees a dangling view
            if (e.what == type::error) {
                if (e.code != ws::ws_close::protocol_error && e.code != ws::ws_close::too_big &&
                    e.code != ws::ws_close::invalid_payload)
                    __builtin_trap();
                if (e.payload.empty() || s.can_send() || !s.reading_done())
                    __builtin_trap();
                ended = true;
            } else if (e.what == type::close) {
                if (s.can_send() || !s.reading_done())
                    __builtin_trap();
                ended = true;
            } else if (e.what == type::text || e.what == type::binary) {
                if (e.payload.size() > limit)
                    __builtin_trap();
                if (e.what == type::text && !ws::valid_utf8(e.payload))
                    __builtin_trap();
                check_round_trip(e, role, limit);
            } else {
                __builtin_trap();  // control frames stay inside the session
            }
            buf.erase(0, used);
        }
        if (++reads % take_every == 0 && s.has_control()) {
            std::string out;
            s.take_control(out);
            check_output(out, role, close_written);
        }
        if (fed >= stream.size())
            break;
    }
    // A writer takes the rest, and the session ends consistently.
    std::string out;
    s.take_control(out);
    check_output(out, role, close_written);
    if (s.has_control())
        __builtin_trap();
    if (ended && !s.finished())
        __builtin_trap();  // the peer closed or broke the protocol, and our close went out
    return 0;
}
