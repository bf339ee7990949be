// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_DEMAND_LANES_HPP
#define SWIM_SERVER_DEMAND_LANES_HPP

#include <swim/server/lanes.hpp>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

/** @file
 * Lanes whose events are made by the agent when it chooses, with no state of their own (the
 * supply and demand lanes of the official servers):
 * - supply_lane<T>: supply(v) sends `@event v` to every link; a sync gets `@synced` only.
 * - demand_lane<T>: on_cue computes the value; cue() sends it to every link, a sync computes
 *   it for the client syncing alone.
 * - demand_map_lane<K, V>: keys lists the keys and on_cue_key computes a key's value;
 *   cue_key(k) sends `@update(key:k) v` (or `@remove(key:k)` when there is none) to every
 *   link, a sync computes every entry for the client syncing alone.
 *
 * Clients link to them as to any lane; their commands are refused (logged), as the official
 * servers do. They keep nothing when their agent stops.
 *
 * @par Thread safety
 * As every lane: on the agent's strand only. on_cue, keys and on_cue_key run there, at once
 * (in cue(), cue_key() or a client's sync), and must be plain callables that return what
 * they compute.
 *
 * @par Errors
 * A value holding a NaN or an infinity is refused: supply() throws
 * boost::system::system_error (recon::error::non_finite_float) before anything is sent; a
 * computed one (or a callable that throws a std::exception) is logged and not sent.
 */

namespace swim::server {

/** A supply lane of `T`: each supply(v) is sent as `@event v` to every client linked now, in
 * order and never coalesced (a client far behind is bounded by
 * server_config::max_queued_bytes, as for command lanes). It holds no value: a sync gets
 * `@synced` only.
 */
template <class T = recon::value>
class supply_lane : public detail::lane_base {
public:
    supply_lane(agent& owner, std::string name)
        : lane_base(owner, std::move(name), detail::lane_kind::supply)
    {}

    /// Sends `v` to every linked client. Throws (see the file comment) for a NaN or an
    /// infinity, before anything is sent.
    void supply(T const& v)
    {
        recon::value body = recon::value_from(v);
        detail::require_writable(body, this->name());
        this->broadcast_event(body);
    }

    /// Nothing: a sync gets `@synced` only (called by the server).
    std::optional<recon::value> sync_state(detail::sync_sink&, recon::value const*, std::size_t)
        const override
    {
        return std::nullopt;
    }
    /// Refused and logged (called by the server).
    void on_remote_command(recon::value) override
    {
        this->bad_command("a supply lane takes no commands");
    }
};

/** A demand lane of `T`: its value is computed when asked for, by on_cue (`T()`). cue()
 * computes it and sends `@event v` to every linked client (a client that falls behind gets
 * the latest, as for a value lane); a client's sync computes it for that client alone. Without
 * an on_cue, cue() and syncs send no value.
 */
template <class T = recon::value>
class demand_lane : public detail::lane_base {
public:
    demand_lane(agent& owner, std::string name)
        : lane_base(owner, std::move(name), detail::lane_kind::demand)
    {}

    /// `f()` returning `T`: computes the value, on the agent's strand.
    template <class F>
    demand_lane& on_cue(F f)
    {
        on_cue_ = std::move(f);
        return *this;
    }

    /// Computes the value and sends it to every linked client.
    void cue()
    {
        if (auto v = compute())
            this->broadcast_value(*v);
    }

    /// Computes the value for a client's sync (called by the server).
    std::optional<recon::value> sync_state(detail::sync_sink& out, recon::value const*, std::size_t)
        const override
    {
        if (auto v = compute())
            out.value(*v);
        return std::nullopt;
    }
    /// Refused and logged (called by the server).
    void on_remote_command(recon::value) override
    {
        this->bad_command("a demand lane takes no commands");
    }

private:
    std::optional<recon::value> compute() const
    {
        if (!on_cue_)
            return std::nullopt;
        auto v = this->guarded("on_cue", [&] { return recon::value_from(on_cue_()); });
        if (v && !this->sendable(*v, "on_cue"))
            return std::nullopt;
        return v;
    }

