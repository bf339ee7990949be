// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_LANES_HPP
#define SWIM_SERVER_LANES_HPP

#include <swim/recon/convert.hpp>
#include <swim/recon/value.hpp>
#include <swim/server/agent.hpp>
#include <swim/warp/downlink_model.hpp>
#include <swim/warp/map_event.hpp>

#include <cstdint>
#include <exception>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

/** @file
 * Lanes: the state an agent exposes. Declare them as members of an agent; clients link to
 * them by node URI and lane name (warp-protocol.md §3):
 * - value_lane<T>: one value; `@sync` sends it, every set is broadcast (coalesced to the
 *   latest value for a slow client), a client `@command` sets it.
 * - map_lane<K, V>: ordered entries; `@sync` sends one `@update` per entry, changes are
 *   broadcast (coalesced per key for a slow client), client commands `@update`, `@remove`,
 *   `@clear`, `@take(n)`, `@drop(n)` change it.
 * - command_lane<T>: no state; every command runs on_command and is broadcast to its links.
 *
 * @par Thread safety
 * A lane is used on its agent's strand (in the agent's handlers, on_start, on_stop), never
 * from other threads. Its handlers run there too, one at a time with the agent's other
 * handlers: a handler triggered while another runs (a set inside on_set) runs after it.
 *
 * @par Errors
 * The typed accessors (`get`, `get_all`) throw recon::conversion_exception when a stored value
 * does not convert (it cannot happen with values the lane accepted through its own type). A
 * client command that does not convert to the lane's type is not applied and is logged,
 * naming the lane and why. A handler that throws a std::exception is logged as an error (the
 * change it reports stays made). A value or key holding a NaN or an infinity (no Recon form:
 * it could be neither broadcast nor synced) is refused: the constructor, set(), update(),
 * command() and their aliases throw boost::system::system_error (recon::error::non_finite_float,
 * naming the lane) before anything changes.
 *
 * Handlers (on_set, on_update, on_command, ...) may be plain callables or coroutines
 * returning `awaitable<void>`; setting one replaces the previous one. A coroutine handler
 * holds back the agent's later handlers until it ends (see detail::agent_handler).
 *
 * @par Cancellation
 * Nothing here is awaitable. When the server stops, every lane's clients are unlinked after
 * the agent's on_stop.
 */

namespace swim::server {

namespace detail {

/// The kind of a lane.
enum class lane_kind : std::uint8_t {
    value,
    map,
    command,
    supply,
    demand,
    demand_map,
    /// A value or map store: agent state no client addresses.
    store,
    join_value,
    join_map,
    /// An HTTP lane: addressed by HTTP requests, not by WARP.
    http
};

/// Receives a lane's state for a `@sync` (the compiled side writes frames).
class sync_sink {
public:
    virtual void value(recon::value const& v) = 0;
    virtual void map_update(recon::value const& key, recon::value const& v) = 0;

protected:
    ~sync_sink() = default;
};

/// An empty map (what an empty map lane shows).
inline warp::map_state const& empty_map_state() noexcept
{
    static warp::map_state const empty;
    return empty;
}

/// Writes `entries` for a `@sync`, `max` (at least 1) at a time, starting after the key
/// `after` (from the first when null): the key of the last written when more follow, else
/// nullopt.
std::optional<recon::value> sync_entries(
    warp::map_state const& entries,
    sync_sink& out,
    recon::value const* after,
    std::size_t max);

/// A map's entries as a record of `key: value` slots, moved out (for save_state()).
recon::value save_entries(warp::map_state& entries);
/// Puts back what save_entries() gave; false (nothing changed) when it is not a record.
bool restore_entries(warp::map_state& entries, recon::value state);

/// The value at `key` of `entries`, converted; nullopt when there is none. Throws
/// recon::conversion_exception when it does not convert.
template <class V>
std::optional<V> typed_entry(warp::map_state const& entries, recon::value const& key)
{
    auto it = entries.find(key);
    if (it == entries.end())
        return std::nullopt;
    return recon::value_to<V>(it->second);
}

/// Every entry of `entries`, converted (throws as typed_entry()).
template <class K, class V>
std::map<K, V> typed_entries(warp::map_state const& entries)
{
    std::map<K, V> out;
    for (auto const& [k, v] : entries)
        out.emplace(recon::value_to<K>(k), recon::value_to<V>(v));
    return out;
}

/// Throws boost::system::system_error(recon::error::non_finite_float), naming `lane`, when
/// `v` holds a NaN or an infinity.
void require_writable(recon::value const& v, std::string const& lane);

struct server_uplink;

/** The clients linked to a lane, each knowing its place in the list (server_uplink::slot):
 * O(1) in and out. One block holds the count and the links (compiled), made at the first
 * link and let go with the last.
 */
class uplink_list {
public:
    uplink_list() noexcept = default;
    ~uplink_list();
    uplink_list(uplink_list const&) = delete;
    uplink_list& operator=(uplink_list const&) = delete;

