// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_VALUE_DOWNLINK_HPP
#define SWIM_CLIENT_VALUE_DOWNLINK_HPP

#include <swim/client/detail/downlink_handle.hpp>

#include <optional>

namespace swim::client {

/** A downlink to a value lane: a local copy of the lane's value, kept in step.
 *
 * `set(v)` changes the local value at once (did_set fires with the new and the old value)
 * and queues the @command; did_set fires once per change of the local value, so the
 * server's echo of a value already held does not fire it again; on_event fires for every
 * event.
 *
 * **Convergence**: once the traffic stops, the value is what a fresh sync of the lane
 * returns, whatever the server coalesced (300 quick sets may come back as one event),
 * interleaved from other connections, or dropped. Every event from the lane is applied, also
 * while sets of ours are in flight (the server is the truth: a brief flicker is possible,
 * divergence is not), except the echo of an older set of ours while the value still shows
 * a newer one. A set no event has answered is verified once the link is quiet for
 * client_config::settle_timeout (a fresh sync, reconciled: did_set fires if the lane
 * dropped it). Before the first @synced, events update the value
 * silently unless `events_when_not_synced`; on_synced then delivers it. Handlers run one at
 * a time, in arrival order; one that awaits delays only this downlink. Coroutine handlers
 * that fall `max_pending_events` (downlink_config) behind see only the latest value: the
 * waiting set takes the newer value (did_set's `before` stays the value they saw last).
 *
 * A value that does not convert to `T`, where a handler would receive it, fails the downlink
 * (on_failed, then closed); get() and current() throw instead: use std::optional<T> for a
 * lane that may be empty, recon::value to take anything.
 *
 * A default-constructed handle refers to no downlink: only is_linked(), is_synced(),
 * is_closed() (true), error(), reason() and close() may be called on it.
 *
 * @par Thread safety
 * Use it on its client's executor, except the writes (set, async_set's call aside, put,
 * remove, clear, take, drop) and close(), which may be called from any thread: from a thread
 * that does not run the client's io_context they are queued on the client's channel of
 * foreign writes and made on its strand in the order each thread made them (the local state
 * changes then, not at once); the error returned is then only queue_full (65536 writes wait)
 * or client_closed (and non_finite_float, checked at once).
 */
template <class T>
class value_downlink
    : public detail::downlink_handle<value_downlink<T>, detail::value_handlers<T>> {
    using base = detail::downlink_handle<value_downlink<T>, detail::value_handlers<T>>;

public:
    /// A handle to no downlink (see the class comment).
    value_downlink() = default;
    /// Made by client::value_downlink(); not for users.
    explicit value_downlink(std::shared_ptr<detail::downlink_core> core)
        : base(std::move(core))
    {}

    /// `f(T const& now, std::optional<T> const& before)`: the value changed (remote or local).
    template <class F>
    value_downlink& did_set(F f)
    {
        this->h_->did_set = detail::make_handler<T const&, std::optional<T> const&>(std::move(f));
        this->note(this->h_->did_set);
        return *this;
    }
    /// `f(T const& value)`: every event from the lane, changed or not.
    template <class F>
    value_downlink& on_event(F f)
    {
        this->h_->on_event = detail::make_handler<T const&>(std::move(f));
        this->note(this->h_->on_event);
        return *this;
    }
    /// `f(T const& value)`: the downlink is synced; the value is the lane's.
    template <class F>
    value_downlink& on_synced(F f)
    {
        this->h_->on_synced = detail::make_handler<T const&>(std::move(f));
        this->note(this->h_->on_synced);
        this->replay_synced();
        return *this;
    }

    /** The value, once synced. Throws system_error if the downlink ended first (with the
     * reason, such as `nodeNotFound`), or recon::conversion_exception if it is not a `T`.
     */
    boost::asio::awaitable<T> get()
    {
        co_await this->synced();
        auto m = this->core_->model();
        if (!m)
            detail::throw_error(this->core_->error(), this->core_->reason());
        co_return recon::value_to<T>(m->value());
    }

    /** The value held now, without waiting: empty before the first event (or for an empty
     * lane) and once the downlink is closed. Before the first sync it may be the state being
     * assembled. Throws recon::conversion_exception if the value is not a `T`.
     */
    std::optional<T> current() const
    {
        auto m = this->core_ ? this->core_->model() : nullptr;
        if (!m || m->value().is_empty())
            return std::nullopt;
        return recon::value_to<T>(m->value());
    }

    /** Sets the value: locally at once (did_set fires), then `@command` to the lane.
     * Never blocks. @returns warp::error::closed when the downlink is closed,
     * warp::error::queue_full when the connection's write queue is full,
     * recon::error::non_finite_float for a NaN or an infinity (nothing changed then).
     */
    boost::system::error_code set(T const& v) { return this->core_->set(recon::value_from(v)); }

    /// As set(), but waits for room in a full queue. @returns set()'s errors other than
    /// queue_full. Cancelling the awaiting coroutine while it waits sets nothing.
    boost::asio::awaitable<boost::system::error_code> async_set(T v)
    {
        auto core = this->core_;
        auto body = recon::value_from(v);
        // (The call in a statement of its own: GCC 12 destroys a temporary of a co_await
        // expression twice.)
        auto write = core->async_write([core, body] { return core->set(body); });
        co_return co_await std::move(write);
    }

    /// The next event of the lane (each one, in order; buffering starts at the first call;
    /// with `max_pending_events` values unread, the newest replaces the last one waiting).
    /// Throws system_error when the downlink has ended, recon::conversion_exception when the
    /// value is not a `T` (that event is consumed). Cancelling the wait loses no event.
    boost::asio::awaitable<T> next_event()
    {
        recon::value v;
        auto ec = co_await this->core_->next_event(v);
        if (ec)
            detail::throw_error(ec, this->core_->why(ec));
        co_return recon::value_to<T>(v);
    }
};

}  // namespace swim::client

#endif
