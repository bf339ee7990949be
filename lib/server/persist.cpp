// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// An agent and the server's store: its state read back before on_start, its changes written
// through to a durable store (what the lanes send waits for them), or its state written to a
// store in memory when it stops.

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <array>

#include "server_impl.hpp"
#include "store_format.hpp"
#include "store_writer.hpp"

namespace swim::server::detail {

namespace format = store_format;

namespace {

store_write put(std::string key, recon::value const& v)
{
    store_write w;
    w.key = std::move(key);
    recon::write(v, w.value);
    return w;
}

store_write erase(std::string key, store_write::op what = store_write::op::erase)
{
    store_write w;
    w.what = what;
    w.key = std::move(key);
    return w;
}

/// The key of the entry (entry_tag) or link (link_tag) at `key` of lane `lane`.
std::string item_key(
    std::string_view node,
    std::string_view lane,
    recon::value const& key,
    char tag = format::entry_tag)
{
    std::string k = format::lane_key(node, lane, tag);
    recon::write(key, k);
    return k;
}

}  // namespace

bool agent_runtime::writes_through() const noexcept
{
    return server().writer() != nullptr;
}

agent_runtime::write_state& agent_runtime::writes()
{
    auto& x = more();
    if (!x.writes)
        x.writes = std::make_unique<write_state>();
    return *x.writes;
}

void agent_runtime::write_value(lane_base& lane, recon::value const& v)
{
    queue_write(put(format::lane_key(node_, lane.name(), format::value_tag), v));
}

void agent_runtime::write_link(lane_base& lane, recon::value const& key, recon::value const* spec)
{
    auto k = item_key(node_, lane.name(), key, format::link_tag);
    queue_write(spec ? put(std::move(k), *spec) : erase(std::move(k)));
}

void agent_runtime::queue_write(store_write change)
{
    if (loading_)
        return;  // (a link read back opens again: it is in the store already)
    auto& w = writes();
    bool const was_holding = w.holding();
    w.open.push_back(std::move(change));
    kept_ = true;
    if (!was_holding)
        server().task_started();  // (the server's stop waits for the write)
    if (!w.posted && w.in_flight == 0) {
        // The changes made until this runs go in the same batch.
        w.posted = true;
        asio::post(*strand_, [self = shared_from_this()] { self->submit_writes(); });
    }
}

void agent_runtime::write_map(lane_base& lane, warp::map_event const& e)
{
    using op = warp::map_event::op;
    store_write change;
    switch (e.kind) {
        case op::update: change = put(item_key(node_, lane.name(), e.key), e.value); break;
        case op::remove: change = erase(item_key(node_, lane.name(), e.key)); break;
        case op::clear:
            change = erase(
                format::lane_key(node_, lane.name(), format::entry_tag),
                store_write::op::erase_prefix);
            break;
        case op::take:
        case op::drop: return;  // (never broadcast: a lane removes entries one by one)
    }
    queue_write(std::move(change));
}

bool agent_runtime::keeps_before(lane_base const& lane) const noexcept
{
    if (!more_ || !more_->writes)
        return false;
    auto const& b = more_->writes->open_before;
    return std::any_of(b.begin(), b.end(), [&](auto const& p) { return p.first == &lane; });
}

void agent_runtime::keep_before(lane_base& lane, recon::value before)
{
    writes().open_before.emplace_back(&lane, std::move(before));
}

void agent_runtime::hold(lane_base& lane, held_event kind, recon::value const& v)
{
    auto& w = writes();
    w.waiting.push_back({w.batch_now(), &lane, std::pair{kind, v}});
}

void agent_runtime::hold(lane_base& lane, warp::map_event const& e)
{
    auto& w = writes();
    w.waiting.push_back({w.batch_now(), &lane, e});
}

void agent_runtime::send_sync(
    std::shared_ptr<server_uplink> const& up,
    std::vector<warp::out_frame> frames,
    bool last)
{
    if (holding()) {
        auto& w = writes();
        w.waiting.push_back(
            {w.batch_now(), nullptr, write_state::held_sync{up, std::move(frames), last}});
        return;
    }
    up->port->write([&](warp::uplink_queue& q) {
        for (auto& f : frames)
            q.event(*up, std::move(f));
        if (last)
            q.synced(*up);
    });
}

void agent_runtime::submit_writes()
{
    auto& w = writes();
    w.posted = false;
    if (w.in_flight != 0 || w.open.empty())
        return;
    w.in_flight = w.written + 1;
    w.flight_before = std::move(w.open_before);
    w.open_before.clear();
    auto batch = std::move(w.open);
    w.open.clear();
    server().writer()->submit(
        std::move(batch),
        [self = shared_from_this()](boost::system::error_code ec) {
            asio::post(self->strand(), [self, ec] { self->writes_done(ec); });
        });
}

void agent_runtime::writes_done(boost::system::error_code ec)
{
    auto& w = writes();
    if (!ec) {
        w.written = std::exchange(w.in_flight, 0);
        w.flight_before.clear();
        release_held();
    } else {
        w.in_flight = 0;
        undo_writes();
    }
    if (!w.open.empty()) {
        submit_writes();
        return;
    }
    // Nothing on its way: all that was held is sent.
    release_held();
    more_->writes.reset();
    trim();
    server().task_done();
    if (phase_ == phase::stopping && can_finish_stop())
        finish_stop();
}

void agent_runtime::release_held()
{
    auto& w = *more_->writes;
    std::uint64_t const upto = w.holding() ? w.written : ~std::uint64_t(0);
    while (!w.waiting.empty() && w.waiting.front().batch <= upto) {
        auto item = std::move(w.waiting.front());
        w.waiting.pop_front();
        if (auto* e = std::get_if<std::pair<held_event, recon::value>>(&item.what)) {
            if (!item.lane)
                continue;
            if (e->first == held_event::value)
                item.lane->send_value(e->second);
            else
                item.lane->send_event(e->second);
        } else if (auto* m = std::get_if<warp::map_event>(&item.what)) {
            if (item.lane)
                item.lane->send_map(*m);
        } else {
            auto& sync = std::get<write_state::held_sync>(item.what);
            if (!sync.up->in_lane || sync.up->ending)
                continue;
            sync.up->port->write([&](warp::uplink_queue& q) {
                for (auto& f : sync.frames)
                    q.event(*sync.up, std::move(f));
                if (sync.last)
                    q.synced(*sync.up);
            });
        }
    }
}

void agent_runtime::undo_writes()
{
    auto& w = *more_->writes;
    std::size_t const changes = w.open.size();
    w.open.clear();
    // The values as they were before the first change not written (the batch in flight's
    // first, then the open batch's for the lanes it alone changed).
    std::vector<lane_base*> undone;
    std::string names;
    auto put_back = [&](std::vector<std::pair<lane_base*, recon::value>>& before) {
        for (auto& [lane, v] : before) {
            if (!lane || std::find(undone.begin(), undone.end(), lane) != undone.end())
                continue;
            undone.push_back(lane);
            lane->restore_state(std::move(v));
        }
        before.clear();
    };
    put_back(w.flight_before);
    put_back(w.open_before);
    // The maps: read back from the store.
    for (std::uint32_t i = 0; i < lane_count(); ++i)
        if (auto* lane = lane_at(i); lane && lane->persisted() && lane->keyed())
            lane->clear_state();
    load_state();
    // Nothing held is sent; the syncs that waited start again.
    std::vector<std::shared_ptr<server_uplink>> resync;
    for (auto& item : w.waiting) {
        if (auto* sync = std::get_if<write_state::held_sync>(&item.what))
            if (std::find(resync.begin(), resync.end(), sync->up) == resync.end())
                resync.push_back(sync->up);
        if (item.lane && std::find(undone.begin(), undone.end(), item.lane) == undone.end() &&
            item.lane->persisted())
            undone.push_back(item.lane);
    }
    w.waiting.clear();
    for (auto* lane : undone) {
        if (!names.empty())
            names += ", ";
        names += lane->name();
    }
    server().write_failed(*this, changes, names);
    for (auto& up : resync)
        asio::post(*strand_, [self = shared_from_this(), up] {
            self->sync_step(up, std::nullopt);
        });
}

void agent_runtime::forget_held(lane_base& lane) noexcept
{
    if (!more_ || !more_->writes)
        return;
    auto& w = *more_->writes;
    for (auto& item : w.waiting)
        if (item.lane == &lane)
            item.lane = nullptr;
    for (auto* before : {&w.flight_before, &w.open_before})
        for (auto& p : *before)
            if (p.first == &lane)
                p.first = nullptr;
}

void agent_runtime::load_state()
{
    auto const prefix = format::agent_prefix(node_);
    loading_ = true;
    lane_base* lane = nullptr;
    std::string_view lane_name;
    auto const ec = server().state_store().scan(
        prefix,
        [&](std::string_view key, std::string_view text) {
            auto k = format::split_key(key);
            if (!k || k->node != node_)
                return;
            if (!lane || k->lane != lane_name) {
                lane_name = {};
                lane = nullptr;
                auto const index = catalog_ ? catalog_->find(k->lane) : -1;
                if (index < 0)
                    return;  // (a lane the agent no longer has)
                lane = lane_at(static_cast<std::uint32_t>(index));
                if (!lane || (!lane->persisted() && !lane->keeps_links()))
                    return;
                lane_name = lane->name();
            }
            recon::parse_error err;
            recon::value v = recon::parse(text, err);
            if (err) {
                lane->bad_restore("its stored value is not Recon: " + err.message());
                return;
            }
            kept_ = true;
            try {
                if (k->tag == format::value_tag) {
                    lane->restore(std::move(v));
                } else if (k->tag == format::entry_tag) {
                    recon::value entry = recon::parse(k->rest, err);
                    if (err) {
                        lane->bad_restore("a stored key is not Recon: " + err.message());
                        return;
                    }
                    lane->changed_ = true;
                    lane->restore_entry(std::move(entry), std::move(v));
                } else if (k->tag == format::link_tag) {
                    recon::value link = recon::parse(k->rest, err);
                    if (err) {
                        lane->bad_restore("a stored link key is not Recon: " + err.message());
                        return;
                    }
                    lane->restore_link(std::move(link), std::move(v));
                }
            } catch (std::exception const& e) {
                lane->bad_restore(e.what());
            }
        });
    loading_ = false;
    if (ec) {
        log(client::log_level::error,
            "its state could not be read from the store: " + ec.message());
        return;
    }
    // A store in memory keeps it only while the agent is stopped (the lanes hold it now).
    if (kept_ && !writes_through())
        server().state_store().write(
            std::array{erase(prefix, store_write::op::erase_prefix)},
            false);
}

void agent_runtime::save_to_store()
{
    std::vector<store_write> batch;
    for (std::uint32_t i = 0; i < lane_count(); ++i) {
        auto* lane = lane_at(i);
        if (lane && lane->keeps_links())
            for (auto const& [key, spec] : lane->link_specs()) {
                batch.push_back(put(item_key(node_, lane->name(), key, format::link_tag), spec));
            }
        if (!lane || !lane->persisted() || !lane->changed_)
            continue;
        auto const& name = lane->name();
        try {
            auto state = lane->save();
            if (!state)
                continue;
            if (!lane->keyed()) {
                batch.push_back(put(format::lane_key(node_, name, format::value_tag), *state));
                continue;
            }
            if (!state->is_record())
                continue;  // (a map's state is a record of its entries)
            batch.push_back(erase(
                format::lane_key(node_, name, format::entry_tag),
                store_write::op::erase_prefix));
            for (auto const& item : state->as_record().items())
                if (item.is_slot())
                    batch.push_back(put(item_key(node_, name, item.key), item.val));
        } catch (std::exception const& e) {
            log(client::log_level::error,
                "lane " + name + ": its state could not be kept: " + e.what());
        }
    }
    if (batch.empty())
        return;
    kept_ = true;
    if (auto ec = server().state_store().write(batch, false))
        log(client::log_level::error, "its state could not be kept: " + ec.message());
}

}  // namespace swim::server::detail
