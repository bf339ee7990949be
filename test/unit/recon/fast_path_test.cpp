// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// The codec's fast paths against their slow twins: value moves and copies of the tagged
// union, the parser's item stack (nested records that grow it mid-item, postfix attributes,
// markup), the exact decimal and integer fast paths, and the writer's one-pass text and float
// forms (identifier or quoted, escapes at every position of the 8-byte scan).

#include <swim/recon/parser.hpp>
#include <swim/recon/value.hpp>
#include <swim/recon/writer.hpp>

#include <boost/test/unit_test.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <system_error>
#include <utility>

#include "build.hpp"
#include "print.hpp"

using namespace swim::recon;
using swim_test::attr;
using swim_test::rec;
using swim_test::slot;

namespace {

// The shortest round-trip form std::to_chars gives, with ".0" when it has neither '.' nor 'e'.
std::string shortest(double d)
{
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, r.ptr);
    if (s.find_first_of(".eE") == std::string::npos)
        s += ".0";
    return s;
}

double read_double(std::string const& s)
{
    double d = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    BOOST_REQUIRE(r.ec == std::errc());
    return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recon_fast_paths)

// ---- value ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_moved_from_value_is_absent)
{
    value t(std::string("a text longer than the small-string buffer"));
    value u(std::move(t));
    BOOST_TEST(t.is_absent());
    BOOST_TEST(u.as_text() == "a text longer than the small-string buffer");

    value r = rec(slot("k", 1), 2);
    value s;
    s = std::move(r);
    BOOST_TEST(r.is_absent());
    BOOST_TEST(s == rec(slot("k", 1), 2));

    value b(big_integer{false, "123456789012345678901234567890"});
    value c(std::move(b));
    BOOST_TEST(b.is_absent());
    BOOST_TEST(c.is_integer());
    BOOST_TEST(c.if_big_integer()->digits == "123456789012345678901234567890");
}

BOOST_AUTO_TEST_CASE(copies_are_deep_for_every_kind)
{
    value const all[] = {
        value(),
        value(extant),
        value(true),
        value(-5),
        value(std::uint64_t(18446744073709551615u)),
        value(big_integer{true, "99999999999999999999999"}),
        value(2.5),
        value("short"),
        value(std::string(100, 'x')),
        value(blob{1, 2, 3}),
        rec(attr("a", rec(slot("x", "y"))), slot("k", value(blob{9})), 1.5),
    };
    for (auto const& v : all) {
        value copy(v);
        BOOST_TEST(copy.kind() == v.kind());
        BOOST_TEST(copy == v);
        value assigned(7);
        assigned = v;
        BOOST_TEST(assigned == v);
        value moved(std::move(copy));
        BOOST_TEST(moved == v);
    }
    // The copy of a big integer owns its digits.
    value a(big_integer{false, "123456789012345678901234567890"});
    value b(a);
    a = value(1);
    BOOST_TEST(b.if_big_integer()->digits == "123456789012345678901234567890");
}

BOOST_AUTO_TEST_CASE(assigning_a_part_of_a_value_to_it)
{
    value v = rec(rec(slot("deep", std::string(40, 'd'))));
    value inner = v.as_record()[0].val;
    v = std::move(v.as_record()[0].val);
    BOOST_TEST(v == inner);

    value w = rec("x", std::string(30, 'y'));
    value copy = w.as_record()[1].val;
    w = w.as_record()[1].val;  // copy-assign from a part
    BOOST_TEST(w == copy);

    value self("self");
    auto& alias = self;
    self = std::move(alias);
    BOOST_TEST(self.as_text() == "self");
    self = alias;
    BOOST_TEST(self.as_text() == "self");
}

// ---- parser ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(records_that_grow_the_item_stack_while_an_item_is_read)
{
    // Each slot's value is a record of many items: the stack grows (and moves) while the slot
    // that holds it is being read.
    std::string text = "{";
    value expected_items = rec();
    auto& top = expected_items.as_record();
    for (int i = 0; i < 40; ++i) {
        if (i)
            text += ',';
        std::string key = "k";
        key += std::to_string(i);
        text += key;
        text += ":{";
        value inner = rec();
        for (int j = 0; j < 50; ++j) {
            if (j)
                text += ',';
            std::string t = "text ";
            t += std::to_string(j);
            t += " beyond sixteen bytes";
            text += '"';
            text += t;
            text += '"';
            inner.as_record().add_value(value(t));
        }
        text += "}";
        top.add_slot(value(key), std::move(inner));
    }
    text += "}";
    BOOST_TEST(parse(text) == expected_items);
    // Twice: the per-thread stack starts empty again.
    BOOST_TEST(parse(text) == expected_items);
}

