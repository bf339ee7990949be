// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_WARP_DOWNLINK_MODEL_HPP
#define SWIM_WARP_DOWNLINK_MODEL_HPP

#include <swim/recon/value.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/map_event.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

/** @file
 * The downlink state machine, sans-io: what a value, map or event downlink does with each
 * envelope of its link, and which handlers that fires. It lives here once; the client's
 * downlinks and the agents' downlinks both drive it (architecture §2, §3).
 *
 * A @ref swim::warp::downlink_model is the shared state of one WARP link (one node and lane
 * on one connection). Feed it what arrives (@linked, @event bodies, @synced, @unlinked, a lost
 * connection) and local writes (set, put, remove, ...); it updates the state and appends
 * @ref swim::warp::downlink_notification "notifications" for the handlers. Every downlink
 * that shares the link receives them and filters them with its own @ref downlink_options.
 *
 * @par States
 * `unlinked -> linking -> linked -> synced`, and back to `unlinked` on @unlinked or a lost
 * connection. The first sync assembles the state silently for downlinks that do not want
 * events before sync; a later sync (after a reconnect or a relink) *reconciles*: a map key
 * that vanished fires a remove, a changed one an update, an unchanged one nothing.
 */

namespace swim::warp {

/// The kind of a downlink: which lane state it mirrors.
enum class downlink_kind : std::uint8_t {
    value,
    map,
    event
};

/// The name of a kind: "value", "map", "event".
std::string_view to_string(downlink_kind k) noexcept;

/// Where a link is.
enum class link_status : std::uint8_t {
    unlinked,  ///< no link: not yet opened, lost, or refused
    linking,   ///< @link or @sync sent, no @linked yet
    linked,    ///< @linked received; the state is being synchronised if a sync was asked
    synced,    ///< @synced received: the state mirrors the lane
};

std::string_view to_string(link_status s) noexcept;

/// What one downlink wants; links shared by several downlinks serve each its own way.
struct downlink_options {
    /// Deliver events (set, update, remove, event) before the first @synced. When false, the
    /// state is assembled silently and on_synced delivers it.
    bool events_when_not_synced = false;
    /// A remote @unlinked ends the downlink. When false, the downlink relinks with backoff.
    bool terminate_on_unlinked = true;
    /// After a lost connection, relink (and resync) when the connection is back.
    bool keep_linked = true;
    /// Ask for the lane's state (@sync) rather than only changes (@link). Event downlinks
    /// ignore this and always @link.
    bool keep_synced = true;
    /// Client downlinks (agent-side downlinks ignore it): notifications a downlink may hold
    /// for coroutine handlers that fall behind (and values
    /// for next_event() not yet taken). Beyond it a value downlink keeps only its latest value
    /// and a map downlink the latest change of each key (as the server does for a slow
    /// client); an event downlink, whose events cannot be merged, fails (client: on_failed
    /// with client::error::overrun) rather than drop one. Plain handlers never fall behind:
    /// they run as each frame is read.
    std::uint32_t max_pending_events = 16384;
};

/// One thing that happened on a link, for the handlers.
struct downlink_notification {
    enum class type : std::uint8_t {
        linked,    ///< on_linked
        synced,    ///< on_synced: the state is the model's state at this point
        event,     ///< on_event(value) of an event downlink
        set,       ///< a value downlink's value: on_event(value) always, did_set(value, old) if
                   ///< `changed`
        update,    ///< did_update(key, value, old) for map downlinks
        remove,    ///< did_remove(key, old)
        clear,     ///< did_clear
        unlinked,  ///< on_unlinked(reason)
        failed,    ///< on_failed(error)
    };

    type what = type::linked;
    /// True when this happened before the link's first @synced: downlinks that do not want
    /// events before sync skip it.
    bool before_sync = false;
    recon::value key;    ///< update, remove
    recon::value value;  ///< event, set, update: the new value
    recon::value old;    ///< set, update, remove: the previous value (absent if none)
    /// unlinked: the reason the server gave (`nodeNotFound`, `laneNotFound`, a text), or
    /// empty; failed: what went wrong.
    std::string reason;
    boost::system::error_code error;  ///< failed
    /// set: the value differs from the one held before (an echo of our own set does not).
    bool changed = true;

