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
    auto it = rt_->params().find(name);
    return it == rt_->params().end() ? std::string_view() : std::string_view(it->second);
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

namespace detail {

// ---- the handler queue ----------------------------------------------------------------------

bool agent_idle(agent_runtime& rt) noexcept
{
    return rt.idle();
}

void agent_run_now(agent_runtime& rt, std::function<void()> const& f)
{
    rt.run_outer(f);
}

void agent_enter(agent_runtime& rt) noexcept
{
    rt.enter();
}

void agent_leave(agent_runtime& rt)
{
    rt.leave();
}

void agent_enqueue(agent_runtime& rt, std::function<void()> f)
{
    rt.enqueue(std::move(f));
}

void agent_enqueue_coro(agent_runtime& rt, std::function<asio::awaitable<void>()> f)
{
    rt.enqueue(std::move(f));
}

void agent_runtime::run_now(std::function<void()> const& f)
{
    try {
        f();
    } catch (std::exception const& e) {
        log(client::log_level::error, std::string("a handler threw: ") + e.what());
    }
}

// A handler run at once on an idle agent: handlers it triggers wait until it returns.
void agent_runtime::run_outer(std::function<void()> const& f)
{
    draining_ = true;
    run_now(f);
    draining_ = false;
    drain();
}

void agent_runtime::enqueue(std::function<void()> f)
{
    queue_.emplace_back(std::move(f));
    drain();
}

void agent_runtime::enqueue(std::function<asio::awaitable<void>()> f)
{
    queue_.emplace_back(std::move(f));
    drain();
}

// Runs what is queued, in order, until a coroutine handler suspends; that handler's
// completion drains the rest. Never re-entered: a handler that triggers another queues it.
void agent_runtime::drain()
{
    if (draining_ || busy_)
        return;
    draining_ = true;
    while (!busy_ && !queue_.empty()) {
        auto item = std::move(queue_.front());
        queue_.pop_front();
        if (auto* plain = std::get_if<std::function<void()>>(&item)) {
            run_now(*plain);
            continue;
        }
        busy_ = true;
        server_->task_started();
        auto self = shared_from_this();
        asio::co_spawn(
            strand_,
            [self, f = std::move(std::get<1>(item))]() -> asio::awaitable<void> {
                try {
                    co_await f();
                } catch (std::exception const& e) {
                    self->log(
                        client::log_level::error,
                        std::string("a handler threw: ") + e.what());
                }
            },
            [self](std::exception_ptr) {
                self->busy_ = false;
                self->drain();
                self->server_->task_done();
            });
    }
    draining_ = false;
}

// ---- lanes ------------------------------------------------------------------------------------

struct lane_base::uplinks {
    std::vector<std::shared_ptr<uplink_port>> ports;

    bool contains(uplink_port const* p) const noexcept
    {
        return std::any_of(ports.begin(), ports.end(), [p](auto const& q) { return q.get() == p; });
    }
    bool remove(uplink_port const* p)
    {
        auto it = std::find_if(ports.begin(), ports.end(), [p](auto const& q) {
            return q.get() == p;
        });
        if (it == ports.end())
            return false;
        *it = std::move(ports.back());
        ports.pop_back();
        return true;
    }
};

lane_base::lane_base(agent& owner, std::string name, lane_kind kind)
    : ctx_(&owner.context())
    , name_(std::move(name))
    , kind_(kind)
    , uplinks_(std::make_unique<uplinks>())
{
    runtime().add_lane(*this);
}

lane_base::~lane_base()
{
    runtime().remove_lane(*this);
}

std::size_t lane_base::uplink_count() const noexcept
{
    return uplinks_->ports.size();
}

// A broadcast to more than one uplink encodes its frame once and shares it (the sessions
// queue a reference); to one uplink, the session encodes it into a frame of its own.

void lane_base::broadcast_value(recon::value const& v)
{
    auto const& node = runtime().node();
    auto const& ports = uplinks_->ports;
    if (ports.size() == 1) {
        ports.front()->write([&](warp::server_session& s) { s.value_event(node, name_, v); });
        return;
    }
    if (ports.empty())
        return;
    auto frame = warp::shared_event_frame(node, name_, v);
    for (auto const& p : ports)
        p->write([&](warp::server_session& s) { s.value_event(node, name_, frame); });
}

void lane_base::broadcast_map(warp::map_event const& e)
{
    auto const& node = runtime().node();
    auto const& ports = uplinks_->ports;
    if (ports.size() == 1) {
        ports.front()->write([&](warp::server_session& s) { s.map_event(node, name_, e); });
        return;
    }
    if (ports.empty())
        return;
    auto frame = warp::shared_event_frame(node, name_, warp::to_value(e));
    for (auto const& p : ports)
        p->write([&](warp::server_session& s) { s.map_event(node, name_, e, frame); });
}

void lane_base::broadcast_event(recon::value const& v)
{
    auto const& node = runtime().node();
    auto const& ports = uplinks_->ports;
    if (ports.size() == 1) {
        ports.front()->write([&](warp::server_session& s) { s.event(node, name_, v); });
        return;
    }
    if (ports.empty())
        return;
    auto frame = warp::shared_event_frame(node, name_, v);
    for (auto const& p : ports)
        p->write([&](warp::server_session& s) { s.event(node, name_, frame); });
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
        "a command to lane " + name_ + " was not applied: " + std::string(why));
}

