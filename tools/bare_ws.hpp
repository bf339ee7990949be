// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The bare WebSocket client of the benchmark tools (swim-bench --raw, swim-store-bench): the
// bytes of an upgrade request and of a client text frame, so that what they measure is the
// server, not a client library.

#ifndef SWIM_TOOLS_BARE_WS_HPP
#define SWIM_TOOLS_BARE_WS_HPP

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

}  // namespace swim::tools

#endif
