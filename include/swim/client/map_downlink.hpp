// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_MAP_DOWNLINK_HPP
#define SWIM_CLIENT_MAP_DOWNLINK_HPP

#include <swim/client/detail/downlink_handle.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace swim::client {

/// One change of a map downlink, as map_downlink::next_event() gives it.
template <class K, class V>
struct map_change {
    enum class kind : std::uint8_t {
        update,  ///< `key` now maps to `value` (`before`: what it mapped to, if anything)
        remove,  ///< `key` was removed (`before`: its value)
        clear,   ///< every entry was removed
    };
    kind what = kind::update;
    std::optional<K> key;
    std::optional<V> value;
    std::optional<V> before;
};

/** A downlink to a map lane: a local copy of the lane's entries, kept in step.
 *
 * Writes (`put`, `remove`, `clear`, `take`, `drop`) change the local map at once, fire the
 * handlers, and queue the @command. A received `@take`/`@drop` fires did_remove for each key
 * it evicts, in Recon key order. After a reconnect the resync reconciles: keys that vanished
 * fire did_remove, changed ones did_update, unchanged ones nothing. did_update and
 * did_remove fire once per change of the local map: an event equal to what it holds fires
 * nothing.
 *
 * **Convergence**: once the traffic stops, the map is what a fresh sync of the lane returns,
 * whatever the server coalesced (a key's latest entry only), interleaved from other
 * connections, or dropped. Every event is applied, also while writes of ours to the same
 * key are in flight (a brief flicker is possible, divergence is not), except the echo of an
 * older write of a key while the map still shows our newer one. Writes no event has
 * answered, and a positional `@take`/`@drop` met while writes of ours were in flight, are
 * verified by a fresh sync (reconciled, as after a reconnect) once the link is quiet for
 * client_config::settle_timeout.
 *
 * Coroutine handlers that fall `max_pending_events` (downlink_config) behind see the latest
 * change of each key: a change of a key whose earlier change still waits replaces it, in
 * its place (did_update's `before` stays the value they saw last; a change then a removal
 * becomes one did_remove). Clears, syncs and link changes are never merged or moved.
 *
 * A default-constructed handle refers to no downlink: only is_linked(), is_synced(),
 * is_closed() (true), error(), reason() and close() may be called on it.
 *
 * @par Thread safety
 * Use it on its client's executor, except the writes (set, async_set's call aside, put,
 * remove, clear, take, drop) and close(), which may be called from any thread: from a thread
 * that does not run the client's io_context they are queued on the client's channel of
 * foreign writes and made on its strand in the order each thread made them (the local state
 * changes then, not at once); the error returned is then only queue_full (65536 writes wait)
 * or client_closed (and non_finite_float, checked at once).
 */
