// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// The server's moving parts: uplink ports (the server side of a client connection), agent
// runtimes, and the server itself. Private.

#ifndef SWIM_LIB_SERVER_SERVER_IMPL_HPP
#define SWIM_LIB_SERVER_SERVER_IMPL_HPP

#include <swim/server/http_lane.hpp>
#include <swim/server/server.hpp>
#include <swim/server/store.hpp>
#include <swim/warp/server_session.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
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
class store_writer;
struct route_entry;
struct lane_catalog;

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

struct server_uplink;

/** The server side of one client connection: a WebSocket, or the server's local host (the
 * agents' own downlinks). Its reader (the connection's strand, or the local host's) reads the
 * client's frames and decides about them through its warp::server_session, without a lock;
 * agents write to its queue from their strands under its lock; its writer drains the queue.
 */
class uplink_port
    : public std::enable_shared_from_this<uplink_port>
    , private warp::uplink_directory {
public:
    uplink_port(server_impl& srv, std::uint64_t id, bool local);
    virtual ~uplink_port();
    uplink_port(uplink_port const&) = delete;
    uplink_port& operator=(uplink_port const&) = delete;

    std::uint64_t id() const noexcept { return id_; }
    server_impl& server() const noexcept { return *srv_; }

    /// Runs `f(queue)` under the lock, then wakes the writer when frames wait. Nothing
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
            f(queue_);
            if (max_queued_ != 0 && queue_.queued_bytes() + inflight_ > max_queued_) {
                // What cannot be coalesced (events, syncs) piled up: let it go, and the
                // connection with it (its client resyncs when it connects again).
                over = queue_.queued_bytes() + inflight_;
                drop_output(dropped);
            } else {
                // The writer is woken once, then takes until it finds the queue empty.
                wake = !pending_ && queue_.has_output();
                if (wake)
                    pending_ = true;
                count_queued();
            }
        }
        if (over != 0)
            overflow(over, "max_queued_bytes");
        else if (wake)
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

    /// On the reader: reads a frame from the client and acts on it (warp::server_session).
    warp::envelope_error read(std::string_view frame);

    /// Moves the waiting frames to `out`; when there are none, clears the wake-up flag and
    /// returns false (the writer then sleeps until notify()). The bytes taken still count
    /// (against max_queued and the server's budget) until written().
    bool take_output(std::vector<warp::out_frame>& out);
    /// The frames of the last take_output() are written (or failed to be).
    void written();
    /// Bytes a sync lets wait (queued and being written) before it writes more.
    static constexpr std::size_t sync_window = 1024 * 1024;
    /// The step in which a port counts its bytes against the server's output budget: the
    /// budget's total overcounts each connection with output by less than two steps (2 KiB:
    /// 100,000 connections, the default max_connections, with a few bytes each count under
    /// 200 MB of the 512 MiB default budget).
    static constexpr std::size_t budget_step = 1024;
    /// Runs `f` once at most sync_window bytes wait: now, or from written() when the writer
    /// has caught up. Dropped when the port closes. (A sync goes on at the pace its client
    /// reads: it never holds more than about a window and a chunk of the lane's state.)
    void when_drained(std::function<void()> f);

    /// From an agent's strand: the agent stopped and ends `up` on its own. On the reader, the
    /// connection forgets it and hands it back to the agent to let go with `@unlinked`.
    void end_link(std::shared_ptr<server_uplink> up);

    /// On the reader: closes the port (later writes are dropped, waiting frames freed) and
    /// tells the agents to let its links go.
    void close();
    bool closed() const;
    /// The server stops: write what is queued, then close with 1001.
    virtual void shutdown() {}
    /// Closes the connection with `code` and `reason` once the frames queued now are written;
    /// what the client sends meanwhile is not read. Called by the reader.
    virtual void close_after_output(std::uint16_t code, std::string reason)
    {
        (void)code;
        (void)reason;
    }
    /// The server's own local host (its links are not checked by the auth policy).
    bool local() const noexcept { return local_; }
    /// Links held now (read on the reader).
    std::size_t links() const noexcept { return reader_.links(); }

