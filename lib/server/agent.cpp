// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/writer.hpp>
#include <swim/server/agent.hpp>
#include <swim/server/lanes.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cstdint>

#include "server_impl.hpp"

namespace swim::server {

namespace asio = boost::asio;
using boost::system::error_code;

agent::~agent() = default;

// ---- agent_context --------------------------------------------------------------------------

std::string const& agent_context::node_uri() const noexcept
{
    return rt_->node();
}

std::string_view agent_context::param(std::string_view name) const noexcept
{
    return rt_->param(name);
}

std::map<std::string, std::string, std::less<>> const& agent_context::params() const noexcept
{
    return rt_->params();
}

asio::any_io_executor agent_context::get_executor() const noexcept
{
    return rt_->strand();
}

void agent_context::log(client::log_level level, std::string_view what) const
{
    rt_->log(level, what);
}

void agent_context::stop()
{
    asio::post(rt_->strand(), [rt = rt_->shared_from_this()] { rt->request_stop(); });
}

namespace detail {

// ---- the agent runtime ----------------------------------------------------------------------

std::int64_t lane_catalog::find(std::string_view name) const noexcept
{
    auto it = std::lower_bound(names.begin(), names.end(), name);
    if (it == names.end() || *it != name)
        return -1;
    return it - names.begin();
}

agent_runtime::agent_runtime(server_impl& srv, route_entry const& route, std::string node)
    : route_(&route)
    , strand_(&srv.agent_strand(node))
    , node_(std::move(node))
    , ctx_(*this)
{}

agent_runtime::~agent_runtime()
{
    drop_instance();
}

namespace {

/// Calls `f(name, value)` for each parameter of `route` in `node` (the node matched it):
/// stops early when `f` returns true.
template <class F>
void each_param(route_entry const& route, std::string_view node, F&& f)
{
    if (!node.empty() && node.front() == '/')
        node.remove_prefix(1);
    for (auto const& seg : route.segments) {
        auto const end = std::min(node.find('/'), node.size());
        if (seg.size() > 1 && seg.front() == ':' &&
            f(std::string_view(seg).substr(1), node.substr(0, end)))
            return;
        node.remove_prefix(std::min(end + 1, node.size()));
    }
}

}  // namespace

agent_runtime::params_type const& agent_runtime::params() const
{
    auto& params = more().params;
    if (!params) {
        params = std::make_unique<params_type>();
        each_param(*route_, node_, [&](std::string_view name, std::string_view value) {
            params->emplace(std::string(name), std::string(value));
            return false;
        });
    }
    return *params;
}

agent_runtime::extras& agent_runtime::more() const
{
    if (!more_)
        more_ = std::make_unique<extras>();
    return *more_;
}

void agent_runtime::trim() noexcept
{
    if (more_ && !more_->params && more_->building.empty() && more_->lanes.empty() &&
        more_->names.empty() && more_->downlinks.empty() && more_->ending.empty() &&
        !more_->writes && more_->parked.empty() && more_->failure.empty())
        more_.reset();
}

std::string const& agent_runtime::failure() const noexcept
{
    static std::string const none;
    return more_ ? more_->failure : none;
}

std::string_view agent_runtime::param(std::string_view name) const noexcept
{
    // Straight from the node URI: no map is made for the common case.
    std::string_view found;
    each_param(*route_, node_, [&](std::string_view n, std::string_view value) {
        if (n != name)
            return false;
        found = value;
        return true;
    });
    return found;
}

void agent_runtime::log(client::log_level level, std::string_view what) const
{
    std::string line = "agent ";
    line += node_;
    line += ": ";
    line += what;
    server().log(level, line);
}

namespace {

std::uintptr_t address(void const* p) noexcept
{
    return reinterpret_cast<std::uintptr_t>(p);
}

}  // namespace

bool agent_runtime::construct()
{
    bool const first = !catalog_;
    if (first) {
        // Most agents of a route have the lanes of its first: their names are that agent's
        // catalog, looked up as the lanes register (no name is kept per agent).
        if (auto shared = route_->catalog()) {
            catalog_ = std::move(shared);
            trying_ = true;
        }
    }
    // The lanes that register find their places here (by catalog index).
    std::vector<lane_base*> found(catalog_ ? catalog_->names.size() : 0, nullptr);
    found_ = &found;
    try {
        instance_ = route_->make(ctx_);
        if (!instance_)
            more().failure = "the agent factory made no agent";
    } catch (std::exception const& e) {
        more().failure = std::string("the agent could not be made: ") + e.what();
    } catch (...) {
        more().failure = "the agent could not be made: its constructor threw";
    }
    trying_ = false;
    if (!failure().empty()) {
        instance_.reset();
        found_ = nullptr;
        if (first)
            catalog_.reset();
        more().building.clear();
        return false;
    }
    found_ = nullptr;
    if (!first || (catalog_ && (!more_ || more_->building.empty()) &&
                   std::find(found.begin(), found.end(), nullptr) == found.end())) {
        // A new instance of a dormant agent, or the route's lanes: all found their places.
        if (more_)
            more_->building.clear();
        place_lanes(std::move(found));
        trim();
        return true;
    }
    // Lanes of its own: their names make its catalog. The first registered of a name serves.
    std::vector<std::pair<std::string, lane_base*>> named;
    for (auto* lane : found)
        if (lane)
            named.emplace_back(lane->name(), lane);
    for (auto* lane : more().building)
        named.emplace_back(lane->name(), lane);
    more().building.clear();
    std::stable_sort(named.begin(), named.end(), [](auto const& a, auto const& b) {
        return a.first < b.first;
    });
    auto names = std::make_shared<lane_catalog>();
    found.clear();
    bool twice = false;
    for (auto& [name, lane] : named) {
        if (!names->names.empty() && names->names.back() == name) {
            log(client::log_level::error, "two lanes are named " + name + "; the first serves");
            twice = true;
            continue;
        }
        names->names.push_back(std::move(name));
        names->offsets.push_back(address(lane) - address(instance_.get()));
        names->kinds.push_back(lane->kind());
        found.push_back(lane);
    }
    catalog_ = std::move(names);
    for (std::uint32_t i = 0; i < found.size(); ++i)
        found[i]->index_ = i;
    if (!twice)
        more().names.clear();  // (a lane named twice keeps its name there)
    place_lanes(std::move(found));
    trim();
    return true;
}

void agent_runtime::place_lanes(std::vector<lane_base*> found)
{
    // Where the catalog says (members of an agent of the route's type): no list is kept.
    auto const& offsets = catalog_->offsets;
    bool at_offsets = found.size() == offsets.size();
    for (std::size_t i = 0; at_offsets && i < found.size(); ++i)
        at_offsets = found[i] && address(found[i]) - address(instance_.get()) == offsets[i];
    at_offsets_ = at_offsets;
    if (at_offsets)
        return;
    found.shrink_to_fit();
    more().lanes = std::move(found);
}

lane_base* agent_runtime::lane_at(std::uint32_t index) const noexcept
{
    if (at_offsets_)
        return index < catalog_->offsets.size()
                   ? reinterpret_cast<lane_base*>(
                         address(instance_.get()) + catalog_->offsets[index])
                   : nullptr;
    if (more_ && index < more_->lanes.size())
        return more_->lanes[index];
    return nullptr;
}

void agent_runtime::drop_instance() noexcept
{
    // The lanes unregister as the instance goes: none is served from here.
    at_offsets_ = false;
    if (more_)
        std::vector<lane_base*>().swap(more_->lanes);
    instance_.reset();
}

void agent_runtime::share_catalog()
{
    // (Never swapped for an equal one made meanwhile: the lanes may hold their names.)
    route_->offer_catalog(catalog_);
}

namespace {
/// lane_base::index_ of a lane whose name the agent keeps in its own list.
constexpr std::uint32_t unlisted = 0x80000000u;
}  // namespace

std::string const& agent_runtime::lane_name(std::uint32_t index) const noexcept
{
    if (index & unlisted)
        return more_->names[index & ~unlisted];
    return catalog_->names[index];
}

void agent_runtime::add_lane(lane_base& lane, std::string name)
{
    if (catalog_) {
        auto const index = catalog_->find(name);
        if (index >= 0 && found_ && (*found_)[static_cast<std::size_t>(index)] == nullptr &&
            catalog_->kinds[static_cast<std::size_t>(index)] == lane.kind()) {
            (*found_)[static_cast<std::size_t>(index)] = &lane;
            lane.index_ = static_cast<std::uint32_t>(index);
            return;
        }
        if (!trying_)
            log(client::log_level::error,
                "lane " + name +
                    " is not served: lanes are fixed when the agent is first made (declare them as "
                    "members), and their names are unique");
    }
    auto& x = more();
    lane.index_ = unlisted | static_cast<std::uint32_t>(x.names.size());
    x.names.push_back(std::move(name));
    if (!catalog_ || trying_)
        x.building.push_back(&lane);
}

void agent_runtime::remove_lane(lane_base& lane) noexcept
{
    if (more_)
        std::erase(more_->building, &lane);
    forget_held(lane);
    if (lane.index_ & unlisted)
        return;
    if (found_) {
        // (The constructor threw: its lanes go.)
        if (lane.index_ < found_->size() && (*found_)[lane.index_] == &lane)
            (*found_)[lane.index_] = nullptr;
        return;
    }
    if (lane_at(lane.index_) != &lane)
        return;
    // A lane gone while its agent lives is no longer served: the others are listed.
    if (at_offsets_) {
        std::vector<lane_base*> listed(catalog_->offsets.size());
        for (std::uint32_t i = 0; i < listed.size(); ++i)
            listed[i] = lane_at(i);
        at_offsets_ = false;
        more().lanes = std::move(listed);
    }
    more_->lanes[lane.index_] = nullptr;
}

void agent_runtime::add_downlink(std::weak_ptr<agent_downlink> dl)
{
    std::erase_if(more().downlinks, [](auto const& w) { return w.expired(); });
    more().downlinks.push_back(std::move(dl));
}

void agent_runtime::start()
{
    if (phase_ != phase::made)
        return;
    phase_ = phase::live;
    // What the store holds of it, before on_start (no handler runs for it).
    load_state();
    run_outer([this] { instance_->on_start(); });
}

bool agent_runtime::ensure_live(std::string* why)
{
    if (phase_ == phase::live || phase_ == phase::made) {
        if (phase_ == phase::made)
            start();
        return true;
    }
    if (phase_ != phase::dormant) {
        if (why)
            *why = "agent stopped";
        return false;
    }
    // Started again: a new instance, the kept state, on_start; counted live again first.
    if (!server().agent_woke(*this)) {
        if (why)
            *why = "too many agents";
        return false;
    }
    if (!construct()) {
        // Not kept as a failure: the next request tries again.
        auto const failure = std::move(more_->failure);
        more_->failure.clear();
        trim();
        log(client::log_level::error, failure);
        server().agent_dormant(*this, true);
        if (why)
            *why = failure;
        return false;
    }
    trim();
    phase_ = phase::made;
    start();
    return true;
}

void agent_runtime::refuse(server_uplink& up, recon::value const& reason)
{
    up.port->write([&](warp::uplink_queue& q) { q.unlinked(up, reason); });
}

namespace {

// Writes (a chunk of) a lane's state as @event frames of one uplink, handed to the
// connection at once by flush().
class session_sync_sink final : public sync_sink {
public:
    explicit session_sync_sink(server_uplink& up)
        : up_(up)
    {}
    void value(recon::value const& v) override
    {
        scratch_.clear();
        warp::write_envelope(warp::envelope_kind::event, up_.node(), up_.lane(), v, scratch_);
        frames_.push_back(warp::out_frame::of(std::move(scratch_)));
    }
    void map_update(recon::value const& key, recon::value const& v) override
    {
        // Sync frames are never coalesced: written as plain events, straight from the
        // entry (no body record is built).
        scratch_.clear();
        warp::write_map_update_envelope(up_.node(), up_.lane(), key, v, scratch_);
        frames_.push_back(warp::out_frame::of(std::move(scratch_)));
    }
    /// What is gathered.
    std::vector<warp::out_frame> take() { return std::move(frames_); }

private:
    server_uplink& up_;
    std::vector<warp::out_frame> frames_;
    std::string scratch_;
};

recon::value tag_value(char const* tag)
{
    recon::record r;
    r.add_attr(tag, recon::value(recon::extant));
    return recon::value(std::move(r));
}

}  // namespace

void agent_runtime::open(std::shared_ptr<server_uplink> up, bool sync, warp::link_params params)
{
    pending_.fetch_sub(1, std::memory_order_relaxed);
    touch();
    if (phase_ == phase::stopping) {
        more().parked.push_back(
            [self = shared_from_this(), up = std::move(up), sync, params]() mutable {
                self->routed();
                self->open(std::move(up), sync, params);
            });
        return;
    }
    if (up->ending)
        return;  // the agent ended it; its @unlinked follows when the connection forgets it
    if (std::string why; !ensure_live(&why)) {
        refuse(*up, recon::value(std::move(why)));
        up->port->end_link(up);
        return;
    }
    lane_base* lane = lane_at(up->lane_index);
    if (!lane) {
        refuse(*up, tag_value("laneNotFound"));
        up->port->end_link(up);
        return;
    }
    if (!up->in_lane) {
        up->in_lane = true;
        lane->links().push(up);
        link_added();
    }
    // A second link of a linked lane is answered @linked again, as Java does.
    up->port->write([&](warp::uplink_queue& q) { q.linked(*up, params); });
    if (sync)
        sync_step(std::move(up), std::nullopt);
}

void agent_runtime::take_out(server_uplink& up)
{
    if (!up.in_lane)
        return;
    up.in_lane = false;
    link_removed();
    lane_base* lane = lane_at(up.lane_index);
    if (!lane)
        return;
    auto& list = lane->links();
    if (up.slot < list.size() && list.begin()[up.slot].get() == &up)
        list.remove(up.slot);
}

void agent_runtime::unlink(std::shared_ptr<server_uplink> const& up)
{
    touch();
    if (phase_ == phase::stopping) {
        // After the requests parked before it (a link it cancels may be among them).
        more().parked.push_back([self = shared_from_this(), up] { self->unlink(up); });
        return;
    }
    if (!up->in_lane && !up->ending)
        return;  // refused or never served: answered already
    take_out(*up);
    if (more_) {
        std::erase(more_->ending, up);
        trim();
    }
    up->ending = false;
    up->port->write([&](warp::uplink_queue& q) { q.unlinked(*up); });
    forget_if_done();
}

void agent_runtime::ended(std::shared_ptr<server_uplink> const& up)
{
    // The connection forgot it: now it goes, with @unlinked.
    unlink(up);
}

void agent_runtime::drop(std::vector<std::shared_ptr<server_uplink>> const& ups)
{
    if (phase_ == phase::stopping) {
        more().parked.push_back([self = shared_from_this(), ups] { self->drop(ups); });
        return;
    }
    for (auto const& up : ups) {
        take_out(*up);
        if (up->ending && more_)
            std::erase(more_->ending, up);
        up->ending = false;
    }
    trim();
    forget_if_done();
}

void agent_runtime::command(std::uint32_t index, recon::value body)
{
    pending_.fetch_sub(1, std::memory_order_relaxed);
    touch();
    if (phase_ == phase::stopping) {
        more().parked.push_back(
            [self = shared_from_this(), index, body = std::move(body)]() mutable {
                self->routed();
                self->command(index, std::move(body));
            });
        return;
    }
    count_command();
    // A server that stops still takes commands (the sets its agents' downlinks had queued
    // are flushed then).
    if (!(phase_ == phase::stopped && instance_) && !ensure_live())
        return;
    lane_base* lane = lane_at(index);
    if (!lane) {
        log(client::log_level::debug, "a command was dropped: its lane is not served");
        return;
    }
    try {
        lane->on_remote_command(std::move(body));
    } catch (std::exception const& e) {
        // (A user conversion that makes a NaN, say: the lane refused it.)
        log(client::log_level::warning,
            "a command to lane " + lane->name() + " was not applied: " + e.what());
    }
}

void agent_runtime::http(
    std::uint32_t index,
    std::shared_ptr<http_request const> req,
    std::function<void(http_response)> done)
{
    pending_.fetch_sub(1, std::memory_order_relaxed);
    touch();
    if (phase_ == phase::stopping) {
        more().parked.push_back([self = shared_from_this(), index, req, done]() mutable {
            self->routed();
            self->http(index, std::move(req), std::move(done));
        });
        return;
    }
    if (std::string why; !ensure_live(&why)) {
        done(http_response::with_status(503, recon::value(std::move(why))));
        return;
    }
    auto answer = [self = shared_from_this(), index, req, done] {
        auto* lane = dynamic_cast<http_lane_base*>(self->lane_at(index));
        if (!lane) {
            done(http_response::with_status(404, recon::value("The HTTP lane is gone.")));
            return;
        }
        auto const* handler = lane->handler_for(req->method);
        if (!handler) {
            auto r = http_response::with_status(
                405,
                recon::value("The HTTP lane takes " + lane->allowed() + "."));
            r.headers.emplace_back("Allow", lane->allowed());
            done(std::move(r));
            return;
        }
        try {
            done((*handler)(*req));
        } catch (std::exception const& e) {
            self->log(
                client::log_level::error,
                "HTTP lane " + lane->name() + ": the handler threw: " + e.what());
            done(http_response::with_status(500, recon::value("The handler failed.")));
        }
    };
    // One at a time with the agent's other handlers.
    if (idle())
        run_outer(answer);
    else
        enqueue(std::function<void()>(answer));
}

// A sync writes sync_chunk entries, then lets the rest of the strand's work run (the
// connection's writer sends them meanwhile, even with one I/O thread) and goes on from the
// next key. The uplink is linked already: a change made in between reaches it as an event
// after the entries written so far, and the entries written later are read when they are
// written, so the client ends with the lane's state.
void agent_runtime::sync_step(std::shared_ptr<server_uplink> up, std::optional<recon::value> after)
{
    lane_base* lane = lane_at(up->lane_index);
    if (!lane || !up->in_lane || up->ending || phase_ != phase::live || up->port->closed())
        return;  // unlinked meanwhile
    session_sync_sink sink(*up);
    auto next = lane->sync_state(sink, after ? &*after : nullptr, sync_chunk);
    // (Held, when the agent's changes are being written, until they are.)
    send_sync(up, sink.take(), !next);
    if (!next)
        return;
    // The next chunk once the connection has written most of what waits.
    auto port = up->port;
    port->when_drained([self = shared_from_this(),
                        up = std::move(up),
                        next = std::move(next)]() mutable {
        asio::post(self->strand(), [self, up = std::move(up), next = std::move(next)]() mutable {
            self->sync_step(std::move(up), std::move(next));
        });
    });
}

void agent_runtime::idle_check(std::uint32_t activity)
{
    if (phase_ != phase::live || link_count() != 0 || pending() != 0 ||
        this->activity() != activity || !idle())
        return;
    if (more_)
        for (auto const& weak : more_->downlinks)
            if (auto dl = weak.lock(); dl && !downlink_stopped(*dl)) {
                touch();  // its own downlinks keep it
                return;
            }
    log(client::log_level::debug, "stopping: idle for agent_idle_timeout");
    begin_stop();
}

void agent_runtime::request_stop()
{
    if (phase_ != phase::live)
        return;
    begin_stop();
}

void agent_runtime::begin_stop()
{
    run_outer([this] { instance_->on_stop(); });
    if (more_) {
        for (auto& weak : more_->downlinks)
            if (auto dl = weak.lock())
                downlink_stop(*dl);
        more_->downlinks.clear();
    }
    // Every link ends: the connections forget them, then each gets @unlinked (ended()).
    for (std::uint32_t i = 0; i < lane_count(); ++i) {
        auto* lane = lane_at(i);
        if (!lane || !lane->uplink_count())
            continue;
        for (auto const& up : lane->links()) {
            up->in_lane = false;
            up->ending = true;
            link_removed();
            up->port->end_link(up);
            more().ending.push_back(up);
        }
        lane->links().clear();
    }
    // (Stopping from here: the handler queue's drain, or the last write's end, finishes the
    // stop once it is idle.)
    phase_ = phase::stopping;
    if (can_finish_stop())
        finish_stop();
}

void agent_runtime::finish_stop()
{
    if (phase_ != phase::stopping)
        return;
    // The instance goes; what its lanes hold stays in the store (a durable one has it).
    if (!writes_through())
        save_to_store();
    drop_instance();
    handlers_.reset();
    phase_ = phase::dormant;
    if (more_)
        more_->params.reset();
    trim();
    if (more_ && !more_->parked.empty()) {
        // Requests came meanwhile: it starts again at once (still counted live).
        run_parked();
        return;
    }
    server().agent_dormant(*this, keeps_state());
}

bool agent_runtime::keeps_state() const noexcept
{
    return kept_ || (more_ && (!more_->ending.empty() || !more_->parked.empty()));
}

void agent_runtime::forget_if_done()
{
    // A dormant agent whose last ended link just went: nothing left to keep.
    if (phase_ == phase::dormant && !keeps_state())
        server().agent_dormant(*this, false);
}

void agent_runtime::run_parked()
{
    if (!more_)
        return;
    auto parked = std::move(more_->parked);
    more_->parked.clear();
    trim();
    for (auto& f : parked)
        f();
}

void agent_runtime::stop_downlinks()
{
    if (phase_ == phase::stopped)
        return;
    if (instance_ && phase_ == phase::live)
        run_outer([this] { instance_->on_stop(); });
    phase_ = phase::stopped;
    if (more_) {
        for (auto& weak : more_->downlinks)
            if (auto dl = weak.lock())
                downlink_stop(*dl);
        more_->downlinks.clear();
    }
    run_parked();
}

void agent_runtime::unlink_all()
{
    for (std::uint32_t i = 0; i < lane_count(); ++i) {
        auto* lane = lane_at(i);
        if (!lane || !lane->uplink_count())
            continue;
        for (auto const& up : lane->links()) {
            up->in_lane = false;
            link_removed();
            up->port->write([&](warp::uplink_queue& q) { q.unlinked(*up); });
        }
        lane->links().clear();
    }
    if (!more_)
        return;
    for (auto const& up : more_->ending) {
        up->ending = false;
        up->port->write([&](warp::uplink_queue& q) { q.unlinked(*up); });
    }
    more().ending.clear();
}

}  // namespace detail
}  // namespace swim::server
