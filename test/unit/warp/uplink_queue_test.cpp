// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The sans-io writer half of a server connection: frames queued per uplink, slow clients
// coalesced.

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/uplink_queue.hpp>

#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace swim;
using warp::map_event;
using frames = std::vector<std::string>;

namespace {

frames output(warp::uplink_queue& s)
{
    frames out;
    s.take_output(out);
    return out;
}

recon::value rv(std::string_view text)
{
    return recon::parse(text);
}

/// Uplinks by node and lane, made on first use.
class uplinks {
public:
    warp::uplink& operator()(std::string const& node, std::string const& lane)
    {
        auto& up = all_[{node, lane}];
        if (!up)
            up = std::make_unique<warp::owned_uplink>(node, lane);
        return *up;
    }

private:
    std::map<std::pair<std::string, std::string>, std::unique_ptr<warp::uplink>> all_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(uplink_queue_suite)

BOOST_AUTO_TEST_CASE(writes_the_replies_of_the_transcript)
{
    warp::uplink_queue s;
    uplinks up;
    s.linked(up("/hotel/room/1", "light"));
    s.value_event(up("/hotel/room/1", "light"), recon::value());
    s.synced(up("/hotel/room/1", "light"));
    s.unlinked(up("/no/such/node", "light"), rv("@nodeNotFound"));
    s.linked(up("/unit/2", "value"), {0.5, 10});
    s.push_frame("@authed");
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
    warp::uplink_queue s;
    uplinks up;
    s.linked(up("/unit/1", "value"));
    for (int i = 1; i <= 100000; ++i)
        s.value_event(up("/unit/1", "value"), recon::value(i));
    BOOST_TEST(s.queued_frames() == 2u);  // memory stays bounded
    BOOST_TEST(s.coalesced() == 99999u);
    BOOST_TEST(
        output(s) == (frames{
                         R"(@linked(node:"/unit/1",lane:value))",
                         R"(@event(node:"/unit/1",lane:value) 100000)"}));
    // Once written, the next value is queued anew.
    s.value_event(up("/unit/1", "value"), recon::value(1));
    BOOST_TEST(s.queued_frames() == 1u);
}

BOOST_AUTO_TEST_CASE(a_value_is_not_moved_past_a_later_frame_of_its_uplink)
{
    warp::uplink_queue s;
    uplinks up;
    s.value_event(up("/unit/1", "value"), recon::value(1));
    s.synced(up("/unit/1", "value"));
    s.value_event(up("/unit/1", "value"), recon::value(2));
    s.value_event(up("/unit/1", "value"), recon::value(3));
    s.value_event(up("/unit/2", "value"), recon::value(9));  // another uplink: its own
    BOOST_TEST(
        output(s) == (frames{
                         R"(@event(node:"/unit/1",lane:value) 1)",
                         R"(@synced(node:"/unit/1",lane:value))",
                         R"(@event(node:"/unit/1",lane:value) 3)",
                         R"(@event(node:"/unit/2",lane:value) 9)"}));
}

BOOST_AUTO_TEST_CASE(a_slow_map_uplink_keeps_the_latest_change_per_key)
{
    warp::uplink_queue s;
    uplinks up;
    s.map_event(up("/unit/1", "map"), map_event::update(rv("a"), rv("1")));
    s.map_event(up("/unit/1", "map"), map_event::update(rv("b"), rv("2")));
    s.map_event(up("/unit/1", "map"), map_event::update(rv("a"), rv("3")));
    s.map_event(up("/unit/1", "map"), map_event::remove(rv("b")));
    BOOST_TEST(
        output(s) == (frames{
                         R"(@event(node:"/unit/1",lane:map)@update(key:a) 3)",
                         R"(@event(node:"/unit/1",lane:map)@remove(key:b))"}));
    for (int i = 0; i < 1000; ++i)
        for (int k = 0; k < 10; ++k)
            s.map_event(up("/unit/1", "map"), map_event::update(recon::value(k), recon::value(i)));
    BOOST_TEST(s.queued_frames() == 10u);  // bounded by the keys, not the changes
}

BOOST_AUTO_TEST_CASE(map_events_coalesce_only_once_the_queue_holds_the_threshold)
{
    // Each frame is 47 bytes: under 100 bytes nothing coalesces, and what was queued then is
    // never replaced (no key is indexed while the client keeps up).
    warp::uplink_queue s(warp::uplink_queue_options{100});
    uplinks up;
    auto& m = up("/unit/1", "map");
    s.map_event(m, map_event::update(rv("a"), rv("1")));
    s.map_event(m, map_event::update(rv("a"), rv("2")));
    BOOST_TEST(s.queued_frames() == 2u);
    // 141 bytes wait once this one is queued: from here a change replaces its key's last one.
    s.map_event(m, map_event::update(rv("b"), rv("3")));
    s.map_event(m, map_event::update(rv("a"), rv("4")));
    s.map_event(m, map_event::update(rv("b"), rv("5")));
    s.map_event(m, map_event::update(rv("a"), rv("6")));
    BOOST_TEST(
        output(s) == (frames{
                         R"(@event(node:"/unit/1",lane:map)@update(key:a) 1)",
                         R"(@event(node:"/unit/1",lane:map)@update(key:a) 2)",
                         R"(@event(node:"/unit/1",lane:map)@update(key:b) 5)",
                         R"(@event(node:"/unit/1",lane:map)@update(key:a) 6)"}));
    BOOST_TEST(s.coalesced() == 2u);
    // Taken: the queue is empty again, so changes are kept each.
    s.map_event(m, map_event::update(rv("a"), rv("7")));
    s.map_event(m, map_event::update(rv("a"), rv("8")));
    BOOST_TEST(s.queued_frames() == 2u);
}

BOOST_AUTO_TEST_CASE(a_key_replaced_after_the_queue_shrank_keeps_its_latest_change_last)
{
    // A replacement by a shorter frame takes the queue back under the threshold; the key's
    // next change is queued anew, and a later one must replace that one, not the first.
    warp::uplink_queue s(warp::uplink_queue_options{300});
    uplinks up;
    auto& m = up("/unit/1", "map");
    std::string const big = "\"" + std::string(200, 'x') + "\"";
    s.map_event(m, map_event::update(rv("a"), rv("1")));
    s.map_event(m, map_event::update(rv("b"), rv("2")));
    s.map_event(m, map_event::update(rv("c"), rv(big)));  // over 300 bytes: c is indexed
    s.map_event(m, map_event::update(rv("c"), rv("3")));  // replaces it: 141 bytes wait
    s.map_event(m, map_event::update(rv("d"), rv("4")));
    s.map_event(m, map_event::update(rv("c"), rv("5")));  // under the threshold: queued
    s.map_event(m, map_event::update(rv("e"), rv("6")));
    s.map_event(m, map_event::update(rv("f"), rv("7")));  // over it again
    s.map_event(m, map_event::update(rv("c"), rv("8")));  // replaces c 5
    BOOST_TEST(
        output(s) == (frames{
                         R"(@event(node:"/unit/1",lane:map)@update(key:a) 1)",
                         R"(@event(node:"/unit/1",lane:map)@update(key:b) 2)",
                         R"(@event(node:"/unit/1",lane:map)@update(key:c) 3)",
                         R"(@event(node:"/unit/1",lane:map)@update(key:d) 4)",
                         R"(@event(node:"/unit/1",lane:map)@update(key:c) 8)",
                         R"(@event(node:"/unit/1",lane:map)@update(key:e) 6)",
                         R"(@event(node:"/unit/1",lane:map)@update(key:f) 7)"}));
}

BOOST_AUTO_TEST_CASE(a_key_is_the_same_key_whatever_the_kind_of_its_number)
{
    // 1 and 1.0 are one key to a client's map: the later change replaces the earlier.
    warp::uplink_queue s;
    uplinks up;
    auto& m = up("/unit/1", "map");
    s.map_event(m, map_event::update(recon::value(1), rv("a")));
    s.map_event(m, map_event::update(recon::value(2), rv("b")));
    s.map_event(m, map_event::update(recon::value(1.0), rv("c")));
    frames const out = output(s);
    BOOST_TEST_REQUIRE(out.size() == 2u);
    BOOST_TEST(out[0] == R"(@event(node:"/unit/1",lane:map)@update(key:1.0) c)");
    BOOST_TEST(out[1] == R"(@event(node:"/unit/1",lane:map)@update(key:2) b)");
}

BOOST_AUTO_TEST_CASE(the_key_index_kept_from_a_burst_to_the_next_starts_empty)
{
    // Bursts of 2,000 changes of 1,000 keys, taken between them: each burst sends the latest
    // change of each key, and nothing of an earlier burst is replaced by a later one.
    warp::uplink_queue s;
    uplinks up;
    auto& m = up("/unit/1", "map");
    for (int burst = 0; burst < 3; ++burst) {
        for (int round = 0; round < 2; ++round)
            for (int k = 0; k < 1000; ++k)
                s.map_event(
                    m,
                    map_event::update(recon::value(k), recon::value(burst * 10 + round)));
        frames out = output(s);
        BOOST_TEST_REQUIRE(out.size() == 1000u);
        BOOST_TEST(
            out[999] ==
            "@event(node:\"/unit/1\",lane:map)@update(key:999) " + std::to_string(burst * 10 + 1));
    }
    // Taken: a change after a barrier queued in the same burst is not moved before it.
    s.map_event(m, map_event::update(rv("a"), rv("1")));
    s.map_event(m, map_event::clear());
    s.map_event(m, map_event::update(rv("a"), rv("2")));
    BOOST_TEST(output(s).size() == 3u);
}

BOOST_AUTO_TEST_CASE(the_key_index_is_kept_for_bursts_of_its_size_and_let_go_after_a_small_one)
{
    warp::uplink_queue s;
    uplinks up;
    auto& m = up("/unit/1", "map");
    BOOST_TEST(m.key_index_slots() == 0u);
    auto burst = [&](int keys) {
        for (int k = 0; k < keys; ++k)
            s.map_event(m, map_event::update(recon::value(k), recon::value(k)));
        output(s);
    };
    burst(10000);
    std::size_t const kept = m.key_index_slots();
    BOOST_TEST(kept >= 20000u);  // at most half full
    BOOST_TEST(kept <= 40000u);  // and not over 4 slots a key
    burst(10000);
    BOOST_TEST(m.key_index_slots() == kept);  // reused: no allocation per key
    burst(10);
    BOOST_TEST(m.key_index_slots() == 0u);  // a small burst: the large table is let go
    burst(10);
    BOOST_TEST(m.key_index_slots() <= 64u);
    s.unlinked(m);
    BOOST_TEST(m.key_index_slots() == 0u);
}

BOOST_AUTO_TEST_CASE(a_key_index_no_burst_uses_is_let_go_after_some_takes)
{
    // An uplink that fell behind once, then keeps up (or whose lane goes quiet) while its
    // connection goes on writing, does not keep the table of that burst.
    warp::uplink_queue s;
    uplinks up;
    auto& m = up("/unit/1", "map");
    auto& other = up("/unit/2", "value");
    for (int k = 0; k < 10000; ++k)
        s.map_event(m, map_event::update(recon::value(k), recon::value(k)));
    output(s);
    std::size_t const kept = m.key_index_slots();
    BOOST_TEST(kept >= 20000u);
    for (int take = 0; take < warp::uplink::max_idle_takes; ++take) {
        s.value_event(other, recon::value(take));
        output(s);
    }
    BOOST_TEST(m.key_index_slots() == kept);  // (a pause is not the end of a lag)
    s.value_event(other, recon::value(-1));
    output(s);
    BOOST_TEST(m.key_index_slots() == 0u);
    // A burst of its size again makes it again, and an unlink lets it go.
    for (int k = 0; k < 10000; ++k)
        s.map_event(m, map_event::update(recon::value(k), recon::value(k)));
    output(s);
    BOOST_TEST(m.key_index_slots() == kept);
    s.unlinked(m);
    BOOST_TEST(m.key_index_slots() == 0u);
    s.value_event(other, recon::value(-2));
    output(s);  // (the unlinked uplink is no longer listed: nothing reads it)
}

BOOST_AUTO_TEST_CASE(after_drop_keys_an_uplink_may_go_without_unlinked)
{
    // A connection that overflowed or closed takes no more writes, so its uplinks go without
    // unlinked(): the queue must not reach them at a later take (ASan sees it if it does).
    warp::uplink_queue s;
    auto gone = std::make_unique<warp::owned_uplink>("/unit/1", "map");
    for (int k = 0; k < 1000; ++k)
        s.map_event(*gone, map_event::update(recon::value(k), recon::value(k)));
    output(s);
    BOOST_TEST(gone->key_index_slots() > 0u);  // kept for the next burst: still listed
    s.drop_keys();
    BOOST_TEST(gone->key_index_slots() == 0u);
    gone.reset();
    warp::owned_uplink other("/unit/2", "value");
    for (int take = 0; take <= warp::uplink::max_idle_takes + 1; ++take) {
        s.value_event(other, recon::value(take));
        BOOST_TEST(output(s).size() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(clear_take_and_drop_are_barriers)
{
    warp::uplink_queue s;
    uplinks up;
    s.map_event(up("/unit/1", "map"), map_event::update(rv("a"), rv("1")));
    s.map_event(up("/unit/1", "map"), map_event::clear());
    s.map_event(up("/unit/1", "map"), map_event::update(rv("a"), rv("2")));
    s.map_event(up("/unit/1", "map"), map_event::drop(1));
    s.map_event(up("/unit/1", "map"), map_event::update(rv("a"), rv("3")));
    s.map_event(up("/unit/1", "map"), map_event::update(rv("a"), rv("4")));
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
    warp::uplink_queue s;
    uplinks up;
    s.event(up("/hotel/room/4", "command"), rv("{msg:hello,n:1}"));
    s.event(up("/hotel/room/4", "command"), rv("{msg:hello,n:1}"));
    BOOST_TEST(s.queued_frames() == 2u);
    BOOST_TEST(s.coalesced() == 0u);
}

BOOST_AUTO_TEST_CASE(a_broadcast_frame_is_encoded_once_and_shared)
{
    // Two connections get one frame text (a broadcast to many uplinks encodes it once).
    warp::uplink_queue a, b;
    uplinks up, up_b;  // (an uplink is one connection's)
    std::string const long_text(100, 'x');
    std::string const long_frame = R"(@event(node:"/unit/1",lane:value) )" + long_text;
    auto frame = warp::shared_event_frame("/unit/1", "value", recon::value(long_text));
    BOOST_TEST(frame.view() == long_frame);
    a.value_event(up("/unit/1", "value"), frame);
    b.value_event(up_b("/unit/1", "value"), frame);
    std::vector<warp::out_frame> fa, fb;
    a.take_output(fa);
    b.take_output(fb);
    BOOST_TEST_REQUIRE(fa.size() == 1u);
    BOOST_TEST_REQUIRE(fb.size() == 1u);
    // (Compared as addresses: Boost.Test compares two char pointers as strings.)
    auto const at = [](warp::out_frame const& f) {
        return static_cast<void const*>(f.view().data());
    };
    BOOST_TEST(at(fa[0]) == at(fb[0]));  // the same text
    BOOST_TEST(fa[0].take() == long_frame);
    BOOST_TEST(fa[0].view() == long_frame);  // copied, still there
    // A short frame is held in place: each queue has its own copy of the same text.
    auto short_frame = warp::shared_event_frame("/unit/1", "value", recon::value(7));
    BOOST_TEST(short_frame.view() == R"(@event(node:"/unit/1",lane:value) 7)");
    a.value_event(up("/unit/1", "value"), short_frame);
    b.value_event(up_b("/unit/1", "value"), short_frame);
    fa.clear();
    fb.clear();
    a.take_output(fa);
    b.take_output(fb);
    BOOST_TEST_REQUIRE(fa.size() == 1u);
    BOOST_TEST_REQUIRE(fb.size() == 1u);
    BOOST_TEST(at(fa[0]) != at(fb[0]));
    BOOST_TEST(fa[0].view() == short_frame.view());
    BOOST_TEST(fb[0].view() == short_frame.view());
    // Shared frames coalesce as encoded ones do, and map keys still count.
    for (int i = 1; i <= 1000; ++i)
        a.value_event(
            up("/unit/1", "value"),
            warp::shared_event_frame("/unit/1", "value", recon::value(i)));
    BOOST_TEST(a.queued_frames() == 1u);
    auto e = map_event::update(rv("k"), rv("1"));
    a.map_event(
        up("/unit/1", "map"),
        e,
        warp::shared_event_frame("/unit/1", "map", warp::to_value(e)));
    e = map_event::update(rv("k"), rv("2"));
    a.map_event(
        up("/unit/1", "map"),
        e,
        warp::shared_event_frame("/unit/1", "map", warp::to_value(e)));
    BOOST_TEST(
        output(a) == (frames{
                         R"(@event(node:"/unit/1",lane:value) 1000)",
                         R"(@event(node:"/unit/1",lane:map)@update(key:k) 2)"}));
    // Taken into a vector that holds frames already: appended after them.
    fb.clear();
    fb.emplace_back(std::string("first"));
    b.event(up_b("/unit/1", "value"), frame);
    b.take_output(fb);
    BOOST_TEST_REQUIRE(fb.size() == 2u);
    BOOST_TEST(fb[1].view() == frame.view());
    BOOST_TEST(!b.has_output());
}

BOOST_AUTO_TEST_CASE(an_uplink_linked_again_starts_afresh)
{
    // The uplink's state goes with @unlinked (and the session's cached lookup of it).
    warp::uplink_queue s;
    uplinks up;
    s.value_event(up("/unit/1", "value"), recon::value(1));
    s.value_event(up("/unit/2", "value"), recon::value(5));
    s.unlinked(up("/unit/1", "value"));
    s.value_event(up("/unit/1", "value"), recon::value(2));
    s.value_event(up("/unit/1", "value"), recon::value(3));
    s.value_event(up("/unit/2", "value"), recon::value(6));
    BOOST_TEST(
        output(s) == (frames{
                         R"(@event(node:"/unit/1",lane:value) 1)",
                         R"(@event(node:"/unit/2",lane:value) 6)",
                         R"(@unlinked(node:"/unit/1",lane:value))",
                         R"(@event(node:"/unit/1",lane:value) 3)"}));
}

BOOST_AUTO_TEST_SUITE_END()
