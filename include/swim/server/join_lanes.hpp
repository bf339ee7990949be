// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_JOIN_LANES_HPP
#define SWIM_SERVER_JOIN_LANES_HPP

#include <swim/server/downlinks.hpp>
#include <swim/server/lanes.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

/** @file
 * Join lanes (swim-rust's JoinValueLane and JoinMapLane, swim-java's of the same names): map
 * lanes whose entries come from other lanes, here or on another host, through agent-side
 * downlinks. A join value lane's add_downlink(key, host, node, lane) links `key` to a value
 * lane: every value that lane has (its sync, then each event) becomes the entry at `key`. A
 * join map lane's add_downlink(link, host, node, lane) links to a map lane, whose entries
 * become entries here. Clients link to either as to a map lane: `@update(key:k) v` per entry
 * on sync, then as they change, and `@remove(key:k)` when a key goes.
 *
 * @code
 * struct lobby_agent : swim::server::agent {
 *     join_value_lane<std::string, bool> rooms{*this, "rooms"};
 *     command_lane<std::string> join{*this, "join", [this](std::string const& id) {
 *         rooms.add_downlink(id, std::nullopt, "/hotel/room/" + id, "light");
 *     }};
 * };
 * @endcode
 *
 * When a link closes, the lane's answer decides what happens (link_closed_response):
 * on_unlinked when the linked lane's host unlinked it (the lane is not there, the agent
 * stopped, the connection to a remote host was lost), on_failed when the downlink failed (a
 * host URI it cannot use, a stopping server). Both answer abandon when not set: the link ends
 * and its entries stay.
 *
 * Clients' commands to a join lane are refused (logged), as swim-rust does. Its links and
 * entries are not kept when the agent stops (they are the application's to make again in
 * on_start, as in swim-rust).
 *
 * @par Thread safety
 * As every lane: on the agent's strand only. Its handlers run there, one at a time with the
 * agent's other handlers.
 */

namespace swim::server {

/// What a join lane does with a key whose link closed (swim-rust's LinkClosedResponse).
enum class link_closed_response : std::uint8_t {
    /// Link it again (after an unlink, the downlink relinks with backoff; after a failure, it
    /// is opened once more, unless it never linked).
    retry,
    /// End the link; the entry stays (the default).
    abandon,
    /// End the link and remove the entry (sent as `@remove`).
    remove
};

namespace detail {

/** What both join lanes are: a map lane from `K` to `V` that clients link to (its entries,
 * sent as `@update` and `@remove`, with the map lane handlers on_update and on_remove), and
 * downlinks by link key `L` (each opened by open_link(), its closing answered by answer()).
 */
template <class L, class K, class V, class Handle>
class join_lane : public lane_base {
public:
    /// The entries as Recon values, in key order.
    warp::map_state const& state() const noexcept { return entries_; }
    std::size_t size() const noexcept { return entries_.size(); }
    bool contains(K const& key) const { return entries_.count(recon::value_from(key)) != 0; }
    /// The entry at `key`, or nullopt.
    std::optional<V> get(K const& key) const
    {
        return typed_entry<V>(entries_, recon::value_from(key));
    }
    /// Every entry, converted.
    std::map<K, V> get_all() const { return typed_entries<K, V>(entries_); }
    /// Whether the link key `link` has a link now.
    bool linked(L const& link) const { return links_.count(recon::value_from(link)) != 0; }

    /// Writes the entries for a `@sync`, `max` at a time (called by the server).
    std::optional<recon::value> sync_state(
        sync_sink& out,
        recon::value const* after,
        std::size_t max) const override
    {
        return sync_entries(entries_, out, after, max);
    }
    /// Refused and logged (called by the server).
    void on_remote_command(recon::value) override
    {
        this->bad_command("a join lane takes no commands");
    }