protected:
    /// Wakes the writer (called once per batch of writes).
    virtual void notify() = 0;
    /// Runs `f` on the reader.
    virtual void post_reader(std::function<void()> f) = 0;
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
        // Nothing is queued from now on, and no write (so no unlinked()) reaches the queue:
        // the uplinks' key indexes go while the uplinks are still there.
        queue_.drop_keys();
        queue_.take_output(dropped);
        count_queued();
    }
    /// Under the lock: brings the count (and the budget's) to the queue.
    void count_queued() noexcept
    {
        std::size_t const now = queue_.queued_bytes() + inflight_;
        queued_.store(now, std::memory_order_relaxed);  // (written under the lock only)
        if (!budget_)
            return;
        // The budget, shared by every connection, is told in steps (one atomic add per
        // budget_step bytes, not per frame): the port counts there what it holds rounded up
        // to a step, and gives back once it holds two steps less, or nothing.
        std::size_t const want = (now + budget_step - 1) / budget_step * budget_step;
        if (want > counted_) {
            budget_->add(want - counted_);
            counted_ = want;
        } else if (want + budget_step < counted_ || (now == 0 && counted_ != 0)) {
            budget_->take(counted_ - want);
            counted_ = want;
        }
    }
    /// Under the lock: the port counts nothing against the budget from now on.
    void uncount() noexcept
    {
        queued_.store(0, std::memory_order_relaxed);
        if (budget_)
            budget_->take(std::exchange(counted_, 0));
    }

private:
    // warp::uplink_directory, on the reader.
    warp::auth_answer authenticate(recon::value const& credentials) override;
    bool allow(warp::uplink_request const& r, std::optional<recon::value> const& identity) override;
    warp::open_result open(warp::uplink_request& r) override;
    bool reopen(warp::uplink_request& r, std::shared_ptr<warp::uplink> const& link) override;
    void unlink(std::shared_ptr<warp::uplink> link) override;
    warp::route_result command(warp::uplink_request& r) override;
    void reply(std::string frame) override;
    void close_connection(std::uint16_t code, std::string_view reason) override;
    void note(std::string_view what) override;

    server_impl* srv_;
    std::uint64_t id_;
    bool local_;
    /// The reader's.
    warp::server_session reader_;
    mutable std::mutex mutex_;
    warp::uplink_queue queue_;
    /// The writer is woken (or awake) and takes until it finds the queue empty.
    bool pending_ = false;
    std::size_t max_queued_ = 0;
    output_budget* budget_ = nullptr;
    /// Bytes taken by the writer and not yet written.
    std::size_t inflight_ = 0;
    /// What waits for the writer to catch up (when_drained).
    std::vector<std::function<void()>> drained_;
    std::atomic<std::size_t> queued_{0};
    /// What the port counts against the budget: queued_ rounded up to budget_step.
    std::size_t counted_ = 0;
    bool overflowed_ = false;
    bool closed_ = false;
};

/// A link of a connection to a lane of an agent (its node and lane name are the agent's:
/// it holds the agent).
struct server_uplink final : warp::uplink {
    server_uplink(
        std::shared_ptr<uplink_port> p,
        std::shared_ptr<agent_runtime> const& a,
        std::uint32_t lane);

    std::string_view node() const noexcept override;
    std::string_view lane() const noexcept override;

    /// The lane, by its index in the agent's catalog.
    std::uint32_t lane_index;
    // On the agent's strand:
    /// Its place in its lane's list of uplinks, when `in_lane`.
    std::uint32_t slot = 0;
    bool in_lane = false;
    /// The agent stopped and asked the connection to end it.
    bool ending = false;
    std::shared_ptr<uplink_port> port;
    std::shared_ptr<agent_runtime> agent;
};

/// The names of an agent's lanes, sorted: fixed once the agent is made (shared by the agents
/// of a route whose lanes are the same). Read from any thread.
struct lane_catalog {
    std::vector<std::string> names;
    /// Where each lane is in the agent that made the catalog (its address less the agent's):
    /// an agent whose lanes are at the same places keeps no list of them.
    std::vector<std::uintptr_t> offsets;
    std::vector<lane_kind> kinds;
    /// The index of `name`, or -1.
    std::int64_t find(std::string_view name) const noexcept;
    /// The index of `name` when WARP clients may address it (not a store, not an HTTP
    /// lane), or -1.
    std::int64_t find_addressable(std::string_view name) const noexcept
    {
        auto const i = find(name);
        if (i < 0)
            return -1;
        auto const k = kinds[static_cast<std::size_t>(i)];
        return k != lane_kind::store && k != lane_kind::http ? i : -1;
    }
    /// The index of the HTTP lane `name`, or -1.
    std::int64_t find_http(std::string_view name) const noexcept
    {
        auto const i = find(name);
        return i >= 0 && kinds[static_cast<std::size_t>(i)] == lane_kind::http ? i : -1;
    }
};

