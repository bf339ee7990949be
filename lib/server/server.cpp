// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/server/server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <filesystem>

#include "../client/client_impl.hpp"
#include "../net/text.hpp"
#include "server_impl.hpp"
#include "store_writer.hpp"

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
            case error::http_root: return "the HTTP root is not a directory that can be read";
            case error::store_open: return "the store could not be opened";
            case error::store_format: return "the store is in another format version";
            case error::store_write: return "a write to the store failed";
            case error::store_read: return "a read from the store failed";
        }
        return "unknown swim.server error " + std::to_string(ev);
    }
};

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// Strands the agents share: enough that agents on many threads seldom wait for each other.
constexpr std::size_t agent_strand_count = 1024;

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

// ---- the server -----------------------------------------------------------------------------

std::string_view server_impl::by_node::key(std::shared_ptr<agent_runtime> const& rt) noexcept
{
    return rt->node();
}

server_impl::server_impl(asio::any_io_executor ex, server_config cfg)
    : ex_(std::move(ex))
    , strand_(asio::make_strand(ex_))
    , cfg_(std::move(cfg))
    , done_(strand_, asio::steady_timer::time_point::max())
{
    agent_strands_.reserve(agent_strand_count);
    for (std::size_t i = 0; i < agent_strand_count; ++i)
        agent_strands_.push_back(asio::make_strand(ex_));
    remote_ = std::make_shared<client::detail::client_impl>(ex_, cfg_.client);
    local_ = make_local_host(*this);
    store_ = cfg_.store.engine ? cfg_.store.engine : make_memory_store();
    if (store_->durable())
        writer_ = std::make_unique<store_writer>(store_, cfg_.store);
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
    std::vector<std::string> segments;
    for (auto seg : split_path(pattern)) {
        if (seg == ":")
            return error::invalid_route;
        segments.emplace_back(seg);
    }
    auto& r = routes_.emplace_back();
    r.pattern = std::string(pattern);
    r.segments = std::move(segments);
    r.make = std::move(make);
    r.server = this;
    return {};
}

std::shared_ptr<agent_runtime> server_impl::find_agent(std::string_view node) const
{
    std::lock_guard lock(agents_mutex_);
    auto it = agents_.find(node);
    return it != agents_.end() ? *it : nullptr;
}

std::optional<bool> server_impl::agent_live(std::string_view node) const
{
    std::lock_guard lock(agents_mutex_);
    auto it = agents_.find(node);
    if (it == agents_.end())
        return std::nullopt;
    return (*it)->counted;
}

std::vector<std::pair<std::string, bool>> server_impl::agent_nodes() const
{
    std::vector<std::pair<std::string, bool>> out;
    std::lock_guard lock(agents_mutex_);
    out.reserve(agents_.size());
    for (auto const& rt : agents_)
        out.emplace_back(rt->node(), rt->counted);
    return out;
}

route_entry const* server_impl::match(std::string_view node) const
{
    // Node URIs are paths, but for the meta agents' (`swimos:meta:...`), which only their
    // routes serve.
    bool const meta = node.starts_with(meta_prefix);
    if (node.empty() || (node.front() != '/' && !meta))
        return nullptr;
    auto segs = split_path(node);
    for (auto const& r : routes_) {
        if (r.meta != meta || r.segments.size() != segs.size())
            continue;
        bool ok = true;
        for (std::size_t i = 0; i < segs.size() && ok; ++i) {
            auto const& p = r.segments[i];
            ok = p.size() > 1 && p.front() == ':' ? !segs[i].empty() : p == segs[i];
        }
        if (ok)
            return &r;
    }
    return nullptr;
}

bool log_limiter::allow(std::chrono::milliseconds interval, std::size_t& held)
{
    std::lock_guard lock(mutex_);
    auto const now = std::chrono::steady_clock::now();
    if (any_ && now - last_ < interval) {
        ++held_;
        return false;
    }
    any_ = true;
    last_ = now;
    held = std::exchange(held_, 0);
    return true;
}

bool server_impl::room_for_agent()
{
    if (cfg_.max_agents == 0 || live_agents_ < cfg_.max_agents)
        return true;
    std::size_t held = 0;
    if (agent_limit_log_.allow(cfg_.limit_log_interval, held))
        log(client::log_level::warning,
            std::to_string(live_agents_) +
                " agents are live (max_agents): links to further agents are refused" +
                (held ? " (" + std::to_string(held) + " more since the last line)"
                      : std::string()));
    return false;
}

namespace {

/// The lane's index in the agent's catalog (an HTTP lane's when `http`, else one WARP
/// addresses), or -1.
std::int64_t lane_of(agent_runtime const& rt, std::string_view lane, bool http)
{
    if (!rt.catalog())
        return -1;
    return http ? rt.catalog()->find_http(lane) : rt.catalog()->find_addressable(lane);
}

lane_route refused(warp::route_result what, std::string reason = {})
{
    return {what, nullptr, 0, std::move(reason)};
}

}  // namespace

