// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// The canonical compact writer of warp-protocol.md §1.5, §1.6 and §1.6a: exact output, and
// that the output reads back to the same value.

#include <swim/recon/error.hpp>
#include <swim/recon/parser.hpp>
#include <swim/recon/value.hpp>
#include <swim/recon/writer.hpp>

#include <boost/system/system_error.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
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

value text(std::string s)
{
    return value(std::move(s));
}

struct write_row {
    value v;
    std::string expected;
    /// What the text reads back as, when that is not `v` itself (hoisted attributes).
    std::optional<value> reads_back = std::nullopt;
};

std::ostream& boost_test_print_type(std::ostream& os, write_row const& r)
{
    std::string s;
    swim_test::dump_text(r.expected, s);
    return os << dump(r.v) << " -> " << s;
}

std::vector<write_row> canonical()
{
    using u64 = std::uint64_t;
    return {
        // scalars
        {value(extant), ""},
        {value(), ""},
        {true, "true"},
        {false, "false"},
        {0, "0"},
        {42, "42"},
        {-5, "-5"},
        {std::numeric_limits<std::int64_t>::min(), "-9223372036854775808"},
        {std::numeric_limits<std::int64_t>::max(), "9223372036854775807"},
        {u64{9223372036854775808ull}, "9223372036854775808"},
        {std::numeric_limits<u64>::max(), "18446744073709551615"},
        {value(big_integer{false, "18446744073709551616"}), "18446744073709551616"},
        {value(big_integer{true, "9223372036854775809"}), "-9223372036854775809"},
        {value(big_integer{false, "259804429589205426119611"}), "259804429589205426119611"},
        // floats whose shortest form has no '.' or 'e' get ".0"
        {1.0, "1.0"},
        {0.5, "0.5"},
        {-2.5, "-2.5"},
        {100.0, "100.0"},
        {0.1, "0.1"},
        {0.0, "0.0"},
        {-1.0, "-1.0"},
        {21.5, "21.5"},
        // text: bare identifiers, otherwise quoted with the Rust escapes (lower-case \u00xx)
        {"hello", "hello"},
        {"lane_uri", "lane_uri"},
        {"a-b", "a-b"},
        {"_", "_"},
        {"h\xC3\xA9llo", "h\xC3\xA9llo"},
        {"\xE6\x97\xA5\xE6\x9C\xAC", "\xE6\x97\xA5\xE6\x9C\xAC"},
        {text("true"), R"("true")"},
        {text("false"), R"("false")"},
        {text(""), R"("")"},
        {"two words", R"("two words")"},
        {"/node", R"("/node")"},
        {"node/uri", R"("node/uri")"},
        {"1abc", R"("1abc")"},
        {"-a", R"("-a")"},
        {"@at", R"("@at")"},
        {"a\"b", R"("a\"b")"},
        {"a\\b", R"("a\\b")"},
        {"\n\r\t\b\f", R"("\n\r\t\b\f")"},
        {"\x1f", R"("\u001f")"},
        {"a\x01", R"("a\u0001")"},
        {"\x1b[0m", R"("\u001b[0m")"},
        {text(std::string("\0", 1)), R"("\u0000")"},
        {"\x7f", "\"\x7f\""},
        {"caf\xC3\xA9 au lait", "\"caf\xC3\xA9 au lait\""},
        {"it's {a} [b] @c $d #e", R"("it's {a} [b] @c $d #e")"},
        // data
        {bytes({}), "%"},
        {bytes({0}), "%AA=="},
        {bytes({0, 0}), "%AAA="},
        {bytes({0, 0, 0}), "%AAAA"},
        {bytes({0xfb, 0xff}), "%+/8="},
        {bytes({0xfb, 0xff, 0xbf}), "%+/+/"},
        {value(blob{
             'a',
             'n',
             'y',
             ' ',
             'c',
             'a',
             'r',
             'n',
             'a',
             'l',
             ' ',
             'p',
             'l',
             'e',
             'a',
             's',
             'u',
             'r',
             'e'}),
         "%YW55IGNhcm5hbCBwbGVhc3VyZQ=="},
        // records (§1.6 table, C++ canonical column)
        {rec(), "{}"},
        {rec(1), "{1}"},
        {rec(1, 2, 3), "{1,2,3}"},
        {rec(slot("a", 1), slot("b", 2)), "{a:1,b:2}"},
        {rec(slot("blank", extant)), "{blank:}"},
        {rec(slot("a", extant), slot("b", 2), slot("c", extant)), "{a:,b:2,c:}"},
        {rec(rec(1, 2, 3)), "{{1,2,3}}"},
        {rec(rec(), rec(), rec()), "{{},{},{}}"},
        {rec(rec(1, rec(2, 3)), slot("name", rec(4))), "{{1,{2,3}},name:{4}}"},
        {rec(attr("tag")), "@tag"},
        {rec(attr("tag", 1)), "@tag(1)"},
        {rec(attr("tag", rec())), "@tag({})"},
        {rec(attr("tag", rec(1))), "@tag({1})"},
        {rec(attr("tag", rec(slot("name", 1)))), "@tag(name:1)"},
        {rec(attr("tag", rec(1, 2, 3))), "@tag(1,2,3)"},
        {rec(attr("tag", 1.0)), "@tag(1.0)"},
        {rec(attr("tag", "two words")), R"(@tag("two words"))"},
        {rec(attr("tag", text("true"))), R"(@tag("true"))"},
        {rec(attr("tag", true)), "@tag(true)"},
        {rec(attr("tag", rec(attr("inner", 0)))), "@tag(@inner(0))"},
        {rec(attr("tag", rec(rec(attr("inner", 0)), 3))), "@tag(@inner(0),3)"},
        {rec(attr("tag", rec(rec(attr("inner"))))), "@tag({@inner})"},
        {rec(attr("tag", rec(attr("x"), 1))), "@tag(@x 1)"},
        {rec(attr("tag", rec(slot("a", extant)))), "@tag(a:)"},
        {rec(attr("update", rec(slot("key", "my key")))), R"(@update(key:"my key"))"},
        {rec(attr("first"), 1, slot("name", 2), true), "@first{1,name:2,true}"},
        {rec(attr("first"), 1), "@first 1"},
        // A lone negative number after attributes goes in braces, so that no reader can take
        // `@a -1` for a subtraction; it reads back as the same record.
        {rec(attr("a"), -1), "@a{-1}"},
        {rec(attr("a"), 1.5), "@a 1.5"},
        {rec(attr("a"), true), "@a true"},
        {rec(attr("a"), "x"), "@a x"},
        {rec(attr("hello"), "world!"), R"(@hello "world!")"},
        {rec(attr("hello"), text("")), R"(@hello "")"},
        {rec(attr("a"), bytes({0})), "@a %AA=="},
        {rec(attr("hello"), rec()), "@hello{{}}"},
        {rec(attr("a"), rec()), "@a{{}}"},
        {rec(attr("a"), rec(1, 2)), "@a{{1,2}}"},
        {rec(attr("a"), rec(attr("b"))), "@a{@b}"},
        {rec(attr("a"), slot("k", 1)), "@a{k:1}"},
        {rec(attr("first"), attr("second", 1), 1, slot("name", 2), true),
         "@first@second(1){1,name:2,true}"},
        {rec(attr("first"), attr("second")), "@first@second"},
        {rec(attr("update", rec(slot("key", "my key"))), attr("inner"), slot("a", 1), slot("b", 2)),
         R"(@update(key:"my key")@inner{a:1,b:2})"},
        // attribute names that are not identifiers are quoted
        {rec(attr("two words")), R"(@"two words")"},
        {rec(attr("two words", 1)), R"(@"two words"(1))"},
        {rec(attr("@at")), R"(@"@at")"},
        {rec(attr("a\"b")), R"(@"a\"b")"},
        // slots with keys that need quoting, and non-text keys
        {rec(slot("a b", 1)), R"({"a b":1})"},
        {rec(slot(text("true"), 1)), R"({"true":1})"},
        {rec(slot(true, 1)), "{true:1}"},
        {rec(slot(1, 2)), "{1:2}"},
        {rec(slot(1.5, 2)), "{1.5:2}"},
        {rec(slot(rec(1), 2)), "{{1}:2}"},
        {rec(slot(rec(attr("key"), 1), rec(attr("value"), 2))), "{@key 1:@value 2}"},
        {rec(slot("a", rec(attr("x"), 1))), "{a:@x 1}"},
        {rec(slot("k", rec(attr("x")))), "{k:@x}"},
        // nested attributed records
        {rec(rec(attr("a"), 1), 2), "{@a 1,2}"},
        {rec(rec(attr("first")), rec(attr("second"))), "{@first,@second}"},
        {rec("Hello, ", rec(attr("em"), "world"), "!"), R"({"Hello, ",@em world,"!"})"},
        {rec("a", 1), "{a,1}"},
        // attributes after plain items are hoisted to the front
        {rec(1, attr("a")), "@a 1", rec(attr("a"), 1)},
        {rec(42, attr("signed")), "@signed 42", rec(attr("signed"), 42)},
        {rec(1, attr("a"), 2), "@a{1,2}", rec(attr("a"), 1, 2)},
        {rec(attr("a"), 1, attr("b")), "@a@b 1", rec(attr("a"), attr("b"), 1)},
        {rec(slot("k", 1), attr("a", 2)), "@a(2){k:1}", rec(attr("a", 2), slot("k", 1))},
        {rec(rec(), attr("x"), rec()), "@x{{},{}}", rec(attr("x"), rec(), rec())},
    };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recon_writer)

BOOST_DATA_TEST_CASE(canonical_text, bdata::make(canonical()), row)
{
    std::string out;
    boost::system::error_code err = ec(error::type_mismatch);
    write(row.v, out, err);
    BOOST_TEST(!err);
    BOOST_TEST(out == row.expected);
    BOOST_TEST(to_string(row.v) == row.expected);
    // never a newline; the only space is between a prefix attribute and a lone value
    BOOST_TEST(out.find('\n') == std::string::npos);

    // reads back
    value const& want = row.reads_back ? *row.reads_back : row.v;
    parse_error perr;
    value back = parse(out, perr);
    BOOST_TEST(!perr, perr.message());
    if (want.is_extant())
        BOOST_TEST(back.is_absent());  // an extant document is written as nothing
    else
        BOOST_TEST(dump(back) == dump(want));
}

BOOST_AUTO_TEST_CASE(appends)
{
    std::string out = "x=";
    write(value(1), out);
    BOOST_TEST(out == "x=1");
    write(value(make_record(1, 2)), out);
    BOOST_TEST(out == "x=1{1,2}");
}

BOOST_AUTO_TEST_CASE(write_text_rule)
{
    struct row {
        char const* in;
        char const* out;
    };
    for (auto r :
         {row{"a", "a"},
          row{"a b", R"("a b")"},
          row{"", R"("")"},
          row{"true", R"("true")"},
          row{"false", R"("false")"},
          row{"lane_uri", "lane_uri"},
          row{"/unit/1", R"("/unit/1")"},
          row{"\t", R"("\t")"}}) {
        std::string out = ">";
        write_text(r.in, out);
        BOOST_TEST(out == std::string(">") + r.out);
    }
}

namespace {
std::vector<double> float_samples()
{
    return {
        1.0,
        0.5,
        6.02e23,
        -6.02e23,
        1e21,
        1e22,
        1e100,
        1e300,
        1e-7,
        1.5e-7,
        123456789.125,
        0.1 + 0.2,
        1.0 / 3.0,
        9007199254740993.0,
        std::numeric_limits<double>::max(),
        -std::numeric_limits<double>::max(),
        std::numeric_limits<double>::min(),
        std::numeric_limits<double>::denorm_min(),
        std::numeric_limits<double>::epsilon(),
        -0.0,
        3.4028234663852886e38,
        1.17549435e-38};
}
}  // namespace

BOOST_DATA_TEST_CASE(floats_read_back_exactly, bdata::make(float_samples()), d)
{
    std::string out = to_string(value(d));
    BOOST_TEST_CONTEXT("written " << out)
    {
        BOOST_TEST(out.find_first_of(".eE") != std::string::npos);
        BOOST_TEST(out.find("inf") == std::string::npos);
        BOOST_TEST(out.find("nan") == std::string::npos);
        BOOST_TEST(out.front() != '+');
        BOOST_TEST(out.front() != '.');
        BOOST_TEST(out.find(".e") == std::string::npos);  // no "1." before an exponent
        BOOST_TEST(out.back() != '.');
        value back = parse(out);
        BOOST_TEST_REQUIRE(back.kind() == kind::float64);
        double r = *back.if_float64();
        BOOST_TEST(std::memcmp(&r, &d, sizeof d) == 0);  // bit-exact, sign of zero included

        // shortest: no more significant digits than 17
        std::size_t digits = 0;
        for (char c : out.substr(0, out.find_first_of("eE")))
            digits += (c >= '0' && c <= '9') ? 1 : 0;
        BOOST_TEST(digits <= 18u);
    }
}

BOOST_AUTO_TEST_CASE(shortest_float_forms)
{
    // Shortest round-trip: 0.1 is "0.1", not "0.10000000000000001".
    BOOST_TEST(to_string(value(0.1)) == "0.1");
    BOOST_TEST(to_string(value(0.1 + 0.2)) == "0.30000000000000004");
    BOOST_TEST(to_string(value(123456789.125)) == "123456789.125");
    // The exponent form is the writer's choice; it must read back (checked above) and
    // keep the mantissa digits.
    std::string s = to_string(value(6.02e23));
    BOOST_TEST(s.find("6.02") == 0u, s);
}

BOOST_AUTO_TEST_CASE(non_finite_floats_are_errors)
{
    double const nan = std::numeric_limits<double>::quiet_NaN();
    double const inf = std::numeric_limits<double>::infinity();
    std::vector<value> bad = {
        value(nan),
        value(inf),
        value(-inf),
        rec(1, nan),
        rec(attr("a", inf)),
        rec(slot("k", -inf)),
        rec(slot(nan, 1)),
        rec(attr("a"), rec(rec(nan))),
    };
    for (auto const& v : bad) {
        std::string out;
        boost::system::error_code err;
        write(v, out, err);
        BOOST_TEST(err == ec(error::non_finite_float));

        std::string out2;
        BOOST_CHECK_EXCEPTION(
            write(v, out2),
            boost::system::system_error,
            [](boost::system::system_error const& x) {
                return x.code() == ec(error::non_finite_float);
            });
        BOOST_CHECK_THROW(to_string(v), boost::system::system_error);
    }

    // A later successful write clears the error code.
    std::string out;
    boost::system::error_code err = ec(error::non_finite_float);
    write(value(1.5), out, err);
    BOOST_TEST(!err);
    BOOST_TEST(out == "1.5");
}

BOOST_AUTO_TEST_SUITE_END()
