// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// The value model of value.hpp: integer normalisation, numeric equality across kinds, the
// total order (Java type rank, then within the type), flattened(), and the record helpers.

#include <swim/recon/value.hpp>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <compare>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "build.hpp"
#include "print.hpp"

namespace bdata = boost::unit_test::data;
using namespace swim::recon;
using swim_test::attr;
using swim_test::bytes;
using swim_test::dump;
using swim_test::rec;
using swim_test::slot;

namespace {

value big(bool negative, std::string digits)
{
    return value(big_integer{negative, std::move(digits)});
}

char const* order_name(std::strong_ordering o)
{
    return o == 0 ? "equal" : o < 0 ? "less" : "greater";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recon_value)

BOOST_AUTO_TEST_CASE(integer_normalisation)
{
    BOOST_TEST(value(5u).kind() == kind::int64);
    BOOST_TEST(value(std::uint64_t{5}).kind() == kind::int64);
    BOOST_TEST(value(std::uint64_t{9223372036854775807ull}).kind() == kind::int64);
    BOOST_TEST(value(std::uint64_t{9223372036854775808ull}).kind() == kind::uint64);
    BOOST_TEST(*value(std::uint64_t{9223372036854775808ull}).if_uint64() == 9223372036854775808ull);
    BOOST_TEST(value(std::int8_t{-3}).kind() == kind::int64);
    BOOST_TEST(value(std::uint16_t{65535}).kind() == kind::int64);

    // big integers in range become int64 / uint64
    BOOST_TEST(big(false, "5").kind() == kind::int64);
    BOOST_TEST(*big(false, "5").if_int64() == 5);
    BOOST_TEST(big(true, "5").kind() == kind::int64);
    BOOST_TEST(*big(true, "5").if_int64() == -5);
    BOOST_TEST(big(true, "9223372036854775808").kind() == kind::int64);
    BOOST_TEST(
        *big(true, "9223372036854775808").if_int64() == std::numeric_limits<std::int64_t>::min());
    BOOST_TEST(big(false, "9223372036854775808").kind() == kind::uint64);
    BOOST_TEST(big(false, "18446744073709551615").kind() == kind::uint64);
    BOOST_TEST(big(false, "18446744073709551616").kind() == kind::big_integer);
    BOOST_TEST(big(true, "9223372036854775809").kind() == kind::big_integer);
    BOOST_TEST(big(true, "18446744073709551615").kind() == kind::big_integer);
    BOOST_TEST(big(false, "0").kind() == kind::int64);

    // equal integers always have the same kind
    BOOST_TEST(dump(value(std::uint64_t{7})) == dump(value(7)));
    BOOST_TEST(dump(big(false, "7")) == dump(value(7)));
}

BOOST_AUTO_TEST_CASE(kind_predicates)
{
    BOOST_TEST(value().is_absent());
    BOOST_TEST(value().is_empty());
    BOOST_TEST(value(extant).is_extant());
    BOOST_TEST(value(extant).is_empty());
    BOOST_TEST(!value(false).is_empty());
    BOOST_TEST(value(false).is_bool());
    BOOST_TEST(value(1).is_integer());
    BOOST_TEST(value(1).is_number());
    BOOST_TEST(!value(1.0).is_integer());
    BOOST_TEST(value(1.0).is_number());
    BOOST_TEST(big(false, "18446744073709551616").is_integer());
    BOOST_TEST(value("x").is_text());
    BOOST_TEST(!value("x").is_number());
    BOOST_TEST(bytes({1}).is_data());
    BOOST_TEST(rec().is_record());
    BOOST_TEST(value(std::string_view("sv")).as_text() == "sv");
    BOOST_TEST(value(1.5f).kind() == kind::float64);

    BOOST_TEST(to_string(kind::absent) == "absent");
    BOOST_TEST(to_string(kind::int64) == "int64");
    BOOST_TEST(to_string(kind::record) == "record");
    BOOST_TEST(to_string(kind::text) == "text");
}

namespace {
struct eq_row {
    value a;
    value b;
    bool equal;
};
std::ostream& boost_test_print_type(std::ostream& os, eq_row const& r)
{
    return os << dump(r.a) << (r.equal ? " == " : " != ") << dump(r.b);
}

std::vector<eq_row> equality_rows()
{
    std::int64_t const i64max = std::numeric_limits<std::int64_t>::max();
    std::uint64_t const u64max = std::numeric_limits<std::uint64_t>::max();
    return {
        // numbers compare numerically across kinds
        {1, 1.0, true},
        {0, -0.0, true},
        {-5, -5.0, true},
        {1, 2, false},
        {1, 1.5, false},
        {std::uint64_t{9223372036854775808ull}, 9223372036854775808.0, true},
        {u64max, 18446744073709551616.0, false},                        // 2^64 - 1 vs 2^64
        {std::int64_t{9007199254740993LL}, 9007199254740992.0, false},  // exact, not via double
        {std::int64_t{9007199254740992LL}, 9007199254740992.0, true},
        {i64max, std::uint64_t{9223372036854775808ull}, false},
        {big(false, "18446744073709551616"), big(false, "18446744073709551616"), true},
        {big(false, "18446744073709551616"), big(false, "18446744073709551617"), false},
        {big(false, "18446744073709551616"), big(true, "18446744073709551616"), false},
        {big(false, "18446744073709551616"), 18446744073709551616.0, true},
        {big(false, "18446744073709551616"), u64max, false},
        // exactness beyond 64 bits: 2^64 + 1 is not the double 2^64
        {big(false, "18446744073709551617"), 18446744073709551616.0, false},
        {big(true, "18446744073709551617"), -18446744073709551616.0, false},
        // other kinds never equal numbers
        {1, "1", false},
        {1, true, false},
        {0, false, false},
        {0, value(extant), false},
        {"1", value(blob{'1'}), false},
        // absent and extant
        {value(), value(), true},
        {value(extant), value(extant), true},
        {value(), value(extant), false},
        // text and data, bytewise
        {"abc", "abc", true},
        {"abc", "abd", false},
        {"", "", true},
        {"", value(), false},
        {bytes({1, 2}), bytes({1, 2}), true},
        {bytes({1, 2}), bytes({1, 2, 0}), false},
        {bytes({}), rec(), false},
        // records item by item, numbers inside compare numerically
        {rec(), rec(), true},
        {rec(1, 2), rec(1.0, 2), true},
        {rec(1, 2), rec(2, 1), false},
        {rec(1), rec(1, 1), false},
        {rec(attr("a", 1)), rec(attr("a", 1.0)), true},
        {rec(attr("a", 1)), rec(slot("a", 1)), false},
        {rec(attr("a")), rec("a"), false},
        {rec(slot("a", 1)), rec(slot("a", 2)), false},
        {rec(slot("a", 1)), rec(slot("b", 1)), false},
        {rec(slot(1, "x")), rec(slot(1.0, "x")), true},
        {rec(attr("a")), rec(attr("a", extant)), true},
        {rec(attr("a")), rec(attr("a", value())), false},
        {rec(rec(1)), rec(1), false},
        {rec(), value(extant), false},
    };
}
}  // namespace

BOOST_DATA_TEST_CASE(equality, bdata::make(equality_rows()), row)
{
    BOOST_TEST((row.a == row.b) == row.equal);
    BOOST_TEST((row.b == row.a) == row.equal);
    BOOST_TEST((row.a != row.b) == !row.equal);
    // <=> agrees with ==
    BOOST_TEST(((row.a <=> row.b) == 0) == row.equal, order_name(row.a <=> row.b));
    BOOST_TEST(((row.b <=> row.a) == 0) == row.equal, order_name(row.b <=> row.a));
}

namespace {
// Each row is strictly increasing in the documented order.
struct chain_row {
    std::vector<value> v;
};
std::ostream& boost_test_print_type(std::ostream& os, chain_row const& r)
{
    for (auto const& x : r.v)
        os << dump(x) << " < ";
    return os;
}

std::vector<std::vector<value>> raw_chains()
{
    return {
        // type rank: record < data < text < number < bool < extant < absent
        {rec(1, 2, 3), bytes({0}), "a", -1000, false, value(extant), value()},
        {rec(), bytes({}), "", 0.0, true, value(extant), value()},
        // numbers numerically, across kinds
        {big(true, "18446744073709551617"),
         -1e19,
         std::numeric_limits<std::int64_t>::min(),
         -1,
         -0.5,
         0,
         0.5,
         1,
         1.5,
         std::numeric_limits<std::int64_t>::max(),
         std::uint64_t{9223372036854775808ull},
         std::numeric_limits<std::uint64_t>::max(),
         18446744073709551616.0,
         big(false, "18446744073709551618"),
         big(false, "99999999999999999999999"),
         1e30},
        {big(true, "99999999999999999999999"), big(true, "18446744073709551617")},
        {std::int64_t{9007199254740992LL},
         std::int64_t{9007199254740993LL},
         9007199254740994.0,
         std::int64_t{9007199254740995LL}},
        // text bytewise (UTF-8: code point order)
        {"", "A", "Z", "a", "aa", "ab", "b", "z", "\xC3\xA9", "\xE6\x97\xA5"},
        // data bytewise
        {bytes({}), bytes({0}), bytes({0, 0}), bytes({1}), bytes({1, 0}), bytes({255})},
        // bool
        {false, true},
        // records item by item: a prefix is less; attr < slot < plain value
        {rec(), rec(attr("a")), rec(attr("a"), 1), rec(attr("b")), rec(slot("a", 1)), rec(1)},
        {rec(1), rec(1, 2), rec(2)},
        {rec(attr("a", 1)), rec(attr("a", 2)), rec(attr("b", 0))},
        {rec(slot("a", 2)), rec(slot("b", 1)), rec(slot("b", 2))},
        {rec(slot(rec(), 9)), rec(slot("k", 1)), rec(slot(1, 1))},
        {rec(rec(9)), rec("a"), rec(1)},
    };
}

std::vector<chain_row> ordered_chains()
{
    std::vector<chain_row> out;
    for (auto& c : raw_chains())
        out.push_back({std::move(c)});
    return out;
}
}  // namespace

BOOST_DATA_TEST_CASE(total_order, bdata::make(ordered_chains()), row)
{
    auto const& chain = row.v;
    for (std::size_t i = 0; i < chain.size(); ++i) {
        for (std::size_t j = 0; j < chain.size(); ++j) {
            auto o = chain[i] <=> chain[j];
            auto want = i <=> j;
            BOOST_TEST(
                (o == want),
                dump(chain[i]) << " <=> " << dump(chain[j]) << " is " << order_name(o)
                               << ", expected " << order_name(want));
        }
    }
    // std::sort of a shuffled copy gives the chain back
    std::vector<value> v(chain.rbegin(), chain.rend());
    std::rotate(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    std::sort(v.begin(), v.end(), [](value const& a, value const& b) { return a < b; });
    for (std::size_t i = 0; i < v.size(); ++i)
        BOOST_TEST(dump(v[i]) == dump(chain[i]));
}

BOOST_AUTO_TEST_CASE(item_order_and_equality)
{
    BOOST_TEST(((attr("z") <=> slot("a", 1)) < 0));
    BOOST_TEST(((slot("z", 1) <=> item(value("a"))) < 0));
    BOOST_TEST(((attr("a", 1) <=> attr("a", 2)) < 0));
    BOOST_TEST(((attr("a", 2) <=> attr("b", 1)) < 0));
    BOOST_TEST(attr("a", 1) == attr("a", 1.0));
    BOOST_TEST(!(attr("a") == slot("a", extant)));
    BOOST_TEST(item(value(1)) == item(value(1.0)));
}

BOOST_AUTO_TEST_CASE(equal_values_hash_alike)
{
    // Pairs equal under ==, of different kinds or forms: the hash must agree (a hashed index of
    // map keys relies on it).
    std::vector<std::pair<value, value>> const equal = {
        {value(1), value(1.0)},
        {value(0), value(-0.0)},
        {value(-7), value(-7.0)},
        {value(std::numeric_limits<std::int64_t>::min()), value(-0x1p63)},
        {value(std::uint64_t(1) << 63), value(0x1p63)},
        {big(false, "18446744073709551616"), value(0x1p64)},
        {big(true, "36893488147419103232"), value(-0x1p65)},
        {big(false, "1267650600228229401496703205376"), value(0x1p100)},
        {big(true, "9223372036854775809"), big(true, "9223372036854775809")},
        {value(std::numeric_limits<double>::quiet_NaN()),
         value(-std::numeric_limits<double>::quiet_NaN())},
        {value("k0000001"), value(std::string("k0000001"))},
        {rec(attr("a", 1), slot("k", 2.0)), rec(attr("a", 1.0), slot("k", 2))},
        {rec(1, 2), rec(1.0, 2.0)},
        {bytes({1, 2, 3}), bytes({1, 2, 3})},
        {value(extant), value(extant)},
        {value(), value()},
    };
    for (auto const& [a, b] : equal) {
        BOOST_TEST_INFO(dump(a) << " and " << dump(b));
        BOOST_TEST((a == b));
        BOOST_TEST(hash_value(a) == hash_value(b));
    }
    // Different values mostly hash apart (not a requirement, but an index of one bucket is slow).
    std::vector<value> const distinct = {
        value(1),
        value(2),
        value(1.5),
        value("1"),
        value("a"),
        value("b"),
        value(true),
        value(false),
        value(extant),
        value(),
        rec(1),
        rec(slot("a", 1)),
        rec(attr("a", 1)),
        bytes({1}),
        big(false, "18446744073709551616"),
        value(std::uint64_t(1) << 63),
        big(false, "18446744073709551617"),
        big(true, "18446744073709551616"),
        value(0x1p65),
        value(std::numeric_limits<double>::infinity())};
    for (std::size_t i = 0; i < distinct.size(); ++i)
        for (std::size_t j = i + 1; j < distinct.size(); ++j) {
            BOOST_TEST_INFO(dump(distinct[i]) << " and " << dump(distinct[j]));
            BOOST_TEST(hash_value(distinct[i]) != hash_value(distinct[j]));
        }
}

BOOST_AUTO_TEST_CASE(flattened)
{
    value five = rec(5);
    BOOST_TEST(five.flattened() == value(5));
    BOOST_TEST(&five.flattened() == &five.as_record()[0].val);  // a reference, not a copy

    value nested = rec(rec(1, 2));
    BOOST_TEST(nested.flattened() == rec(1, 2));  // one level only

    for (value const& v :
         {rec(),
          rec(1, 2),
          rec(slot("a", 1)),
          rec(attr("a")),
          rec(attr("a"), 1),
          value(5),
          value("x"),
          value(),
          value(extant)}) {
        BOOST_TEST(&v.flattened() == &v, dump(v));
    }
}

BOOST_AUTO_TEST_CASE(record_helpers)
{
    record r;
    BOOST_TEST(r.empty());
    BOOST_TEST(r.tag().empty());
    r.add_attr("event", rec(slot("node", "/n"), slot("lane", "l")));
    r.add_attr("second", extant);
    r.add_slot("k", 1);
    r.add_value(2);
    r.add_slot("k", 3);
    r.push_back(attr("late"));
    BOOST_TEST(r.size() == 6u);
    BOOST_TEST(r.tag() == "event");
    BOOST_TEST(r.attr_count() == 2u);
    BOOST_TEST_REQUIRE(r.find("k") != nullptr);
    BOOST_TEST(*r.find("k") == value(1));    // the first slot
    BOOST_TEST(r.find("event") == nullptr);  // attributes are not slots
    BOOST_TEST(r.find("missing") == nullptr);
    BOOST_TEST(r[0].is_attr());
    BOOST_TEST(r[0].name() == "event");
    BOOST_TEST(r[2].is_slot());
    BOOST_TEST(r[3].is_value());
    BOOST_TEST(r[3].name().empty());

    value v(r);
    BOOST_TEST(v.tag() == "event");
    BOOST_TEST(value(1).tag().empty());
    BOOST_TEST(rec(1, attr("a")).tag().empty());  // only a first attribute is the tag

    record s{1, 2, item::slot("a", 3)};
    BOOST_TEST(value(s) == rec(1, 2, slot("a", 3)));
    BOOST_TEST(record(s) == s);  // copies

    value copy = v;
    copy.as_record()[3].val = value(99);
    BOOST_TEST(v.as_record()[3].val == value(2));  // deep copy
    BOOST_TEST(copy.as_record()[3].val == value(99));
}

BOOST_AUTO_TEST_CASE(numeric_views)
{
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double d = 0;
    BOOST_TEST(value(42).to_int64(i));
    BOOST_TEST(i == 42);
    BOOST_TEST(value(42.0).to_int64(i));
    BOOST_TEST(i == 42);
    BOOST_TEST(!value(42.5).to_int64(i));
    BOOST_TEST(!value(std::numeric_limits<std::uint64_t>::max()).to_int64(i));
    BOOST_TEST(!value("42").to_int64(i));
    BOOST_TEST(value(std::numeric_limits<std::uint64_t>::max()).to_uint64(u));
    BOOST_TEST(u == std::numeric_limits<std::uint64_t>::max());
    BOOST_TEST(!value(-1).to_uint64(u));
    BOOST_TEST(value(7).to_double(d));
    BOOST_TEST(d == 7.0);
    BOOST_TEST(!value(true).to_double(d));
    BOOST_TEST(!big(false, "18446744073709551616").to_uint64(u));
}

BOOST_AUTO_TEST_CASE(text_helpers)
{
    BOOST_TEST(value("abc").text_or_empty() == "abc");
    BOOST_TEST(value(1).text_or_empty().empty());
    BOOST_TEST((compare_text("a", "b") < 0));
    BOOST_TEST((compare_text("b", "a") > 0));
    BOOST_TEST((compare_text("a", "a") == 0));
    BOOST_TEST((compare_text("z", "\xC3\xA9") < 0));
}

BOOST_AUTO_TEST_SUITE_END()
