// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_EVENT_DOWNLINK_HPP
#define SWIM_CLIENT_EVENT_DOWNLINK_HPP

#include <swim/client/detail/downlink_handle.hpp>

namespace swim::client {

/** A downlink that links (without sync) and receives every event of a lane, such as a
 * command lane's relayed commands. It keeps no state.
 *
 * Events are never merged or dropped: when coroutine handlers, or next_event() once
 * called, fall `max_pending_events` (downlink_config) behind, the downlink fails with
 * error::overrun (on_failed runs after the events that wait, and the stream gives those
 * that wait, then throws). Plain handlers never fall behind.
 *
 * A default-constructed handle refers to no downlink: only is_linked(), is_synced(),
 * is_closed() (true), error(), reason() and close() may be called on it.
 *
 * @par Thread safety
 * Use it on its client's executor; close() may be called from any thread (see
 * value_downlink).
 */
template <class T>
class event_downlink
    : public detail::downlink_handle<event_downlink<T>, detail::event_handlers<T>> {
    using base = detail::downlink_handle<event_downlink<T>, detail::event_handlers<T>>;

public:
    /// A handle to no downlink (see the class comment).
    event_downlink() = default;
    /// Made by client::event_downlink(); not for users.
    explicit event_downlink(std::shared_ptr<detail::downlink_core> core)
        : base(std::move(core))
    {}

    /// `f(T const& event)`: every event, in order.
    template <class F>
    event_downlink& on_event(F f)
    {
        this->h_->on_event = detail::make_handler<T const&>(std::move(f));
        this->note(this->h_->on_event);
        return *this;
    }

    /// The next event (buffering starts at the first call). Throws system_error when the
    /// downlink has ended, recon::conversion_exception when the event is not a `T` (that
    /// event is consumed). Cancelling the wait loses no event.
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