    /// The links, to keep them (called by the server).
    std::vector<std::pair<recon::value, recon::value>> link_specs() const override
    {
        std::vector<std::pair<recon::value, recon::value>> out;
        for (auto const& [k, l] : links_)
            out.emplace_back(k, spec_of(l));
        return out;
    }
    /// A link read back from the store: opened again (called by the server).
    void restore_link(recon::value key, recon::value spec) override
    {
        if (!spec.is_record())
            return this->bad_restore("a kept link is not {node, lane}");
        auto const& r = spec.as_record();
        auto const* node = r.find("node");
        auto const* lane = r.find("lane");
        auto const* host = r.find("host");
        if (!node || !lane || !node->is_text() || !lane->is_text() || (host && !host->is_text()))
            return this->bad_restore("a kept link is not {node, lane}");
        add_link(
            std::move(key),
            host ? std::optional<std::string_view>(host->as_text()) : std::nullopt,
            node->as_text(),
            lane->as_text());
    }

protected:
    struct link_state {
        std::optional<std::string> host;
        std::string node;
        std::string lane;
        Handle handle;
        /// Which opening of the link the handlers belong to (older ones are ignored).
        std::uint64_t generation = 0;
        bool ever_linked = false;
    };

    join_lane(agent& owner, std::string name, lane_kind kind)
        : lane_base(owner, std::move(name), kind)
    {}

    /// Opens the downlink of `l` (its handlers check current(lkey, gen) first).
    virtual Handle open_link(recon::value const& lkey, link_state const& l, std::uint64_t gen) = 0;
    /// What on_unlinked (or on_failed) of `lkey` answers.
    virtual link_closed_response answer(recon::value const& lkey, bool failed) = 0;
    /// Removes the entries of `lkey` (its closing answered remove, or remove_downlink).
    virtual void drop_entries(recon::value const& lkey) = 0;

    /// Adds a link (none when `lkey` has one).
    void add_link(
        recon::value lkey,
        std::optional<std::string_view> host,
        std::string_view node,
        std::string_view lane)
    {
        require_writable(lkey, this->name());
        auto [it, fresh] = links_.try_emplace(std::move(lkey));
        if (!fresh)
            return;
        if (host && !host->empty())
            it->second.host = std::string(*host);
        it->second.node = std::string(node);
        it->second.lane = std::string(lane);
        auto const spec = spec_of(it->second);
        this->changed_link(it->first, &spec);
        open(it->first, it->second);
    }

    /// Ends the link of `lkey` (no handler runs) and removes its entries.
    void remove_link(recon::value const& lkey)
    {
        if (auto it = links_.find(lkey); it != links_.end()) {
            it->second.handle.stop();
            links_.erase(it);
            this->changed_link(lkey, nullptr);
        }
        drop_entries(lkey);
    }

    /// The link of `lkey` when `gen` is its current opening, else null.
    link_state* current(recon::value const& lkey, std::uint64_t gen)
    {
        auto it = links_.find(lkey);
        return it != links_.end() && it->second.generation == gen ? &it->second : nullptr;
    }

    /// The link came up (once, or again).
    bool up(recon::value const& lkey, std::uint64_t gen)
    {
        link_state* l = current(lkey, gen);
        if (l)
            l->ever_linked = true;
        return l != nullptr;
    }

    /// The link of `which` closed: unlinked by its host, or failed.
    void closed(recon::value const& which, std::uint64_t gen, bool failed)
    {
        recon::value const lkey = which;  // (the link, whose handler holds `which`, may go)
        link_state* l = current(lkey, gen);
        if (!l)
            return;
        auto response = answer(lkey, failed);
        if (response == link_closed_response::retry) {
            if (!failed)
                return;  // the downlink relinks by itself, with backoff
            if (l->ever_linked) {
                l->ever_linked = false;
                open(lkey, *l);
                return;
            }
            bad_compute("on_failed", "a link that never came up is not retried");
            response = link_closed_response::abandon;
        }
        l->handle.stop();
        links_.erase(lkey);
        this->changed_link(lkey, nullptr);
        if (response == link_closed_response::remove)
            drop_entries(lkey);
    }

    /// Asks `f` (on_unlinked or on_failed) what to do; abandon when unset or when it throws.
    template <class F, class... A>
    link_closed_response ask(F const& f, bool failed, A const&... args) const
    {
        if (!f)
            return link_closed_response::abandon;
        auto a = this->guarded(failed ? "on_failed" : "on_unlinked", [&] { return f(args...); });
        return a ? *a : link_closed_response::abandon;
    }

    /// Sets the entry at `key` to `value` (which converts to V: checked by the caller), sent
    /// as `@update`, then on_update.
    void put_entry(recon::value const& key, recon::value const& value, V const& typed)
    {
        std::optional<recon::value> before;
        if (auto it = entries_.find(key); it != entries_.end()) {
            before = std::move(it->second);
            it->second = value;
        } else {
            entries_.emplace(key, value);
        }
        this->broadcast_map(warp::map_event::update(key, value));
        if (on_update_) {
            std::optional<V> old;
            if (before)
                old = recon::value_to<V>(*before);
            invoke(this->runtime(), on_update_, recon::value_to<K>(key), typed, old);
        }
    }

