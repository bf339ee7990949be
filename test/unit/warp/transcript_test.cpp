// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// Every WebSocket text frame of the swim-js <-> swim-java wire transcript
// (shared/spec/wire-transcript-swim-js-vs-swim-java.txt), extracted once by
// test/data/extract_frames.py into test/data/transcript_frames.txt: each reads as an envelope
// and survives to_string -> parse, except the two deliberately invalid frames of §6.

#include <swim/recon/parser.hpp>
#include <swim/recon/value.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/error.hpp>
#include <swim/warp/map_event.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "../recon/print.hpp"

namespace recon = swim::recon;
using namespace swim::warp;
using swim_test::dump;
using swim_test::ec;

namespace {

struct frame {
    bool client_to_server;
    std::string text;
    int line;
};

std::vector<frame> load_frames()
{
    std::vector<frame> out;
    std::ifstream in(SWIM_TEST_DATA_DIR "/transcript_frames.txt", std::ios::binary);
    BOOST_TEST_REQUIRE(in.is_open(), "cannot open " SWIM_TEST_DATA_DIR "/transcript_frames.txt");
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty())
            continue;
        bool c2s = line.rfind("C->S ", 0) == 0;
        bool s2c = line.rfind("S->C ", 0) == 0;
        BOOST_TEST_REQUIRE((c2s || s2c), "line " << n << ": no direction");
        boost::json::value j = boost::json::parse(line.substr(5));
        BOOST_TEST_REQUIRE(j.is_string(), "line " << n << ": not a JSON string");
        auto const& s = j.as_string();
        out.push_back({c2s, std::string(s.data(), s.size()), n});
    }
    return out;
}

bool is_deliberately_invalid(std::string const& f)
{
    return f == "this is not recon {" || f == "@bogus(node:\"/unit/3\",lane:value)";
}

