// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// The map state's node arena (a downlink's map takes its nodes from it) and position_of().

#include <swim/recon/value.hpp>
#include <swim/warp/downlink_model.hpp>
#include <swim/warp/map_state.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace recon = swim::recon;
using namespace swim::warp;

namespace {

recon::value key(std::int64_t i)
{
    std::string k = std::to_string(i);
    return recon::value(std::string(8 - k.size(), '0') + k);
}

map_state arena_map(node_arena& a)
{
    return map_state(map_state::allocator_type(&a));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(warp_map_state)

BOOST_AUTO_TEST_CASE(an_arena_holds_about_what_its_map_needs_and_lets_it_all_go_when_it_empties)
{
    node_arena a;
    {
        map_state m = arena_map(a);
        std::size_t const n = 100'000;
        for (std::int64_t i = 0; i < std::int64_t(n); ++i)
            m.emplace(key(i), recon::value(i));
        BOOST_TEST(a.live_nodes() == n);
        // Blocks double up to 2 MiB: at most twice what the nodes take, and a block more.
        std::size_t const node = a.held_bytes() / n;  // (about: nodes and block heads)
        BOOST_TEST(a.held_bytes() >= n * sizeof(map_state::node_type));
        BOOST_TEST(a.held_bytes() <= 2 * n * node + (std::size_t(2) << 20));
        // Freed nodes are reused: erasing and putting back half grows nothing.
        std::size_t const held = a.held_bytes();
        for (std::int64_t i = 0; i < std::int64_t(n); i += 2)
            m.erase(key(i));
        BOOST_TEST(a.live_nodes() == n / 2);
        BOOST_TEST(a.held_bytes() == held);
        for (std::int64_t i = 0; i < std::int64_t(n); i += 2)
            m.emplace(key(i), recon::value(-i));
        BOOST_TEST(a.held_bytes() == held);
        BOOST_TEST(m.size() == n);
        BOOST_TEST((m.at(key(4)) == recon::value(-4)));
        m.clear();
        BOOST_TEST(a.live_nodes() == 0u);
        BOOST_TEST(a.held_bytes() == 0u);  // (an emptied map gives its memory back)
        m.emplace(key(1), recon::value(1));
        BOOST_TEST(a.live_nodes() == 1u);
        BOOST_TEST(a.held_bytes() > 0u);
    }
    BOOST_TEST(a.live_nodes() == 0u);
    BOOST_TEST(a.held_bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(a_copy_of_an_arena_map_takes_its_nodes_from_operator_new)
{
    // A copy may outlive the downlink, or go to another thread: it must not share the arena.
    node_arena a;
    map_state m = arena_map(a);
    for (std::int64_t i = 0; i < 10; ++i)
        m.emplace(key(i), recon::value(i));
    map_state copy = m;
    BOOST_TEST(copy.get_allocator().arena() == nullptr);
    BOOST_TEST(a.live_nodes() == 10u);
    map_state assigned;
    assigned = m;  // (keeps its own allocator)
    BOOST_TEST(assigned.get_allocator().arena() == nullptr);
    BOOST_TEST(a.live_nodes() == 10u);
    BOOST_TEST((copy == m));
    BOOST_TEST((assigned == m));
    // A move takes the arena along with the nodes; a swap between maps of one arena works.
    map_state moved = std::move(m);
    BOOST_TEST(moved.get_allocator().arena() == &a);
    map_state other = arena_map(a);
    other.emplace(key(99), recon::value(99));
    other.swap(moved);
    BOOST_TEST(other.size() == 10u);
    BOOST_TEST(moved.size() == 1u);
    BOOST_TEST(a.live_nodes() == 11u);
}

BOOST_AUTO_TEST_CASE(position_of_finds_a_key_or_where_it_goes)
{
    map_state m;
    auto at = position_of(m, key(5));
    BOOST_TEST(!holds(m, at, key(5)));
    BOOST_TEST((at == m.end()));
    for (std::int64_t i : {2, 4, 6})
        m.emplace(key(i), recon::value(i));
    // After the last key: the end (one comparison).
    at = position_of(m, key(7));
    BOOST_TEST((at == m.end()));
    BOOST_TEST(!holds(m, at, key(7)));
    // The last key, a key inside, a key before them all, a key between two.
    at = position_of(m, key(6));
    BOOST_TEST(holds(m, at, key(6)));
    BOOST_TEST((at->second == recon::value(6)));
    at = position_of(m, key(4));
    BOOST_TEST(holds(m, at, key(4)));
    at = position_of(m, key(1));
    BOOST_TEST(!holds(m, at, key(1)));
    BOOST_TEST((at == m.begin()));
    at = position_of(m, key(3));
    BOOST_TEST(!holds(m, at, key(3)));
    BOOST_TEST((at->first == key(4)));
    // Numbers of different kinds are one key (1 and 1.0).
    map_state n;
    n.emplace(recon::value(std::int64_t(1)), recon::value(1));
    BOOST_TEST(holds(n, position_of(n, recon::value(1.0)), recon::value(1.0)));
}

BOOST_AUTO_TEST_CASE(a_map_downlink_keeps_its_entries_in_its_own_arena)
{
    // The model's maps come from its arena; what it hands out reads like any map.
    downlink_model m(downlink_kind::map);
    downlink_model::notifications notes;
    (void)m.open();
    m.on_linked(notes);
    for (std::int64_t i = 0; i < 1000; ++i) {
        std::string body = "@update(key:" + std::to_string(i) + ") " + std::to_string(i);
        BOOST_TEST_REQUIRE(!m.on_event(body, notes, {}));
    }
    m.on_synced(notes);
    BOOST_TEST(m.map().size() == 1000u);
    BOOST_TEST(m.map().get_allocator().arena() != nullptr);
    map_state copy = m.map();
    BOOST_TEST(copy.get_allocator().arena() == nullptr);
    BOOST_TEST((copy.at(recon::value(std::int64_t(999))) == recon::value(std::int64_t(999))));
}

BOOST_AUTO_TEST_SUITE_END()
