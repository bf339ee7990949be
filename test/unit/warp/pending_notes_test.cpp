// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// warp::pending_notes: a downlink's notifications for handlers that fall behind, bounded by
// merging (value: the latest set; map: the latest change of each key) or refusing (events).

#include <swim/recon/writer.hpp>
#include <swim/warp/pending_notes.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace swim;
using warp::pending_notes;
using note_type = warp::downlink_notification::type;
using outcome = pending_notes::outcome;

namespace {

warp::view_note note(
    note_type what,
    recon::value key = {},
    recon::value value = {},
    recon::value old = {})
{
    warp::view_note n;
    n.note.what = what;
    n.note.key = std::move(key);
    n.note.value = std::move(value);
    n.note.old = std::move(old);
    return n;
}

warp::view_note set(int now, int before)
{
    return note(note_type::set, {}, recon::value(now), recon::value(before));
}

warp::view_note update(char const* k, int now, recon::value before = {})
{
    return note(note_type::update, recon::value(k), recon::value(now), std::move(before));
}

warp::view_note remove(char const* k, int before)
{
    return note(note_type::remove, recon::value(k), {}, recon::value(before));
}

/// "what key value old" of every waiting notification, taking them.
std::vector<std::string> drain(pending_notes& q)
{
    std::vector<std::string> out;
    while (!q.empty()) {
        auto n = q.take().note;
        std::string line;
        switch (n.what) {
            case note_type::set: line = "set"; break;
            case note_type::update: line = "update"; break;
            case note_type::remove: line = "remove"; break;
            case note_type::clear: line = "clear"; break;
            case note_type::event: line = "event"; break;
            default: line = "other"; break;
        }
        for (auto const* v : {&n.key, &n.value, &n.old})
            line += " " + (v->is_empty() ? std::string("-") : recon::to_string(*v));
        out.push_back(line);
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pending_notes_suite)

BOOST_AUTO_TEST_CASE(below_the_limit_everything_waits_in_order)
{
    pending_notes q;
    BOOST_TEST((q.push(set(1, 0), 4) == outcome::queued));
    BOOST_TEST((q.push(set(2, 1), 4) == outcome::queued));
    BOOST_TEST((q.push(note(note_type::event, {}, recon::value(7)), 4) == outcome::queued));
    BOOST_TEST(
        drain(q) == (std::vector<std::string>{"set - 1 0", "set - 2 1", "event - 7 -"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_value_behind_keeps_the_latest_set_and_the_first_before)
{
    pending_notes q;
    q.push(set(1, 0), 2);
    q.push(set(2, 1), 2);
    BOOST_TEST((q.push(set(3, 2), 2) == outcome::merged));
    BOOST_TEST((q.push(set(4, 3), 2) == outcome::merged));
    BOOST_TEST(q.size() == 2u);
    BOOST_TEST(
        drain(q) == (std::vector<std::string>{"set - 1 0", "set - 4 1"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_map_behind_keeps_the_latest_change_of_each_key_in_its_place)
{
    pending_notes q;
    q.push(update("a", 1), 1);                                                    // a added
    BOOST_TEST((q.push(update("b", 1, recon::value(0)), 1) == outcome::queued));  // recorded
    BOOST_TEST((q.push(update("a", 2, recon::value(1)), 1) == outcome::queued));  // recorded
    BOOST_TEST((q.push(update("b", 2, recon::value(1)), 1) == outcome::merged));
    BOOST_TEST((q.push(remove("b", 2), 1) == outcome::merged));  // b existed: one remove
    BOOST_TEST((q.push(update("b", 3), 1) == outcome::merged));  // removed, then back
    BOOST_TEST((q.push(remove("a", 2), 1) == outcome::merged));
    BOOST_TEST(
        drain(q) == (std::vector<std::string>{"update a 1 -", "update b 3 0", "remove a - 1"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_added_then_removed_key_keeps_both)
{
    pending_notes q;
    q.push(update("x", 0), 1);
    q.push(update("k", 5), 1);
    BOOST_TEST((q.push(remove("k", 5), 1) == outcome::queued));
    BOOST_TEST((q.push(update("k", 6), 1) == outcome::merged));  // into the remove
    BOOST_TEST(
        drain(q) == (std::vector<std::string>{"update x 0 -", "update k 5 -", "update k 6 5"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(no_change_moves_before_a_clear)
{
    pending_notes q;
    q.push(update("a", 1), 1);
    q.push(update("a", 2, recon::value(1)), 1);  // recorded
    q.push(note(note_type::clear), 1);
    BOOST_TEST((q.push(update("a", 3), 1) == outcome::queued));
    BOOST_TEST(
        drain(q) == (std::vector<std::string>{
                        "update a 1 -",
                        "update a 2 1",
                        "clear - - -",
                        "update a 3 -"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_event_behind_is_refused_and_nothing_is_queued)
{
    pending_notes q;
    q.push(note(note_type::event, {}, recon::value(1)), 1);
    BOOST_TEST((q.push(note(note_type::event, {}, recon::value(2)), 1) == outcome::overrun));
    q.push_back(note(note_type::failed));
    BOOST_TEST(
        drain(q) == (std::vector<std::string>{"event - 1 -", "other - - -"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_note_put_back_in_front_keeps_the_order_and_merging_stays_right)
{
    pending_notes q;
    q.push(update("a", 1), 1);
    q.push(update("a", 2, recon::value(1)), 1);  // recorded
    auto first = q.take();
    q.push_front(std::move(first));
    // The indices moved: the next change of a waits rather than merging into the wrong one.
    BOOST_TEST((q.push(update("a", 3, recon::value(2)), 1) == outcome::queued));
    BOOST_TEST((q.push(update("a", 4, recon::value(3)), 1) == outcome::merged));
    BOOST_TEST(
        drain(q) == (std::vector<std::string>{"update a 1 -", "update a 2 1", "update a 4 2"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
