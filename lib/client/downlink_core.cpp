// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/client/error.hpp>
#include <swim/recon/error.hpp>
#include <swim/recon/writer.hpp>

#include <swim/client/detail/downlink_core.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "connection.hpp"
#include "foreign_writes.hpp"

namespace swim::client::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

// A timer that never expires: waiting on it sleeps until cancel() wakes every waiter.
struct downlink_core::waiters {
    asio::steady_timer timer;
    explicit waiters(asio::any_io_executor ex)
        : timer(ex, asio::steady_timer::time_point::max())
    {}
};

downlink_core::downlink_core(std::shared_ptr<connection> conn, warp::downlink_kind kind)
    : conn_(std::move(conn))
    , kind_(kind)
{}

downlink_core::~downlink_core()
{
    // The last handle is gone, so no one can close the downlink any more: it closes now, as
    // close() does (queued writes first), on the connection's strand.
    if (closed_ || id_ == 0)
        return;
    asio::post(conn_->get_executor(), [conn = conn_, id = id_] {
        conn->session().close_view(id);
        conn->detach(id);
        conn->pump();
    });
}

asio::any_io_executor downlink_core::get_executor() const noexcept
{
    return conn_->get_executor();
}

error_code downlink_core::open(
    std::string_view node,
    std::string_view lane,
    warp::downlink_options const& opts)
{
    max_pending_ = std::max<std::uint32_t>(1, opts.max_pending_events);
    syncs_ = opts.keep_synced && kind_ != warp::downlink_kind::event;
    error_code ec = conn_->session().open_view(node, lane, kind_, opts, id_);
    if (ec) {
        closed_ = true;
        error_ = ec;
        set_reason(ec.message());
        return ec;
    }
    conn_->attach(id_, weak_from_this());
    conn_->start();
    conn_->pump();
    // Handlers are set on the handle after this returns: they run from the next turn, and
    // what came before (a late joiner's linked and synced) waits for them.
    asio::post(conn_->get_executor(), [weak = weak_from_this()] {
        if (auto self = weak.lock())
            self->arm();
    });
    return {};
}

void downlink_core::arm()
{
    armed_ = true;
    if (!dispatch_)
        queue_.reset();  // no handlers: nothing to run
    else if (!running_ && !dispatching_ && !queue_empty())
        run_queued();
}

std::string const& downlink_core::reason() const noexcept
{
    static std::string const none;
    return reason_ ? *reason_ : none;
}

std::string downlink_core::why(error_code ec) const
{
    if (reason_ && !reason_->empty())
        return *reason_;
    if (ec && ec == conn_->last_failure())
        return conn_->last_failure_reason();
    if (ec == error::no_sync)
        return "the downlink does not sync: it was opened with keep_synced false (or is an "
               "event downlink)";
    return {};
}

void downlink_core::set_reason(std::string why)
{
    reason_ = std::make_unique<std::string>(std::move(why));
}

std::string_view downlink_core::node() const noexcept
{
    return conn_->session().node_of(id_);
}

std::string_view downlink_core::lane() const noexcept
{
    return conn_->session().lane_of(id_);
}

warp::downlink_model const* downlink_core::model() const noexcept
{
    return closed_ ? nullptr : conn_->session().model(id_);
}

void downlink_core::wake() noexcept
{
    if (waiters_)
        waiters_->timer.cancel();
}

asio::awaitable<void> downlink_core::wait()
{
    if (!waiters_)
        waiters_ = std::make_unique<waiters>(conn_->get_executor());
    co_await waiters_->timer.async_wait(use_tuple);
}

void downlink_core::deliver(warp::view_note note)
{
    using type = warp::downlink_notification::type;
    auto& n = note.note;
    switch (n.what) {
        case type::linked: linked_ = true; break;
        case type::synced:
            synced_ = true;
            // Handlers run later: hand them the value as it is now.
            if (kind_ == warp::downlink_kind::value)
                if (auto m = model())
                    n.value = m->value();
            break;
        case type::unlinked:
            linked_ = false;
            synced_ = false;
            if (note.terminal) {
                closed_ = true;
                error_ = error::unlinked;
                set_reason(n.reason);
            }
            break;
        case type::failed:
            closed_ = true;
            // A host that cannot be reached (keep_linked false) ends it with that error.
            error_ = n.error && conn_->failed_attempts() > 0 && n.error == conn_->last_failure()
                         ? n.error
                         : error_code(error::link_failed);
            set_reason(n.reason);
            break;
        case type::set:
        case type::event:
        case type::update:
        case type::remove:
        case type::clear:
            // Beyond max_pending_events unread, the merge rules of the handler queue: a value
            // stream keeps the latest value, a map stream the latest change of each key; an
            // event stream fails rather than drop one.
            if (streaming_ &&
                stream_->push(note, max_pending_) == warp::pending_notes::outcome::overrun) {
                overrun("next_event() was not called for");
                return;
            }
            break;
        default: break;
    }
    if (note.terminal)
        closed_ = true;
    wake();
    if (!armed_) {
        // Made this turn: the handle's handlers are not set yet.
        freeze(note);
        queued().push_back(std::move(note));
        return;
    }
    if (!dispatch_)
        return;
    bool const idle = !running_ && !dispatching_ && queue_empty();
    if (idle) {
        queued().push_back(std::move(note));
        run_queued();
        return;
    }
    freeze(note);
    if (queued().push(std::move(note), max_pending_) == warp::pending_notes::outcome::overrun) {
        overrun("its handlers fell");
        return;
    }
    if (!running_ && !dispatching_)
        start_runner();
}