// ---- the agent runtime ----------------------------------------------------------------------

agent_runtime::agent_runtime(server_impl& srv, std::string node, params_type params)
    : server_(&srv)
    , strand_(asio::make_strand(srv.executor()))
    , node_(std::move(node))
    , params_(std::move(params))
    , ctx_(*this)
{}

agent_runtime::~agent_runtime()
{
    // The agent's lanes unregister themselves while lanes_ is still alive.
    instance_.reset();
}

void agent_runtime::log(client::log_level level, std::string_view what) const
{
    std::string line = "agent ";
    line += node_;
    line += ": ";
    line += what;
    server_->log(level, line);
}

void agent_runtime::add_lane(lane_base& lane)
{
    if (!lanes_.emplace(lane.name(), &lane).second)
        log(client::log_level::error, "two lanes are named " + lane.name() + "; the first serves");
}

void agent_runtime::remove_lane(lane_base& lane) noexcept
{
    auto it = lanes_.find(lane.name());
    if (it != lanes_.end() && it->second == &lane)
        lanes_.erase(it);
}

void agent_runtime::add_downlink(std::weak_ptr<agent_downlink> dl)
{
    downlinks_.push_back(std::move(dl));
}

void agent_runtime::start(agent_factory const& make)
{
    started_ = true;
    try {
        instance_ = make(ctx_);
        if (!instance_)
            failure_ = "the agent factory made no agent";
    } catch (std::exception const& e) {
        failure_ = std::string("the agent could not be made: ") + e.what();
    }
    if (!failure_.empty()) {
        log(client::log_level::error, failure_);
        return;
    }
    run_outer([this] { instance_->on_start(); });
}

namespace {

// Writes (a chunk of) a lane's state as @event frames of one uplink, handed to the
// connection at once by flush().
class session_sync_sink final : public sync_sink {
public:
    session_sync_sink(uplink_port& port, std::string const& node, std::string const& lane)
        : port_(port)
        , node_(node)
        , lane_(lane)
    {}
    void value(recon::value const& v) override
    {
        std::string frame;
        warp::write_envelope(warp::envelope_kind::event, node_, lane_, v, frame);
        add(std::move(frame));
    }
    void map_update(recon::value const& key, recon::value const& v) override
    {
        // Sync frames are never coalesced: written as plain events, straight from the
        // entry (no body record is built).
        std::string frame;
        warp::write_map_update_envelope(node_, lane_, key, v, frame);
        add(std::move(frame));
    }
    /// Hands what is gathered to the connection.
    void flush()
    {
        if (frames_.empty())
            return;
        port_.write([&](warp::server_session& s) {
            for (auto& f : frames_)
                s.event(node_, lane_, warp::out_frame(std::move(f)));
        });
        frames_.clear();
    }

private:
    void add(std::string frame) { frames_.push_back(std::move(frame)); }

    uplink_port& port_;
    std::string const& node_;
    std::string const& lane_;
    std::vector<std::string> frames_;
};

recon::value tag_value(char const* tag)
{
    recon::record r;
    r.add_attr(tag, recon::value(recon::extant));
    return recon::value(std::move(r));
}

}  // namespace

