// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// The server's moving parts: uplink ports (the server side of a client connection), agent
// runtimes, and the server itself. Private.

#ifndef SWIM_LIB_SERVER_SERVER_IMPL_HPP
#define SWIM_LIB_SERVER_SERVER_IMPL_HPP

#include <swim/server/server.hpp>
#include <swim/warp/server_session.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace swim::client::detail {
class client_impl;
}

namespace swim::server::detail {

namespace asio = boost::asio;
using strand_type = asio::strand<asio::any_io_executor>;

class server_impl;
class agent_runtime;
class local_host;

/** What the connections of a server have waiting to be written, together, and its limit
 * (server_config::max_total_queued_bytes). Ports add and take off under their locks; when
 * an addition passes the limit, `over` runs once (until the next enforce()).
 */
struct output_budget {
    std::size_t limit = 0;
    std::atomic<std::size_t> total{0};
    std::atomic<bool> enforcing{false};
    std::function<void()> over;

    void add(std::size_t bytes) noexcept
    {
        std::size_t now = total.fetch_add(bytes, std::memory_order_relaxed) + bytes;
        if (limit != 0 && now > limit && !enforcing.exchange(true) && over)
            over();
    }
    void take(std::size_t bytes) noexcept { total.fetch_sub(bytes, std::memory_order_relaxed); }
};

/** The server side of one client connection: a WebSocket, or the server's local host (the
 * agents' own downlinks). Agents write to it from their strands under its lock; its writer
 * drains it on its own strand.
 */
class uplink_port : public std::enable_shared_from_this<uplink_port> {
public:
    uplink_port(std::uint64_t id, warp::server_session_options opts) noexcept
        : id_(id)
        , session_(opts)
    {}
    virtual ~uplink_port();
    uplink_port(uplink_port const&) = delete;
    uplink_port& operator=(uplink_port const&) = delete;

    std::uint64_t id() const noexcept { return id_; }

    /// Runs `f(session)` under the lock, then wakes the writer when frames wait. Nothing
    /// happens once the port is closed.
    template <class F>
    void write(F&& f)
    {
        bool wake = false;
        std::size_t over = 0;
        std::vector<warp::out_frame> dropped;  // freed after the lock
        {
            std::lock_guard lock(mutex_);
            if (closed_ || overflowed_)
                return;
            f(session_);
            if (max_queued_ != 0 && session_.queued_bytes() + inflight_ > max_queued_) {
                // What cannot be coalesced (events, syncs) piled up: let it go, and the
                // connection with it (its client resyncs when it connects again).
                over = session_.queued_bytes() + inflight_;
                drop_output(dropped);
            } else {
                wake = session_.has_output();
                count_queued();
            }
        }
        if (over != 0)
            overflow(over, "max_queued_bytes");
        else if (wake && !pending_.exchange(true))
            notify();
    }

    /// Bytes the port may have waiting before it gives up on its client (0: no limit).
    void max_queued(std::size_t bytes) noexcept { max_queued_ = bytes; }
    /// The server-wide budget the port's waiting bytes count against (none: not counted).
    void budget(output_budget* b) noexcept { budget_ = b; }
    /// The bytes waiting now (as last counted).
    std::size_t queued() const noexcept { return queued_.load(std::memory_order_relaxed); }
    /// The server's output budget is spent and this port is furthest behind: its waiting
    /// frames are dropped and the connection closed, as for max_queued. False when it was
    /// closed already.
    bool shed();

    /// Reads a frame from the client (under the lock).
    warp::envelope_error read(std::string_view frame, std::vector<warp::uplink_request>& out);

    /// Moves the waiting frames to `out`; when there are none, clears the wake-up flag and
    /// returns false (the writer then sleeps until notify()). The bytes taken still count
    /// (against max_queued and the server's budget) until written().
    bool take_output(std::vector<warp::out_frame>& out);
    /// The frames of the last take_output() are written (or failed to be).
    void written();

