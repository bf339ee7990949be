// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_DOWNLINKS_HPP
#define SWIM_SERVER_DOWNLINKS_HPP

#include <swim/recon/convert.hpp>
#include <swim/recon/value.hpp>
#include <swim/server/agent.hpp>
#include <swim/warp/downlink_model.hpp>
#include <swim/warp/host_session.hpp>
#include <swim/warp/map_event.hpp>

#include <swim/client/detail/dispatch.hpp>

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
 * Agent-side downlinks (seed 001): an agent links to a lane of another agent, on this server
 * (no host: reached without a socket) or on another host (through the server's client
 * connections, one WebSocket per host), and its handlers run inside the agent, one at a time
 * with its lane handlers, so they may read and write the agent's lanes.
 *
 * @code
 * handle_ = context()
 *     .value_downlink_builder<int>(std::nullopt, "/example/2", "lane")
 *     .on_linked([] { std::cout << "Link opened.\n"; })
 *     .on_synced([](int const& v) { std::cout << "Link synchronized: " << v << "\n"; })
 *     .on_event([](int const& v) { std::cout << "Received value on link: " << v << "\n"; })
 *     .on_unlinked([] { std::cout << "Link closed.\n"; })
 *     .on_failed([] { std::cout << "Link failed.\n"; })
 *     .done();
 * @endcode
 *
 * Every handler may take, in front of its own arguments, the agent's `agent_context&`, and
 * after with_shared_state(s), the shared state `S&` in front of that: `(S&, agent_context&,
 * args...)`, `(S&, args...)`, `(agent_context&, args...)` or `(args...)`. A handler returns
 * void or `awaitable<void>`.
 *
 * The handle done() gives owns the downlink: when its last copy is destroyed, the downlink
 * stops (as in swim-rust); keep it in the agent. When the server stops, every agent's
 * downlinks stop after its on_stop (their queued sets written first).
 *
 * @par Cancellation
 * Nothing here is awaitable: a downlink is ended by stop() or by dropping its handle.
 * Handlers already triggered still run; none is triggered afterwards.
 *
 * @par Thread safety
 * Builders and done() are used on the agent's strand (in its handlers or on_start). A
 * handle's set/update/remove/clear, stop, is_stopped and is_linked may be called from any
 * thread. Handlers run on the agent's strand, in the order things happened on the link.
 *
 * @par Errors
 * A host URI that cannot be used, a lane that refuses the link (`laneNotFound`, with
 * terminate_on_unlinked) or a value that does not convert to the downlink's type where a
 * handler would receive it end the downlink: on_unlinked or on_failed runs, the reason is logged,
 * is_stopped() turns true and the handle's writes return warp::error::closed.
 */

