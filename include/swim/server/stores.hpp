// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_STORES_HPP
#define SWIM_SERVER_STORES_HPP

#include <swim/server/lanes.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

/** @file
 * Stores: agent state that is not a lane (swim-rust's ValueStore and MapStore, swim-java's
 * valueData and mapData). Declare them as members of an agent, as lanes. No client links to a
 * store or commands it (`@unlinked ...@laneNotFound`, the command dropped) and nothing is sent
 * when it changes; it is kept with the agent's lanes when the agent stops
 * (server_config::agent_idle_timeout, agent_context::stop()) and comes back with the next
 * instance.
 *
 * @par Thread safety
 * As every lane: on the agent's strand only.
 *
 * @par Errors
 * A value or key holding a NaN or an infinity is refused (it could not be kept): set(),
 * update() and the constructor throw boost::system::system_error
 * (recon::error::non_finite_float, naming the store) before anything changes. The typed
 * accessors throw recon::conversion_exception when a stored value does not convert.
 */

namespace swim::server {

namespace detail {
/// What every store is: a lane no client addresses.
class store_base : public lane_base {
public:
    /// Never called: no client addresses a store.
    std::optional<recon::value> sync_state(sync_sink&, recon::value const*, std::size_t)
        const override
    {
        return std::nullopt;
    }
    void on_remote_command(recon::value) override { bad_command("a store takes no commands"); }

protected:
    store_base(agent& owner, std::string name)
        : lane_base(owner, std::move(name), lane_kind::store)
    {}
};
}  // namespace detail

/// A store of one `T` (recon::value or any type recon::value_from / value_to convert).
template <class T = recon::value>
class value_store : public detail::store_base {
public:
    /// A store of `owner` named `name` holding `initial`.
    value_store(agent& owner, std::string name, T initial = T{})
        : store_base(owner, std::move(name))
        , value_(std::move(initial))
    {
        detail::require_writable(recon::value_from(value_), this->name());
    }

    /// The value now.
    T const& get() const noexcept { return value_; }
    /// Sets the value (throws for a NaN or an infinity, before it changes).
    void set(T v)
    {
        recon::value now = recon::value_from(v);
        detail::require_writable(now, this->name());
        if (this->wants_before())
            this->keep_before(recon::value_from(value_));
        value_ = std::move(v);
        this->changed(now);
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
};

/// A store of entries from `K` to `V`, in Recon key order.
template <class K = recon::value, class V = recon::value>
class map_store : public detail::store_base {
public:
    /// An empty store of `owner` named `name`.
    map_store(agent& owner, std::string name)
        : store_base(owner, std::move(name))
    {}

    /// The entries as Recon values, in key order.
    warp::map_state const& state() const noexcept
    {
        return entries_ ? entries_->map : detail::empty_map_state();
    }
    std::size_t size() const noexcept { return state().size(); }
    bool contains(K const& key) const { return state().count(recon::value_from(key)) != 0; }
    /// The value at `key`, or nullopt.
    std::optional<V> get(K const& key) const
    {
        return detail::typed_entry<V>(state(), recon::value_from(key));
    }
    /// Every entry, converted.
    std::map<K, V> get_all() const { return detail::typed_entries<K, V>(state()); }

    /// Puts an entry (throws for a NaN or an infinity, before anything changes).
    void update(K const& key, V const& value)
    {
        recon::value k = recon::value_from(key);
        recon::value v = recon::value_from(value);
        detail::require_writable(k, this->name());
        detail::require_writable(v, this->name());
        this->changed_entry(k, &v);
        entries().insert_or_assign(std::move(k), std::move(v));
    }
    /// The same as update().
    void put(K const& key, V const& value) { update(key, value); }
    /// Removes the entry at `key`; whether there was one.
    bool remove(K const& key)
    {
        recon::value k = recon::value_from(key);
        if (!entries_ || entries_->map.erase(k) == 0)
            return false;
        this->changed_entry(k, nullptr);
        return true;
    }
    /// Removes every entry.
    void clear()
    {
        if (entries_)
            entries_->map.clear();
        this->changed_cleared();
    }

protected:
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
    warp::map_state& entries()
    {
        if (!entries_)
            entries_ = std::make_unique<warp::arena_map_state>();
        return entries_->map;
    }

    std::unique_ptr<warp::arena_map_state> entries_;
};

}  // namespace swim::server

#endif