    std::size_t size() const noexcept;
    bool empty() const noexcept { return size() == 0; }
    std::shared_ptr<server_uplink> const* begin() const noexcept;
    std::shared_ptr<server_uplink> const* end() const noexcept { return begin() + size(); }
    /// Appends `up`, which gets its slot.
    void push(std::shared_ptr<server_uplink> up);
    /// Takes out the link at `slot` (the last takes its place and its slot).
    void remove(std::uint32_t slot) noexcept;
    void clear() noexcept;

private:
    struct block;
    block* block_ = nullptr;
};

/// The untyped part of every lane: its name, its agent, its uplinks (compiled).
class lane_base {
public:
    /// Registers the lane with `owner` under `name`; a second lane of the same name is
    /// logged as an error and not served (the first serves).
    lane_base(agent& owner, std::string name, lane_kind kind);
    /// Unregisters the lane.
    virtual ~lane_base();
    lane_base(lane_base const&) = delete;
    lane_base& operator=(lane_base const&) = delete;

    /// The lane's name, as clients address it.
    std::string const& name() const noexcept;
    lane_kind kind() const noexcept { return kind_; }
    /// The context of the lane's agent.
    agent_context& context() const noexcept { return *ctx_; }
    /// Clients linked to the lane now.
    std::size_t uplink_count() const noexcept;

    // ---- called by the server, on the agent's strand -----------------------------------------
    /** Writes the lane's state for a sync: all of it, or for a map at most `max` (at least
     * 1) entries, starting after the key `after` (from the first when null). @returns the
     * key of the last entry written when entries may follow, nullopt when it wrote the rest.
     */
    virtual std::optional<recon::value> sync_state(
        sync_sink& out,
        recon::value const* after,
        std::size_t max) const = 0;
    /// A client's `@command` body.
    virtual void on_remote_command(recon::value body) = 0;
    /// The lane's state when the agent stops (moved out: the instance is about to go), or
    /// nullopt when it never changed (nothing to keep).
    std::optional<recon::value> save()
    {
        if (!changed_)
            return std::nullopt;
        return save_state();
    }
    /// Puts back what save() gave, before on_start of the agent's next instance; no handler
    /// runs, nothing is broadcast.
    void restore(recon::value state)
    {
        changed_ = true;
        restore_state(std::move(state));
    }

    /// The clients linked to the lane (for the server).
    uplink_list& links() noexcept { return uplinks_; }