namespace swim::server {

namespace detail {

class agent_downlink;

/// Opens an agent-side downlink (compiled). `dispatch` runs its handlers on the agent's
/// strand, one notification at a time, in order (the runner and dispatch client downlinks
/// use); the handle's token stops the downlink when destroyed.
std::shared_ptr<agent_downlink> open_agent_downlink(
    agent_context& ctx,
    std::optional<std::string_view> host,
    std::string_view node,
    std::string_view lane,
    warp::downlink_kind kind,
    simple_downlink_config const& cfg,
    std::shared_ptr<client::detail::note_dispatcher> dispatch);

boost::system::error_code downlink_command(agent_downlink& dl, recon::value body);
void downlink_stop(agent_downlink& dl);
bool downlink_stopped(agent_downlink const& dl) noexcept;
bool downlink_linked(agent_downlink const& dl) noexcept;

/// Whether `F` can be called with `S&` then `Rest...` (false when there is no state).
template <class S, class F, class... Rest>
struct takes_state : std::is_invocable<F&, S&, Rest...> {};
template <class F, class... Rest>
struct takes_state<void, F, Rest...> : std::false_type {};

/// Whether adapt_handler<S, Args...> can wrap `F` (in any of the forms the file comment
/// lists).
template <class S, class F, class... Args>
inline constexpr bool adaptable_v = takes_state<S, F, agent_context&, Args...>::value ||
                                    takes_state<S, F, Args...>::value ||
                                    std::is_invocable_v<F&, agent_context&, Args...> ||
                                    std::is_invocable_v<F&, Args...>;

/// An agent handler taking `Args...` that calls `h` without them (a handler that does not
/// want the reason or the error).
template <class... Args>
agent_handler<Args...> ignoring_args(agent_handler<> h)
{
    if (!h)
        return {};
    if (h.is_coroutine())
        return make_agent_handler<Args...>([h](Args...) { return h(); });
    return make_agent_handler<Args...>([h](Args...) { h.call(); });
}

/// An agent handler taking (K, B, A) that calls `h` with (K, A, B): the agent's
/// on_update(key, previous, now) as the dispatch's did_update(key, now, before).
template <class K, class A, class B>
agent_handler<K, B, A> swap_last(agent_handler<K, A, B> h)
{
    if (!h)
        return {};
    if (h.is_coroutine())
        return make_agent_handler<K, B, A>([h](K k, B b, A a) {
            return h(std::forward<K>(k), std::forward<A>(a), std::forward<B>(b));
        });
    return make_agent_handler<K, B, A>(
        [h](K k, B b, A a) { h.call(std::forward<K>(k), std::forward<A>(a), std::forward<B>(b)); });
}

/// Wraps a builder handler into an agent handler taking `Args...`, giving it the shared
/// state and the context first when it asks for them.
template <class S, class... Args, class F>
agent_handler<Args...> adapt_handler(agent_context& ctx, std::shared_ptr<S> const& st, F f)
{
    agent_context* c = &ctx;
    if constexpr (takes_state<S, F, agent_context&, Args...>::value) {
        return make_agent_handler<Args...>([f = std::move(f), st, c](Args... a) mutable {
            return f(*st, *c, std::forward<Args>(a)...);
        });
    } else if constexpr (takes_state<S, F, Args...>::value) {
        return make_agent_handler<Args...>(
            [f = std::move(f), st](Args... a) mutable { return f(*st, std::forward<Args>(a)...); });
    } else if constexpr (std::is_invocable_v<F&, agent_context&, Args...>) {
        return make_agent_handler<Args...>(
            [f = std::move(f), c](Args... a) mutable { return f(*c, std::forward<Args>(a)...); });
    } else {
        static_assert(
            std::is_invocable_v<F&, Args...>,
            "a downlink handler takes its arguments, optionally preceded by agent_context& "
            "and (after with_shared_state) the state S&");
        return make_agent_handler<Args...>(std::move(f));
    }
}

/// Stops the downlink when the last handle goes.
struct downlink_owner {
    std::shared_ptr<agent_downlink> dl;
    explicit downlink_owner(std::shared_ptr<agent_downlink> d) noexcept
        : dl(std::move(d))
    {}
    ~downlink_owner()
    {
        if (dl)
            downlink_stop(*dl);
    }
    downlink_owner(downlink_owner const&) = delete;
    downlink_owner& operator=(downlink_owner const&) = delete;
};

/** What every downlink handle offers. A default-constructed handle has no downlink: it is
 * stopped, and its writes return warp::error::closed. Copies share one downlink.
 */
class handle_base {
public:
    /// Stops the downlink: writes queued before are still written, then @unlink. Handlers
    /// already triggered still run; nothing is triggered afterwards.
    void stop()
    {
        if (owner_)
            downlink_stop(*owner_->dl);
    }
    /// True once the downlink has ended: stopped, failed, or unlinked for good.
    bool is_stopped() const noexcept { return !owner_ || downlink_stopped(*owner_->dl); }
    /// Whether the link is up now (as last reported by its host; false once stopped).
    bool is_linked() const noexcept { return owner_ && downlink_linked(*owner_->dl); }

protected:
    handle_base() = default;
    explicit handle_base(std::shared_ptr<agent_downlink> dl)
        : owner_(std::make_shared<downlink_owner>(std::move(dl)))
    {}

    boost::system::error_code command(recon::value body) const
    {
        if (!owner_)
            return warp::error::closed;
        return downlink_command(*owner_->dl, std::move(body));
    }