/// What a lane's event held for a store write is (lane_base::broadcast_*()).
enum class held_event : std::uint8_t {
    value,
    event
};

/// The runtime of one agent: its strand, lanes, handler queue, downlinks and lifecycle.
class agent_runtime : public std::enable_shared_from_this<agent_runtime> {
public:
    using params_type = std::map<std::string, std::string, std::less<>>;

    agent_runtime(server_impl& srv, route_entry const& route, std::string node);
    ~agent_runtime();

    server_impl& server() const noexcept;
    strand_type const& strand() const noexcept { return *strand_; }
    std::string const& node() const noexcept { return node_; }
    params_type const& params() const;
    std::string_view param(std::string_view name) const noexcept;
    agent_context& context() noexcept { return ctx_; }
    /// The lanes' names (set by construct(); fixed after it).
    std::shared_ptr<lane_catalog const> const& catalog() const noexcept { return catalog_; }
    std::string const& failure() const noexcept;

    void log(client::log_level level, std::string_view what) const;

    /// Makes the agent (its constructor runs: its lanes register), before anyone else sees the
    /// runtime; false, with failure() set, when the factory failed.
    bool construct();
    /// Under the agents lock, once made and before anyone else sees it: shares the route's
    /// catalog when the names are the same (sets the route's when it has none).
    void share_catalog();

    // ---- for the server's sweeper (any thread) ------------------------------------------
    std::uint32_t activity() const noexcept { return activity_.load(std::memory_order_relaxed); }
    std::uint32_t link_count() const noexcept { return links_.load(std::memory_order_relaxed); }
    /// A request routed to the agent and not yet handled on its strand.
    void routed() noexcept { pending_.fetch_add(1, std::memory_order_relaxed); }
    std::uint32_t pending() const noexcept { return pending_.load(std::memory_order_relaxed); }
    /// Under the server's agents lock: whether it counts as a live agent (max_agents), when
    /// it was last seen active, and what its activity was then.
    bool counted = false;
    std::uint32_t swept_activity = 0;
    std::chrono::steady_clock::time_point idle_since{};

    // ---- on the strand -------------------------------------------------------------------
    /// The first start: on_start.
    void start();
    /// A link or sync of a connection (a new uplink, or one it holds: `@linked` again).
    void open(std::shared_ptr<server_uplink> up, bool sync, warp::link_params params);
    /// The client unlinked `up`: `@unlinked`.
    void unlink(std::shared_ptr<server_uplink> const& up);
    /// The connection forgot `up`, which the agent ended: let it go, `@unlinked`.
    void ended(std::shared_ptr<server_uplink> const& up);
    /// The connection ended: its uplinks go.
    void drop(std::vector<std::shared_ptr<server_uplink>> const& ups);
    /// A client's command to the lane at `lane` (catalog index).
    void command(std::uint32_t lane, recon::value body);
    /// An HTTP request to the HTTP lane at `lane` (catalog index): `done` gets the answer,
    /// once, on the strand (or never, when the agent goes first: the connection's timeout
    /// answers then).
    void http(
        std::uint32_t lane,
        std::shared_ptr<http_request const> req,
        std::function<void(http_response)> done);
    /// Map entries a sync writes before it lets the strand's other work run.
    static constexpr std::size_t sync_chunk = 4096;
    /// Writes the next chunk of a sync of `up` (the entries after `after`), then posts the
    /// next step, or writes @synced.
    void sync_step(std::shared_ptr<server_uplink> up, std::optional<recon::value> after);
    /// The sweeper saw no link and no activity since `activity` for agent_idle_timeout: stop
    /// (state kept) if that still holds.
    void idle_check(std::uint32_t activity);
    /// The application stops the agent (agent_context::stop()): its links end, its state is
    /// kept, the next envelope starts it again.
    void request_stop();
    /// Server stop, first step: on_stop, then every downlink of the agent stopped (so no
    /// downlink sees the unlinks of the next step).
    void stop_downlinks();
    /// Server stop, second step: @unlinked to every uplink.
    void unlink_all();

