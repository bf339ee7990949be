// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The bare WebSocket client of the benchmark tools (swim-bench --raw, swim-store-bench): the
// bytes of an upgrade request and of a client text frame, so that what they measure is the
// server, not a client library.

#ifndef SWIM_TOOLS_BARE_WS_HPP
#define SWIM_TOOLS_BARE_WS_HPP

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace swim::tools {

/// The HTTP upgrade request to `host` ("host:port"), offering warp0.
inline std::string upgrade_request(std::string_view host)
{
    return "GET / HTTP/1.1\r\nHost: " + std::string(host) +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: warp0\r\n\r\n";
}

/// Appends a client frame: text, FIN, masked with the key 0 (the payload is then unchanged);
/// payloads under 64 KiB.
inline void append_client_frame(std::string& out, std::string_view payload)
{
    out += char(0x81);
    if (payload.size() < 126) {
        out += char(0x80 | payload.size());
    } else {
        out += char(0x80 | 126);
        out += char(payload.size() >> 8);
        out += char(payload.size() & 0xff);
    }
    out.append(4, '\0');
    out.append(payload);
}

/// One frame from the server, split off the front of what was read.
struct server_frame {
    unsigned opcode = 0;
    std::string_view payload;
    /// Bytes the frame takes (header and payload).
    std::size_t size = 0;
};

/** The first whole frame of `buf` (the server never masks: a mask is skipped, not applied).
 * @returns false when `buf` holds no whole frame yet; then `need` is the bytes it takes (0:
 * its header is not whole yet), so that a buffer can grow for a large one.
 */
inline bool next_server_frame(std::string_view buf, server_frame& f, std::size_t& need)
{
    need = 0;
    if (buf.size() < 2)
        return false;
    auto const* p = reinterpret_cast<unsigned char const*>(buf.data());
    std::size_t h = 2;
    std::uint64_t len = p[1] & 0x7f;
    if (len == 126) {
        if (buf.size() < 4)
            return false;
        len = (std::uint64_t(p[2]) << 8) | p[3];
        h = 4;
    } else if (len == 127) {
        if (buf.size() < 10)
            return false;
        len = 0;
        for (int i = 0; i < 8; ++i)
            len = (len << 8) | p[2 + i];
        h = 10;
    }
    if (p[1] & 0x80)
        h += 4;
    if (buf.size() < h || buf.size() - h < len) {
        need = h + std::size_t(len);
        return false;
    }
    f.opcode = p[0] & 0x0f;
    f.payload = buf.substr(h, std::size_t(len));
    f.size = h + std::size_t(len);
    return true;
}

/// The integer after the header of an `@event` frame (`@event(...) 42`), 0 when there is
/// none.
inline std::int64_t event_number(std::string_view payload)
{
    std::int64_t v = 0;
    auto close = payload.rfind(')');
    if (close == std::string_view::npos)
        return v;
    auto b = payload.data() + close + 1, e = payload.data() + payload.size();
    while (b != e && *b == ' ')
        ++b;
    std::from_chars(b, e, v);
    return v;
}

}  // namespace swim::tools

#endif
