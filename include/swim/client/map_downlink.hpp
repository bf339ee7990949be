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

namespace detail {
template <class K, class V>
struct map_handlers : common_handlers {
    handler<K const&, V const&, std::optional<V> const&> did_update;
    handler<K const&, V const&> did_remove;
    handler<> did_clear;
    handler<std::map<K, V> const&> on_synced;
};

/// Converts a whole map state; false (the downlink failed) if an entry does not convert.
template <class K, class V>
boost::asio::awaitable<bool> convert_map(
    downlink_core& core,
    common_handlers& h,
    warp::map_state const& state,
    std::map<K, V>& out)
{
    for (auto const& [k, v] : state) {
        K key;
        V value;
        if (!co_await convert_or_fail(core, h, k, key) ||
            !co_await convert_or_fail(core, h, v, value))
            co_return false;
        out.insert_or_assign(std::move(key), std::move(value));
    }
    co_return true;
}

/// As convert_map, for plain handlers only.
template <class K, class V>
bool convert_map_now(
    downlink_core& core,
    common_handlers& h,
    warp::map_state const& state,
    std::map<K, V>& out)
{
    for (auto const& [k, v] : state) {
        K key;
        V value;
        if (!convert_or_fail_now(core, h, k, key) || !convert_or_fail_now(core, h, v, value))
            return false;
        out.insert_or_assign(std::move(key), std::move(value));
    }
    return true;
}
}  // namespace detail

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
    friend base;

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

private:
    static void dispatch_now(
        detail::downlink_core& core,
        detail::map_handlers<K, V>& h,
        warp::view_note& vn)
    {
        auto const& n = vn.note;
        using type = warp::downlink_notification::type;
        if (detail::run_common_now(h, n))
            return;
        switch (n.what) {
            case type::synced: {
                if (!h.on_synced)
                    return;
                auto m = core.model();
                std::map<K, V> entries;
                if (m && !detail::convert_map_now(core, h, m->map(), entries))
                    return;
                h.on_synced.call(entries);
                return;
            }
            case type::update: {
                if (!h.did_update)
                    return;
                K key;
                V now;
                if (!detail::convert_or_fail_now(core, h, n.key, key) ||
                    !detail::convert_or_fail_now(core, h, n.value, now))
                    return;
                std::optional<V> before;
                if (!n.old.is_absent()) {
                    V old;
                    if (!detail::convert_or_fail_now(core, h, n.old, old))
                        return;
                    before = std::move(old);
                }
                h.did_update.call(key, now, before);
                return;
            }
            case type::remove: {
                if (!h.did_remove)
                    return;
                K key;
                V was;
                if (!detail::convert_or_fail_now(core, h, n.key, key) ||
                    !detail::convert_or_fail_now(core, h, n.old, was))
                    return;
                h.did_remove.call(key, was);
                return;
            }
            case type::clear:
                if (h.did_clear)
                    h.did_clear.call();
                return;
            default: return;
        }
    }

    static boost::asio::awaitable<void> dispatch(
        std::weak_ptr<detail::downlink_core> weak,
        detail::map_handlers<K, V>& h,
        warp::view_note& vn)
    {
        auto core = weak.lock();
        if (!core)
            co_return;
        auto const& n = vn.note;
        using type = warp::downlink_notification::type;
        if (co_await detail::run_common(h, n))
            co_return;
        switch (n.what) {
            case type::synced: {
                if (!h.on_synced)
                    co_return;
                // The state as it was at @synced (the core froze it when it queued the note).
                warp::map_state frozen;
                auto m = core->model();
                warp::map_state const* state = m ? &m->map() : nullptr;
                if (n.value.is_record()) {
                    for (auto const& it : n.value.as_record())
                        frozen.insert_or_assign(it.key, it.val);
                    state = &frozen;
                }
                std::map<K, V> entries;
                if (state && !co_await detail::convert_map(*core, h, *state, entries))
                    co_return;
                auto f = h.on_synced;
                co_await f(entries);
                co_return;
            }
            case type::update: {
                if (!h.did_update)
                    co_return;
                K key;
                V now;
                if (!co_await detail::convert_or_fail(*core, h, n.key, key) ||
                    !co_await detail::convert_or_fail(*core, h, n.value, now))
                    co_return;
                std::optional<V> before;
                if (!n.old.is_absent()) {
                    V old;
                    if (!co_await detail::convert_or_fail(*core, h, n.old, old))
                        co_return;
                    before = std::move(old);
                }
                auto f = h.did_update;
                co_await f(key, now, before);
                co_return;
            }
            case type::remove: {
                if (!h.did_remove)
                    co_return;
                K key;
                V was;
                if (!co_await detail::convert_or_fail(*core, h, n.key, key) ||
                    !co_await detail::convert_or_fail(*core, h, n.old, was))
                    co_return;
                auto f = h.did_remove;
                co_await f(key, was);
                co_return;
            }
            case type::clear:
                if (h.did_clear) {
                    auto f = h.did_clear;
                    co_await f();
                }
                co_return;
            default: co_return;
        }
    }
};

}  // namespace swim::client

#endif
