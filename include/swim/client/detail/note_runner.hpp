// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_DETAIL_NOTE_RUNNER_HPP
#define SWIM_CLIENT_DETAIL_NOTE_RUNNER_HPP

#include <swim/warp/host_session.hpp>
#include <swim/warp/pending_notes.hpp>

#include <swim/client/detail/dispatch.hpp>

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>

namespace swim::client::detail {

/** Where a downlink's handlers run: a client connection's strand, or an agent (whose
 * handlers, of lanes and downlinks, run one at a time). Implemented by the downlink.
 */
class handler_site : public note_owner {
public:
    /// Something else of the site runs now (another handler of an agent): a notification
    /// waits for later() instead of running in place. A client downlink is never busy.
    virtual bool site_busy() const noexcept = 0;
    /// Around plain handlers run in place: the site counts as busy between them (an agent
    /// runs what they triggered at leave()).
    virtual void enter() noexcept = 0;
    virtual void leave() = 0;
    /// Runs `f` on the handlers' strand after what the site runs now (a busy agent).
    virtual void later(std::function<void()> f) = 0;
    /// Runs the coroutine `f` in the site's turn; the site is held back until it ends.
    virtual void spawn(std::function<boost::asio::awaitable<void>()> f) = 0;
    /// Runs `f` on the handlers' strand (from the strand a shared runner's push() runs on).
    virtual void post(std::function<void()> f) = 0;
    /// Other handlers of the site get a turn between two notifications run by coroutines
    /// (an agent); a client downlink awaits its queue through.
    virtual bool one_note_per_turn() const noexcept = 0;
    /// Gives a notification that will not run in the turn it came in the state it refers to
    /// (a map's @synced: the entries then).
    virtual void freeze(warp::view_note& note) const = 0;
    /// A handler threw `what`.
    virtual void handler_threw(std::string_view what) = 0;
    /// Keeps the downlink alive while a turn waits.
    virtual std::shared_ptr<void> keep_alive() = 0;

protected:
    ~handler_site() = default;
};

/** The serial handler runner of one downlink, client or agent side: notifications wait in
 * a warp::pending_notes bounded by max_pending_events (with its merge rules) and run one at
 * a time, in order. Plain handlers run in place (in the turn the notification came in when
 * nothing waits), coroutine handlers are awaited; the site says where.
 *
 * A `shared` runner (an agent's downlink, whose link lives on a host's strand) takes push()
 * from that other strand: its queue is guarded by a mutex, and a push that finds no turn
 * scheduled posts one to the handlers' strand; its site runs other handlers too (site_busy(),
 * enter(), leave()). A runner that is not shared is its site's only one and is pushed to on
 * the handlers' strand. Everything else runs on the handlers' strand.
 */
class note_runner {
public:
    /// `site` owns the runner. `shared`: push() comes from another strand.
    note_runner(handler_site& site, bool shared);

    void set_dispatcher(std::shared_ptr<note_dispatcher> d) noexcept { dispatch_ = std::move(d); }
    bool has_dispatcher() const noexcept { return dispatch_ != nullptr; }
    void set_limit(std::uint32_t max_pending) noexcept { limit_ = max_pending ? max_pending : 1; }
    std::uint32_t limit() const noexcept { return limit_; }

    /// Queues `note` (kept whole until arm()) and runs what waits when it can.
    /// warp::pending_notes::outcome::overrun: an event with max_pending_events waiting;
    /// nothing queued (the owner fails the downlink).
    warp::pending_notes::outcome push(warp::view_note&& note);
    /// Queues `note` whatever waits (the failure that ends an overrun downlink).
    void push_last(warp::view_note note);
    /// Handlers exist from now on: what came before runs (on the handlers' strand).
    void arm();
    /// Nothing runs from now on (any thread): what waits is dropped,
    /// and later pushes too.
    void stop() noexcept;

private:
    void drain();
    void turn();
    void schedule_turn();
    bool take(warp::view_note& out);
    bool empty() const;
    void run_now(warp::view_note& note);
    static boost::asio::awaitable<void> run_coroutines(
        note_runner* self,
        std::shared_ptr<void> keep,
        warp::view_note first);

    handler_site* site_;
    std::shared_ptr<note_dispatcher> dispatch_;
    // Allocated when first needed (an empty std::deque costs about 600 bytes).
    std::unique_ptr<warp::pending_notes> queue_;
    std::unique_ptr<std::mutex> mutex_;  // a shared runner only
    std::uint32_t limit_ = warp::downlink_options{}.max_pending_events;
    bool armed_ = false;
    std::atomic<bool> stopped_{false};
    /// A turn is posted (shared runner, under the mutex).
    bool scheduled_ = false;
    /// A notification is being handled: in place, deferred by the site, or awaited.
    bool busy_ = false;
};

}  // namespace swim::client::detail

#endif
