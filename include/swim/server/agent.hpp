// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_AGENT_HPP
#define SWIM_SERVER_AGENT_HPP

#include <swim/client/config.hpp>
#include <swim/recon/value.hpp>
#include <swim/warp/downlink_model.hpp>

#include <swim/client/detail/handler.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

/** @file
 * Web agents: the unit a server hosts at a node URI. An agent type derives from
 * swim::server::agent, declares its lanes as members and is registered on a node URI pattern
 * with server::route<Agent>("/hotel/room/:id").
 */

namespace swim::server {

class agent;
class agent_context;
template <class T, class S>
class value_downlink_builder;
template <class K, class V, class S>
class map_downlink_builder;
template <class T, class S>
class event_downlink_builder;

namespace detail {

class agent_runtime;

/** A handler run by an agent: a plain callable or a coroutine (returning
 * `awaitable<void>`), the same handler type client downlinks use. Handlers of one agent run
 * one at a time, in the order they were triggered; a coroutine handler that awaits holds back
 * the agent's later handlers (not its lanes' state, nor other agents). A handler that throws
 * a std::exception is logged as an error and the agent goes on. Empty when not set.
 */
template <class... Args>
using agent_handler = client::detail::handler<Args...>;

/// Wraps `f`, which must be callable with `Args...`: a coroutine handler when it returns
/// `awaitable<void>`, else a plain one.
template <class... Args, class F>
agent_handler<Args...> make_agent_handler(F f)
{
    return client::detail::make_handler<Args...>(std::move(f));
}

// Compiled: the agent's handler queue (lib/server/agent.cpp).
bool agent_idle(agent_runtime& rt) noexcept;
void agent_run_now(agent_runtime& rt, std::function<void()> const& f);
void agent_enqueue(agent_runtime& rt, std::function<void()> f);
void agent_enqueue_coro(agent_runtime& rt, std::function<boost::asio::awaitable<void>()> f);

/// Runs `h(args...)` on the agent (call it on the agent's strand): a plain handler at once
/// when nothing else of the agent runs, else after what is queued (the arguments are copied
/// then); a coroutine handler is always queued, and spawned on the strand in turn.
template <class... Args, class... A>
void invoke(agent_runtime& rt, agent_handler<Args...> const& h, A&&... args)
{
    if (!h)
        return;
    if (!h.is_coroutine()) {
        if (agent_idle(rt)) {
            agent_run_now(rt, [&] { h.call(args...); });
            return;
        }
        agent_enqueue(rt, [h, ... a = std::decay_t<A>(args)]() mutable { h.call(a...); });
        return;
    }
    agent_enqueue_coro(
        rt,
        [h, ... a = std::decay_t<A>(args)]() mutable -> boost::asio::awaitable<void> {
            auto run = h(a...);
            co_await std::move(run);
        });
}

// Compiled: the agent's side of a downlink's runner (client::detail::note_runner).
void agent_enter(agent_runtime& rt) noexcept;
void agent_leave(agent_runtime& rt);

}  // namespace detail

/// Options of an agent-side downlink (seed 001's SimpleDownlinkConfig):
/// `events_when_not_synced` (default false) and `terminate_on_unlinked` (default true; when
/// false the downlink relinks with backoff), plus `keep_linked` and `keep_synced`.
using simple_downlink_config = warp::downlink_options;

/** What an agent knows of itself and can do: its node URI and route parameters, its
 * executor, commands and downlinks to other lanes (seed 001's HandlerContext).
 *
 * @par Thread safety
 * Use it from the agent's handlers (they run on the agent's strand). node_uri(), param(),
 * params() and get_executor() read state fixed when the agent was made.
 *
 * @par Cancellation
 * Nothing here is awaitable; downlinks end through their handles (see downlinks.hpp).
 */
class agent_context {
public:
    agent_context(agent_context const&) = delete;
    agent_context& operator=(agent_context const&) = delete;

    /// The node URI this agent serves, as clients address it ("/hotel/room/123").
    std::string const& node_uri() const noexcept;
    /// The route parameter `name` (":id" of "/hotel/room/:id" gives "123"); empty if none.
    std::string_view param(std::string_view name) const noexcept;
    /// Every route parameter.
    std::map<std::string, std::string, std::less<>> const& params() const noexcept;
    /// The agent's strand: its handlers run there one at a time.
    boost::asio::any_io_executor get_executor() const noexcept;

    /** Sends `@command(node, lane) body` to a lane: of an agent of this server when `host`
     * is empty or std::nullopt, else of `host` (`warp://h:9001`). Never blocks: the command
     * is queued and written in order with the host's other writes.
     * @returns swim::client::error::invalid_host for a host URI that cannot be used, and
     * recon::error::non_finite_float for a body holding a NaN or an infinity (both checked at
     * once, logged, and nothing sent). Failures found later (the host's write queue full, a
     * host the stopping server no longer reaches) are logged, not returned.
     */
    boost::system::error_code command(
        std::optional<std::string_view> host,
        std::string_view node,
        std::string_view lane,
        recon::value const& body = {});