    /// Remembers an agent that holds uplinks of this port; false when the port is closed
    /// already (the connection ended while the link request waited).
    bool add_agent(std::shared_ptr<agent_runtime> const& rt);
    /// Counts a new link of the port unless it holds `limit` already (then false).
    bool reserve_link(std::size_t limit) noexcept
    {
        std::size_t n = links_.load(std::memory_order_relaxed);
        do {
            if (n >= limit)
                return false;
        } while (!links_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
        return true;
    }
    /// A link of the port ended.
    void release_link() noexcept { links_.fetch_sub(1, std::memory_order_relaxed); }
    /// The links the port holds now.
    std::size_t links() const noexcept { return links_.load(std::memory_order_relaxed); }

    /// Closes the port: later writes are dropped. Returns the agents to unlink it from.
    std::vector<std::shared_ptr<agent_runtime>> close();
    bool closed() const;
    /// The server stops: write what is queued, then close with 1001.
    virtual void shutdown() {}
    /// Closes the connection with `code` and `reason` once the frames queued now are written;
    /// what the client sends meanwhile is not read. Called from on_frame (the reader).
    virtual void close_after_output(std::uint16_t code, std::string reason)
    {
        (void)code;
        (void)reason;
    }
    /// The server's own local host (its links are not checked by the auth policy).
    virtual bool local() const noexcept { return false; }

    /// The identity of the connection (the credentials of its last authed @auth). Only
    /// server_impl::on_frame touches it, and that runs serially per port (the connection's
    /// reader), so it needs no lock.
    std::optional<recon::value>& identity() noexcept { return identity_; }
    /// The memory the identity's credentials were counted at: it counts against
    /// max_value_memory for the connection's later frames.
    void hold_identity_memory(std::size_t bytes)
    {
        std::lock_guard lock(mutex_);
        session_.hold_memory(bytes);
    }

protected:
    /// Wakes the writer (called once per batch of writes).
    virtual void notify() = 0;
    /// More than a limit (`which`) allowed waited (`bytes`); they are dropped already, and
    /// nothing more is queued: close the connection.
    virtual void overflow(std::size_t bytes, char const* which)
    {
        (void)bytes;
        (void)which;
    }

    /// Under the lock: the queue went to `dropped`, the port takes no more.
    void drop_output(std::vector<warp::out_frame>& dropped)
    {
        overflowed_ = true;
        session_.take_output(dropped);
        count_queued();
    }
    /// Under the lock: brings the count (and the budget's) to the session's queue.
    void count_queued() noexcept
    {
        std::size_t const now = session_.queued_bytes() + inflight_;
        std::size_t const was = queued_.exchange(now, std::memory_order_relaxed);
        if (budget_ && now > was)
            budget_->add(now - was);
        else if (budget_ && now < was)
            budget_->take(was - now);
    }

private:
    std::uint64_t id_;
    mutable std::mutex mutex_;
    warp::server_session session_;
    std::atomic<bool> pending_{false};
    std::size_t max_queued_ = 0;
    output_budget* budget_ = nullptr;
    /// Bytes taken by the writer and not yet written.
    std::size_t inflight_ = 0;
    std::atomic<std::size_t> queued_{0};
    bool overflowed_ = false;
    /// Links held (counted by the agents, on their strands).
    std::atomic<std::size_t> links_{0};
    bool closed_ = false;
    std::vector<std::shared_ptr<agent_runtime>> agents_;
    std::optional<recon::value> identity_;
};

/// The runtime of one agent: its strand, lanes, handler queue and downlinks.
class agent_runtime : public std::enable_shared_from_this<agent_runtime> {
public:
    using params_type = std::map<std::string, std::string, std::less<>>;

    agent_runtime(server_impl& srv, std::string node, params_type params);
    ~agent_runtime();

    server_impl& server() const noexcept { return *server_; }
    strand_type const& strand() const noexcept { return strand_; }
    std::string const& node() const noexcept { return node_; }
    params_type const& params() const noexcept { return params_; }
    agent_context& context() noexcept { return ctx_; }

    void log(client::log_level level, std::string_view what) const;

    // ---- on the strand -------------------------------------------------------------------
    void start(agent_factory const& make);
    void handle(std::shared_ptr<uplink_port> const& port, warp::uplink_request req);
    /// Map entries a sync writes before it lets the strand's other work run.
    static constexpr std::size_t sync_chunk = 4096;
    /// Writes the next chunk of a sync of `lane_name` to `port` (the entries after `after`),
    /// then posts the next step, or writes @synced.
    void sync_step(
        std::shared_ptr<uplink_port> port,
        std::string lane_name,
        std::optional<recon::value> after);
    /// The port's connection ended: its uplinks go.
    void drop_port(uplink_port const* port);
    /// Server stop, first step: on_stop, then every downlink of the agent stopped (so no
    /// downlink sees the unlinks of the next step).
    void stop_downlinks();
    /// Server stop, second step: @unlinked to every uplink.
    void unlink_all();

    void add_lane(lane_base& lane);
    void remove_lane(lane_base& lane) noexcept;
    void add_downlink(std::weak_ptr<agent_downlink> dl);

    // ---- the handler queue ---------------------------------------------------------------
    bool idle() const noexcept { return !busy_ && !draining_ && queue_.empty(); }
    void run_now(std::function<void()> const& f);
    void run_outer(std::function<void()> const& f);
    /// run_outer() in two halves, around handlers a downlink's runner calls in place.
    void enter() noexcept { draining_ = true; }
    void leave()
    {
        draining_ = false;
        drain();
    }
    void enqueue(std::function<void()> f);
    void enqueue(std::function<asio::awaitable<void>()> f);

private:
    void drain();