    std::shared_ptr<downlink_owner> owner_;
};

/// Where a builder is, whatever its handlers.
struct builder_target {
    agent_context* ctx;
    std::optional<std::string> host;
    std::string node;
    std::string lane;
    simple_downlink_config cfg;
};

inline builder_target make_target(
    agent_context& ctx,
    std::optional<std::string_view> host,
    std::string_view node,
    std::string_view lane,
    simple_downlink_config const& cfg)
{
    std::optional<std::string> h;
    if (host && !host->empty())
        h = std::string(*host);
    return {&ctx, std::move(h), std::string(node), std::string(lane), cfg};
}

/// The builder methods every kind has; `Handlers` is one of client::detail's
/// value_handlers, map_handlers, event_handlers (the dispatch client downlinks use).
template <class Derived, class Handlers, class S>
class builder_base {
public:
    using handlers_type = client::detail::typed_dispatcher<Handlers>;

    /// `f()`: the link is up (again after a reconnect).
    template <class F>
    Derived& on_linked(F f)
    {
        set(h_->on_linked, adapt_handler<S>(*t_.ctx, st_, std::move(f)));
        return self();
    }
    /// `f(std::string_view reason)` or `f()`: the link is down (the reason is logged): the
    /// lane's host unlinked it (`nodeNotFound`, `laneNotFound`, a text; with
    /// terminate_on_unlinked, the default, the downlink has ended; otherwise it relinks with
    /// backoff), or the connection was lost ("connection lost"; with keep_linked it relinks
    /// once it is back).
    template <class F>
    Derived& on_unlinked(F f)
    {
        if constexpr (adaptable_v<S, F, std::string_view>)
            set(h_->on_unlinked, adapt_handler<S, std::string_view>(*t_.ctx, st_, std::move(f)));
        else
            set(h_->on_unlinked,
                ignoring_args<std::string_view>(adapt_handler<S>(*t_.ctx, st_, std::move(f))));
        return self();
    }
    /// `f(boost::system::error_code error, std::string_view why)` or `f()`: the downlink
    /// failed (a host URI it cannot use, a stopping server, a frame or value it could not
    /// read; the reason is logged); it is stopped.
    template <class F>
    Derived& on_failed(F f)
    {
        set(h_->on_failed, error_handler(std::move(f)));
        return self();
    }
    /// `f(boost::system::error_code error, std::string_view why)` or `f()`: an attempt to
    /// reach the downlink's host failed (connection refused, a name that does not resolve,
    /// a timeout, TLS verification, the upgrade refused); `why` names the host and the
    /// cause. The downlink keeps trying with backoff; with `keep_linked` false it fails
    /// instead (on_failed, with the same error) and is stopped. Never for this server's own
    /// agents.
    template <class F>
    Derived& on_unreachable(F f)
    {
        set(h_->on_unreachable, error_handler(std::move(f)));
        return self();
    }

    /// Where the downlink goes: host, node, lane, options.
    builder_target const& target() const noexcept { return t_; }
    /// The handlers set so far (shared with the builders with_shared_state() makes).
    std::shared_ptr<handlers_type> const& handlers() const noexcept { return h_; }
    /// The shared state, or null before with_shared_state().
    std::shared_ptr<S> const& state() const noexcept { return st_; }

protected:
    /// Opens the downlink; its handlers run through the dispatch client downlinks use.
    template <class Handle>
    Handle open(warp::downlink_kind kind) const
    {
        auto dl = open_agent_downlink(
            *t_.ctx,
            t_.host,
            t_.node,
            t_.lane,
            kind,
            t_.cfg,
            std::shared_ptr<client::detail::note_dispatcher>(h_, h_.get()));
        return Handle(std::move(dl));
    }

    /// Sets a handler, noting whether it is a coroutine.
    template <class... A>
    void set(agent_handler<A...>& slot, agent_handler<A...> h) const
    {
        slot = std::move(h);
        h_->noted(slot);
    }

    template <class F>
    agent_handler<boost::system::error_code, std::string_view> error_handler(F f) const
    {
        if constexpr (adaptable_v<S, F, boost::system::error_code, std::string_view>)
            return adapt_handler<S, boost::system::error_code, std::string_view>(
                *t_.ctx,
                st_,
                std::move(f));
        else
            return ignoring_args<boost::system::error_code, std::string_view>(
                adapt_handler<S>(*t_.ctx, st_, std::move(f)));
    }

    builder_base(builder_target t, std::shared_ptr<handlers_type> h, std::shared_ptr<S> st)
        : t_(std::move(t))
        , h_(std::move(h))
        , st_(std::move(st))
    {}

