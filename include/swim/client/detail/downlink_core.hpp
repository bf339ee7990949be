// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_DETAIL_DOWNLINK_CORE_HPP
#define SWIM_CLIENT_DETAIL_DOWNLINK_CORE_HPP

#include <swim/recon/value.hpp>
#include <swim/warp/downlink_model.hpp>
#include <swim/warp/host_session.hpp>
#include <swim/warp/pending_notes.hpp>

#include <swim/client/detail/note_runner.hpp>
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
class downlink_core final
    : public view_sink
    , public handler_site
    , public std::enable_shared_from_this<downlink_core> {
public:
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

    /// The typed handlers (set by the handle when it is made).
    void set_dispatcher(std::shared_ptr<note_dispatcher> d)
    {
        runner_.set_dispatcher(std::move(d));
    }

    // ---- status, as received (before the handlers of the notification run) ---------------
    bool linked() const noexcept { return status_.linked; }
    bool synced() const noexcept { return status_.synced; }
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
    /// Runs a linked (synced) notification again in its own turn, for a handler set after
    /// the link came up (was synced), while it still is: a synced one with the state now.
    void replay(warp::downlink_notification::type what);
    void deliver(warp::view_note&& note) override;
    /// The connection is gone for good (client closed).
    void end(boost::system::error_code ec, std::string reason) override;

    // ---- handler_site: handlers run on the connection's strand ------------------------------
    std::string conversion_failure(recon::conversion_error const& err) const override;
    void fail_conversion(recon::conversion_error const& err, std::string const& why) override;
    warp::map_state const* live_map() const noexcept override;
    bool site_busy() const noexcept override { return false; }
    void enter() noexcept override {}
    void leave() override {}
    void later(std::function<void()> f) override;
    void spawn(std::function<boost::asio::awaitable<void>()> f) override;
    void post(std::function<void()> f) override;
    bool one_note_per_turn() const noexcept override { return false; }
    void freeze(warp::view_note& note) const override;
    void handler_threw(std::string_view what) override;
    std::shared_ptr<void> keep_alive() override { return shared_from_this(); }

private:
    boost::asio::awaitable<boost::system::error_code> wait_until(bool warp::downlink_status::*flag);
    boost::asio::awaitable<void> wait();
    void wake() noexcept;

    /// Fails an event downlink whose handlers or stream fell too far behind.
    void overrun(char const* what);

    std::shared_ptr<connection> conn_;
    warp::downlink_kind kind_;
    warp::view_id id_ = 0;
    /// The handlers' queue and runner (bounded by max_pending_events).
    note_runner runner_{*this, false};
    warp::downlink_status status_;
    bool closed_ = false;
    bool streaming_ = false;
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
