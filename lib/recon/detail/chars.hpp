// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// Character classes of Recon (warp-protocol.md §1.2), shared by the parser and the writer.

#ifndef SWIM_LIB_RECON_DETAIL_CHARS_HPP
#define SWIM_LIB_RECON_DETAIL_CHARS_HPP

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace swim::recon::detail {

inline bool is_ascii_ident_start(unsigned char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

inline bool is_ascii_ident_char(unsigned char c) noexcept
{
    return is_ascii_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/// ASCII identifier characters (letters, digits, `_`, `-`) as a table.
inline constexpr auto ascii_ident_char_table = [] {
    struct table {
        bool v[256] = {};
        constexpr bool operator[](unsigned char c) const { return v[c]; }
    } t;
    for (int c = 0; c < 256; ++c)
        t.v[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                 (c >= '0' && c <= '9') || c == '-';
    return t;
}();

// Word-at-a-time scans (8 bytes while 8 remain, on little-endian targets; a byte at a
// time otherwise and for the rest). Each returns the first byte at or after `q` that
// stops the scan, or `end`.

// The first byte that is not an ASCII identifier character (letter, digit, `_`, `-`).
inline char const* skip_ident_chars(char const* q, char const* end) noexcept
{
    if constexpr (std::endian::native == std::endian::little) {
        constexpr std::uint64_t ones = 0x0101010101010101u;
        constexpr std::uint64_t highs = 0x8080808080808080u;
        while (end - q >= 8) {
            std::uint64_t x;
            std::memcpy(&x, q, 8);
            // Range tests per byte on the low seven bits (no carries between bytes);
            // bytes with the top bit set are never identifier characters here.
            std::uint64_t x7 = x & ~highs;
            auto at_least = [](std::uint64_t v, unsigned lo) {
                return v + ones * (0x80 - lo);
            };
            auto above = [](std::uint64_t v, unsigned hi) {
                return v + ones * (0x7F - hi);
            };
            std::uint64_t lower = x7 | (ones * 0x20);
            std::uint64_t ok = (at_least(lower, 'a') & ~above(lower, 'z')) |
                               (at_least(x7, '0') & ~above(x7, '9')) |
                               (at_least(x7, '_') & ~above(x7, '_')) |
                               (at_least(x7, '-') & ~above(x7, '-'));
            std::uint64_t stop = (~ok | x) & highs;
            if (stop)
                return q + std::countr_zero(stop) / 8;
            q += 8;
        }
    }
    while (q < end && ascii_ident_char_table[static_cast<unsigned char>(*q)])
        ++q;
    return q;
}

// The first byte that is the quote `qc`, a backslash or non-ASCII.
inline char const* skip_plain_string_chars(char const* q, char const* end, char qc) noexcept
{
    if constexpr (std::endian::native == std::endian::little) {
        constexpr std::uint64_t ones = 0x0101010101010101u;
        constexpr std::uint64_t highs = 0x8080808080808080u;
        std::uint64_t const qs = ones * static_cast<unsigned char>(qc);
        while (end - q >= 8) {
            std::uint64_t x;
            std::memcpy(&x, q, 8);
            std::uint64_t a = x ^ qs;
            std::uint64_t b = x ^ (ones * '\\');
            // A zero byte of a or b (the exact test: borrows never reach a lower byte's
            // flag), or a byte with its top bit set.
            std::uint64_t stop = ((((a & ~highs) + ~highs) | a) & ((((b & ~highs) + ~highs)) | b) &
                                  highs) ^
                                 highs;
            stop |= x & highs;
            if (stop)
                return q + std::countr_zero(stop) / 8;
            q += 8;
        }
    }
    while (q < end && *q != qc && *q != '\\' && static_cast<unsigned char>(*q) < 0x80)
        ++q;
    return q;
}

/// Bytes a quoted string writes escaped: control characters, `"` and `\`.
inline constexpr auto needs_escape_table = [] {
    struct table {
        bool v[256] = {};
        constexpr bool operator[](unsigned char c) const { return v[c]; }
    } t;
    for (int c = 0; c < 256; ++c)
        t.v[c] = c < 0x20 || c == '"' || c == '\\';
    return t;
}();

/// Java's identifier start set (what we write bare).
inline bool is_java_ident_start(std::uint32_t c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) ||
           (c >= 0x370 && c <= 0x37D) || (c >= 0x37F && c <= 0x1FFF) ||
           (c >= 0x200C && c <= 0x200D) || (c >= 0x2070 && c <= 0x218F) ||
           (c >= 0x2C00 && c <= 0x2FEF) || (c >= 0x3001 && c <= 0xD7FF) ||
           (c >= 0xF900 && c <= 0xFDCF) || (c >= 0xFDF0 && c <= 0xFFFD) ||
           (c >= 0x10000 && c <= 0xEFFFF);
}

/// Characters that may follow the first one of an identifier.
inline bool is_ident_char(std::uint32_t c) noexcept
{
    return is_java_ident_start(c) || c == '-' || (c >= '0' && c <= '9') || c == 0xB7 ||
           (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}

/// What we read as an identifier start: Java's set plus Rust's extras.
inline bool is_read_ident_start(std::uint32_t c) noexcept
{
    return is_java_ident_start(c) || c == 0xB7 || (c >= 0x300 && c <= 0x36F) ||
           (c >= 0x203F && c <= 0x2040);
}

/// Decodes one UTF-8 code point at `p` (before `end`). Returns its length, or 0 when the
/// bytes are not valid UTF-8.
inline std::size_t decode_utf8(char const* p, char const* end, std::uint32_t& cp) noexcept
{
    auto b0 = static_cast<unsigned char>(*p);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    std::size_t n;
    std::uint32_t min;
    if ((b0 & 0xE0) == 0xC0) {
        n = 2;
        cp = b0 & 0x1Fu;
        min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        n = 3;
        cp = b0 & 0x0Fu;
        min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        n = 4;
        cp = b0 & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (static_cast<std::size_t>(end - p) < n)
        return 0;
    for (std::size_t i = 1; i < n; ++i) {
        auto b = static_cast<unsigned char>(p[i]);
        if ((b & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (b & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/// Appends code point `cp` as UTF-8.
template <class String>
void append_utf8(String& out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

}  // namespace swim::recon::detail

#endif
