// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/value.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>

namespace swim::recon {

std::string_view to_string(kind k) noexcept
{
    switch (k) {
        case kind::absent: return "absent";
        case kind::extant: return "extant";
        case kind::boolean: return "bool";
        case kind::int64: return "int64";
        case kind::uint64: return "uint64";
        case kind::big_integer: return "big integer";
        case kind::float64: return "float64";
        case kind::text: return "text";
        case kind::data: return "data";
        case kind::record: return "record";
    }
    return "unknown";
}

// ---- record ---------------------------------------------------------------------------------

record::record(std::initializer_list<item> items)
    : items_(items)
{}
record::record(record const&) = default;
record& record::operator=(record const&) = default;

item& record::operator[](std::size_t i) noexcept
{
    return items_[i];
}
item const& record::operator[](std::size_t i) const noexcept
{
    return items_[i];
}

void record::push_back(item i)
{
    items_.push_back(std::move(i));
}
void record::add_attr(std::string name, value v)
{
    items_.push_back(item::attr(std::move(name), std::move(v)));
}
void record::add_slot(value key, value v)
{
    items_.push_back(item::slot(std::move(key), std::move(v)));
}
void record::add_value(value v)
{
    items_.push_back(item(std::move(v)));
}

std::string_view record::tag() const noexcept
{
    if (!items_.empty() && items_.front().is_attr())
        return items_.front().name();
    return {};
}

value const* record::find(std::string_view key) const noexcept
{
    for (auto const& i : items_) {
        if (i.is_slot()) {
            auto p = i.key.if_text();
            if (p && *p == key)
                return &i.val;
        }
    }
    return nullptr;
}

std::size_t record::attr_count() const noexcept
{
    std::size_t n = 0;
    while (n < items_.size() && items_[n].is_attr())
        ++n;
    return n;
}

// ---- value ----------------------------------------------------------------------------------

namespace {

// Parses decimal digits into a uint64; false on overflow.
bool digits_to_u64(std::string_view digits, std::uint64_t& out) noexcept
{
    std::uint64_t v = 0;
    for (char c : digits) {
        auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10)
            return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

long double big_to_long_double(big_integer const& b) noexcept
{
    long double v = std::strtold(b.digits.c_str(), nullptr);
    return b.negative ? -v : v;
}

}  // namespace

value::value(big_integer b)
{
    std::uint64_t u = 0;
    if (digits_to_u64(b.digits, u)) {
        if (!b.negative) {
            set_unsigned(u);
            return;
        }
        if (u <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
            k_ = recon::kind::int64;
            u_.i = static_cast<std::int64_t>(0 - u);
            return;
        }
    }
    u_.big = new recon::big_integer(std::move(b));
    k_ = recon::kind::big_integer;
}

void value::copy_from(value const& o)
{
    // Precondition: this holds no payload (absent).
    switch (o.k_) {
        case recon::kind::big_integer: u_.big = new recon::big_integer(*o.u_.big); break;
        case recon::kind::text: ::new (static_cast<void*>(&u_.text)) std::string(o.u_.text); break;
        case recon::kind::data: ::new (static_cast<void*>(&u_.data)) blob(o.u_.data); break;
        case recon::kind::record:
            ::new (static_cast<void*>(&u_.rec)) recon::record(o.u_.rec);
            break;
        default: u_.raw = o.u_.raw; break;
    }
    k_ = o.k_;
}

void value::destroy_slow() noexcept
{
    switch (k_) {
        case recon::kind::big_integer: delete u_.big; break;
        case recon::kind::text: u_.text.~basic_string(); break;
        case recon::kind::data: u_.data.~blob(); break;
        case recon::kind::record: u_.rec.~record(); break;
        default: break;
    }
}

bool value::to_int64(std::int64_t& out) const noexcept
{
    if (auto p = if_int64()) {
        out = *p;
        return true;
    }
    if (auto d = if_float64()) {
        if (*d >= -9223372036854775808.0 && *d < 9223372036854775808.0 && std::trunc(*d) == *d) {
            out = static_cast<std::int64_t>(*d);
            return true;
        }
    }
    return false;
}

bool value::to_uint64(std::uint64_t& out) const noexcept
{
    if (auto p = if_int64()) {
        if (*p < 0)
            return false;
        out = static_cast<std::uint64_t>(*p);
        return true;
    }
    if (auto p = if_uint64()) {
        out = *p;
        return true;
    }
    if (auto d = if_float64()) {
        if (*d >= 0 && *d < 18446744073709551616.0 && std::trunc(*d) == *d) {
            out = static_cast<std::uint64_t>(*d);
            return true;
        }
    }
    return false;
}

bool value::to_double(double& out) const noexcept
{
    switch (kind()) {
        case kind::int64: out = static_cast<double>(*if_int64()); return true;
        case kind::uint64: out = static_cast<double>(*if_uint64()); return true;
        case kind::big_integer:
            out = static_cast<double>(big_to_long_double(*if_big_integer()));
            return true;
        case kind::float64: out = *if_float64(); return true;
        default: return false;
    }
}

value const& value::flattened() const noexcept
{
    if (auto r = if_record(); r && r->size() == 1 && (*r)[0].is_value())
        return (*r)[0].val;
    return *this;
}

// ---- order ----------------------------------------------------------------------------------

namespace {

// Java's type rank: record < data < text < number < bool < extant < absent.
int type_rank(kind k) noexcept
{
    switch (k) {
        case kind::record: return 0;
        case kind::data: return 1;
        case kind::text: return 2;
        case kind::int64:
        case kind::uint64:
        case kind::big_integer:
        case kind::float64: return 3;
        case kind::boolean: return 4;
        case kind::extant: return 5;
        case kind::absent: return 6;
    }
    return 7;
}

template <class T>
std::strong_ordering cmp(T const& a, T const& b) noexcept
{
    return a < b   ? std::strong_ordering::less
           : b < a ? std::strong_ordering::greater
                   : std::strong_ordering::equal;
}

// Magnitude comparison of two digit strings without leading zeros.
std::strong_ordering cmp_digits(std::string const& a, std::string const& b) noexcept
{
    if (a.size() != b.size())
        return cmp(a.size(), b.size());
    return compare_text(a, b);
}

std::strong_ordering cmp_big(big_integer const& a, big_integer const& b) noexcept
{
    if (a.negative != b.negative)
        return a.negative ? std::strong_ordering::less : std::strong_ordering::greater;
    auto m = cmp_digits(a.digits, b.digits);
    return a.negative ? 0 <=> m : m;
}

// A big integer (magnitude beyond 2^63) against a double. Doubles of magnitude below 2^63 are
// beaten by the big integer's sign; larger ones are integers, compared digit by digit.
std::strong_ordering cmp_big_float(big_integer const& b, double d) noexcept
{
    if (std::isnan(d))
        return std::strong_ordering::less;  // NaN sorts after every number
    if (std::fabs(d) < 9223372036854775808.0)
        return b.negative ? std::strong_ordering::less : std::strong_ordering::greater;
    bool d_negative = d < 0;
    if (b.negative != d_negative)
        return b.negative ? std::strong_ordering::less : std::strong_ordering::greater;
    if (std::isinf(d))
        return d_negative ? std::strong_ordering::greater : std::strong_ordering::less;
    char buf[400];
    auto r = std::to_chars(buf, buf + sizeof buf, std::fabs(d), std::chars_format::fixed, 0);
    std::string digits(buf, r.ptr);
    auto m = cmp_digits(b.digits, digits);
    return b.negative ? 0 <=> m : m;
}

// Numbers compare by numeric value across kinds; NaN sorts after every other number.
std::strong_ordering cmp_numbers(value const& a, value const& b) noexcept
{
    kind ka = a.kind();
    kind kb = b.kind();
    if (ka == kb) {
        switch (ka) {
            case kind::int64: return cmp(*a.if_int64(), *b.if_int64());
            case kind::uint64: return cmp(*a.if_uint64(), *b.if_uint64());
            case kind::big_integer: return cmp_big(*a.if_big_integer(), *b.if_big_integer());
            default: break;
        }
    }
    // A big integer against a float: exactly (a long double cannot hold 2^64 + 1).
    if (ka == kind::big_integer && kb == kind::float64)
        return cmp_big_float(*a.if_big_integer(), *b.if_float64());
    if (kb == kind::big_integer && ka == kind::float64)
        return 0 <=> cmp_big_float(*b.if_big_integer(), *a.if_float64());
    // Big integers lie outside the 64-bit ranges.
    if (ka == kind::big_integer && kb != kind::float64)
        return a.if_big_integer()->negative ? std::strong_ordering::less
                                            : std::strong_ordering::greater;
    if (kb == kind::big_integer && ka != kind::float64)
        return b.if_big_integer()->negative ? std::strong_ordering::greater
                                            : std::strong_ordering::less;
    // int64 vs uint64: uint64 holds only values above INT64_MAX.
    if (ka == kind::int64 && kb == kind::uint64)
        return std::strong_ordering::less;
    if (ka == kind::uint64 && kb == kind::int64)
        return std::strong_ordering::greater;
    // One side is a float: compare in long double (exact for 64-bit integers).
    auto as_ld = [](value const& v) -> long double {
        switch (v.kind()) {
            case kind::int64: return static_cast<long double>(*v.if_int64());
            case kind::uint64: return static_cast<long double>(*v.if_uint64());
            case kind::big_integer: return big_to_long_double(*v.if_big_integer());
            default: return static_cast<long double>(*v.if_float64());
        }
    };
    long double x = as_ld(a);
    long double y = as_ld(b);
    bool xn = std::isnan(x);
    bool yn = std::isnan(y);
    if (xn || yn)
        return xn == yn ? std::strong_ordering::equal
               : xn     ? std::strong_ordering::greater
                        : std::strong_ordering::less;
    if (x < y)
        return std::strong_ordering::less;
    if (y < x)
        return std::strong_ordering::greater;
    return std::strong_ordering::equal;
}

}  // namespace

std::strong_ordering operator<=>(value const& a, value const& b) noexcept
{
    int ra = type_rank(a.kind());
    int rb = type_rank(b.kind());
    if (ra != rb)
        return cmp(ra, rb);
    switch (a.kind()) {
        case kind::record: return *a.if_record() <=> *b.if_record();
        case kind::data: {
            auto const& x = *a.if_data();
            auto const& y = *b.if_data();
            return std::lexicographical_compare_three_way(x.begin(), x.end(), y.begin(), y.end());
        }
        case kind::text: return compare_text(*a.if_text(), *b.if_text());
        case kind::boolean: return cmp(*a.if_bool(), *b.if_bool());
        case kind::extant:
        case kind::absent: return std::strong_ordering::equal;
        default: return cmp_numbers(a, b);
    }
}

bool operator==(value const& a, value const& b) noexcept
{
    if (a.kind() == b.kind()) {
        switch (a.kind()) {
            case kind::text: return *a.if_text() == *b.if_text();
            case kind::int64: return *a.if_int64() == *b.if_int64();
            case kind::record: return *a.if_record() == *b.if_record();
            default: break;
        }
    }
    return (a <=> b) == 0;
}

namespace {

std::size_t mix(std::size_t seed, std::size_t h) noexcept
{
    return seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

/// The hash of an integer beyond 64 bits by its sign and decimal digits.
std::size_t hash_digits(bool negative, std::string_view digits) noexcept
{
    return mix(negative ? 1 : 2, std::hash<std::string_view>{}(digits));
}

/// Numbers equal across kinds hash alike: integral ones in the 64-bit ranges by that integer,
/// integral ones beyond them by their exact decimal digits (as cmp_big_float compares a big
/// integer with a float), the others by their bits.
std::size_t hash_number(value const& v) noexcept
{
    switch (v.kind()) {
        case kind::int64: return std::hash<std::int64_t>{}(*v.if_int64());
        case kind::uint64: return std::hash<std::uint64_t>{}(*v.if_uint64());
        case kind::big_integer: {
            auto const& b = *v.if_big_integer();
            return hash_digits(b.negative, b.digits);
        }
        default: break;
    }
    double const d = *v.if_float64();
    if (std::isnan(d))
        return 0x6a09e667f3bcc908ULL;
    if (std::isinf(d) || d != std::trunc(d))
        return std::hash<double>{}(d);
    if (d >= -0x1p63 && d < 0x1p63)
        return std::hash<std::int64_t>{}(static_cast<std::int64_t>(d));
    if (d >= 0 && d < 0x1p64)
        return std::hash<std::uint64_t>{}(static_cast<std::uint64_t>(d));
    char buf[400];
    auto const r = std::to_chars(buf, buf + sizeof buf, std::fabs(d), std::chars_format::fixed, 0);
    return hash_digits(d < 0, std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

}  // namespace

std::size_t hash_value(value const& v) noexcept
{
    std::size_t const rank = static_cast<std::size_t>(type_rank(v.kind()));
    switch (v.kind()) {
        case kind::text: return mix(rank, std::hash<std::string_view>{}(*v.if_text()));
        case kind::data: {
            auto const& d = *v.if_data();
            std::string_view bytes(reinterpret_cast<char const*>(d.data()), d.size());
            return mix(rank, std::hash<std::string_view>{}(bytes));
        }
        case kind::boolean: return mix(rank, *v.if_bool() ? 1 : 0);
        case kind::record: {
            std::size_t h = rank;
            for (auto const& i : *v.if_record()) {
                h = mix(h, static_cast<std::size_t>(i.kind));
                if (!i.is_value())
                    h = mix(h, hash_value(i.key));
                h = mix(h, hash_value(i.val));
            }
            return h;
        }
        case kind::extant:
        case kind::absent: return rank;
        default: return mix(rank, hash_number(v));
    }
}

std::strong_ordering operator<=>(item const& a, item const& b) noexcept
{
    // attr < slot < plain value (Java item type order).
    auto rank = [](item const& i) {
        return i.is_attr() ? 0 : i.is_slot() ? 1 : 2;
    };
    if (rank(a) != rank(b))
        return cmp(rank(a), rank(b));
    if (!a.is_value()) {
        auto k = a.key <=> b.key;
        if (k != 0)
            return k;
    }
    return a.val <=> b.val;
}

bool operator==(item const& a, item const& b) noexcept
{
    return a.kind == b.kind && (a.is_value() || a.key == b.key) && a.val == b.val;
}

bool operator==(record const& a, record const& b)
{
    return a.items_ == b.items_;
}

std::strong_ordering operator<=>(record const& a, record const& b)
{
    return std::lexicographical_compare_three_way(
        a.items_.begin(),
        a.items_.end(),
        b.items_.begin(),
        b.items_.end());
}

}  // namespace swim::recon
