// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// Agent-side downlinks: the local host (links to agents of this server, without a socket)
// and the downlinks themselves, which drive the same host_session and downlink_model as the
// client's downlinks, and run their handlers on the agent's strand.

#include <swim/client/error.hpp>
#include <swim/recon/writer.hpp>
#include <swim/server/downlinks.hpp>

#include <swim/client/detail/note_runner.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <list>
#include <random>

#include "../client/client_impl.hpp"
#include "server_impl.hpp"

namespace swim::server::detail {

using boost::system::error_code;
using client::log_level;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

// ---- the local host ---------------------------------------------------------------------------

/// The server side of the local host: what the agents send its links.
class local_port final : public uplink_port {
public:
    local_port(server_impl& srv, std::weak_ptr<local_host> host)
        : uplink_port(srv, srv.next_port_id(), true)
        , host_(std::move(host))
    {}

private:
    void notify() override;
    void post_reader(std::function<void()> f) override;

    std::weak_ptr<local_host> host_;
};

/** Links from agents to agents of the same server: a host_session whose frames go straight
 * to the server's router (and back) instead of through a socket. Runs on its own strand.
 */
class local_host final
    : public client::detail::link_host
    , public std::enable_shared_from_this<local_host> {
public:
    explicit local_host(server_impl& srv)
        : srv_(&srv)
        , strand_(asio::make_strand(srv.executor()))
        , session_(warp::session_options{SIZE_MAX})
        , rng_(std::random_device{}())
    {
        session_.on_connected();
    }

    void init() { port_ = std::make_shared<local_port>(*srv_, weak_from_this()); }

    asio::any_io_executor get_executor() const noexcept override { return strand_; }
    warp::host_session& session() noexcept override { return session_; }
    bool closing() const noexcept { return closing_; }

    void attach(warp::view_id id, std::weak_ptr<client::detail::view_sink> sink) override
    {
        views_[id] = std::move(sink);
    }
    void detach(warp::view_id id) override { views_.erase(id); }
    void start() override {}

    void pump() override
    {
        if (!session_.notes().empty()) {
            auto notes = std::move(session_.notes());
            session_.notes().clear();
            for (auto& n : notes) {
                auto it = views_.find(n.view);
                if (it == views_.end())
                    continue;
                bool terminal = n.terminal;
                if (auto sink = it->second.lock())
                    sink->deliver(std::move(n));
                if (terminal)
                    views_.erase(n.view);
            }
        }
        if (!session_.requests().empty()) {
            auto requests = std::move(session_.requests());
            session_.requests().clear();
            for (auto& r : requests)
                if (r.what == warp::session_request::type::relink && !closing_)
                    relink_later(std::move(r.node), std::move(r.lane), r.attempt);
        }
        // What the downlinks send goes to the router at once.
        if (session_.has_output()) {
            out_.clear();
            session_.take_output(out_);
            for (auto const& f : out_) {
                if (auto err = port_->read(f))
                    srv_->log(log_level::error, "local link frame rejected: " + err.message());
                session_.on_written(f.size());
            }
        }
    }

    // Frames go to the router as soon as they are queued: there is always room.
    asio::awaitable<void> wait_for_room() override { co_return; }

    /// What the agents sent the local links.
    void drain()
    {
        while (port_->take_output(in_)) {
            for (auto const& f : in_)
                if (auto ec = session_.on_frame(f.view()))
                    srv_->log(log_level::warning, "local link frame not read: " + ec.message());
            in_.clear();
            port_->written();
            pump();
        }
    }

    void stop()
    {
        closing_ = true;
        for (auto& t : timers_)
            t.cancel();
        auto views = std::move(views_);
        views_.clear();
        for (auto& [id, weak] : views) {
            session_.close_view(id);
            if (auto sink = weak.lock())
                sink->end(client::error::client_closed, "the server stopped");
        }
        pump();
        srv_->port_closed(port_);
    }

private:
    void relink_later(std::string node, std::string lane, unsigned attempt)
    {
        auto delay = client::detail::backoff_delay(srv_->config().client.reconnect, attempt, rng_);
        auto it = timers_.emplace(timers_.end(), strand_, delay);
        srv_->task_started();
        asio::co_spawn(
            strand_,
            [self = shared_from_this(), it, node = std::move(node), lane = std::move(lane)]()
                -> asio::awaitable<void> {
                co_await it->async_wait(use_tuple);
                if (!self->closing_) {
                    self->session_.relink(node, lane);
                    self->pump();
                }
            },
            [self = shared_from_this(), it](std::exception_ptr) {
                self->timers_.erase(it);
                self->srv_->task_done();
            });
    }

    server_impl* srv_;
    strand_type strand_;
    warp::host_session session_;
    std::shared_ptr<local_port> port_;
    std::map<warp::view_id, std::weak_ptr<client::detail::view_sink>> views_;
    std::list<asio::steady_timer> timers_;
    std::vector<std::string> out_;
    std::vector<warp::out_frame> in_;
    client::detail::jitter_rng rng_;
    bool closing_ = false;
};

void local_port::notify()
{
    if (auto h = host_.lock())
        asio::post(h->get_executor(), [h] { h->drain(); });
}

void local_port::post_reader(std::function<void()> f)
{
    if (auto h = host_.lock())
        asio::post(h->get_executor(), std::move(f));
}

std::shared_ptr<local_host> make_local_host(server_impl& srv)
{
    auto h = std::make_shared<local_host>(srv);
    h->init();
    return h;
}

asio::awaitable<void> stop_local_host(std::shared_ptr<local_host> host)
{
    auto ex = host->get_executor();
    auto stopped = asio::co_spawn(
        ex,
        [host = std::move(host)]() -> asio::awaitable<void> {
            host->stop();
            co_return;
        },
        asio::use_awaitable);
    co_await std::move(stopped);
}

// ---- agent-side downlinks ---------------------------------------------------------------------

/** An agent's downlink: its link lives in a host's session (on the host's strand); its
 * handlers run on the agent, through the runner and the typed dispatch client downlinks use.
 */
class agent_downlink final
    : public client::detail::view_sink
    , public client::detail::handler_site
    , public std::enable_shared_from_this<agent_downlink> {
public:
    agent_downlink(
        std::shared_ptr<agent_runtime> rt,
        asio::any_io_executor host_ex,
        std::string node,
        std::string lane,
        warp::downlink_kind kind,
        simple_downlink_config const& cfg,
        std::shared_ptr<client::detail::note_dispatcher> dispatch)
        : rt_(rt)
        , srv_(&rt->server())
        , strand_(rt->strand())
        , agent_node_(rt->node())
        , host_ex_(std::move(host_ex))
        , node_(std::move(node))
        , lane_(std::move(lane))
        , kind_(kind)
        , cfg_(cfg)
    {
        runner_.set_limit(cfg.max_pending_events);
        runner_.set_dispatcher(std::move(dispatch));
        runner_.arm();  // the handlers were set before done()
    }

    std::string describe() const
    {
        return std::string(warp::to_string(kind_)) + " downlink to " +
               (remote_ ? *remote_ + " " : std::string()) + node_ + " " + lane_;
    }

    /// On the host's strand: opens the view.
    void open(std::optional<std::string> host_url)
    {
        remote_ = std::move(host_url);
        error_code ec;
        std::string why;
        if (remote_) {
            auto conn = srv_->remote().host(*remote_, ec, why);
            host_ = conn.get();
            keep_ = conn;
        } else if (srv_->local().closing()) {
            ec = error::stopped;
            why = "the server is stopping";
        } else {
            auto local = srv_->local().shared_from_this();
            host_ = local.get();
            keep_ = local;
        }
        if (!ec)
            ec = host_->session().open_view(node_, lane_, kind_, cfg_, id_);
        if (ec) {
            if (why.empty())
                why = ec.message();
            host_ = nullptr;
            fail_from_host(ec, why);
            return;
        }
        opened_ = true;
        host_->attach(id_, weak_from_this());
        host_->start();
        host_->pump();
    }

    // On the host's strand.
    void deliver(warp::view_note&& note) override
    {
        using type = warp::downlink_notification::type;
        auto& n = note.note;
        status_.apply(note);
        linked_ = status_.linked;
        if (n.what == type::synced) {
            // Handlers run later, on the agent: hand them the state as it is now.
            if (auto m = host_->session().model(id_))
                warp::snapshot(note, kind_, *m);
        } else if (n.what == type::failed || (n.what == type::unlinked && note.terminal)) {
            log(log_level::warning,
                describe() + (n.what == type::failed ? " failed: " : " unlinked: ") +
                    (n.reason.empty() ? std::string("no reason given") : n.reason));
        }
        if (note.terminal) {
            ended_ = true;
            opened_ = false;
        }
        if (runner_.push(std::move(note)) == warp::pending_notes::outcome::overrun)
            overrun();
    }

    void end(error_code, std::string) override
    {
        ended_ = true;
        opened_ = false;
        linked_ = false;
    }

    /// From the agent: queue a @command for the lane.
    error_code command(recon::value body)
    {
        if (user_stopped_ || ended_)
            return warp::error::closed;
        std::lock_guard lock(mutex_);
        if (outbox_.size() >= srv_->config().downlink_queue_limit)
            return warp::error::queue_full;
        outbox_.push_back(std::move(body));
        if (!flushing_) {
            flushing_ = true;
            asio::post(host_ex_, [self = shared_from_this()] { self->flush(); });
        }
        return {};
    }

    void stop()
    {
        if (user_stopped_.exchange(true))
            return;
        runner_.stop();
        linked_ = false;
        asio::post(host_ex_, [self = shared_from_this()] { self->close_when_flushed(); });
    }

    // On the host's strand: @unlink after the sets queued before.
    void close_when_flushed()
    {
        {
            std::lock_guard lock(mutex_);
            if (flushing_) {
                close_after_flush_ = true;
                return;
            }
        }
        close_view();
    }

    // ---- handler_site: the handlers run on the agent ------------------------------------

    // A value that does not convert (on the agent's strand): the downlink is stopped, and
    // the dispatch runs on_failed with the reason.
    std::string conversion_failure(recon::conversion_error const& err) const override
    {
        return "cannot convert " + node_ + " " + lane_ + ": " + err.message();
    }
    void fail_conversion(recon::conversion_error const&, std::string const& why) override
    {
        log(log_level::warning, describe() + " failed: " + why);
        ended_ = true;
        stop();
    }
    // The state at @synced always comes with the note (snapshot() in deliver).
    warp::map_state const* live_map() const noexcept override { return nullptr; }
    bool site_busy() const noexcept override
    {
        auto rt = rt_.lock();
        return rt && !agent_idle(*rt);
    }
    void enter() noexcept override
    {
        if (auto rt = rt_.lock())
            agent_enter(*rt);
    }
    void leave() override
    {
        if (auto rt = rt_.lock())
            agent_leave(*rt);
    }
    void later(std::function<void()> f) override
    {
        if (auto rt = rt_.lock())
            agent_enqueue(*rt, std::move(f));
    }
    void spawn(std::function<asio::awaitable<void>()> f) override
    {
        if (auto rt = rt_.lock())
            agent_enqueue_coro(*rt, std::move(f));
    }
    // From the host's strand: the turn runs while the agent lives.
    void post(std::function<void()> f) override
    {
        asio::post(strand_, [self = shared_from_this(), f = std::move(f)] {
            if (auto rt = self->rt_.lock())
                f();
        });
    }
    bool one_note_per_turn() const noexcept override { return true; }
    void freeze(warp::view_note&) const override {}
    void handler_threw(std::string_view what) override
    {
        log(log_level::error, "a handler of the " + describe() + " threw: " + std::string(what));
    }
    std::shared_ptr<void> keep_alive() override { return shared_from_this(); }

    bool stopped() const noexcept { return user_stopped_ || ended_; }

    void log(log_level level, std::string_view what) const
    {
        srv_->log(level, "agent " + agent_node_ + ": " + std::string(what));
    }
    bool linked() const noexcept { return linked_; }

private:
    void fail_from_host(error_code ec, std::string why)
    {
        ended_ = true;
        warp::view_note note;
        note.note.what = warp::downlink_notification::type::failed;
        note.note.error = ec;
        note.note.reason = std::move(why);
        note.terminal = true;
        log(log_level::warning, describe() + " failed: " + note.note.reason);
        runner_.push_last(std::move(note));
    }

    // On the host's strand: an event downlink whose handlers fell max_pending_events behind
    // fails rather than drop an event (on_failed after the events that wait).
    void overrun()
    {
        std::string why = describe() + ": its handlers fell " + std::to_string(runner_.limit()) +
                          " events behind (max_pending_events)";
        log(log_level::warning, why);
        warp::view_note note;
        note.note.what = warp::downlink_notification::type::failed;
        note.note.error = client::error::overrun;
        note.note.reason = std::move(why);
        note.terminal = true;
        ended_ = true;  // its writes are refused from now on
        runner_.push_last(std::move(note));
        linked_ = false;
        close_when_flushed();
    }

    // On the host's strand: hands the queued sets to the session, in order.
    void flush()
    {
        for (;;) {
            recon::value v;
            {
                std::lock_guard lock(mutex_);
                if (outbox_.empty() || !host_) {
                    if (!host_ && !outbox_.empty())
                        log(log_level::error,
                            describe() + ": " + std::to_string(outbox_.size()) +
                                " queued sets not sent: the downlink could not be opened");
                    outbox_.clear();
                    flushing_ = false;
                    break;
                }
                v = std::move(outbox_.front());
                outbox_.pop_front();
            }
            auto ec = host_->session().command(node_, lane_, v);
            if (ec == warp::error::queue_full) {
                {
                    std::lock_guard lock(mutex_);
                    outbox_.push_front(std::move(v));
                }
                host_->pump();
                asio::co_spawn(
                    host_ex_,
                    [self = shared_from_this()]() -> asio::awaitable<void> {
                        co_await self->host_->wait_for_room();
                        self->flush();
                    },
                    asio::detached);
                return;
            }
        }
        if (host_)
            host_->pump();
        bool close = false;
        {
            std::lock_guard lock(mutex_);
            close = close_after_flush_;
            close_after_flush_ = false;
        }
        if (close)
            close_view();
    }

    void close_view()
    {
        if (!opened_ || !host_)
            return;
        opened_ = false;
        host_->session().close_view(id_);
        host_->detach(id_);
        host_->pump();
    }

    // Weak: the agent owns its handles, which own this.
    std::weak_ptr<agent_runtime> rt_;
    server_impl* srv_;
    strand_type strand_;
    std::string agent_node_;
    asio::any_io_executor host_ex_;
    std::string node_;
    std::string lane_;
    warp::downlink_kind kind_;
    simple_downlink_config cfg_;
    /// The handlers' queue and runner, on the agent's strand (push() from the host's).
    client::detail::note_runner runner_{*this, true};
    /// On the host's strand.
    warp::downlink_status status_;
    std::optional<std::string> remote_;
    // On the host's strand.
    client::detail::link_host* host_ = nullptr;
    std::shared_ptr<void> keep_;
    warp::view_id id_ = 0;
    bool opened_ = false;
    // Shared.
    std::atomic<bool> user_stopped_{false};
    std::atomic<bool> ended_{false};
    std::atomic<bool> linked_{false};
    std::mutex mutex_;
    std::deque<recon::value> outbox_;
    bool flushing_ = false;
    bool close_after_flush_ = false;
};

std::shared_ptr<agent_downlink> open_agent_downlink(
    agent_context& ctx,
    std::optional<std::string_view> host,
    std::string_view node,
    std::string_view lane,
    warp::downlink_kind kind,
    simple_downlink_config const& cfg,
    std::shared_ptr<client::detail::note_dispatcher> dispatch)
{
    auto& rt = ctx.runtime();
    auto& srv = rt.server();
    std::optional<std::string> url;
    if (host && !host->empty())
        url = std::string(*host);
    asio::any_io_executor ex = url ? asio::any_io_executor(srv.remote().strand_)
                                   : srv.local().get_executor();
    auto dl = std::make_shared<agent_downlink>(
        rt.shared_from_this(),
        ex,
        std::string(node),
        std::string(lane),
        kind,
        cfg,
        std::move(dispatch));
    rt.add_downlink(dl);
    asio::post(ex, [dl, url = std::move(url)]() mutable { dl->open(std::move(url)); });
    return dl;
}

error_code downlink_command(agent_downlink& dl, recon::value body)
{
    if (!recon::is_writable(body))
        return recon::error::non_finite_float;  // refused before it is queued
    return dl.command(std::move(body));
}

void downlink_stop(agent_downlink& dl)
{
    dl.stop();
}

bool downlink_stopped(agent_downlink const& dl) noexcept
{
    return dl.stopped();
}

bool downlink_linked(agent_downlink const& dl) noexcept
{
    return dl.linked();
}

}  // namespace swim::server::detail

