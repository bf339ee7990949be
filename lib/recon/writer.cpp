// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>

#include <boost/system/system_error.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "detail/chars.hpp"
#include "detail/sink.hpp"

namespace swim::recon {

bool is_identifier(std::string_view s) noexcept
{
    if (s.empty())
        return false;
    char const* p = s.data();
    char const* end = p + s.size();
    // The common case, ASCII, a table lookup a byte.
    if (!detail::is_ascii_ident_start(static_cast<unsigned char>(*p)) &&
        static_cast<unsigned char>(*p) < 0x80)
        return false;
    while (p < end && detail::ascii_ident_char_table[static_cast<unsigned char>(*p)])
        ++p;
    if (p == end)
        return !(s.size() == 4 && s == "true") && !(s.size() == 5 && s == "false");
    if (static_cast<unsigned char>(*p) < 0x80)
        return false;
    bool first = p == s.data();
    while (p < end) {
        auto c = static_cast<unsigned char>(*p);
        if (c < 0x80) {
            if (first ? !detail::is_ascii_ident_start(c) : !detail::is_ascii_ident_char(c))
                return false;
            ++p;
        } else {
            std::uint32_t cp = 0;
            std::size_t n = detail::decode_utf8(p, end, cp);
            if (n == 0 || (first ? !detail::is_java_ident_start(cp) : !detail::is_ident_char(cp)))
                return false;
            p += n;
        }
        first = false;
    }
    return true;
}

namespace {

using detail::sink;

// Writes s[i..] escaped, then the closing quote (the opening one is written).
void write_quoted_from(std::string_view s, std::size_t i, sink& out)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::size_t run = i;  // start of the pending run of characters that need no escape
    for (; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (!detail::needs_escape_table[c])
            continue;
        out.put(s.substr(run, i - run));
        run = i + 1;
        char* p = out.room(6);
        *p++ = '\\';
        switch (c) {
            case '"': *p++ = '"'; break;
            case '\\': *p++ = '\\'; break;
            case '\n': *p++ = 'n'; break;
            case '\r': *p++ = 'r'; break;
            case '\t': *p++ = 't'; break;
            case '\b': *p++ = 'b'; break;
            case '\f': *p++ = 'f'; break;
            default:
                *p++ = 'u';
                *p++ = '0';
                *p++ = '0';
                *p++ = hex[c >> 4];
                *p++ = hex[c & 0xF];
        }
        out.advance(static_cast<std::size_t>(p - out.room(0)));
    }
    out.put(s.substr(run));
    out.put('"');
}

void write_quoted(std::string_view s, sink& out)
{
    out.put('"');
    write_quoted_from(s, 0, out);
}

// True when one of the 8 bytes of `x` must be escaped in a quoted string: below 0x20, `"` or
// `\`. (Each test is exact for "some byte"; bytes >= 0x80 never match.)
inline bool needs_escape8(std::uint64_t x) noexcept
{
    constexpr std::uint64_t ones = 0x0101010101010101u;
    constexpr std::uint64_t highs = 0x8080808080808080u;
    std::uint64_t q = x ^ (ones * '"');
    std::uint64_t b = x ^ (ones * '\\');
    return (((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x)) & highs;
}

// The rest of write_text (below) once `s` is known not to be a plain ASCII identifier: its
// first i bytes are ASCII identifier characters, already copied to `start`.
[[gnu::noinline]] void write_text_tail(std::string_view s, std::size_t i, char* start, sink& out)
{
    std::size_t const n = s.size();
    auto const* b = reinterpret_cast<unsigned char const*>(s.data());
    if (i < n && b[i] >= 0x80) {
        // Non-ASCII: it may still be an identifier.
        if (is_identifier(s))
            out.put(s);
        else
            write_quoted(s, out);
        return;
    }
    // Quoted; the first i bytes need no escape.
    start[0] = '"';
    if (i != 0)
        std::memcpy(start + 1, b, i);
    char* q = start + 1 + i;
    while (i + 8 <= n) {
        std::uint64_t x;
        std::memcpy(&x, b + i, 8);
        if (needs_escape8(x))
            break;
        std::memcpy(q, &x, 8);
        q += 8;
        i += 8;
    }
    while (i < n && !detail::needs_escape_table[b[i]])
        *q++ = static_cast<char>(b[i++]);
    if (i == n) {
        *q++ = '"';
        out.advance(static_cast<std::size_t>(q - start));
        return;
    }
    out.advance(static_cast<std::size_t>(q - start));
    write_quoted_from(s, i, out);
}

// ASCII identifier start characters (letters and `_`) as a table.
inline constexpr auto ascii_ident_start_table = [] {
    struct table {
        bool v[256] = {};
        constexpr bool operator[](unsigned char c) const { return v[c]; }
    } t;
    for (int c = 0; c < 256; ++c)
        t.v[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    return t;
}();

// Text, bare when it is an identifier other than true/false, else quoted. One pass for ASCII
// text: the bytes are copied while they are identifier characters, and when one is not, the
// copy goes on as a quoted string from there (8 bytes at a time while nothing needs escaping).
// Copies `s` to `dst` while its bytes are ASCII identifier characters; true when that is all
// of it and it is not true/false (then it is written bare). `i` is the number copied.
[[gnu::always_inline]] inline bool copy_identifier(std::string_view s, char* dst, std::size_t& i)
{
    std::size_t const n = s.size();
    auto const* b = reinterpret_cast<unsigned char const*>(s.data());
    i = 0;
    if (n == 0 || !ascii_ident_start_table[b[0]])
        return false;
    dst[0] = static_cast<char>(b[0]);
    i = 1;
    while (i < n && detail::ascii_ident_char_table[b[i]]) {
        dst[i] = static_cast<char>(b[i]);
        ++i;
    }
    return i == n && !(n == 4 && s == "true") && !(n == 5 && s == "false");
}

[[gnu::always_inline]] inline void write_text(std::string_view s, sink& out)
{
    char* const start = out.room(s.size() + 2);
    std::size_t i;
    if (copy_identifier(s, start, i)) {
        out.advance(s.size());
        return;
    }
    write_text_tail(s, i, start, out);
}

void write_base64(blob const& b, sink& out)
{
    static constexpr char table[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char* p = out.room((b.size() + 2) / 3 * 4);
    char* start = p;
    std::size_t i = 0;
    for (; i + 3 <= b.size(); i += 3) {
        std::uint32_t v = (std::uint32_t(b[i]) << 16) | (std::uint32_t(b[i + 1]) << 8) | b[i + 2];
        *p++ = table[(v >> 18) & 63];
        *p++ = table[(v >> 12) & 63];
        *p++ = table[(v >> 6) & 63];
        *p++ = table[v & 63];
    }
    if (std::size_t rest = b.size() - i; rest > 0) {
        std::uint32_t v = std::uint32_t(b[i]) << 16;
        if (rest == 2)
            v |= std::uint32_t(b[i + 1]) << 8;
        *p++ = table[(v >> 18) & 63];
        *p++ = table[(v >> 12) & 63];
        *p++ = rest == 2 ? table[(v >> 6) & 63] : '=';
        *p++ = '=';
    }
    out.advance(static_cast<std::size_t>(p - start));
}

// Two decimal digits a pair, "00" to "99".
constexpr char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// The division itself, out of line so that the compiler does not compute it on the fast
// path below as well (it turned the branch into a select).
[[gnu::noinline]] bool reads_back_by_division(
    std::uint64_t m,
    std::uint64_t unit,
    double a) noexcept
{
    return static_cast<double>(m) / static_cast<double>(unit) == a;
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 u128;  // (__extension__: -Wpedantic)
#endif

// True when the decimal m / unit (m < 2^53, unit = 10^k, k <= 9) reads back as `a` (a
// normal double in [1e-3, 1e9)): whether the division rounds to a.
inline bool reads_back(std::uint64_t m, std::uint64_t unit, double a) noexcept
{
#if defined(__SIZEOF_INT128__)
    // Without the division's latency: a = A * 2^E with E = -s < 0 here, and m / unit rounds
    // to a when |m * 2^s - A * unit| < unit / 2 (less than half an ulp of a, times unit *
    // 2^s). At the bottom of a binade (A = 2^52, as for 0.5) the ulp below is half as big:
    // a quarter below. An exact half (or quarter) is a tie: the division decides.
    std::uint64_t bits;
    std::memcpy(&bits, &a, 8);
    int s = 1075 - static_cast<int>(bits >> 52);
    std::uint64_t mant = (bits & ((std::uint64_t(1) << 52) - 1)) | (std::uint64_t(1) << 52);
    if (s > 0 && s < 64) {
        u128 lhs = u128(m) << s;
        u128 rhs = u128(mant) * unit;
        bool below = lhs < rhs;
        u128 diff = below ? rhs - lhs : lhs - rhs;
        u128 scaled = (below && mant == (std::uint64_t(1) << 52)) ? 4 * diff : 2 * diff;
        if (scaled != unit)
            return scaled < unit;
    }
#endif
    return reads_back_by_division(m, unit, a);
}

// short_decimal with K decimals, 10^K = unit (constants, so / and % are multiplications).
template <int K, std::uint64_t Unit>
bool short_decimal_k(double d, double a, sink& out)
{
    constexpr auto scale = static_cast<double>(Unit);
    // a * scale < 1e15 < 2^53: the truncation is the floor, and exact as a double.
    auto m = static_cast<std::uint64_t>(static_cast<std::int64_t>(a * scale + 0.5));
    if (!reads_back(m, Unit, a))
        return false;
    std::uint64_t ip = m / Unit;
    auto fp = static_cast<std::uint32_t>(m % Unit);
    char* start = out.room(32);
    char* p = start;
    if (d < 0)
        *p++ = '-';
    p = std::to_chars(p, start + 32, ip).ptr;
    *p++ = '.';
    if (fp == 0) {
        *p++ = '0';
    } else {
        // Nine digits (six decimals get three zeros), then drop the trailing zeros: no
        // branch on the digits.
        std::uint32_t f9 = fp * static_cast<std::uint32_t>(K == 9 ? 1 : 1000);
        std::uint32_t hi = f9 / 100000;  // four digits
        std::uint32_t lo = f9 % 100000;  // five digits
        std::uint32_t lo4 = lo % 10000;
        auto pair = [](std::uint32_t two) {  // "00".."99" as a 16-bit load
            std::uint16_t v;
            std::memcpy(&v, digit_pairs + 2 * two, 2);
            return std::uint64_t(v);
        };
        if constexpr (std::endian::native == std::endian::little) {
            // Digits 1 to 8 as a word built in registers (stored digit by digit and loaded as
            // a word, they would stall on store forwarding). A zero byte of `nz` is a '0'
            // digit; the zero bytes at the top count the trailing zeros (all eight when nz is
            // 0: fp != 0 makes digit 0 nonzero then).
            std::uint64_t p0 = pair(hi / 100);
            std::uint64_t w = (p0 >> 8) | (pair(hi % 100) << 8) |
                              (std::uint64_t('0' + lo / 10000) << 24) | (pair(lo4 / 100) << 32) |
                              (pair(lo4 % 100) << 48);
            std::uint64_t nz = w ^ 0x3030303030303030u;
            int zeros = std::countl_zero(nz) / 8;
            p[0] = static_cast<char>(p0);
            std::memcpy(p + 1, &w, 8);
            p += 9 - zeros;
        } else {
            char digits[9];
            std::memcpy(digits, digit_pairs + 2 * (hi / 100), 2);
            std::memcpy(digits + 2, digit_pairs + 2 * (hi % 100), 2);
            digits[4] = static_cast<char>('0' + lo / 10000);
            std::memcpy(digits + 5, digit_pairs + 2 * (lo4 / 100), 2);
            std::memcpy(digits + 7, digit_pairs + 2 * (lo4 % 100), 2);
            int n = 9;
            while (digits[n - 1] == '0')
                --n;
            std::memcpy(p, digits, 9);
            p += n;
        }
    }
    out.advance(static_cast<std::size_t>(p - start));
    return true;
}

// A fast exact path for the common floats: a magnitude in [1e-3, 1e9) with at most nine
// decimals below 1e6, six above. Such a double is the only one that decimal of at most 15
// significant digits reads to, so the decimal with trailing zeros removed is its shortest
// round-trip form.
bool short_decimal(double d, sink& out)
{
    double a = d < 0 ? -d : d;
    if (!(a >= 1e-3 && a < 1e9))
        return false;
    // Nine decimals below 1e6, or six below 1e9: at most 15 significant digits either way.
    if (a < 1e6)
        return short_decimal_k<9, 1000000000u>(d, a, out);
    return short_decimal_k<6, 1000000u>(d, a, out);
}

bool has_attr(record const& r) noexcept
{
    return std::any_of(r.begin(), r.end(), [](item const& i) { return i.is_attr(); });
}

class writer {
public:
    explicit writer(sink& out)
        : out_(out)
    {}

    boost::system::error_code ec;

    // Every value but records is written inline here; the kinds that are rare in WARP
    // bodies, and floats, go through out-of-line functions so that this stays small.
    [[gnu::always_inline]] inline void value(recon::value const& v)
    {
        switch (v.kind()) {
            case kind::text: write_text(v.as_text(), out_); return;
            case kind::int64: integer(*v.if_int64()); return;
            case kind::record: record(v.as_record()); return;
            case kind::float64: floating(*v.if_float64()); return;
            case kind::boolean: {
                char* p = out_.room(5);
                if (v.as_bool()) {
                    std::memcpy(p, "true", 4);
                    out_.advance(4);
                } else {
                    std::memcpy(p, "false", 5);
                    out_.advance(5);
                }
                return;
            }
            case kind::absent:
            case kind::extant: return;
            default: rare(v); return;
        }
    }

    [[gnu::noinline]] void record(recon::record const& r)
    {
        if (r.empty() || !r.begin()->is_attr()) {
            // The common record, without attributes, written while it is checked for them:
            // one that has some after other items starts again below.
            std::size_t mark = out_.size();
            out_.put('{');
            if (items<true>(r)) {
                out_.put('}');
                return;
            }
            out_.truncate(mark);
        }
        std::size_t rest = 0;
        item const* lone = nullptr;
        for (auto const& i : r) {
            if (!i.is_attr()) {
                ++rest;
                lone = &i;
            }
        }
        // Attributes first (any that follow other items are hoisted: we never write postfix).
        for (auto const& i : r)
            if (i.is_attr())
                attr(i);
        if (rest == 0)
            return;
        if (rest == 1 && lone->is_value() && !lone->val.is_record() && !lone->val.is_empty()) {
            after_attrs(lone->val);
            return;
        }
        out_.put('{');
        items<false>(r);
        out_.put('}');
    }

    // The one value after a record's attributes (neither a record nor empty): `@first 1`; a
    // negative number goes in braces so no reader sees a subtraction.
    void after_attrs(recon::value const& v)
    {
        std::size_t mark = out_.size();
        out_.put(' ');
        value(v);
        if (out_.size() > mark + 1 && out_.at(mark + 1) == '-') {
            out_.at(mark) = '{';
            out_.put('}');
        }
    }

private:
    [[gnu::noinline]] void rare(recon::value const& v)
    {
        switch (v.kind()) {
            case kind::uint64: integer(*v.if_uint64()); return;
            case kind::big_integer: {
                auto const& b = *v.if_big_integer();
                if (b.negative)
                    out_.put('-');
                out_.put(b.digits);
                return;
            }
            case kind::data:
                out_.put('%');
                write_base64(*v.if_data(), out_);
                return;
            default: return;
        }
    }

    template <class I>
    void integer(I i)
    {
        char* p = out_.room(24);
        auto r = std::to_chars(p, p + 24, i);
        out_.advance(static_cast<std::size_t>(r.ptr - p));
    }

    [[gnu::noinline]] void floating(double d)
    {
        if (!std::isfinite(d)) {
            if (!ec)
                ec = error::non_finite_float;
            return;
        }
        if (short_decimal(d, out_))
            return;
        char* p = out_.room(34);
        auto r = std::to_chars(p, p + 32, d);
        std::string_view s(p, static_cast<std::size_t>(r.ptr - p));
        out_.advance(s.size());
        if (s.find_first_of(".eE") == std::string_view::npos)
            out_.put(".0");
    }

    // Writes the items of `r` but its attributes, comma-separated. With StopAtAttr, returns
    // false (after a partial write) at the first attribute instead of skipping it.
    template <bool StopAtAttr>
    bool items(recon::record const& r)
    {
        // The common tokens (`,key:`, identifiers, integers) are written through a local
        // cursor, handed back to the sink around anything else.
        char* p = out_.cur();
        char* e = out_.end();
        auto sync = [&] {
            out_.set_cur(p);
        };
        auto resync = [&] {
            p = out_.cur();
            e = out_.end();
        };
        auto need = [&](std::size_t n) {
            if (static_cast<std::size_t>(e - p) < n) {
                sync();
                out_.room(n);
                resync();
            }
        };
        std::size_t lead = 0;  // 1 after the first item: the comma before the next
        for (auto const& i : r) {
            if (i.is_attr()) {
                if constexpr (StopAtAttr) {
                    sync();
                    return false;
                } else {
                    continue;
                }
            }
            if (i.is_slot() && i.key.is_text()) {
                // `,key:` in one step for the common identifier key.
                std::string_view k = i.key.as_text();
                need(k.size() + 3);
                p[0] = ',';
                p += lead;
                std::size_t n;
                if (copy_identifier(k, p, n)) {
                    p[k.size()] = ':';
                    p += k.size() + 1;
                } else {
                    sync();
                    write_text_tail(k, n, p, out_);
                    out_.put(':');
                    resync();
                }
            } else {
                if (lead) {
                    need(1);
                    *p++ = ',';
                }
                if (i.is_slot()) {
                    sync();
                    value(i.key);
                    out_.put(':');
                    resync();
                }
            }
            lead = 1;
            recon::value const& v = i.val;
            if (v.is_text()) {
                std::string_view t = v.as_text();
                need(t.size() + 2);
                std::size_t n;
                if (copy_identifier(t, p, n)) {
                    p += t.size();
                } else {
                    sync();
                    write_text_tail(t, n, p, out_);
                    resync();
                }
            } else if (auto x = v.if_int64()) {
                need(24);
                p = std::to_chars(p, p + 24, *x).ptr;
            } else {
                sync();
                value(v);
                resync();
            }
        }
        sync();
        return true;
    }

    void attr(item const& a)
    {
        out_.put('@');
        write_text(a.name(), out_);
        auto const& v = a.val;
        if (v.is_empty())
            return;
        auto r = v.if_record();
        if (r && !has_attr(*r)) {
            // A bare record argument would be read as the block itself: brace it when it
            // holds less than two items, so `@a({})` and `@a({1})` keep their meaning.
            bool single_value = r->size() == 1 && (*r)[0].is_value();
            if (r->empty() || single_value) {
                out_.put("({");
                items<false>(*r);
                out_.put("})");
            } else {
                out_.put('(');
                items<false>(*r);
                out_.put(')');
            }
            return;
        }
        out_.put('(');
        value(v);
        out_.put(')');
    }

    sink& out_;
};

}  // namespace

void write_text(std::string_view s, std::string& out)
{
    sink k(out);
    write_text(s, k);
}

bool is_writable(value const& v) noexcept
{
    if (auto d = v.if_float64())
        return std::isfinite(*d);
    if (auto r = v.if_record())
        for (auto const& i : *r)
            if (!is_writable(i.key) || !is_writable(i.val))
                return false;
    return true;
}

bool writes_leading_attr(value const& v) noexcept
{
    auto r = v.if_record();
    return r && has_attr(*r);
}

void detail::write_text_to(std::string_view s, sink& out)
{
    write_text(s, out);
}

void detail::write_value_to(value const& v, sink& out, boost::system::error_code& ec)
{
    writer w(out);
    if (auto r = v.if_record())
        w.record(*r);
    else
        w.value(v);
    if (w.ec)
        ec = w.ec;
}

void detail::write_after_attrs_to(value const& v, sink& out, boost::system::error_code& ec)
{
    writer w(out);
    w.after_attrs(v);
    if (w.ec)
        ec = w.ec;
}

void write(value const& v, std::string& out, boost::system::error_code& ec)
{
    sink k(out);
    writer w(k);
    if (auto r = v.if_record())
        w.record(*r);
    else
        w.value(v);
    ec = w.ec;
}

void write(value const& v, std::string& out)
{
    boost::system::error_code ec;
    write(v, out, ec);
    if (ec)
        throw boost::system::system_error(ec, "swim::recon::write");
}

std::string to_string(value const& v)
{
    std::string out;
    write(v, out);
    return out;
}

}  // namespace swim::recon