    /// Removes the entry at `key` (if any), sent as `@remove`, then on_remove.
    void remove_entry(recon::value const& key)
    {
        auto it = entries_.find(key);
        if (it == entries_.end())
            return;
        recon::value before = std::move(it->second);
        entries_.erase(it);
        this->broadcast_map(warp::map_event::remove(key));
        if (on_remove_)
            invoke(
                this->runtime(),
                on_remove_,
                recon::value_to<K>(key),
                recon::value_to<V>(before));
    }

    /// `value` as a V; nullopt, logged, when it does not convert.
    std::optional<V> typed_value(recon::value const& value) const
    {
        V typed;
        recon::conversion_error err;
        if (!recon::value_to(value, typed, err)) {
            this->bad_compute("the linked lane", "a value does not convert: " + err.message());
            return std::nullopt;
        }
        return typed;
    }

    warp::map_state entries_;
    agent_handler<K const&, V const&, std::optional<V> const&> on_update_;
    agent_handler<K const&, V const&> on_remove_;

private:
    static recon::value spec_of(link_state const& l)
    {
        recon::record r;
        r.add_slot("node", recon::value(l.node));
        r.add_slot("lane", recon::value(l.lane));
        if (l.host)
            r.add_slot("host", recon::value(*l.host));
        return recon::value(std::move(r));
    }

    void open(recon::value const& lkey, link_state& l)
    {
        auto const gen = ++generation_;
        l.generation = gen;
        l.handle = open_link(lkey, l, gen);
    }

    std::map<recon::value, link_state, std::less<>> links_;
    std::uint64_t generation_ = 0;
};

/// The options of a join lane's downlinks: events before the sync applied, and an unlinked
/// downlink relinking with backoff (on_unlinked answers retry: kept; else it is stopped).
inline simple_downlink_config join_downlink_config() noexcept
{
    simple_downlink_config cfg;
    cfg.events_when_not_synced = true;
    cfg.terminate_on_unlinked = false;
    return cfg;
}

}  // namespace detail

/** A join value lane from `K` to `V`: see the file comment. Each key is linked to a value
 * lane, whose value is the key's entry.
 *
 * Handlers: `on_linked(K const& key)`, `on_synced(K const& key, std::optional<V> const&
 * value)`, `on_unlinked(K const& key)` and `on_failed(K const& key)` returning
 * link_closed_response, `on_update(K const& key, V const& now, std::optional<V> const&
 * before)` and `on_remove(K const& key, V const& before)` (as a map lane's).
 *
 * A value of a linked lane that does not convert to `V` is logged and not applied.
 */
template <class K = recon::value, class V = recon::value>
class join_value_lane : public detail::join_lane<K, K, V, value_downlink_handle<recon::value>> {
    using base = detail::join_lane<K, K, V, value_downlink_handle<recon::value>>;

public:
    using closed_handler = std::function<link_closed_response(K const&)>;

    join_value_lane(agent& owner, std::string name)
        : base(owner, std::move(name), detail::lane_kind::join_value)
    {}

    /** Links `key` to `lane` of `node` at `host` (empty or std::nullopt: this server). A key
     * with a link keeps it (the first address stays). A key holding a NaN or an infinity
     * throws boost::system::system_error (recon::error::non_finite_float) before anything.
     */
    void add_downlink(
        K const& key,
        std::optional<std::string_view> host,
        std::string_view node,
        std::string_view lane)
    {
        this->add_link(recon::value_from(key), host, node, lane);
    }
    /// Ends the link of `key` (no handler runs) and removes its entry (sent as `@remove`).
    void remove_downlink(K const& key) { this->remove_link(recon::value_from(key)); }

