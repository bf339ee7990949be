// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// WARP envelopes (warp-protocol.md §2): every wire string of §2.6 read and written, and the
// liberal reader of §2.8 (positional headers, unknown slots ignored, leading whitespace).

#include <swim/recon/error.hpp>
#include <swim/recon/parser.hpp>
#include <swim/recon/value.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/error.hpp>

#include <boost/system/system_error.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "../recon/print.hpp"

namespace bdata = boost::unit_test::data;
namespace recon = swim::recon;
using namespace swim::warp;
using swim_test::dump;
using swim_test::ec;

namespace {

using ek = envelope_kind;

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

// ---- accepted frames ------------------------------------------------------------------------

struct read_row {
    std::string frame;
    envelope_kind kind;
    std::string node;
    std::string lane;
    double prio;
    double rate;
    std::string body;  // the raw body text
};

std::ostream& boost_test_print_type(std::ostream& os, read_row const& r)
{
    std::string s;
    swim_test::dump_text(r.frame, s);
    return os << s;
}

std::vector<read_row> accepted()
{
    std::string const b = "@body {a: 1}";
    return {
        // Rust decoder accepts (§2.6)
        {"@auth@payload { name: bob }", ek::auth, "", "", 0, 0, "@payload { name: bob }"},
        {"@deauth@payload { name: bob }", ek::deauth, "", "", 0, 0, "@payload { name: bob }"},
        {"@link(node: \"/node\", lane: name)" + b, ek::link, "/node", "name", 0, 0, b},
        {"@link(node: \"/node\", lane: name, rate: 0.5)" + b, ek::link, "/node", "name", 0, 0.5, b},
        {"@link(node: \"/node\", lane: name, prio: 1)" + b, ek::link, "/node", "name", 1, 0, b},
        {"@link(node: \"/node\", lane: name, rate: 0.1, prio: 1e-4)" + b,
         ek::link,
         "/node",
         "name",
         1e-4,
         0.1,
         b},
        {"@sync(node: \"/node\", lane: name)" + b, ek::sync, "/node", "name", 0, 0, b},
        {"@sync(node: \"/node\", lane: name, rate: 0.5)" + b, ek::sync, "/node", "name", 0, 0.5, b},
        {"@sync(node: \"/node\", lane: name, prio: 1)" + b, ek::sync, "/node", "name", 1, 0, b},
        {"@sync(node: \"/node\", lane: name, rate: 0.1, prio: 1e-4)" + b,
         ek::sync,
         "/node",
         "name",
         1e-4,
         0.1,
         b},
        {"@linked(node: \"/node\", lane: name)" + b, ek::linked, "/node", "name", 0, 0, b},
        {"@linked(node: \"/node\", lane: name, rate: 0.5)" + b,
         ek::linked,
         "/node",
         "name",
         0,
         0.5,
         b},
        {"@linked(node: \"/node\", lane: name, prio: 1)" + b, ek::linked, "/node", "name", 1, 0, b},
        {"@linked(node: \"/node\", lane: name, rate: 0.1, prio: 1e-4)" + b,
         ek::linked,
         "/node",
         "name",
         1e-4,
         0.1,
         b},
        {"@command(node: \"/node\", lane: name)" + b, ek::command, "/node", "name", 0, 0, b},
        {"@unlink(node: \"/node\", lane: name)" + b, ek::unlink, "/node", "name", 0, 0, b},
        {"@synced(node: \"/node\", lane: name)" + b, ek::synced, "/node", "name", 0, 0, b},
        {"@unlinked(node: \"/node\", lane: name)" + b, ek::unlinked, "/node", "name", 0, 0, b},
        {"@event(node: \"/node\", lane: name)" + b, ek::event, "/node", "name", 0, 0, b},
        // Rust decoder rejects this (a positional item); our reader takes positional item 0
        // as the node only when there is no named node slot: the named slot wins (§2.8 step 3).
        {"@linked(7, node: \"/node\", lane: name, rate: 0.5)" + b,
         ek::linked,
         "/node",
         "name",
         0,
         0.5,
         b},
        // Rust encoder output (§2.6)
        {R"(@link(node:"/node",lane:lane))", ek::link, "/node", "lane", 0, 0, ""},
        {R"(@command(node:"/node",lane:lane) body)", ek::command, "/node", "lane", 0, 0, "body"},
        {R"(@command(node:"/node",lane:lane)@body)", ek::command, "/node", "lane", 0, 0, "@body"},
        {R"(@unlinked(node:"/node",lane:lane) gone)", ek::unlinked, "/node", "lane", 0, 0, "gone"},
        {R"(@unlinked(node:"/node",lane:lane)@nodeNotFound)",
         ek::unlinked,
         "/node",
         "lane",
         0,
         0,
         "@nodeNotFound"},
        {R"(@command(node:"/node",lane:lane) {a:1})", ek::command, "/node", "lane", 0, 0, "{a:1}"},
        {"@link(node:node,lane:value_lane)", ek::link, "node", "value_lane", 0, 0, ""},
        // Java/JS parse tests (§2.6)
        {"@link(node: node_uri, lane: lane_uri, prio: 0.5, rate: 1.0)",
         ek::link,
         "node_uri",
         "lane_uri",
         0.5,
         1,
         ""},
        {"@link(node_uri, lane_uri)", ek::link, "node_uri", "lane_uri", 0, 0, ""},
        {"@link(node_uri, lane_uri)@test", ek::link, "node_uri", "lane_uri", 0, 0, "@test"},
        {"@sync(node_uri, lane_uri, prio: 0.5)", ek::sync, "node_uri", "lane_uri", 0.5, 0, ""},
        {"@event(node: node_uri, lane: lane_uri)", ek::event, "node_uri", "lane_uri", 0, 0, ""},
        {"@event(node_uri, lane_uri)", ek::event, "node_uri", "lane_uri", 0, 0, ""},
        {"@event(node_uri, lane_uri)@test", ek::event, "node_uri", "lane_uri", 0, 0, "@test"},
        // Java/JS writer output (§2.6)
        {R"(@event(node:"node/uri",lane:lane_uri)@test)",
         ek::event,
         "node/uri",
         "lane_uri",
         0,
         0,
         "@test"},
        {"@link(node:node_uri,lane:lane_uri,prio:0.5,rate:1)",
         ek::link,
         "node_uri",
         "lane_uri",
         0.5,
         1,
         ""},
        {"@auth", ek::auth, "", "", 0, 0, ""},
        {"@authed@test", ek::authed, "", "", 0, 0, "@test"},
        {"@deauthed", ek::deauthed, "", "", 0, 0, ""},
        {"@auth{token:abc}", ek::auth, "", "", 0, 0, "{token:abc}"},
        {"@auth {token:abc}", ek::auth, "", "", 0, 0, "{token:abc}"},
        // the liberal reader (§2.8)
        {"  @event(node:a,lane:b) 1", ek::event, "a", "b", 0, 0, "1"},
        {"\n\t@event(node:a,lane:b)", ek::event, "a", "b", 0, 0, ""},
        {"@event(node:a,lane:b,extra:1)", ek::event, "a", "b", 0, 0, ""},
        {"@link(node:a,lane:b,foo:{x:1},prio:2,@bar)", ek::link, "a", "b", 2, 0, ""},
        {R"(@"event"(node:a,lane:b) 5)", ek::event, "a", "b", 0, 0, "5"},
        {R"(@event("/n", l))", ek::event, "/n", "l", 0, 0, ""},
        {"@event(node:'/n',lane:`l`)", ek::event, "/n", "l", 0, 0, ""},
        {"@event(node:a;lane:b)", ek::event, "a", "b", 0, 0, ""},
        {"@event(node:a\nlane:b)", ek::event, "a", "b", 0, 0, ""},
        {R"(@event( node : "/n" , lane : l ))", ek::event, "/n", "l", 0, 0, ""},
        {R"(@event("node":"/n","lane":l))", ek::event, "/n", "l", 0, 0, ""},
        {R"(@event(node:"/a\"b",lane:"l\\m\u0041"))", ek::event, "/a\"b", "l\\mA", 0, 0, ""},
        {"@event(node:\"/caf\xC3\xA9\",lane:\xE6\x97\xA5)",
         ek::event,
         "/caf\xC3\xA9",
         "\xE6\x97\xA5",
         0,
         0,
         ""},
        {"@event(node:a,lane:b)   42", ek::event, "a", "b", 0, 0, "42"},
        {"@event(node:a,lane:b) 42  ", ek::event, "a", "b", 0, 0, "42  "},
        {"@event(node:a,lane:b)[a{1}]", ek::event, "a", "b", 0, 0, "[a{1}]"},
        {"@event(node:a,lane:b) {{1,2}}", ek::event, "a", "b", 0, 0, "{{1,2}}"},
        {"@link(node:a,lane:b,prio:2,rate:10)", ek::link, "a", "b", 2, 10, ""},
        {"@linked(node:a,lane:b,rate:0.25)", ek::linked, "a", "b", 0, 0.25, ""},
        {"@unlinked(node:\"/no/such/node\",lane:light)@nodeNotFound",
         ek::unlinked,
         "/no/such/node",
         "light",
         0,
         0,
         "@nodeNotFound"},
        {R"(@unlinked(node:"/unit/1",lane:temp) "Link closed.")",
         ek::unlinked,
         "/unit/1",
         "temp",
         0,
         0,
         R"("Link closed.")"},
    };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(warp_envelope)