    /// Marks the lane transient: its state is not written to the server's store (nor kept
    /// while the agent is stopped); call it in the agent's constructor.
    void set_transient(bool transient = true) noexcept { transient_ = transient; }
    bool transient() const noexcept { return transient_; }
    /// Whether the lane's state goes to the store: value and map lanes and stores that are
    /// not transient.
    bool persisted() const noexcept
    {
        return !transient_ &&
               (kind_ == lane_kind::value || kind_ == lane_kind::map || kind_ == lane_kind::store);
    }
    /// One entry read back from the store (a map's), before on_start: no handler runs.
    virtual void restore_entry(recon::value key, recon::value value)
    {
        (void)key;
        (void)value;
    }
    /// Empties a map's entries before they are read back from the store (a write failed).
    virtual void clear_state() {}
    /// Whether the lane's state is entries (a map lane or store), each kept on its own.
    virtual bool keyed() const noexcept { return false; }
    /// Whether the lane's links go to the store: a join lane's that is not transient (its
    /// entries come back through them).
    bool keeps_links() const noexcept
    {
        return !transient_ && (kind_ == lane_kind::join_value || kind_ == lane_kind::join_map);
    }
    /// A join lane's links, each as (link key, `{node:.., lane:..}` with `host:` when not
    /// this server), to keep them; and one read back, opened again (before on_start).
    virtual std::vector<std::pair<recon::value, recon::value>> link_specs() const { return {}; }
    virtual void restore_link(recon::value key, recon::value spec)
    {
        (void)key;
        (void)spec;
    }

protected:
    detail::agent_runtime& runtime() const noexcept { return ctx_->runtime(); }
    /// The lane's state, for save() (may move it out).
    virtual std::optional<recon::value> save_state() { return std::nullopt; }
    /// Takes back a state save_state() gave; logs and keeps the lane as it is when it does
    /// not convert.
    virtual void restore_state(recon::value state) { (void)state; }
    /// Sends a value event to every uplink (coalesced per uplink when it falls behind).
    void broadcast_value(recon::value const& v);
    /// Sends a map event to every uplink (coalesced per key when it falls behind).
    void broadcast_map(warp::map_event const& e);
    /// Sends an event to every uplink, never coalesced.
    void broadcast_event(recon::value const& v);
    /// Whether a change now should keep the state before it (a durable store writes the lane
    /// through, and nothing is kept yet since its last write): then pass it to keep_before().
    bool wants_before() const noexcept;
    /// The state before a change, put back when the change's write fails.
    void keep_before(recon::value before);
    /// Logs a command that could not be applied, naming the lane and why.
    void bad_command(std::string_view why) const;
    /// Logs a kept state that could not be restored, naming the lane and why.
    void bad_restore(std::string_view why) const;
    /// Counts a change of a lane's state that is not broadcast (a store's).
    void changed() noexcept;
    /// A value store's change: its new state.
    void changed(recon::value const& now);
    /// A join lane's link added (`spec` set: see link_specs()) or gone (`spec` null).
    void changed_link(recon::value const& key, recon::value const* spec);
    /// A map store's change: an entry put (`now` set) or removed (`now` null), or cleared.
    void changed_entry(recon::value const& key, recon::value const* now);
    void changed_cleared();
    /// Whether `v` can be sent (holds no NaN or infinity); logged, naming `what` (the callable
    /// that computed it), when not.
    bool sendable(recon::value const& v, std::string_view what) const;
    /// `f()`, or nullopt when it throws a std::exception (logged, naming `what`): for the
    /// application's callables that compute a lane's values.
    template <class F>
    auto guarded(std::string_view what, F&& f) const -> std::optional<std::invoke_result_t<F&>>
    {
        try {
            return f();
        } catch (std::exception const& e) {
            bad_compute(what, e.what());
            return std::nullopt;
        }
    }
    void bad_compute(std::string_view what, std::string_view why) const;

private:
    friend class agent_runtime;

    agent_context* ctx_;
    uplink_list uplinks_;
    /// Where the agent keeps the name (the names of the lanes of the agents of a route are
    /// kept once for all of them).
    std::uint32_t index_ = 0;
    /// The parts of broadcast_*() that write to the uplinks (also called by the agent for
    /// events held until a store write ends).
    void send_value(recon::value const& v);
    void send_map(warp::map_event const& e);
    void send_event(recon::value const& v);