    void add_lane(lane_base& lane, std::string name);
    /// The name of a lane by its lane_base::index_.
    std::string const& lane_name(std::uint32_t index) const noexcept;
    void remove_lane(lane_base& lane) noexcept;
    void add_downlink(std::weak_ptr<agent_downlink> dl);
    /// Counts a change, a request, a handler run (what keeps an agent from being idle).
    void touch() noexcept { bump(activity_); }
    /// An event sent by a lane / a command received (the meta `pulse` counts them).
    void count_event() noexcept { bump(events_); }
    void count_command() noexcept { bump(commands_); }
    std::uint32_t events() const noexcept { return events_.load(std::memory_order_relaxed); }
    std::uint32_t commands() const noexcept { return commands_.load(std::memory_order_relaxed); }
    /// A lane's uplink list gained / lost one.
    void link_added() noexcept { links_.fetch_add(1, std::memory_order_relaxed); }
    void link_removed() noexcept { links_.fetch_sub(1, std::memory_order_relaxed); }

    // ---- the store (lib/server/persist.cpp), on the strand --------------------------------
    /// Whether the server's store is durable: every change of a persisted lane is written
    /// through, and the agent's events wait for the write (holding()).
    bool writes_through() const noexcept;
    /// Changes of persisted lanes, queued for the store.
    void write_value(lane_base& lane, recon::value const& v);
    void write_map(lane_base& lane, warp::map_event const& e);
    void write_link(lane_base& lane, recon::value const& key, recon::value const* spec);
    /// Changes are being written: what the lanes send waits for them (hold(), hold_sync()).
    bool holding() const noexcept { return more_ && more_->writes && more_->writes->holding(); }
    void hold(lane_base& lane, held_event kind, recon::value const& v);
    void hold(lane_base& lane, warp::map_event const& e);
    /// Whether the state of `lane` before its changes not yet written is kept.
    bool keeps_before(lane_base const& lane) const noexcept;
    void keep_before(lane_base& lane, recon::value before);
    /// Reads the agent's state from the store into its lanes (before on_start: no handler).
    void load_state();

    // ---- the handler queue ---------------------------------------------------------------
    bool idle() const noexcept { return !busy_ && !draining_ && !handlers_; }
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
    enum class phase : std::uint8_t {
        made,      ///< constructed, on_start not run yet
        live,      ///< started
        stopping,  ///< stopped by the application or for idleness; handlers finish
        dormant,   ///< no instance; the lanes' state kept in saved_
        stopped    ///< the server stopped
    };