BOOST_DATA_TEST_CASE(reads, bdata::make(accepted()), row)
{
    envelope_view v;
    std::string scratch;
    envelope_error err = read_envelope(row.frame, v, scratch);
    BOOST_TEST_REQUIRE(!err, err.message());
    BOOST_TEST(v.kind == row.kind);
    BOOST_TEST(v.node == row.node);
    BOOST_TEST(v.lane == row.lane);
    BOOST_TEST(v.prio == row.prio);
    BOOST_TEST(v.rate == row.rate);
    BOOST_TEST(v.body == row.body);

    // the parsed body is the body text parsed on its own (empty gives absent)
    recon::parse_error perr;
    recon::value body = v.parse_body(perr);
    BOOST_TEST(!perr);
    recon::value want = recon::parse(row.body);
    BOOST_TEST(dump(body) == dump(want));

    // parse_envelope agrees
    envelope e;
    envelope_error err2 = parse_envelope(row.frame, e);
    BOOST_TEST_REQUIRE(!err2, err2.message());
    BOOST_TEST(e.kind == row.kind);
    BOOST_TEST(e.node == row.node);
    BOOST_TEST(e.lane == row.lane);
    BOOST_TEST(e.prio == row.prio);
    BOOST_TEST(e.rate == row.rate);
    BOOST_TEST(dump(e.body) == dump(want));

    // and survives to_string -> parse_envelope
    std::string text = to_string(e);
    envelope e2;
    envelope_error err3 = parse_envelope(text, e2);
    BOOST_TEST(!err3, text << ": " << err3.message());
    BOOST_TEST(e2 == e, text);
    BOOST_TEST(dump(e2.body) == dump(e.body));
}

