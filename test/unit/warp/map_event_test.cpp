// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// Map lane operations (warp-protocol.md §3.3): `@update(key:K) V`, `@remove(key:K)`,
// `@clear`, `@take(n)`, `@drop(n)`, read from a parsed body and written back.

#include <swim/recon/parser.hpp>
#include <swim/recon/value.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/error.hpp>
#include <swim/warp/map_event.hpp>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "../../../lib/warp/map_update_reader.hpp"
#include "../recon/print.hpp"

namespace bdata = boost::unit_test::data;
namespace recon = swim::recon;
using namespace swim::warp;
using swim_test::dump;
using swim_test::ec;

namespace {

template <class... Items>
recon::value rec(Items&&... items)
{
    return recon::value(recon::make_record(std::forward<Items>(items)...));
}

recon::item attr(std::string name, recon::value v = recon::value(recon::extant))
{
    return recon::item::attr(std::move(name), std::move(v));
}

recon::item slot(recon::value k, recon::value v)
{
    return recon::item::slot(std::move(k), std::move(v));
}

struct row {
    std::string body;       // as read
    map_event event;        // what it means
    std::string canonical;  // how we write it
};

std::ostream& boost_test_print_type(std::ostream& os, row const& r)
{
    return os << r.body;
}

std::vector<row> rows()
{
    auto const inner = rec(attr("inner"), slot("a", 1), slot("b", 2));
    return {
        // RS map/tests.rs test_map_message_form
        {"@update(key:0) 1", map_event::update(0, 1), "@update(key:0) 1"},
        {"@remove(key:0)", map_event::remove(0), "@remove(key:0)"},
        {"@clear", map_event::clear(), "@clear"},
        {"@take(1)", map_event::take(1), "@take(1)"},
        {"@drop(1)", map_event::drop(1), "@drop(1)"},
        // RS map/parser/tests.rs
        {"@remove(key: 567)", map_event::remove(567), "@remove(key:567)"},
        {"@take(7)", map_event::take(7), "@take(7)"},
        {"@drop(123)", map_event::drop(123), "@drop(123)"},
        {R"(@update(key: "my key")@inner { a: 1, b: 2})",
         map_event::update("my key", inner),
         R"(@update(key:"my key")@inner{a:1,b:2})"},
        {R"(@update(key:"my key")@inner{a:1,b:2})",
         map_event::update("my key", inner),
         R"(@update(key:"my key")@inner{a:1,b:2})"},
        // §3.5 and the transcript (Java writes no space before a quoted value)
        {"@update(key:a) 1", map_event::update("a", 1), "@update(key:a) 1"},
        {"@update(key:b){x:1,y:2}",
         map_event::update("b", rec(slot("x", 1), slot("y", 2))),
         "@update(key:b){x:1,y:2}"},
        {R"x(@update(key:e1)"floor 1")x",
         map_event::update("e1", "floor 1"),
         R"(@update(key:e1) "floor 1")"},
        {R"(@update(key:"elevator #3") lobby)",
         map_event::update("elevator #3", "lobby"),
         R"(@update(key:"elevator #3") lobby)"},
        {"@update(key:k0000000) 0", map_event::update("k0000000", 0), "@update(key:k0000000) 0"},
        {"@remove(key:e2)", map_event::remove("e2"), "@remove(key:e2)"},
        // keys and values of other kinds
        {"@update(key:1.5) true", map_event::update(1.5, true), "@update(key:1.5) true"},
        // a record after the header merges into the body (§1.3 rule 2): `{3}` is the value 3,
        // and a record value with one item needs a second pair of braces
        {"@update(key:k) {3}", map_event::update("k", 3), "@update(key:k) 3"},
        {"@update(key:{1,2}){{3}}",
         map_event::update(rec(1, 2), rec(3)),
         "@update(key:{1,2}){{3}}"},
        {"@update(key:k){1,2}", map_event::update("k", rec(1, 2)), "@update(key:k){1,2}"},
        {"@update(key:k){{}}", map_event::update("k", rec()), "@update(key:k){{}}"},
        {"@update(key:\"\") \"\"", map_event::update("", ""), R"(@update(key:"") "")"},
        {"@update(key:k)@x", map_event::update("k", rec(attr("x"))), "@update(key:k)@x"},
        {"@update(key:k) -2.5", map_event::update("k", -2.5), "@update(key:k){-2.5}"},
        {"@remove(key:{a:1})", map_event::remove(rec(slot("a", 1))), "@remove(key:{a:1})"},
        {"@take(0)", map_event::take(0), "@take(0)"},
        {"@drop(18446744073709551615)",
         map_event::drop(std::numeric_limits<std::uint64_t>::max()),
         "@drop(18446744073709551615)"},
    };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(warp_map_event)

BOOST_DATA_TEST_CASE(read_and_write, bdata::make(rows()), r)
{
    // read
    recon::value body = recon::parse(r.body);
    map_event ev;
    boost::system::error_code err = to_map_event(body, ev);
    BOOST_TEST_REQUIRE(!err, err.message());
    BOOST_TEST(ev == r.event);
    BOOST_TEST(dump(ev.key) == dump(r.event.key));
    BOOST_TEST(dump(ev.value) == dump(r.event.value));

    // write
    std::string out = ">";
    write_map_event(r.event, out);
    BOOST_TEST(out == ">" + r.canonical);
    BOOST_TEST(recon::to_string(to_value(r.event)) == r.canonical);

    // what we write reads back to the same operation
    map_event back;
    BOOST_TEST_REQUIRE(!to_map_event(recon::parse(r.canonical), back));
    BOOST_TEST(back == r.event);
}

BOOST_AUTO_TEST_CASE(to_value_shapes)
{
    BOOST_TEST(
        dump(to_value(map_event::update(0, 1))) ==
        dump(rec(attr("update", rec(slot("key", 0))), 1)));
    BOOST_TEST(
        dump(to_value(map_event::remove("k"))) == dump(rec(attr("remove", rec(slot("key", "k"))))));
    BOOST_TEST(dump(to_value(map_event::clear())) == dump(rec(attr("clear"))));
    BOOST_TEST(dump(to_value(map_event::take(3))) == dump(rec(attr("take", 3))));
    BOOST_TEST(dump(to_value(map_event::drop(4))) == dump(rec(attr("drop", 4))));
    BOOST_TEST(
        dump(to_value(map_event::update("k", rec(attr("inner"), slot("a", 1))))) ==
        dump(rec(attr("update", rec(slot("key", "k"))), attr("inner"), slot("a", 1))));
}

namespace {
struct bad_row {
    std::string body;
};
std::ostream& boost_test_print_type(std::ostream& os, bad_row const& r)
{
    return os << (r.body.empty() ? "(empty)" : r.body);
}
std::vector<bad_row> bad_rows()
{
    return {
        {""},
        {"42"},
        {"clear"},
        {"{a:1}"},
        {"{}"},
        {"@unknown(key:0) 1"},
        {"@Update(key:0) 1"},
        {"@update 1"},
        {"@update(k:0) 1"},
        {"@remove"},
        {"@remove(foo:0)"},
        {"@take"},
        {"@take(-1)"},
        {"@take(1.5)"},
        {"@take(x)"},
        {"@take(\"1\")"},
        {"@drop"},
        {"@drop(-3)"},
        {"@drop(18446744073709551616)"},
        {"@drop(1,2)"},
        {"1 @update(key:0)"},
    };
}
}  // namespace

BOOST_DATA_TEST_CASE(invalid_bodies, bdata::make(bad_rows()), r)
{
    recon::value body = recon::parse(r.body);
    map_event ev;
    boost::system::error_code err = to_map_event(body, ev);
    BOOST_TEST(err == ec(error::invalid_map_event), err.message());
}

BOOST_AUTO_TEST_CASE(update_envelopes_written_directly_match_the_generic_writer)
{
    using swim::recon::value;
    std::vector<value> const samples = {
        value(std::int64_t(0)),
        value(std::int64_t(-42)),
        value(std::numeric_limits<std::int64_t>::min()),
        value(std::numeric_limits<std::uint64_t>::max()),
        value(1.5),
        value(-0.0),
        value(6.02e23),
        value(true),
        value(false),
        value("k0000001"),
        value("true"),
        value("elevator #3"),
        value("with \"quotes\" and\nnewline"),
        value(""),
        value("1"),
        value(),
        value(swim::recon::extant),
        swim::recon::parse("{floor:3,dir:up}"),
        swim::recon::parse("{{3}}"),
        swim::recon::parse("@tag{a:1}"),
        swim::recon::parse("{3}"),
    };
    for (auto const& k : samples) {
        for (auto const& v : samples) {
            std::string direct;
            write_map_update_envelope("/unit/1", "map", k, v, direct);
            std::string generic;
            swim::warp::write_envelope(
                swim::warp::envelope_kind::event,
                "/unit/1",
                "map",
                to_value(map_event::update(k, v)),
                generic);
            BOOST_TEST(direct == generic);
        }
    }
}

// The map downlink's fast reader of `@update(key:K) V` against the whole parse: the same event
// whenever it reads a body, and no reading of what it must leave to the parser.
BOOST_AUTO_TEST_CASE(the_fast_update_reader_agrees_with_the_parser)
{
    std::vector<std::string> const read = {
        "@update(key:k0000001) 1",
        "@update(key:k)3",
        "@update(key:\"elevator #3\") -2.5",
        "@update(key:1) true",
        "@update(key:-7)  \"x y\"  ",
        "@update(key:a_b-c) 1e3",
        "@update(key:k)",
        "@update(key:k) \t",
        "@update(key:3.25) false",
        "@update(key:\"\") \"\"",
        "@update(key:true) false",
        "@update(key:-9223372036854775807) 123456789012345678",
        "@update(key:k) 1234567890123456789",  // (19 digits: the parser reads it)
        "@update(key:k) 99999999999999999999",
        "@update(key:k) 0x1F",
        "@update(key:k) 007",
        "@update(key:k) -0",
        "@update(key:k) 2E5",
        "@update(key:k-1_) k-1_",
        "@update(key:_) _",
    };
    std::vector<std::string> const left = {
        "@update(key:k){a:1}",
        "@update(key:k)@tag{a:1}",
        "@update(key:k) 1, 2",
        "@update(key:k) {3}",
        "@update(key:{a:1}) 1",
        "@update(key:\"a\\\"b\") 1",
        "@update(key:k)\"unterminated",
        "@update(key:k) %AAAA",
        "@update(key:k,x:1) 1",
        "@update({key:k}) 1",
        "@update(key:) 1",
        "@update(key:k)1.2.3",
        "@update(key:-) 1",
        "@remove(key:k)",
        "@clear",
        " @update(key:k) 1",
        "@update(key:k)\ntrue",  // (a newline ends an item: the header alone, then true)
        "@update(key:k) 1\n",
        "@update(key:k)\r\n1",
    };
    recon::parse_options const opts;
    for (auto const& body : read) {
        BOOST_TEST_INFO(body);
        map_event fast;
        BOOST_TEST_REQUIRE(detail::read_map_update(body, fast, opts));
        map_event slow;
        BOOST_TEST_REQUIRE(!to_map_event(recon::parse(body), slow));
        BOOST_TEST((fast == slow));
        BOOST_TEST((fast.key.kind() == slow.key.kind()));  // (== holds across number kinds)
        BOOST_TEST((fast.value.kind() == slow.value.kind()));
    }
    for (auto const& body : left) {
        BOOST_TEST_INFO(body);
        map_event e;
        BOOST_TEST(!detail::read_map_update(body, e, opts));
    }
    // Near the memory limit the parser decides: it counts the whole body, and names the error.
    recon::parse_options small;
    small.max_memory = 1100;
    map_event e;
    BOOST_TEST(
        !detail::read_map_update("@update(key:k) \"" + std::string(100, 'x') + "\"", e, small));
    small.max_memory = 2000;
    BOOST_TEST(
        detail::read_map_update("@update(key:k) \"" + std::string(100, 'x') + "\"", e, small));
}

BOOST_AUTO_TEST_SUITE_END()
