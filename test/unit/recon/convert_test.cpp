// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/convert.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "print.hpp"

namespace recon = swim::recon;
using recon::conversion_error;
using recon::item;
using recon::make_record;
using recon::record;
using recon::value;

namespace convert_test_types {

enum class color {
    red,
    green,
    blue
};
BOOST_DESCRIBE_ENUM(color, red, green, blue)

enum level : unsigned char {
    low = 1,
    high = 2
};
BOOST_DESCRIBE_ENUM(level, low, high)

inline std::ostream& operator<<(std::ostream& os, color c)
{
    return os << "color(" << static_cast<int>(c) << ")";
}

struct room {
    bool light = false;
    std::optional<int> temp;
    color shade = color::red;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(room, (), (light, temp, shade, name))

struct building {
    std::map<std::string, std::vector<room>> wings;
    std::uint8_t floors = 0;
};
BOOST_DESCRIBE_STRUCT(building, (), (wings, floors))

struct all_optional {
    std::optional<std::string> a;
    std::optional<double> b;
};
BOOST_DESCRIBE_STRUCT(all_optional, (), (a, b))

struct base {
    int id = 0;
};
BOOST_DESCRIBE_STRUCT(base, (), (id))

struct derived : base {
    std::string label;
};
BOOST_DESCRIBE_STRUCT(derived, (base), (label))

struct empty_struct {};
BOOST_DESCRIBE_STRUCT(empty_struct, (), ())

// Not described: converts through a user specialisation of converter.
struct point {
    int x = 0;
    int y = 0;
};

// Described, but the user specialisation wins.
struct celsius {
    double degrees = 0;
};
BOOST_DESCRIBE_STRUCT(celsius, (), (degrees))

}  // namespace convert_test_types

namespace ct = convert_test_types;

template <>
struct swim::recon::converter<ct::point> {
    static value to_value(ct::point const& p) { return value(record{p.x, p.y}); }
    static bool from_value(value const& v, ct::point& out, conversion_error& err)
    {
        auto r = v.if_record();
        if (!r || r->size() != 2) {
            err.fail_type("record of two numbers", v);
            return false;
        }
        if (!converter<int>::from_value((*r)[0].val, out.x, err)) {
            err.prepend_index(0);
            return false;
        }
        if (!converter<int>::from_value((*r)[1].val, out.y, err)) {
            err.prepend_index(1);
            return false;
        }
        return true;
    }
};

template <>
struct swim::recon::converter<ct::celsius> {
    static value to_value(ct::celsius const& c) { return value(c.degrees); }
    static bool from_value(value const& v, ct::celsius& out, conversion_error& err)
    {
        return converter<double>::from_value(v, out.degrees, err);
    }
};

namespace {

// Equal kinds all the way down (value's == compares numbers across kinds).
bool same_kinds(value const& a, value const& b)
{
    if (a.kind() != b.kind())
        return false;
    if (!a.is_record())
        return a == b;
    auto const& x = a.as_record();
    auto const& y = b.as_record();
    if (x.size() != y.size())
        return false;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i].kind != y[i].kind || !same_kinds(x[i].key, y[i].key) ||
            !same_kinds(x[i].val, y[i].val))
            return false;
    return true;
}

boost::test_tools::assertion_result same(value const& a, value const& b)
{
    boost::test_tools::assertion_result res(same_kinds(a, b));
    if (!res)
        res.message() << swim_test::describe(a) << " != " << swim_test::describe(b);
    return res;
}

// The message of converting `v` to T, or "ok".
template <class T>
std::string error_of(value const& v)
{
    T out{};
    conversion_error err;
    if (recon::value_to(v, out, err))
        return "ok";
    return err.message();
}

template <class T>
conversion_error error_struct_of(value const& v)
{
    T out{};
    conversion_error err;
    BOOST_TEST(!recon::value_to(v, out, err));
    return err;
}

value big(bool negative, std::string digits)
{
    return value(recon::big_integer{negative, std::move(digits)});
}

ct::room kitchen()
{
    return ct::room{true, 21, ct::color::green, "kitchen"};
}