BOOST_AUTO_TEST_CASE(body_examples)
{
    struct row {
        char const* frame;
        recon::value body;
    };
    std::vector<row> rows = {
        {"@auth@payload { name: bob }", rec(attr("payload"), slot("name", "bob"))},
        {"@link(node: \"/node\", lane: name)@body {a: 1}", rec(attr("body"), slot("a", 1))},
        {"@event(node:a,lane:b)", recon::value()},
        {"@event(node:a,lane:b) 42", 42},
        {"@event(node:a,lane:b) {{1,2}}", rec(rec(1, 2))},  // stays nested (§2.8 step 4)
        {"@event(node:a,lane:b) {5}", rec(5)},
        {"@event(node:a,lane:b)[a{1}]", rec("a", 1)},
        {"@event(node:a,lane:b)@update(key:e1)\"floor 1\"",
         rec(attr("update", rec(slot("key", "e1"))), "floor 1")},
    };
    for (auto const& r : rows) {
        envelope e;
        envelope_error err = parse_envelope(r.frame, e);
        BOOST_TEST_REQUIRE(!err, r.frame << ": " << err.message());
        BOOST_TEST(dump(e.body) == dump(r.body), r.frame);
    }
}

BOOST_AUTO_TEST_CASE(views_point_into_the_frame)
{
    std::string frame = R"(@event(node:"/unit/1",lane:temp)   {a: 1} )";
    envelope_view v;
    std::string scratch;
    BOOST_TEST_REQUIRE(!read_envelope(frame, v, scratch));
    auto inside = [&](std::string_view s) {
        return s.data() >= frame.data() && s.data() + s.size() <= frame.data() + frame.size();
    };
    BOOST_TEST(inside(v.node));
    BOOST_TEST(inside(v.lane));
    BOOST_TEST(inside(v.body));
    BOOST_TEST(v.node == "/unit/1");
    BOOST_TEST(v.body == "{a: 1} ");

    // escapes go through the scratch buffer
    std::string escaped = R"(@event(node:"/a\"b",lane:"l\\m") x)";
    BOOST_TEST_REQUIRE(!read_envelope(escaped, v, scratch));
    BOOST_TEST(v.node == "/a\"b");
    BOOST_TEST(v.lane == "l\\m");
    BOOST_TEST(v.body == "x");
}

// ---- rejected frames ------------------------------------------------------------------------

