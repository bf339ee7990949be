// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The sans-io server side of a connection: requests read, frames written, slow clients
// coalesced.

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/server_session.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace swim;
using warp::map_event;
using warp::server_session;
using warp::uplink_request;
using frames = std::vector<std::string>;

namespace {

frames output(server_session& s)
{
    frames out;
    s.take_output(out);
    return out;
}

recon::value rv(std::string_view text)
{
    return recon::parse(text);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(server_session_suite)

BOOST_AUTO_TEST_CASE(reads_what_clients_ask)
{
    server_session s;
    std::vector<uplink_request> out;
    BOOST_TEST(!s.on_frame(R"(@link(node:"/unit/2",lane:value,prio:0.5,rate:10))", out));
    BOOST_TEST(!s.on_frame(R"(@sync(node:"/hotel/room/1",lane:light))", out));
    BOOST_TEST(!s.on_frame(R"(@command(node:"/hotel/room/4",lane:command){msg:hello,n:1})", out));
    BOOST_TEST(!s.on_frame(R"(@unlink(node:"/unit/2",lane:value))", out));
    BOOST_TEST(!s.on_frame("@auth{token:abc}", out));
    BOOST_TEST(!s.on_frame("@deauth", out));
    BOOST_TEST(!s.on_frame(R"(@event(node:"/unit/2",lane:value)7)", out));  // ignored
    BOOST_TEST_REQUIRE(out.size() == 6u);
    BOOST_TEST((out[0].what == uplink_request::type::link));
    BOOST_TEST(out[0].node == "/unit/2");
    BOOST_TEST(out[0].params.prio == 0.5);
    BOOST_TEST(out[0].params.rate == 10.0);
    BOOST_TEST((out[1].what == uplink_request::type::sync));
    BOOST_TEST(out[1].lane == "light");
    BOOST_TEST((out[2].what == uplink_request::type::command));
    BOOST_TEST(recon::to_string(out[2].body) == "{msg:hello,n:1}");
    BOOST_TEST((out[3].what == uplink_request::type::unlink));
    BOOST_TEST((out[4].what == uplink_request::type::auth));
    BOOST_TEST(recon::to_string(out[4].body) == "{token:abc}");
    BOOST_TEST((out[5].what == uplink_request::type::deauth));
}

BOOST_AUTO_TEST_CASE(bad_frames_are_errors_that_say_why)
{
    server_session s;
    std::vector<uplink_request> out;
    auto e1 = s.on_frame("this is not recon {", out);
    BOOST_TEST((e1.code == warp::error::not_an_envelope));
    auto e2 = s.on_frame(R"(@bogus(node:"/unit/3",lane:value))", out);
    BOOST_TEST(e2.message() == "unknown envelope tag: bogus");
    auto e3 = s.on_frame(R"(@command(node:"/unit/3",lane:value) {1)", out);
    BOOST_TEST((e3.code == warp::error::malformed_body));
    BOOST_TEST(e3.message() == "malformed envelope body: unterminated record at 36");
    BOOST_TEST(out.empty());
}

BOOST_AUTO_TEST_CASE(writes_the_replies_of_the_transcript)
{
    server_session s;
    s.linked("/hotel/room/1", "light");
    s.value_event("/hotel/room/1", "light", recon::value());
    s.synced("/hotel/room/1", "light");
    s.unlinked("/no/such/node", "light", rv("@nodeNotFound"));
    s.linked("/unit/2", "value", {0.5, 10});
    s.auth_reply(warp::envelope_kind::authed);
    BOOST_TEST(
        output(s) == (frames{
                         R"(@linked(node:"/hotel/room/1",lane:light))",
                         R"(@event(node:"/hotel/room/1",lane:light))",
                         R"(@synced(node:"/hotel/room/1",lane:light))",
                         R"(@unlinked(node:"/no/such/node",lane:light)@nodeNotFound)",
                         R"(@linked(node:"/unit/2",lane:value,prio:0.5,rate:10))",
                         "@authed"}));
}

BOOST_AUTO_TEST_CASE(a_slow_value_uplink_keeps_only_the_latest_value)
{
    server_session s;
    s.linked("/unit/1", "value");
    for (int i = 1; i <= 100000; ++i)
        s.value_event("/unit/1", "value", recon::value(i));
    BOOST_TEST(s.queued_frames() == 2u);  // memory stays bounded
    BOOST_TEST(s.coalesced() == 99999u);
    BOOST_TEST(
        output(s) == (frames{
                         R"(@linked(node:"/unit/1",lane:value))",
                         R"(@event(node:"/unit/1",lane:value) 100000)"}));
    // Once written, the next value is queued anew.
    s.value_event("/unit/1", "value", recon::value(1));
    BOOST_TEST(s.queued_frames() == 1u);
}

BOOST_AUTO_TEST_CASE(a_value_is_not_moved_past_a_later_frame_of_its_uplink)
{
    server_session s;
    s.value_event("/unit/1", "value", recon::value(1));
    s.synced("/unit/1", "value");
    s.value_event("/unit/1", "value", recon::value(2));
    s.value_event("/unit/1", "value", recon::value(3));
    s.value_event("/unit/2", "value", recon::value(9));  // another uplink: its own
    BOOST_TEST(
        output(s) == (frames{
                         R"(@event(node:"/unit/1",lane:value) 1)",
                         R"(@synced(node:"/unit/1",lane:value))",
                         R"(@event(node:"/unit/1",lane:value) 3)",
                         R"(@event(node:"/unit/2",lane:value) 9)"}));
}

BOOST_AUTO_TEST_CASE(a_slow_map_uplink_keeps_the_latest_change_per_key)
{
    server_session s;
    s.map_event("/unit/1", "map", map_event::update(rv("a"), rv("1")));
    s.map_event("/unit/1", "map", map_event::update(rv("b"), rv("2")));
    s.map_event("/unit/1", "map", map_event::update(rv("a"), rv("3")));
    s.map_event("/unit/1", "map", map_event::remove(rv("b")));
    BOOST_TEST(
        output(s) == (frames{
                         R"(@event(node:"/unit/1",lane:map)@update(key:a) 3)",
                         R"(@event(node:"/unit/1",lane:map)@remove(key:b))"}));
    for (int i = 0; i < 1000; ++i)
        for (int k = 0; k < 10; ++k)
            s.map_event("/unit/1", "map", map_event::update(recon::value(k), recon::value(i)));
    BOOST_TEST(s.queued_frames() == 10u);  // bounded by the keys, not the changes
}

BOOST_AUTO_TEST_CASE(clear_take_and_drop_are_barriers)
{
    server_session s;
    s.map_event("/unit/1", "map", map_event::update(rv("a"), rv("1")));
    s.map_event("/unit/1", "map", map_event::clear());
    s.map_event("/unit/1", "map", map_event::update(rv("a"), rv("2")));
    s.map_event("/unit/1", "map", map_event::drop(1));
    s.map_event("/unit/1", "map", map_event::update(rv("a"), rv("3")));
    s.map_event("/unit/1", "map", map_event::update(rv("a"), rv("4")));
    BOOST_TEST(
        output(s) == (frames{
                         R"(@event(node:"/unit/1",lane:map)@update(key:a) 1)",
                         R"(@event(node:"/unit/1",lane:map)@clear)",
                         R"(@event(node:"/unit/1",lane:map)@update(key:a) 2)",
                         R"(@event(node:"/unit/1",lane:map)@drop(1))",
                         R"(@event(node:"/unit/1",lane:map)@update(key:a) 4)"}));
}

BOOST_AUTO_TEST_CASE(command_lane_events_are_never_coalesced)
{
    server_session s;
    s.event("/hotel/room/4", "command", rv("{msg:hello,n:1}"));
    s.event("/hotel/room/4", "command", rv("{msg:hello,n:1}"));
    BOOST_TEST(s.queued_frames() == 2u);
    BOOST_TEST(s.coalesced() == 0u);
}

BOOST_AUTO_TEST_CASE(a_broadcast_frame_is_encoded_once_and_shared)
{
    // Two connections get one frame text (a broadcast to many uplinks encodes it once).
    server_session a, b;
    auto frame = warp::shared_event_frame("/unit/1", "value", recon::value(7));
    BOOST_TEST(frame.view() == R"(@event(node:"/unit/1",lane:value) 7)");
    a.value_event("/unit/1", "value", frame);
    b.value_event("/unit/1", "value", frame);
    std::vector<warp::out_frame> fa, fb;
    a.take_output(fa);
    b.take_output(fb);
    BOOST_TEST_REQUIRE(fa.size() == 1u);
    BOOST_TEST_REQUIRE(fb.size() == 1u);
    BOOST_TEST(fa[0].view().data() == fb[0].view().data());  // the same text
    BOOST_TEST(fa[0].take() == R"(@event(node:"/unit/1",lane:value) 7)");
    BOOST_TEST(fa[0].view() == R"(@event(node:"/unit/1",lane:value) 7)");  // copied, still there
    // Shared frames coalesce as encoded ones do, and map keys still count.
    for (int i = 1; i <= 1000; ++i)
        a.value_event(
            "/unit/1",
            "value",
            warp::shared_event_frame("/unit/1", "value", recon::value(i)));
    BOOST_TEST(a.queued_frames() == 1u);
    auto e = map_event::update(rv("k"), rv("1"));
    a.map_event("/unit/1", "map", e, warp::shared_event_frame("/unit/1", "map", warp::to_value(e)));
    e = map_event::update(rv("k"), rv("2"));
    a.map_event("/unit/1", "map", e, warp::shared_event_frame("/unit/1", "map", warp::to_value(e)));
    BOOST_TEST(
        output(a) == (frames{
                         R"(@event(node:"/unit/1",lane:value) 1000)",
                         R"(@event(node:"/unit/1",lane:map)@update(key:k) 2)"}));
    // Taken into a vector that holds frames already: appended after them.
    fb.clear();
    fb.emplace_back(std::string("first"));
    b.event("/unit/1", "value", frame);
    b.take_output(fb);
    BOOST_TEST_REQUIRE(fb.size() == 2u);
    BOOST_TEST(fb[1].view() == frame.view());
    BOOST_TEST(!b.has_output());
}

BOOST_AUTO_TEST_CASE(an_uplink_linked_again_starts_afresh)
{
    // The uplink's state goes with @unlinked (and the session's cached lookup of it).
    server_session s;
    s.value_event("/unit/1", "value", recon::value(1));
    s.value_event("/unit/2", "value", recon::value(5));
    s.unlinked("/unit/1", "value");
    s.value_event("/unit/1", "value", recon::value(2));
    s.value_event("/unit/1", "value", recon::value(3));
    s.value_event("/unit/2", "value", recon::value(6));
    BOOST_TEST(
        output(s) == (frames{
                         R"(@event(node:"/unit/1",lane:value) 1)",
                         R"(@event(node:"/unit/2",lane:value) 6)",
                         R"(@unlinked(node:"/unit/1",lane:value))",
                         R"(@event(node:"/unit/1",lane:value) 3)"}));
}

BOOST_AUTO_TEST_SUITE_END()