    lane_kind kind_;
    bool changed_ = false;
    bool transient_ = false;
};

}  // namespace detail

/** A value lane holding a `T` (recon::value or any type recon::value_from/value_to convert).
 *
 * Handlers: `on_event(T const& now)` on every set, then `on_set(T const& now, T const&
 * before)`. Both run on the agent, after the set has been applied and broadcast; both fire
 * even when the value did not change. A client's `@command` sets the value as set() does.
 */
template <class T = recon::value>
class value_lane : public detail::lane_base {
public:
    /// A lane of `owner` named `name` holding `initial`.
    value_lane(agent& owner, std::string name, T initial = T{})
        : lane_base(owner, std::move(name), detail::lane_kind::value)
        , value_(std::move(initial))
    {
        detail::require_writable(recon::value_from(value_), this->name());
    }

    /// The value now.
    T const& get() const noexcept { return value_; }

    /// Sets the value: broadcast to every link, then on_event and on_set run (at once when
    /// no other handler of the agent runs, else after it).
    void set(T v)
    {
        recon::value body = recon::value_from(v);
        detail::require_writable(body, this->name());
        if (this->wants_before())
            this->keep_before(recon::value_from(value_));
        T before = std::exchange(value_, std::move(v));
        this->broadcast_value(body);
        detail::invoke(this->runtime(), on_event_, value_);
        detail::invoke(this->runtime(), on_set_, value_, before);
    }

    /// `f(T const& now, T const& before)`: after every set.
    template <class F>
    value_lane& on_set(F f)
    {
        on_set_ = detail::make_agent_handler<T const&, T const&>(std::move(f));
        return *this;
    }
    /// `f(T const& now)`: after every set, before on_set.
    template <class F>
    value_lane& on_event(F f)
    {
        on_event_ = detail::make_agent_handler<T const&>(std::move(f));
        return *this;
    }

    /// Writes the value for a `@sync` (called by the server).
    std::optional<recon::value> sync_state(detail::sync_sink& out, recon::value const*, std::size_t)
        const override
    {
        out.value(recon::value_from(value_));
        return std::nullopt;
    }

    /// A client's `@command`: converted to `T` and set(); logged and ignored when it does not
    /// convert (called by the server).
    void on_remote_command(recon::value body) override
    {
        T v;
        recon::conversion_error err;
        if (!recon::value_to(body, v, err)) {
            this->bad_command(err.message());
            return;
        }
        set(std::move(v));
    }

protected:
    std::optional<recon::value> save_state() override { return recon::value_from(value_); }
    void restore_state(recon::value state) override
    {
        T v;
        recon::conversion_error err;
        if (!recon::value_to(state, v, err)) {
            this->bad_restore(err.message());
            return;
        }
        value_ = std::move(v);
    }

private:
    T value_;
    detail::agent_handler<T const&, T const&> on_set_;
    detail::agent_handler<T const&> on_event_;
};

/** A map lane from `K` to `V`, entries in Recon key order (the order take and drop count in).
 *
 * Handlers: `on_update(K const& key, V const& now, std::optional<V> const& before)`,
 * `on_remove(K const& key, V const& before)`, `on_clear()`. A client's `@take(n)` and
 * `@drop(n)` remove entries one by one: each is broadcast as `@remove` and fires on_remove.
 * on_update fires even when the value did not change.
 */
template <class K = recon::value, class V = recon::value>
class map_lane : public detail::lane_base {
public:
    /// An empty map lane of `owner` named `name`.
    map_lane(agent& owner, std::string name)
        : lane_base(owner, std::move(name), detail::lane_kind::map)
    {}

    /// The entries as Recon values, in key order (the map itself: it shows later changes).
    warp::map_state const& state() const { return entries(); }
    /// The number of entries.
    std::size_t size() const noexcept { return view().size(); }
    /// Whether there is an entry at `key`.
    bool contains(K const& key) const { return view().count(recon::value_from(key)) != 0; }

    /// The value at `key`, or nullopt. Throws recon::conversion_exception when it does not
    /// convert to `V`.
    std::optional<V> get(K const& key) const
    {
        return detail::typed_entry<V>(view(), recon::value_from(key));
    }

    /// Every entry, converted. Throws recon::conversion_exception when one does not convert.
    std::map<K, V> get_all() const { return detail::typed_entries<K, V>(view()); }

