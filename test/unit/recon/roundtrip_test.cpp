// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// Property tests: random values (fixed seed, so failures reproduce) written by the canonical
// writer read back as the same value, kinds included; and the parser tables survive
// parse -> write -> parse.

#include <swim/recon/error.hpp>
#include <swim/recon/parser.hpp>
#include <swim/recon/value.hpp>
#include <swim/recon/writer.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "print.hpp"

using namespace swim::recon;
using swim_test::dump;

namespace swim_test {
// Defined in parser_test.cpp: every accepted input of the parser tables.
std::vector<std::string> parser_table_inputs();
}  // namespace swim_test

namespace {

/** Generates values that the canonical writer can represent exactly (§1.6a):
 * no absent below the top level, no plain extant items (the writer writes them as nothing),
 * extant only as a slot value, an attribute value or (never) the top level; attributes only
 * before the other items (the writer hoists later ones); finite floats.
 */
class value_generator {
public:
    explicit value_generator(std::uint32_t seed)
        : rng_(seed)
    {}

    value top_level()
    {
        if (chance(2))
            return value();
        return any(max_depth);
    }

    static constexpr int max_depth = 5;

private:
    std::mt19937 rng_;

    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    bool chance(int percent) { return pick(100) < percent; }

    value any(int depth)
    {
        if (depth > 0 && chance(30))
            return value(make(depth - 1));
        return scalar();
    }

    value scalar()
    {
        switch (pick(9)) {
            case 0: return value(pick(2) == 1);
            case 1: return value(small_int());
            case 2: return value(any_int64());
            case 3: return value(any_uint64());
            case 4: return big();
            case 5:
            case 6: return value(finite_double());
            case 7: return value(data());
            default: return value(text());
        }
    }

    std::int64_t small_int() { return pick(201) - 100; }

    std::int64_t any_int64()
    {
        static constexpr std::int64_t edges[] = {
            0,
            -1,
            std::numeric_limits<std::int64_t>::min(),
            std::numeric_limits<std::int64_t>::max(),
            2147483647,
            -2147483648LL,
            4294967296LL,
        };
        if (chance(20))
            return edges[pick(static_cast<int>(std::size(edges)))];
        return static_cast<std::int64_t>(rng64());
    }

    std::uint64_t any_uint64()
    {
        // above INT64_MAX, so the kind is uint64
        return rng64() | (std::uint64_t{1} << 63);
    }

    std::uint64_t rng64()
    {
        return (static_cast<std::uint64_t>(rng_()) << 32) | static_cast<std::uint64_t>(rng_());
    }

    value big()
    {
        // 21 to 40 digits: outside both 64-bit ranges
        int n = 21 + pick(20);
        std::string digits(1, static_cast<char>('1' + pick(9)));
        for (int i = 1; i < n; ++i)
            digits += static_cast<char>('0' + pick(10));
        return value(big_integer{pick(2) == 1, std::move(digits)});
    }

    double finite_double()
    {
        switch (pick(5)) {
            case 0: return static_cast<double>(small_int()) / 8.0;  // 0.5, -12.125, ...
            case 1: return static_cast<double>(small_int());        // integral: 3.0
            case 2: {
                static constexpr double edges[] = {
                    0.0,
                    -0.0,
                    0.1,
                    6.02e23,
                    1e21,
                    1e-7,
                    std::numeric_limits<double>::max(),
                    std::numeric_limits<double>::min(),
                    std::numeric_limits<double>::denorm_min(),
                    9007199254740993.0,
                };
                return edges[pick(static_cast<int>(std::size(edges)))];
            }
            default: {
                for (;;) {  // any finite bit pattern
                    double d = std::bit_cast<double>(rng64());
                    if (std::isfinite(d))
                        return d;
                }
            }
        }
    }

    blob data()
    {
        blob b(static_cast<std::size_t>(pick(9)));
        for (auto& x : b)
            x = static_cast<std::uint8_t>(pick(256));
        return b;
    }

    std::string text()
    {
        static char const* const pieces[] = {
            "a",
            "b",
            "x1",
            "lane_uri",
            "a-b",
            "_",
            "true",
            "false",
            "",
            "two words",
            "/",
            "\"",
            "\\",
            "\n",
            "\r",
            "\t",
            "\b",
            "\f",
            "\x01",
            "\x1f",
            "\x7f",
            "\xC3\xA9",
            "\xE6\x97\xA5\xE6\x9C\xAC",
            "\xF0\x9F\x98\x80",
            "@",
            "{",
            "}",
            "[",
            "]",
            ":",
            ",",
            ";",
            "#",
            "`",
            "'",
            "$",
            " ",
            "0",
            "-1",
            "1.5",
            "%",
            "(",
            ")",
            "null",
        };
        std::string s;
        int n = pick(4);
        for (int i = 0; i < n; ++i)
            s += pieces[pick(static_cast<int>(std::size(pieces)))];
        return s;
    }

    std::string attr_name()
    {
        static char const* const names[] = {
            "a",
            "tag",
            "event",
            "update",
            "x-y",
            "_",
            "\xC3\xA9t\xC3\xA9",
            "two words",
            "@at",
            "",
            "1",
            "true",
            "a\"b",
        };
        return names[pick(static_cast<int>(std::size(names)))];
    }

    value slot_key(int depth)
    {
        // any value that is not empty; records allowed
        return any(depth);
    }