namespace {

struct reject_row {
    std::string frame;
    error code;
    // for malformed headers: the Recon errors beneath that are acceptable
    std::vector<recon::error> recon_codes = {};
};

std::ostream& boost_test_print_type(std::ostream& os, reject_row const& r)
{
    std::string s;
    swim_test::dump_text(r.frame, s);
    return os << s << " -> " << make_error_code(r.code).message();
}

std::vector<reject_row> rejected()
{
    using e = error;
    using re = recon::error;
    std::string const b = "@body {a: 1}";
    return {
        // the Rust decoder's rejects that we reject too
        {"{}", e::not_an_envelope},
        {"@unknown(node: \"/node\", lane: name)" + b, e::unknown_envelope},
        {"@unlinked(node: 4, lane: name)" + b, e::invalid_node},
        {"@unlinked(node: \"/node\", lane: 5.6)" + b, e::invalid_lane},
        {"@linked(node: \"/node\", lane: name, rate: half)" + b, e::invalid_rate},
        {"@linked(node: \"/node\", lane: name, prio: \"max\")" + b, e::invalid_prio},
        {"@linked" + b, e::missing_node},
        {"@linked(node:node, lane:\"lane);",
         e::malformed_header,
         {re::unterminated_string, re::unterminated_attribute}},
        // more
        {"", e::not_an_envelope},
        {"   ", e::not_an_envelope},
        {"this is not recon {", e::not_an_envelope},
        {"42", e::not_an_envelope},
        {"event(node:a,lane:b)", e::not_an_envelope},
        {"@bogus(node:\"/unit/3\",lane:value)", e::unknown_envelope},
        {"@Event(node:a,lane:b)", e::unknown_envelope},
        {"@events(node:a,lane:b)", e::unknown_envelope},
        {"@\"bogus\"(node:a,lane:b)", e::unknown_envelope},
        {"@event", e::missing_node},
        {"@event()", e::missing_node},
        {"@event(lane:l)", e::missing_node},
        {"@event(node:n)", e::missing_lane},
        {"@command(n)", e::missing_lane},
        {"@link(node:n,prio:1)", e::missing_lane},
        {"@event(node:{a},lane:l)", e::invalid_node},
        {"@event(node:true,lane:l)", e::invalid_node},
        {"@event(node:n,lane:%AA==)", e::invalid_lane},
        {"@link(node:n,lane:l,rate:true)", e::invalid_rate},
        {"@sync(node:n,lane:l,prio:%AA==)", e::invalid_prio},
        {"@event(node:n,lane:l", e::malformed_header, {re::unterminated_attribute}},
        {"@event(node:\"n,lane:l)", e::malformed_header, {re::unterminated_string}},
        {"@event(node:n,lane:l}", e::malformed_header, {}},
    };
}

}  // namespace

BOOST_DATA_TEST_CASE(rejects, bdata::make(rejected()), row)
{
    envelope_view v;
    std::string scratch;
    envelope_error err = read_envelope(row.frame, v, scratch);
    BOOST_TEST(err.code == ec(row.code), err.code.message());
    BOOST_TEST(std::string(err.code.category().name()) == "swim.warp");
    BOOST_TEST(!err.message().empty());
    BOOST_TEST(err.message().find('\n') == std::string::npos);
    if (row.code == error::malformed_header) {
        BOOST_TEST(static_cast<bool>(err.recon));
        if (!row.recon_codes.empty()) {
            bool ok = false;
            for (auto c : row.recon_codes)
                ok = ok || err.recon.code == ec(c);
            BOOST_TEST(ok, "recon error " << err.recon.code.message());
        }
        // the message names the Recon problem
        BOOST_TEST(err.message().find(err.recon.message()) != std::string::npos, err.message());
    }

    envelope e;
    envelope_error err2 = parse_envelope(row.frame, e);
    BOOST_TEST(err2.code == ec(row.code));
}

BOOST_AUTO_TEST_CASE(unknown_tag_message_names_it)
{
    envelope e;
    envelope_error err = parse_envelope("@bogus(node:\"/unit/3\",lane:value)", e);
    BOOST_TEST(err.code == ec(error::unknown_envelope));
    BOOST_TEST(err.message().find("bogus") != std::string::npos, err.message());
}