    /// Puts an entry: broadcast as `@update`, then on_update runs.
    void update(K const& key, V const& value)
    {
        recon::value k = recon::value_from(key);
        recon::value v = recon::value_from(value);
        detail::require_writable(k, this->name());
        detail::require_writable(v, this->name());
        put_entry(std::move(k), std::move(v));
    }
    /// The same as update().
    void put(K const& key, V const& value) { update(key, value); }
    /// The same as update().
    void set(K const& key, V const& value) { update(key, value); }

    /// Removes an entry (if present): broadcast as `@remove`, then on_remove runs.
    /// @returns whether there was an entry.
    bool remove(K const& key)
    {
        if (!entries_)
            return false;
        auto it = entries_->map.find(recon::value_from(key));
        if (it == entries_->map.end())
            return false;
        erase_entry(it);
        return true;
    }

    /// Removes every entry: broadcast as `@clear`, then on_clear runs (on_remove does not).
    void clear()
    {
        if (entries_)
            entries_->map.clear();
        this->broadcast_map(warp::map_event::clear());
        detail::invoke(this->runtime(), on_clear_);
    }

    /// Keeps the first `n` entries (key order), removing the others one by one.
    void take(std::uint64_t n)
    {
        while (entries_ && entries_->map.size() > n)
            erase_entry(std::prev(entries_->map.end()));
    }
    /// Removes the first `n` entries (key order) one by one.
    void drop(std::uint64_t n)
    {
        for (; n > 0 && entries_ && !entries_->map.empty(); --n)
            erase_entry(entries_->map.begin());
    }

    /// `f(K const& key, V const& now, std::optional<V> const& before)`: after every put.
    template <class F>
    map_lane& on_update(F f)
    {
        on_update_ = detail::make_agent_handler<K const&, V const&, std::optional<V> const&>(
            std::move(f));
        return *this;
    }
    /// `f(K const& key, V const& before)`: after each entry removed (remove, take, drop).
    template <class F>
    map_lane& on_remove(F f)
    {
        on_remove_ = detail::make_agent_handler<K const&, V const&>(std::move(f));
        return *this;
    }
    /// `f()`: after clear().
    template <class F>
    map_lane& on_clear(F f)
    {
        on_clear_ = detail::make_agent_handler<>(std::move(f));
        return *this;
    }

    /// Writes the entries for a `@sync`, `max` at a time (called by the server).
    std::optional<recon::value> sync_state(
        detail::sync_sink& out,
        recon::value const* after,
        std::size_t max) const override
    {
        return detail::sync_entries(view(), out, after, max);
    }

    /// A client's `@command` (`@update`, `@remove`, `@clear`, `@take`, `@drop`), applied as
    /// the member of the same name; logged and ignored when it is none of them or does not
    /// convert (called by the server).
    void on_remote_command(recon::value body) override
    {
        warp::map_event e;
        if (auto ec = warp::to_map_event(std::move(body), e)) {
            this->bad_command("not a map command (@update, @remove, @clear, @take, @drop)");
            return;
        }
        recon::conversion_error err;
        switch (e.kind) {
            case warp::map_event::op::update: {
                K key;
                V value;
                if (!recon::value_to(e.key, key, err) || !recon::value_to(e.value, value, err)) {
                    this->bad_command(err.message());
                    return;
                }
                put_entry(std::move(e.key), std::move(e.value));
                return;
            }
            case warp::map_event::op::remove: {
                if (!entries_)
                    return;
                auto it = entries_->map.find(e.key);
                if (it != entries_->map.end())
                    erase_entry(it);
                return;
            }
            case warp::map_event::op::clear: clear(); return;
            case warp::map_event::op::take: take(e.n); return;
            case warp::map_event::op::drop: drop(e.n); return;
        }
    }

protected:
    /// The entries as a record of `key: value` slots.
    std::optional<recon::value> save_state() override { return detail::save_entries(entries()); }
    void restore_state(recon::value state) override
    {
        if (!detail::restore_entries(entries(), std::move(state)))
            this->bad_restore("not a record of entries");
    }

public:
    /// (Called by the server.)
    void restore_entry(recon::value key, recon::value value) override
    {
        entries().insert_or_assign(std::move(key), std::move(value));
    }
    void clear_state() override { entries_.reset(); }
    bool keyed() const noexcept override { return true; }

private:
    void put_entry(recon::value key, recon::value value)
    {
        std::optional<recon::value> before;
        auto& map = entries();
        auto it = warp::position_of(map, key);  // (one walk of the tree, for a new key too)
        auto event = warp::map_event::update(key, value);
        if (warp::holds(map, it, key))
            before = std::exchange(it->second, std::move(value));
        else
            map.emplace_hint(it, std::move(key), std::move(value));
        this->broadcast_map(event);  // (key and value live on in the event: they moved in)
        if (on_update_) {
            std::optional<V> old;
            if (before)
                old = recon::value_to<V>(*before);
            detail::invoke(
                this->runtime(),
                on_update_,
                recon::value_to<K>(event.key),
                recon::value_to<V>(event.value),
                old);
        }
    }

