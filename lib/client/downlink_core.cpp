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
    runner_.set_limit(opts.max_pending_events);
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
    conn_->arm_later(weak_from_this());
    return {};
}

void downlink_core::arm()
{
    runner_.arm();
}

void downlink_core::replay(warp::downlink_notification::type what)
{
    asio::post(conn_->get_executor(), [self = shared_from_this(), what] {
        bool const still = what == warp::downlink_notification::type::linked ? self->status_.linked
                                                                             : self->status_.synced;
        if (self->closed_ || !still)
            return;
        warp::view_note note;
        note.view = self->id_;
        note.note.what = what;
        note.note.replayed = true;  // runs only if the handler has still missed it then
        if (auto m = self->model())
            warp::snapshot(note, self->kind_, *m);
        if (self->runner_.push(std::move(note)) == warp::pending_notes::outcome::overrun)
            self->overrun("its handlers fell");
    });
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

void downlink_core::deliver(warp::view_note&& note)
{
    using type = warp::downlink_notification::type;
    auto& n = note.note;
    status_.apply(note);
    switch (n.what) {
        case type::synced:
            // Handlers may run later: hand them the value as it is now (a map's entries are
            // copied only when its handlers do not run at once: freeze()).
            if (kind_ == warp::downlink_kind::value)
                if (auto m = model())
                    warp::snapshot(note, kind_, *m);
            break;
        case type::unlinked:
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
                stream_->push(note, runner_.limit()) == warp::pending_notes::outcome::overrun) {
                overrun("next_event() was not called for");
                return;
            }
            break;
        default: break;
    }
    if (note.terminal)
        closed_ = true;
    wake();
    if (runner_.push(std::move(note)) == warp::pending_notes::outcome::overrun)
        overrun("its handlers fell");
}

void downlink_core::overrun(char const* what)
{
    // Events cannot be merged, and dropping one silently would lose it: the downlink fails,
    // with on_failed after the events that wait.
    std::string why = "event downlink " + std::string(node()) + " " + std::string(lane()) + ": " +
                      what + " " + std::to_string(runner_.limit()) +
                      " events behind (max_pending_events)";
    // Failed first: on_failed (which may run at once) sees the downlink closed.
    fail(error::overrun, why);
    if (runner_.has_dispatcher()) {
        warp::view_note f;
        f.view = id_;
        f.note.what = warp::downlink_notification::type::failed;
        f.note.error = error::overrun;
        f.note.reason = std::move(why);
        f.terminal = true;
        runner_.push_last(std::move(f));
    }
}

// A map's @synced whose handlers run later gets the state as it is now: on_synced must not
// see changes that came after it (they have notifications of their own).
void downlink_core::freeze(warp::view_note& note) const
{
    if (kind_ != warp::downlink_kind::map || !note.note.value.is_empty())
        return;
    if (auto m = model())
        warp::snapshot(note, kind_, *m);
}

std::string downlink_core::conversion_failure(recon::conversion_error const& err) const
{
    return "cannot convert " + std::string(node()) + " " + std::string(lane()) + ": " +
           err.message();
}

void downlink_core::fail_conversion(recon::conversion_error const& err, std::string const& why)
{
    fail(err.code, why);
}

warp::map_state const* downlink_core::live_map() const noexcept
{
    auto m = model();
    return m ? &m->map() : nullptr;
}

void downlink_core::later(std::function<void()> f)
{
    asio::post(conn_->get_executor(), std::move(f));
}

void downlink_core::post(std::function<void()> f)
{
    asio::post(conn_->get_executor(), std::move(f));
}

void downlink_core::spawn(std::function<asio::awaitable<void>()> f)
{
    conn_->task_started();
    asio::co_spawn(conn_->get_executor(), std::move(f), [conn = conn_](std::exception_ptr) {
        conn->task_finished();
    });
}

void downlink_core::handler_threw(std::string_view what)
{
    conn_->log(
        log_level::error,
        "a handler of " + std::string(node()) + " " + std::string(lane()) +
            " threw: " + std::string(what));
}

asio::awaitable<error_code> downlink_core::wait_until(bool warp::downlink_status::*flag)
{
    // An attempt to reach the host that fails while we wait ends the wait with its error.
    auto const attempts = conn_->failed_attempts();
    for (;;) {
        if (status_.*flag)
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
    return wait_until(&warp::downlink_status::linked);
}

asio::awaitable<error_code> downlink_core::wait_synced()
{
    if (!syncs_)
        co_return error::no_sync;
    auto ec = co_await wait_until(&warp::downlink_status::synced);
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