BOOST_AUTO_TEST_CASE(messages_are_short_single_lines)
{
    // Reasons quote the frame at most in part: a peer cannot make our log lines huge.
    std::string garbage(100000, 'x');
    garbage += "\n\x01";
    std::string long_tag = "@" + std::string(100000, 'y') + "(node:a,lane:b)";
    for (auto const* f : {&garbage, &long_tag}) {
        envelope e;
        envelope_error err = parse_envelope(*f, e);
        BOOST_TEST(static_cast<bool>(err));
        BOOST_TEST(err.message().size() < 300u);
        BOOST_TEST(err.message().find('\n') == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(malformed_body_only_when_parsed)
{
    struct row {
        char const* frame;
        recon::error recon_code;
    };
    for (auto r :
         {row{"@event(node:n,lane:l) {", recon::error::unterminated_record},
          row{"@event(node:n,lane:l) 1 2", recon::error::trailing_characters},
          row{"@event(node:n,lane:l) \"abc", recon::error::unterminated_string},
          row{"@auth {", recon::error::unterminated_record}}) {
        BOOST_TEST_CONTEXT(r.frame)
        {
            // read_envelope does not look at the body
            envelope_view v;
            std::string scratch;
            BOOST_TEST(!read_envelope(r.frame, v, scratch));
            recon::parse_error perr;
            BOOST_TEST(v.parse_body(perr).is_absent());
            BOOST_TEST(perr.code == ec(r.recon_code));

            envelope e;
            envelope_error err = parse_envelope(r.frame, e);
            BOOST_TEST(err.code == ec(error::malformed_body));
            BOOST_TEST(err.recon.code == ec(r.recon_code));
            BOOST_TEST(err.message().find(err.recon.message()) != std::string::npos, err.message());
        }
    }
}

// ---- writing --------------------------------------------------------------------------------

namespace {

struct write_row {
    envelope_kind kind;
    std::string node;
    std::string lane;
    std::string body;
    link_params params;
    std::string expected;
};

std::ostream& boost_test_print_type(std::ostream& os, write_row const& r)
{
    return os << r.expected;
}

std::vector<write_row> written()
{
    return {
        // Rust encoder (§2.6)
        {ek::link, "/node", "lane", "", {}, R"(@link(node:"/node",lane:lane))"},
        {ek::sync, "/node", "lane", "", {}, R"(@sync(node:"/node",lane:lane))"},
        {ek::unlink, "/node", "lane", "", {}, R"(@unlink(node:"/node",lane:lane))"},
        {ek::command, "/node", "lane", "", {}, R"(@command(node:"/node",lane:lane))"},
        {ek::command, "/node", "lane", "body", {}, R"(@command(node:"/node",lane:lane) body)"},
        {ek::command, "/node", "lane", "@body", {}, R"(@command(node:"/node",lane:lane)@body)"},
        {ek::linked, "/node", "lane", "", {}, R"(@linked(node:"/node",lane:lane))"},
        {ek::synced, "/node", "lane", "", {}, R"(@synced(node:"/node",lane:lane))"},
        {ek::unlinked, "/node", "lane", "", {}, R"(@unlinked(node:"/node",lane:lane))"},
        {ek::unlinked, "/node", "lane", "gone", {}, R"(@unlinked(node:"/node",lane:lane) gone)"},
        {ek::event, "/node", "lane", "body", {}, R"(@event(node:"/node",lane:lane) body)"},
        {ek::event, "/node", "lane", "@body", {}, R"(@event(node:"/node",lane:lane)@body)"},
        {ek::unlinked,
         "/node",
         "lane",
         "@nodeNotFound",
         {},
         R"(@unlinked(node:"/node",lane:lane)@nodeNotFound)"},
        // Java/JS writer tests (§2.6): same text, the Rust body layout
        {ek::event, "node/uri", "lane_uri", "", {}, R"(@event(node:"node/uri",lane:lane_uri))"},
        {ek::event,
         "node/uri",
         "lane_uri",
         "@test",
         {},
         R"(@event(node:"node/uri",lane:lane_uri)@test)"},
        {ek::command, "node_uri", "lane_uri", "", {}, "@command(node:node_uri,lane:lane_uri)"},
        {ek::command,
         "node_uri",
         "lane_uri",
         "@test",
         {},
         "@command(node:node_uri,lane:lane_uri)@test"},
        {ek::link, "node_uri", "lane_uri", "", {}, "@link(node:node_uri,lane:lane_uri)"},
        {ek::link,
         "node_uri",
         "lane_uri",
         "",
         {0.5, 0},
         "@link(node:node_uri,lane:lane_uri,prio:0.5)"},
        {ek::link, "node_uri", "lane_uri", "", {0, 1}, "@link(node:node_uri,lane:lane_uri,rate:1)"},
        {ek::link,
         "node_uri",
         "lane_uri",
         "",
         {0.5, 1},
         "@link(node:node_uri,lane:lane_uri,prio:0.5,rate:1)"},
        {ek::link, "node_uri", "lane_uri", "@test", {}, "@link(node:node_uri,lane:lane_uri)@test"},
        {ek::linked, "node_uri", "lane_uri", "", {}, "@linked(node:node_uri,lane:lane_uri)"},
        {ek::linked,
         "node_uri",
         "lane_uri",
         "",
         {0.5, 0},
         "@linked(node:node_uri,lane:lane_uri,prio:0.5)"},
        {ek::linked,
         "node_uri",
         "lane_uri",
         "",
         {0, 1},
         "@linked(node:node_uri,lane:lane_uri,rate:1)"},
        {ek::linked,
         "node_uri",
         "lane_uri",
         "",
         {0.5, 1},
         "@linked(node:node_uri,lane:lane_uri,prio:0.5,rate:1)"},
        {ek::linked,
         "node_uri",
         "lane_uri",
         "@test",
         {},
         "@linked(node:node_uri,lane:lane_uri)@test"},
        {ek::sync, "node_uri", "lane_uri", "", {}, "@sync(node:node_uri,lane:lane_uri)"},
        {ek::sync,
         "node_uri",
         "lane_uri",
         "",
         {0.5, 0},
         "@sync(node:node_uri,lane:lane_uri,prio:0.5)"},
        {ek::sync, "node_uri", "lane_uri", "", {0, 1}, "@sync(node:node_uri,lane:lane_uri,rate:1)"},
        {ek::sync,
         "node_uri",
         "lane_uri",
         "",
         {0.5, 1},
         "@sync(node:node_uri,lane:lane_uri,prio:0.5,rate:1)"},
        {ek::sync, "node_uri", "lane_uri", "@test", {}, "@sync(node:node_uri,lane:lane_uri)@test"},
        {ek::synced, "node_uri", "lane_uri", "", {}, "@synced(node:node_uri,lane:lane_uri)"},
        {ek::synced,
         "node_uri",
         "lane_uri",
         "@test",
         {},
         "@synced(node:node_uri,lane:lane_uri)@test"},
        {ek::unlink, "node_uri", "lane_uri", "", {}, "@unlink(node:node_uri,lane:lane_uri)"},
        {ek::unlink,
         "node_uri",
         "lane_uri",
         "@test",
         {},
         "@unlink(node:node_uri,lane:lane_uri)@test"},
        {ek::unlinked, "node_uri", "lane_uri", "", {}, "@unlinked(node:node_uri,lane:lane_uri)"},
        {ek::unlinked,
         "node_uri",
         "lane_uri",
         "@test",
         {},
         "@unlinked(node:node_uri,lane:lane_uri)@test"},
        // bodies: a space unless the body starts with '@'
        {ek::event, "/n", "l", "42", {}, R"(@event(node:"/n",lane:l) 42)"},
        {ek::event, "/n", "l", "{a:1,b:2}", {}, R"(@event(node:"/n",lane:l) {a:1,b:2})"},
        {ek::event, "/n", "l", R"("two words")", {}, R"(@event(node:"/n",lane:l) "two words")"},
        {ek::event,
         "/n",
         "l",
         "@update(key:k) 5",
         {},
         R"(@event(node:"/n",lane:l)@update(key:k) 5)"},
        // node and lane: bare when an identifier, else quoted
        {ek::event, "true", "false", "", {}, R"(@event(node:"true",lane:"false"))"},
        {ek::event, "", "", "", {}, R"(@event(node:"",lane:""))"},
        {ek::event, "/a\"b", "l\\m", "", {}, R"(@event(node:"/a\"b",lane:"l\\m"))"},
        {ek::event, "two words", "x-y", "", {}, R"(@event(node:"two words",lane:x-y))"},
        {ek::event,
         "/caf\xC3\xA9",
         "\xE6\x97\xA5",
         "",
         {},
         "@event(node:\"/caf\xC3\xA9\",lane:\xE6\x97\xA5)"},
        // prio and rate: fractional values, written only when nonzero
        {ek::link, "/n", "l", "", {0.25, 0.5}, R"(@link(node:"/n",lane:l,prio:0.25,rate:0.5))"},
        {ek::sync, "/n", "l", "", {0, 0.1}, R"(@sync(node:"/n",lane:l,rate:0.1))"},
        {ek::link, "/n", "l", "@x", {0.5, 0}, R"(@link(node:"/n",lane:l,prio:0.5)@x)"},
    };
}

}  // namespace

BOOST_DATA_TEST_CASE(writes, bdata::make(written()), row)
{
    std::string out = "prefix:";
    write_envelope_text(row.kind, row.node, row.lane, row.body, out, row.params);
    BOOST_TEST(out == "prefix:" + row.expected);

    // and reads back
    envelope_view v;
    std::string scratch;
    envelope_error err = read_envelope(row.expected, v, scratch);
    BOOST_TEST_REQUIRE(!err, err.message());
    BOOST_TEST(v.kind == row.kind);
    BOOST_TEST(v.node == row.node);
    BOOST_TEST(v.lane == row.lane);
    BOOST_TEST(v.body == row.body);
    BOOST_TEST(v.prio == row.params.prio);
    BOOST_TEST(v.rate == row.params.rate);
}

BOOST_AUTO_TEST_CASE(host_envelopes)
{
    struct row {
        envelope_kind kind;
        char const* body;
        char const* expected;
    };
    for (auto r :
         {row{ek::auth, "", "@auth"},
          row{ek::auth, "@test", "@auth@test"},
          row{ek::authed, "", "@authed"},
          row{ek::authed, "@test", "@authed@test"},
          row{ek::deauth, "", "@deauth"},
          row{ek::deauth, "@test", "@deauth@test"},
          row{ek::deauthed, "", "@deauthed"},
          row{ek::deauthed, "@test", "@deauthed@test"},
          row{ek::auth, "{token:abc}", "@auth {token:abc}"}}) {
        std::string out;
        write_host_envelope(r.kind, r.body, out);
        BOOST_TEST(out == r.expected);

        envelope_view v;
        std::string scratch;
        BOOST_TEST_REQUIRE(!read_envelope(out, v, scratch));
        BOOST_TEST(v.kind == r.kind);
        BOOST_TEST(v.body == r.body);
        BOOST_TEST(v.node.empty());
        BOOST_TEST(v.lane.empty());
    }
}

BOOST_AUTO_TEST_CASE(write_body_values)
{
    struct row {
        recon::value body;
        char const* expected;
    };
    std::vector<row> rows = {
        {recon::value(), R"(@event(node:"/n",lane:l))"},
        {recon::value(recon::extant), R"(@event(node:"/n",lane:l))"},
        {42, R"(@event(node:"/n",lane:l) 42)"},
        {21.5, R"(@event(node:"/n",lane:l) 21.5)"},
        {"on", R"(@event(node:"/n",lane:l) on)"},
        {"two words", R"(@event(node:"/n",lane:l) "two words")"},
        {rec(slot("a", 1), slot("b", 2)), R"(@event(node:"/n",lane:l) {a:1,b:2})"},
        {rec(5), R"(@event(node:"/n",lane:l) {5})"},
        {rec(rec(1, 2)), R"(@event(node:"/n",lane:l) {{1,2}})"},
        {rec("a", 1), R"(@event(node:"/n",lane:l) {a,1})"},
        {rec(attr("test")), R"(@event(node:"/n",lane:l)@test)"},
        {rec(attr("nodeNotFound")), R"(@event(node:"/n",lane:l)@nodeNotFound)"},
        {rec(attr("update", rec(slot("key", "k"))), 5),
         R"(@event(node:"/n",lane:l)@update(key:k) 5)"},
        {rec(attr("update", rec(slot("key", "my key"))), attr("inner"), slot("a", 1), slot("b", 2)),
         R"(@event(node:"/n",lane:l)@update(key:"my key")@inner{a:1,b:2})"},
    };
    for (auto const& r : rows) {
        std::string out;
        write_envelope(ek::event, "/n", "l", r.body, out);
        BOOST_TEST(out == r.expected);
    }

    std::string out;
    BOOST_CHECK_THROW(
        write_envelope(
            ek::event,
            "/n",
            "l",
            recon::value(std::numeric_limits<double>::quiet_NaN()),
            out),
        boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(link_params_only_on_link_kinds)
{
    // prio/rate belong to link, sync and linked (§2.2); other kinds do not carry them.
    std::string out;
    write_envelope_text(ek::event, "/n", "l", {}, out, link_params{0.5, 2});
    BOOST_TEST(out == R"(@event(node:"/n",lane:l))");
}

BOOST_AUTO_TEST_CASE(envelope_to_string)
{
    envelope e{ek::link, "/unit/1", "temp", 0.5, 0.25, recon::value()};
    BOOST_TEST(to_string(e) == R"(@link(node:"/unit/1",lane:temp,prio:0.5,rate:0.25))");

    envelope c{ek::command, "/unit/1", "temp", 0, 0, recon::value(22.0)};
    BOOST_TEST(to_string(c) == R"(@command(node:"/unit/1",lane:temp) 22.0)");

    envelope u{ek::unlinked, "/unit/1", "temp", 0, 0, recon::value("Link closed.")};
    BOOST_TEST(to_string(u) == R"(@unlinked(node:"/unit/1",lane:temp) "Link closed.")");

    envelope a{ek::auth, "", "", 0, 0, rec(slot("token", "abc"))};
    BOOST_TEST(to_string(a) == "@auth {token:abc}");

    envelope d{ek::deauthed, "", "", 0, 0, recon::value()};
    BOOST_TEST(to_string(d) == "@deauthed");
}

BOOST_AUTO_TEST_CASE(kinds)
{
    struct row {
        envelope_kind kind;
        char const* name;
        bool lane_addressed;
        bool link_params;
    };
    for (auto r :
         {row{ek::event, "event", true, false},
          row{ek::command, "command", true, false},
          row{ek::link, "link", true, true},
          row{ek::linked, "linked", true, true},
          row{ek::sync, "sync", true, true},
          row{ek::synced, "synced", true, false},
          row{ek::unlink, "unlink", true, false},
          row{ek::unlinked, "unlinked", true, false},
          row{ek::auth, "auth", false, false},
          row{ek::authed, "authed", false, false},
          row{ek::deauth, "deauth", false, false},
          row{ek::deauthed, "deauthed", false, false}}) {
        BOOST_TEST(to_string(r.kind) == r.name);
        BOOST_TEST(is_lane_addressed(r.kind) == r.lane_addressed, r.name);
        BOOST_TEST(has_link_params(r.kind) == r.link_params, r.name);

        // every kind reads back from its tag
        std::string frame = std::string("@") + r.name;
        if (r.lane_addressed)
            frame += "(node:n,lane:l)";
        envelope_view v;
        std::string scratch;
        BOOST_TEST(!read_envelope(frame, v, scratch), frame);
        BOOST_TEST(v.kind == r.kind);
    }
    static_assert(is_lane_addressed(envelope_kind::unlinked));
    static_assert(!is_lane_addressed(envelope_kind::auth));
    static_assert(has_link_params(envelope_kind::sync));
}

// A lane's heads are kept and copied while the kind, node and lane stay the same: whatever the
// order, each envelope is the one its own names make (long names are not kept at all).
BOOST_AUTO_TEST_CASE(heads_written_in_any_order_are_each_their_own)
{
    std::string const long_node = "/" + std::string(300, 'n');
    struct name {
        ek kind;
        std::string node, lane;
    };
    std::vector<name> const names = {
        {ek::event, "/unit/1", "map"},
        {ek::event, "/unit/1", "map"},
        {ek::event, "/unit/1", "value"},
        {ek::event, "/unit/2", "map"},
        {ek::command, "/unit/2", "map"},
        {ek::event, long_node, "map"},
        {ek::event, long_node, "map"},
        {ek::event, "/unit/2", "map"},
        {ek::event, "/unit/2", "map\"2"},
        {ek::event, "/unit/1", "map"},
    };
    swim::recon::value const body = swim::recon::parse("@update(key:k) 1");
    for (auto const& n : names) {
        std::string fast;
        write_envelope(n.kind, n.node, n.lane, body, fast);
        std::string plain;
        write_envelope_text(n.kind, n.node, n.lane, "@update(key:k) 1", plain);
        BOOST_TEST(fast == plain);
        envelope_view v;
        std::string scratch;
        BOOST_TEST(!read_envelope(fast, v, scratch), fast);
        BOOST_TEST(v.node == n.node);
        BOOST_TEST(v.lane == n.lane);
    }
}

// The reader keeps the last head it read: each frame, read right after another with the same
// head, a longer one or a shorter one, reads as it would alone.
BOOST_AUTO_TEST_CASE(frames_read_one_after_another_each_read_as_their_own_bytes_say)
{
    struct row {
        std::string frame;
        ek kind;
        std::string node, lane;
        double prio, rate;
        std::string body;
    };
    std::vector<row> const rows = {
        {R"(@event(node:"/unit/1",lane:map)@update(key:a) 1)",
         ek::event,
         "/unit/1",
         "map",
         0,
         0,
         "@update(key:a) 1"},
        {R"(@event(node:"/unit/1",lane:map)@remove(key:a))",
         ek::event,
         "/unit/1",
         "map",
         0,
         0,
         "@remove(key:a)"},
        {R"(@event(node:"/unit/1",lane:mapx) 2)", ek::event, "/unit/1", "mapx", 0, 0, "2"},
        {R"(@event(node:"/unit/1",lane:map))", ek::event, "/unit/1", "map", 0, 0, ""},
        {R"(@event(node:"/unit/1",lane:map)   3)", ek::event, "/unit/1", "map", 0, 0, "3"},
        {R"(@command(node:"/unit/1",lane:map) 4)", ek::command, "/unit/1", "map", 0, 0, "4"},
        {R"(@link(node:"/unit/1",lane:map,prio:2,rate:3))", ek::link, "/unit/1", "map", 2, 3, ""},
        {R"(@event(node:"/unit/1",lane:map,prio:2,rate:3) 5)",
         ek::event,
         "/unit/1",
         "map",
         0,
         0,
         "5"},
        {R"(@event(node:"/unit/1",lane:"map") 6)", ek::event, "/unit/1", "map", 0, 0, "6"},
        {R"(@event(node:"/unit/1\"",lane:map) 7)", ek::event, "/unit/1\"", "map", 0, 0, "7"},
        {R"( @event(node:"/unit/1",lane:map) 8)", ek::event, "/unit/1", "map", 0, 0, "8"},
    };
    for (int pass = 0; pass < 2; ++pass) {
        for (auto const& r : rows) {
            for (int again = 0; again < 2; ++again) {
                envelope_view v;
                std::string scratch;
                BOOST_TEST(!read_envelope(r.frame, v, scratch), r.frame);
                BOOST_TEST((v.kind == r.kind), r.frame);
                BOOST_TEST(v.node == r.node, r.frame);
                BOOST_TEST(v.lane == r.lane, r.frame);
                BOOST_TEST(v.prio == r.prio, r.frame);
                BOOST_TEST(v.rate == r.rate, r.frame);
                BOOST_TEST(v.body == r.body, r.frame);
            }
        }
    }
    // A frame that is the start of the last one's head is not an envelope of it.
    envelope_view v;
    std::string scratch;
    BOOST_TEST(!read_envelope(R"(@event(node:"/unit/1",lane:map) 1)", v, scratch));
    BOOST_TEST(read_envelope(R"(@event(node:"/unit/1",lane:ma)", v, scratch));
}

BOOST_AUTO_TEST_SUITE_END()