    void drain();
    /// Adds one to a counter only the strand writes (others read it).
    static void bump(std::atomic<std::uint32_t>& n) noexcept
    {
        n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    /// Starts a dormant agent again (a new instance, the saved state, on_start); false, with
    /// why, when it cannot serve (the server stopped, max_agents, its constructor failed).
    bool ensure_live(std::string* why = nullptr);
    /// Whether a dormant agent has something to keep (lanes' state, links ending, requests).
    bool keeps_state() const noexcept;
    /// Forgets a dormant agent once it keeps nothing.
    void forget_if_done();
    /// on_stop, downlinks stopped, uplinks ended; then, once no handler runs, finish_stop().
    void begin_stop();
    void finish_stop();
    /// The lane at `index` in the catalog, or null (not served, or no instance).
    lane_base* lane_at(std::uint32_t index) const noexcept;
    std::uint32_t lane_count() const noexcept
    {
        return catalog_ ? static_cast<std::uint32_t>(catalog_->names.size()) : 0;
    }
    /// After construct(): where lane_at() finds the lanes (`found`, by catalog index).
    void place_lanes(std::vector<lane_base*> found);
    /// Lets the instance go (its lanes with it).
    void drop_instance() noexcept;
    /// Writes `@unlinked` with `reason` to `up` (not in a lane).
    void refuse(server_uplink& up, recon::value const& reason);
    /// Takes `up` out of its lane's list.
    void take_out(server_uplink& up);
    /// Runs what waited for the stop to finish.
    void run_parked();
    /// A non-durable store: the changed persisted lanes' state is written to it (at stop).
    void save_to_store();
    /// Adds a change to the open batch (its submit_writes() posted when none is).
    void queue_write(store_write change);
    /// Hands the changes queued to the store's writer (one batch in flight at a time).
    void submit_writes();
    void writes_done(boost::system::error_code ec);
    /// Sends what was held for the batches written so far.
    void release_held();
    /// A write failed: the changes not written are undone (the lanes read back from the
    /// store) and what was held for them is dropped; syncs start again.
    void undo_writes();
    /// A sync chunk of `up` (`frames`, then @synced when `last`): held while writes are.
    void send_sync(
        std::shared_ptr<server_uplink> const& up,
        std::vector<warp::out_frame> frames,
        bool last);
    /// The lane is going: nothing held refers to it.
    void forget_held(lane_base& lane) noexcept;
    /// Whether the stop can finish (no handler runs, no write is in flight).
    bool can_finish_stop() const noexcept { return idle() && !holding(); }

    /// The changes on their way to a durable store and what waits for them.
    struct write_state {
        /// Changes not handed to the writer yet (the open batch).
        std::vector<store_write> open;
        /// Batches are numbered; the last written, the one in flight.
        std::uint64_t written = 0;
        std::uint64_t in_flight = 0;
        bool posted = false;
        /// A lane's state before the changes of the batch in flight / the open batch.
        std::vector<std::pair<lane_base*, recon::value>> flight_before;
        std::vector<std::pair<lane_base*, recon::value>> open_before;
        struct held_sync {
            std::shared_ptr<server_uplink> up;
            std::vector<warp::out_frame> frames;
            bool last = false;
        };
        struct held {
            /// Sent once this batch is written.
            std::uint64_t batch = 0;
            lane_base* lane = nullptr;
            std::variant<std::pair<held_event, recon::value>, warp::map_event, held_sync> what;
        };
        std::deque<held> waiting;

        bool holding() const noexcept { return in_flight != 0 || !open.empty(); }
        /// The batch what happens now waits for.
        std::uint64_t batch_now() const noexcept
        {
            return open.empty() ? in_flight : (in_flight != 0 ? in_flight + 1 : written + 1);
        }
    };
    write_state& writes();

    /// What few agents need, made when one does (an agent costs little while it has none).
    struct extras {
        mutable std::unique_ptr<params_type> params;
        /// Lanes registered while constructing.
        std::vector<lane_base*> building;
        /// By catalog index (null: not served), when not at the catalog's offsets.
        std::vector<lane_base*> lanes;
        /// The names of the lanes not in the catalog (while constructing; a lane named twice).
        std::deque<std::string> names;
        std::vector<std::weak_ptr<agent_downlink>> downlinks;
        /// Uplinks the agent ended, waiting for their connections to forget them.
        std::vector<std::shared_ptr<server_uplink>> ending;
        std::unique_ptr<write_state> writes;
        /// What arrived while stopping, run once stopped.
        std::vector<std::function<void()>> parked;
        std::string failure;
    };
    extras& more() const;
    /// Frees the extras when none is in use.
    void trim() noexcept;

    route_entry const* route_;
    /// One of the server's agent strands (shared with other agents).
    strand_type const* strand_;
    std::string node_;
    agent_context ctx_;
    std::unique_ptr<agent> instance_;
    std::shared_ptr<lane_catalog const> catalog_;
    mutable std::unique_ptr<extras> more_;
    phase phase_ = phase::made;
    /// Constructing against the route's catalog (a lane not in it is not an error yet).
    bool trying_ = false;
    /// The lanes are at the catalog's offsets from the instance (else in extras::lanes).
    bool at_offsets_ = false;
    /// While constructing: the lanes found in the catalog, by index.
    std::vector<lane_base*>* found_ = nullptr;
    /// Handlers waiting their turn (made when one waits, gone when none does).
    struct handler_queue {
        std::vector<std::variant<std::function<void()>, std::function<asio::awaitable<void>()>>>
            items;
        std::size_t head = 0;
    };
    std::unique_ptr<handler_queue> handlers_;
    bool busy_ = false;
    bool draining_ = false;
    /// The store holds state of the agent's (kept while it is dormant).
    bool kept_ = false;
    /// Reading the state back: what the lanes do meanwhile is not written.
    bool loading_ = false;
    std::atomic<std::uint32_t> activity_{0};
    std::atomic<std::uint32_t> links_{0};
    std::atomic<std::uint32_t> pending_{0};
    /// Events the agent's lanes sent, commands they received (the meta `pulse`).
    std::atomic<std::uint32_t> events_{0};
    std::atomic<std::uint32_t> commands_{0};
};

/// How the meta agents' node URIs begin (server_config::meta).
inline constexpr std::string_view meta_prefix = "swimos:meta:";

/// A route: a node URI pattern and the factory of its agents.
struct route_entry {
    server_impl* server = nullptr;
    /// A route of the meta agents (its node URIs start with `swimos:meta:`, not `/`).
    bool meta = false;
    std::string pattern;
    /// Literal segments, or ":name" parameters.
    std::vector<std::string> segments;
    agent_factory make;
    /// The lane names of the route's first agent, shared by the later ones whose lanes are
    /// the same: set once, then never swapped (the lanes may hold their names).
    std::shared_ptr<lane_catalog const> catalog() const
    {
        std::lock_guard lock(catalog_mutex_);
        return catalog_;
    }
    void offer_catalog(std::shared_ptr<lane_catalog const> const& made) const
    {
        std::lock_guard lock(catalog_mutex_);
        if (!catalog_)
            catalog_ = made;
    }

private:
    // (A mutex, not std::atomic<shared_ptr>: GCC 12's unlocks its load with a relaxed
    // store, which ThreadSanitizer rightly reports against the next store.)
    mutable std::mutex catalog_mutex_;
    mutable std::shared_ptr<lane_catalog const> catalog_;
};

inline server_impl& agent_runtime::server() const noexcept
{
    return *route_->server;
}

/// Where a request for a lane goes: the agent (counted as routed to) and the lane's index.
struct lane_route {
    warp::route_result what = warp::route_result::ok;
    std::shared_ptr<agent_runtime> agent;
    std::uint32_t lane = 0;
    /// unavailable: why.
    std::string reason;
};

/// Logs one line per interval for a kind of trouble, with the count of those it held back.
class log_limiter {
public:
    /// Whether to log now; `held` gets the count of the lines held back since the last one.
    bool allow(std::chrono::milliseconds interval, std::size_t& held);

private:
    std::mutex mutex_;
    std::chrono::steady_clock::time_point last_{};
    bool any_ = false;
    std::size_t held_ = 0;
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

