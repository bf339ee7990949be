// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/writer.hpp>
#include <swim/server/http_lane.hpp>
#include <swim/server/lanes.hpp>

#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <new>

#include "server_impl.hpp"

namespace swim::server::detail {

// ---- lanes ------------------------------------------------------------------------------------

// A lane's links: one block, a header and the links after it.
struct alignas(std::shared_ptr<server_uplink>) uplink_list::block {
    std::uint32_t size = 0;
    std::uint32_t capacity = 0;

    std::shared_ptr<server_uplink>* items() noexcept
    {
        return reinterpret_cast<std::shared_ptr<server_uplink>*>(this + 1);
    }
    static block* make(std::uint32_t capacity)
    {
        static_assert(alignof(block) >= alignof(std::shared_ptr<server_uplink>));
        void* mem = ::operator new(
            sizeof(block) + capacity * sizeof(std::shared_ptr<server_uplink>));
        auto* b = new (mem) block;
        b->capacity = capacity;
        return b;
    }
    static void destroy(block* b) noexcept
    {
        std::destroy_n(b->items(), b->size);
        b->~block();
        ::operator delete(b);
    }
};

uplink_list::~uplink_list()
{
    clear();
}

std::size_t uplink_list::size() const noexcept
{
    return block_ ? block_->size : 0;
}

std::shared_ptr<server_uplink> const* uplink_list::begin() const noexcept
{
    return block_ ? block_->items() : nullptr;
}

void uplink_list::push(std::shared_ptr<server_uplink> up)
{
    if (!block_ || block_->size == block_->capacity) {
        std::uint32_t const n = size();
        block* bigger = block::make(n == 0 ? 1 : 2 * n);
        if (block_) {
            std::uninitialized_move_n(block_->items(), n, bigger->items());
            bigger->size = n;
            block::destroy(block_);
        }
        block_ = bigger;
    }
    up->slot = block_->size;
    new (block_->items() + block_->size) std::shared_ptr<server_uplink>(std::move(up));
    ++block_->size;
}

void uplink_list::remove(std::uint32_t slot) noexcept
{
    auto* items = block_->items();
    std::uint32_t const last = block_->size - 1;
    if (slot != last) {
        items[slot] = std::move(items[last]);
        items[slot]->slot = slot;
    }
    std::destroy_at(items + last);
    if (--block_->size == 0)
        clear();  // (an agent whose clients left holds no block)
}

void uplink_list::clear() noexcept
{
    if (block_)
        block::destroy(std::exchange(block_, nullptr));
}

lane_base::lane_base(agent& owner, std::string name, lane_kind kind)
    : ctx_(&owner.context())
    , kind_(kind)
{
    runtime().add_lane(*this, std::move(name));
}

std::string const& lane_base::name() const noexcept
{
    return runtime().lane_name(index_);
}

lane_base::~lane_base()
{
    runtime().remove_lane(*this);
}

std::size_t lane_base::uplink_count() const noexcept
{
    return uplinks_.size();
}

namespace {

/// Calls `f(up)` for each uplink of `ups` that is served (not ending).
template <class F>
void each_uplink(uplink_list const& ups, F&& f)
{
    for (auto const& up : ups)
        if (!up->ending)
            f(*up);
}

/** Writes an event to every served uplink of `ups`. To one, `one(queue, up)` has the queue
 * encode its frame; to more, the frame `shared()` gives is encoded once and `each(queue, up,
 * frame)` queues it for each (the queues keep a reference).
 */
template <class One, class Shared, class Each>
void fan_out(uplink_list const& ups, One&& one, Shared&& shared, Each&& each)
{
    std::size_t const n = ups.size();
    if (n == 0)
        return;
    if (n == 1) {
        each_uplink(ups, [&](server_uplink& up) {
            up.port->write([&](warp::uplink_queue& q) { one(q, up); });
        });
        return;
    }
    warp::out_frame const frame = shared();
    each_uplink(ups, [&](server_uplink& up) {
        up.port->write([&](warp::uplink_queue& q) { each(q, up, frame); });
    });
}

}  // namespace

void lane_base::broadcast_value(recon::value const& v)
{
    changed_ = true;
    auto& rt = runtime();
    rt.touch();
    rt.count_event();
    if (persisted() && rt.writes_through())
        rt.write_value(*this, v);
    if (rt.holding()) {
        if (!uplinks_.empty())
            rt.hold(*this, held_event::value, v);
        return;
    }
    send_value(v);
}

void lane_base::send_value(recon::value const& v)
{
    fan_out(
        uplinks_,
        [&](warp::uplink_queue& q, server_uplink& up) { q.value_event(up, v); },
        [&] { return warp::shared_event_frame(runtime().node(), name(), v); },
        [](warp::uplink_queue& q, server_uplink& up, warp::out_frame const& f) {
            q.value_event(up, f);
        });
}

void lane_base::broadcast_map(warp::map_event const& e)
{
    changed_ = true;
    auto& rt = runtime();
    rt.touch();
    rt.count_event();
    if (persisted() && rt.writes_through())
        rt.write_map(*this, e);
    if (rt.holding()) {
        if (!uplinks_.empty())
            rt.hold(*this, e);
        return;
    }
    send_map(e);
}

void lane_base::send_map(warp::map_event const& e)
{
    fan_out(
        uplinks_,
        [&](warp::uplink_queue& q, server_uplink& up) { q.map_event(up, e); },
        [&] { return warp::shared_event_frame(runtime().node(), name(), e); },
        [&](warp::uplink_queue& q, server_uplink& up, warp::out_frame const& f) {
            q.map_event(up, e, f);
        });
}

void lane_base::broadcast_event(recon::value const& v)
{
    auto& rt = runtime();
    rt.touch();
    rt.count_event();
    if (rt.holding()) {
        // (After the changes made before it are written.)
        if (!uplinks_.empty())
            rt.hold(*this, held_event::event, v);
        return;
    }
    send_event(v);
}

void lane_base::send_event(recon::value const& v)
{
    fan_out(
        uplinks_,
        [&](warp::uplink_queue& q, server_uplink& up) { q.event(up, v); },
        [&] { return warp::shared_event_frame(runtime().node(), name(), v); },
        [](warp::uplink_queue& q, server_uplink& up, warp::out_frame const& f) { q.event(up, f); });
}

void require_writable(recon::value const& v, std::string const& lane)
{
    if (!recon::is_writable(v))
        throw boost::system::system_error(
            recon::error::non_finite_float,
            "lane " + lane + ": a NaN or an infinity has no Recon form");
}

void lane_base::bad_command(std::string_view why) const
{
    runtime().log(
        client::log_level::warning,
        "a command to lane " + name() + " was not applied: " + std::string(why));
}

std::optional<recon::value> sync_entries(
    warp::map_state const& entries,
    sync_sink& out,
    recon::value const* after,
    std::size_t max)
{
    auto it = after ? entries.upper_bound(*after) : entries.begin();
    for (std::size_t n = 0; it != entries.end(); ++it, ++n) {
        if (n == max)
            return std::prev(it)->first;
        out.map_update(it->first, it->second);
    }
    return std::nullopt;
}

recon::value save_entries(warp::map_state& entries)
{
    recon::record r;
    while (!entries.empty()) {
        auto node = entries.extract(entries.begin());
        r.add_slot(std::move(node.key()), std::move(node.mapped()));
    }
    return recon::value(std::move(r));
}

bool restore_entries(warp::map_state& entries, recon::value state)
{
    if (!state.is_record())
        return false;
    for (auto& it : state.as_record().items())
        if (it.is_slot())
            entries.insert_or_assign(std::move(it.key), std::move(it.val));
    return true;
}

}  // namespace swim::server::detail