    template <class F>
    join_value_lane& on_linked(F f)
    {
        on_linked_ = detail::make_agent_handler<K const&>(std::move(f));
        return *this;
    }
    template <class F>
    join_value_lane& on_synced(F f)
    {
        on_synced_ = detail::make_agent_handler<K const&, std::optional<V> const&>(std::move(f));
        return *this;
    }
    /// `f(K const& key)` returning link_closed_response: the linked lane's host unlinked it.
    template <class F>
    join_value_lane& on_unlinked(F f)
    {
        on_unlinked_ = std::move(f);
        return *this;
    }
    /// `f(K const& key)` returning link_closed_response: the key's downlink failed.
    template <class F>
    join_value_lane& on_failed(F f)
    {
        on_failed_ = std::move(f);
        return *this;
    }
    template <class F>
    join_value_lane& on_update(F f)
    {
        this->on_update_ = detail::make_agent_handler<K const&, V const&, std::optional<V> const&>(
            std::move(f));
        return *this;
    }
    template <class F>
    join_value_lane& on_remove(F f)
    {
        this->on_remove_ = detail::make_agent_handler<K const&, V const&>(std::move(f));
        return *this;
    }

private:
    using link_state = typename base::link_state;

    value_downlink_handle<recon::value> open_link(
        recon::value const& key,
        link_state const& l,
        std::uint64_t gen) override
    {
        return this->context()
            .template value_downlink_builder<recon::value>(
                l.host,
                l.node,
                l.lane,
                detail::join_downlink_config())
            .on_linked([this, key, gen] {
                if (this->up(key, gen))
                    detail::invoke(this->runtime(), on_linked_, recon::value_to<K>(key));
            })
            .on_event([this, key, gen](recon::value const& v) {
                if (!this->current(key, gen))
                    return;
                if (auto typed = this->typed_value(v))
                    this->put_entry(key, v, *typed);
            })
            .on_synced([this, key, gen](recon::value const&) {
                if (!this->current(key, gen) || !on_synced_)
                    return;
                auto const v = this->get(recon::value_to<K>(key));
                detail::invoke(this->runtime(), on_synced_, recon::value_to<K>(key), v);
            })
            .on_unlinked([this, key, gen] { this->closed(key, gen, false); })
            .on_failed([this, key, gen] { this->closed(key, gen, true); })
            .done();
    }

    link_closed_response answer(recon::value const& key, bool failed) override
    {
        return this->ask(failed ? on_failed_ : on_unlinked_, failed, recon::value_to<K>(key));
    }

    void drop_entries(recon::value const& key) override { this->remove_entry(key); }

