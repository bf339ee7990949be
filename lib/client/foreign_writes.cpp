// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include "foreign_writes.hpp"

#include <swim/client/error.hpp>
#include <swim/warp/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace swim::client::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

struct foreign_writes::channel {
    asio::experimental::concurrent_channel<void(error_code, write)> queue;
    /// The drain has ended; async_close waits on it.
    asio::steady_timer drained;
    bool done = false;

    explicit channel(asio::strand<asio::any_io_executor> const& ex)
        : queue(ex, capacity)
        , drained(ex, asio::steady_timer::time_point::max())
    {}
};

foreign_writes::foreign_writes(asio::strand<asio::any_io_executor> strand)
    : strand_(std::move(strand))
    , ch_(std::make_unique<channel>(strand_))
{
    // (target() points into the executor it is called on: keep it alive while it is used.)
    auto inner = strand_.get_inner_executor();
    if (auto const* ex = inner.target<asio::io_context::executor_type>())
        ioc_ = &asio::query(*ex, asio::execution::context);
}

bool foreign_writes::on_strand() const noexcept
{
    return strand_.running_in_this_thread() ||
           (ioc_ && ioc_->get_executor().running_in_this_thread());
}

foreign_writes::~foreign_writes() = default;

error_code foreign_writes::post(write w)
{
    if (closed_.load(std::memory_order_acquire))
        return error::client_closed;
    // The drain starts with the first write from another thread (most clients never have one).
    if (!started_.exchange(true, std::memory_order_acq_rel))
        asio::co_spawn(strand_, drain(shared_from_this()), asio::detached);
    if (!ch_->queue.try_send(error_code(), std::move(w)))
        return closed_.load(std::memory_order_acquire) ? error_code(error::client_closed)
                                                       : error_code(warp::error::queue_full);
    return {};
}

asio::awaitable<void> foreign_writes::drain(std::shared_ptr<foreign_writes> self)
{
    for (;;) {
        auto [ec, w] = co_await self->ch_->queue.async_receive(use_tuple);
        if (ec)
            break;  // closed, and nothing left
        if (!w)
            break;  // async_close's marker: everything before it has run
        co_await w();
    }
    // What was queued after the marker, before the channel closed, still runs.
    for (;;) {
        write w;
        bool got = self->ch_->queue.try_receive([&](error_code, write x) { w = std::move(x); });
        if (!got)
            break;
        if (w)
            co_await w();
    }
    self->ch_->queue.close();
    // A write that slipped in before the close will not run: drop it (it may hold the client).
    while (self->ch_->queue.try_receive([](error_code, write) {})) {
    }
    self->ch_->done = true;
    self->ch_->drained.cancel();
}

asio::awaitable<void> foreign_writes::async_close(std::function<void()> wake)
{
    if (closed_.exchange(true, std::memory_order_acq_rel))
        co_return;
    if (wake)
        wake();
    if (!started_.exchange(true, std::memory_order_acq_rel)) {
        ch_->queue.close();  // never used
        co_return;
    }
    // A marker behind every write queued so far; the drain stops there.
    auto [ec] = co_await ch_->queue.async_send(error_code(), write(), use_tuple);
    (void)ec;
    while (!ch_->done)
        co_await ch_->drained.async_wait(use_tuple);
}

}  // namespace swim::client::detail