template <class K, class V>
class map_downlink
    : public detail::downlink_handle<map_downlink<K, V>, detail::map_handlers<K, V>> {
    using base = detail::downlink_handle<map_downlink<K, V>, detail::map_handlers<K, V>>;

public:
    /// A handle to no downlink (see the class comment).
    map_downlink() = default;
    /// Made by client::map_downlink(); not for users.
    explicit map_downlink(std::shared_ptr<detail::downlink_core> core)
        : base(std::move(core))
    {}

    /// `f(K const& key, V const& now, std::optional<V> const& before)`: an entry was added
    /// or changed (remote or local).
    template <class F>
    map_downlink& did_update(F f)
    {
        this->h_->did_update = detail::make_handler<K const&, V const&, std::optional<V> const&>(
            std::move(f));
        this->note(this->h_->did_update);
        return *this;
    }
    /// `f(K const& key, V const& was)`: an entry was removed.
    template <class F>
    map_downlink& did_remove(F f)
    {
        this->h_->did_remove = detail::make_handler<K const&, V const&>(std::move(f));
        this->note(this->h_->did_remove);
        return *this;
    }
    /// `f()`: the map was cleared.
    template <class F>
    map_downlink& did_clear(F f)
    {
        this->h_->did_clear = detail::make_handler<>(std::move(f));
        this->note(this->h_->did_clear);
        return *this;
    }
    /// `f(std::map<K, V> const& entries)`: synced, with the lane's entries.
    template <class F>
    map_downlink& on_synced(F f)
    {
        this->h_->on_synced = detail::make_handler<std::map<K, V> const&>(std::move(f));
        this->note(this->h_->on_synced);
        this->replay_synced();
        return *this;
    }

    /// The value at `key` once synced, or nullopt. Throws as value_downlink::get().
    boost::asio::awaitable<std::optional<V>> get(K const& key)
    {
        co_await this->synced();
        auto m = this->core_->model();
        if (!m)
            detail::throw_error(this->core_->error(), this->core_->reason());
        auto it = m->map().find(recon::value_from(key));
        if (it == m->map().end())
            co_return std::nullopt;
        co_return recon::value_to<V>(it->second);
    }

    /// Every entry once synced. Throws as value_downlink::get().
    boost::asio::awaitable<std::map<K, V>> get_all()
    {
        co_await this->synced();
        auto m = this->core_->model();
        if (!m)
            detail::throw_error(this->core_->error(), this->core_->reason());
        std::map<K, V> out;
        for (auto const& [k, v] : m->map())
            out.insert_or_assign(recon::value_to<K>(k), recon::value_to<V>(v));
        co_return out;
    }

    /// @name Reads that do not wait
    /// The entries held now (before the first sync, the state being assembled; nothing once
    /// the downlink is closed). Conversions throw recon::conversion_exception.
    ///@{
    /// The number of entries.
    std::size_t size() const
    {
        auto m = this->core_ ? this->core_->model() : nullptr;
        return m ? m->map().size() : 0;
    }
    /// Whether `key` has an entry.
    bool contains(K const& key) const
    {
        auto m = this->core_ ? this->core_->model() : nullptr;
        return m && m->map().count(recon::value_from(key)) != 0;
    }
    /// The value at `key`, or nullopt.
    std::optional<V> current(K const& key) const
    {
        auto m = this->core_ ? this->core_->model() : nullptr;
        if (!m)
            return std::nullopt;
        auto it = m->map().find(recon::value_from(key));
        if (it == m->map().end())
            return std::nullopt;
        return recon::value_to<V>(it->second);
    }
    /// The keys, in Recon key order (the order take and drop count in).
    std::vector<K> keys() const
    {
        std::vector<K> out;
        if (auto m = this->core_ ? this->core_->model() : nullptr) {
            out.reserve(m->map().size());
            for (auto const& [k, v] : m->map())
                out.push_back(recon::value_to<K>(k));
        }
        return out;
    }
    /// Every entry.
    std::map<K, V> snapshot() const
    {
        std::map<K, V> out;
        if (auto m = this->core_ ? this->core_->model() : nullptr)
            for (auto const& [k, v] : m->map())
                out.insert_or_assign(recon::value_to<K>(k), recon::value_to<V>(v));
        return out;
    }
    ///@}

    /** The next change of the map (update, remove, clear), in order; buffering starts at the
     * first call. With `max_pending_events` unread, a change of a key whose earlier change
     * still waits replaces it in its place. Throws system_error when the downlink has ended
     * or an attempt to reach the host fails meanwhile, recon::conversion_exception when a key
     * or value is not a `K` or `V` (that change is consumed). Cancelling the wait loses no
     * change.
     */
    boost::asio::awaitable<map_change<K, V>> next_event()
    {
        warp::downlink_notification n;
        auto ec = co_await this->core_->next_change(n);
        if (ec)
            detail::throw_error(ec, this->core_->why(ec));
        using type = warp::downlink_notification::type;
        map_change<K, V> c;
        c.what = n.what == type::clear    ? map_change<K, V>::kind::clear
                 : n.what == type::remove ? map_change<K, V>::kind::remove
                                          : map_change<K, V>::kind::update;
        if (c.what != map_change<K, V>::kind::clear)
            c.key = recon::value_to<K>(n.key);
        if (c.what == map_change<K, V>::kind::update)
            c.value = recon::value_to<V>(n.value);
        if (!n.old.is_empty())
            c.before = recon::value_to<V>(n.old);
        co_return c;
    }

    /** Puts an entry: locally at once (did_update fires), then `@command ...@update`.
     * Never blocks; warp::error::closed, warp::error::queue_full or
     * recon::error::non_finite_float as value_downlink::set() (nothing changed then).
     */
    boost::system::error_code put(K const& key, V const& v)
    {
        return this->core_->update(recon::value_from(key), recon::value_from(v));
    }
    /// The same as put() (the Python client's name).
    boost::system::error_code set(K const& key, V const& v) { return put(key, v); }
    /// Removes an entry: locally at once (did_remove fires if it was there), then the command.
    boost::system::error_code remove(K const& key)
    {
        return this->core_->remove(recon::value_from(key));
    }
    /// The same as remove() (the Python client's `delete`).
    boost::system::error_code erase(K const& key) { return remove(key); }
    /// Removes every entry: locally at once (did_clear fires), then `@command ...@clear`.
    boost::system::error_code clear() { return this->core_->clear(); }
    /// Keeps the first `n` entries in key order.
    boost::system::error_code take(std::uint64_t n) { return this->core_->take(n); }
    /// Removes the first `n` entries in key order.
    boost::system::error_code drop(std::uint64_t n) { return this->core_->drop(n); }

    /// As put(), but waits for room in a full queue; put()'s other errors. Cancelling the
    /// awaiting coroutine while it waits puts nothing.
    boost::asio::awaitable<boost::system::error_code> async_put(K key, V v)
    {
        auto core = this->core_;
        auto k = recon::value_from(key);
        auto val = recon::value_from(v);
        // (The call in a statement of its own: GCC 12 destroys a temporary of a co_await
        // expression twice.)
        auto write = core->async_write([core, k, val] { return core->update(k, val); });
        co_return co_await std::move(write);
    }
};

}  // namespace swim::client

#endif
