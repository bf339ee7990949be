// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// Table-driven tests of the Recon parser against warp-protocol.md §1.2 to §1.4 and §1.7.
// Where Java and Rust differ the parser follows Java, except that the Rust-only number forms
// (`0b0110`, `-0xAB00`, `0X1F`) and raw control characters inside strings are accepted.

#include <swim/recon/error.hpp>
#include <swim/recon/parser.hpp>
#include <swim/recon/value.hpp>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
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
using swim_test::ec;
using swim_test::rec;
using swim_test::slot;

namespace {

// ---- builders -------------------------------------------------------------------------------

value ascii_blob(std::string_view s)
{
    return value(blob(s.begin(), s.end()));
}

value big(bool negative, std::string digits)
{
    return value(big_integer{negative, std::move(digits)});
}

value u64(std::uint64_t u)
{
    return value(u);
}

value text(std::string s)
{
    return value(std::move(s));
}

// ---- accepted inputs ------------------------------------------------------------------------

struct accept_row {
    std::string input;
    value expected;
};

std::ostream& boost_test_print_type(std::ostream& os, accept_row const& r)
{
    std::string s;
    swim_test::dump_text(r.input, s);
    return os << s << " -> " << dump(r.expected);
}

// Every example of §1.7, in the Java reading (with the exceptions listed at the top).
std::vector<accept_row> spec_examples()
{
    return {
        // 1: an empty document is absent.
        {"", value()},
        // 2
        {"{}", rec()},
        {"{ }", rec()},
        {"{\n}", rec()},
        // 3, 4, 5
        {"name", "name"},
        {R"("two words")", "two words"},
        {R"("true")", text("true")},
        {"true", true},
        // 6
        {R"("two\nlines!")", "two\nlines!"},
        // 7: the Java escapes.
        {R"("\"\\\/\@\{\}\[\]\b\f\n\r\t")", "\"\\/@{}[]\b\f\n\r\t"},
        // 8
        {"'test'", "test"},
        // 9
        {"\xC3\x80", "\xC3\x80"},                                  // À
        {"_\xC3\xB6", "_\xC3\xB6"},                                // _ö
        {"\xD8\xA7\xD8\xB3\xD9\x85", "\xD8\xA7\xD8\xB3\xD9\x85"},  // اسم
        // 10: integers normalise to int64 / uint64.
        {"5", 5},
        {"-5677", -5677},
        {"4000000000", std::int64_t{4000000000}},
        {"18446744073709551614", u64(18446744073709551614ull)},
        // 11
        {"18446744073709551616", big(false, "18446744073709551616")},
        // 12
        {"-1.5e67", -1.5e67},
        {"4.0E-2", 4.0E-2},
        {"-4.0e+02", -4.0e+02},
        // 13, 14, 15 (14 and 15 are Rust forms we accept)
        {"0x0a5c", 2652},
        {"-0xAB00", -43776},
        {"0b0110", 6},
        // 16, 17
        {"%YW55IGNhcm5hbCBwbGVhc3VyZQ==", ascii_blob("any carnal pleasure")},
        {"%", bytes({})},
        // 18
        {"{1,two,3}", rec(1, "two", 3)},
        {"{ 1, two, 3 }", rec(1, "two", 3)},
        {"{1\n two\n 3}", rec(1, "two", 3)},
        // 19: Java drops the trailing separator.
        {"{1,2,}", rec(1, 2)},
        // 20
        {"{a: ,b:2 ,c: }", rec(slot("a", extant), slot("b", 2), slot("c", extant))},
        // 21
        {"@tag", rec(attr("tag"))},
        {"@tag {}", rec(attr("tag"))},
        {"@tag()", rec(attr("tag"))},
        // 22, 23, 24, 25
        {"@name(2)", rec(attr("name", 2))},
        {"@name(a:true)", rec(attr("name", rec(slot("a", true))))},
        {R"(@"two words"(1))", rec(attr("two words", 1))},
        {"@first(1)@second(2)", rec(attr("first", 1), attr("second", 2))},
        // 26, 27
        {"@hello 42", rec(attr("hello"), 42)},
        {"@first{1,name:2,true}", rec(attr("first"), 1, slot("name", 2), true)},
        // 28, 29
        {"@outer(@inner(0), 3)", rec(attr("outer", rec(rec(attr("inner", 0)), 3)))},
        {"@outer({})", rec(attr("outer", rec()))},
        // 30, 31, 32, 33
        {"{@key {1}: @value {2}}", rec(slot(rec(attr("key"), 1), rec(attr("value"), 2)))},
        {"{ {1, {2, 3} }, name: {4} }", rec(rec(1, rec(2, 3)), slot("name", rec(4)))},
        {"{{},{},{}}", rec(rec(), rec(), rec())},
        {"@hello{{}}", rec(attr("hello"), rec())},
        // 34: markup.
        {"[Hello, @em[world]!]", rec("Hello, ", rec(attr("em"), "world"), "!")},
        // 35: a postfix attribute (Java).
        {"{} @signed", rec(attr("signed"))},
        // 36, 37: top-level newlines separate items (Java).
        {"@first\n@second", rec(rec(attr("first")), rec(attr("second")))},
        {"1, 2\n3 \n4; 5", rec(1, 2, 3, 4, 5)},
        // 39
        {R"("caf\u00e9")", "caf\xC3\xA9"},
        {"\"caf\xC3\xA9\"", "caf\xC3\xA9"},
        // 40, 41
        {R"(@"@at")", rec(attr("@at"))},
        {R"(@update(key:"my key")@inner{a:1,b:2})",
         rec(attr("update", rec(slot("key", "my key"))),
             attr("inner"),
             slot("a", 1),
             slot("b", 2))},
        // 42
        {"{name:}", rec(slot("name", extant))},
        {"{ name: }", rec(slot("name", extant))},
        {"{\n name:\n }", rec(slot("name", extant))},
    };
}

