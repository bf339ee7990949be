// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The downlink state machine, driven by scripted envelopes, and replayed with a lost
// connection injected after every step.

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/downlink_model.hpp>

#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <vector>

using namespace swim;
using warp::downlink_kind;
using warp::downlink_model;
using warp::downlink_options;
using warp::link_status;
using note_type = warp::downlink_notification::type;

namespace {

recon::value rv(std::string_view text)
{
    return recon::parse(text);
}

std::string str(recon::value const& v)
{
    return recon::to_string(v);
}

// What one downlink sees: the notifications it wants, written as short strings, and a
// mirror of the state built from them alone.
struct view {
    downlink_options opts;
    std::vector<std::string> log;
    warp::map_state map;
    recon::value value;
    bool synced = false;

    void take(downlink_model const& m, downlink_model::notifications& notes)
    {
        for (auto& n : notes) {
            if (!n.wanted_by(opts))
                continue;
            switch (n.what) {
                case note_type::linked: log.push_back("linked"); break;
                case note_type::synced:
                    log.push_back("synced");
                    // The first on_synced delivers the assembled state, to a downlink that
                    // did not see it arrive; later ones follow the reconciling events.
                    if (!synced && !opts.events_when_not_synced) {
                        map = m.map();
                        value = m.value();
                    }
                    synced = true;
                    break;
                case note_type::event: log.push_back("event " + str(n.value)); break;
                case note_type::set:
                    if (n.changed) {
                        log.push_back("set " + str(n.value) + " from " + str(n.old));
                        value = n.value;
                    }
                    break;
                case note_type::update:
                    log.push_back(
                        "update " + str(n.key) + " " + str(n.value) + " from " + str(n.old));
                    map[n.key] = n.value;
                    break;
                case note_type::remove:
                    log.push_back("remove " + str(n.key) + " was " + str(n.old));
                    map.erase(n.key);
                    break;
                case note_type::clear:
                    log.push_back("clear");
                    map.clear();
                    break;
                case note_type::unlinked: log.push_back("unlinked " + n.reason); break;
                case note_type::failed: log.push_back("failed " + n.reason); break;
                case note_type::unreachable: log.push_back("unreachable " + n.reason); break;
            }
        }
        notes.clear();
    }
};

using log_t = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(downlink_model_suite)

BOOST_AUTO_TEST_CASE(value_sync_gates_events_until_synced)
{
    downlink_model m(downlink_kind::value);
    view v;
    downlink_model::notifications out;
    BOOST_TEST((m.open() == warp::envelope_kind::sync));
    BOOST_TEST((m.status() == link_status::linking));
    m.on_linked(out);
    m.on_event("21.5", out);
    v.take(m, out);
    BOOST_TEST(v.log == (log_t{"linked"}));  // the event is state, not yet news
    m.on_synced(out);
    m.on_event("22.0", out);
    m.on_event("22.0", out);  // an echo: on_event, no did_set
    v.take(m, out);
    BOOST_TEST(v.log == (log_t{"linked", "synced", "set 22.0 from 21.5"}));
    BOOST_TEST(str(v.value) == "22.0");
    BOOST_TEST((m.status() == link_status::synced));
}

BOOST_AUTO_TEST_CASE(value_events_when_not_synced)
{
    downlink_model m(downlink_kind::value);
    view v;
    v.opts.events_when_not_synced = true;
    downlink_model::notifications out;
    m.open();
    m.on_linked(out);
    m.on_event("1", out);
    m.on_synced(out);
    v.take(m, out);
    BOOST_TEST(v.log == (log_t{"linked", "set 1 from ", "synced"}));
}

BOOST_AUTO_TEST_CASE(local_set_fires_once_and_echo_does_not)
{
    downlink_model m(downlink_kind::value);
    view v;
    downlink_model::notifications out;
    m.open();
    m.on_linked(out);
    m.on_event("false", out);
    m.on_synced(out);
    recon::value body = m.set(recon::value(true), out);
    BOOST_TEST(str(body) == "true");
    m.on_event("true", out);  // the server's echo
    v.take(m, out);
    BOOST_TEST(v.log == (log_t{"linked", "synced", "set true from false"}));
}

BOOST_AUTO_TEST_CASE(echoes_of_overtaken_local_writes_do_not_undo_them)
{
    // set(1), set(2): the echo of 1 arrives after set(2) was applied locally; it must not
    // bring 1 back (did_set), and the state stays 2.
    downlink_model m(downlink_kind::value);
    view v;
    downlink_model::notifications out;
    m.open();
    m.on_linked(out);
    m.on_event("0", out);
    m.on_synced(out);
    m.set(recon::value(1), out);
    m.set(recon::value(2), out);
    m.on_event("1", out);
    BOOST_TEST(str(m.value()) == "2");
    m.on_event("2", out);
    m.on_event("3", out);  // someone else's set: applied
    v.take(m, out);
    BOOST_TEST(
        v.log == (log_t{"linked", "synced", "set 1 from 0", "set 2 from 1", "set 3 from 2"}),
        boost::test_tools::per_element());

    // The same per key on a map: put a=1, remove a; the echo of the put does not re-add it.
    downlink_model mm(downlink_kind::map);
    view mv;
    mm.open();
    mm.on_linked(out);
    mm.on_synced(out);
    mm.update(rv("a"), rv("1"), out);
    mm.remove(rv("a"), out);
    mm.on_event("@update(key:a) 1", out);
    BOOST_TEST(mm.map().empty());
    mm.on_event("@remove(key:a)", out);
    mm.on_event("@update(key:b) 2", out);
    mv.take(mm, out);
    BOOST_TEST(
        mv.log ==
            (log_t{"linked", "synced", "update a 1 from ", "remove a was 1", "update b 2 from "}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unlinked_reasons_reach_the_handler)
{
    for (auto [body, reason] : {
             std::pair<char const*, char const*>{"@nodeNotFound", "nodeNotFound"},
             {"@laneNotFound", "laneNotFound"},
             {"\"Link closed.\"", "Link closed."},
             {"", ""},
         }) {
        downlink_model m(downlink_kind::value);
        view v;
        downlink_model::notifications out;
        m.open();
        m.on_unlinked(rv(body), out);
        v.take(m, out);
        BOOST_TEST(v.log == (log_t{std::string("unlinked ") + reason}));
        BOOST_TEST((m.status() == link_status::unlinked));
    }
}

BOOST_AUTO_TEST_CASE(malformed_bodies_fail_the_link_with_a_reason)
{
    downlink_model m(downlink_kind::map);
    view v;
    downlink_model::notifications out;
    m.open();
    m.on_linked(out);
    BOOST_TEST((m.on_event("{unterminated", out) == warp::error::malformed_body));
    BOOST_TEST((m.on_event("42", out) == warp::error::invalid_map_event));
    v.take(m, out);
    BOOST_TEST_REQUIRE(v.log.size() == 3u);
    BOOST_TEST(v.log[1] == "failed malformed event body: unterminated record at 0");
    BOOST_TEST(v.log[2] == "failed map downlink received an event that is not a map update");
}

BOOST_AUTO_TEST_CASE(map_take_and_drop_remove_in_key_order)
{
    downlink_model m(downlink_kind::map);
    view v;
    downlink_model::notifications out;
    m.open();
    m.on_linked(out);
    for (auto k : {"d", "b", "a", "c", "e"})
        m.on_event(std::string("@update(key:") + k + ") 1", out);
    m.on_synced(out);
    v.take(m, out);
    v.log.clear();
    m.on_event("@take(4)", out);  // keeps a b c d
    m.on_event("@drop(2)", out);  // removes a b
    v.take(m, out);
    BOOST_TEST(v.log == (log_t{"remove e was 1", "remove a was 1", "remove b was 1"}));
    BOOST_TEST(m.map().size() == 2u);
    BOOST_TEST(str(m.map().begin()->first) == "c");
}

BOOST_AUTO_TEST_CASE(map_update_without_a_value_is_a_removal)
{
    // The Java server's coalescing map uplink sends `@update(key:K)` with no value for a key
    // removed after its update was queued, live or during a sync; the lane no longer has it.
    downlink_model m(downlink_kind::map);
    view v;
    downlink_model::notifications out;
    m.open();
    m.on_linked(out);
    m.on_event("@update(key:a) 1", out);
    m.on_event("@update(key:b) 2", out);
    m.on_event("@update(key:b)", out);  // removed during the sync
    m.on_synced(out);
    BOOST_TEST(m.map().size() == 1u);
    v.take(m, out);
    v.log.clear();
    m.on_event("@update(key:a)", out);
    m.on_event("@update(key:zz)", out);  // never held: nothing
    v.take(m, out);
    BOOST_TEST(v.log == (log_t{"remove a was 1"}), boost::test_tools::per_element());
    BOOST_TEST(m.map().empty());
}

BOOST_AUTO_TEST_CASE(writes_beyond_max_in_flight_are_forgotten_and_verified)
{
    // A server that never answers: the model follows at most max_in_flight writes, then
    // forgets them (their echoes are applied as they come) and stays unsettled until a
    // verifying resync.
    downlink_model m(downlink_kind::value);
    view v;
    downlink_model::notifications out;
    m.open();
    m.on_linked(out);
    m.on_event("0", out);
    m.on_synced(out);
    BOOST_TEST(!m.unsettled());
    auto const n = static_cast<int>(downlink_model::max_in_flight) + 100;
    for (int i = 1; i <= n; ++i)
        m.set(recon::value(i), out);
    BOOST_TEST(m.unsettled());
    // The echo of an early write, forgotten: applied, as any event (a flicker, not a loss).
    m.on_event("3", out);
    BOOST_TEST(str(m.value()) == "3");
    m.on_event(std::to_string(n), out);
    BOOST_TEST(str(m.value()) == std::to_string(n));
    BOOST_TEST(m.unsettled(), "forgotten writes are verified once quiet");
    BOOST_TEST(m.can_verify());
    m.open(true);
    m.on_event(std::to_string(n), out);
    out.clear();
    m.on_synced(out);
    BOOST_TEST(out.empty(), "a verification that finds nothing new says nothing");
    BOOST_TEST(!m.unsettled());
    BOOST_TEST((m.status() == link_status::synced));
}

BOOST_AUTO_TEST_CASE(echoes_of_older_writes_hold_while_a_newer_write_shows)
{
    // set 1, 2, 3; the echoes come back coalesced (2, then 3): no flicker back to 2; then
    // another client's 9: applied.
    downlink_model m(downlink_kind::value);
    view v;
    downlink_model::notifications out;
    m.open();
    m.on_linked(out);
    m.on_event("0", out);
    m.on_synced(out);
    for (int i = 1; i <= 3; ++i)
        m.set(recon::value(i), out);
    m.on_event("2", out);
    BOOST_TEST(str(m.value()) == "3");
    BOOST_TEST(m.unsettled());
    m.on_event("3", out);
    BOOST_TEST(!m.unsettled());
    m.on_event("9", out);
    v.take(m, out);
    BOOST_TEST(
        v.log == (log_t{
                     "linked",
                     "synced",
                     "set 1 from 0",
                     "set 2 from 1",
                     "set 3 from 2",
                     "set 9 from 3"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_event_that_differs_is_applied_while_our_write_is_in_flight)
{
    // The server is the truth: another client's write that arrives before our echo is
    // applied (did_set), and our echo after it too. Counting echoes swallowed both.
    downlink_model m(downlink_kind::value);
    view v;
    downlink_model::notifications out;
    m.open();
    m.on_linked(out);
    m.on_event("0", out);
    m.on_synced(out);
    m.set(recon::value(1), out);
    m.set(recon::value(2), out);
    m.on_event("2", out);       // the Java server's coalesced echo of both
    m.on_event("987654", out);  // another connection
    v.take(m, out);
    BOOST_TEST(str(m.value()) == "987654");
    BOOST_TEST(!m.unsettled());
    BOOST_TEST(
        v.log == (log_t{"linked", "synced", "set 1 from 0", "set 2 from 1", "set 987654 from 2"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(map_clear_before_sync_is_applied)
{
    // The Rust client ignores @clear before sync; we apply it (warp-protocol.md §7).
    downlink_model m(downlink_kind::map);
    downlink_model::notifications out;
    m.open();
    m.on_linked(out);
    m.on_event("@update(key:a) 1", out);
    m.on_event("@clear", out);
    m.on_event("@update(key:b) 2", out);
    m.on_synced(out);
    BOOST_TEST(m.map().size() == 1u);
    BOOST_TEST(str(m.map().begin()->first) == "b");
}

BOOST_AUTO_TEST_CASE(resync_reconciles_instead_of_replaying)
{
    downlink_model m(downlink_kind::map);
    view v;
    downlink_model::notifications out;
    m.open();
    m.on_linked(out);
    m.on_event("@update(key:a) 1", out);
    m.on_event("@update(key:b) 2", out);
    m.on_event("@update(key:c) 3", out);
    m.on_synced(out);
    v.take(m, out);
    v.log.clear();

    m.on_disconnected();
    BOOST_TEST((m.open() == warp::envelope_kind::sync));
    m.on_linked(out);
    m.on_event("@update(key:a) 1", out);   // unchanged
    m.on_event("@update(key:c) 30", out);  // changed
    m.on_event("@update(key:d) 4", out);   // new; b vanished
    v.take(m, out);
    BOOST_TEST(v.log == (log_t{"linked"}));  // the state arrives silently until @synced
    m.on_synced(out);
    v.take(m, out);
    BOOST_TEST(
        v.log ==
        (log_t{"linked", "remove b was 2", "update c 30 from 3", "update d 4 from ", "synced"}));
    BOOST_TEST((v.map == m.map()));
}

BOOST_AUTO_TEST_CASE(event_downlinks_link_and_deliver_every_event)
{
    downlink_model m(downlink_kind::event, true);
    view v;
    downlink_model::notifications out;
    BOOST_TEST((m.open() == warp::envelope_kind::link));
    m.on_linked(out);
    m.on_event("{msg:hello,n:1}", out);
    m.on_event("{msg:hello,n:1}", out);
    v.take(m, out);
    BOOST_TEST(v.log == (log_t{"linked", "event {msg:hello,n:1}", "event {msg:hello,n:1}"}));
}

BOOST_AUTO_TEST_CASE(late_joiner_replay)
{
    downlink_model m(downlink_kind::value);
    downlink_model::notifications out;
    m.open();
    m.replay(out);
    BOOST_TEST(out.empty());
    m.on_linked(out);
    m.on_event("7", out);
    m.on_synced(out);
    out.clear();
    view late;
    m.replay(out);
    late.take(m, out);
    BOOST_TEST(late.log == (log_t{"linked", "synced"}));
    BOOST_TEST(str(late.value) == "7");
}

// ---- a lost connection after every step -----------------------------------------------------

namespace {

// One step of the server's side of a map lane: an event body that changes the lane.
struct lane_sim {
    warp::map_state state;

    void apply(std::string const& body)
    {
        warp::map_event e;
        BOOST_REQUIRE(!warp::to_map_event(rv(body), e));
        switch (e.kind) {
            case warp::map_event::op::update: state.insert_or_assign(e.key, e.value); break;
            case warp::map_event::op::remove: state.erase(e.key); break;
            case warp::map_event::op::clear: state.clear(); break;
            case warp::map_event::op::take:
                while (state.size() > e.n)
                    state.erase(std::prev(state.end()));
                break;
            case warp::map_event::op::drop:
                for (std::uint64_t i = 0; i < e.n && !state.empty(); ++i)
                    state.erase(state.begin());
                break;
        }
    }

    // The sync burst: @linked, one update per entry, @synced.
    void sync(downlink_model& m, downlink_model::notifications& out) const
    {
        m.on_linked(out);
        for (auto const& [k, v] : state) {
            warp::map_event e = warp::map_event::update(k, v);
            m.on_event_value(warp::to_value(e), out);
        }
        m.on_synced(out);
    }
};

std::vector<std::string> const map_script = {
    "@update(key:a) 1",
    "@update(key:b) 2",
    "@update(key:c) {x:1}",
    "@update(key:a) 10",
    "@remove(key:b)",
    "@update(key:\"two words\") 5",
    "@take(2)",
    "@update(key:z) 26",
    "@drop(1)",
    "@clear",
    "@update(key:q) 17",
};

}  // namespace

BOOST_AUTO_TEST_CASE(map_disconnect_after_every_step)
{
    for (std::size_t cut = 0; cut <= map_script.size(); ++cut) {
        BOOST_TEST_CONTEXT("connection lost after step " << cut)
        {
            for (bool early : {false, true}) {
                lane_sim lane;
                downlink_model m(downlink_kind::map);
                view v;
                v.opts.events_when_not_synced = early;
                downlink_model::notifications out;
                m.open();
                lane.sync(m, out);
                v.take(m, out);
                for (std::size_t i = 0; i < map_script.size(); ++i) {
                    if (i == cut) {
                        m.on_disconnected();
                        // Changes the view missed while away.
                        lane.apply(map_script[i]);
                        m.open();
                        lane.sync(m, out);
                        v.take(m, out);
                        BOOST_TEST((v.map == m.map()));
                        BOOST_TEST((m.map() == lane.state));
                        continue;
                    }
                    lane.apply(map_script[i]);
                    m.on_event(map_script[i], out);
                    v.take(m, out);
                    BOOST_TEST((v.map == m.map()));
                }
                BOOST_TEST((m.map() == lane.state));
                BOOST_TEST((v.map == lane.state));
                BOOST_TEST((m.status() == link_status::synced));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(value_disconnect_after_every_step)
{
    std::vector<std::string> const script = {"1", "2", "2", "{a:1}", "\"x\"", "3"};
    for (std::size_t cut = 0; cut <= script.size(); ++cut) {
        BOOST_TEST_CONTEXT("connection lost after step " << cut)
        {
            recon::value lane;
            downlink_model m(downlink_kind::value);
            view v;
            downlink_model::notifications out;
            auto sync = [&] {
                m.on_linked(out);
                m.on_event_value(lane, out);
                m.on_synced(out);
                v.take(m, out);
            };
            m.open();
            sync();
            std::size_t sets_before = 0;
            for (std::size_t i = 0; i < script.size(); ++i) {
                if (i == cut) {
                    m.on_disconnected();
                    lane = rv(script[i]);
                    m.open();
                    sets_before = v.log.size();
                    sync();
                    // linked, one did_set for the change missed while away (none if nothing
                    // changed), synced.
                    bool changed = i == 0 || !(rv(script[i]) == rv(script[i - 1]));
                    BOOST_TEST(v.log.size() - sets_before == (changed ? 3u : 2u));
                    continue;
                }
                lane = rv(script[i]);
                m.on_event(script[i], out);
                v.take(m, out);
            }
            BOOST_TEST((m.value() == lane));
            BOOST_TEST((v.value == lane));
        }
    }
}

BOOST_AUTO_TEST_CASE(local_writes_during_resync_are_not_undone)
{
    downlink_model m(downlink_kind::map);
    view v;
    downlink_model::notifications out;
    m.open();
    m.on_linked(out);
    m.on_event("@update(key:a) 1", out);
    m.on_synced(out);
    v.take(m, out);
    v.log.clear();
    m.on_disconnected();
    m.open();
    // Written while relinking; the server applied it before answering the sync.
    m.update(rv("b"), rv("2"), out);
    m.on_linked(out);
    m.on_event("@update(key:a) 1", out);
    m.on_event("@update(key:b) 2", out);
    m.on_synced(out);
    v.take(m, out);
    BOOST_TEST(v.log == (log_t{"update b 2 from ", "linked", "synced"}));
}

BOOST_AUTO_TEST_SUITE_END()
