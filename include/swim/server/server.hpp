// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_SERVER_HPP
#define SWIM_SERVER_SERVER_HPP

#include <swim/server/agent.hpp>
#include <swim/server/config.hpp>
#include <swim/server/demand_lanes.hpp>
#include <swim/server/downlinks.hpp>
#include <swim/server/error.hpp>
#include <swim/server/http_lane.hpp>
#include <swim/server/join_lanes.hpp>
#include <swim/server/lanes.hpp>
#include <swim/server/store.hpp>
#include <swim/server/stores.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace swim::server {

namespace detail {
class server_impl;
}

/// Makes the agent for a node URI; called on the agent's strand. An exception or a null
/// agent refuses the node's links with a reason (logged).
using agent_factory = std::function<std::unique_ptr<agent>(agent_context&)>;

/** A WARP server: web agents on node URI patterns, their lanes, and the WebSocket
 * connections of the clients linked to them (plain or TLS).
 *
 * @code
 * swim::server::server srv(ioc.get_executor(), {.port = 9001});
 * srv.route<room_agent>("/hotel/room/:id");
 * if (auto ec = srv.start()) ...;            // listening now; srv.port() says where
 * ...
 * co_await srv.async_stop();                 // @unlinked to every uplink, close 1001
 * @endcode
 *
 * Each connection and each agent runs on its own strand, so the io_context may be run on
 * several threads.
 *
 * @par Thread safety
 * route() before start(); start(), port() and async_stop() from any one thread at a time.
 * get_stats() from any thread.
 *
 * @par Errors
 * route() and start() report their errors as an error_code. Connection-level failures (a bad frame,
 * a handshake timeout) close that connection and are logged; they are never reported to the caller.
 *
 * @par Per-operation cancellation
 * async_stop() is not cancellable (see there).
 */
class server {
public:
    /// A server whose strands are made on `ex`; it listens only once start() is called.
    explicit server(boost::asio::any_io_executor ex, server_config cfg = {});
    /// Stops without waiting (prefer `co_await async_stop()`): listening ends and every
    /// connection is closed; the io_context runs out of work once that is done.
    ~server();
    server(server const&) = delete;
    server& operator=(server const&) = delete;

    /** Serves agents of type `Agent` (constructible from agent_context&) at node URIs
     * matching `pattern`: literal segments, and `:name` segments that match any one
     * segment and become parameters (`/hotel/room/:id`). The first matching route wins.
     * @returns error::invalid_route for a pattern that does not start with '/' or has an
     * empty parameter name (a lone `:` segment).
     */
    template <class Agent>
    boost::system::error_code route(std::string_view pattern)
    {
        static_assert(
            std::is_base_of_v<agent, Agent> && std::is_constructible_v<Agent, agent_context&>,
            "an agent type derives from swim::server::agent and is constructible from "
            "agent_context&");
        return route(pattern, [](agent_context& ctx) -> std::unique_ptr<agent> {
            return std::make_unique<Agent>(ctx);
        });
    }
    /// As route<Agent>(), with a factory that makes the agent (called on the agent's strand;
    /// an exception or a null agent refuses the node's links with a reason). An empty
    /// factory is error::invalid_route.
    /// Call before start(): routes are not guarded against concurrent reads.
    boost::system::error_code route(std::string_view pattern, agent_factory make);

    /** Binds, listens and starts accepting. @returns the error of resolving, binding or
     * listening (the address in use...), error::tls_setup when the certificate or key
     * cannot be loaded (or only one of the two files is set), error::already_started, or
     * error::stopped after async_stop().
     */
    boost::system::error_code start();

    /// The port listened on (the one picked when config port was 0); 0 before start().
    std::uint16_t port() const noexcept;
    /// "warp://127.0.0.1:<port>" or "warps://..." for this server as seen from this machine
    /// (always the IPv4 loopback, whatever server_config::address is).
    std::string local_url() const;

    /** Stops: no new connections; every agent's on_stop and every agent downlink stopped
     * (their queued sets written first); then `@unlinked` to every uplink; every connection
     * closed with 1001 after its queued frames (a client that does not read gets
     * handshake_timeout to take them, then its socket is closed). Completes when every task
     * of the server has ended, so the io_context can run out of work. A second call waits
     * for the first. Not cancellable; a coroutine handler of an agent that never ends keeps
     * it waiting. May be awaited from any executor.
     */
    boost::asio::awaitable<void> async_stop();

    /// Counters for tests and benchmarks.
    struct stats {
        /// Client connections served now.
        std::size_t connections = 0;
        /// Agents live now (started, not stopped: server_config::max_agents).
        std::size_t agents = 0;
        /// Agents stopped (by server_config::agent_idle_timeout or agent_context::stop())
        /// whose lanes' state is kept until the next envelope starts them again.
        std::size_t dormant_agents = 0;
        /// Bytes the connections have waiting to be written, together (counted against
        /// server_config::max_total_queued_bytes), each connection's rounded up to a KiB
        /// (over by less than 2 KiB for each connection with output waiting).
        std::size_t queued_bytes = 0;
        /// Connections in their TLS and WebSocket handshakes now (server_config::
        /// max_handshakes).
        std::size_t handshakes = 0;
        /// Times accepting a connection failed (out of descriptors...), since the start.
        std::size_t accept_failures = 0;
        /// Writes of an agent's changes to the store that failed (the changes were undone
        /// and not sent), since the start.
        std::size_t store_failures = 0;
    };
    /// The counters now; thread safe.
    stats get_stats() const;

private:
    std::shared_ptr<detail::server_impl> impl_;
};

}  // namespace swim::server

#endif