    /// True when a downlink with these options should see this notification.
    bool wanted_by(downlink_options const& o) const noexcept
    {
        return !before_sync || o.events_when_not_synced || what == type::linked;
    }
};

/// The map state: keys in Recon key order (the order `take` and `drop` count in).
using map_state = std::map<recon::value, recon::value, std::less<>>;

/// The shared state machine of one link. Not thread safe: its owner serialises access.
class downlink_model {
public:
    using notifications = std::vector<downlink_notification>;

    explicit downlink_model(downlink_kind kind, bool sync = true) noexcept;
    ~downlink_model();
    downlink_model(downlink_model&&) noexcept;
    downlink_model& operator=(downlink_model&&) noexcept;

    downlink_kind kind() const noexcept { return kind_; }
    link_status status() const noexcept { return status_; }
    /// True once the link has been synced at least once since it was created.
    bool was_synced() const noexcept { return synced_once_; }
    /// Whether the link asks for state (@sync) or changes only (@link).
    bool wants_sync() const noexcept { return sync_; }
    /// Asks for state from now on (a downlink that wants sync joined a link-only link).
    void request_sync() noexcept { sync_ = true; }

    /// The value state (value downlinks). Absent until an event arrives.
    recon::value const& value() const noexcept { return value_; }
    /// The map state (map downlinks).
    map_state const& map() const noexcept;

    // ---- the link ------------------------------------------------------------------------

    /// The request to send to open (or reopen) the link: @sync or @link. Moves to linking.
    envelope_kind open() noexcept;

    void on_linked(notifications& out);
    void on_synced(notifications& out);
    /// An @event body. A map body that is not a map event, or a body that is not Recon,
    /// is a failure of this link: a `failed` notification, and the error is returned.
    boost::system::error_code on_event(std::string_view body, notifications& out);
    /// The same with a parsed body.
    boost::system::error_code on_event_value(recon::value body, notifications& out);
    /// @unlinked with its body: the link is down; the reason is reported.
    void on_unlinked(recon::value const& body, notifications& out);
    /// The connection was lost: the link is down until reopened. No notification: the
    /// state is kept, so that the next sync can reconcile.
    void on_disconnected() noexcept;

    // ---- local writes --------------------------------------------------------------------
    // Each updates the local state at once, appends the notifications, and returns the
    // @command body to send.

    recon::value set(recon::value v, notifications& out);
    recon::value update(recon::value key, recon::value v, notifications& out);
    recon::value remove(recon::value const& key, notifications& out);
    recon::value clear(notifications& out);
    recon::value take(std::uint64_t n, notifications& out);
    recon::value drop(std::uint64_t n, notifications& out);

    /// Notifications that bring a downlink joining now up to date with the shared state:
    /// linked if linked, then synced if synced. No wire traffic.
    void replay(notifications& out) const;

private:
    bool gated() const noexcept { return status_ != link_status::synced; }
    bool resyncing() const noexcept { return synced_once_ && status_ != link_status::synced; }
    void apply_value(recon::value v, bool remote, notifications& out);
    void apply_map(map_event e, notifications& out);
    void put_entry(recon::value key, recon::value v, notifications& out);
    void erase_entry(map_state::iterator it, notifications& out);
    void evict(std::uint64_t n, bool from_front, notifications& out);
    void reconcile(notifications& out);
    /// Echo tracking: our writes sent on a synced link come back as events, in order; the
    /// echo of a write that a newer write of ours has overtaken must not undo it.
    bool stale_echo(recon::value const& key);
    void wrote_key(recon::value const& key);
    void forget_pending() noexcept;

    downlink_kind kind_;
    link_status status_ = link_status::unlinked;
    bool sync_;
    bool synced_once_ = false;
    bool got_event_ = false;
    /// What only a map link needs, made when first used (a value link spares the bytes).
    struct map_parts {
        map_state map;
        /// During a resync, the lane's state as it arrives, reconciled with ours at @synced.
        map_state incoming;
        /// Our updates/removes not yet echoed, per key.
        std::map<recon::value, std::uint32_t, std::less<>> pending_keys;
    };
    map_parts& maps();

    recon::value value_;
    // During a resync, the lane's value as it arrives, reconciled with ours at @synced.
    recon::value incoming_value_;
    /// Our sets not yet echoed.
    std::uint32_t pending_value_ = 0;
    std::unique_ptr<map_parts> maps_;
};

}  // namespace swim::warp

#endif
