// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include "ws_handshake.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>

#include "text.hpp"

namespace swim::net::detail {

namespace {

std::string base64(unsigned char const* data, std::size_t n)
{
    std::string out(4 * ((n + 2) / 3) + 1, '\0');
    int const written = EVP_EncodeBlock(
        reinterpret_cast<unsigned char*>(out.data()),
        data,
        static_cast<int>(n));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

char lower(char c) noexcept
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

bool base64_char(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

}  // namespace

std::string ws_key(std::array<unsigned char, 16> const& random)
{
    return base64(random.data(), random.size());
}

std::string ws_accept(std::string_view key)
{
    static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::string text(key);
    text += guid;
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<unsigned char const*>(text.data()), text.size(), digest);
    return base64(digest, sizeof digest);
}

bool has_token(std::string_view list, std::string_view token) noexcept
{
    std::size_t i = 0;
    while (i <= list.size()) {
        auto j = list.find(',', i);
        if (j == std::string_view::npos)
            j = list.size();
        auto t = list.substr(i, j - i);
        while (!t.empty() && (t.front() == ' ' || t.front() == '\t'))
            t.remove_prefix(1);
        while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
            t.remove_suffix(1);
        if (iequals(t, token))
            return true;
        i = j + 1;
    }
    return false;
}

ws_upgrade_answer check_upgrade_request(ws_upgrade_request const& req)
{
    ws_upgrade_answer a;
    if (req.method != "GET")
        a.why = "a WebSocket upgrade must be a GET";
    else if (req.version < 11)
        a.why = "a WebSocket upgrade needs HTTP/1.1";
    else if (!has_token(req.upgrade, "websocket"))
        a.why = "the request has no 'Upgrade: websocket'";
    else if (!has_token(req.connection, "upgrade"))
        a.why = "the request has no 'Connection: Upgrade'";
    else if (
        req.key.size() != 24 || req.key[22] != '=' || req.key[23] != '=' ||
        !std::all_of(req.key.begin(), req.key.begin() + 22, base64_char))
        a.why = "the Sec-WebSocket-Key is not the base64 of 16 bytes";
    else if (req.ws_version != "13") {
        a.status = 426;
        a.why = "only WebSocket version 13 is spoken";
    } else {
        a.status = 101;
        a.warp0 = has_token(req.protocols, warp_subprotocol);
    }
    return a;
}

std::string upgrade_response(ws_upgrade_answer const& answer, std::string_view key)
{
    std::string out;
    if (answer.status == 101) {
        out = "HTTP/1.1 101 Switching Protocols\r\n"
              "Upgrade: websocket\r\n"
              "Connection: Upgrade\r\n"
              "Server: swim-cpp\r\n"
              "Sec-WebSocket-Accept: ";
        out += ws_accept(key);
        out += "\r\n";
        if (answer.warp0) {
            out += "Sec-WebSocket-Protocol: ";
            out += warp_subprotocol;
            out += "\r\n";
        }
        out += "\r\n";
        return out;
    }
    std::string body = "swim-cpp WARP server: " + answer.why + "\n";
    out = answer.status == 426 ? "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"
                               : "HTTP/1.1 400 Bad Request\r\n";
    out += "Server: swim-cpp\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ";
    out += std::to_string(body.size());
    out += "\r\n\r\n";
    out += body;
    return out;
}

std::string check_upgrade_response(ws_upgrade_response const& res, std::string_view key)
{
    if (res.status != 101)
        return "the server answered HTTP " + std::to_string(res.status) + " " +
               escape_untrusted(res.reason, 200);
    if (!has_token(res.upgrade, "websocket"))
        return "the server's answer has no 'Upgrade: websocket'";
    if (!has_token(res.connection, "upgrade"))
        return "the server's answer has no 'Connection: upgrade'";
    if (res.accept != ws_accept(key))
        return "the server's Sec-WebSocket-Accept is wrong";
    return {};
}

}  // namespace swim::net::detail