BOOST_AUTO_TEST_CASE(blocks_attributes_postfix_and_markup_through_the_stack)
{
    BOOST_TEST(parse("a:1,b:2") == rec(slot("a", 1), slot("b", 2)));
    BOOST_TEST(parse("1\n2") == rec(1, 2));
    BOOST_TEST(parse("{5}") == rec(5));
    BOOST_TEST(parse("@a(1)") == rec(attr("a", 1)));
    BOOST_TEST(parse("@a(x:1)") == rec(attr("a", rec(slot("x", 1)))));
    BOOST_TEST(parse("@a()") == rec(attr("a")));
    BOOST_TEST(parse("@a{b:1}") == rec(attr("a"), slot("b", 1)));
    BOOST_TEST(parse("@a @b 3") == rec(attr("a"), attr("b"), 3));
    BOOST_TEST(parse("42@signed") == rec(42, attr("signed")));
    BOOST_TEST(parse("{x:1}@t") == rec(slot("x", 1), attr("t")));
    BOOST_TEST(parse("{x:1} @t 2") == rec(slot("x", 1), attr("t"), 2));
    BOOST_TEST(parse("[a @b{c} d]") == rec("a ", rec(attr("b"), "c"), " d"));
    BOOST_TEST(parse("k:") == rec(slot("k", value(extant))));
    BOOST_TEST(parse("k:@a(1)") == rec(slot("k", rec(attr("a", 1)))));
    BOOST_TEST(parse("\"q\\\"uote\":'single'") == rec(slot("q\"uote", "single")));
    BOOST_TEST(parse("@\"quoted name\"(1)") == rec(attr("quoted name", 1)));
    BOOST_TEST(parse("héllo") == value("héllo"));
    BOOST_TEST(parse("true") == value(true));
    BOOST_TEST(parse("trueish") == value("trueish"));
}

BOOST_AUTO_TEST_CASE(inline_scalars_give_way_to_the_general_path)
{
    // Identifiers, plain strings and short integers are read inline in a block; a postfix
    // attribute, an escape, non-ASCII text, a float, a radix or a long integer is not.
    BOOST_TEST(
        parse("{a:b,'c':\"d\",e:-12,f:true,g:false}") ==
        rec(slot("a", "b"), slot("c", "d"), slot("e", -12), slot("f", true), slot("g", false)));
    BOOST_TEST(parse("{a@x:1}") == rec(slot(rec("a", attr("x")), 1)));
    BOOST_TEST(parse("{k:v @x}") == rec(slot("k", rec("v", attr("x")))));
    BOOST_TEST(parse("{k:\"v\"\t@x}") == rec(slot("k", rec("v", attr("x")))));
    BOOST_TEST(parse("{k:7@x,m:8}") == rec(slot("k", rec(7, attr("x"))), slot("m", 8)));
    BOOST_TEST(parse("{k:\"a\\nb\"}") == rec(slot("k", "a\nb")));
    BOOST_TEST(parse("{k:\"é\",é:1}") == rec(slot("k", "é"), slot("é", 1)));
    BOOST_TEST(
        parse("{k:1.5,m:0x1F,n:0b101,o:1e3}") ==
        rec(slot("k", 1.5), slot("m", 31), slot("n", 5), slot("o", 1000.0)));
    BOOST_TEST(
        parse("{k:123456789012345678,m:1234567890123456789}") ==
        rec(slot("k", 123456789012345678), slot("m", 1234567890123456789)));
    BOOST_TEST(parse("{k:-0,m:007}") == rec(slot("k", 0), slot("m", 7)));
    BOOST_TEST(parse("{k:1 # note\n,m:2}") == rec(slot("k", 1), slot("m", 2)));
    parse_error err;
    BOOST_TEST(parse("{k:12abc}", err).is_absent());
    BOOST_TEST(static_cast<bool>(err));
    BOOST_TEST(parse("{k:-}", err).is_absent());
    BOOST_TEST(static_cast<bool>(err));
    BOOST_TEST(parse("{k:\"open}", err).is_absent());
    BOOST_TEST(static_cast<bool>(err));
}