    /// A log line, with the agent's node URI in front, to server_config::log (dropped below
    /// its level).
    void log(client::log_level level, std::string_view what) const;

    /** Stops the agent, as server_config::agent_idle_timeout does but at once: on_stop runs
     * (after the handler running now), the agent's downlinks close, every client linked to
     * its lanes gets `@unlinked`, and once its handlers are done the instance goes with its
     * lanes' state kept. The next envelope for its node starts it again (a new instance, the
     * kept state, on_start). Nothing happens when it is stopping already.
     */
    void stop();

    /** A value downlink to `lane` of `node`: on this server (host empty or std::nullopt,
     * reached without a socket) or at `host` (through the server's client connections).
     * Set its handlers, then done() opens it and gives its handle. Never fails here: see
     * value_downlink_builder::done() for the failures reported later.
     */
    template <class T = recon::value>
    value_downlink_builder<T, void> value_downlink_builder(
        std::optional<std::string_view> host,
        std::string_view node,
        std::string_view lane,
        simple_downlink_config cfg = {})
    {
        return swim::server::value_downlink_builder<T, void>(*this, host, node, lane, cfg);
    }

    /// A map downlink; as value_downlink_builder.
    template <class K = recon::value, class V = recon::value>
    map_downlink_builder<K, V, void> map_downlink_builder(
        std::optional<std::string_view> host,
        std::string_view node,
        std::string_view lane,
        simple_downlink_config cfg = {})
    {
        return swim::server::map_downlink_builder<K, V, void>(*this, host, node, lane, cfg);
    }

    /// An event downlink (link without sync, every event); as value_downlink_builder.
    template <class T = recon::value>
    event_downlink_builder<T, void> event_downlink_builder(
        std::optional<std::string_view> host,
        std::string_view node,
        std::string_view lane,
        simple_downlink_config cfg = {})
    {
        return swim::server::event_downlink_builder<T, void>(*this, host, node, lane, cfg);
    }

    /// The runtime behind this context (for the library's own templates).
    detail::agent_runtime& runtime() const noexcept { return *rt_; }

private:
    friend class detail::agent_runtime;
    explicit agent_context(detail::agent_runtime& rt) noexcept
        : rt_(&rt)
    {}

    detail::agent_runtime* rt_;
};

/** The base of every agent type.
 *
 * @code
 * struct room_agent : swim::server::agent {
 *     using agent::agent;
 *     swim::server::value_lane<bool> light{*this, "light"};
 *     swim::server::command_lane<> toggle{*this, "toggle", [this](recon::value const&) {
 *         light.set(!light.get());
 *     }};
 * };
 * server.route<room_agent>("/hotel/room/:id");
 * @endcode
 *
 * An agent is made by the first link, sync or command (allowed by the server's auth policy)
 * to one of its lanes: its constructor runs first, on the thread that routes that request
 * (declare the lanes there; start downlinks in on_start), and when the lane is not among its
 * lanes the instance is dropped without starting. It lives until the server stops, or until
 * it is stopped for idleness (server_config::agent_idle_timeout) or by agent_context::stop():
 * then its lanes' state is kept and the next envelope makes a new instance that holds it.
 * on_start, on_stop and every handler of its lanes and downlinks run on its strand, one at a
 * time.
 *
 * @par Errors
 * An agent whose constructor throws (or whose factory gives no agent) is not made: its
 * node's links are refused with `@unlinked` and that reason, and the error is logged. An
 * exception (std::exception) from on_start, on_stop or a handler is logged as an error.
 *
 * @par Thread safety
 * Touch an agent and its lanes only on its strand (context().get_executor()).
 */
class agent {
public:
    /// Called by the server (through route<Agent>()) with the agent's context.
    explicit agent(agent_context& ctx) noexcept
        : ctx_(&ctx)
    {}
    /// Destroyed once the agent stopped (see above) and its handlers ended.
    virtual ~agent();
    agent(agent const&) = delete;
    agent& operator=(agent const&) = delete;

    /// Called once the agent and its lanes are constructed, before any envelope reaches it.
    virtual void on_start() {}
    /// Called when the agent stops (the server stops, it was idle, or stop() was called),
    /// before the agent's uplinks are unlinked.
    virtual void on_stop() {}

    /// The agent's context: node URI, route parameters, commands, downlink builders.
    agent_context& context() const noexcept { return *ctx_; }

private:
    agent_context* ctx_;
};

}  // namespace swim::server

#endif