value kitchen_value()
{
    return value(make_record(
        item::slot("light", true),
        item::slot("temp", 21),
        item::slot("shade", "green"),
        item::slot("name", "kitchen")));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(convert)

// ---- bool --------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(bool_both_ways)
{
    BOOST_TEST(same(recon::value_from(true), value(true)));
    BOOST_TEST(same(recon::value_from(false), value(false)));
    BOOST_TEST(recon::value_to<bool>(value(true)) == true);
    BOOST_TEST(recon::value_to<bool>(value(false)) == false);
    BOOST_TEST(recon::value_to<bool>(value(record{true})) == true);
    BOOST_TEST(error_of<bool>(value("true")) == "expected bool, got text");
    BOOST_TEST(error_of<bool>(value(1)) == "expected bool, got int64");
    BOOST_TEST(error_of<bool>(value()) == "expected bool, got absent");
    BOOST_TEST(error_of<bool>(value(record{true, false})) == "expected bool, got record");
    BOOST_TEST(error_struct_of<bool>(value(1)).code == recon::error::type_mismatch);
}

// ---- integers ----------------------------------------------------------------------------------

using integer_types = std::tuple<
    signed char,
    unsigned char,
    short,
    unsigned short,
    int,
    unsigned,
    long,
    unsigned long,
    long long,
    unsigned long long>;

BOOST_AUTO_TEST_CASE_TEMPLATE(integer_limits_round_trip, I, integer_types)
{
    for (I x : {std::numeric_limits<I>::min(), I(0), I(1), std::numeric_limits<I>::max()}) {
        value v = recon::value_from(x);
        BOOST_TEST(v.is_integer());
        BOOST_TEST(recon::value_to<I>(v) == x);
    }
    // One past each end is out of range (nothing is past the ends of int64 and uint64 in
    // int64/uint64, so use a big integer there).
    value below = std::is_signed_v<I> && sizeof(I) < 8
                      ? value(std::int64_t(std::numeric_limits<I>::min()) - 1)
                  : std::is_signed_v<I> ? big(true, "9223372036854775809")
                                        : value(-1);
    value above = sizeof(I) < 8 ? value(std::uint64_t(std::numeric_limits<I>::max()) + 1)
                                : big(false, "18446744073709551616");
    BOOST_TEST(error_struct_of<I>(below).code == recon::error::out_of_range);
    BOOST_TEST(error_struct_of<I>(above).code == recon::error::out_of_range);
    BOOST_TEST(error_struct_of<I>(value("1")).code == recon::error::type_mismatch);
}

BOOST_AUTO_TEST_CASE(integer_values_and_kinds)
{
    BOOST_TEST(same(recon::value_from(std::uint8_t(200)), value(200)));
    BOOST_TEST(recon::value_from(std::uint64_t(1) << 63).kind() == recon::kind::uint64);
    BOOST_TEST(recon::value_from(std::uint64_t(5)).kind() == recon::kind::int64);
    BOOST_TEST(
        recon::value_to<std::uint64_t>(value(std::uint64_t(1) << 63)) == std::uint64_t(1) << 63);
    BOOST_TEST(recon::value_to<std::int16_t>(value(-300)) == -300);
}

BOOST_AUTO_TEST_CASE(integer_reads_integral_floats)
{
    BOOST_TEST(recon::value_to<int>(value(5.0)) == 5);
    BOOST_TEST(recon::value_to<std::uint8_t>(value(255.0)) == 255);
    BOOST_TEST(recon::value_to<std::int64_t>(value(-9223372036854775808.0)) == INT64_MIN);
    BOOST_TEST(
        recon::value_to<std::uint64_t>(value(9223372036854775808.0)) == std::uint64_t(1) << 63);
}

BOOST_AUTO_TEST_CASE(integer_reads_one_item_record)
{
    BOOST_TEST(recon::value_to<int>(value(record{5})) == 5);
    BOOST_TEST(
        recon::value_to<std::uint64_t>(value(record{std::uint64_t(1) << 63})) == std::uint64_t(1)
                                                                                     << 63);
    // Flattened once only.
    BOOST_TEST(
        error_of<std::uint16_t>(value(record{value(record{7})})) == "expected uint16, got record");
    // A one-item record holding a slot or an attribute is not a scalar.
    BOOST_TEST(
        error_of<int>(value(make_record(item::slot("a", 5)))) == "expected int32, got record");
    BOOST_TEST(
        error_of<int>(value(make_record(item::attr("a", 5)))) == "expected int32, got record");
}

struct error_row {
    char const* name;
    std::string (*run)();
    char const* expected;
};

std::ostream& operator<<(std::ostream& os, error_row const& row)
{
    return os << row.name;
}

std::vector<error_row> const integer_error_rows{
    {"uint8 300",
     [] { return error_of<std::uint8_t>(value(300)); },
     "300 is out of range for uint8"},
    {"uint8 -1", [] { return error_of<std::uint8_t>(value(-1)); }, "-1 is out of range for uint8"},
    {"int8 128", [] { return error_of<std::int8_t>(value(128)); }, "128 is out of range for int8"},
    {"int8 -129",
     [] { return error_of<std::int8_t>(value(-129)); },
     "-129 is out of range for int8"},
    {"uint32 -1",
     [] { return error_of<std::uint32_t>(value(-1)); },
     "-1 is out of range for uint32"},
    {"int32 2^31",
     [] { return error_of<std::int32_t>(value(2147483648LL)); },
     "2147483648 is out of range for int32"},
    {"int64 2^63",
     [] { return error_of<std::int64_t>(value(std::uint64_t(1) << 63)); },
     "9223372036854775808 is out of range for int64"},
    {"uint64 2^64",
     [] { return error_of<std::uint64_t>(big(false, "18446744073709551616")); },
     "18446744073709551616 is out of range for uint64"},
    {"int64 -2^64",
     [] { return error_of<std::int64_t>(big(true, "18446744073709551616")); },
     "-18446744073709551616 is out of range for int64"},
    {"int32 1.5",
     [] { return error_of<std::int32_t>(value(1.5)); },
     "expected int32, got float64 1.5"},
    {"int64 1e20",
     [] { return error_of<std::int64_t>(value(1e20)); },
     "1e+20 is out of range for int64"},
    {"uint16 -2.0",
     [] { return error_of<std::uint16_t>(value(-2.0)); },
     "-2 is out of range for uint16"},
    {"int32 nan",
     [] { return error_of<std::int32_t>(value(std::numeric_limits<double>::quiet_NaN())); },
     "expected int32, got float64 nan"},
    {"int16 text", [] { return error_of<std::int16_t>(value("5")); }, "expected int16, got text"},
    {"uint32 record",
     [] { return error_of<std::uint32_t>(value(record{})); },
     "expected uint32, got record"},
    {"int32 {5,6}",
     [] {
         return error_of<std::int32_t>(value(record{5, 6}));
     },
     "expected int32, got record"},
    {"int32 extant",
     [] { return error_of<std::int32_t>(value(recon::extant)); },
     "expected int32, got extant"},
    {"int32 ok", [] { return error_of<std::int32_t>(value(record{-5})); }, "ok"},
};

BOOST_DATA_TEST_CASE(integer_error_messages, boost::unit_test::data::make(integer_error_rows), row)
{
    BOOST_TEST(row.run() == std::string(row.expected));
}

// ---- floats ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(float_and_double_both_ways)
{
    value d = recon::value_from(1.25);
    BOOST_TEST(d.kind() == recon::kind::float64);
    BOOST_TEST(*d.if_float64() == 1.25);
    value f = recon::value_from(2.5f);
    BOOST_TEST(f.kind() == recon::kind::float64);
    BOOST_TEST(*f.if_float64() == 2.5);
    BOOST_TEST(recon::value_to<double>(value(1.25)) == 1.25);
    BOOST_TEST(recon::value_to<float>(value(2.5)) == 2.5f);
    BOOST_TEST(recon::value_to<float>(value(record{2.5})) == 2.5f);
}

BOOST_AUTO_TEST_CASE(floats_accept_integers)
{
    BOOST_TEST(recon::value_to<double>(value(3)) == 3.0);
    BOOST_TEST(recon::value_to<double>(value(-3)) == -3.0);
    BOOST_TEST(
        recon::value_to<double>(value(std::numeric_limits<std::uint64_t>::max())) ==
        18446744073709551615.0);
    BOOST_TEST(recon::value_to<double>(big(false, "100000000000000000000")) == 1e20);
    BOOST_TEST(recon::value_to<double>(big(true, "100000000000000000000")) == -1e20);
    BOOST_TEST(recon::value_to<float>(value(7)) == 7.0f);
}

BOOST_AUTO_TEST_CASE(float_errors)
{
    BOOST_TEST(error_of<double>(value("1.5")) == "expected float64, got text");
    BOOST_TEST(error_of<float>(value(true)) == "expected float32, got bool");
    BOOST_TEST(error_of<float>(value(1e300)) == "1e+300 is out of range for float32");
    BOOST_TEST(error_of<float>(value(-1e39)) == "-1e+39 is out of range for float32");
    BOOST_TEST(error_struct_of<float>(value(1e300)).code == recon::error::out_of_range);
    std::string huge(400, '9');
    BOOST_TEST(error_of<double>(big(false, huge)) == huge + " is out of range for float64");
    // A float's own infinity is kept, not out of range.
    BOOST_TEST(
        recon::value_to<float>(value(std::numeric_limits<double>::infinity())) ==
        std::numeric_limits<float>::infinity());
}

// ---- text --------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(string_both_ways)
{
    BOOST_TEST(same(recon::value_from(std::string("hello")), value("hello")));
    BOOST_TEST(same(recon::value_from(std::string()), value("")));
    BOOST_TEST(recon::value_to<std::string>(value("h\xc3\xa9")) == "h\xc3\xa9");
    BOOST_TEST(recon::value_to<std::string>(value(record{"x"})) == "x");
    BOOST_TEST(error_of<std::string>(value(5)) == "expected text, got int64");
    BOOST_TEST(error_of<std::string>(value(recon::blob{1})) == "expected text, got data");
    BOOST_TEST(error_of<std::string>(value(recon::extant)) == "expected text, got extant");
}

// ---- value and record --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(value_is_identity)
{
    value v(make_record(item::attr("a", 1), item::slot("k", record{1, 2}), "x"));
    BOOST_TEST(same(recon::value_from(v), v));
    BOOST_TEST(same(recon::value_to<value>(v), v));
    // No flattening for value itself.
    BOOST_TEST(same(recon::value_to<value>(value(record{5})), value(record{5})));
    BOOST_TEST(recon::value_to<value>(value()).is_absent());
}

BOOST_AUTO_TEST_CASE(record_both_ways)
{
    record r{1, "a"};
    BOOST_TEST(same(recon::value_from(r), value(r)));
    BOOST_TEST(same(value(recon::value_to<record>(value(r))), value(r)));
    BOOST_TEST(error_of<record>(value(1)) == "expected record, got int64");
}

// ---- enums -------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(enum_both_ways)
{
    BOOST_TEST(same(recon::value_from(ct::color::green), value("green")));
    BOOST_TEST(same(recon::value_from(ct::high), value("high")));
    BOOST_TEST(recon::value_to<ct::color>(value("blue")) == ct::color::blue);
    BOOST_TEST(recon::value_to<ct::color>(value(record{"red"})) == ct::color::red);
    BOOST_TEST(recon::value_to<ct::level>(value("low")) == ct::low);
}

BOOST_AUTO_TEST_CASE(enum_errors)
{
    BOOST_TEST(error_of<ct::color>(value("purple")) == "'purple' is not one of red, green, blue");
    BOOST_TEST(error_struct_of<ct::color>(value("purple")).code == recon::error::invalid_value);
    BOOST_TEST(error_of<ct::color>(value("Red")) == "'Red' is not one of red, green, blue");
    BOOST_TEST(error_of<ct::color>(value(1)) == "expected text, got int64");
    BOOST_TEST(error_struct_of<ct::color>(value(1)).code == recon::error::type_mismatch);
}

BOOST_AUTO_TEST_CASE(enum_unnamed_value_is_written_as_its_integer)
{
    BOOST_TEST(same(recon::value_from(static_cast<ct::color>(7)), value(7)));
    BOOST_TEST(same(recon::value_from(static_cast<ct::level>(200)), value(200)));
}

// ---- optional ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(optional_both_ways)
{
    BOOST_TEST(recon::value_from(std::optional<int>()).is_extant());
    BOOST_TEST(same(recon::value_from(std::optional<int>(4)), value(4)));
    BOOST_TEST(!recon::value_to<std::optional<int>>(value()).has_value());
    BOOST_TEST(!recon::value_to<std::optional<int>>(value(recon::extant)).has_value());
    BOOST_TEST((recon::value_to<std::optional<int>>(value(4)) == std::optional<int>(4)));
    BOOST_TEST((recon::value_to<std::optional<int>>(value(record{4})) == std::optional<int>(4)));
    BOOST_TEST(error_of<std::optional<int>>(value("x")) == "expected int32, got text");
    // An engaged optional read from extant becomes empty.
    std::optional<int> o = 3;
    conversion_error err;
    BOOST_TEST(recon::value_to(value(recon::extant), o, err));
    BOOST_TEST(!o.has_value());
}

// ---- vector ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(vector_both_ways)
{
    std::vector<int> xs{1, 2, 3};
    BOOST_TEST(same(recon::value_from(xs), value(record{1, 2, 3})));
    BOOST_TEST(recon::value_to<std::vector<int>>(value(record{1, 2, 3})) == xs);
    BOOST_TEST(same(recon::value_from(std::vector<int>{}), value(record{})));
    BOOST_TEST(recon::value_to<std::vector<int>>(value(record{})).empty());
    std::vector<std::string> names{"a", "b"};
    BOOST_TEST(same(recon::value_from(names), value(record{"a", "b"})));
    std::vector<std::vector<int>> nested{{1}, {}, {2, 3}};
    value nv(record{value(record{1}), value(record{}), value(record{2, 3})});
    BOOST_TEST(same(recon::value_from(nested), nv));
    BOOST_TEST(recon::value_to<std::vector<std::vector<int>>>(nv) == nested);
}

BOOST_AUTO_TEST_CASE(vector_of_bool)
{
    std::vector<bool> bs{true, false, true};
    BOOST_TEST(same(recon::value_from(bs), value(record{true, false, true})));
    BOOST_TEST(recon::value_to<std::vector<bool>>(value(record{true, false, true})) == bs);
}

BOOST_AUTO_TEST_CASE(vector_lenient_reads)
{
    // Absent and extant are empty (an empty body); a lone value is one element (Java writes
    // the body {5} as 5); attributes are skipped.
    BOOST_TEST(recon::value_to<std::vector<int>>(value()).empty());
    BOOST_TEST(recon::value_to<std::vector<int>>(value(recon::extant)).empty());
    BOOST_TEST(recon::value_to<std::vector<int>>(value(5)) == std::vector<int>{5});
    BOOST_TEST(
        recon::value_to<std::vector<int>>(value(make_record(item::attr("list"), 1, 2))) ==
        (std::vector<int>{1, 2}));
    // A previous content is replaced.
    std::vector<int> out{9, 9, 9, 9};
    conversion_error err;
    BOOST_TEST(recon::value_to(value(record{1}), out, err));
    BOOST_TEST(out == std::vector<int>{1});
}

BOOST_AUTO_TEST_CASE(vector_errors)
{
    BOOST_TEST(
        error_of<std::vector<int>>(value(record{1, 2, "x"})) == "[2]: expected int32, got text");
    BOOST_TEST(error_of<std::vector<int>>(value("x")) == "[0]: expected int32, got text");
    BOOST_TEST(
        error_of<std::vector<int>>(value(make_record(1, item::slot("a", 2)))) ==
        "expected a record of plain values, got a slot at item 1");
    BOOST_TEST(
        error_of<std::vector<std::vector<int>>>(
            value(record{value(record{1}), value(record{2, true})})) ==
        "[1][1]: expected int32, got bool");
    // The index is the element's: attributes do not count.
    BOOST_TEST(
        error_of<std::vector<int>>(value(make_record(item::attr("a"), 1, "x"))) ==
        "[1]: expected int32, got text");
}

BOOST_AUTO_TEST_CASE(blob_is_data)
{
    recon::blob b{0, 1, 255};
    value v = recon::value_from(b);
    BOOST_TEST(v.is_data());
    BOOST_TEST(*v.if_data() == b);
    BOOST_TEST(recon::value_to<recon::blob>(v) == b);
    BOOST_TEST(recon::value_to<recon::blob>(value(record{0, 1, 255})) == b);
    BOOST_TEST(recon::value_to<recon::blob>(value(recon::extant)).empty());
    BOOST_TEST(
        error_of<recon::blob>(value(record{1, 2, 300})) == "[2]: 300 is out of range for uint8");
    BOOST_TEST(error_of<recon::blob>(value("AAE=")) == "[0]: expected uint8, got text");
}

// ---- maps --------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(map_both_ways)
{
    std::map<std::string, int> m{{"b", 2}, {"a", 1}};
    value v(make_record(item::slot("a", 1), item::slot("b", 2)));
    BOOST_TEST(same(recon::value_from(m), v));
    BOOST_TEST((recon::value_to<std::map<std::string, int>>(v) == m));
    std::map<int, std::string> by_int{{1, "x"}, {-2, "y"}};
    value iv(make_record(item::slot(-2, "y"), item::slot(1, "x")));
    BOOST_TEST(same(recon::value_from(by_int), iv));
    BOOST_TEST((recon::value_to<std::map<int, std::string>>(iv) == by_int));
    BOOST_TEST((recon::value_to<std::map<std::string, int>>(value(recon::extant)).empty()));
}

BOOST_AUTO_TEST_CASE(unordered_map_both_ways)
{
    std::unordered_map<std::string, std::vector<int>> m{{"x", {1}}, {"y", {}}};
    value v = recon::value_from(m);
    BOOST_TEST(v.as_record().size() == 2u);
    BOOST_TEST(same(*v.as_record().find("x"), value(record{1})));
    BOOST_TEST(same(*v.as_record().find("y"), value(record{})));
    BOOST_TEST((recon::value_to<std::unordered_map<std::string, std::vector<int>>>(v) == m));
}

BOOST_AUTO_TEST_CASE(map_repeated_key_keeps_last_and_skips_attributes)
{
    value v(make_record(item::attr("m"), item::slot("a", 1), item::slot("a", 2)));
    auto m = recon::value_to<std::map<std::string, int>>(v);
    BOOST_TEST(m.size() == 1u);
    BOOST_TEST(m["a"] == 2);
}

BOOST_AUTO_TEST_CASE(map_errors)
{
    using map_t = std::map<std::string, int>;
    BOOST_TEST(
        error_of<map_t>(value(make_record(item::slot("a", 1), item::slot("b", "x")))) ==
        "[b]: expected int32, got text");
    BOOST_TEST(error_of<map_t>(value(5)) == "expected record, got int64");
    BOOST_TEST(
        error_of<map_t>(value(record{1})) ==
        "expected a record of slots, got a plain value at item 0");
    BOOST_TEST(
        (error_of<std::map<int, int>>(value(make_record(item::slot("x", 1))))) ==
        "[x]: invalid key: expected int32, got text");
    // A non-text key is shown as Recon text.
    BOOST_TEST(
        (error_of<std::map<int, bool>>(value(make_record(item::slot(5, 1))))) ==
        "[5]: expected bool, got int64");
    auto err = error_struct_of<map_t>(value(make_record(item::slot("b", "x"))));
    BOOST_TEST(err.code == recon::error::type_mismatch);
    BOOST_TEST(err.path == "[b]");
    BOOST_TEST(err.reason == "expected int32, got text");
}

// ---- described structs -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(struct_to_value_in_declaration_order)
{
    BOOST_TEST(same(recon::value_from(kitchen()), kitchen_value()));
    ct::room r;
    value v = recon::value_from(r);
    BOOST_TEST(same(
        v,
        value(make_record(
            item::slot("light", false),
            item::slot("temp", recon::extant),
            item::slot("shade", "red"),
            item::slot("name", "")))));
}

BOOST_AUTO_TEST_CASE(struct_from_value)
{
    auto r = recon::value_to<ct::room>(kitchen_value());
    BOOST_TEST(r.light == true);
    BOOST_TEST((r.temp == std::optional<int>(21)));
    BOOST_TEST((r.shade == ct::color::green));
    BOOST_TEST(r.name == "kitchen");
}

BOOST_AUTO_TEST_CASE(struct_ignores_unknown_slots_order_and_tags)
{
    // Another order, a tag (Rust writes @room{...}), an unknown slot, the optional missing.
    value v(make_record(
        item::attr("room"),
        item::slot("name", "hall"),
        item::slot("extra", record{1, 2}),
        item::slot("shade", "blue"),
        item::slot("light", record{false})));
    ct::room r;
    r.temp = 5;  // reset by the missing slot
    conversion_error err;
    BOOST_TEST(recon::value_to(v, r, err));
    BOOST_TEST(!err);
    BOOST_TEST(r.light == false);
    BOOST_TEST(!r.temp.has_value());
    BOOST_TEST((r.shade == ct::color::blue));
    BOOST_TEST(r.name == "hall");
}

BOOST_AUTO_TEST_CASE(struct_missing_field)
{
    value v(make_record(item::slot("light", true), item::slot("shade", "red")));
    auto err = error_struct_of<ct::room>(v);
    BOOST_TEST(err.code == recon::error::missing_field);
    BOOST_TEST(err.path == "name");
    BOOST_TEST(err.message() == "name: missing field");
    BOOST_TEST(error_of<ct::room>(value(recon::extant)) == "light: missing field");
    BOOST_TEST(error_of<ct::room>(value(5)) == "expected record, got int64");
}

BOOST_AUTO_TEST_CASE(struct_all_optional_reads_extant)
{
    auto a = recon::value_to<ct::all_optional>(value(recon::extant));
    BOOST_TEST(!a.a.has_value());
    BOOST_TEST(!a.b.has_value());
    auto b = recon::value_to<ct::all_optional>(value(make_record(item::slot("b", 2))));
    BOOST_TEST((b.b == std::optional<double>(2.0)));
    BOOST_TEST(same(
        recon::value_from(ct::all_optional{}),
        value(make_record(item::slot("a", recon::extant), item::slot("b", recon::extant)))));
}

BOOST_AUTO_TEST_CASE(struct_with_base)
{
    ct::derived d;
    d.id = 3;
    d.label = "x";
    value v = recon::value_from(d);
    BOOST_TEST(same(v, value(make_record(item::slot("id", 3), item::slot("label", "x")))));
    auto back = recon::value_to<ct::derived>(v);
    BOOST_TEST(back.id == 3);
    BOOST_TEST(back.label == "x");
}

BOOST_AUTO_TEST_CASE(empty_struct)
{
    BOOST_TEST(same(recon::value_from(ct::empty_struct{}), value(record{})));
    conversion_error err;
    ct::empty_struct e;
    BOOST_TEST(recon::value_to(value(make_record(item::slot("a", 1))), e, err));
}

BOOST_AUTO_TEST_CASE(nested_struct_round_trip)
{
    ct::building b;
    b.floors = 4;
    b.wings["east"] = {kitchen(), ct::room{}};
    b.wings["west"] = {};
    value v = recon::value_from(b);
    value expected(make_record(
        item::slot(
            "wings",
            make_record(
                item::slot("east", record{kitchen_value(), recon::value_from(ct::room{})}),
                item::slot("west", record{}))),
        item::slot("floors", 4)));
    BOOST_TEST(same(v, expected));
    auto back = recon::value_to<ct::building>(v);
    BOOST_TEST(back.floors == 4);
    BOOST_TEST(back.wings.size() == 2u);
    BOOST_TEST(back.wings["east"].size() == 2u);
    BOOST_TEST(back.wings["east"][0].name == "kitchen");
    BOOST_TEST(back.wings["west"].empty());
}

BOOST_AUTO_TEST_CASE(nested_error_paths)
{
    // A struct inside a vector inside a map.
    value bad_room(
        make_record(item::slot("light", "on"), item::slot("shade", "red"), item::slot("name", "")));
    value wings(make_record(
        item::slot("east", record{kitchen_value()}),
        item::slot("north", record{kitchen_value(), kitchen_value(), bad_room})));
    using wings_t = std::map<std::string, std::vector<ct::room>>;
    auto err = error_struct_of<wings_t>(wings);
    BOOST_TEST(err.code == recon::error::type_mismatch);
    BOOST_TEST(err.path == "[north][2].light");
    BOOST_TEST(err.reason == "expected bool, got text");
    BOOST_TEST(err.message() == "[north][2].light: expected bool, got text");

    value b(make_record(item::slot("wings", wings), item::slot("floors", 1)));
    BOOST_TEST(error_of<ct::building>(b) == "wings[north][2].light: expected bool, got text");

    // A missing field deep down.
    value no_name(make_record(item::slot("light", true), item::slot("shade", "red")));
    value b2(make_record(
        item::slot("wings", make_record(item::slot("east", record{kitchen_value(), no_name}))),
        item::slot("floors", 1)));
    auto err2 = error_struct_of<ct::building>(b2);
    BOOST_TEST(err2.code == recon::error::missing_field);
    BOOST_TEST(err2.message() == "wings[east][1].name: missing field");

    // An enum and a range error deep down.
    value bad_shade(make_record(
        item::slot("light", true),
        item::slot("shade", "pink"),
        item::slot("name", "")));
    value b3(make_record(
        item::slot("wings", make_record(item::slot("e", record{bad_shade}))),
        item::slot("floors", 1)));
    BOOST_TEST(
        error_of<ct::building>(b3) == "wings[e][0].shade: 'pink' is not one of red, green, blue");
    value b4(make_record(item::slot("wings", record{}), item::slot("floors", 256)));
    BOOST_TEST(error_of<ct::building>(b4) == "floors: 256 is out of range for uint8");
    // A vector inside a struct inside a vector.
    BOOST_TEST(
        error_of<std::vector<ct::building>>(
            value(record{value(make_record(item::slot("wings", 1), item::slot("floors", 1)))})) ==
        "[0].wings: expected record, got int64");
}

// ---- user converters ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(user_converter)
{
    BOOST_TEST(same(recon::value_from(ct::point{1, 2}), value(record{1, 2})));
    auto p = recon::value_to<ct::point>(value(record{3, 4}));
    BOOST_TEST(p.x == 3);
    BOOST_TEST(p.y == 4);
    std::map<std::string, ct::point> m{{"p", {1, 2}}};
    BOOST_TEST(same(recon::value_from(m), value(make_record(item::slot("p", record{1, 2})))));
    BOOST_TEST(
        (error_of<std::map<std::string, ct::point>>(value(
            make_record(item::slot("p", record{1, "y"}))))) == "[p][1]: expected int32, got text");
    BOOST_TEST(error_of<ct::point>(value(1)) == "expected record of two numbers, got int64");
}

BOOST_AUTO_TEST_CASE(user_converter_beats_describe)
{
    BOOST_TEST(same(recon::value_from(ct::celsius{21.5}), value(21.5)));
    BOOST_TEST(recon::value_to<ct::celsius>(value(19)).degrees == 19.0);
}

// ---- errors and exceptions ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(throwing_value_to)
{
    try {
        (void)recon::value_to<std::vector<std::uint16_t>>(value(record{1, 70000}));
        BOOST_FAIL("no exception");
    } catch (recon::conversion_exception const& e) {
        BOOST_TEST(std::string(e.what()) == "[1]: 70000 is out of range for uint16");
        BOOST_TEST(e.error().code == recon::error::out_of_range);
        BOOST_TEST(e.error().path == "[1]");
    }
    BOOST_CHECK_THROW((void)recon::value_to<int>(value("x")), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(error_is_cleared_on_success)
{
    conversion_error err;
    int x = 0;
    BOOST_TEST(!recon::value_to(value("x"), x, err));
    BOOST_TEST(static_cast<bool>(err));
    BOOST_TEST(recon::value_to(value(7), x, err));
    BOOST_TEST(!err);
    BOOST_TEST(err.path.empty());
    BOOST_TEST(err.reason.empty());
    BOOST_TEST(x == 7);
}

BOOST_AUTO_TEST_CASE(error_message_and_path_building)
{
    conversion_error err;
    err.fail(recon::error::invalid_value, "bad");
    BOOST_TEST(err.message() == "bad");
    err.prepend_member("c");
    err.prepend_index(3);
    err.prepend_member("b");
    err.prepend_key(value("k"));
    err.prepend_member("a");
    BOOST_TEST(err.path == "a[k].b[3].c");
    BOOST_TEST(err.message() == "a[k].b[3].c: bad");
    // Without a reason the code's message stands in.
    conversion_error bare;
    bare.code = recon::error::missing_field;
    bare.path = "x";
    BOOST_TEST(bare.message() == "x: missing field");
}

BOOST_AUTO_TEST_SUITE_END()
