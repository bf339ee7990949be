// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/downlink_model.hpp>

#include <algorithm>
#include <iterator>

#include "map_update_reader.hpp"

namespace swim::warp {

std::string_view to_string(downlink_kind k) noexcept
{
    switch (k) {
        case downlink_kind::value: return "value";
        case downlink_kind::map: return "map";
        case downlink_kind::event: return "event";
    }
    return "unknown";
}

std::string_view to_string(link_status s) noexcept
{
    switch (s) {
        case link_status::unlinked: return "unlinked";
        case link_status::linking: return "linking";
        case link_status::linked: return "linked";
        case link_status::synced: return "synced";
    }
    return "unknown";
}

namespace {

using note = downlink_notification;
using note_type = downlink_notification::type;

note make(note_type t, bool before_sync)
{
    note n;
    n.what = t;
    n.before_sync = before_sync;
    return n;
}

// A notification made in place at the end of `out`.
note& add(downlink_model::notifications& out, note_type t, bool before_sync)
{
    note& n = out.emplace_back();
    n.what = t;
    n.before_sync = before_sync;
    return n;
}

// The reason of an @unlinked body: the tag of `@nodeNotFound`, a text, or the Recon text of
// anything else.
std::string unlink_reason(recon::value const& body)
{
    if (body.is_empty())
        return {};
    if (auto t = body.if_text())
        return *t;
    if (auto tag = body.tag(); !tag.empty() && body.as_record().size() == 1)
        return std::string(tag);
    boost::system::error_code ec;
    std::string s;
    recon::write(body, s, ec);
    return s;
}

}  // namespace

downlink_model::downlink_model(downlink_kind kind, bool sync) noexcept
    : kind_(kind)
    , sync_(sync && kind != downlink_kind::event)
{}

downlink_model::~downlink_model() = default;
downlink_model::downlink_model(downlink_model&&) noexcept = default;
downlink_model& downlink_model::operator=(downlink_model&&) noexcept = default;

downlink_model::map_parts& downlink_model::maps()
{
    if (!maps_)
        maps_ = std::make_unique<map_parts>();
    return *maps_;
}

map_state const& downlink_model::map() const noexcept
{
    static map_state const none;
    return maps_ ? maps_->map : none;
}

envelope_kind downlink_model::open(bool verifying) noexcept
{
    // Writes made until now go out before this request: the state it brings reflects them
    // (or the lane dropped them); the link they were sent on, if any, is gone.
    forget_writes();
    verifying_ = verifying && synced_once_;
    verify_now_ = false;
    if (synced_once_) {
        // A resync: assemble the lane's state aside and reconcile at @synced.
        if (maps_)
            maps_->incoming.clear();
        incoming_value_ = recon::value();
        got_event_ = false;
    } else {
        // Never synced: start from nothing (Rust discards state on relink too).
        value_ = recon::value();
        if (maps_)
            maps_->map.clear();
    }
    status_ = link_status::linking;
    return sync_ ? envelope_kind::sync : envelope_kind::link;
}

void downlink_model::on_linked(notifications& out)
{
    if (status_ == link_status::linked || status_ == link_status::synced)
        return;  // a second @linked changes nothing
    status_ = link_status::linked;
    if (!verifying_)
        out.push_back(make(note_type::linked, false));
}

void downlink_model::on_synced(notifications& out)
{
    if (status_ == link_status::unlinked || status_ == link_status::synced)
        return;  // stale, or an answer to a second @sync: nothing new
    if (synced_once_)
        reconcile(out);
    status_ = link_status::synced;
    synced_once_ = true;
    if (std::exchange(verifying_, false))
        return;  // a verification: the link never went down
    out.push_back(make(note_type::synced, false));
}

boost::system::error_code downlink_model::on_event(
    std::string_view body,
    notifications& out,
    recon::parse_options const& opts)
{
    if (kind_ == downlink_kind::map) {
        // The usual event of a map lane, without building its record.
        map_event e;
        if (detail::read_map_update(body, e, opts)) {
            apply_map(std::move(e), out);
            return {};
        }
    }
    recon::parse_error err;
    recon::value v = recon::parse(body, err, opts);
    if (err.code == recon::error::value_too_large)
        return err.code;
    if (err) {
        note n = make(note_type::failed, false);
        n.error = error::malformed_body;
        n.reason = "malformed event body: " + err.message();
        out.push_back(std::move(n));
        return error::malformed_body;
    }
    return on_event_value(std::move(v), out);
}

boost::system::error_code downlink_model::on_event_value(recon::value body, notifications& out)
{
    switch (kind_) {
        case downlink_kind::event: {
            // Event downlinks link without sync: events count once the link is up.
            note n = make(note_type::event, false);
            n.value = std::move(body);
            out.push_back(std::move(n));
            return {};
        }
        case downlink_kind::value: apply_value(std::move(body), true, out); return {};
        case downlink_kind::map: {
            map_event e;
            if (auto ec = to_map_event(std::move(body), e)) {
                note n = make(note_type::failed, false);
                n.error = ec;
                n.reason = "map downlink received an event that is not a map update";
                out.push_back(std::move(n));
                return ec;
            }
            apply_map(std::move(e), out);
            return {};
        }
    }
    return {};
}

void downlink_model::on_unlinked(recon::value const& body, notifications& out)
{
    status_ = link_status::unlinked;
    verifying_ = false;
    note n = make(note_type::unlinked, false);
    n.reason = unlink_reason(body);
    out.push_back(std::move(n));
}

void downlink_model::on_disconnected() noexcept
{
    status_ = link_status::unlinked;
    verifying_ = false;
}

// ---- convergence -----------------------------------------------------------------------------
//
// Every event from the lane is applied: the server is the truth, and every SwimOS server
// coalesces events (300 quick sets may come back as one) and drops commands it cannot apply,
// so echoes cannot be counted. One thing is held back: the echo of an older write of ours
// while the state still shows a newer one (set 1, set 2, then the echo of 1) changes nothing,
// so a fast writer's state does not flicker back. That is safe because such a link stays
// unsettled (a newer write of ours is still in flight) until an event shows the lane's state
// after it; a link still unsettled once quiet is verified by a resync.

downlink_model::write_log& downlink_model::writes()
{
    if (!writes_)
        writes_ = std::make_unique<write_log>();
    return *writes_;
}

bool downlink_model::unsettled() const noexcept
{
    return writes_ && (writes_->count > 0 || writes_->structural > 0 || writes_->forgot);
}

void downlink_model::track(recon::value const* key, recon::value const* v)
{
    auto& w = writes();
    if (w.count >= max_in_flight) {
        // Too many to follow: forget them (their echoes are applied as they come) and verify
        // once quiet.
        w.value.clear();
        w.keys.clear();
        w.count = 0;
        w.forgot = true;
    }
    in_flight_write e{v ? *v : recon::value(), v == nullptr};
    if (key)
        w.keys[*key].push_back(std::move(e));
    else
        w.value.push_back(std::move(e));
    ++w.count;
}

bool downlink_model::echo_of_older_write(recon::value const* key, recon::value const* v)
{
    if (!writes_ || writes_->count == 0)
        return false;
    write_list* list = &writes_->value;
    decltype(writes_->keys)::iterator at;
    if (key) {
        at = writes_->keys.find(*key);
        if (at == writes_->keys.end())
            return false;
        list = &at->second;
    }
    if (list->empty())
        return false;
    auto matches = [&](in_flight_write const& w) {
        return v ? !w.removed && w.value == *v : w.removed;
    };
    // The newest write of ours this event can be the echo of.
    auto hit = std::find_if(list->rbegin(), list->rend(), matches);
    bool suppress = false;
    if (hit == list->rend()) {
        // Someone else's write, or the lane before ours: applied; our writes still in flight
        // come back as events of their own (or were dropped, and the lane is this).
        writes_->count -= list->size();
        list->clear();
    } else {
        // The lane took our writes up to this one. Does the state still show our newest?
        auto const& newest = list->back();
        bool shows_newest = false;
        if (!key) {
            shows_newest = value_ == newest.value;
        } else {
            auto it = maps().map.find(*key);
            shows_newest = newest.removed ? it == maps().map.end()
                                          : it != maps().map.end() && it->second == newest.value;
        }
        auto done = static_cast<std::size_t>(std::distance(hit, list->rend()));
        writes_->count -= done;
        list->erase(list->begin(), list->begin() + static_cast<std::ptrdiff_t>(done));
        suppress = !list->empty() && shows_newest;
    }
    if (key && list->empty())
        writes_->keys.erase(at);
    return suppress;
}

void downlink_model::forget_writes() noexcept
{
    writes_.reset();
}

// ---- value -----------------------------------------------------------------------------------

void downlink_model::apply_value(recon::value v, bool remote, notifications& out)
{
    if (remote && resyncing()) {
        incoming_value_ = std::move(v);  // holds the incoming state until @synced
        got_event_ = true;
        return;
    }
    if (!remote && resyncing()) {
        incoming_value_ = v;
        got_event_ = true;
    }
    if (remote && echo_of_older_write(nullptr, &v)) {
        // The echo of one of our own sets that a newer set of ours has overtaken: the state
        // stays ours; on_event still sees it, did_set does not.
        note n = make(note_type::set, gated());
        n.changed = false;
        n.value = std::move(v);
        n.old = value_;
        out.push_back(std::move(n));
        return;
    }
    if (!remote)
        track(nullptr, &v);
    note n = make(note_type::set, remote && gated());
    n.changed = !(v == value_);
    n.old = std::move(value_);
    value_ = std::move(v);
    n.value = value_;
    out.push_back(std::move(n));
}

recon::value downlink_model::set(recon::value v, notifications& out)
{
    recon::value body = v;
    apply_value(std::move(v), false, out);
    return body;
}

// ---- map -------------------------------------------------------------------------------------

namespace {

void put_fast(map_state& m, recon::value key, recon::value v)
{
    auto at = position_of(m, key);
    if (holds(m, at, key))
        at->second = std::move(v);
    else
        m.emplace_hint(at, std::move(key), std::move(v));
}

}  // namespace

void downlink_model::put_entry(recon::value key, recon::value v, notifications& out)
{
    // `at` is where the key is or goes.
    auto at = position_of(maps().map, key);
    bool const found = holds(maps().map, at, key);
    if (found && at->second == v)
        return;  // an echo of what we hold
    note& n = add(out, note_type::update, gated());
    try {
        n.key = key;
        n.value = v;
        if (found)
            n.old = std::exchange(at->second, std::move(v));
        else
            maps().map.emplace_hint(at, std::move(key), std::move(v));
    } catch (...) {
        out.pop_back();  // no entry changed: no notification
        throw;
    }
}

void downlink_model::erase_entry(map_state::iterator it, notifications& out)
{
    note n = make(note_type::remove, gated());
    n.key = it->first;
    n.old = std::move(it->second);
    maps().map.erase(it);
    out.push_back(std::move(n));
}

void downlink_model::evict(std::uint64_t n, bool from_front, notifications& out)
{
    // take(n) keeps the first n keys; drop(n) removes them. Removals fire in key order.
    if (from_front) {
        while (n-- > 0 && !maps().map.empty())
            erase_entry(maps().map.begin(), out);
    } else {
        if (n >= maps().map.size())
            return;
        auto it = std::next(maps().map.begin(), static_cast<std::ptrdiff_t>(n));
        while (it != maps().map.end()) {
            auto next = std::next(it);
            erase_entry(it, out);
            it = next;
        }
    }
}

void downlink_model::apply_map(map_event e, notifications& out)
{
    // `@update(key:K)` with no value: the Java server's coalesced update of a key removed
    // after it was queued (its map uplinks read the value when they send it, also during a
    // sync). It is a removal. (A Rust lane of unit values writes its entries the same way;
    // the wire cannot tell them apart, and such entries read as absent.)
    if (e.kind == map_event::op::update && e.value.is_empty())
        e = map_event::remove(std::move(e.key));
    if (resyncing()) {
        // Assemble the incoming state aside; @synced reconciles.
        auto& m = maps().incoming;
        switch (e.kind) {
            case map_event::op::update: put_fast(m, std::move(e.key), std::move(e.value)); break;
            case map_event::op::remove: m.erase(e.key); break;
            case map_event::op::clear: m.clear(); break;
            case map_event::op::take:
                if (e.n < m.size())
                    m.erase(std::next(m.begin(), static_cast<std::ptrdiff_t>(e.n)), m.end());
                break;
            case map_event::op::drop:
                m.erase(
                    m.begin(),
                    std::next(
                        m.begin(),
                        static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(e.n, m.size()))));
                break;
        }
        return;
    }
    switch (e.kind) {
        case map_event::op::update:
        case map_event::op::remove:
            if (echo_of_older_write(&e.key, e.kind == map_event::op::update ? &e.value : nullptr))
                return;  // the echo of a write of ours that a newer one has overtaken
            break;
        case map_event::op::clear:
            // The lane is empty now, whatever our clears, takes and drops did before.
            if (writes_)
                writes_->structural = 0;
            break;
        case map_event::op::take:
        case map_event::op::drop:
            // Positional: exact only on the lane's own state. With writes of ours in flight
            // the result is uncertain: applied, then verified.
            if (unsettled())
                verify_now_ = true;
            break;
    }
    switch (e.kind) {
        case map_event::op::update: put_entry(std::move(e.key), std::move(e.value), out); break;
        case map_event::op::remove:
            if (auto it = maps().map.find(e.key); it != maps().map.end())
                erase_entry(it, out);
            break;
        case map_event::op::clear:
            maps().map.clear();
            out.push_back(make(note_type::clear, gated()));
            break;
        case map_event::op::take: evict(e.n, false, out); break;
        case map_event::op::drop: evict(e.n, true, out); break;
    }
}