    std::function<T()> on_cue_;
};

/** A demand map lane from `K` to `V`: its entries are computed when asked for. keys (`R()`,
 * any range of `K`) lists them and on_cue_key (`std::optional<V>(K const&)`) computes one, or
 * nullopt when there is none. cue_key(k) sends `@update(key:k) v` to every linked client, or
 * `@remove(key:k)` when on_cue_key gives none; a client's sync gets every entry, computed for
 * it alone, in key order, then `@synced`.
 */
template <class K = recon::value, class V = recon::value>
class demand_map_lane : public detail::lane_base {
public:
    demand_map_lane(agent& owner, std::string name)
        : lane_base(owner, std::move(name), detail::lane_kind::demand_map)
    {}

    /// `f()` returning the keys (a range of `K`), on the agent's strand.
    template <class F>
    demand_map_lane& keys(F f)
    {
        keys_ = [f = std::move(f)] {
            std::vector<recon::value> out;
            for (auto const& k : f())
                out.push_back(recon::value_from(K(k)));
            return out;
        };
        return *this;
    }
    /// `f(K const& key)` returning `std::optional<V>`: the entry at `key`, or none.
    template <class F>
    demand_map_lane& on_cue_key(F f)
    {
        on_cue_key_ = std::move(f);
        return *this;
    }

    /// Computes the entry at `key` and sends it (or its removal) to every linked client. A
    /// key holding a NaN or an infinity throws (see the file comment).
    void cue_key(K const& key)
    {
        recon::value k = recon::value_from(key);
        detail::require_writable(k, this->name());
        auto v = compute(key);
        if (!v)
            return;
        if (*v)
            this->broadcast_map(warp::map_event::update(std::move(k), std::move(**v)));
        else
            this->broadcast_map(warp::map_event::remove(std::move(k)));
    }

    /// Computes the entries for a client's sync, `max` at a time after `after` (called by the
    /// server).
    std::optional<recon::value> sync_state(
        detail::sync_sink& out,
        recon::value const* after,
        std::size_t max) const override
    {
        if (!keys_ || !on_cue_key_)
            return std::nullopt;
        auto listed = this->guarded("keys", keys_);
        if (!listed)
            return std::nullopt;
        auto& keys = *listed;
        std::sort(keys.begin(), keys.end());
        keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
        auto it = after ? std::upper_bound(keys.begin(), keys.end(), *after) : keys.begin();
        for (std::size_t n = 0; it != keys.end(); ++it, ++n) {
            if (n == max)
                return *std::prev(it);
            K key;
            recon::conversion_error err;
            if (!recon::value_to(*it, key, err) || !this->sendable(*it, "keys"))
                continue;
            if (auto v = compute(key); v && *v)
                out.map_update(*it, **v);
        }
        return std::nullopt;
    }
    /// Refused and logged (called by the server).
    void on_remote_command(recon::value) override
    {
        this->bad_command("a demand map lane takes no commands");
    }

private:
    /// The entry at `key` as a value (nullopt inside: none); nullopt when it failed (logged).
    std::optional<std::optional<recon::value>> compute(K const& key) const
    {
        if (!on_cue_key_)
            return std::nullopt;
        auto v = this->guarded("on_cue_key", [&]() -> std::optional<recon::value> {
            std::optional<V> found = on_cue_key_(key);
            if (!found)
                return std::nullopt;
            return recon::value_from(*found);
        });
        if (v && *v && !this->sendable(**v, "on_cue_key"))
            return std::nullopt;
        return v;
    }

    std::function<std::vector<recon::value>()> keys_;
    std::function<std::optional<V>(K const&)> on_cue_key_;
};

}  // namespace swim::server

#endif