// §1.2: identifiers, booleans, strings, raw strings.
std::vector<accept_row> lexical()
{
    return {
        {"test", "test"},
        {"a-b", "a-b"},
        {"lane_uri", "lane_uri"},
        {"x1", "x1"},
        {"_", "_"},
        {"h\xC3\xA9llo", "h\xC3\xA9llo"},                          // héllo
        {"\xE6\x97\xA5\xE6\x9C\xAC", "\xE6\x97\xA5\xE6\x9C\xAC"},  // 日本
        {"\xCB\xBF", "\xCB\xBF"},                                  // U+02FF
        {"\xCD\xB0", "\xCD\xB0"},                                  // U+0370
        {"\xE3\x80\x81", "\xE3\x80\x81"},                          // U+3001
        {"\xEF\xB7\xB0", "\xEF\xB7\xB0"},                          // U+FDF0
        {"\xF0\x90\x80\x80", "\xF0\x90\x80\x80"},                  // U+10000
        {"a\xC2\xB7"
         "b",
         "a\xC2\xB7"
         "b"},  // U+00B7 is a later character
        {"false", false},
        {"True", "True"},
        {"truex", "truex"},
        {"true_", "true_"},
        // double- and single-quoted strings
        {R"("")", ""},
        {"''", ""},
        {R"("test")", "test"},
        {R"('say "hi"')", R"(say "hi")"},
        {R"("it's")", "it's"},
        {R"('\'\\\/\@\{\}\[\]\b\f\n\r\t')", "'\\/@{}[]\b\f\n\r\t"},
        {R"("\$")", "$"},
        {R"("\'")", "'"},
        {R"('\"')", "\""},
        {R"("\u0041")", "A"},
        {R"("\u20AC")", "\xE2\x82\xAC"},
        {R"("\u20ac")", "\xE2\x82\xAC"},
        {R"("a\u0000b")", std::string("a\0b", 3)},
        {R"("#not a comment")", "#not a comment"},
        // raw control characters inside strings (Rust accepts them; so do we)
        {"\"a\tb\"", "a\tb"},
        {"\"a\nb\"", "a\nb"},
        {"\"a\x01"
         "b\"",
         "a\x01"
         "b"},
        // back-tick raw strings
        {"``", ""},
        {"``````", ""},
        {"`test`", "test"},
        {"```test```", "test"},
        {"``` ` ```", " ` "},
        {"``` `` ```", " `` "},
        {R"(``` \` ```)", " ` "},
        {R"(``` \ ```)", " \\ "},
    };
}

// §1.2: numbers and data.
std::vector<accept_row> numbers_and_data()
{
    return {
        {"0", 0},
        {"-0", 0},
        {"1", 1},
        {"-1", -1},
        {"2147483647", 2147483647},
        {"-2147483648", std::int64_t{-2147483648LL}},
        {"9223372036854775807", std::numeric_limits<std::int64_t>::max()},
        {"-9223372036854775808", std::numeric_limits<std::int64_t>::min()},
        {"9223372036854775808", u64(9223372036854775808ull)},
        {"18446744073709551615", u64(18446744073709551615ull)},
        {"-9223372036854775809", big(true, "9223372036854775809")},
        {"259804429589205426119611", big(false, "259804429589205426119611")},
        {"-259804429589205426119611", big(true, "259804429589205426119611")},
        {"0.0", 0.0},
        {"0.5", 0.5},
        {"1.0", 1.0},
        {"1.05", 1.05},
        {"-10.5", -10.5},
        {"4e0", 4e0},
        {"4E1", 4E1},
        {"4e+2", 4e+2},
        {"4e-2", 4e-2},
        {"4.0e2", 4.0e2},
        {"-4.0E-02", -4.0E-02},
        {"1e3", 1000.0},
        {"4.9e-324", 4.9e-324},
        {"1.7976931348623157e308", 1.7976931348623157e308},
        {"2.2250738585072014e-308", 2.2250738585072014e-308},
        {"3.4028235e38", 3.4028235e38},
        // hex: non-negative Java forms, and the Rust forms we also accept
        {"0x0", 0},
        {"0x00000001", 1},
        {"0xFFFFFFFF", std::int64_t{0xFFFFFFFFLL}},
        {"0xfedcba98", std::int64_t{0xFEDCBA98LL}},
        {"0x0123456789ABCDEF", std::int64_t{0x0123456789ABCDEFLL}},
        {"0xFFFFFFFFFFFFFFFF", u64(0xFFFFFFFFFFFFFFFFull)},
        {"0xFEDCBA9876543210", u64(0xFEDCBA9876543210ull)},
        {"0X1F", 31},
        // data
        {"%AAAA", bytes({0, 0, 0})},
        {"%AAA=", bytes({0, 0})},
        {"%AA==", bytes({0})},
        {"%ABCDabcd12/+", bytes({0, 16, 131, 105, 183, 29, 215, 111, 254})},
        {"%+/+/", bytes({0xfb, 0xff, 0xbf})},
    };
}

// §1.3: attributes, the merge rules 1 to 6, postfix and infix attributes, slots.
std::vector<accept_row> structure()
{
    return {
        // rule 1: one plain value is that value; more items or any slot make a record
        {"@a(5)", rec(attr("a", 5))},
        {"@a(x:1)", rec(attr("a", rec(slot("x", 1))))},
        {"@a(1,2)", rec(attr("a", rec(1, 2)))},
        {"1,2", rec(1, 2)},
        {"a:1", rec(slot("a", 1))},
        {R"(@hello("world", %AA==, 42, true))",
         rec(attr("hello", rec("world", bytes({0}), 42, true)))},
        {R"(@hello("world"; %AA==; 42; true))",
         rec(attr("hello", rec("world", bytes({0}), 42, true)))},
        {"@hello(\"world\"\n%AA==\n42\ntrue)",
         rec(attr("hello", rec("world", bytes({0}), 42, true)))},
        {R"(@hello(name: "world", data: %AA==, number: 42, false))",
         rec(attr(
             "hello",
             rec(slot("name", "world"), slot("data", bytes({0})), slot("number", 42), false)))},
        {"@hello([world])", rec(attr("hello", rec("world")))},
        {R"(@hello("world"))", rec(attr("hello", "world"))},
        {"@a({})@b([])", rec(attr("a", rec()), attr("b", rec()))},
        // rule 2: {...} or [...] after attributes merges into the same record
        {"@a{1,2}", rec(attr("a"), 1, 2)},
        {"@hello {}", rec(attr("hello"))},
        {"@hello() {}", rec(attr("hello"))},
        {R"(@hello(name: "world") {})", rec(attr("hello", rec(slot("name", "world"))))},
        {"@hello { {}, [] }", rec(attr("hello"), rec(), rec())},
        {R"(@hello() { "world", 42 })", rec(attr("hello"), "world", 42)},
        {R"(@hello(name: "world") { {1,2} })",
         rec(attr("hello", rec(slot("name", "world"))), rec(1, 2))},
        {"@hello [test]", rec(attr("hello"), "test")},
        {"@hello []", rec(attr("hello"))},
        // rule 3: a literal after attributes is appended
        {R"(@hello "world!")", rec(attr("hello"), "world!")},
        {R"(@hello "")", rec(attr("hello"), "")},
        {"@hello %", rec(attr("hello"), bytes({}))},
        {"@hello() -42", rec(attr("hello"), -42)},
        {"@hello true", rec(attr("hello"), true)},
        {R"(@hello("world") 42.0)", rec(attr("hello", "world"), 42.0)},
        {"@hello 'test'", rec(attr("hello"), "test")},
        // rule 4: no parentheses and () both give extant
        {"@a@b", rec(attr("a"), attr("b"))},
        {"@a @b", rec(attr("a"), attr("b"))},
        {"@a()@b()", rec(attr("a"), attr("b"))},
        {R"(@"test"())", rec(attr("test"))},
        // rule 5: a trailing separator is ignored
        {"1,", 1},
        {"1;", 1},
        {"@a(1,)", rec(attr("a", 1))},
        {"  1, 2,3 ,4,  ", rec(1, 2, 3, 4)},
        {"{1, 2,3 ,4; }", rec(1, 2, 3, 4)},
        // rule 6: an empty document is absent
        {"   ", value()},
        {" \n ", value()},
        // postfix and infix attributes (Java)
        {"42 @signed", rec(42, attr("signed"))},
        {"42@signed", rec(42, attr("signed"))},
        {R"("test" @signed(by: "me"))", rec("test", attr("signed", rec(slot("by", "me"))))},
        {R"({ "world", 42 } @signed())", rec("world", 42, attr("signed"))},
        {"{ {1,2} } @signed", rec(rec(1, 2), attr("signed"))},
        {"[test] @signed", rec("test", attr("signed"))},
        {"[] @signed", rec(attr("signed"))},
        {"% @signed", rec(bytes({}), attr("signed"))},
        {"true @signed", rec(true, attr("signed"))},
        {"2@hello 42", rec(2, attr("hello"), 42)},
        {"-2@hello()-42", rec(-2, attr("hello"), -42)},
        {"{}@hello{}", rec(attr("hello"))},
        {R"({42}@hello(){"world"})", rec(42, attr("hello"), "world")},
        {"{{1,2}}@hello{{3,4}}", rec(rec(1, 2), attr("hello"), rec(3, 4))},
        {"[a]@hello[test]", rec("a", attr("hello"), "test")},
        {"%AA==@hello%AAA=", rec(bytes({0}), attr("hello"), bytes({0, 0}))},
        {"true@hello true", rec(true, attr("hello"), true)},
        // slots
        {"{a:1,b:2}", rec(slot("a", 1), slot("b", 2))},
        {R"({"a b":1})", rec(slot("a b", 1))},
        {"{1:2}", rec(slot(1, 2))},
        {"{true:false}", rec(slot(true, false))},
        {"{a:{b:1}}", rec(slot("a", rec(slot("b", 1))))},
        {"{a:@x 1}", rec(slot("a", rec(attr("x"), 1)))},
        {"{k:@x}", rec(slot("k", rec(attr("x"))))},
        {"extant:", rec(slot("extant", extant))},
        {"  extant:\n  record: {}\n  markup: []\n  \"\"\n  %AA==\n  integer: 0\n  decimal: "
         "0.0\n  true\n  false\n",
         rec(slot("extant", extant),
             slot("record", rec()),
             slot("markup", rec()),
             "",
             bytes({0}),
             slot("integer", 0),
             slot("decimal", 0.0),
             true,
             false)},
        // nested records
        {"{{1,2},{3,4}}", rec(rec(1, 2), rec(3, 4))},
        {"{1,2},{3,4}", rec(rec(1, 2), rec(3, 4))},
        {"{{{}}}", rec(rec(rec()))},
        {R"({1,2,"3",true})", rec(1, 2, "3", true)},
        // separators
        {"1;2", rec(1, 2)},
        {"1\n2", rec(1, 2)},
        {"{1;2}", rec(1, 2)},
        {"{1\n2}", rec(1, 2)},
        {"{1\r\n2}", rec(1, 2)},
        {"{1\r2}", rec(1, 2)},
        {"{\n 1,\n 2,\n3 \n}", rec(1, 2, 3)},
        {" \n 1;\n 2;\n3 \n ", rec(1, 2, 3)},
        {"{\t1 ,\t2\t}", rec(1, 2)},
        // comments
        {"#", value()},
        {"#comment", value()},
        {"#comment\n", value()},
        {"#comment\ntest", "test"},
        {"test#comment", "test"},
        {"5 # five", 5},
        {"{#comment\n}", rec()},
        {"{1#comment\n2#comment\n}", rec(1, 2)},
        {"#comment\n1\n#comment\n2", rec(1, 2)},
        {"{1, # one\n 2}", rec(1, 2)},
    };
}

// §1.4: markup.
std::vector<accept_row> markup()
{
    return {
        {"[]", rec()},
        {"[test]", rec("test")},
        {"[Hello, [good] world!]", rec("Hello, ", "good", " world!")},
        {R"([\"\$\'\\\/\@\{\}\[\]\b\f\n\r\t])", rec("\"$'\\/@{}[]\b\f\n\r\t")},
        {"[Hello{}world]", rec("Hello", "world")},
        {"[A: {42}.]", rec("A: ", 42, ".")},
        {R"([A: {"answer"}.])", rec("A: ", "answer", ".")},
        {"[A: {answer:0.0}.]", rec("A: ", slot("answer", 0.0), ".")},
        {"[A: @answer.]", rec("A: ", rec(attr("answer")), ".")},
        {R"([A: @answer("secret").])", rec("A: ", rec(attr("answer", "secret")), ".")},
        {"[A: @good @answer.]", rec("A: ", rec(attr("good")), " ", rec(attr("answer")), ".")},
        {"[A: @answer{42}.]", rec("A: ", rec(attr("answer"), 42), ".")},
        {R"([Hello, @em(class:"subject")[world]!])",
         rec("Hello, ", rec(attr("em", rec(slot("class", "subject"))), "world"), "!")},
        {"@event(node:n,lane:l)[a{1}]",
         rec(attr("event", rec(slot("node", "n"), slot("lane", "l"))), "a", 1)},
    };
}

void check_accepts(accept_row const& row)
{
    parse_error err;
    err.code = ec(error::unexpected_character);  // must be cleared on success
    err.offset = 99;
    value v = parse(row.input, err);
    BOOST_TEST(!err);
    BOOST_TEST(err.code == boost::system::error_code());
    BOOST_TEST(v == row.expected);
    BOOST_TEST(dump(v) == dump(row.expected));  // same kinds, not just equal numbers

    // Java's own tests also read every input with a space on each side.
    parse_error err2;
    value v2 = parse(" " + row.input + " ", err2);
    BOOST_TEST(!err2);
    BOOST_TEST(dump(v2) == dump(row.expected));

    // The throwing overload agrees.
    BOOST_TEST(dump(parse(row.input)) == dump(row.expected));
}

}  // namespace

namespace swim_test {
// Every accepted input of the tables above, for roundtrip_test.cpp.
std::vector<std::string> parser_table_inputs()
{
    std::vector<std::string> out;
    for (auto const& t : {spec_examples(), lexical(), numbers_and_data(), structure(), markup()})
        for (auto const& r : t)
            out.push_back(r.input);
    return out;
}
}  // namespace swim_test

BOOST_AUTO_TEST_SUITE(recon_parser)

BOOST_DATA_TEST_CASE(spec_1_7_examples, bdata::make(spec_examples()), row)
{
    check_accepts(row);
}

BOOST_DATA_TEST_CASE(lexical_rules, bdata::make(lexical()), row)
{
    check_accepts(row);
}

BOOST_DATA_TEST_CASE(numbers_and_data_values, bdata::make(numbers_and_data()), row)
{
    check_accepts(row);
}

BOOST_DATA_TEST_CASE(attributes_slots_separators, bdata::make(structure()), row)
{
    check_accepts(row);
}

BOOST_DATA_TEST_CASE(markup_examples, bdata::make(markup()), row)
{
    check_accepts(row);
}

// Hex and binary integers beyond 64 bits become decimal big integers, exactly; their digits
// are bounded (max_radix_digits: the conversion costs the square of the digits), leading
// zeros aside.
BOOST_AUTO_TEST_CASE(radix_integers_beyond_64_bits_are_exact_and_bounded)
{
    BOOST_TEST(parse("0x10000000000000000") == big(false, "18446744073709551616"));
    BOOST_TEST(parse("0b1" + std::string(64, '0')) == big(false, "18446744073709551616"));
    BOOST_TEST(
        parse("-0x1" + std::string(32, '0')) ==
        big(true, "340282366920938463463374607431768211456"));
    BOOST_TEST(
        parse("0xFEDCBA9876543210FEDCBA9876543210") ==
        big(false, "338770000845734292534325025077361652240"));
    // A limb boundary: 10^9 exactly, beyond 64 bits (10^27 = 0x33B2E3C9FD0803CE8000000).
    BOOST_TEST(parse("0x33B2E3C9FD0803CE8000000") == big(false, "1" + std::string(27, '0')));

    auto const at_limit = parse("0x" + std::string(1024, 'F'));
    BOOST_TEST_REQUIRE(at_limit.kind() == kind::big_integer);
    auto const& digits = at_limit.if_big_integer()->digits;
    BOOST_TEST(digits.size() == 1234u);
    BOOST_TEST(digits.substr(0, 20) == "10443888814131525066");
    BOOST_TEST(digits.substr(1214) == "04708340403154190335");
    // Leading zeros are not counted.
    BOOST_TEST(
        parse("0x" + std::string(5000, '0') + "1" + std::string(16, '0')).kind() ==
        kind::big_integer);

    for (std::string const& text :
         {"0x" + std::string(1025, 'F'),
          "-0x" + std::string(80000, '7'),
          "0b" + std::string(1025, '1'),
          "{a:0x" + std::string(2000, 'A') + "}"}) {
        parse_error err;
        value v = parse(text, err);
        BOOST_TEST(
            (err.code == error::number_too_long),
            text.substr(0, 12) << ": " << err.code.message());
        BOOST_TEST(v.is_absent());
    }
    parse_options unlimited;
    unlimited.max_radix_digits = 0;
    parse_error err;
    BOOST_TEST(parse("0x" + std::string(2000, 'A'), err, unlimited).kind() == kind::big_integer);
    BOOST_TEST(!err.code);
}

BOOST_AUTO_TEST_CASE(the_memory_of_a_value_is_counted_while_it_is_parsed_and_bounded)
{
    // Small values are counted at about their size and parse as before.
    parse_error err;
    parse_options opts;
    opts.max_memory = 4096;
    value v = parse("{a:1,b:\"two\",c:[markup @x]}", err, opts);
    BOOST_TEST(!err.code);
    BOOST_TEST(v.kind() == kind::record);
    BOOST_TEST(err.memory > 26u);
    BOOST_TEST(err.memory < 4096u);
    // 1 MiB of `@a` costs about 40 times its text: refused once the count passes the limit,
    // long before the end of the input (so the memory is never spent).
    std::string attrs;
    for (int i = 0; i < 512 * 1024; ++i)
        attrs += "@a";
    opts.max_memory = 4 * 1024 * 1024;
    std::string ones;
    for (int i = 0; i < 512 * 1024; ++i)
        ones += "1,";
    for (std::string const& text :
         {attrs, "{" + attrs + "}", "[" + attrs + "]", "{" + ones + "}"}) {
        err = {};
        v = parse(text, err, opts);
        BOOST_TEST((err.code == error::value_too_large), err.code.message());
        BOOST_TEST(v.is_absent());
        BOOST_TEST(err.offset < text.size() / 2);
        BOOST_TEST(err.memory <= opts.max_memory + 1024);
    }
    // An input longer than the limit is refused before it is read.
    err = {};
    parse("\"" + std::string(5 * 1024 * 1024, 'x') + "\"", err, opts);
    BOOST_TEST((err.code == error::value_too_large));
    // Without a limit (the default) it parses, and says what it cost.
    err = {};
    v = parse(attrs, err);
    BOOST_TEST(!err.code);
    BOOST_TEST(err.memory > 20u * attrs.size());
}

BOOST_AUTO_TEST_CASE(number_kinds)
{
    // The kind-exact dumps above already check this; spelled out for the normalisation rule.
    BOOST_TEST(parse("9223372036854775807").kind() == kind::int64);
    BOOST_TEST(parse("9223372036854775808").kind() == kind::uint64);
    BOOST_TEST(parse("18446744073709551615").kind() == kind::uint64);
    BOOST_TEST(parse("18446744073709551616").kind() == kind::big_integer);
    BOOST_TEST(parse("-9223372036854775808").kind() == kind::int64);
    BOOST_TEST(parse("-9223372036854775809").kind() == kind::big_integer);
    BOOST_TEST(parse("0xFFFFFFFF").kind() == kind::int64);
    BOOST_TEST(parse("1.0").kind() == kind::float64);
    BOOST_TEST(parse("1e3").kind() == kind::float64);
    BOOST_TEST(parse("-0.0").kind() == kind::float64);
    BOOST_TEST(std::signbit(*parse("-0.0").if_float64()));
    BOOST_TEST(parse("true").kind() == kind::boolean);
    BOOST_TEST(parse(R"("true")").kind() == kind::text);
}

// ---- rejected inputs ------------------------------------------------------------------------

namespace {

struct reject_row {
    std::string input;
    std::vector<error> codes;  // acceptable codes; the first is the expected one
    std::size_t min_offset;
    std::size_t max_offset;
};

std::ostream& boost_test_print_type(std::ostream& os, reject_row const& r)
{
    std::string s;
    swim_test::dump_text(r.input, s);
    return os << s << " -> " << make_error_code(r.codes.front()).message() << " at " << r.min_offset
              << ".." << r.max_offset;
}

std::vector<reject_row> rejected()
{
    using e = error;
    return {
        // §1.7 #38 and the Java parse*Fails cases
        {"{1", {e::unterminated_record}, 0, 2},
        {"{", {e::unterminated_record}, 0, 1},
        {"{1 ", {e::unterminated_record}, 0, 3},
        {"{1,", {e::unterminated_record}, 0, 3},
        {"{#comment", {e::unterminated_record}, 0, 9},
        {"{1#comment", {e::unterminated_record}, 0, 10},
        {"{{1}", {e::unterminated_record}, 0, 4},
        {"\"test", {e::unterminated_string}, 0, 5},
        {"\"", {e::unterminated_string}, 0, 1},
        {"'", {e::unterminated_string}, 0, 1},
        {"'test", {e::unterminated_string}, 0, 5},
        {"\"test\\", {e::unterminated_string, e::invalid_escape, e::unexpected_end}, 0, 6},
        {"`test", {e::unterminated_string}, 0, 5},
        {"{a:\"x}", {e::unterminated_string}, 3, 6},
        {"1.", {e::invalid_number}, 0, 2},
        {"1e", {e::invalid_number}, 0, 2},
        {"1E", {e::invalid_number}, 0, 2},
        {"1.e", {e::invalid_number}, 0, 3},
        {"1.0e", {e::invalid_number}, 0, 4},
        {"1.0e+", {e::invalid_number}, 0, 5},
        {"1.0E-", {e::invalid_number}, 0, 5},
        {"-", {e::invalid_number, e::unexpected_end}, 0, 1},
        {"{-}", {e::invalid_number, e::unexpected_character}, 1, 2},
        {"0x", {e::invalid_number, e::trailing_characters, e::unexpected_character}, 0, 2},
        {"%AAA", {e::invalid_data}, 0, 4},
        {"%AA", {e::invalid_data}, 0, 3},
        {"%A", {e::invalid_data}, 0, 2},
        {"%AA=A", {e::invalid_data}, 0, 5},
        {"@", {e::missing_attribute_name}, 0, 1},
        {"@()", {e::missing_attribute_name}, 0, 1},
        {"@1", {e::missing_attribute_name}, 0, 1},
        {"{@}", {e::missing_attribute_name}, 1, 2},
        {":", {e::missing_slot_key}, 0, 0},
        {":test", {e::missing_slot_key}, 0, 0},
        {"{:1}", {e::missing_slot_key}, 1, 1},
        {"{a:1, :2}", {e::missing_slot_key}, 5, 6},
        // Java: a top-level `1 2` is an error, `1,2` is a record
        {"1 2", {e::trailing_characters}, 1, 2},
        {"{}{}", {e::trailing_characters}, 2, 2},
        {"\"a\" \"b\"", {e::trailing_characters}, 3, 4},
        {"}", {e::unexpected_character}, 0, 0},
        {")", {e::unexpected_character}, 0, 0},
        {"]", {e::unexpected_character}, 0, 0},
        {"/node", {e::unexpected_character}, 0, 0},
        {"{1]", {e::unexpected_character, e::unterminated_record}, 2, 3},
        {"@a(1", {e::unterminated_attribute}, 0, 4},
        {"@a(", {e::unterminated_attribute}, 0, 3},
        {"@a(x:1", {e::unterminated_attribute}, 0, 6},
        {"@a(1}", {e::unexpected_character, e::unterminated_attribute}, 4, 5},
        {"[", {e::unterminated_markup}, 0, 1},
        {"[test", {e::unterminated_markup}, 0, 5},
        {"[test{}", {e::unterminated_markup}, 0, 7},
        {R"("\q")", {e::invalid_escape}, 1, 2},
        {R"("\x41")", {e::invalid_escape}, 1, 2},
        {R"("\u00")", {e::invalid_escape}, 1, 5},
        {R"("\u00g0")", {e::invalid_escape}, 1, 6},
        {R"([\u0041])", {e::invalid_escape}, 1, 2},
        // bytes that are not UTF-8 inside a string
        {"\"\xFF\"", {e::invalid_utf8}, 1, 1},
        {"\"a\xC3\"", {e::invalid_utf8}, 2, 3},
        {"\"\xC0\xAF\"", {e::invalid_utf8}, 1, 2},          // overlong '/'
        {"\"\xED\xA0\x80\"", {e::invalid_utf8}, 1, 3},      // encoded surrogate
        {"\"\xF4\x90\x80\x80\"", {e::invalid_utf8}, 1, 4},  // above U+10FFFF
        {"\xFF", {e::invalid_utf8, e::unexpected_character}, 0, 0},
    };
}

}  // namespace

BOOST_DATA_TEST_CASE(rejects, bdata::make(rejected()), row)
{
    parse_error err;
    value v = parse(row.input, err);
    BOOST_TEST_REQUIRE(static_cast<bool>(err));
    bool code_ok = false;
    for (auto c : row.codes)
        code_ok = code_ok || err.code == ec(c);
    BOOST_TEST(
        code_ok,
        "code " << err.code.message() << ", expected " << ec(row.codes.front()).message());
    BOOST_TEST(std::string(err.code.category().name()) == "swim.recon");
    BOOST_TEST(err.offset >= row.min_offset);
    BOOST_TEST(err.offset <= row.max_offset);
    BOOST_TEST(v.is_absent());

    // "<reason> at <offset>"
    std::string msg = err.message();
    std::string suffix = " at " + std::to_string(err.offset);
    BOOST_TEST(msg.size() > suffix.size());
    BOOST_TEST(msg.substr(msg.size() - std::min(msg.size(), suffix.size())) == suffix);
    BOOST_TEST(msg.find('\n') == std::string::npos);

    // The throwing overload throws the same error.
    BOOST_CHECK_EXCEPTION(parse(row.input), parse_exception, [&](parse_exception const& x) {
        return x.error().code == err.code && x.error().offset == err.offset &&
               std::string(x.what()).size() > 0;
    });
}

BOOST_AUTO_TEST_CASE(error_message_text)
{
    parse_error err;
    parse("\"test", err);
    BOOST_TEST(err.code == ec(error::unterminated_string));
    BOOST_TEST(err.message() == "unterminated string at " + std::to_string(err.offset));

    parse_error e2;
    e2.code = ec(error::unterminated_string);
    e2.offset = 17;
    BOOST_TEST(e2.message() == "unterminated string at 17");

    BOOST_TEST(std::string(error_category().name()) == "swim.recon");
    BOOST_TEST(!ec(error::max_depth_exceeded).message().empty());
    BOOST_TEST(ec(error::max_depth_exceeded).message() != ec(error::input_too_large).message());
}

// ---- limits ---------------------------------------------------------------------------------

namespace {
std::string nested(std::string const& open, std::string const& close, std::size_t n)
{
    std::string s;
    s.reserve(n * (open.size() + close.size()));
    for (std::size_t i = 0; i < n; ++i)
        s += open;
    for (std::size_t i = 0; i < n; ++i)
        s += close;
    return s;
}
}  // namespace

BOOST_AUTO_TEST_CASE(depth_limit_is_exact)
{
    parse_options opts;
    opts.max_depth = 4;
    parse_error err;
    value v = parse(nested("{", "}", 4), err, opts);
    BOOST_TEST(!err);
    BOOST_TEST(v == rec(rec(rec(rec()))));

    v = parse(nested("{", "}", 5), err, opts);
    BOOST_TEST(err.code == ec(error::max_depth_exceeded));
    BOOST_TEST(err.offset <= 5u);
    BOOST_TEST(v.is_absent());

    // Attribute arguments and markup count too (where exactly an attribute's record counts
    // is the parser's choice, so only well inside and well outside the limit are checked).
    BOOST_TEST(parse(nested("@a(", ")", 2), err, opts) == rec(attr("a", rec(attr("a")))));
    BOOST_TEST(!err);
    parse(nested("@a(", ")", 8), err, opts);
    BOOST_TEST(err.code == ec(error::max_depth_exceeded));

    BOOST_TEST(parse(nested("[", "]", 2), err, opts) == rec());
    BOOST_TEST(!err);
    parse(nested("[", "]", 8), err, opts);
    BOOST_TEST(err.code == ec(error::max_depth_exceeded));
}

BOOST_AUTO_TEST_CASE(default_depth_limit)
{
    parse_error err;
    parse(nested("{", "}", 100), err);
    BOOST_TEST(!err);
    parse(nested("{", "}", parse_options{}.max_depth), err);
    BOOST_TEST(!err);
    parse(nested("{", "}", parse_options{}.max_depth + 1), err);
    BOOST_TEST(err.code == ec(error::max_depth_exceeded));
}

BOOST_AUTO_TEST_CASE(deep_input_does_not_crash)
{
    constexpr std::size_t n = 100000;
    struct shape {
        char const* open;
        char const* close;
    };
    for (auto s :
         {shape{"{", "}"},
          shape{"{", ""},
          shape{"@a(", ")"},
          shape{"@a(", ""},
          shape{"[", "]"},
          shape{"[", ""},
          shape{"{a:", "}"},
          shape{"@a{", "}"},
          shape{"{@a(", ")}"},
          shape{"[@a[", "]]"}}) {
        BOOST_TEST_CONTEXT("shape " << s.open << " ... " << s.close)
        {
            parse_error err;
            value v = parse(nested(s.open, s.close, n), err);
            BOOST_TEST(err.code == ec(error::max_depth_exceeded));
            BOOST_TEST(err.offset <= 8 * parse_options{}.max_depth);
            BOOST_TEST(v.is_absent());
        }
    }
}

BOOST_AUTO_TEST_CASE(wide_input_is_not_nesting)
{
    // Many items or many prefix attributes are not nesting.
    std::string wide = "{";
    for (int i = 0; i < 100000; ++i)
        wide += "1,";
    wide += "}";
    parse_error err;
    value v = parse(wide, err);
    BOOST_TEST(!err);
    BOOST_TEST_REQUIRE(v.is_record());
    BOOST_TEST(v.as_record().size() == 100000u);

    std::string attrs;
    for (int i = 0; i < 10000; ++i)
        attrs += "@a";
    attrs += " 1";
    v = parse(attrs, err);
    BOOST_TEST(!err);
    BOOST_TEST_REQUIRE(v.is_record());
    BOOST_TEST(v.as_record().size() == 10001u);
    BOOST_TEST(v.as_record().attr_count() == 10000u);
}

BOOST_AUTO_TEST_CASE(size_limit)
{
    parse_options opts;
    opts.max_size = 10;
    parse_error err;
    BOOST_TEST(parse("1234567890", err, opts) == value(1234567890));
    BOOST_TEST(!err);
    value v = parse("12345678901", err, opts);
    BOOST_TEST(err.code == ec(error::input_too_large));
    BOOST_TEST(v.is_absent());

    opts.max_size = 0;  // disabled
    std::string big_text = "\"" + std::string(100000, 'x') + "\"";
    v = parse(big_text, err, opts);
    BOOST_TEST(!err);
    BOOST_TEST(v.as_text().size() == 100000u);
}

BOOST_AUTO_TEST_CASE(surrogate_escapes_do_not_crash)
{
    // Rust panics on `\uD83D`; we must not. A paired escape may be combined or rejected,
    // a lone one may be rejected: either way, no crash and a well-formed result.
    for (char const* s : {R"("\uD83D\uDE00")", R"("\uD800")", R"("\uDC00x")"}) {
        parse_error err;
        value v = parse(s, err);
        BOOST_TEST((err ? v.is_absent() : v.is_text()), s);
    }
}

BOOST_AUTO_TEST_CASE(identifiers)
{
    struct row {
        char const* s;
        bool ident;
    };
    for (auto r :
         {row{"a", true},
          row{"_", true},
          row{"a-b", true},
          row{"lane_uri", true},
          row{"node_uri", true},
          row{"a1", true},
          row{"h\xC3\xA9llo", true},
          row{"\xE6\x97\xA5\xE6\x9C\xAC", true},
          row{"true", false},
          row{"false", false},
          row{"", false},
          row{"-a", false},
          row{"1abc", false},
          row{"two words", false},
          row{"/node", false},
          row{"node/uri", false},
          row{"a.b", false},
          row{"a:b", false},
          row{"@a", false},
          row{"\xC2\xB7"
              "a",
              false},  // U+00B7 may not start one (Java)
          row{"a\x01", false}}) {
        BOOST_TEST(is_identifier(r.s) == r.ident, "is_identifier(\"" << r.s << "\")");
    }
}

BOOST_AUTO_TEST_SUITE_END()
