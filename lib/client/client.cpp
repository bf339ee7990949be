// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/client/client.hpp>
#include <swim/client/error.hpp>
#include <swim/recon/error.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/error.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/system_error.hpp>

#include <functional>
#include <map>

#include "client_impl.hpp"

namespace swim::client {

namespace asio = boost::asio;
using boost::system::error_code;

// ---- errors --------------------------------------------------------------------------------

namespace {
class category final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "swim.client"; }
    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
            case error::invalid_host: return "invalid host";
            case error::unlinked: return "unlinked by the server";
            case error::link_failed: return "link failed";
            case error::client_closed: return "client closed";
            case error::no_value: return "no value";
            case error::overrun: return "handlers too far behind";
            case error::upgrade_refused: return "WebSocket upgrade refused";
            case error::no_sync: return "the downlink does not sync";
        }
        return "unknown swim.client error " + std::to_string(ev);
    }
};
}  // namespace

boost::system::error_category const& error_category() noexcept
{
    static category const instance;
    return instance;
}

namespace detail {

void throw_error(error_code ec, std::string const& what)
{
    if (what.empty())
        throw boost::system::system_error(ec);
    throw boost::system::system_error(ec, what);
}

// ---- the client ------------------------------------------------------------------------------

}  // namespace detail

client::client(asio::any_io_executor ex, client_config cfg)
    : impl_(std::make_shared<detail::client_impl>(std::move(ex), std::move(cfg)))
{}

client::~client()
{
    // Without async_close: start the same close on every connection (queued writes first,
    // then @unlink and the close frame) without waiting; each connection keeps itself alive
    // until it is done, so the io_context still runs out of work.
    // Writes other threads queued go first.
    asio::co_spawn(
        impl_->strand_,
        [impl = impl_]() -> asio::awaitable<void> {
            // (The function in a statement of its own: GCC 12 destroys a temporary of a
            // co_await expression twice.)
            std::function<void()> wake = [impl] {
                impl->wake_writers();
            };
            auto drained = impl->foreign_->async_close(std::move(wake));
            co_await std::move(drained);
            impl->closed_ = true;
            for (auto& [name, conn] : impl->hosts_)
                asio::co_spawn(
                    conn->get_executor(),
                    [conn]() -> asio::awaitable<void> { co_await conn->async_close(); },
                    asio::detached);
            impl->hosts_.clear();
        },
        asio::detached);
}

asio::any_io_executor client::get_executor() const noexcept
{
    return impl_->strand_;
}

std::shared_ptr<detail::downlink_core> client::open(
    std::string_view host,
    std::string_view node,
    std::string_view lane,
    warp::downlink_kind kind,
    downlink_config const& cfg)
{
    error_code ec;
    std::string why;
    auto conn = impl_->host(host, ec, why);
    if (!conn) {
        // A downlink that has already failed, saying why.
        auto dead = std::make_shared<detail::connection>(
            impl_->strand_,
            detail::host_url{},
            std::string(host),
            impl_->cfg_,
            nullptr,
            impl_->foreign_);
        auto core = std::make_shared<detail::downlink_core>(dead, kind);
        core->end(ec, why);
        return core;
    }
    auto core = std::make_shared<detail::downlink_core>(conn, kind);
    core->open(node, lane, cfg);
    return core;
}

error_code client::command(
    std::string_view host,
    std::string_view node,
    std::string_view lane,
    recon::value const& body)
{
    if (!impl_->foreign_->on_strand()) {
        // From another thread: queued, and run on the strand in order.
        if (!recon::is_writable(body))
            return recon::error::non_finite_float;
        return impl_->foreign_->post(
            [impl = impl_,
             h = std::string(host),
             n = std::string(node),
             l = std::string(lane),
             body]() -> asio::awaitable<void> {
                error_code ec;
                std::string why;
                auto conn = impl->host(h, ec, why);
                if (conn) {
                    conn->start();
                    ec = conn->session().command(n, l, body);
                    while (ec == warp::error::queue_full && !impl->foreign_->closing()) {
                        co_await conn->wait_for_room();
                        ec = conn->session().command(n, l, body);
                    }
                    conn->pump();
                }
                if (ec && conn)
                    conn->log(
                        log_level::error,
                        "a command to " + n + " " + l +
                            " made from another thread was not sent: " + ec.message());
            });
    }
    error_code ec;
    std::string why;
    auto conn = impl_->host(host, ec, why);
    if (!conn)
        return ec;
    ec = conn->session().command(node, lane, body);
    conn->start();
    conn->pump();
    return ec;
}

asio::awaitable<error_code> client::async_flush(std::string_view host)
{
    error_code ec;
    std::string why;
    auto conn = impl_->host(host, ec, why);
    if (!conn)
        co_return ec;
    conn->start();
    while (conn->session().queued_bytes() > 0 && !impl_->closed_)
        co_await conn->wait_for_room();
    co_return impl_->closed_ ? error_code(error::client_closed) : error_code();
}

error_code client::authenticate(std::string_view host, recon::value credentials)
{
    error_code ec;
    std::string why;
    auto conn = impl_->host(host, ec, why);
    if (!conn)
        return ec;
    conn->session().authenticate(std::move(credentials));
    conn->start();
    conn->pump();
    return {};
}

void client::on_auth(std::function<void(std::string_view, bool, recon::value const&)> f)
{
    impl_->on_auth_ = std::move(f);
}

asio::awaitable<void> client::async_close()
{
    auto impl = impl_;
    // Writes other threads queued first (they go before the @unlinks), then the connections.
    // (The function in a statement of its own: GCC 12 destroys a temporary of a
    // co_await expression twice.)
    std::function<void()> wake = [impl] {
        impl->wake_writers();
    };
    auto drained = impl->foreign_->async_close(std::move(wake));
    co_await std::move(drained);
    impl->closed_ = true;
    auto hosts = std::move(impl->hosts_);
    impl->hosts_.clear();
    for (auto& [name, conn] : hosts)
        co_await conn->async_close();
}

}  // namespace swim::client