void downlink_core::overrun(char const* what)
{
    // Events cannot be merged, and dropping one silently would lose it: the downlink fails,
    // with on_failed after the events that wait.
    std::string why = "event downlink " + std::string(node()) + " " + std::string(lane()) + ": " +
                      what + " " + std::to_string(max_pending_) +
                      " events behind (max_pending_events)";
    if (dispatch_) {
        warp::view_note f;
        f.view = id_;
        f.note.what = warp::downlink_notification::type::failed;
        f.note.error = error::overrun;
        f.note.reason = why;
        f.terminal = true;
        queued().push_back(std::move(f));
        if (!running_ && !dispatching_)
            start_runner();
    }
    fail(error::overrun, std::move(why));
}

// Plain handlers run now, then whatever they caused (a set from did_set) in turn; coroutine
// handlers go to the runner. The caller holds this downlink alive.
void downlink_core::run_queued()
{
    dispatching_ = true;
    bool done = true;
    while (done && !queue_empty()) {
        warp::view_note next = queue_->take();
        done = run_now(next);
        if (!done) {
            freeze(next);
            queue_->push_front(std::move(next));
        }
    }
    dispatching_ = false;
    if (!done)
        start_runner();
}

// A map's @synced whose handlers run later gets the state as it is now: on_synced must not
// see changes that came after it (they have notifications of their own).
void downlink_core::freeze(warp::view_note& note) const
{
    auto& n = note.note;
    if (kind_ != warp::downlink_kind::map || n.what != warp::downlink_notification::type::synced ||
        !n.value.is_empty())
        return;
    auto m = model();
    if (!m)
        return;
    recon::record r;
    r.reserve(m->map().size());
    for (auto const& [k, v] : m->map())
        r.add_slot(k, v);
    n.value = recon::value(std::move(r));
}

warp::pending_notes& downlink_core::queued()
{
    if (!queue_)
        queue_ = std::make_unique<warp::pending_notes>();
    return *queue_;
}

bool downlink_core::queue_empty() const noexcept
{
    return !queue_ || queue_->empty();
}

bool downlink_core::run_now(warp::view_note& note)
{
    try {
        return dispatch_->dispatch_now(*this, note);
    } catch (std::exception const& e) {
        conn_->log(
            log_level::error,
            "a handler of " + std::string(node()) + " " + std::string(lane()) +
                " threw: " + e.what());
        return true;
    }
}

void downlink_core::start_runner()
{
    running_ = true;
    conn_->task_started();
    asio::co_spawn(conn_->get_executor(), run_handlers(shared_from_this()), asio::detached);
}

asio::awaitable<void> downlink_core::run_handlers(std::shared_ptr<downlink_core> self)
{
    // One notification at a time, in order: a handler that awaits delays only this
    // downlink's next handler.
    while (!self->queue_empty()) {
        warp::view_note note = self->queue_->take();
        auto d = self->dispatch_;
        try {
            auto run = d->dispatch(self, note);
            co_await std::move(run);
        } catch (std::exception const& e) {
            self->conn_->log(
                log_level::error,
                "a handler of " + std::string(self->node()) + " " + std::string(self->lane()) +
                    " threw: " + e.what());
        }
    }
    self->running_ = false;
    self->conn_->task_finished();
}

asio::awaitable<error_code> downlink_core::wait_until(bool downlink_core::*flag)
{
    // An attempt to reach the host that fails while we wait ends the wait with its error.
    auto const attempts = conn_->failed_attempts();
    for (;;) {
        if (this->*flag)
            co_return error_code();
        if (closed_)
            co_return error_ ? error_ : error_code(warp::error::closed);
        if (conn_->failed_attempts() != attempts)
            co_return conn_->last_failure();
        co_await wait();
    }
}

asio::awaitable<error_code> downlink_core::wait_linked()
{
    return wait_until(&downlink_core::linked_);
}

asio::awaitable<error_code> downlink_core::wait_synced()
{
    if (!syncs_)
        co_return error::no_sync;
    auto ec = co_await wait_until(&downlink_core::synced_);
    co_return ec;
}

