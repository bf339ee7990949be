// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_DETAIL_DOWNLINK_CORE_HPP
#define SWIM_CLIENT_DETAIL_DOWNLINK_CORE_HPP

#include <swim/recon/value.hpp>
#include <swim/warp/downlink_model.hpp>
#include <swim/warp/host_session.hpp>
#include <swim/warp/pending_notes.hpp>

#include <swim/client/detail/view_sink.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace swim::client::detail {

class connection;

/** The untyped, compiled part of every client downlink: its place in its connection's
 * session, the queue of notifications its handlers work through one at a time, and the
 * waiters of linked(), synced() and next_event().
 *
 * Every member runs on the connection's strand.
 */
class downlink_core
    : public view_sink
    , public std::enable_shared_from_this<downlink_core> {
public:
    /// Runs a downlink's handlers (implemented by the typed downlink, with its handlers).
    class dispatcher {
    public:
        /// Runs the handlers for one notification; the core keeps the dispatcher alive
        /// until it completes.
        virtual boost::asio::awaitable<void> dispatch(
            std::weak_ptr<downlink_core> core,
            warp::view_note& note) = 0;
        /// Runs them in place when every handler is plain; false (nothing done) otherwise.
        virtual bool dispatch_now(downlink_core& core, warp::view_note& note) = 0;

    protected:
        ~dispatcher() = default;
    };

    downlink_core(std::shared_ptr<connection> conn, warp::downlink_kind kind);
    ~downlink_core();

    /// Opens the downlink in its connection's session (once, on the strand).
    boost::system::error_code open(
        std::string_view node,
        std::string_view lane,
        warp::downlink_options const& opts);

    boost::asio::any_io_executor get_executor() const noexcept;
    warp::downlink_kind kind() const noexcept { return kind_; }
    warp::view_id id() const noexcept { return id_; }
    /// The node and lane (kept by the session: empty once the downlink is closed).
    std::string_view node() const noexcept;
    std::string_view lane() const noexcept;

    void set_dispatcher(std::shared_ptr<dispatcher> d) { dispatch_ = std::move(d); }

    // ---- status, as received (before the handlers of the notification run) ---------------
    bool linked() const noexcept { return linked_; }
    bool synced() const noexcept { return synced_; }
    /// True once the downlink has ended: closed, unlinked for good, or failed.
    bool closed() const noexcept { return closed_; }
    /// Why it ended: empty while open, warp::error::closed when closed by the user.
    boost::system::error_code error() const noexcept { return error_; }
    std::string const& reason() const noexcept;
    /// The shared state of the link, or nullptr when closed.
    warp::downlink_model const* model() const noexcept;

    /// What to say about an error a wait returned: the end's reason, or what went wrong
    /// reaching the host.
    std::string why(boost::system::error_code ec) const;

    /// Completes when linked (error: the downlink ended first, or an attempt to reach the
    /// host failed meanwhile).
    boost::asio::awaitable<boost::system::error_code> wait_linked();
    /// Completes when synced (errors as wait_linked(); error::no_sync at once when the
    /// downlink does not sync).
    boost::asio::awaitable<boost::system::error_code> wait_synced();

    // ---- writes ----------------------------------------------------------------------------
    boost::system::error_code set(recon::value v);
    boost::system::error_code update(recon::value key, recon::value v);
    boost::system::error_code remove(recon::value const& key);
    boost::system::error_code clear();
    boost::system::error_code take(std::uint64_t n);
    boost::system::error_code drop(std::uint64_t n);
    /// Queues `op` (one of the writes above) to run on the strand, in order, from another
    /// thread: warp::error::queue_full when too many wait, error::client_closed once closed.
    boost::system::error_code from_other_thread(
        std::function<boost::system::error_code(downlink_core&)> op);
    /// Runs `op` (one of the writes above) until it is not refused for a full queue.
    boost::asio::awaitable<boost::system::error_code> async_write(
        std::function<boost::system::error_code()> op);

    /// Closes the downlink: writes queued before are still written, then @unlink if it was
    /// the last downlink of its link. Handlers already queued still run.
    void close();

    /// Fails the downlink (a value that does not convert): it is closed with `ec` and `why`.
    void fail(boost::system::error_code ec, std::string why);

    // ---- the event stream ------------------------------------------------------------------
    /// The next event value (value: each set; event: each event), in order. Starts
    /// buffering at the first call. Error when the downlink has ended.
    boost::asio::awaitable<boost::system::error_code> next_event(recon::value& out);
    /// The next change as a notification (map downlinks: update, remove, clear).
    boost::asio::awaitable<boost::system::error_code> next_change(warp::downlink_notification& out);

    // ---- called by the connection ---------------------------------------------------------
    /// Handlers start to run: the notifications that came before (a late joiner's linked
    /// and synced, from the shared state) go to the handlers set since it was made.
    void arm();
    void deliver(warp::view_note note) override;
    /// The connection is gone for good (client closed).
    void end(boost::system::error_code ec, std::string reason) override;

private:
    static boost::asio::awaitable<void> run_handlers(std::shared_ptr<downlink_core> self);
    void start_runner();
    void run_queued();
    void freeze(warp::view_note& note) const;
    bool run_now(warp::view_note& note);
    warp::pending_notes& queued();
    bool queue_empty() const noexcept;
    boost::asio::awaitable<boost::system::error_code> wait_until(bool downlink_core::*flag);
    boost::asio::awaitable<void> wait();
    void wake() noexcept;

    /// Fails an event downlink whose handlers or stream fell too far behind.
    void overrun(char const* what);

    std::shared_ptr<connection> conn_;
    warp::downlink_kind kind_;
    /// downlink_options::max_pending_events (in the padding after kind_).
    std::uint32_t max_pending_ = warp::downlink_options{}.max_pending_events;
    warp::view_id id_ = 0;
    std::shared_ptr<dispatcher> dispatch_;
    // Notifications waiting for their handlers; allocated when first needed (an empty
    // std::deque costs about 600 bytes).
    std::unique_ptr<warp::pending_notes> queue_;
    /// The coroutine runner is running.
    bool running_ = false;
    /// Plain handlers are running in place (a notification they cause waits its turn).
    bool dispatching_ = false;
    bool linked_ = false;
    bool synced_ = false;
    bool closed_ = false;
    bool streaming_ = false;
    /// arm() has run: notifications go to the handlers.
    bool armed_ = false;
    /// The link asks for the lane's state (keep_synced, not an event downlink).
    bool syncs_ = true;
    boost::system::error_code error_;
    // Why it ended; made when it ends (most downlinks never need the bytes).
    std::unique_ptr<std::string> reason_;
    void set_reason(std::string why);
    std::unique_ptr<warp::pending_notes> stream_;
    // The timer waiters of linked(), synced() and next_event() sleep on; made at the first.
    struct waiters;
    std::unique_ptr<waiters> waiters_;
};

}  // namespace swim::client::detail

#endif
