// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_WARP_PENDING_NOTES_HPP
#define SWIM_WARP_PENDING_NOTES_HPP

#include <swim/recon/value.hpp>
#include <swim/warp/host_session.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace swim::warp {

/** The notifications of one downlink that its handlers have not taken yet, in order, and
 * bounded: once `limit` wait, a value downlink's set replaces the set waiting last (the
 * newest value, `old` kept), a map downlink's update or remove replaces the waiting change
 * of the same key in its place (`old` kept: remove then update becomes update, update of a
 * key that existed then remove becomes remove; an added then removed key keeps both), and
 * an event, which cannot be merged, is refused (outcome::overrun: the owner fails the
 * downlink rather than drop it). Clears, syncs and link changes are never merged, and no
 * change moves before one of them.
 *
 * @par Thread safety
 * Not thread safe: its owner serialises every call. No I/O.
 */
class pending_notes {
public:
    enum class outcome : std::uint8_t {
        queued,  ///< appended
        merged,  ///< folded into a waiting notification (or an echo that changes nothing)
        overrun  ///< an event with `limit` waiting: nothing queued
    };

    /// Appends `note`, or merges it when `limit` (at least 1) notifications wait.
    outcome push(view_note note, std::size_t limit);
    /// Appends `note` whatever waits (the failure that ends an overrun downlink).
    void push_back(view_note note);
    /// Puts `note` before every waiting one (a notification its handlers could not run yet).
    void push_front(view_note note);
    /// Takes the first waiting notification (there is one).
    view_note take();

    bool empty() const noexcept { return head_ == notes_.size(); }
    std::size_t size() const noexcept { return notes_.size() - head_; }

private:
    bool merge(view_note& note);

    /// The waiting notifications are notes_[head_...]: a vector, so that an empty queue
    /// holds no memory (a deque keeps a block), compacted as it is taken from.
    std::vector<view_note> notes_;
    std::size_t head_ = 0;
    /// Notifications taken so far: the absolute index of notes_.front().
    std::uint64_t taken_ = 0;
    /// The absolute index of the latest waiting update or remove of each key, recorded once
    /// the limit was reached (since the last notification that is neither).
    std::map<recon::value, std::uint64_t, std::less<>> keys_;
};

/** A downlink's status as its notifications say, the same for client and agent downlinks:
 * linked and synced while the link is up and synced, ended after a terminal notification.
 * Not thread safe; no I/O.
 */
struct downlink_status {
    bool linked = false;
    bool synced = false;
    bool ended = false;

    /// Applies `note` (before its handlers run).
    void apply(view_note const& note) noexcept;
};

/** Gives a `@synced` notification the state it stands for, for handlers that run after
 * later events were applied: a value downlink's value, a map downlink's entries as a record
 * of `key:value` slots (event downlinks have none). Other notifications are left alone.
 */
void snapshot(view_note& note, downlink_kind kind, downlink_model const& model);

}  // namespace swim::warp

#endif
