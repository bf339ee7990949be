// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The sans-io host session: link sharing, routing, the write queue, reconnects.

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/host_session.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace swim;
using warp::downlink_kind;
using warp::downlink_options;
using warp::host_session;
using warp::view_id;
using note_type = warp::downlink_notification::type;
using frames = std::vector<std::string>;

namespace {

frames output(host_session& s)
{
    frames out;
    s.take_output(out);
    std::size_t bytes = 0;
    for (auto const& f : out)
        bytes += f.size();
    s.on_written(bytes);
    return out;
}

// The notifications, as "view:what[ detail]" strings; clears them.
std::vector<std::string> notes(host_session& s)
{
    std::vector<std::string> out;
    for (auto const& vn : s.notes()) {
        auto const& n = vn.note;
        std::string line = std::to_string(vn.view) + ":";
        switch (n.what) {
            case note_type::linked: line += "linked"; break;
            case note_type::synced: line += "synced"; break;
            case note_type::event: line += "event " + recon::to_string(n.value); break;
            case note_type::set: line += "set " + recon::to_string(n.value); break;
            case note_type::update:
                line += "update " + recon::to_string(n.key) + " " + recon::to_string(n.value);
                break;
            case note_type::remove: line += "remove " + recon::to_string(n.key); break;
            case note_type::clear: line += "clear"; break;
            case note_type::unlinked: line += "unlinked " + n.reason; break;
            case note_type::failed: line += "failed"; break;
            case note_type::unreachable: line += "unreachable " + n.reason; break;
        }
        if (vn.terminal)
            line += " (end)";
        out.push_back(std::move(line));
    }
    s.notes().clear();
    return out;
}

using strings = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(host_session_suite)

BOOST_AUTO_TEST_CASE(downlinks_to_one_lane_share_one_link)
{
    host_session s;
    s.on_connected();
    view_id a = 0;
    view_id b = 0;
    BOOST_TEST(!s.open_view("/hotel/room/1", "light", downlink_kind::value, {}, a));
    BOOST_TEST(output(s) == (frames{R"(@sync(node:"/hotel/room/1",lane:light))"}));
    BOOST_TEST(!s.on_frame(R"(@linked(node:"/hotel/room/1",lane:light))"));
    BOOST_TEST(!s.on_frame(R"(@event(node:"/hotel/room/1",lane:light) false)"));
    BOOST_TEST(!s.on_frame(R"(@synced(node:"/hotel/room/1",lane:light))"));
    BOOST_TEST(notes(s) == (strings{"1:linked", "1:synced"}));

    // A late joiner: no traffic, brought up to date from the shared state.
    BOOST_TEST(!s.open_view("/hotel/room/1", "light", downlink_kind::value, {}, b));
    BOOST_TEST(output(s).empty());
    BOOST_TEST(notes(s) == (strings{"2:linked", "2:synced"}));
    BOOST_TEST(recon::to_string(s.model(b)->value()) == "false");

    BOOST_TEST(!s.on_frame(R"(@event(node:"/hotel/room/1",lane:light) true)"));
    BOOST_TEST(notes(s) == (strings{"1:set true", "2:set true"}));

    view_id c = 0;
    BOOST_TEST(
        (s.open_view("/hotel/room/1", "light", downlink_kind::map, {}, c) ==
         warp::error::kind_mismatch));
}

BOOST_AUTO_TEST_CASE(closing_flushes_sets_before_unlink)
{
    host_session s;
    s.on_connected();
    view_id a = 0;
    s.open_view("/unit/1", "value", downlink_kind::value, {}, a);
    s.on_frame(R"(@linked(node:"/unit/1",lane:value))");
    output(s);
    BOOST_TEST(!s.set(a, recon::value(1)));
    BOOST_TEST(!s.set(a, recon::value(2)));
    s.close_view(a);
    BOOST_TEST(
        output(s) == (frames{
                         R"(@command(node:"/unit/1",lane:value) 1)",
                         R"(@command(node:"/unit/1",lane:value) 2)",
                         R"(@unlink(node:"/unit/1",lane:value))"}));
    BOOST_TEST((s.set(a, recon::value(3)) == warp::error::closed));
    // Events still in flight before @unlinked go nowhere.
    BOOST_TEST(!s.on_frame(R"(@event(node:"/unit/1",lane:value) 2)"));
    BOOST_TEST(!s.on_frame(R"(@unlinked(node:"/unit/1",lane:value))"));
    BOOST_TEST(notes(s) == (strings{"1:linked", "1:set 1", "1:set 2"}));
}

BOOST_AUTO_TEST_CASE(reopen_while_unlinking_waits_for_unlinked)
{
    host_session s;
    s.on_connected();
    view_id a = 0;
    view_id b = 0;
    s.open_view("/unit/1", "value", downlink_kind::value, {}, a);
    s.on_frame(R"(@linked(node:"/unit/1",lane:value))");
    s.close_view(a);
    s.open_view("/unit/1", "value", downlink_kind::value, {}, b);
    BOOST_TEST(
        output(s) ==
        (frames{R"(@sync(node:"/unit/1",lane:value))", R"(@unlink(node:"/unit/1",lane:value))"}));
    // The answer to the old @unlink must not end the new downlink.
    s.on_frame(R"(@unlinked(node:"/unit/1",lane:value))");
    BOOST_TEST(output(s) == (frames{R"(@sync(node:"/unit/1",lane:value))"}));
    BOOST_TEST(s.is_open(b));
}

BOOST_AUTO_TEST_CASE(offline_commands_wait_and_go_first_after_auth)
{
    host_session s;
    view_id a = 0;
    s.open_view("/unit/1", "map", downlink_kind::map, {}, a);
    s.authenticate(recon::parse("{token:abc}"));
    BOOST_TEST(!s.update(a, recon::value("k"), recon::value(1)));
    BOOST_TEST(!s.command("/hotel/room/1", "toggle", recon::value()));
    BOOST_TEST(!s.has_output());  // nothing leaves while offline
    s.on_connected();
    BOOST_TEST(
        output(s) == (frames{
                         R"(@auth {token:abc})",
                         R"(@command(node:"/unit/1",lane:map)@update(key:k) 1)",
                         R"(@command(node:"/hotel/room/1",lane:toggle))",
                         R"(@sync(node:"/unit/1",lane:map))"}));
    BOOST_TEST(s.queued_bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(reconnect_resends_auth_and_relinks)
{
    host_session s;
    s.on_connected();
    s.authenticate(recon::value("secret"));
    view_id a = 0;
    view_id e = 0;
    s.open_view("/unit/1", "value", downlink_kind::value, {}, a);
    s.open_view("/hotel/room/4", "command", downlink_kind::event, {}, e);
    output(s);
    s.on_frame(R"(@linked(node:"/unit/1",lane:value))");
    notes(s);
    s.on_disconnected();
    // Told the link is down (not the end: keep_linked); the link that was never up: nothing.
    BOOST_TEST(notes(s) == (strings{"1:unlinked connection lost"}));
    s.on_connected();
    frames f = output(s);
    BOOST_TEST_REQUIRE(f.size() == 3u);
    BOOST_TEST(f[0] == "@auth secret");
    std::sort(f.begin() + 1, f.end());
    BOOST_TEST(f[1] == R"(@link(node:"/hotel/room/4",lane:command))");
    BOOST_TEST(f[2] == R"(@sync(node:"/unit/1",lane:value))");
}

BOOST_AUTO_TEST_CASE(keep_linked_false_ends_on_disconnect)
{
    host_session s;
    s.on_connected();
    view_id a = 0;
    downlink_options o;
    o.keep_linked = false;
    s.open_view("/unit/1", "value", downlink_kind::value, o, a);
    output(s);
    s.on_disconnected();
    BOOST_TEST(notes(s) == (strings{"1:unlinked connection lost (end)"}));
    BOOST_TEST(!s.is_open(a));
    s.on_connected();
    BOOST_TEST(output(s).empty());
}

BOOST_AUTO_TEST_CASE(unlinked_reason_and_terminate_policy)
{
    host_session s;
    s.on_connected();
    view_id a = 0;
    view_id b = 0;
    downlink_options stay;
    stay.terminate_on_unlinked = false;
    s.open_view("/no/such/node", "light", downlink_kind::value, {}, a);
    s.open_view("/no/such/node", "light", downlink_kind::value, stay, b);
    output(s);
    s.on_frame(R"(@unlinked(node:"/no/such/node",lane:light)@nodeNotFound)");
    BOOST_TEST(notes(s) == (strings{"1:unlinked nodeNotFound (end)", "2:unlinked nodeNotFound"}));
    BOOST_TEST(!s.is_open(a));
    BOOST_TEST(s.is_open(b));
    BOOST_TEST_REQUIRE(s.requests().size() == 1u);
    BOOST_TEST(s.requests()[0].node == "/no/such/node");
    BOOST_TEST(s.requests()[0].attempt == 1u);
    s.requests().clear();
    s.relink("/no/such/node", "light");
    BOOST_TEST(output(s) == (frames{R"(@sync(node:"/no/such/node",lane:light))"}));
    s.on_frame(R"(@unlinked(node:"/no/such/node",lane:light)@nodeNotFound)");
    BOOST_TEST(s.requests().at(0).attempt == 2u);  // the backoff grows
}

BOOST_AUTO_TEST_CASE(a_bad_event_fails_only_its_link)
{
    host_session s;
    s.on_connected();
    view_id a = 0;
    view_id b = 0;
    s.open_view("/unit/1", "map", downlink_kind::map, {}, a);
    s.open_view("/unit/1", "value", downlink_kind::value, {}, b);
    output(s);
    s.on_frame(R"(@linked(node:"/unit/1",lane:map))");
    s.on_frame(R"(@linked(node:"/unit/1",lane:value))");
    notes(s);
    BOOST_TEST(
        (s.on_frame(R"(@event(node:"/unit/1",lane:map) 42)") == warp::error::invalid_map_event));
    BOOST_TEST(notes(s) == (strings{"1:failed (end)"}));
    BOOST_TEST(output(s) == (frames{R"(@unlink(node:"/unit/1",lane:map))"}));
    BOOST_TEST(!s.is_open(a));
    // The connection and the other link go on.
    BOOST_TEST(!s.on_frame(R"(@event(node:"/unit/1",lane:value) 7)"));
    BOOST_TEST(notes(s) == (strings{}));  // before sync: state, not news
    BOOST_TEST(!s.on_frame(R"(@synced(node:"/unit/1",lane:value))"));
    BOOST_TEST(notes(s) == (strings{"2:synced"}));
    // Frames that are not envelopes are reported and change nothing.
    BOOST_TEST((s.on_frame("this is not recon {") == warp::error::not_an_envelope));
    BOOST_TEST(
        (s.on_frame(R"(@bogus(node:"/unit/3",lane:value))") == warp::error::unknown_envelope));
    BOOST_TEST(s.is_open(b));
}

BOOST_AUTO_TEST_CASE(queue_limit_refuses_and_recovers)
{
    warp::session_options o;
    o.max_queued_bytes = 100;
    host_session s(o);
    view_id a = 0;
    s.open_view("/unit/1", "value", downlink_kind::value, {}, a);
    int accepted = 0;
    while (!s.set(a, recon::value(accepted)))
        ++accepted;
    BOOST_TEST(accepted == 3);  // 38-byte frames: the fourth would pass 100
    BOOST_TEST((s.set(a, recon::value(99)) == warp::error::queue_full));
    // The refused set changed nothing.
    BOOST_TEST(recon::to_string(s.model(a)->value()) == "2");
    s.on_connected();
    output(s);
    BOOST_TEST(!s.set(a, recon::value(99)));
}

BOOST_AUTO_TEST_CASE(envelopes_for_unknown_links_are_ignored)
{
    host_session s;
    s.on_connected();
    BOOST_TEST(!s.on_frame(R"(@event(node:"/x",lane:y) 1)"));
    BOOST_TEST(!s.on_frame(R"(@unlinked(node:"/x",lane:y)@laneNotFound)"));
    BOOST_TEST(!s.on_frame(R"(@command(node:"/x",lane:y) 1)"));
    BOOST_TEST(s.notes().empty());
    BOOST_TEST(!s.has_output());
}

BOOST_AUTO_TEST_CASE(authed_and_deauthed_are_reported)
{
    host_session s;
    s.on_connected();
    BOOST_TEST(!s.on_frame("@authed@session{id:7}"));
    BOOST_TEST(!s.on_frame("@deauthed"));
    BOOST_TEST_REQUIRE(s.requests().size() == 2u);
    BOOST_TEST((s.requests()[0].what == warp::session_request::type::authed));
    BOOST_TEST(recon::to_string(s.requests()[0].body) == "@session{id:7}");
    BOOST_TEST((s.requests()[1].what == warp::session_request::type::deauthed));
}

BOOST_AUTO_TEST_SUITE_END()