recon::value downlink_model::update(recon::value key, recon::value v, notifications& out)
{
    track(&key, &v);
    map_event e = map_event::update(std::move(key), std::move(v));
    recon::value body = to_value(e);
    if (resyncing())
        maps().incoming.insert_or_assign(e.key, e.value);
    // Local writes always notify: they are the user's own, not pre-sync lane state.
    std::size_t first = out.size();
    put_entry(std::move(e.key), std::move(e.value), out);
    for (std::size_t i = first; i < out.size(); ++i)
        out[i].before_sync = false;
    return body;
}

recon::value downlink_model::remove(recon::value const& key, notifications& out)
{
    track(&key, nullptr);
    if (resyncing())
        maps().incoming.erase(key);
    if (auto it = maps().map.find(key); it != maps().map.end()) {
        erase_entry(it, out);
        out.back().before_sync = false;
    }
    return to_value(map_event::remove(key));
}

recon::value downlink_model::clear(notifications& out)
{
    ++writes().structural;
    if (resyncing())
        maps().incoming.clear();
    maps().map.clear();
    out.push_back(make(note_type::clear, false));
    return to_value(map_event::clear());
}

recon::value downlink_model::take(std::uint64_t n, notifications& out)
{
    ++writes().structural;
    std::size_t first = out.size();
    if (resyncing() && n < maps().incoming.size())
        maps().incoming.erase(
            std::next(maps().incoming.begin(), static_cast<std::ptrdiff_t>(n)),
            maps().incoming.end());
    evict(n, false, out);
    for (std::size_t i = first; i < out.size(); ++i)
        out[i].before_sync = false;
    return to_value(map_event::take(n));
}