bool server_impl::count_live(agent_runtime& rt)
{
    if (rt.counted)
        return true;
    if (!room_for_agent())
        return false;
    rt.counted = true;
    ++live_agents_;
    return true;
}

lane_route server_impl::route_lane(std::string_view node, std::string_view lane, bool http)
{
    using warp::route_result;
    route_entry const* route = nullptr;
    {
        std::lock_guard lock(agents_mutex_);
        if (auto it = agents_.find(node); it != agents_.end()) {
            auto const& rt = *it;
            auto const index = lane_of(*rt, lane, http);
            if (index < 0)
                return refused(route_result::lane_not_found);
            // A dormant agent: the request starts it again.
            if (!count_live(*rt))
                return refused(route_result::unavailable, "too many agents");
            rt->routed();
            return {route_result::ok, rt, static_cast<std::uint32_t>(index), {}};
        }
        if (stopping_)
            return refused(route_result::unavailable, "the server is stopping");
        route = match(node);
        if (!route)
            return refused(route_result::node_not_found);
        if (!room_for_agent())
            return refused(route_result::unavailable, "too many agents");
    }
    // Made outside the lock: the agent's constructor is the application's code. Until it is
    // in the table nobody else sees it, and when the lane is not there it is never started.
    auto made = std::make_shared<agent_runtime>(*this, *route, std::string(node));
    if (!made->construct()) {
        std::size_t held = 0;
        if (agent_fail_log_.allow(cfg_.limit_log_interval, held))
            made->log(client::log_level::error, made->failure());
        return refused(route_result::unavailable, made->failure());
    }
    if (lane_of(*made, lane, http) < 0)
        return refused(route_result::lane_not_found);
    std::lock_guard lock(agents_mutex_);
    if (stopping_)
        return refused(route_result::unavailable, "the server is stopping");
    // Another connection may have made one meanwhile: then that one serves, and this one,
    // never started, goes.
    auto [it, fresh] = agents_.insert(made);
    auto const& rt = *it;
    auto const index = lane_of(*rt, lane, http);
    if (index < 0)
        return refused(route_result::lane_not_found);
    if (!count_live(*rt)) {
        if (fresh)
            agents_.erase(it);
        return refused(route_result::unavailable, "too many agents");
    }
    if (fresh)
        rt->share_catalog();  // (started by the request routed to it: ensure_live())
    rt->routed();
    return {route_result::ok, rt, static_cast<std::uint32_t>(index), {}};
}

void server_impl::agent_dormant(agent_runtime& rt, bool keeps_state)
{
    std::lock_guard lock(agents_mutex_);
    if (rt.counted) {
        rt.counted = false;
        --live_agents_;
    }
    // Nothing to keep and nobody on the way to it: forgotten (made again when asked for).
    if (!keeps_state && rt.pending() == 0)
        if (auto it = agents_.find(std::string_view(rt.node()));
            it != agents_.end() && it->get() == &rt)
            agents_.erase(it);
}

strand_type const& server_impl::agent_strand(std::string_view node) const noexcept
{
    return agent_strands_[std::hash<std::string_view>{}(node) % agent_strands_.size()];
}

bool server_impl::agent_woke(agent_runtime& rt)
{
    std::lock_guard lock(agents_mutex_);
    return count_live(rt);
}

bool server_impl::route_to(agent_runtime& rt)
{
    std::lock_guard lock(agents_mutex_);
    auto it = agents_.find(std::string_view(rt.node()));
    if (it == agents_.end() || it->get() != &rt)
        return false;
    rt.routed();
    return true;
}

void server_impl::sweep()
{
    auto const now = std::chrono::steady_clock::now();
    std::vector<std::pair<std::shared_ptr<agent_runtime>, std::uint32_t>> idle;
    {
        std::lock_guard lock(agents_mutex_);
        for (auto const& rt : agents_) {
            if (!rt->counted)
                continue;  // dormant
            auto const activity = rt->activity();
            if (rt->link_count() != 0 || rt->pending() != 0 || activity != rt->swept_activity) {
                rt->swept_activity = activity;
                rt->idle_since = now;
                continue;
            }
            if (now - rt->idle_since >= cfg_.agent_idle_timeout)
                idle.emplace_back(rt, activity);
        }
    }
    for (auto& [rt, activity] : idle)
        asio::post(rt->strand(), [rt, a = activity] { rt->idle_check(a); });
}

asio::awaitable<void> server_impl::sweep_loop()
{
    auto const period = std::max<std::chrono::milliseconds>(
        std::chrono::milliseconds(10),
        cfg_.agent_idle_timeout / 4);
    while (!stopping_) {
        sweep_timer_->expires_after(period);
        auto [ec] = co_await sweep_timer_->async_wait(use_tuple);
        if (ec || stopping_)
            break;
        sweep();
    }
    sweep_timer_.reset();
    task_done();
}

