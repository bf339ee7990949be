// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/writer.hpp>
#include <swim/warp/uplink_queue.hpp>

#include <algorithm>
#include <cstring>
#include <iterator>

#include "key_index.hpp"

namespace swim::warp {

namespace {

/// A frame for many uplinks, its text written by `write`: a short text is copied into each
/// uplink's queue (a copy of under 100 bytes costs less than counting the references from the
/// agent's thread and the writers' threads at once), a longer one is shared.
template <class Write>
out_frame shared_frame(Write&& write)
{
    thread_local std::string scratch;
    scratch.clear();
    write(scratch);
    if (scratch.size() <= out_frame::inline_capacity)
        return out_frame(std::string_view(scratch));
    return out_frame(std::make_shared<std::string const>(std::move(scratch)));
}

}  // namespace

out_frame shared_event_frame(std::string_view node, std::string_view lane, recon::value const& body)
{
    return shared_frame(
        [&](std::string& out) { write_envelope(envelope_kind::event, node, lane, body, out); });
}

out_frame shared_event_frame(std::string_view node, std::string_view lane, warp::map_event const& e)
{
    return shared_frame([&](std::string& out) { write_map_event_envelope(node, lane, e, out); });
}

out_frame::out_frame(std::string_view text)
{
    if (text.size() <= inline_capacity) {
        auto& s = text_.emplace<detail::short_text>();
        s.size = static_cast<std::uint8_t>(text.size());
        std::memcpy(s.data, text.data(), text.size());
    } else {
        text_.emplace<std::string>(text);
    }
}

out_frame out_frame::of(std::string&& text)
{
    if (text.size() <= inline_capacity)
        return out_frame(std::string_view(text));
    return out_frame(std::move(text));
}

std::string out_frame::take()
{
    if (auto* own = std::get_if<std::string>(&text_))
        return std::move(*own);
    return std::string(view());
}

uplink::uplink() = default;
uplink::~uplink() = default;

std::size_t uplink::key_index_slots() const noexcept
{
    return keys_ ? keys_->capacity() : 0;
}

namespace {

/// Where this thread writes a frame before it is queued (short frames are copied into the
/// queue, a long one takes the string along): no allocation per frame.
thread_local std::string frame_scratch;

/// The frame written into frame_scratch.
out_frame scratch_frame()
{
    return out_frame::of(std::move(frame_scratch));
}

}  // namespace

std::uint64_t uplink_queue::push(out_frame frame)
{
    std::size_t const n = frame.size();
    queue_.push_back(std::move(frame));
    queued_bytes_ += n;
    return first_ + queue_.size() - 1;
}

void uplink_queue::replace(std::uint64_t index, out_frame frame)
{
    out_frame& slot = queue_[static_cast<std::size_t>(index - first_)];
    queued_bytes_ = queued_bytes_ - slot.size() + frame.size();
    slot = std::move(frame);
    ++coalesced_;
}

void uplink_queue::unkey(uplink& up)
{
    // (The keys indexed so far stay, before the barrier: no change replaces them any more.)
    up.barrier_ = first_ + queue_.size();
}

void uplink_queue::unindex(uplink& up)
{
    if (!up.keys_)
        return;
    up.keys_.reset();
    std::erase(keyed_, &up);
}

void uplink_queue::linked(uplink& up, link_params params)
{
    frame_scratch.clear();
    write_envelope_text(envelope_kind::linked, up.node(), up.lane(), {}, frame_scratch, params);
    up.last_ = push(scratch_frame());
    up.last_is_value_ = false;
}

void uplink_queue::synced(uplink& up)
{
    frame_scratch.clear();
    write_envelope_text(envelope_kind::synced, up.node(), up.lane(), {}, frame_scratch);
    up.last_ = push(scratch_frame());
    up.last_is_value_ = false;
    unkey(up);  // nothing after @synced replaces what the sync sent
}

void uplink_queue::unlinked(uplink& up, recon::value const& reason)
{
    unindex(up);  // (first: the uplink may be gone once this returns, whatever happens)
    frame_scratch.clear();
    write_envelope(envelope_kind::unlinked, up.node(), up.lane(), reason, frame_scratch);
    push(scratch_frame());
    // The uplink is gone: nothing queued later coalesces with what it had.
    up.last_ = UINT64_MAX;
    up.last_is_value_ = false;
    unkey(up);
}

void uplink_queue::push_frame(std::string frame)
{
    push(out_frame::of(std::move(frame)));
}

void uplink_queue::event(uplink& up, recon::value const& body)
{
    frame_scratch.clear();
    write_envelope(envelope_kind::event, up.node(), up.lane(), body, frame_scratch);
    event(up, scratch_frame());
}

void uplink_queue::event(uplink& up, out_frame frame)
{
    up.last_ = push(std::move(frame));
    up.last_is_value_ = false;
    // A later change of a key must not move before this (a sync's entry of that key).
    unkey(up);
}

void uplink_queue::value_event(uplink& up, recon::value const& body)
{
    frame_scratch.clear();
    write_envelope(envelope_kind::event, up.node(), up.lane(), body, frame_scratch);
    value_event(up, scratch_frame());
}

void uplink_queue::value_event(uplink& up, out_frame frame)
{
    if (up.last_is_value_ && up.last_ != UINT64_MAX && up.last_ >= first_ &&
        queued_bytes_ >= opts_.coalesce_after_bytes) {
        // The previous value still waits and is the uplink's last frame: send only the latest.
        replace(up.last_, std::move(frame));
        return;
    }
    up.last_ = push(std::move(frame));
    up.last_is_value_ = true;
}

void uplink_queue::map_event(uplink& up, warp::map_event const& e)
{
    frame_scratch.clear();
    write_map_event_envelope(up.node(), up.lane(), e, frame_scratch);
    map_event(up, e, scratch_frame());
}

void uplink_queue::map_event(uplink& up, warp::map_event const& e, out_frame frame)
{
    up.last_is_value_ = false;
    if (e.kind == map_event::op::update || e.kind == map_event::op::remove) {
        if (!up.keys_ || up.keys_->size() == 0) {
            // Nothing coalesces yet: a client that keeps up costs no index. (Once it is
            // made, the index follows every change, so that it always names a key's latest
            // frame, until the writer takes the queue.)
            if (queued_bytes_ + frame.size() < opts_.coalesce_after_bytes) {
                up.last_ = push(std::move(frame));
                return;
            }
            if (!up.keys_) {
                if (keyed_.size() == keyed_.capacity())  // (listed once made: see taken())
                    keyed_.reserve(2 * keyed_.size() + 4);
                up.keys_ = std::make_unique<detail::key_index>();
                keyed_.push_back(&up);
            }
        }
        auto [at, fresh] = up.keys_->find_or_add(e.key);
        if (!fresh && *at >= first_ && *at >= up.barrier_ && *at != detail::key_index::forgotten &&
            queued_bytes_ >= opts_.coalesce_after_bytes) {
            // The key's last change still waits: send only the latest one, in its place.
            replace(*at, std::move(frame));
            return;
        }
        up.last_ = push(std::move(frame));  // (if it throws, the index is as it was)
        *at = up.last_;
        return;
    }
    // clear, take, drop: changes before them must arrive before them.
    up.last_ = push(std::move(frame));
    unkey(up);
}

void uplink_queue::taken(std::size_t n)
{
    first_ += n;
    queue_.clear();
    queued_bytes_ = 0;
    // Waiting keys are all written now: forget them (only the uplinks that hold an index: a
    // connection may hold many thousands of uplinks). A table about the size of this burst's
    // is kept for the next (no allocation per key while a client stays behind); a table grown
    // by an earlier, larger burst is let go, and so is one that no burst used for a while.
    std::erase_if(keyed_, [](uplink* up) {
        auto& keys = *up->keys_;
        bool const used = keys.size() != 0;
        up->idle_takes_ = used ? 0 : up->idle_takes_ + 1;
        if (up->idle_takes_ > uplink::max_idle_takes ||
            (used && keys.capacity() > 8 * keys.size() + 64)) {
            up->keys_.reset();
            up->idle_takes_ = 0;
            return true;
        }
        keys.clear();
        return false;
    });
}

void uplink_queue::drop_keys() noexcept
{
    for (auto* up : keyed_) {
        up->keys_.reset();
        up->idle_takes_ = 0;
    }
    keyed_.clear();
}

void uplink_queue::take_output(std::vector<out_frame>& out)
{
    std::size_t n = queue_.size();
    if (out.empty())
        out.swap(queue_);  // (queue_ gets out's capacity: no allocation at the next push)
    else
        std::move(queue_.begin(), queue_.end(), std::back_inserter(out));
    taken(n);
}

void uplink_queue::take_output(std::vector<std::string>& out)
{
    for (auto& f : queue_)
        out.push_back(f.take());
    taken(queue_.size());
}

}  // namespace swim::warp