    builder_target t_;
    std::shared_ptr<handlers_type> h_;
    std::shared_ptr<S> st_;

private:
    Derived& self() { return static_cast<Derived&>(*this); }
};

template <class T>
using value_dl_handlers = client::detail::value_handlers<T>;
template <class K, class V>
using map_dl_handlers = client::detail::map_handlers<K, V>;
template <class T>
using event_dl_handlers = client::detail::event_handlers<T>;

}  // namespace detail

// ---- value downlinks ---------------------------------------------------------------------

/** The handle of an agent-side value downlink (seed 001's ValueDownlinkHandle): stop(),
 * is_stopped(), is_linked() and set(). Thread safety and errors as in the file comment.
 */
template <class T>
class value_downlink_handle : public detail::handle_base {
public:
    /// A handle with no downlink (stopped; set() returns warp::error::closed).
    value_downlink_handle() = default;
    /// Owns `dl` (made by value_downlink_builder::done()).
    explicit value_downlink_handle(std::shared_ptr<detail::agent_downlink> dl)
        : handle_base(std::move(dl))
    {}

    /** Queues `v` to be set on the lane (`@command`) and returns at once; the downlink's
     * state changes when the lane's event comes back. Never blocks.
     * @returns warp::error::closed when stopped, warp::error::queue_full when
     * server_config::downlink_queue_limit sets wait, recon::error::non_finite_float when `v`
     * holds a NaN or an infinity (nothing is queued then).
     */
    boost::system::error_code set(T const& v) const { return command(recon::value_from(v)); }
};

/** Builds an agent-side value downlink; get one from agent_context::value_downlink_builder.
 * Handlers: `on_linked()`, `on_synced(T const&)`, `on_event(T const&)` (every event),
 * `on_set(std::optional<T> const& previous, T const& now)` (the state changed: once per
 * change, as a client's did_set), `on_unlinked(reason)`, `on_failed(error, why)`.
 */
template <class T, class S>
class value_downlink_builder
    : public detail::builder_base<value_downlink_builder<T, S>, detail::value_dl_handlers<T>, S> {
    using base =
        detail::builder_base<value_downlink_builder<T, S>, detail::value_dl_handlers<T>, S>;

public:
    /// A builder for `lane` of `node` at `host` (empty or std::nullopt: this server); prefer
    /// agent_context::value_downlink_builder().
    value_downlink_builder(
        agent_context& ctx,
        std::optional<std::string_view> host,
        std::string_view node,
        std::string_view lane,
        simple_downlink_config const& cfg)
        : base(
              detail::make_target(ctx, host, node, lane, cfg),
              std::make_shared<typename base::handlers_type>(),
              nullptr)
    {}
    /// Used by with_shared_state().
    value_downlink_builder(
        detail::builder_target t,
        std::shared_ptr<typename base::handlers_type> h,
        std::shared_ptr<S> st)
        : base(std::move(t), std::move(h), std::move(st))
    {}

    /// `f(T const& value)`: synced, with the lane's value then.
    template <class F>
    value_downlink_builder& on_synced(F f)
    {
        this->set(
            this->h_->on_synced,
            detail::adapt_handler<S, T const&>(*this->t_.ctx, this->st_, std::move(f)));
        return *this;
    }
    /// `f(T const& value)`: every event of the lane, changed or not; when the agent's
    /// handlers fall `max_pending_events` behind, the newest value replaces the set waiting
    /// last (as on a client's downlink).
    template <class F>
    value_downlink_builder& on_event(F f)
    {
        this->set(
            this->h_->on_event,
            detail::adapt_handler<S, T const&>(*this->t_.ctx, this->st_, std::move(f)));
        return *this;
    }
    /// `f(std::optional<T> const& previous, T const& now)`: the value changed (after
    /// on_event; an event equal to the value held fires on_event only), with the value
    /// before it (nullopt before the first sync or event).
    template <class F>
    value_downlink_builder& on_set(F f)
    {
        // The dispatch's did_set takes (now, before).
        this->set(
            this->h_->did_set,
            client::detail::swap_args(detail::adapt_handler<S, std::optional<T> const&, T const&>(
                *this->t_.ctx,
                this->st_,
                std::move(f))));
        return *this;
    }

    /// A builder whose handlers set from now on may take `S2&` first: a copy of `state`,
    /// shared by them and owned by the downlink. Handlers set before are kept.
    template <class S2>
    value_downlink_builder<T, S2> with_shared_state(S2 state) const
    {
        return {this->t_, this->h_, std::make_shared<S2>(std::move(state))};
    }

    /** Opens the downlink (in the background) and gives its handle. Never fails at once: a
     * host URI that cannot be used, or a server that is stopping, fails the downlink later
     * (on_failed runs). A value that does not convert to `T`, where a handler would receive
     * it, fails it too (on_failed, then stopped), as on a client's downlink. Use the builder once:
     * done() again opens a second downlink sharing the same handlers.
     */
    [[nodiscard]] value_downlink_handle<T> done() const
    {
        return this->template open<value_downlink_handle<T>>(warp::downlink_kind::value);
    }
};

// ---- map downlinks -----------------------------------------------------------------------

/** The handle of an agent-side map downlink: stop(), is_stopped(), is_linked() and the
 * writes, each queued as a `@command` and returned at once (the downlink's state changes when
 * the lane's event comes back). Thread safety and errors as in the file comment.
 */
template <class K, class V>
class map_downlink_handle : public detail::handle_base {
public:
    /// A handle with no downlink (stopped; writes return warp::error::closed).
    map_downlink_handle() = default;
    /// Owns `dl` (made by map_downlink_builder::done()).
    explicit map_downlink_handle(std::shared_ptr<detail::agent_downlink> dl)
        : handle_base(std::move(dl))
    {}

