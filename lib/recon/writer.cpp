// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>

#include <boost/system/system_error.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "detail/chars.hpp"

namespace swim::recon {

bool is_identifier(std::string_view s) noexcept
{
    if (s.empty() || s == "true" || s == "false")
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
        return true;
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

void write_quoted(std::string_view s, std::string& out)
{
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t run = 0;  // start of the pending run of characters that need no escape
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (!detail::needs_escape_table[c])
            continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        out.push_back('\\');
        switch (c) {
            case '"': out.push_back('"'); break;
            case '\\': out.push_back('\\'); break;
            case '\n': out.push_back('n'); break;
            case '\r': out.push_back('r'); break;
            case '\t': out.push_back('t'); break;
            case '\b': out.push_back('b'); break;
            case '\f': out.push_back('f'); break;
            default:
                out.append("u00");
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 0xF]);
        }
    }
    out.append(s.data() + run, s.size() - run);
    out.push_back('"');
}

void write_base64(blob const& b, std::string& out)
{
    static constexpr char table[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::size_t i = 0;
    for (; i + 3 <= b.size(); i += 3) {
        std::uint32_t v = (std::uint32_t(b[i]) << 16) | (std::uint32_t(b[i + 1]) << 8) | b[i + 2];
        out.push_back(table[(v >> 18) & 63]);
        out.push_back(table[(v >> 12) & 63]);
        out.push_back(table[(v >> 6) & 63]);
        out.push_back(table[v & 63]);
    }
    if (std::size_t rest = b.size() - i; rest > 0) {
        std::uint32_t v = std::uint32_t(b[i]) << 16;
        if (rest == 2)
            v |= std::uint32_t(b[i + 1]) << 8;
        out.push_back(table[(v >> 18) & 63]);
        out.push_back(table[(v >> 12) & 63]);
        out.push_back(rest == 2 ? table[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
}

// A fast exact path for the common floats: a magnitude in [1e-3, 1e9) with at most six
// decimals. Such a double is the only one that decimal of at most 15 significant digits
// reads to, so the decimal with trailing zeros removed is its shortest round-trip form.
bool short_decimal(double d, std::string& out)
{
    double a = d < 0 ? -d : d;
    if (!(a >= 1e-3 && a < 1e9))
        return false;
    double scaled = a * 1e6;
    double whole = std::floor(scaled + 0.5);
    if (whole / 1e6 != a || whole >= 9007199254740992.0)
        return false;
    auto m = static_cast<std::uint64_t>(whole);
    std::uint64_t ip = m / 1000000;
    std::uint64_t fp = m % 1000000;
    char buf[32];
    char* p = buf;
    if (d < 0)
        *p++ = '-';
    p = std::to_chars(p, buf + sizeof buf, ip).ptr;
    *p++ = '.';
    if (fp == 0) {
        *p++ = '0';
    } else {
        char frac[6];
        for (int i = 5; i >= 0; --i) {
            frac[i] = static_cast<char>('0' + fp % 10);
            fp /= 10;
        }
        int n = 6;
        while (n > 1 && frac[n - 1] == '0')
            --n;
        for (int i = 0; i < n; ++i)
            *p++ = frac[i];
    }
    out.append(buf, p);
    return true;
}

class writer {
public:
    explicit writer(std::string& out)
        : out_(out)
    {}

    boost::system::error_code ec;

    void value(recon::value const& v)
    {
        switch (v.kind()) {
            case kind::absent:
            case kind::extant: return;
            case kind::boolean: out_.append(v.as_bool() ? "true" : "false"); return;
            case kind::int64: integer(*v.if_int64()); return;
            case kind::uint64: integer(*v.if_uint64()); return;
            case kind::big_integer: {
                auto const& b = *v.if_big_integer();
                if (b.negative)
                    out_.push_back('-');
                out_.append(b.digits);
                return;
            }
            case kind::float64: floating(*v.if_float64()); return;
            case kind::text: write_text(v.as_text(), out_); return;
            case kind::data:
                out_.push_back('%');
                write_base64(*v.if_data(), out_);
                return;
            case kind::record: record(v.as_record()); return;
        }
    }

private:
    template <class I>
    void integer(I i)
    {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, i);
        out_.append(buf, r.ptr);
    }

    void floating(double d)
    {
        if (!std::isfinite(d)) {
            if (!ec)
                ec = error::non_finite_float;
            return;
        }
        char buf[32];
        if (short_decimal(d, out_))
            return;
        auto r = std::to_chars(buf, buf + sizeof buf, d);
        std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
        out_.append(s);
        if (s.find_first_of(".eE") == std::string_view::npos)
            out_.append(".0");
    }

    void items(recon::record const& r, bool skip_attrs)
    {
        bool first = true;
        for (auto const& i : r) {
            if (skip_attrs && i.is_attr())
                continue;
            if (!first)
                out_.push_back(',');
            first = false;
            if (i.is_slot()) {
                value(i.key);
                out_.push_back(':');
                value(i.val);
            } else {
                value(i.val);
            }
        }
    }

    void attr(item const& a)
    {
        out_.push_back('@');
        write_text(a.name(), out_);
        auto const& v = a.val;
        if (v.is_empty())
            return;
        auto r = v.if_record();
        if (r && std::none_of(r->begin(), r->end(), [](item const& i) { return i.is_attr(); })) {
            // A bare record argument would be read as the block itself: brace it when it
            // holds less than two items, so `@a({})` and `@a({1})` keep their meaning.
            bool single_value = r->size() == 1 && (*r)[0].is_value();
            if (r->empty() || single_value) {
                out_.append("({");
                items(*r, false);
                out_.append("})");
            } else {
                out_.push_back('(');
                items(*r, false);
                out_.push_back(')');
            }
            return;
        }
        out_.push_back('(');
        value(v);
        out_.push_back(')');
    }

    void record(recon::record const& r)
    {
        std::size_t attrs = 0;
        std::size_t rest = 0;
        item const* lone = nullptr;
        for (auto const& i : r) {
            if (i.is_attr()) {
                ++attrs;
            } else {
                ++rest;
                lone = &i;
            }
        }
        if (attrs == 0) {
            out_.push_back('{');
            items(r, false);
            out_.push_back('}');
            return;
        }
        // Attributes first (any that follow other items are hoisted: we never write postfix).
        for (auto const& i : r)
            if (i.is_attr())
                attr(i);
        if (rest == 0)
            return;
        if (rest == 1 && lone->is_value() && !lone->val.is_record() && !lone->val.is_empty()) {
            // `@first 1`; a negative number goes in braces so no reader sees a subtraction.
            std::size_t mark = out_.size();
            out_.push_back(' ');
            value(lone->val);
            if (out_.size() > mark + 1 && out_[mark + 1] == '-') {
                out_[mark] = '{';
                out_.push_back('}');
            }
            return;
        }
        out_.push_back('{');
        items(r, true);
        out_.push_back('}');
    }

    std::string& out_;
};

}  // namespace

void write_text(std::string_view s, std::string& out)
{
    if (is_identifier(s))
        out.append(s);
    else
        write_quoted(s, out);
}

void write(value const& v, std::string& out, boost::system::error_code& ec)
{
    writer w(out);
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
