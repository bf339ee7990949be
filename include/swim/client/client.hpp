// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_CLIENT_HPP
#define SWIM_CLIENT_CLIENT_HPP

#include <swim/client/config.hpp>
#include <swim/client/error.hpp>
#include <swim/client/event_downlink.hpp>
#include <swim/client/map_downlink.hpp>
#include <swim/client/value_downlink.hpp>
#include <swim/recon/convert.hpp>
#include <swim/recon/value.hpp>

#include <swim/client/detail/downlink_core.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <string_view>

namespace swim::client {

namespace detail {
class client_impl;
}

/** A WARP client: downlinks and commands to any number of hosts over one executor.
 *
 * One WebSocket per host (opened at the first downlink or command, kept open and reconnected
 * with backoff while it has downlinks), shared by every downlink to that host; downlinks to
 * the same node and lane share one WARP link.
 *
 * @par Thread safety
 * Use the client, and every downlink it made, on its executor (`get_executor()`, a strand):
 * handlers run there, and coroutines spawned there may call anything. The writes (command(),
 * a downlink's set, put, remove, clear, take, drop, close) may also be called from any
 * thread: from one that does not run the client's io_context they are queued on an Asio
 * channel and made on the strand in each thread's order. For everything else from other
 * threads, use blocking_client.
 *
 * @par Errors
 * Opening a downlink never throws: a host URI that cannot be used gives a downlink that has
 * already failed with error::invalid_host (its reason() says what is wrong). Writes return an
 * error_code (warp::error::closed, warp::error::queue_full). Awaitables that wait for a state
 * (linked(), synced(), get(), next_event()) throw boost::system::system_error when the
 * downlink ends first, with the server's reason (`nodeNotFound`, ...) as the message. After
 * async_close(), new downlinks have already failed with error::client_closed and commands
 * return it. A command body or a downlink write holding a NaN or an infinity is refused
 * with recon::error::non_finite_float before anything changes. The first TLS host loads the trust
 * store: a client_config::ca_file that cannot be read throws boost::system::system_error from the
 * call that opens the host.
 *
 * @par Per-operation cancellation
 * Every awaitable of the client and its downlinks may be cancelled by cancelling the awaiting
 * coroutine (for example `co_await (dl.synced() || timer.async_wait(use_awaitable))`): the wait
 * ends with system_error(operation_aborted); nothing else is affected (the downlink stays
 * open, queued writes stay queued).
 */
class client {
public:
    /// A client whose strand is made on `ex`; it connects to nothing until a downlink or a
    /// command needs a host.
    explicit client(boost::asio::any_io_executor ex, client_config cfg = {});
    /// Starts closing every connection (queued writes first) without waiting for it; the
    /// io_context runs out of work once that is done. Prefer `co_await async_close()`.
    ~client();
    client(client const&) = delete;
    client& operator=(client const&) = delete;

    /// The strand everything of this client runs on.
    boost::asio::any_io_executor get_executor() const noexcept;

    /** A value downlink to `lane` of `node` at `host` (`warp://h:9001`, `wss://...`).
     * `T` is recon::value or any type recon::value_to converts (use std::optional<T> for a
     * lane that may be empty). A bad host gives a downlink that has already failed with
     * error::invalid_host, its reason saying what is wrong.
     */
    template <class T = recon::value>
    swim::client::value_downlink<T> value_downlink(
        std::string_view host,
        std::string_view node,
        std::string_view lane,
        downlink_config cfg = {})
    {
        return swim::client::value_downlink<T>(
            open(host, node, lane, warp::downlink_kind::value, cfg));
    }

    /// A map downlink; keys and values typed as for value downlinks; a bad host as for
    /// value_downlink().
    template <class K = recon::value, class V = recon::value>
    swim::client::map_downlink<K, V> map_downlink(
        std::string_view host,
        std::string_view node,
        std::string_view lane,
        downlink_config cfg = {})
    {
        return swim::client::map_downlink<K, V>(
            open(host, node, lane, warp::downlink_kind::map, cfg));
    }

    /// An event downlink: links without sync and delivers every event; a bad host as for
    /// value_downlink().
    template <class T = recon::value>
    swim::client::event_downlink<T> event_downlink(
        std::string_view host,
        std::string_view node,
        std::string_view lane,
        downlink_config cfg = {})
    {
        return swim::client::event_downlink<T>(
            open(host, node, lane, warp::downlink_kind::event, cfg));
    }

    /** Sends `@command(node, lane) body` to `host`: queued, written in order with the
     * host's other writes, waiting for the connection when offline. Never blocks.
     * @returns error::invalid_host, error::client_closed, or warp::error::queue_full when the
     * host's queue holds client_config::max_queued_bytes (nothing is queued then).
     * @throws boost::system::system_error when `body` holds a non-finite float.
     */
    boost::system::error_code command(
        std::string_view host,
        std::string_view node,
        std::string_view lane,
        recon::value const& body = {});

    /// As command() with a body converted from `body` by recon::value_from (which does not
    /// fail).
    template <class T>
        requires(!std::is_convertible_v<T const&, recon::value>)
    boost::system::error_code command(
        std::string_view host,
        std::string_view node,
        std::string_view lane,
        T const& body)
    {
        return command(host, node, lane, recon::value_from(body));
    }

    /** Completes when everything queued for `host` so far has been written to its socket
     * (at once if nothing is queued); connects to `host` if it is not connected. While the
     * host is unreachable it keeps waiting: bound it with a timer (cancelling the awaiting
     * coroutine ends the wait with system_error(operation_aborted); nothing queued is
     * withdrawn). The client must outlive the wait.
     * @returns error::invalid_host, or error::client_closed when the client is or gets closed.
     */
    boost::asio::awaitable<boost::system::error_code> async_flush(std::string_view host);

    /// Sends `@auth credentials` to `host` now (if connected) and first on every connection
    /// (replacing credentials given before); connects to `host` if it is not connected. Never
    /// blocks. @returns error::invalid_host or error::client_closed.
    boost::system::error_code authenticate(std::string_view host, recon::value credentials);

    /// Sets (replaces) the function called, on the client's executor, when a host answers
    /// @auth with @authed (true) or @deauthed (false); `host` is the URI as given. A plain
    /// function: it must not block.
    void on_auth(
        std::function<void(std::string_view host, bool authed, recon::value const& body)> f);

    /** Closes every downlink and connection: writes queued before are written first (on
     * connected hosts), then @unlink, then the WebSocket close. Completes when every task of
     * the client has ended, so the io_context can run out of work. A second call completes at
     * once. Do not cancel it: a cancelled close leaves connections closing in the background.
     * Never fails; downlinks still open end with error::client_closed.
     */
    boost::asio::awaitable<void> async_close();

private:
    std::shared_ptr<detail::downlink_core> open(
        std::string_view host,
        std::string_view node,
        std::string_view lane,
        warp::downlink_kind kind,
        downlink_config const& cfg);

    std::shared_ptr<detail::client_impl> impl_;
};

}  // namespace swim::client

#endif