    value slot_value(int depth)
    {
        if (chance(15))
            return value(extant);
        return any(depth);
    }

    value attr_value(int depth)
    {
        if (chance(40))
            return value(extant);
        if (depth > 0 && chance(30)) {
            // parameter lists: slots and several values
            record r;
            int n = pick(4);
            for (int i = 0; i < n; ++i) {
                if (chance(50))
                    r.add_slot(slot_key(depth - 1), slot_value(depth - 1));
                else
                    r.add_value(any(depth - 1));
            }
            return value(std::move(r));
        }
        return any(depth);
    }

    record make(int depth)
    {
        record r;
        int attrs = chance(40) ? 1 + pick(3) : 0;
        for (int i = 0; i < attrs; ++i)
            r.add_attr(attr_name(), attr_value(depth));
        int items = pick(5);
        for (int i = 0; i < items; ++i) {
            if (chance(35))
                r.add_slot(slot_key(depth), slot_value(depth));
            else
                r.add_value(any(depth));
        }
        return r;
    }
};

int depth_of(value const& v)
{
    auto r = v.if_record();
    if (!r)
        return 0;
    int d = 0;
    for (auto const& i : *r)
        d = std::max({d, depth_of(i.key), depth_of(i.val)});
    return d + 1;
}

// The value with every record's attributes moved before its other items (stable), as the
// writer hoists them.
value hoisted(value const& v)
{
    auto r = v.if_record();
    if (!r)
        return v;
    record out;
    for (int pass = 0; pass < 2; ++pass) {
        for (auto const& i : *r) {
            if (i.is_attr() != (pass == 0))
                continue;
            item copy = i;
            copy.key = hoisted(i.key);
            copy.val = hoisted(i.val);
            out.push_back(std::move(copy));
        }
    }
    return value(std::move(out));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recon_roundtrip)

BOOST_AUTO_TEST_CASE(random_values_write_then_parse)
{
    constexpr int count = 5000;
    value_generator gen(20261123);
    int failures = 0;
    int records = 0;
    int max_seen_depth = 0;
    for (int n = 0; n < count; ++n) {
        value v = gen.top_level();
        records += v.is_record() ? 1 : 0;
        max_seen_depth = std::max(max_seen_depth, depth_of(v));

        std::string text;
        boost::system::error_code err;
        write(v, text, err);
        parse_error perr;
        value back = err ? value() : parse(text, perr);
        bool ok = !err && !perr && dump(back) == dump(v) && back == v;
        if (ok) {
            // writing is deterministic and stable
            ok = to_string(back) == text;
        }
        if (!ok && ++failures <= 10) {
            BOOST_ERROR(
                "value #" << n << ": " << dump(v) << "\n  written: " << text
                          << (err ? " (write error: " + err.message() + ")" : std::string())
                          << "\n  parsed:  " << (perr ? perr.message() : dump(back)));
        }
    }
    BOOST_TEST(failures == 0);
    // the generator really produces nested structure
    BOOST_TEST(records > count / 4);
    BOOST_TEST(max_seen_depth >= 4);
    BOOST_TEST(max_seen_depth <= value_generator::max_depth + 2);
}

BOOST_AUTO_TEST_CASE(random_values_are_totally_ordered)
{
    value_generator gen(42);
    std::vector<value> vs;
    for (int n = 0; n < 600; ++n)
        vs.push_back(gen.top_level());
    int failures = 0;
    for (std::size_t i = 0; i < vs.size(); ++i) {
        auto const& a = vs[i];
        auto const& b = vs[(i * 7 + 3) % vs.size()];
        auto ab = a <=> b;
        auto ba = b <=> a;
        bool ok = (a <=> a) == 0 && a == a && ((ab == 0) == (a == b)) && ((ab < 0) == (ba > 0)) &&
                  ((ab == 0) == (ba == 0));
        if (!ok && ++failures <= 10)
            BOOST_ERROR("inconsistent order: " << dump(a) << " vs " << dump(b));
    }
    BOOST_TEST(failures == 0);

    std::sort(vs.begin(), vs.end(), [](value const& a, value const& b) { return a < b; });
    for (std::size_t i = 1; i < vs.size(); ++i) {
        if (vs[i] < vs[i - 1] && ++failures <= 10)
            BOOST_ERROR(
                "not sorted at " << i << ": " << dump(vs[i - 1]) << " then " << dump(vs[i]));
    }
    BOOST_TEST(failures == 0);
}

BOOST_AUTO_TEST_CASE(parser_tables_parse_write_parse)
{
    auto inputs = swim_test::parser_table_inputs();
    BOOST_TEST(inputs.size() > 200u);
    for (auto const& s : inputs) {
        BOOST_TEST_CONTEXT("input `" << s << "`")
        {
            parse_error e1;
            value first = parse(s, e1);
            BOOST_TEST_REQUIRE(!e1);
            std::string text;
            boost::system::error_code err;
            write(first, text, err);
            BOOST_TEST_REQUIRE(!err);
            parse_error e2;
            value second = parse(text, e2);
            BOOST_TEST(!e2, "written `" << text << "`: " << e2.message());
            // Postfix and infix attributes (Java) come back as prefix attributes.
            BOOST_TEST(dump(second) == dump(hoisted(first)), "written `" << text << "`");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