    /** The agent serving `node` and the index of its lane `lane`: the live or dormant agent
     * of that node, or a new one made now (its constructor runs here) when a route matches,
     * the lane exists and max_agents allows. Nothing is kept when the answer is not ok. An
     * ok answer counts a request routed to the agent: post one handler that calls on it.
     */
    lane_route route_lane(std::string_view node, std::string_view lane, bool http = false);
    /// An HTTP request starts: false when max_http_requests were in flight already (it is
    /// answered 503). http_ended() follows either way.
    bool http_started() noexcept
    {
        return cfg_.max_http_requests == 0 ||
               http_in_flight_.fetch_add(1, std::memory_order_relaxed) < cfg_.max_http_requests;
    }
    void http_ended() noexcept
    {
        if (cfg_.max_http_requests != 0)
            http_in_flight_.fetch_sub(1, std::memory_order_relaxed);
    }
    /// Calls `on_stop` when the server stops (at once when it is stopping already), unless
    /// unwatch_stop(id) came first. @returns the id.
    std::uint64_t watch_stop(std::function<void()> on_stop);
    void unwatch_stop(std::uint64_t id);
    /// server_config::http_root made canonical by start() (empty: no files).
    std::filesystem::path const& http_root() const noexcept { return http_root_; }
    /// Where the agents' state is kept (server_config::store; a store in memory when none).
    store& state_store() const noexcept { return *store_; }
    /// The writer of a durable store (null: the store is not durable).
    store_writer* writer() const noexcept { return writer_.get(); }
    /// Writes that failed (their changes were undone): counted, logged once per interval.
    void write_failed(agent_runtime& rt, std::size_t changes, std::string_view lanes);
    /// The agent of `node` (live or dormant), or null: none is made.
    std::shared_ptr<agent_runtime> find_agent(std::string_view node) const;
    /// Whether the agent of `node` is live (false: dormant); nullopt when there is none.
    std::optional<bool> agent_live(std::string_view node) const;
    /// The node URIs of the agents (live or dormant), and whether each is live.
    std::vector<std::pair<std::string, bool>> agent_nodes() const;
    /// The route that would serve `node`, or null.
    route_entry const* route_of(std::string_view node) const { return match(node); }
    /// The auth policy (on a connection's reader).
    warp::auth_answer authenticate(recon::value const& credentials);
    bool allow(warp::uplink_request const& r, std::optional<recon::value> const& identity);
    /// on_request of the auth policy (allow when it has none; refuse when it throws).
    bool allow(lane_request const& r, std::optional<recon::value> const& identity);
    /// A socket port was accepted / ended.
    bool add_port(std::shared_ptr<uplink_port> const& port);
    void port_closed(std::shared_ptr<uplink_port> const& port);
    std::uint64_t next_port_id() noexcept { return ++port_ids_; }