warp::auth_answer server_impl::authenticate(recon::value const& credentials)
{
    using kind = warp::auth_answer::kind;
    if (!cfg_.auth.on_auth)
        return {kind::authed, {}};
    auth_verdict verdict;
    try {
        verdict = cfg_.auth.on_auth(credentials);
    } catch (std::exception const& e) {
        log(client::log_level::error,
            std::string("the auth policy's on_auth failed (deauthed): ") + e.what());
        return {kind::deauthed, {}};
    } catch (...) {
        log(client::log_level::error, "the auth policy's on_auth failed (deauthed)");
        return {kind::deauthed, {}};
    }
    switch (verdict.what) {
        case auth_verdict::kind::authed: return {kind::authed, std::move(verdict.session)};
        case auth_verdict::kind::deauthed: return {kind::deauthed, {}};
        case auth_verdict::kind::forbidden: return {kind::forbidden, {}};
    }
    return {kind::deauthed, {}};
}

bool server_impl::allow(warp::uplink_request const& r, std::optional<recon::value> const& identity)
{
    using type = warp::uplink_request::type;
    if (!cfg_.auth.on_request)
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
    return allow(req, identity);
}

bool server_impl::allow(lane_request const& req, std::optional<recon::value> const& identity)
{
    if (!cfg_.auth.on_request)
        return true;
    try {
        return cfg_.auth.on_request(identity, req) == request_verdict::allow;
    } catch (std::exception const& e) {
        log(client::log_level::error,
            std::string("the auth policy's on_request failed (refused): ") + e.what());
    } catch (...) {
        log(client::log_level::error, "the auth policy's on_request failed (refused)");
    }
    return false;
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
    port->close();
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
    s.store_failures = undone_writes_.load(std::memory_order_relaxed);
    std::lock_guard lock(agents_mutex_);
    s.agents = live_agents_;
    s.dormant_agents = agents_.size() - live_agents_;
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
    if (cfg_.meta)
        add_meta_routes();
    if (!cfg_.http_root.empty()) {
        std::error_code fec;
        auto root = std::filesystem::canonical(cfg_.http_root, fec);
        if (fec || !std::filesystem::is_directory(root, fec)) {
            log(client::log_level::error,
                "the HTTP root '" + cfg_.http_root + "' is not a directory that can be read: " +
                    (fec ? fec.message() : std::string("not a directory")));
            return error::http_root;
        }
        http_root_ = std::move(root);
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
    if (cfg_.agent_idle_timeout.count() > 0) {
        sweep_timer_.emplace(strand_);
        task_started();
        asio::co_spawn(
            strand_,
            [self = shared_from_this()]() -> asio::awaitable<void> { co_await self->sweep_loop(); },
            asio::detached);
    }
    task_started();
    asio::co_spawn(
        strand_,
        [self = shared_from_this()]() -> asio::awaitable<void> { co_await self->accept_loop(); },
        asio::detached);
    log(client::log_level::info, "listening on " + cfg_.address + ":" + std::to_string(port_));
    return {};
}

std::uint64_t server_impl::watch_stop(std::function<void()> on_stop)
{
    {
        std::lock_guard lock(stop_watch_mutex_);
        if (!stopping_) {
            auto const id = ++stop_watch_ids_;
            stop_watch_.emplace(id, std::move(on_stop));
            return id;
        }
    }
    on_stop();
    return 0;
}

void server_impl::unwatch_stop(std::uint64_t id)
{
    std::lock_guard lock(stop_watch_mutex_);
    stop_watch_.erase(id);
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

void server_impl::write_failed(agent_runtime& rt, std::size_t changes, std::string_view lanes)
{
    undone_writes_.fetch_add(1, std::memory_order_relaxed);
    std::size_t held = 0;
    if (!write_fail_log_.allow(cfg_.limit_log_interval, held))
        return;
    std::string line = "a write to the store failed: " + std::to_string(changes) +
                       " more change(s) and those written with it were undone (lanes: " +
                       std::string(lanes) + "), nothing of them was sent";
    if (held)
        line += " (" + std::to_string(held) + " more failed writes not logged)";
    rt.log(client::log_level::error, line);
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
    if (sweep_timer_)
        sweep_timer_->cancel();
    // Connections in their handshakes or serving HTTP end now (they hold no link).
    std::map<std::uint64_t, std::function<void()>> watching;
    {
        std::lock_guard lock(stop_watch_mutex_);
        watching.swap(stop_watch_);
    }
    for (auto& [id, f] : watching)
        f();

    // 1. Every agent stops on its strand: on_stop, its downlinks stopped (their queued sets
    //    written first); then, once all have, @unlinked to every uplink.
    std::vector<std::shared_ptr<agent_runtime>> agents;
    {
        std::lock_guard lock(agents_mutex_);
        agents.assign(agents_.begin(), agents_.end());
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
    // 5. The agents' last changes are written (above); the store is made durable (it closes
    //    when the server goes).
    if (writer_) {
        writer_->stop();
    } else if (auto ec = store_->flush()) {
        log(client::log_level::error, "the store could not be flushed: " + ec.message());
    }
    {
        std::lock_guard lock(agents_mutex_);
        agents_.clear();
        live_agents_ = 0;
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