BOOST_AUTO_TEST_CASE(word_scans_stop_at_every_position)
{
    // Identifiers and quoted strings of 1 to 40 bytes, ending at every position of the
    // 8-byte scan, and with a stop byte (escape, quote, non-ASCII) at every position.
    for (std::size_t len = 1; len <= 40; ++len) {
        std::string id(len, 'x');
        if (len > 1)
            id[len / 2] = len % 2 ? '-' : '7';
        std::string doc = "{" + id + ":" + id + ",\"" + id + "\":'" + id + "'}";
        BOOST_REQUIRE(parse(doc) == rec(slot(id, id), slot(id, id)));
        for (std::size_t at = 0; at < len; ++at) {
            std::string esc(len, 'y');
            esc[at] = '\\';
            std::string with = esc;
            with.insert(at + 1, "n");
            std::string text = with;
            text[at] = '\n';
            text.erase(at + 1, 1);
            BOOST_REQUIRE(parse("{k:\"" + with + "\"}") == rec(slot("k", text)));
            std::string quote(len, 'z');
            quote[at] = '\'';
            BOOST_REQUIRE(parse("{k:\"" + quote + "\"}") == rec(slot("k", quote)));
            std::string accent(len, 'w');
            accent.replace(at, 1, "é");
            BOOST_REQUIRE(
                parse("{" + accent + ":\"" + accent + "\"}") == rec(slot(accent, accent)));
            std::string spaced(len, 'v');
            spaced[at] = ' ';
            if (at != 0)
                BOOST_REQUIRE(
                    parse("{" + spaced.substr(0, at) + " :1}") ==
                    rec(slot(spaced.substr(0, at), 1)));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_failed_parse_leaves_nothing_for_the_next)
{
    parse_error err;
    BOOST_TEST(parse("{a:{b:{c:[x @y{", err).is_absent());
    BOOST_TEST(static_cast<bool>(err));
    BOOST_TEST(parse("{a:1}") == rec(slot("a", 1)));
}

BOOST_AUTO_TEST_CASE(short_decimals_read_exactly)
{
    // The fast path (at most 15 digits, no exponent) against from_chars.
    std::mt19937_64 rng(42);
    for (int i = 0; i < 20000; ++i) {
        int digits = 1 + static_cast<int>(rng() % 15);
        int decimals = 1 + static_cast<int>(rng() % static_cast<std::uint64_t>(digits));
        std::string s;
        if (rng() % 2)
            s += '-';
        for (int d = 0; d < digits; ++d) {
            if (d == digits - decimals)
                s += (d == 0 ? "0." : ".");
            s += static_cast<char>('0' + rng() % 10);
        }
        value v = parse(s);
        BOOST_REQUIRE_MESSAGE(v.if_float64(), s);
        double expect = read_double(s);
        BOOST_REQUIRE_MESSAGE(*v.if_float64() == expect, s);
        BOOST_REQUIRE_MESSAGE(std::signbit(*v.if_float64()) == std::signbit(expect), s);
    }
    BOOST_TEST(std::signbit(*parse("-0.0").if_float64()));
    BOOST_TEST(*parse("0.1").if_float64() == 0.1);
    BOOST_TEST(*parse("1234567890.12345").if_float64() == 1234567890.12345);
    BOOST_TEST(*parse("1234567890.123456").if_float64() == 1234567890.123456);  // 16 digits
    BOOST_TEST(*parse("1.5e3").if_float64() == 1500.0);
}

BOOST_AUTO_TEST_CASE(integers_at_the_fast_path_boundaries)
{
    BOOST_TEST(*parse("9223372036854775807").if_int64() == INT64_MAX);
    BOOST_TEST(*parse("-9223372036854775808").if_int64() == INT64_MIN);
    BOOST_TEST(*parse("9223372036854775808").if_uint64() == 9223372036854775808u);
    BOOST_TEST(*parse("9999999999999999999").if_uint64() == 9999999999999999999u);  // 19 digits
    BOOST_TEST(*parse("18446744073709551615").if_uint64() == UINT64_MAX);           // 20 digits
    BOOST_TEST(parse("-9223372036854775809") == value(big_integer{true, "9223372036854775809"}));
    BOOST_TEST(parse("-9999999999999999999") == value(big_integer{true, "9999999999999999999"}));
    BOOST_TEST(parse("18446744073709551616") == value(big_integer{false, "18446744073709551616"}));
    BOOST_TEST(*parse("0000000000000000000042").if_int64() == 42);
    BOOST_TEST(*parse("-007").if_int64() == -7);
}

// ---- writer ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(text_escapes_at_every_position_of_the_word_scan)
{
    for (std::size_t len = 1; len <= 40; ++len) {
        for (std::size_t at = 0; at < len; ++at) {
            for (char special : {'"', '\\', '\n', '\x01', ' '}) {
                std::string s(len, 'a');
                s[at] = special;
                std::string out;
                write(value(s), out);
                std::string expect = "\"";
                for (char c : s) {
                    switch (c) {
                        case '"': expect += "\\\""; break;
                        case '\\': expect += "\\\\"; break;
                        case '\n': expect += "\\n"; break;
                        case '\x01': expect += "\\u0001"; break;
                        default: expect += c;
                    }
                }
                expect += '"';
                BOOST_REQUIRE_MESSAGE(out == expect, "len " << len << " at " << at);
                BOOST_REQUIRE(parse(out) == value(s));
            }
        }
        // All identifier characters: bare.
        std::string id(len, 'b');
        id[len - 1] = len > 1 ? '-' : 'b';
        std::string out;
        write(value(id), out);
        BOOST_REQUIRE(out == id);
    }
}

BOOST_AUTO_TEST_CASE(identifier_or_quoted)
{
    auto w = [](value const& v) {
        return to_string(v);
    };
    BOOST_TEST(w(value("a")) == "a");
    BOOST_TEST(w(value("_x-1")) == "_x-1");
    BOOST_TEST(w(value("1a")) == "\"1a\"");
    BOOST_TEST(w(value("-a")) == "\"-a\"");
    BOOST_TEST(w(value("")) == "\"\"");
    BOOST_TEST(w(value("true")) == "\"true\"");
    BOOST_TEST(w(value("false")) == "\"false\"");
    BOOST_TEST(w(value("truex")) == "truex");
    BOOST_TEST(w(value("héllo")) == "héllo");
    BOOST_TEST(w(value("hé llo")) == "\"hé llo\"");
    BOOST_TEST(
        w(rec(slot("héllo", 1), slot("a b", 2), slot(3, 4), slot("true", true))) ==
        "{héllo:1,\"a b\":2,3:4,\"true\":true}");
}

BOOST_AUTO_TEST_CASE(attributes_after_items_are_hoisted)
{
    // Written as a plain record until the attribute turns up, then again from the start.
    BOOST_TEST(to_string(rec(slot("a", 1), attr("t"), 2)) == "@t{a:1,2}");
    BOOST_TEST(to_string(rec(1, attr("t"))) == "@t 1");
    BOOST_TEST(to_string(rec(slot("k", rec(-1, attr("n"))))) == "{k:@n{-1}}");
    std::string out = "prefix";
    write(rec(slot("a", "x y"), attr("t", rec(slot("p", 1), slot("q", 2)))), out);
    BOOST_TEST(out == "prefix@t(p:1,q:2){a:\"x y\"}");
}

BOOST_AUTO_TEST_CASE(short_floats_are_the_shortest_round_trip_form)
{
    std::mt19937_64 rng(7);
    double const scales[] = {1e-3, 1e-2, 0.1, 1, 10, 1e3, 1e5, 1e6, 1e8};
    for (int i = 0; i < 20000; ++i) {
        // Decimals of a few digits, the common case, and random doubles.
        double d;
        if (i % 2) {
            auto m = static_cast<double>(rng() % 100000000);
            d = m / std::pow(10.0, static_cast<double>(rng() % 10)) *
                scales[rng() % (sizeof scales / sizeof scales[0])];
        } else {
            d = std::ldexp(static_cast<double>(rng() >> 11), -static_cast<int>(rng() % 60));
        }
        if (rng() % 2)
            d = -d;
        std::string out;
        write(value(d), out);
        BOOST_REQUIRE_MESSAGE(out == shortest(d), out << " vs " << shortest(d));
    }
    // Powers of two (the bottom of a binade, where the ulp below is half the ulp above) and
    // their neighbours, and every decimal of up to three places below 100.
    for (int k = -12; k <= 31; ++k) {
        double p2 = std::ldexp(1.0, k);
        for (double d : {p2, std::nextafter(p2, 0.0), std::nextafter(p2, 1e300), -p2}) {
            std::string out;
            write(value(d), out);
            BOOST_REQUIRE_MESSAGE(out == shortest(d), out << " vs " << shortest(d));
        }
    }
    for (int i = 1; i < 100000; ++i) {
        double d = i / 1000.0;
        std::string out;
        write(value(d), out);
        BOOST_REQUIRE_MESSAGE(out == shortest(d), out << " vs " << shortest(d));
    }
    BOOST_TEST(to_string(value(0.5)) == "0.5");
    BOOST_TEST(to_string(value(2.0078125)) == "2.0078125");
    BOOST_TEST(to_string(value(100.0)) == "100.0");
    BOOST_TEST(to_string(value(999999.999999999)) == shortest(999999.999999999));
    BOOST_TEST(to_string(value(0.001)) == "0.001");
    BOOST_TEST(to_string(value(-12.25)) == "-12.25");
}

BOOST_AUTO_TEST_CASE(writes_append_to_what_the_string_holds)
{
    std::string out(1000, 'z');
    out.reserve(100000);
    value big = rec();
    for (int i = 0; i < 300; ++i) {
        std::string k = "key";
        k += std::to_string(i);
        std::string v = "value number ";
        v += std::to_string(i);
        big.as_record().add_slot(value(k), value(v));
    }
    write(big, out);
    BOOST_TEST(out.substr(0, 1000) == std::string(1000, 'z'));
    BOOST_TEST(parse(std::string_view(out).substr(1000)) == big);
}

BOOST_AUTO_TEST_SUITE_END()