recon::value downlink_model::drop(std::uint64_t n, notifications& out)
{
    ++writes().structural;
    std::size_t first = out.size();
    if (resyncing()) {
        auto k = std::min<std::uint64_t>(n, maps().incoming.size());
        maps().incoming.erase(
            maps().incoming.begin(),
            std::next(maps().incoming.begin(), static_cast<std::ptrdiff_t>(k)));
    }
    evict(n, true, out);
    for (std::size_t i = first; i < out.size(); ++i)
        out[i].before_sync = false;
    return to_value(map_event::drop(n));
}

// ---- sync ------------------------------------------------------------------------------------

void downlink_model::reconcile(notifications& out)
{
    if (kind_ == downlink_kind::value) {
        if (!got_event_)
            return;  // no state sent (a stateless lane): keep what we hold
        if (!(incoming_value_ == value_)) {
            note n = make(note_type::set, false);
            n.old = std::move(value_);
            value_ = std::move(incoming_value_);
            n.value = value_;
            out.push_back(std::move(n));
        }
        incoming_value_ = recon::value();
        return;
    }
    if (kind_ != downlink_kind::map)
        return;
    // Walk both ordered maps together: vanished keys are removed, new or changed ones
    // updated, equal ones left alone.
    auto& incoming = maps().incoming;
    auto a = maps().map.begin();
    auto b = incoming.begin();
    while (a != maps().map.end() || b != incoming.end()) {
        if (b == incoming.end() || (a != maps().map.end() && a->first < b->first)) {
            note n = make(note_type::remove, false);
            n.key = a->first;
            n.old = a->second;
            out.push_back(std::move(n));
            ++a;
        } else if (a == maps().map.end() || b->first < a->first) {
            note n = make(note_type::update, false);
            n.key = b->first;
            n.value = b->second;
            out.push_back(std::move(n));
            ++b;
        } else {
            if (!(a->second == b->second)) {
                note n = make(note_type::update, false);
                n.key = b->first;
                n.value = b->second;
                n.old = a->second;
                out.push_back(std::move(n));
            }
            ++a;
            ++b;
        }
    }
    maps().map.swap(incoming);
    incoming.clear();
}

void downlink_model::replay(notifications& out) const
{
    if (verifying_) {
        // Reopened only to verify: for the downlinks the link is up and synced, with the
        // state held.
        out.push_back(make(note_type::linked, false));
        out.push_back(make(note_type::synced, false));
        return;
    }
    if (status_ == link_status::linked || status_ == link_status::synced)
        out.push_back(make(note_type::linked, false));
    if (status_ == link_status::synced)
        out.push_back(make(note_type::synced, false));
}

}  // namespace swim::warp