envelope must_parse(std::string const& text)
{
    envelope e;
    envelope_error err = parse_envelope(text, e);
    BOOST_TEST_REQUIRE(!err, text << ": " << err.message());
    return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(warp_transcript)

BOOST_AUTO_TEST_CASE(frame_file_is_complete)
{
    auto frames = load_frames();
    // 126 text frames: 51 client -> server, 75 server -> client (extract_frames.py output)
    BOOST_TEST(frames.size() == 126u);
    std::size_t c2s = 0;
    for (auto const& f : frames)
        c2s += f.client_to_server ? 1 : 0;
    BOOST_TEST(c2s == 51u);
    BOOST_TEST(frames.front().text == R"(@sync(node:"/hotel/room/1",lane:light))");
    BOOST_TEST(frames.back().text == R"(@bogus(node:"/unit/3",lane:value))");
}

BOOST_AUTO_TEST_CASE(every_frame_reads_and_round_trips)
{
    auto frames = load_frames();
    BOOST_TEST_REQUIRE(frames.size() == 126u);
    std::size_t valid = 0;
    std::size_t invalid = 0;
    std::size_t reproduced = 0;
    for (auto const& f : frames) {
        BOOST_TEST_CONTEXT("line " << f.line << ": " << f.text)
        {
            envelope e;
            envelope_error err = parse_envelope(f.text, e);
            if (is_deliberately_invalid(f.text)) {
                ++invalid;
                BOOST_TEST(static_cast<bool>(err));
                continue;
            }
            ++valid;
            BOOST_TEST_REQUIRE(!err, err.message());
            BOOST_TEST(!e.node.empty() == is_lane_addressed(e.kind));
            BOOST_TEST(!e.lane.empty() == is_lane_addressed(e.kind));

            // the raw reader agrees with the parsing one
            envelope_view v;
            std::string scratch;
            BOOST_TEST_REQUIRE(!read_envelope(f.text, v, scratch));
            BOOST_TEST(v.kind == e.kind);
            BOOST_TEST(v.node == e.node);
            BOOST_TEST(v.lane == e.lane);

            std::string again = to_string(e);
            envelope e2;
            envelope_error err2 = parse_envelope(again, e2);
            BOOST_TEST(!err2, again << ": " << err2.message());
            BOOST_TEST(e2 == e, "written " << again);
            BOOST_TEST(dump(e2.body) == dump(e.body));

            // Java writes these frames exactly as we do, except where it omits the space
            // before a quoted or braced body (`@auth{token:abc}`), or the client sent
            // hand-written text.
            bool java_only_layout = f.text.find(")\"") != std::string::npos ||
                                    f.text.find("){") != std::string::npos ||
                                    f.text.find(")42") != std::string::npos ||
                                    f.text.find(")7") != std::string::npos ||
                                    f.text.find("rate:10") != std::string::npos ||
                                    f.text == "@auth{token:abc}";
            if (!java_only_layout) {
                BOOST_TEST(again == f.text);
                ++reproduced;
            }
        }
    }
    BOOST_TEST(valid == 124u);
    BOOST_TEST(invalid == 2u);
    BOOST_TEST(reproduced >= 100u);
}

BOOST_AUTO_TEST_CASE(the_invalid_frames_say_why)
{
    envelope e;
    envelope_error err = parse_envelope("this is not recon {", e);
    BOOST_TEST(err.code == ec(error::not_an_envelope));
    BOOST_TEST(!err.message().empty());

    err = parse_envelope(R"(@bogus(node:"/unit/3",lane:value))", e);
    BOOST_TEST(err.code == ec(error::unknown_envelope));
    BOOST_TEST(err.message().find("bogus") != std::string::npos, err.message());

    envelope_view v;
    std::string scratch;
    BOOST_TEST(read_envelope("this is not recon {", v, scratch).code == ec(error::not_an_envelope));
    BOOST_TEST(
        read_envelope(R"(@bogus(node:"/unit/3",lane:value))", v, scratch).code ==
        ec(error::unknown_envelope));
}

BOOST_AUTO_TEST_CASE(selected_frames_mean_what_the_callbacks_logged)
{
    // §6: prio/rate echoed by @linked
    envelope l = must_parse(R"(@linked(node:"/unit/2",lane:value,prio:0.5,rate:10))");
    BOOST_TEST(l.kind == envelope_kind::linked);
    BOOST_TEST(l.node == "/unit/2");
    BOOST_TEST(l.lane == "value");
    BOOST_TEST(l.prio == 0.5);
    BOOST_TEST(l.rate == 10.0);

    // §1: an empty lane syncs as an @event with no body (swim-js: didSet (absent))
    envelope empty = must_parse(R"(@event(node:"/hotel/room/1",lane:light))");
    BOOST_TEST(empty.body.is_absent());
    BOOST_TEST(
        must_parse(R"(@event(node:"/hotel/room/1",lane:light) false)").body == recon::value(false));

    // §4: command bodies relayed as events (onEvent {msg:hello,n:1}, @greeting("hi there"))
    envelope c = must_parse(R"(@event(node:"/hotel/room/4",lane:command){msg:hello,n:1})");
    BOOST_TEST(
        dump(c.body) ==
        dump(recon::value(
            recon::make_record(recon::item::slot("msg", "hello"), recon::item::slot("n", 1)))));
    envelope g = must_parse(R"(@event(node:"/hotel/room/4",lane:command)@greeting("hi there"))");
    BOOST_TEST(
        dump(g.body) ==
        dump(recon::value(recon::make_record(recon::item::attr("greeting", "hi there")))));

    // §6: a body glued to the header, and text coerced by the server
    BOOST_TEST(must_parse(R"(@command(node:"/unit/2",lane:value)42)").body == recon::value(42));
    BOOST_TEST(must_parse(R"(@event(node:"/unit/2",lane:value)7)").body == recon::value(7));
    BOOST_TEST(
        must_parse(R"x(@command(node:"/unit/2",lane:value)"notanint")x").body ==
        recon::value("notanint"));
    BOOST_TEST(
        must_parse(R"(@event(node:"/unit/2",lane:value) notanint)").body ==
        recon::value("notanint"));
    envelope a = must_parse("@auth{token:abc}");
    BOOST_TEST(a.kind == envelope_kind::auth);
    BOOST_TEST(
        dump(a.body) == dump(recon::value(recon::make_record(recon::item::slot("token", "abc")))));

    // §2 and §5: map lane events decode as map operations (didUpdate / didRemove)
    struct row {
        char const* frame;
        map_event op;
    };
    for (auto const& r :
         {row{R"x(@event(node:"/hotel/lobby",lane:elevators)@update(key:e1)"floor 1")x",
              map_event::update("e1", "floor 1")},
          row{R"(@event(node:"/hotel/lobby",lane:elevators)@update(key:"elevator #3") lobby)",
              map_event::update("elevator #3", "lobby")},
          row{R"(@event(node:"/hotel/lobby",lane:elevators)@remove(key:e2))",
              map_event::remove("e2")},
          row{R"(@event(node:"/unit/1",lane:map)@update(key:k0000002) 2)",
              map_event::update("k0000002", 2)},
          row{R"(@command(node:"/hotel/lobby",lane:elevators)@clear)", map_event::clear()}}) {
        envelope e = must_parse(r.frame);
        map_event op;
        BOOST_TEST(!to_map_event(e.body, op), r.frame);
        BOOST_TEST(op == r.op, r.frame);
    }

    // §3: error replies
    envelope nf = must_parse(R"(@unlinked(node:"/no/such/node",lane:light)@nodeNotFound)");
    BOOST_TEST(nf.body.tag() == "nodeNotFound");
    envelope ln = must_parse(R"(@unlinked(node:"/hotel/room/1",lane:nosuchlane)@laneNotFound)");
    BOOST_TEST(ln.body.tag() == "laneNotFound");
}

BOOST_AUTO_TEST_SUITE_END()
