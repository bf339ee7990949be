// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// The server side of one client connection: its reader's decisions (warp::server_session,
// through the directory below) and its queue of frames.

#include <boost/asio/post.hpp>

#include "server_impl.hpp"

namespace swim::server::detail {

server_uplink::server_uplink(
    std::shared_ptr<uplink_port> p,
    std::shared_ptr<agent_runtime> const& a,
    std::uint32_t lane)
    : lane_index(lane)
    , port(std::move(p))
    , agent(a)
{}

std::string_view server_uplink::node() const noexcept
{
    return agent->node();
}

std::string_view server_uplink::lane() const noexcept
{
    return agent->catalog()->names[lane_index];
}

uplink_port::uplink_port(server_impl& srv, std::uint64_t id, bool local)
    : srv_(&srv)
    , id_(id)
    , local_(local)
    , reader_(warp::server_session_options{
          srv.config().max_value_memory,
          local ? 0 : srv.config().max_links_per_connection,
          !local})
    , queue_(warp::uplink_queue_options{srv.config().coalesce_after_bytes})
{}

uplink_port::~uplink_port() = default;

warp::envelope_error uplink_port::read(std::string_view frame)
{
    return reader_.on_frame(frame, *this);
}

bool uplink_port::take_output(std::vector<warp::out_frame>& out)
{
    std::lock_guard lock(mutex_);
    if (!queue_.has_output()) {
        // Cleared under the lock: a write after this sees the flag down and notifies.
        pending_ = false;
        return false;
    }
    std::size_t const before = queue_.queued_bytes();
    queue_.take_output(out);
    inflight_ += before - queue_.queued_bytes();
    count_queued();
    return true;
}

void uplink_port::written()
{
    std::vector<std::function<void()>> ready;
    {
        std::lock_guard lock(mutex_);
        inflight_ = 0;
        count_queued();
        if (!drained_.empty() && queue_.queued_bytes() <= sync_window)
            ready.swap(drained_);
    }
    for (auto& f : ready)
        f();
}

void uplink_port::when_drained(std::function<void()> f)
{
    {
        std::lock_guard lock(mutex_);
        if (closed_ || overflowed_)
            return;
        if (queue_.queued_bytes() + inflight_ > sync_window) {
            drained_.push_back(std::move(f));
            return;
        }
    }
    f();
}

bool uplink_port::shed()
{
    std::size_t bytes = 0;
    std::vector<warp::out_frame> dropped;  // freed after the lock
    {
        std::lock_guard lock(mutex_);
        if (closed_ || overflowed_)
            return false;
        bytes = queue_.queued_bytes();
        drop_output(dropped);
    }
    overflow(
        bytes,
        "furthest behind when the server's output budget was spent, max_total_queued_bytes");
    return true;
}

void uplink_port::end_link(std::shared_ptr<server_uplink> up)
{
    post_reader([self = shared_from_this(), up = std::move(up)] {
        if (self->closed())
            return;  // close() handed every link back already
        if (auto link = self->reader_.end(*up)) {
            auto rt = up->agent;
            asio::post(rt->strand(), [rt, up] { rt->ended(up); });
        }
    });
}

void uplink_port::close()
{
    std::vector<warp::out_frame> dropped;  // freed after the lock
    std::vector<std::function<void()>> waiting;
    {
        std::lock_guard lock(mutex_);
        if (closed_)
            return;
        closed_ = true;
        waiting.swap(drained_);
        // What still waits is never written: off the server's budget.
        queue_.drop_keys();  // (the uplinks may go without unlinked() from now on)
        queue_.take_output(dropped);
        inflight_ = 0;
        uncount();
    }
    // The agents let the links go, each agent's in one turn of its strand.
    auto links = reader_.take_links();
    std::sort(links.begin(), links.end(), [](auto const& a, auto const& b) {
        return static_cast<server_uplink&>(*a).agent < static_cast<server_uplink&>(*b).agent;
    });
    for (std::size_t i = 0; i < links.size();) {
        auto rt = static_cast<server_uplink&>(*links[i]).agent;
        std::vector<std::shared_ptr<server_uplink>> mine;
        for (; i < links.size() && static_cast<server_uplink&>(*links[i]).agent == rt; ++i)
            mine.push_back(std::static_pointer_cast<server_uplink>(std::move(links[i])));
        asio::post(rt->strand(), [rt, mine = std::move(mine)] { rt->drop(mine); });
    }
}

bool uplink_port::closed() const
{
    std::lock_guard lock(mutex_);
    return closed_;
}

// ---- the directory of the reader's session ---------------------------------------------------

warp::auth_answer uplink_port::authenticate(recon::value const& credentials)
{
    return srv_->authenticate(credentials);
}

bool uplink_port::allow(warp::uplink_request const& r, std::optional<recon::value> const& identity)
{
    return srv_->allow(r, identity);
}

warp::open_result uplink_port::open(warp::uplink_request& r)
{
    lane_route route = srv_->route_lane(r.node, r.lane);
    if (route.what != warp::route_result::ok)
        return {route.what, nullptr, std::move(route.reason)};
    auto up = std::make_shared<server_uplink>(shared_from_this(), route.agent, route.lane);
    bool const sync = r.what == warp::uplink_request::type::sync;
    asio::post(route.agent->strand(), [rt = route.agent, up, sync, params = r.params] {
        rt->open(up, sync, params);
    });
    return {warp::route_result::ok, std::move(up), {}};
}

bool uplink_port::reopen(warp::uplink_request& r, std::shared_ptr<warp::uplink> const& link)
{
    auto up = std::static_pointer_cast<server_uplink>(link);
    if (!srv_->route_to(*up->agent))
        return false;
    bool const sync = r.what == warp::uplink_request::type::sync;
    asio::post(up->agent->strand(), [rt = up->agent, up, sync, params = r.params] {
        rt->open(up, sync, params);
    });
    return true;
}

void uplink_port::unlink(std::shared_ptr<warp::uplink> link)
{
    auto up = std::static_pointer_cast<server_uplink>(std::move(link));
    auto rt = up->agent;
    asio::post(rt->strand(), [rt, up = std::move(up)] { rt->unlink(up); });
}

warp::route_result uplink_port::command(warp::uplink_request& r)
{
    // The lane the connection is linked to needs no lookup.
    std::shared_ptr<agent_runtime> rt;
    std::uint32_t lane = 0;
    if (auto link = reader_.find(r.node, r.lane);
        link && srv_->route_to(*static_cast<server_uplink&>(*link).agent)) {
        auto& up = static_cast<server_uplink&>(*link);
        rt = up.agent;
        lane = up.lane_index;
    } else {
        lane_route route = srv_->route_lane(r.node, r.lane);
        if (route.what != warp::route_result::ok)
            return route.what;
        rt = std::move(route.agent);
        lane = route.lane;
    }
    asio::post(rt->strand(), [rt, lane, body = std::move(r.body)]() mutable {
        rt->command(lane, std::move(body));
    });
    return warp::route_result::ok;
}

void uplink_port::reply(std::string frame)
{
    write([&](warp::uplink_queue& q) { q.push_frame(std::move(frame)); });
}

void uplink_port::close_connection(std::uint16_t code, std::string_view reason)
{
    srv_->log(
        client::log_level::info,
        "connection " + std::to_string(id_) + ": @auth forbidden, closing (" +
            std::to_string(code) + ")");
    close_after_output(code, std::string(reason));
}

void uplink_port::note(std::string_view what)
{
    srv_->log(
        client::log_level::debug,
        "connection " + std::to_string(id_) + ": " + std::string(what));
}

}  // namespace swim::server::detail
