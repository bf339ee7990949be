// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/warp/pending_notes.hpp>

namespace swim::warp {

namespace {
using type = downlink_notification::type;
}

pending_notes::outcome pending_notes::push(view_note note, std::size_t limit)
{
    auto const& n = note.note;
    bool const behind = !empty() && size() >= limit;
    if (behind) {
        if (n.what == type::event)
            return outcome::overrun;
        if (merge(note))
            return outcome::merged;
    }
    if (n.what == type::update || n.what == type::remove) {
        // The key's latest waiting change, for a later change of it to merge into.
        std::uint64_t const at = taken_ + size();
        if (behind) {
            keys_.insert_or_assign(n.key, at);
        } else if (!keys_.empty()) {
            auto it = keys_.find(n.key);
            if (it != keys_.end())
                it->second = at;
        }
    } else {
        keys_.clear();  // later changes must not move before this one
    }
    notes_.push_back(std::move(note));
    return outcome::queued;
}

void pending_notes::push_back(view_note note)
{
    keys_.clear();
    notes_.push_back(std::move(note));
}

void pending_notes::push_front(view_note note)
{
    // The waiting notifications move up one place: the recorded indices no longer hold.
    keys_.clear();
    if (head_ > 0)
        notes_[--head_] = std::move(note);
    else
        notes_.insert(notes_.begin(), std::move(note));
}

view_note pending_notes::take()
{
    view_note note = std::move(notes_[head_++]);
    ++taken_;
    if (head_ == notes_.size()) {
        // Drained: the buffer stays for the next (a downlink that takes each notification as
        // it comes would otherwise allocate one per notification), unless a burst grew it.
        notes_.clear();
        if (notes_.capacity() > 64)
            std::vector<view_note>().swap(notes_);
        head_ = 0;
        keys_.clear();
    } else if (head_ >= 64 && head_ * 2 >= notes_.size()) {
        notes_.erase(notes_.begin(), notes_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
    return note;
}

bool pending_notes::merge(view_note& note)
{
    auto& n = note.note;
    if (n.what == type::set) {
        // A value downlink: the latest set replaces the one waiting last (on_event and
        // did_set then see only the latest value, as a slow client of the server does).
        auto& last = notes_.back().note;
        if (last.what != type::set || last.before_sync != n.before_sync)
            return false;
        if (!n.changed)
            return true;  // the echo of an older local write: the state did not change
        last.value = std::move(n.value);
        last.changed = !(last.value == last.old);
        return true;
    }
    if (n.what != type::update && n.what != type::remove)
        return false;
    auto it = keys_.find(n.key);
    if (it == keys_.end() || it->second < taken_ || it->second - taken_ >= size())
        return false;
    auto& waiting = notes_[head_ + static_cast<std::size_t>(it->second - taken_)].note;
    if ((waiting.what != type::update && waiting.what != type::remove) || !(waiting.key == n.key) ||
        waiting.before_sync != n.before_sync)
        return false;
    if (n.what == type::update) {
        waiting.what = type::update;  // (a remove then an update: changed)
        waiting.value = std::move(n.value);
        return true;
    }
    if (waiting.what == type::update && !waiting.old.is_empty()) {
        waiting.what = type::remove;  // changed, then removed
        waiting.value = recon::value();
        return true;
    }
    return false;  // added, then removed: both stay (the handlers saw neither)
}

void downlink_status::apply(view_note const& note) noexcept
{
    using type = downlink_notification::type;
    switch (note.note.what) {
        case type::linked: linked = true; break;
        case type::synced: synced = true; break;
        case type::unlinked:
        case type::failed:
            linked = false;
            synced = false;
            break;
        default: break;
    }
    if (note.terminal || note.note.what == type::failed)
        ended = true;
}

void snapshot(view_note& note, downlink_kind kind, downlink_model const& model)
{
    if (note.note.what != downlink_notification::type::synced)
        return;
    if (kind == downlink_kind::value) {
        note.note.value = model.value();
    } else if (kind == downlink_kind::map) {
        recon::record r;
        r.reserve(model.map().size());
        for (auto const& [k, v] : model.map())
            r.add_slot(k, v);
        note.note.value = recon::value(std::move(r));
    }
}

}  // namespace swim::warp
