// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// The state of a map lane or map downlink: keys in Recon order, and where its nodes come from.
#ifndef SWIM_WARP_MAP_STATE_HPP
#define SWIM_WARP_MAP_STATE_HPP

#include <swim/recon/value.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <type_traits>
#include <utility>

namespace swim::warp {

/** Where the nodes of one owner's maps come from (a map downlink's state and its resync).
 *
 * Nodes are cut from blocks that grow with the map, from 4 nodes to 2 MiB (blocks of 2 MiB are
 * backed by huge pages where the system allows it), and freed nodes are kept for reuse: a map
 * of a million entries costs a few hundred page faults instead of tens of thousands, and no
 * call to malloc per entry. Every block is let go once the last node is freed, and with the
 * arena. Memory freed by erasing some entries is reused by the map, not returned to the
 * system, until the map empties.
 *
 * Not thread safe: the maps that use it have one owner.
 */
class node_arena {
public:
    node_arena() noexcept = default;
    node_arena(node_arena const&) = delete;
    node_arena& operator=(node_arena const&) = delete;
    ~node_arena();

    /// A node of `bytes` (the first allocation fixes the node size; any other size is passed
    /// to operator new).
    void* allocate(std::size_t bytes);
    void deallocate(void* p, std::size_t bytes) noexcept;

    /// Bytes held in blocks, nodes in use or free.
    std::size_t held_bytes() const noexcept { return held_; }
    /// Nodes in use.
    std::size_t live_nodes() const noexcept { return live_; }

private:
    struct block;
    void grow();
    void release() noexcept;

    std::size_t node_ = 0;
    std::size_t live_ = 0;
    std::size_t held_ = 0;
    std::size_t next_nodes_ = 4;
    void* free_ = nullptr;
    block* blocks_ = nullptr;
};

/** The allocator of map_state: from a node_arena, or from operator new when it has none (the
 * default). A copy of a map gets no arena (it may outlive the arena's owner, or move to
 * another thread); a move or a swap takes the arena with the nodes.
 */
template <class T>
class node_allocator {
public:
    using value_type = T;
    using propagate_on_container_copy_assignment = std::false_type;
    using propagate_on_container_move_assignment = std::true_type;
    using propagate_on_container_swap = std::true_type;
    using is_always_equal = std::false_type;

    node_allocator() noexcept = default;
    explicit node_allocator(node_arena* arena) noexcept
        : arena_(arena)
    {}
    template <class U>
    node_allocator(node_allocator<U> const& o) noexcept
        : arena_(o.arena())
    {}

    T* allocate(std::size_t n)
    {
        if (arena_ == nullptr)
            return std::allocator<T>().allocate(n);
        return static_cast<T*>(arena_->allocate(n * sizeof(T)));
    }

    void deallocate(T* p, std::size_t n) noexcept
    {
        if (arena_ == nullptr)
            std::allocator<T>().deallocate(p, n);
        else
            arena_->deallocate(p, n * sizeof(T));
    }

    node_allocator select_on_container_copy_construction() const noexcept { return {}; }

    node_arena* arena() const noexcept { return arena_; }

    template <class U>
    bool operator==(node_allocator<U> const& o) const noexcept
    {
        return arena_ == o.arena();
    }

private:
    static_assert(alignof(T) <= alignof(std::max_align_t));
    node_arena* arena_ = nullptr;
};

/// The map state: keys in Recon key order (the order `take` and `drop` count in).
using map_state = std::map<
    recon::value,
    recon::value,
    std::less<>,
    node_allocator<std::pair<recon::value const, recon::value>>>;

/// A map_state with an arena of its own (a lane's entries).
struct arena_map_state {
    node_arena arena;  ///< (first: the map's nodes go back to it before it goes)
    map_state map{map_state::allocator_type(&arena)};
};

/** Where `key` is, or where it would go, in `m` (the hint for emplace_hint). Maps usually
 * grow at their end (a sync walks the lane in key order, and counters and timestamps come in
 * order): a key after the last one takes one comparison instead of a walk of the tree.
 */
map_state::iterator position_of(map_state& m, recon::value const& key);

/// True when `at`, from position_of(m, key), holds `key`.
inline bool holds(map_state const& m, map_state::const_iterator at, recon::value const& key)
{
    return at != m.end() && !(key < at->first);
}

}  // namespace swim::warp

#endif