void agent_runtime::handle(std::shared_ptr<uplink_port> const& port, warp::uplink_request req)
{
    using type = warp::uplink_request::type;
    bool opens = req.what == type::link || req.what == type::sync;
    if (!failure_.empty() || (stopped_ && opens)) {
        // A stopping agent still takes commands and unlinks (sets flushed at shutdown).
        if (opens)
            port->write([&](warp::server_session& s) {
                s.unlinked(node_, req.lane, recon::value(stopped_ ? "agent stopped" : failure_));
            });
        return;
    }
    auto it = lanes_.find(req.lane);
    lane_base* lane = it == lanes_.end() ? nullptr : it->second;
    switch (req.what) {
        case type::link:
        case type::sync: {
            if (!lane) {
                port->write([&](warp::server_session& s) {
                    s.unlinked(node_, req.lane, tag_value("laneNotFound"));
                });
                return;
            }
            auto& ups = lane->links();
            bool already = ups.contains(port.get());
            if (!already) {
                auto limit = server_->config().max_links_per_connection;
                if (port->local() || limit == 0)
                    limit = SIZE_MAX;
                if (!port->reserve_link(limit)) {
                    port->write([&](warp::server_session& s) {
                        s.unlinked(node_, req.lane, tag_value("tooManyLinks"));
                    });
                    log(client::log_level::debug,
                        "link to " + req.lane + " refused: connection " +
                            std::to_string(port->id()) + " holds " + std::to_string(limit) +
                            " links (max_links_per_connection)");
                    return;
                }
                if (!port->add_agent(shared_from_this())) {
                    port->release_link();
                    return;  // the connection is gone
                }
            }
            if (!already) {
                port->write(
                    [&](warp::server_session& s) { s.linked(node_, lane->name(), req.params); });
                ups.ports.push_back(port);
            }
            if (req.what == type::sync)
                sync_step(port, lane->name(), std::nullopt);
            return;
        }
        case type::unlink:
            if (lane && lane->links().remove(port.get())) {
                port->release_link();
                port->write([&](warp::server_session& s) { s.unlinked(node_, lane->name()); });
            }
            return;
        case type::command:
            if (!lane) {
                log(client::log_level::debug,
                    "a command to lane " + req.lane + " was dropped: no such lane");
                return;
            }
            try {
                lane->on_remote_command(std::move(req.body));
            } catch (std::exception const& e) {
                // (A user conversion that makes a NaN, say: the lane refused it.)
                log(client::log_level::warning,
                    "a command to lane " + req.lane + " was not applied: " + e.what());
            }
            return;
        default: return;
    }
}

// A sync writes sync_chunk entries, then lets the rest of the strand's work run (the
// connection's writer sends them meanwhile, even with one I/O thread) and goes on from the
// next key. The uplink is linked already: a change made in between reaches it as an event
// after the entries written so far, and the entries written later are read when they are
// written, so the client ends with the lane's state.
void agent_runtime::sync_step(
    std::shared_ptr<uplink_port> port,
    std::string lane_name,
    std::optional<recon::value> after)
{
    auto it = lanes_.find(lane_name);
    if (it == lanes_.end() || stopped_ || !it->second->links().contains(port.get()) ||
        port->closed())
        return;  // unlinked meanwhile
    lane_base& lane = *it->second;
    session_sync_sink sink(*port, node_, lane.name());
    auto next = lane.sync_state(sink, after ? &*after : nullptr, sync_chunk);
    sink.flush();
    if (!next) {
        port->write([&](warp::server_session& s) { s.synced(node_, lane.name()); });
        return;
    }
    asio::post(
        strand_,
        [self = shared_from_this(),
         port = std::move(port),
         lane_name = std::move(lane_name),
         next = std::move(next)]() mutable {
            self->sync_step(std::move(port), std::move(lane_name), std::move(next));
        });
}

void agent_runtime::drop_port(uplink_port const* port)
{
    for (auto& [name, lane] : lanes_)
        lane->links().remove(port);
}

void agent_runtime::stop_downlinks()
{
    if (stopped_)
        return;
    if (instance_)
        run_outer([this] { instance_->on_stop(); });
    stopped_ = true;
    for (auto& weak : downlinks_)
        if (auto dl = weak.lock())
            downlink_stop(*dl);
    downlinks_.clear();
}

void agent_runtime::unlink_all()
{
    for (auto& [name, lane] : lanes_) {
        for (auto const& p : lane->links().ports)
            p->write([&](warp::server_session& s) { s.unlinked(node_, name); });
        lane->links().ports.clear();
    }
}

}  // namespace detail
}  // namespace swim::server