    /// An agent went dormant (its links ended, its state kept in it): no longer live; it is
    /// forgotten when it keeps no state and no request is on its way to it.
    void agent_dormant(agent_runtime& rt, bool keeps_state);
    /// A dormant agent starts again: counted live; false when max_agents has no room.
    bool agent_woke(agent_runtime& rt);
    /// Under the agents lock: counts a request routed to `rt` when it is still the agent of
    /// its node (false: it was forgotten meanwhile).
    bool route_to(agent_runtime& rt);
    /// The strand an agent of `node` runs on: one of a fixed set, shared by agents (a strand
    /// of its own per agent would cost each about 150 bytes).
    strand_type const& agent_strand(std::string_view node) const noexcept;

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
    /// The route matching `node`, or null.
    route_entry const* match(std::string_view node) const;
    /// The meta agents' routes (server_config::meta), added by start().
    void add_meta_routes();
    /// Under agents_mutex_: whether one more live agent fits max_agents (logged when not).
    bool room_for_agent();
    /// Under agents_mutex_: counts `rt` live unless it is already; false when it does not fit.
    bool count_live(agent_runtime& rt);
    /// Every agent_idle_timeout / 4: agents idle that long are asked to stop.
    asio::awaitable<void> sweep_loop();
    void sweep();

    asio::awaitable<void> accept_loop();
    asio::awaitable<void> stop_on_strand();
    /// Wakes wait_until() to check its condition again.
    void wake() noexcept;
    asio::awaitable<void> wait_until(std::function<bool()> done);

    asio::any_io_executor ex_;
    strand_type strand_;
    server_config cfg_;
    /// (A deque: the agents point at their routes.)
    std::deque<route_entry> routes_;
    std::vector<strand_type> agent_strands_;
    mutable std::mutex agents_mutex_;
    /// Hashes and compares agents by node URI (looked up by a node's string_view). The hash
    /// is not kept in the table's nodes (it is noexcept and cheap): a node is two words.
    struct by_node {
        using is_transparent = void;
        static std::string_view key(std::string_view node) noexcept { return node; }
        static std::string_view key(std::shared_ptr<agent_runtime> const& rt) noexcept;
        template <class A>
        std::size_t operator()(A const& a) const noexcept
        {
            return std::hash<std::string_view>{}(key(a));
        }
        template <class A, class B>
        bool operator()(A const& a, B const& b) const noexcept
        {
            return key(a) == key(b);
        }
    };
    /// Live and dormant agents, by node URI.
    std::unordered_set<std::shared_ptr<agent_runtime>, by_node, by_node> agents_;
    /// Agents counted live (agent_runtime::counted).
    std::size_t live_agents_ = 0;
    std::atomic<std::size_t> http_in_flight_{0};
    /// What ends the connections in their handshakes or serving HTTP when the server stops.
    std::mutex stop_watch_mutex_;
    std::map<std::uint64_t, std::function<void()>> stop_watch_;
    std::uint64_t stop_watch_ids_ = 0;
    std::filesystem::path http_root_;
    std::shared_ptr<store> store_;
    std::unique_ptr<store_writer> writer_;
    std::atomic<std::uint64_t> undone_writes_{0};
    log_limiter write_fail_log_;
    log_limiter agent_limit_log_;
    log_limiter agent_fail_log_;
    std::optional<asio::steady_timer> sweep_timer_;
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
