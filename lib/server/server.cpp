// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/server/server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "../client/client_impl.hpp"
#include "../net/text.hpp"
#include "server_impl.hpp"

namespace swim::server {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// ---- errors --------------------------------------------------------------------------------

namespace {
class category final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "swim.server"; }
    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
            case error::invalid_route: return "invalid route pattern";
            case error::already_started: return "the server is already started";
            case error::tls_setup: return "the TLS certificate or key could not be loaded";
            case error::stopped: return "the server is stopped";
        }
        return "unknown swim.server error " + std::to_string(ev);
    }
};

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::vector<std::string_view> split_path(std::string_view path)
{
    std::vector<std::string_view> out;
    std::size_t i = 0;
    if (!path.empty() && path.front() == '/')
        i = 1;
    while (i <= path.size()) {
        auto j = path.find('/', i);
        if (j == std::string_view::npos)
            j = path.size();
        out.push_back(path.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

}  // namespace

boost::system::error_category const& error_category() noexcept
{
    static category const instance;
    return instance;
}

namespace detail {

// ---- uplink ports ---------------------------------------------------------------------------

uplink_port::~uplink_port() = default;

warp::envelope_error uplink_port::read(
    std::string_view frame,
    std::vector<warp::uplink_request>& out)
{
    std::lock_guard lock(mutex_);
    return session_.on_frame(frame, out);
}

bool uplink_port::take_output(std::vector<warp::out_frame>& out)
{
    std::lock_guard lock(mutex_);
    if (!session_.has_output()) {
        // Cleared under the lock: a write after this sees the flag down and notifies.
        pending_.store(false);
        return false;
    }
    std::size_t const before = session_.queued_bytes();
    session_.take_output(out);
    inflight_ += before - session_.queued_bytes();
    count_queued();
    return true;
}

void uplink_port::written()
{
    std::lock_guard lock(mutex_);
    inflight_ = 0;
    count_queued();
}

bool uplink_port::shed()
{
    std::size_t bytes = 0;
    std::vector<warp::out_frame> dropped;  // freed after the lock
    {
        std::lock_guard lock(mutex_);
        if (closed_ || overflowed_)
            return false;
        bytes = session_.queued_bytes();
        drop_output(dropped);
    }
    overflow(
        bytes,
        "furthest behind when the server's output budget was spent, max_total_queued_bytes");
    return true;
}

bool uplink_port::add_agent(std::shared_ptr<agent_runtime> const& rt)
{
    std::lock_guard lock(mutex_);
    if (closed_)
        return false;
    if (std::find(agents_.begin(), agents_.end(), rt) == agents_.end())
        agents_.push_back(rt);
    return true;
}

std::vector<std::shared_ptr<agent_runtime>> uplink_port::close()
{
    std::lock_guard lock(mutex_);
    closed_ = true;
    // What still waits is never written: off the server's budget.
    inflight_ = 0;
    if (budget_)
        budget_->take(queued_.exchange(0, std::memory_order_relaxed));
    return std::move(agents_);
}

bool uplink_port::closed() const
{
    std::lock_guard lock(mutex_);
    return closed_;
}

// ---- the server -----------------------------------------------------------------------------

server_impl::server_impl(asio::any_io_executor ex, server_config cfg)
    : ex_(std::move(ex))
    , strand_(asio::make_strand(ex_))
    , cfg_(std::move(cfg))
    , done_(strand_, asio::steady_timer::time_point::max())
{
    remote_ = std::make_shared<client::detail::client_impl>(ex_, cfg_.client);
    local_ = make_local_host(*this);
    budget_.limit = cfg_.max_total_queued_bytes;
    budget_.over = [this] {
        asio::post(strand_, [self = weak_from_this()] {
            if (auto s = self.lock())
                s->enforce_budget();
        });
    };
}

server_impl::~server_impl() = default;

void server_impl::log(client::log_level level, std::string_view what) const
{
    if (cfg_.log.sink && level >= cfg_.log.level)
        cfg_.log.sink(level, net::detail::escape_untrusted(what, cfg_.log.max_line));
}

error_code server_impl::add_route(std::string_view pattern, agent_factory make)
{
    if (pattern.empty() || pattern.front() != '/' || !make)
        return error::invalid_route;
    route_entry r;
    r.pattern = std::string(pattern);
    for (auto seg : split_path(pattern)) {
        if (seg == ":")
            return error::invalid_route;
        r.segments.emplace_back(seg);
    }
    r.make = std::move(make);
    routes_.push_back(std::move(r));
    return {};
}

std::shared_ptr<agent_runtime> server_impl::find_agent(std::string_view node)
{
    std::lock_guard lock(agents_mutex_);
    if (auto it = agents_.find(std::string(node)); it != agents_.end())
        return it->second;
    if (stopping_)
        return nullptr;
    auto segs = split_path(node);
    if (node.empty() || node.front() != '/')
        return nullptr;
    for (auto const& r : routes_) {
        if (r.segments.size() != segs.size())
            continue;
        agent_runtime::params_type params;
        bool match = true;
        for (std::size_t i = 0; i < segs.size() && match; ++i) {
            auto const& p = r.segments[i];
            if (p.size() > 1 && p.front() == ':') {
                if (segs[i].empty())
                    match = false;
                else
                    params.emplace(p.substr(1), std::string(segs[i]));
            } else {
                match = p == segs[i];
            }
        }
        if (!match)
            continue;
        auto rt = std::make_shared<agent_runtime>(*this, std::string(node), std::move(params));
        agents_.emplace(std::string(node), rt);
        asio::post(rt->strand(), [rt, make = r.make] { rt->start(make); });
        return rt;
    }
    return nullptr;
}

namespace {
recon::value not_found(char const* tag)
{
    recon::record r;
    r.add_attr(tag, recon::value(recon::extant));
    return recon::value(std::move(r));
}
}  // namespace

void server_impl::on_auth(uplink_port& port, warp::uplink_request& r)
{
    using type = warp::uplink_request::type;
    // @deauth forgets the identity without asking the policy.
    auth_verdict verdict;
    if (r.what == type::deauth) {
        verdict = auth_verdict::deauthed();
    } else if (cfg_.auth.on_auth && !port.local()) {
        try {
            verdict = cfg_.auth.on_auth(r.body);
        } catch (std::exception const& e) {
            log(client::log_level::error,
                std::string("the auth policy's on_auth failed (deauthed): ") + e.what());
            verdict = auth_verdict::deauthed();
        } catch (...) {
            log(client::log_level::error, "the auth policy's on_auth failed (deauthed)");
            verdict = auth_verdict::deauthed();
        }
    }
    using kind = auth_verdict::kind;
    if (verdict.what == kind::authed) {
        port.identity() = std::move(r.body);
        port.hold_identity_memory(r.body_memory);
        port.write([&](warp::server_session& s) {
            s.auth_reply(warp::envelope_kind::authed, verdict.session);
        });
        return;
    }
    port.identity().reset();
    port.hold_identity_memory(0);
    port.write([](warp::server_session& s) { s.auth_reply(warp::envelope_kind::deauthed); });
    if (verdict.what == kind::forbidden) {
        log(client::log_level::info,
            "connection " + std::to_string(port.id()) + ": @auth forbidden, closing (1008)");
        port.close_after_output(1008, "Unauthorized");
    }
}

bool server_impl::allowed(uplink_port& port, warp::uplink_request const& r)
{
    using type = warp::uplink_request::type;
    if (!cfg_.auth.on_request || port.local())
        return true;
    lane_request req;
    switch (r.what) {
        case type::link: req.what = lane_request::kind::link; break;
        case type::sync: req.what = lane_request::kind::sync; break;
        case type::command: req.what = lane_request::kind::command; break;
        default: return true;
    }
    req.node = r.node;
    req.lane = r.lane;
    try {
        return cfg_.auth.on_request(port.identity(), req) == request_verdict::allow;
    } catch (std::exception const& e) {
        log(client::log_level::error,
            std::string("the auth policy's on_request failed (refused): ") + e.what());
    } catch (...) {
        log(client::log_level::error, "the auth policy's on_request failed (refused)");
    }
    return false;
}

warp::envelope_error server_impl::on_frame(
    std::shared_ptr<uplink_port> const& port,
    std::string_view frame)
{
    std::vector<warp::uplink_request> requests;
    auto err = port->read(frame, requests);
    if (err)
        return err;
    using type = warp::uplink_request::type;
    for (auto& r : requests) {
        if (r.what == type::auth || r.what == type::deauth) {
            on_auth(*port, r);
            continue;
        }
        if (!allowed(*port, r)) {
            if (r.what == type::link || r.what == type::sync) {
                // As Java's RemoteHost: @unlinked without a body, and no @linked before it.
                port->write([&](warp::server_session& s) { s.unlinked(r.node, r.lane); });
            } else {
                log(client::log_level::debug,
                    "connection " + std::to_string(port->id()) + ": command to " + r.node + " " +
                        r.lane + " refused by the auth policy, dropped");
            }
            continue;
        }
        auto rt = find_agent(r.node);
        if (!rt) {
            if (r.what == type::link || r.what == type::sync)
                port->write([&](warp::server_session& s) {
                    s.unlinked(r.node, r.lane, not_found("nodeNotFound"));
                });
            continue;
        }
        asio::post(rt->strand(), [rt, port, req = std::move(r)]() mutable {
            rt->handle(port, std::move(req));
        });
    }
    return err;
}

bool server_impl::add_port(std::shared_ptr<uplink_port> const& port)
{
    std::lock_guard lock(ports_mutex_);
    if (stopping_ || ports_.size() >= cfg_.max_connections)
        return false;
    ports_.emplace(port->id(), port);
    return true;
}

void server_impl::port_closed(std::shared_ptr<uplink_port> const& port)
{
    for (auto& rt : port->close())
        asio::post(rt->strand(), [rt, port] { rt->drop_port(port.get()); });
    std::lock_guard lock(ports_mutex_);
    ports_.erase(port->id());
}

void server_impl::task_done()
{
    if (--tasks_ == 0)
        wake();
}

void server_impl::enforce_budget()
{
    // Furthest behind first, until what waits is within the budget again.
    std::vector<std::pair<std::size_t, std::shared_ptr<uplink_port>>> ports;
    {
        std::lock_guard lock(ports_mutex_);
        for (auto& [id, weak] : ports_)
            if (auto p = weak.lock())
                ports.emplace_back(p->queued(), std::move(p));
    }
    std::sort(ports.begin(), ports.end(), [](auto const& a, auto const& b) {
        return a.first > b.first;
    });
    for (auto& [queued, port] : ports) {
        if (budget_.total.load() <= budget_.limit)
            break;
        port->shed();  // it logs why
    }
    budget_.enforcing.store(false);
    // More may have come meanwhile: look again rather than miss it.
    if (budget_.limit != 0 && budget_.total.load() > budget_.limit &&
        !budget_.enforcing.exchange(true))
        asio::post(strand_, [self = shared_from_this()] { self->enforce_budget(); });
}

server::stats server_impl::stats() const
{
    server::stats s;
    {
        std::lock_guard lock(ports_mutex_);
        s.connections = ports_.size();
    }
    s.queued_bytes = budget_.total.load(std::memory_order_relaxed);
    s.handshakes = handshakes_.load(std::memory_order_relaxed);
    s.accept_failures = accept_failures_.load(std::memory_order_relaxed);
    std::lock_guard lock(agents_mutex_);
    s.agents = agents_.size();
    return s;
}

error_code server_impl::start()
{
    if (started_)
        return error::already_started;
    if (stopping_)
        return error::stopped;
    if (cfg_.tls.enabled()) {
        auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
        error_code ec;
        ctx->set_options(
            asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                asio::ssl::context::no_sslv3,
            ec);
        if (!ec)
            ctx->use_certificate_chain_file(cfg_.tls.cert_file, ec);
        if (!ec)
            ctx->use_private_key_file(cfg_.tls.key_file, asio::ssl::context::pem, ec);
        if (ec) {
            log(client::log_level::error,
                "cannot load the TLS certificate '" + cfg_.tls.cert_file + "' or key '" +
                    cfg_.tls.key_file + "': " + ec.message());
            return error::tls_setup;
        }
        ssl_ = std::move(ctx);
    }
    error_code ec;
    tcp::resolver resolver(ex_);
    auto results = resolver.resolve(
        cfg_.address,
        std::to_string(cfg_.port),
        tcp::resolver::passive | tcp::resolver::numeric_service,
        ec);
    if (ec)
        return ec;
    if (results.empty())
        return asio::error::host_not_found;
    tcp::endpoint ep = results.begin()->endpoint();
    tcp::acceptor acc(strand_);
    acc.open(ep.protocol(), ec);
    if (!ec)
        acc.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        acc.bind(ep, ec);
    if (!ec)
        acc.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return ec;
    port_ = acc.local_endpoint(ec).port();
    acceptor_.emplace(std::move(acc));
    started_ = true;
    task_started();
    asio::co_spawn(
        strand_,
        [self = shared_from_this()]() -> asio::awaitable<void> { co_await self->accept_loop(); },
        asio::detached);
    log(client::log_level::info, "listening on " + cfg_.address + ":" + std::to_string(port_));
    return {};
}

void server_impl::handshake_ended()
{
    if (handshakes_.fetch_sub(1, std::memory_order_relaxed) == cfg_.max_handshakes)
        asio::post(strand_, [self = shared_from_this()] {
            if (self->accept_wait_)
                self->accept_wait_->cancel();
        });
}

asio::awaitable<void> server_impl::accept_loop()
{
    using std::chrono::milliseconds;
    using clock = std::chrono::steady_clock;
    accept_wait_.emplace(strand_);
    milliseconds backoff{0};
    // One log line per accept_log_interval for each kind of trouble, with what it hid.
    auto last_log = clock::now() - cfg_.accept_log_interval;
    std::size_t unlogged = 0;
    auto note = [&](std::string const& what) {
        ++unlogged;
        if (clock::now() - last_log < cfg_.accept_log_interval)
            return;
        log(client::log_level::warning,
            what + (unlogged > 1 ? " (" + std::to_string(unlogged) + " times since the last line)"
                                 : std::string()));
        last_log = clock::now();
        unlogged = 0;
    };
    while (!stopping_) {
        if (cfg_.max_handshakes != 0 &&
            handshakes_.load(std::memory_order_relaxed) >= cfg_.max_handshakes) {
            // Not accepting: the next connections wait in the backlog until a handshake ends
            // (handshake_ended() cancels the wait; the timer is a safety net).
            note(
                std::to_string(cfg_.max_handshakes) +
                " connections are in their handshakes (max_handshakes): not accepting until one "
                "ends");
            accept_wait_->expires_after(milliseconds(500));
            co_await accept_wait_->async_wait(use_tuple);
            continue;
        }
        strand_type strand = asio::make_strand(ex_);
        auto [ec, socket] = co_await acceptor_->async_accept(strand, use_tuple);
        if (stopping_)
            break;
        if (ec) {
            if (ec == asio::error::operation_aborted)
                break;
            // Out of descriptors (EMFILE, ENFILE) and the like: back off, and serve again as
            // soon as an accept works.
            accept_failures_.fetch_add(1, std::memory_order_relaxed);
            backoff = std::min(milliseconds(500), std::max(milliseconds(10), backoff * 2));
            note("accept failed: " + ec.message() + "; backing off (at most 500 ms between tries)");
            accept_wait_->expires_after(backoff);
            co_await accept_wait_->async_wait(use_tuple);
            continue;
        }
        backoff = milliseconds(0);
        socket.set_option(tcp::no_delay(true), ec);
        handshake_started();
        serve_socket(shared_from_this(), std::move(socket), ssl_, std::move(strand));
    }
    accept_wait_.reset();
    task_done();
}

void server_impl::wake() noexcept
{
    asio::post(strand_, [self = shared_from_this()] { self->done_.cancel(); });
}

asio::awaitable<void> server_impl::wait_until(std::function<bool()> done)
{
    // done_ never expires: cancel() wakes every waiter.
    while (!done())
        co_await done_.async_wait(use_tuple);
}

namespace {

// Closes the connections of the agents' downlinks to other hosts; on the client's strand.
asio::awaitable<void> close_remote(std::shared_ptr<client::detail::client_impl> remote)
{
    remote->closed_ = true;
    auto hosts = std::move(remote->hosts_);
    remote->hosts_.clear();
    for (auto& [name, conn] : hosts) {
        auto closed = conn->async_close();
        co_await std::move(closed);
    }
}

}  // namespace

asio::awaitable<void> server_impl::stop()
{
    // Everything of the stop runs on the server's strand (a co_await of a post to a strand
    // would not move this coroutine onto it).
    auto on_strand = asio::co_spawn(strand_, stop_on_strand(), asio::use_awaitable);
    co_await std::move(on_strand);
}

asio::awaitable<void> server_impl::stop_on_strand()
{
    auto self = shared_from_this();
    if (stopping_.exchange(true)) {
        // Stopped or stopping already: wait for that to end.
        auto stop_done = wait_until([this] { return stopped_; });
        co_await std::move(stop_done);
        co_return;
    }
    if (acceptor_) {
        error_code ec;
        acceptor_->close(ec);
    }
    if (accept_wait_)
        accept_wait_->cancel();

    // 1. Every agent stops on its strand: on_stop, its downlinks stopped (their queued sets
    //    written first); then, once all have, @unlinked to every uplink.
    std::vector<std::shared_ptr<agent_runtime>> agents;
    {
        std::lock_guard lock(agents_mutex_);
        for (auto& [node, rt] : agents_)
            agents.push_back(rt);
    }
    for (auto step : {&agent_runtime::stop_downlinks, &agent_runtime::unlink_all}) {
        auto left = std::make_shared<std::atomic<std::size_t>>(agents.size());
        for (auto& rt : agents)
            asio::post(rt->strand(), [rt, self, left, step] {
                ((*rt).*step)();
                if (--*left == 0)
                    self->wake();
            });
        // The awaitable is made in a statement of its own: GCC 12 destroys a temporary closure
        // that owns a shared_ptr twice when it is made inside the co_await expression.
        auto agents_done = wait_until([left] { return left->load() == 0; });
        co_await std::move(agents_done);
    }

    // 2. The agents' own links: the local host, then the connections to other hosts.
    auto local_stopped = stop_local_host(local_);
    co_await std::move(local_stopped);
    auto remote_closed = asio::co_spawn(
        remote_->strand_,
        close_remote(remote_),
        asio::use_awaitable);
    co_await std::move(remote_closed);

    // 3. Every client connection closes with 1001 once what is queued is written.
    std::vector<std::shared_ptr<uplink_port>> ports;
    {
        std::lock_guard lock(ports_mutex_);
        for (auto& [id, weak] : ports_)
            if (auto p = weak.lock())
                ports.push_back(p);
    }
    for (auto& p : ports)
        p->shutdown();
    ports.clear();

    // 4. Every task ends: the accept loop, the connections, handlers still running.
    auto tasks_done = wait_until([this] { return tasks_.load() == 0; });
    co_await std::move(tasks_done);
    {
        std::lock_guard lock(agents_mutex_);
        agents_.clear();
    }
    stopped_ = true;
    done_.cancel();
    log(client::log_level::info, "stopped");
}

}  // namespace detail

// ---- the public face -------------------------------------------------------------------------

server::server(asio::any_io_executor ex, server_config cfg)
    : impl_(std::make_shared<detail::server_impl>(std::move(ex), std::move(cfg)))
{}

server::~server()
{
    asio::co_spawn(
        impl_->executor(),
        [impl = impl_]() -> asio::awaitable<void> { co_await impl->stop(); },
        asio::detached);
}

error_code server::route(std::string_view pattern, agent_factory make)
{
    return impl_->add_route(pattern, std::move(make));
}

error_code server::start()
{
    return impl_->start();
}

std::uint16_t server::port() const noexcept
{
    return impl_->port();
}

std::string server::local_url() const
{
    return std::string(impl_->tls() ? "warps" : "warp") +
           "://127.0.0.1:" + std::to_string(impl_->port());
}

asio::awaitable<void> server::async_stop()
{
    co_await impl_->stop();
}

server::stats server::get_stats() const
{
    return impl_->stats();
}

}  // namespace swim::server
