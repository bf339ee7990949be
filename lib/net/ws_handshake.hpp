// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// The WebSocket opening handshake (RFC 6455 §4) without I/O: the key and its accept value, the
// checks of an upgrade request and of its answer, and the answer a server writes. The HTTP
// messages themselves are read and written by the caller. Private.

#ifndef SWIM_LIB_NET_WS_HANDSHAKE_HPP
#define SWIM_LIB_NET_WS_HANDSHAKE_HPP

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace swim::net::detail {

/// The subprotocol of WARP.
inline constexpr std::string_view warp_subprotocol = "warp0";

/// A Sec-WebSocket-Key: the base64 of 16 random bytes the caller draws.
std::string ws_key(std::array<unsigned char, 16> const& random);

/// The Sec-WebSocket-Accept that answers `key`: base64(SHA-1(key + the RFC's GUID)).
std::string ws_accept(std::string_view key);

/// True when the comma separated `list` holds `token`, compared without case.
bool has_token(std::string_view list, std::string_view token) noexcept;

/// The header fields of an upgrade request that matter, as the caller's HTTP parser found them.
struct ws_upgrade_request {
    std::string_view method;
    /// 10 for HTTP/1.0, 11 for HTTP/1.1.
    unsigned version = 11;
    std::string_view upgrade;
    std::string_view connection;
    std::string_view key;
    std::string_view ws_version;
    std::string_view protocols;
};

/// What a server answers an upgrade request.
struct ws_upgrade_answer {
    /// 101 to accept; 400 or 426 (a version other than 13) to refuse.
    unsigned status = 400;
    /// Why it is refused, for the answer's body and the log.
    std::string why;
    /// The client offered warp0.
    bool warp0 = false;
};

/// Checks an upgrade request (RFC 6455 §4.2.1).
ws_upgrade_answer check_upgrade_request(ws_upgrade_request const& req);

/// The whole HTTP answer to a request check_upgrade_request() accepted or refused.
std::string upgrade_response(ws_upgrade_answer const& answer, std::string_view key);

/// The fields of a server's answer to our upgrade request.
struct ws_upgrade_response {
    unsigned status = 0;
    std::string_view reason;
    std::string_view upgrade;
    std::string_view connection;
    std::string_view accept;
};

/// Checks a server's answer to the request made with `key` (RFC 6455 §4.1); empty when it is
/// fine, otherwise what is wrong.
std::string check_upgrade_response(ws_upgrade_response const& res, std::string_view key);

}  // namespace swim::net::detail

#endif
