// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// Where the latest waiting change of each map key sits in an uplink_queue: a flat hash table
// (open addressing, linear probing), so indexing a change allocates nothing once the table has
// grown, and emptying it frees nothing.

#ifndef SWIM_WARP_KEY_INDEX_HPP
#define SWIM_WARP_KEY_INDEX_HPP

#include <swim/recon/value.hpp>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace swim::warp::detail {

class key_index {
public:
    /// The queue position stored for `key`: where a change of it was indexed (valid or not:
    /// the caller knows which positions still count), and whether the key is new. A new key's
    /// position is `forgotten` until the caller sets it.
    std::pair<std::uint64_t*, bool> find_or_add(recon::value const& key)
    {
        if (2 * (used_ + 1) > slots_.size())
            grow();
        std::size_t const h = scramble(recon::hash_value(key));
        std::size_t const mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            slot& s = slots_[i];
            if (s.at == none_marker) {
                s.key = key;
                s.hash = h;
                s.at = forgotten;
                ++used_;
                return {&s.at, true};
            }
            if (s.hash == h && s.key == key)
                return {&s.at, false};
        }
    }

    /// Forgets every key; keeps the table (its keys' storage freed) for the next burst.
    void clear() noexcept
    {
        if (used_ == 0)
            return;
        for (auto& s : slots_)
            if (s.at != none_marker) {
                s.at = none_marker;
                s.key = recon::value();
            }
        used_ = 0;
    }

    std::size_t size() const noexcept { return used_; }
    /// Slots held (memory: this times about 56 bytes).
    std::size_t capacity() const noexcept { return slots_.size(); }

    /// A position no queued frame has: an entry that points nowhere.
    static constexpr std::uint64_t forgotten = UINT64_MAX - 1;

private:
    static constexpr std::uint64_t none_marker = UINT64_MAX;

    /// Spreads a hash over its bits (the table takes the low ones, and hashes of integers are
    /// the integers: keys 0, 2^20, 2^21... would all start at one slot).
    static std::size_t scramble(std::size_t h) noexcept
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 33;
        return h;
    }

    struct slot {
        std::uint64_t at = none_marker;  ///< none_marker: the slot is empty
        std::size_t hash = 0;
        recon::value key;
    };

    void grow()
    {
        std::vector<slot> old(slots_.empty() ? 64 : 2 * slots_.size());
        old.swap(slots_);
        std::size_t const mask = slots_.size() - 1;
        for (auto& s : old) {
            if (s.at == none_marker)
                continue;
            std::size_t i = s.hash & mask;
            while (slots_[i].at != none_marker)
                i = (i + 1) & mask;
            slots_[i] = std::move(s);
        }
    }

    std::vector<slot> slots_;
    std::size_t used_ = 0;
};

}  // namespace swim::warp::detail

#endif