    /// Queues `@update(key:k) v` to the lane. Errors as value_downlink_handle::set.
    boost::system::error_code update(K const& key, V const& value) const
    {
        return command(warp::to_value(
            warp::map_event::update(recon::value_from(key), recon::value_from(value))));
    }
    /// The same as update().
    boost::system::error_code put(K const& key, V const& value) const { return update(key, value); }
    /// Queues `@remove(key:k)`. Errors as value_downlink_handle::set.
    boost::system::error_code remove(K const& key) const
    {
        return command(warp::to_value(warp::map_event::remove(recon::value_from(key))));
    }
    /// Queues `@clear`. Errors as value_downlink_handle::set.
    boost::system::error_code clear() const
    {
        return command(warp::to_value(warp::map_event::clear()));
    }
};

/** Builds an agent-side map downlink. Handlers: `on_linked()`, `on_synced(std::map<K, V>
 * const&)`, `on_update(K const&, std::optional<V> const& previous, V const& now)`,
 * `on_remove(K const&, V const& previous)`, `on_clear()`, `on_unlinked()`, `on_failed()`.
 * After a reconnect the resync reconciles: only keys that changed fire.
 */
template <class K, class V, class S>
class map_downlink_builder
    : public detail::builder_base<map_downlink_builder<K, V, S>, detail::map_dl_handlers<K, V>, S> {
    using base =
        detail::builder_base<map_downlink_builder<K, V, S>, detail::map_dl_handlers<K, V>, S>;

public:
    /// A builder for `lane` of `node` at `host` (empty or std::nullopt: this server); prefer
    /// agent_context::map_downlink_builder().
    map_downlink_builder(
        agent_context& ctx,
        std::optional<std::string_view> host,
        std::string_view node,
        std::string_view lane,
        simple_downlink_config const& cfg)
        : base(
              detail::make_target(ctx, host, node, lane, cfg),
              std::make_shared<typename base::handlers_type>(),
              nullptr)
    {}
    /// Used by with_shared_state().
    map_downlink_builder(
        detail::builder_target t,
        std::shared_ptr<typename base::handlers_type> h,
        std::shared_ptr<S> st)
        : base(std::move(t), std::move(h), std::move(st))
    {}

    /// `f(std::map<K, V> const& entries)`: synced, with the lane's entries then.
    template <class F>
    map_downlink_builder& on_synced(F f)
    {
        this->set(
            this->h_->on_synced,
            detail::adapt_handler<S, std::map<K, V> const&>(
                *this->t_.ctx,
                this->st_,
                std::move(f)));
        return *this;
    }
    /// `f(K const& key, std::optional<V> const& previous, V const& now)`: an entry was added
    /// (previous is nullopt) or changed.
    template <class F>
    map_downlink_builder& on_update(F f)
    {
        // The dispatch's did_update takes (key, now, before).
        this->set(
            this->h_->did_update,
            detail::swap_last(detail::adapt_handler<S, K const&, std::optional<V> const&, V const&>(
                *this->t_.ctx,
                this->st_,
                std::move(f))));
        return *this;
    }
    /// `f(K const& key, V const& previous)`: an entry was removed (also each entry a `@take`
    /// or `@drop` evicts).
    template <class F>
    map_downlink_builder& on_remove(F f)
    {
        this->set(
            this->h_->did_remove,
            detail::adapt_handler<S, K const&, V const&>(*this->t_.ctx, this->st_, std::move(f)));
        return *this;
    }
    /// `f()`: the map was cleared.
    template <class F>
    map_downlink_builder& on_clear(F f)
    {
        this->set(
            this->h_->did_clear,
            detail::adapt_handler<S>(*this->t_.ctx, this->st_, std::move(f)));
        return *this;
    }

    /// As value_downlink_builder::with_shared_state().
    template <class S2>
    map_downlink_builder<K, V, S2> with_shared_state(S2 state) const
    {
        return {this->t_, this->h_, std::make_shared<S2>(std::move(state))};
    }

    /// Opens the downlink (in the background) and gives its handle; failures as
    /// value_downlink_builder::done() (a key or value that does not convert fails it).
    [[nodiscard]] map_downlink_handle<K, V> done() const
    {
        return this->template open<map_downlink_handle<K, V>>(warp::downlink_kind::map);
    }
};

// ---- event downlinks ---------------------------------------------------------------------

/** The handle of an agent-side event downlink: stop(), is_stopped() and is_linked() (it
 * has no writes). Thread safety as in the file comment.
 */
template <class T>
class event_downlink_handle : public detail::handle_base {
public:
    /// A handle with no downlink (stopped).
    event_downlink_handle() = default;
    /// Owns `dl` (made by event_downlink_builder::done()).
    explicit event_downlink_handle(std::shared_ptr<detail::agent_downlink> dl)
        : handle_base(std::move(dl))
    {}
};

/** Builds an agent-side event downlink (links without sync; every event of the lane).
 * Handlers: `on_linked()`, `on_event(T const&)`, `on_unlinked()`, `on_failed()`.
 */
template <class T, class S>
class event_downlink_builder
    : public detail::builder_base<event_downlink_builder<T, S>, detail::event_dl_handlers<T>, S> {
    using base =
        detail::builder_base<event_downlink_builder<T, S>, detail::event_dl_handlers<T>, S>;

public:
    /// A builder for `lane` of `node` at `host` (empty or std::nullopt: this server); prefer
    /// agent_context::event_downlink_builder().
    event_downlink_builder(
        agent_context& ctx,
        std::optional<std::string_view> host,
        std::string_view node,
        std::string_view lane,
        simple_downlink_config const& cfg)
        : base(
              detail::make_target(ctx, host, node, lane, cfg),
              std::make_shared<typename base::handlers_type>(),
              nullptr)
    {}
    /// Used by with_shared_state().
    event_downlink_builder(
        detail::builder_target t,
        std::shared_ptr<typename base::handlers_type> h,
        std::shared_ptr<S> st)
        : base(std::move(t), std::move(h), std::move(st))
    {}

    /// `f(T const& event)`: every event of the lane, in order.
    template <class F>
    event_downlink_builder& on_event(F f)
    {
        this->set(
            this->h_->on_event,
            detail::adapt_handler<S, T const&>(*this->t_.ctx, this->st_, std::move(f)));
        return *this;
    }

    /// As value_downlink_builder::with_shared_state().
    template <class S2>
    event_downlink_builder<T, S2> with_shared_state(S2 state) const
    {
        return {this->t_, this->h_, std::make_shared<S2>(std::move(state))};
    }

    /// Opens the downlink (in the background) and gives its handle; failures as
    /// value_downlink_builder::done() (an event that does not convert fails it).
    [[nodiscard]] event_downlink_handle<T> done() const
    {
        return this->template open<event_downlink_handle<T>>(warp::downlink_kind::event);
    }
};

}  // namespace swim::server

#endif