    server_impl* server_;
    strand_type strand_;
    std::string node_;
    params_type params_;
    agent_context ctx_;
    std::unique_ptr<agent> instance_;
    std::map<std::string, lane_base*, std::less<>> lanes_;
    std::vector<std::weak_ptr<agent_downlink>> downlinks_;
    std::string failure_;
    bool started_ = false;
    bool stopped_ = false;
    std::deque<std::variant<std::function<void()>, std::function<asio::awaitable<void>()>>> queue_;
    bool busy_ = false;
    bool draining_ = false;
};

/// A route: a node URI pattern and the factory of its agents.
struct route_entry {
    std::string pattern;
    /// Literal segments, or ":name" parameters.
    std::vector<std::string> segments;
    agent_factory make;
};

class server_impl : public std::enable_shared_from_this<server_impl> {
public:
    server_impl(asio::any_io_executor ex, server_config cfg);
    ~server_impl();

    asio::any_io_executor executor() const noexcept { return ex_; }
    server_config const& config() const noexcept { return cfg_; }
    void log(client::log_level level, std::string_view what) const;

    boost::system::error_code add_route(std::string_view pattern, agent_factory make);
    boost::system::error_code start();
    asio::awaitable<void> stop();
    bool stopping() const noexcept { return stopping_.load(); }

    /// A frame from a client: read under the port's lock, each request checked by the auth
    /// policy (unless the port is the local host's) and routed. Serially per port.
    warp::envelope_error on_frame(std::shared_ptr<uplink_port> const& port, std::string_view frame);
    /// The agent at `node`, started now if a route matches; nullptr if none does.
    std::shared_ptr<agent_runtime> find_agent(std::string_view node);
    /// A socket port was accepted / ended.
    bool add_port(std::shared_ptr<uplink_port> const& port);
    void port_closed(std::shared_ptr<uplink_port> const& port);
    std::uint64_t next_port_id() noexcept { return ++port_ids_; }
    warp::server_session_options session_options() const noexcept
    {
        return {cfg_.coalesce_after_bytes, cfg_.max_value_memory};
    }

    /// A connection starts its TCP, TLS and WebSocket handshakes (counted against
    /// max_handshakes) / has ended them, either way.
    void handshake_started() noexcept { handshakes_.fetch_add(1, std::memory_order_relaxed); }
    void handshake_ended();

    /// Counts tasks async_stop waits for.
    void task_started() noexcept { ++tasks_; }
    void task_done();

    local_host& local() noexcept { return *local_; }
    client::detail::client_impl& remote() noexcept { return *remote_; }

    std::uint16_t port() const noexcept { return port_; }
    bool tls() const noexcept { return ssl_ != nullptr; }
    server::stats stats() const;
    output_budget& budget() noexcept { return budget_; }

private:
    /// The output budget is spent: the connections furthest behind are closed until it is
    /// not (on the server's strand).
    void enforce_budget();
    /// @auth / @deauth of a socket port, by the auth policy.
    void on_auth(uplink_port& port, warp::uplink_request& r);
    /// Whether the auth policy allows `r` (link, sync or command) on `port`.
    bool allowed(uplink_port& port, warp::uplink_request const& r);

    asio::awaitable<void> accept_loop();
    asio::awaitable<void> stop_on_strand();
    /// Wakes wait_until() to check its condition again.
    void wake() noexcept;
    asio::awaitable<void> wait_until(std::function<bool()> done);

    asio::any_io_executor ex_;
    strand_type strand_;
    server_config cfg_;
    std::vector<route_entry> routes_;
    mutable std::mutex agents_mutex_;
    std::unordered_map<std::string, std::shared_ptr<agent_runtime>> agents_;
    output_budget budget_;
    mutable std::mutex ports_mutex_;
    std::map<std::uint64_t, std::weak_ptr<uplink_port>> ports_;
    std::atomic<std::uint64_t> port_ids_{0};
    std::optional<asio::ip::tcp::acceptor> acceptor_;
    /// Connections in their handshakes, and the accept loop's wait for one to end.
    std::atomic<std::size_t> handshakes_{0};
    std::atomic<std::size_t> accept_failures_{0};
    std::optional<asio::steady_timer> accept_wait_;
    std::shared_ptr<asio::ssl::context> ssl_;
    std::atomic<bool> stopping_{false};
    bool started_ = false;
    bool stopped_ = false;
    std::atomic<int> tasks_{0};
    asio::steady_timer done_;
    std::shared_ptr<local_host> local_;
    std::shared_ptr<client::detail::client_impl> remote_;
    std::uint16_t port_ = 0;

    friend class socket_port;
};

/// Spawns the session of an accepted socket (server_socket.cpp).
void serve_socket(
    std::shared_ptr<server_impl> srv,
    asio::ip::tcp::socket socket,
    std::shared_ptr<asio::ssl::context> ssl,
    strand_type strand);

/// Makes the server's local host (downlinks.cpp).
std::shared_ptr<local_host> make_local_host(server_impl& srv);
/// Local host: stop (at server stop, after the agents stopped).
asio::awaitable<void> stop_local_host(std::shared_ptr<local_host> host);

}  // namespace swim::server::detail

#endif
