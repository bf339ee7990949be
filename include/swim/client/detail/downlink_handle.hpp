// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_DETAIL_DOWNLINK_HANDLE_HPP
#define SWIM_CLIENT_DETAIL_DOWNLINK_HANDLE_HPP

#include <swim/recon/convert.hpp>
#include <swim/warp/downlink_model.hpp>

#include <swim/client/detail/dispatch.hpp>
#include <swim/client/detail/downlink_core.hpp>
#include <swim/client/detail/handler.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace swim::client {

/// Options of one downlink (events_when_not_synced, terminate_on_unlinked, keep_linked,
/// keep_synced), with the defaults of the architecture.
using downlink_config = warp::downlink_options;

namespace detail {

/// Throws boost::system::system_error with `ec` and `what` (compiled, keeps <stdexcept>
/// machinery out of the templates).
[[noreturn]] void throw_error(boost::system::error_code ec, std::string const& what);

/// What every downlink handle offers; `Handlers` derives from common_handlers.
template <class Derived, class Handlers>
class downlink_handle {
public:
    /// Called when the link is up (also again after a reconnect).
    template <class F>
    Derived& on_linked(F f)
    {
        h_->on_linked = make_handler<>(std::move(f));
        note(h_->on_linked);
        if (h_->missed_linked && h_->on_linked) {
            // Set after this link came up: called once, in a turn of its own, unless a
            // linked that was still queued reaches it first.
            core_->replay(warp::downlink_notification::type::linked);
        }
        return self();
    }
    /// Called with the reason the server gave (`nodeNotFound`, `laneNotFound`, a text, or
    /// empty) when it unlinks.
    template <class F>
    Derived& on_unlinked(F f)
    {
        h_->on_unlinked = make_handler<std::string_view>(std::move(f));
        note(h_->on_unlinked);
        return self();
    }
    /// Called when the downlink fails (a frame it cannot read, a value it cannot convert);
    /// it is closed afterwards.
    template <class F>
    Derived& on_failed(F f)
    {
        h_->on_failed = make_handler<boost::system::error_code, std::string_view>(std::move(f));
        note(h_->on_failed);
        return self();
    }

    /** `f(boost::system::error_code ec, std::string_view why)`: an attempt to reach the host
     * failed (connection refused, a name that does not resolve, a timeout, TLS verification,
     * the upgrade refused with its HTTP status); `why` names the host and the cause. The
     * downlink keeps trying with backoff; with `keep_linked` false it fails instead
     * (on_failed, with the same error) and is closed.
     */
    template <class F>
    Derived& on_unreachable(F f)
    {
        h_->on_unreachable = make_handler<boost::system::error_code, std::string_view>(
            std::move(f));
        note(h_->on_unreachable);
        return self();
    }

    /** Completes when linked. Throws system_error (with the reason) if the downlink ends
     * first, or when an attempt to reach the host fails meanwhile (the error of that attempt:
     * connection refused, host not found, timed out, error::upgrade_refused, a TLS error;
     * the downlink keeps trying). Cancelling the awaiting coroutine (its cancellation slot)
     * stops the wait only; the downlink goes on.
     */
    boost::asio::awaitable<void> linked()
    {
        auto ec = co_await core_->wait_linked();
        if (ec)
            throw_error(ec, core_->why(ec));
    }
    /// Completes when synced; throws as linked() does, and with error::no_sync at once when
    /// the downlink does not sync (keep_synced false, or an event downlink).
    boost::asio::awaitable<void> synced()
    {
        auto ec = co_await core_->wait_synced();
        if (ec)
            throw_error(ec, core_->why(ec));
    }

    /// True while the link is up (as received: before the handlers of on_linked run).
    bool is_linked() const noexcept { return core_ && core_->linked(); }
    /// True while the link is synced (the state is the lane's).
    bool is_synced() const noexcept { return core_ && core_->synced(); }
    /// True once the downlink has ended (closed, unlinked for good, failed), and for a
    /// default-constructed handle.
    bool is_closed() const noexcept { return !core_ || core_->closed(); }
    /// Why the downlink ended: empty while open; warp::error::closed when closed by the user;
    /// error::unlinked, error::link_failed, error::client_closed, error::invalid_host or a
    /// connection error otherwise.
    boost::system::error_code error() const noexcept
    {
        return core_ ? core_->error() : boost::system::error_code();
    }
    /// The reason that came with the end (`nodeNotFound`, a conversion error, ...), or empty.
    std::string reason() const { return core_ ? core_->reason() : std::string(); }

    /// Closes the downlink: queued writes are written first, then @unlink if it was the
    /// last downlink of its link. Handlers already queued still run. Copies of a handle share
    /// one downlink; when the last copy is destroyed, the downlink is closed the same way.
    void close()
    {
        if (core_)
            core_->close();
    }

protected:
    downlink_handle() = default;
    explicit downlink_handle(std::shared_ptr<downlink_core> core)
        : core_(std::move(core))
    {
        auto b = std::make_shared<typed_dispatcher<Handlers>>();
        h_ = std::shared_ptr<Handlers>(b, static_cast<Handlers*>(b.get()));
        core_->set_dispatcher(std::shared_ptr<note_dispatcher>(b, b.get()));
    }

    /// Records that a handler was set (a coroutine handler switches to the coroutine dispatch).
    template <class H>
    void note(H const& handler) noexcept
    {
        h_->noted(handler);
    }

    /// After on_synced is set: if the link was synced before it was, it is called once now
    /// (in its own turn) with the state.
    void replay_synced()
    {
        if (h_->missed_synced)
            core_->replay(warp::downlink_notification::type::synced);
    }

    std::shared_ptr<downlink_core> core_;
    std::shared_ptr<Handlers> h_;

private:
    Derived& self() { return static_cast<Derived&>(*this); }
};

}  // namespace detail
}  // namespace swim::client

#endif