namespace swim::server {

namespace asio = boost::asio;
using boost::system::error_code;

boost::system::error_code agent_context::command(
    std::optional<std::string_view> host,
    std::string_view node,
    std::string_view lane,
    recon::value const& body)
{
    if (!recon::is_writable(body)) {
        log(client::log_level::warning,
            "command to " + std::string(node) + " " + std::string(lane) +
                " refused: its body holds a NaN or an infinity");
        return recon::error::non_finite_float;
    }
    auto& srv = rt_->server();
    auto rt = rt_->shared_from_this();
    if (!host || host->empty()) {
        auto local = srv.local().shared_from_this();
        asio::post(
            local->get_executor(),
            [rt, local, node = std::string(node), lane = std::string(lane), body]() {
                if (auto ec = local->session().command(node, lane, body))
                    rt->log(
                        client::log_level::error,
                        "command to " + node + " " + lane + " not sent: " + ec.message());
                local->pump();
            });
        return {};
    }
    client::detail::host_url parsed;
    std::string why;
    if (auto ec = client::detail::parse_host_url(*host, parsed, why)) {
        log(client::log_level::warning, why);
        return ec;
    }
    asio::post(
        srv.remote().strand_,
        [rt, url = std::string(*host), node = std::string(node), lane = std::string(lane), body]() {
            error_code ec;
            std::string reason;
            auto conn = rt->server().remote().host(url, ec, reason);
            if (!conn) {
                rt->log(client::log_level::warning, "command not sent: " + reason);
                return;
            }
            ec = conn->session().command(node, lane, body);
            if (ec)
                rt->log(
                    client::log_level::error,
                    "command to " + url + " " + node + " " + lane + " not sent: " + ec.message());
            conn->start();
            conn->pump();
        });
    return {};
}

}  // namespace swim::server
