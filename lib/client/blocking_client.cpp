// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/client/blocking_client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <stdexcept>
#include <thread>

namespace swim::client {

namespace asio = boost::asio;

namespace {
// True on a blocking client's own thread, where a blocking call would wait for itself.
thread_local bool on_client_thread = false;

void refuse_on_client_thread()
{
    if (on_client_thread)
        throw std::logic_error(
            "swim::client: a blocking call from a handler (the client's own thread) would "
            "deadlock; use the asynchronous downlink there");
}
}  // namespace

namespace detail {

void run_blocking(asio::any_io_executor const& ex, std::function<void()> f)
{
    refuse_on_client_thread();
    std::promise<void> done;
    asio::post(ex, [&] {
        try {
            f();
            done.set_value();
        } catch (...) {
            done.set_exception(std::current_exception());
        }
    });
    done.get_future().get();
}

void run_blocking_awaitable(
    asio::any_io_executor const& ex,
    std::function<asio::awaitable<void>()> make)
{
    refuse_on_client_thread();
    std::promise<void> done;
    asio::co_spawn(ex, make(), [&](std::exception_ptr e) {
        if (e)
            done.set_exception(e);
        else
            done.set_value();
    });
    done.get_future().get();
}

}  // namespace detail

struct blocking_client::impl {
    asio::io_context ioc{1};
    asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
    std::optional<client> async;
    std::thread thread;
    std::atomic<bool> closed{false};
};

blocking_client::blocking_client(client_config cfg)
    : impl_(std::make_unique<impl>())
{
    impl_->async.emplace(impl_->ioc.get_executor(), std::move(cfg));
    impl_->thread = std::thread([this] {
        on_client_thread = true;
        impl_->ioc.run();
    });
}

blocking_client::~blocking_client()
{
    try {
        close();
    } catch (...) {
        // A destructor must not throw.
    }
    // The thread runs until here, so that calls after close() still get their answer
    // (client_closed, or a closed downlink) instead of waiting forever.
    impl_->work.reset();
    if (impl_->thread.joinable())
        impl_->thread.join();
}

client& blocking_client::async() noexcept
{
    return *impl_->async;
}

asio::any_io_executor blocking_client::executor() const noexcept
{
    return impl_->async->get_executor();
}

boost::system::error_code blocking_client::command(
    std::string_view host,
    std::string_view node,
    std::string_view lane,
    recon::value const& body)
{
    return detail::call_blocking<boost::system::error_code>(executor(), [&] {
        return impl_->async->command(host, node, lane, body);
    });
}

void blocking_client::close()
{
    refuse_on_client_thread();
    if (impl_->closed.exchange(true))
        return;
    detail::run_blocking_awaitable(executor(), [this] { return impl_->async->async_close(); });
}

}  // namespace swim::client