namespace swim::server {

std::string_view http_request::header(std::string_view name) const noexcept
{
    for (auto const& [n, v] : headers)
        if (n.size() == name.size() &&
            std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            }))
            return v;
    return {};
}

}  // namespace swim::server

namespace swim::server::detail {

std::string http_lane_base::allowed() const
{
    std::string out;
    for (auto [method, h] :
         {std::pair{"GET, HEAD", &get_},
          std::pair{"POST", &post_},
          std::pair{"PUT", &put_},
          std::pair{"DELETE", &delete_}}) {
        if (!*h)
            continue;
        if (!out.empty())
            out += ", ";
        out += method;
    }
    return out;
}

void lane_base::changed() noexcept
{
    changed_ = true;
    runtime().touch();
}

void lane_base::changed(recon::value const& now)
{
    changed();
    if (persisted() && runtime().writes_through())
        runtime().write_value(*this, now);
}

void lane_base::changed_entry(recon::value const& key, recon::value const* now)
{
    changed();
    if (persisted() && runtime().writes_through())
        runtime().write_map(
            *this,
            now ? warp::map_event::update(key, *now) : warp::map_event::remove(key));
}

void lane_base::changed_link(recon::value const& key, recon::value const* spec)
{
    if (keeps_links() && runtime().writes_through())
        runtime().write_link(*this, key, spec);
}

void lane_base::changed_cleared()
{
    changed();
    if (persisted() && runtime().writes_through())
        runtime().write_map(*this, warp::map_event::clear());
}

bool lane_base::wants_before() const noexcept
{
    return persisted() && runtime().writes_through() && !runtime().keeps_before(*this);
}

void lane_base::keep_before(recon::value before)
{
    runtime().keep_before(*this, std::move(before));
}

bool lane_base::sendable(recon::value const& v, std::string_view what) const
{
    if (recon::is_writable(v))
        return true;
    bad_compute(what, "it gave a NaN or an infinity, which has no Recon form");
    return false;
}

void lane_base::bad_compute(std::string_view what, std::string_view why) const
{
    runtime().log(
        client::log_level::error,
        "lane " + name() + ": " + std::string(what) +
            " failed, nothing was sent: " + std::string(why));
}

void lane_base::bad_restore(std::string_view why) const
{
    runtime().log(
        client::log_level::error,
        "lane " + name() + ": its kept state was not restored: " + std::string(why));
}

}  // namespace swim::server::detail