    detail::agent_handler<K const&> on_linked_;
    detail::agent_handler<K const&, std::optional<V> const&> on_synced_;
    closed_handler on_unlinked_;
    closed_handler on_failed_;
};

/** A join map lane from `K` to `V`, its entries from map lanes: add_downlink(link, host,
 * node, lane) links the link key `link` (of type `L`) to a map lane, and each entry that lane
 * has becomes an entry here, owned by the link that wrote it last. A link's `@remove` removes
 * a key it owns; its `@clear` removes only its own keys (a `@take` or `@drop` removes, one by
 * one, the keys it evicts). Clients see a map lane, the union of the linked maps.
 *
 * Handlers: `on_linked(L const& link)`, `on_synced(L const& link, std::set<K> const& keys)`
 * (the keys it owns then), `on_unlinked(L const& link, std::set<K> const& keys)` and
 * `on_failed(...)` returning link_closed_response (remove: its keys go), `on_update` and
 * `on_remove` (as a map lane's).
 */
template <class L = recon::value, class K = recon::value, class V = recon::value>
class join_map_lane
    : public detail::join_lane<L, K, V, map_downlink_handle<recon::value, recon::value>> {
    using base = detail::join_lane<L, K, V, map_downlink_handle<recon::value, recon::value>>;

public:
    using closed_handler = std::function<link_closed_response(L const&, std::set<K> const&)>;

    join_map_lane(agent& owner, std::string name)
        : base(owner, std::move(name), detail::lane_kind::join_map)
    {}

    /// Links the link key `link` to the map lane `lane` of `node` at `host` (empty or
    /// std::nullopt: this server); a link key with a link keeps it. Errors as
    /// join_value_lane::add_downlink().
    void add_downlink(
        L const& link,
        std::optional<std::string_view> host,
        std::string_view node,
        std::string_view lane)
    {
        this->add_link(recon::value_from(link), host, node, lane);
    }
    /// Ends the link `link` (no handler runs) and removes the keys it owns.
    void remove_downlink(L const& link) { this->remove_link(recon::value_from(link)); }
    /// The keys the link `link` owns.
    std::set<K> keys_of(L const& link) const { return typed_keys(recon::value_from(link)); }

    template <class F>
    join_map_lane& on_linked(F f)
    {
        on_linked_ = detail::make_agent_handler<L const&>(std::move(f));
        return *this;
    }
    template <class F>
    join_map_lane& on_synced(F f)
    {
        on_synced_ = detail::make_agent_handler<L const&, std::set<K> const&>(std::move(f));
        return *this;
    }
    template <class F>
    join_map_lane& on_unlinked(F f)
    {
        on_unlinked_ = std::move(f);
        return *this;
    }
    template <class F>
    join_map_lane& on_failed(F f)
    {
        on_failed_ = std::move(f);
        return *this;
    }
    template <class F>
    join_map_lane& on_update(F f)
    {
        this->on_update_ = detail::make_agent_handler<K const&, V const&, std::optional<V> const&>(
            std::move(f));
        return *this;
    }
    template <class F>
    join_map_lane& on_remove(F f)
    {
        this->on_remove_ = detail::make_agent_handler<K const&, V const&>(std::move(f));
        return *this;
    }

private:
    using link_state = typename base::link_state;

    map_downlink_handle<recon::value, recon::value> open_link(
        recon::value const& lkey,
        link_state const& l,
        std::uint64_t gen) override
    {
        return this->context()
            .template map_downlink_builder<recon::value, recon::value>(
                l.host,
                l.node,
                l.lane,
                detail::join_downlink_config())
            .on_linked([this, lkey, gen] {
                if (this->up(lkey, gen))
                    detail::invoke(this->runtime(), on_linked_, recon::value_to<L>(lkey));
            })
            .on_update([this, lkey, gen](
                           recon::value const& key,
                           std::optional<recon::value> const&,
                           recon::value const& v) {
                if (!this->current(lkey, gen) || !this->sendable(key, "the linked lane"))
                    return;
                K k;
                recon::conversion_error err;
                if (!recon::value_to(key, k, err)) {
                    this->bad_compute(
                        "the linked lane",
                        "a key does not convert: " + err.message());
                    return;
                }
                auto typed = this->typed_value(v);
                if (!typed)
                    return;
                owners_.insert_or_assign(key, lkey);
                this->put_entry(key, v, *typed);
            })
            .on_remove([this, lkey, gen](recon::value const& key, recon::value const&) {
                if (this->current(lkey, gen))
                    remove_owned(lkey, key);
            })
            .on_clear([this, lkey, gen] {
                if (this->current(lkey, gen))
                    drop_entries(lkey);
            })
            .on_synced([this, lkey, gen](std::map<recon::value, recon::value> const&) {
                if (this->current(lkey, gen) && on_synced_)
                    detail::invoke(
                        this->runtime(),
                        on_synced_,
                        recon::value_to<L>(lkey),
                        typed_keys(lkey));
            })
            .on_unlinked([this, lkey, gen] { this->closed(lkey, gen, false); })
            .on_failed([this, lkey, gen] { this->closed(lkey, gen, true); })
            .done();
    }

    link_closed_response answer(recon::value const& lkey, bool failed) override
    {
        return this->ask(
            failed ? on_failed_ : on_unlinked_,
            failed,
            recon::value_to<L>(lkey),
            typed_keys(lkey));
    }

    void drop_entries(recon::value const& lkey) override
    {
        for (auto it = owners_.begin(); it != owners_.end();) {
            if (it->second == lkey) {
                recon::value key = it->first;
                it = owners_.erase(it);
                this->remove_entry(key);
            } else {
                ++it;
            }
        }
    }

    void remove_owned(recon::value const& lkey, recon::value const& key)
    {
        auto it = owners_.find(key);
        if (it == owners_.end() || it->second != lkey)
            return;  // another link wrote it since
        owners_.erase(it);
        this->remove_entry(key);
    }

    std::set<K> typed_keys(recon::value const& lkey) const
    {
        std::set<K> out;
        for (auto const& [key, owner] : owners_)
            if (owner == lkey)
                out.insert(recon::value_to<K>(key));
        return out;
    }

    /// Which link wrote each key last.
    std::map<recon::value, recon::value, std::less<>> owners_;
    detail::agent_handler<L const&> on_linked_;
    detail::agent_handler<L const&, std::set<K> const&> on_synced_;
    closed_handler on_unlinked_;
    closed_handler on_failed_;
};

}  // namespace swim::server

#endif