// Off the strand (an application thread), a write is queued on the client's channel of
// foreign writes and runs on the strand in the order it was made; on it, it runs now.
error_code downlink_core::from_other_thread(std::function<error_code(downlink_core&)> op)
{
    auto self = shared_from_this();
    return conn_->foreign().post([self, op = std::move(op)]() -> asio::awaitable<void> {
        error_code ec = op(*self);
        while (ec == warp::error::queue_full && !self->conn_->foreign().closing()) {
            co_await self->conn_->wait_for_room();
            ec = op(*self);
        }
        if (ec && ec != warp::error::closed)
            self->conn_->log(
                log_level::error,
                "a write to " + std::string(self->node()) + " " + std::string(self->lane()) +
                    " made from another thread was not sent: " + ec.message());
    });
}

error_code downlink_core::set(recon::value v)
{
    if (!conn_->foreign().on_strand()) {
        if (!recon::is_writable(v))
            return recon::error::non_finite_float;
        return from_other_thread([v = std::move(v)](downlink_core& d) { return d.set(v); });
    }
    if (closed_)
        return warp::error::closed;
    error_code ec = conn_->session().set(id_, std::move(v));
    conn_->pump();
    return ec;
}

error_code downlink_core::update(recon::value key, recon::value v)
{
    if (!conn_->foreign().on_strand()) {
        if (!recon::is_writable(key) || !recon::is_writable(v))
            return recon::error::non_finite_float;
        return from_other_thread([key = std::move(key), v = std::move(v)](downlink_core& d) {
            return d.update(key, v);
        });
    }
    if (closed_)
        return warp::error::closed;
    error_code ec = conn_->session().update(id_, std::move(key), std::move(v));
    conn_->pump();
    return ec;
}

error_code downlink_core::remove(recon::value const& key)
{
    if (!conn_->foreign().on_strand()) {
        if (!recon::is_writable(key))
            return recon::error::non_finite_float;
        return from_other_thread([key](downlink_core& d) { return d.remove(key); });
    }
    if (closed_)
        return warp::error::closed;
    error_code ec = conn_->session().remove(id_, key);
    conn_->pump();
    return ec;
}

error_code downlink_core::clear()
{
    if (!conn_->foreign().on_strand())
        return from_other_thread([](downlink_core& d) { return d.clear(); });
    if (closed_)
        return warp::error::closed;
    error_code ec = conn_->session().clear(id_);
    conn_->pump();
    return ec;
}

error_code downlink_core::take(std::uint64_t n)
{
    if (!conn_->foreign().on_strand())
        return from_other_thread([n](downlink_core& d) { return d.take(n); });
    if (closed_)
        return warp::error::closed;
    error_code ec = conn_->session().take(id_, n);
    conn_->pump();
    return ec;
}

error_code downlink_core::drop(std::uint64_t n)
{
    if (!conn_->foreign().on_strand())
        return from_other_thread([n](downlink_core& d) { return d.drop(n); });
    if (closed_)
        return warp::error::closed;
    error_code ec = conn_->session().drop(id_, n);
    conn_->pump();
    return ec;
}

asio::awaitable<error_code> downlink_core::async_write(std::function<error_code()> op)
{
    for (;;) {
        error_code ec = op();
        if (ec != warp::error::queue_full)
            co_return ec;
        // Wait for the writer to make room, then try again.
        co_await conn_->wait_for_room();
    }
}

void downlink_core::close()
{
    if (!conn_->foreign().on_strand()) {
        // After the writes this thread queued before it.
        from_other_thread([](downlink_core& d) {
            d.close();
            return error_code();
        });
        return;
    }
    if (closed_)
        return;
    closed_ = true;
    error_ = warp::error::closed;
    conn_->session().close_view(id_);
    conn_->detach(id_);
    conn_->pump();
    wake();
}

void downlink_core::fail(error_code ec, std::string why)
{
    if (closed_)
        return;
    conn_->log(log_level::warning, why);
    closed_ = true;
    error_ = ec;
    set_reason(std::move(why));
    conn_->session().close_view(id_);
    conn_->detach(id_);
    conn_->pump();
    wake();
}

void downlink_core::end(error_code ec, std::string reason)
{
    closed_ = true;
    if (!error_)
        error_ = ec;
    if (!reason_ || reason_->empty())
        set_reason(std::move(reason));
    wake();
}

asio::awaitable<error_code> downlink_core::next_event(recon::value& out)
{
    warp::downlink_notification n;
    auto ec = co_await next_change(n);
    out = std::move(n.value);
    co_return ec;
}

asio::awaitable<error_code> downlink_core::next_change(warp::downlink_notification& out)
{
    if (!streaming_) {
        streaming_ = true;
        stream_ = std::make_unique<warp::pending_notes>();
    }
    auto const attempts = conn_->failed_attempts();
    while (stream_->empty() && !closed_) {
        if (conn_->failed_attempts() != attempts)
            co_return conn_->last_failure();
        co_await wait();
    }
    if (!stream_->empty()) {
        out = std::move(stream_->take().note);
        co_return error_code();
    }
    co_return error_ ? error_ : error_code(warp::error::closed);
}

}  // namespace swim::client::detail