    void erase_entry(warp::map_state::iterator it)
    {
        recon::value key = it->first;
        recon::value before = std::move(it->second);
        entries_->map.erase(it);
        this->broadcast_map(warp::map_event::remove(key));
        if (on_remove_)
            detail::invoke(
                this->runtime(),
                on_remove_,
                recon::value_to<K>(key),
                recon::value_to<V>(before));
    }

    /// The entries as Recon values (made at the first: an empty map lane costs a pointer).
    warp::map_state const& view() const noexcept
    {
        return entries_ ? entries_->map : detail::empty_map_state();
    }
    warp::map_state& entries() const
    {
        if (!entries_)
            entries_ = std::make_unique<warp::arena_map_state>();
        return entries_->map;
    }

    mutable std::unique_ptr<warp::arena_map_state> entries_;
    detail::agent_handler<K const&, V const&, std::optional<V> const&> on_update_;
    detail::agent_handler<K const&, V const&> on_remove_;
    detail::agent_handler<> on_clear_;
};

/** A command lane taking `T`: every command a client sends runs `on_command(T const&)` and
 * is broadcast as an `@event` to the clients linked to the lane. A sync sends only
 * `@synced`.
 */
template <class T = recon::value>
class command_lane : public detail::lane_base {
public:
    /// A command lane of `owner` named `name`, without a handler.
    command_lane(agent& owner, std::string name)
        : lane_base(owner, std::move(name), detail::lane_kind::command)
    {}

    /// A command lane of `owner` named `name` whose on_command is `on_command`.
    template <class F>
    command_lane(agent& owner, std::string name, F on_command)
        : command_lane(owner, std::move(name))
    {
        this->on_command(std::move(on_command));
    }

    /// `f(T const& command)`: after each command is broadcast.
    template <class F>
    command_lane& on_command(F f)
    {
        on_command_ = detail::make_agent_handler<T const&>(std::move(f));
        return *this;
    }

    /// Runs the command as if a client had sent it: on_command, and the broadcast. A value
    /// holding a NaN or an infinity throws (see the file comment) before either.
    void command(T const& v)
    {
        recon::value body = recon::value_from(v);
        detail::require_writable(body, this->name());
        this->broadcast_event(body);
        detail::invoke(this->runtime(), on_command_, v);
    }

    /// Nothing: a command lane has no state (called by the server).
    std::optional<recon::value> sync_state(detail::sync_sink&, recon::value const*, std::size_t)
        const override
    {
        return std::nullopt;
    }

    /// A client's `@command`: converted to `T`, broadcast as sent, then on_command; logged and
    /// ignored when it does not convert (called by the server).
    void on_remote_command(recon::value body) override
    {
        T v;
        recon::conversion_error err;
        if (!recon::value_to(body, v, err)) {
            this->bad_command(err.message());
            return;
        }
        this->broadcast_event(body);
        detail::invoke(this->runtime(), on_command_, v);
    }

private:
    detail::agent_handler<T const&> on_command_;
};

}  // namespace swim::server

#endif
