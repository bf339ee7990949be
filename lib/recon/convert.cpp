// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/convert.hpp>
#include <swim/recon/writer.hpp>

#include <array>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

namespace swim::recon {

namespace {

// The kind of `v` as messages name it.
std::string_view kind_name(value const& v) noexcept
{
    switch (v.kind()) {
        case kind::absent: return "absent";
        case kind::extant: return "extant";
        case kind::boolean: return "bool";
        case kind::int64: return "int64";
        case kind::uint64: return "uint64";
        case kind::big_integer: return "big_integer";
        case kind::float64: return "float64";
        case kind::text: return "text";
        case kind::data: return "data";
        case kind::record: return "record";
    }
    return "value";
}

std::string double_text(double d)
{
    std::array<char, 32> buf{};
    auto res = std::to_chars(buf.data(), buf.data() + buf.size(), d);
    return std::string(buf.data(), res.ptr);
}

// The number `v` in decimal, for "is out of range" messages.
std::string number_text(value const& v)
{
    if (auto i = v.if_int64())
        return std::to_string(*i);
    if (auto u = v.if_uint64())
        return std::to_string(*u);
    if (auto b = v.if_big_integer())
        return (b->negative ? "-" : "") + b->digits;
    if (auto d = v.if_float64())
        return double_text(*d);
    return std::string(kind_name(v));
}

void fail_range(conversion_error& err, value const& v, std::string_view type_name)
{
    std::string why = number_text(v);
    why.append(" is out of range for ");
    why.append(type_name);
    err.fail(error::out_of_range, std::move(why));
}

void fail_not_integral(conversion_error& err, double d, std::string_view type_name)
{
    std::string why = "expected ";
    why.append(type_name);
    why.append(", got float64 ");
    why.append(double_text(d));
    err.fail(error::type_mismatch, std::move(why));
}

bool needs_dot(std::string const& path) noexcept
{
    return !path.empty() && path.front() != '[';
}

// 2^63 and 2^64 as doubles: the exclusive upper bounds of int64 and uint64.
constexpr double two_63 = 9223372036854775808.0;
constexpr double two_64 = 18446744073709551616.0;

}  // namespace

std::string conversion_error::message() const
{
    std::string why = reason.empty() ? code.message() : reason;
    if (path.empty())
        return why;
    return path + ": " + why;
}

void conversion_error::fail(error e, std::string why)
{
    code = e;
    path.clear();
    reason = std::move(why);
}

void conversion_error::fail_type(std::string_view expected, value const& got)
{
    std::string why = "expected ";
    why.append(expected);
    why.append(", got ");
    why.append(kind_name(got));
    fail(error::type_mismatch, std::move(why));
}

void conversion_error::prepend_member(std::string_view name)
{
    std::string p(name);
    if (needs_dot(path))
        p.push_back('.');
    path.insert(0, p);
}

void conversion_error::prepend_index(std::size_t index)
{
    // Appended rather than `"[" + std::to_string(...)`, which GCC 12 at -O3 flags with a
    // false -Wrestrict.
    std::string p = "[";
    p += std::to_string(index);
    p += ']';
    if (needs_dot(path))
        p.push_back('.');
    path.insert(0, p);
}

void conversion_error::prepend_key(value const& key)
{
    std::string p = "[";
    if (auto t = key.if_text()) {
        p.append(*t);
    } else {
        boost::system::error_code ec;
        write(key, p, ec);
    }
    p.push_back(']');
    if (needs_dot(path))
        p.push_back('.');
    path.insert(0, p);
}

void conversion_error::clear() noexcept
{
    code.clear();
    path.clear();
    reason.clear();
}

conversion_exception::conversion_exception(conversion_error e)
    : std::runtime_error(e.message())
    , err_(std::move(e))
{}

namespace detail {

bool read_bool(value const& v, bool& out, conversion_error& err)
{
    value const& f = v.flattened();
    if (auto b = f.if_bool()) {
        out = *b;
        return true;
    }
    err.fail_type("bool", f);
    return false;
}

bool read_text(value const& v, std::string& out, conversion_error& err)
{
    value const& f = v.flattened();
    if (auto t = f.if_text()) {
        out = *t;
        return true;
    }
    err.fail_type("text", f);
    return false;
}

bool read_signed(
    value const& v,
    std::int64_t lo,
    std::int64_t hi,
    std::string_view type_name,
    std::int64_t& out,
    conversion_error& err)
{
    value const& f = v.flattened();
    std::int64_t x = 0;
    if (auto i = f.if_int64()) {
        x = *i;
    } else if (f.if_uint64() || f.if_big_integer()) {
        fail_range(err, f, type_name);
        return false;
    } else if (auto d = f.if_float64()) {
        if (!std::isfinite(*d) || std::trunc(*d) != *d) {
            fail_not_integral(err, *d, type_name);
            return false;
        }
        if (*d < -two_63 || *d >= two_63) {
            fail_range(err, f, type_name);
            return false;
        }
        x = static_cast<std::int64_t>(*d);
    } else {
        err.fail_type(type_name, f);
        return false;
    }
    if (x < lo || x > hi) {
        fail_range(err, f, type_name);
        return false;
    }
    out = x;
    return true;
}

bool read_unsigned(
    value const& v,
    std::uint64_t hi,
    std::string_view type_name,
    std::uint64_t& out,
    conversion_error& err)
{
    value const& f = v.flattened();
    std::uint64_t x = 0;
    if (auto i = f.if_int64()) {
        if (*i < 0) {
            fail_range(err, f, type_name);
            return false;
        }
        x = static_cast<std::uint64_t>(*i);
    } else if (auto u = f.if_uint64()) {
        x = *u;
    } else if (f.if_big_integer()) {
        fail_range(err, f, type_name);
        return false;
    } else if (auto d = f.if_float64()) {
        if (!std::isfinite(*d) || std::trunc(*d) != *d) {
            fail_not_integral(err, *d, type_name);
            return false;
        }
        if (*d < 0 || *d >= two_64) {
            fail_range(err, f, type_name);
            return false;
        }
        x = static_cast<std::uint64_t>(*d);
    } else {
        err.fail_type(type_name, f);
        return false;
    }
    if (x > hi) {
        fail_range(err, f, type_name);
        return false;
    }
    out = x;
    return true;
}

bool read_double(value const& v, bool single, double& out, conversion_error& err)
{
    std::string_view type_name = single ? "float32" : "float64";
    value const& f = v.flattened();
    double d = 0;
    if (auto p = f.if_float64()) {
        d = *p;
    } else if (auto i = f.if_int64()) {
        d = static_cast<double>(*i);
    } else if (auto u = f.if_uint64()) {
        d = static_cast<double>(*u);
    } else if (auto b = f.if_big_integer()) {
        auto const& digits = b->digits;
        auto res = std::from_chars(digits.data(), digits.data() + digits.size(), d);
        if (res.ec != std::errc() || !std::isfinite(d)) {
            fail_range(err, f, type_name);
            return false;
        }
        if (b->negative)
            d = -d;
    } else {
        err.fail_type(type_name, f);
        return false;
    }
    if (single && std::isfinite(d) && std::fabs(d) > static_cast<double>(FLT_MAX)) {
        fail_range(err, f, type_name);
        return false;
    }
    out = d;
    return true;
}

bool read_blob(value const& v, std::vector<std::uint8_t>& out, conversion_error& err)
{
    out.clear();
    if (auto d = v.flattened().if_data()) {
        out = *d;
        return true;
    }
    if (v.is_empty())
        return true;
    std::uint64_t byte = 0;
    auto r = v.if_record();
    if (!r) {
        if (!read_unsigned(v, 255, "uint8", byte, err)) {
            err.prepend_index(0);
            return false;
        }
        out.push_back(static_cast<std::uint8_t>(byte));
        return true;
    }
    out.reserve(r->size());
    for (std::size_t i = 0; i < r->size(); ++i) {
        item const& it = (*r)[i];
        if (it.is_attr())
            continue;
        if (!it.is_value()) {
            fail_not_plain_value(err, i);
            return false;
        }
        if (!read_unsigned(it.val, 255, "uint8", byte, err)) {
            err.prepend_index(out.size());
            return false;
        }
        out.push_back(static_cast<std::uint8_t>(byte));
    }
    return true;
}

void fail_enumerator(conversion_error& err, std::string_view text, std::string_view names)
{
    std::string why = "'";
    why.append(text);
    why.append("' is not one of ");
    why.append(names);
    err.fail(error::invalid_value, std::move(why));
}

void fail_not_slot(conversion_error& err, std::size_t item_index)
{
    err.fail(
        error::type_mismatch,
        "expected a record of slots, got a plain value at item " + std::to_string(item_index));
}

void fail_not_plain_value(conversion_error& err, std::size_t item_index)
{
    err.fail(
        error::type_mismatch,
        "expected a record of plain values, got a slot at item " + std::to_string(item_index));
}

}  // namespace detail

}  // namespace swim::recon
