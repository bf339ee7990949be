// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include "text.hpp"

#include <cstdint>
#include <cstring>

namespace swim::net::detail {

namespace {

/// The length of the well-formed UTF-8 sequence at `s[i]` (1 to 4), or 0 when there is none.
std::size_t sequence_at(std::string_view s, std::size_t i) noexcept
{
    auto const b = [&](std::size_t k) {
        return static_cast<unsigned char>(s[i + k]);
    };
    unsigned char const c = b(0);
    std::size_t const left = s.size() - i;
    if (c < 0x80)
        return 1;
    auto const cont = [&](std::size_t k) {
        return (b(k) & 0xC0) == 0x80;
    };
    if (c >= 0xC2 && c <= 0xDF)
        return left >= 2 && cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || !cont(1) || !cont(2))
            return 0;
        if (c == 0xE0 && b(1) < 0xA0)
            return 0;  // overlong
        if (c == 0xED && b(1) > 0x9F)
            return 0;  // a surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || !cont(1) || !cont(2) || !cont(3))
            return 0;
        if (c == 0xF0 && b(1) < 0x90)
            return 0;  // overlong
        if (c == 0xF4 && b(1) > 0x8F)
            return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

}  // namespace

bool valid_utf8(std::string_view s) noexcept
{
    std::size_t i = 0;
    std::size_t const n = s.size();
    while (i < n) {
        if (i + 32 <= n) {
            // ASCII text (most of a WARP frame) is checked 32 bytes at a time.
            std::uint64_t w[4];
            std::memcpy(w, s.data() + i, 32);
            if (((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL) == 0) {
                i += 32;
                continue;
            }
        }
        if (i + 8 <= n) {
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            if ((w & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        if (n >= 8 && i + 8 > n) {
            // The last few bytes: the text's last 8 (some checked already) all ASCII.
            std::uint64_t w;
            std::memcpy(&w, s.data() + n - 8, 8);
            if ((w & 0x8080808080808080ULL) == 0)
                return true;
        }
        std::size_t k = sequence_at(s, i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) noexcept
{
    if (s.size() <= max_bytes)
        return s;
    std::size_t end = max_bytes;
    // Back off the continuation bytes of a character the cut would split.
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80)
        --end;
    return s.substr(0, end);
}

std::string escape_untrusted(std::string_view s, std::size_t max_bytes)
{
    static constexpr char hex[] = "0123456789abcdef";
    static constexpr std::string_view more = "...";
    if (max_bytes < 16)
        max_bytes = 16;
    std::string out;
    out.reserve(s.size() < max_bytes ? s.size() : max_bytes);
    std::size_t i = 0;
    char piece[8];
    while (i < s.size()) {
        std::size_t len = 0;
        auto const c = static_cast<unsigned char>(s[i]);
        std::size_t k = sequence_at(s, i);
        if (k == 1 && c >= 0x20 && c != 0x7F && c != '\\') {
            piece[len++] = static_cast<char>(c);
        } else if (k > 1) {
            std::memcpy(piece, s.data() + i, k);
            len = k;
        } else {
            piece[len++] = '\\';
            if (c == '\\') {
                piece[len++] = '\\';
            } else if (c == '\n') {
                piece[len++] = 'n';
            } else if (c == '\r') {
                piece[len++] = 'r';
            } else if (c == '\t') {
                piece[len++] = 't';
            } else {
                piece[len++] = 'x';
                piece[len++] = hex[c >> 4];
                piece[len++] = hex[c & 0xF];
            }
            k = 1;
        }
        // Room for this piece, and for the mark if more follows.
        bool const last = i + k == s.size();
        if (out.size() + len + (last ? 0 : more.size()) > max_bytes) {
            if (last && out.size() + len <= max_bytes) {
                out.append(piece, len);
                return out;
            }
            out += more;
            return out;
        }
        out.append(piece, len);
        i += k;
    }
    return out;
}

}  // namespace swim::net::detail
