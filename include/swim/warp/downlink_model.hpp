// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_WARP_DOWNLINK_MODEL_HPP
#define SWIM_WARP_DOWNLINK_MODEL_HPP

#include <swim/recon/value.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/map_event.hpp>
#include <swim/warp/map_state.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
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
 *
 * @par Convergence
 * After the traffic stops, the state equals what a fresh sync of the lane returns, whatever
 * the server coalesced (every SwimOS server may send only the latest value of a lane, or of
 * a key, when the socket is ready), interleaved from other connections, or dropped (a command
 * the lane cannot apply is never answered). Local writes apply at once. Every event from
 * the lane is applied, also while our writes are in flight: the server is the truth, so a
 * brief flicker is possible, divergence is not. One event is held back: the echo of an
 * older write of ours while the state still shows a newer one (set 1, set 2, then the echo of
 * 1 changes nothing but on_event). A link whose writes no event has answered yet is
 * unsettled(); the I/O layer verifies it once it is quiet (@unlink, then a fresh @sync,
 * reconciled without linked or synced notifications), so a dropped command cannot leave
 * the state wrong. A `set`, `update` or `remove` notification fires once per change of the
 * state (`changed`); an event equal to the state changes nothing.
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
        linked,       ///< on_linked
        synced,       ///< on_synced: the state is the model's state at this point
        event,        ///< on_event(value) of an event downlink
        set,          ///< a value downlink's value: on_event(value) always, did_set(value, old) if
                      ///< `changed`
        update,       ///< did_update(key, value, old) for map downlinks
        remove,       ///< did_remove(key, old)
        clear,        ///< did_clear
        unlinked,     ///< on_unlinked(reason)
        failed,       ///< on_failed(error)
        unreachable,  ///< on_unreachable(error, reason): an attempt to reach the host failed;
                      ///< the downlink keeps trying (error and reason say what went wrong)
    };

    type what = type::linked;
    /// True when this happened before the link's first @synced: downlinks that do not want
    /// events before sync skip it.
    bool before_sync = false;
    recon::value key;    ///< update, remove
    recon::value value;  ///< event, set, update: the new value
    recon::value old;    ///< set, update, remove: the previous value (absent if none)
    /// unlinked: the reason the server gave (`nodeNotFound`, `laneNotFound`, a text), or
    /// empty; failed, unreachable: what went wrong.
    std::string reason;
    boost::system::error_code error;  ///< failed, unreachable
    /// set: the value differs from the one held before (an echo of our own set does not).
    bool changed = true;
    /// linked, synced: made again for a handler set after the real one was delivered (it
    /// runs only if that handler has not seen a linked / synced since).
    bool replayed = false;

    /// True when a downlink with these options should see this notification.
    bool wanted_by(downlink_options const& o) const noexcept
    {
        return !before_sync || o.events_when_not_synced || what == type::linked;
    }

    /// True for the notifications every downlink gets whatever its kind (linked, unlinked,
    /// failed, unreachable).
    bool is_common() const noexcept
    {
        return what == type::linked || what == type::unlinked || what == type::failed ||
               what == type::unreachable;
    }
};

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

    /** The request to send to open (or reopen) the link: @sync or @link. Moves to linking.
     * `verifying`: the link is reopened only to verify the state (see can_verify()): the
     * downlinks are not told linked or synced again.
     */
    envelope_kind open(bool verifying = false) noexcept;

    void on_linked(notifications& out);
    void on_synced(notifications& out);
    /// An @event body. A map body that is not a map event, or a body that is not Recon,
    /// is a failure of this link: a `failed` notification, and the error is returned.
    /// `opts` bounds the parse; a body over opts.max_memory returns
    /// recon::error::value_too_large and changes nothing (the connection is at fault).
    boost::system::error_code on_event(
        std::string_view body,
        notifications& out,
        recon::parse_options const& opts = {});
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

    // ---- convergence ---------------------------------------------------------------------

    /** True while local writes wait for the server's word: no event has shown that the
     * lane took them or was changed after them. A server that drops a command never answers
     * it, so the I/O layer verifies such a link (see can_verify()) once it has been quiet.
     */
    bool unsettled() const noexcept;
    /** True when an event left the state uncertain (a positional @take or @drop met our
     * own writes in flight): the I/O layer should verify the link now. */
    bool wants_verify() const noexcept { return verify_now_; }
    /** True when the link can be verified now (synced, with sync). To verify, the I/O layer
     * unlinks (what arrives until @unlinked is stale and ignored), then reopens the link
     * with open(true): a fresh @sync, whose state is reconciled with ours at @synced as
     * after a reconnect (a key that vanished fires a remove, and so on).
     */
    bool can_verify() const noexcept { return status_ == link_status::synced && sync_; }
    /// The verification asked by wants_verify() is under way (or cannot be made).
    void verify_started() noexcept { verify_now_ = false; }

    /// The most local writes a link tracks while they wait for their echoes; beyond it the
    /// oldest are forgotten and the link verifies once quiet.
    static constexpr std::size_t max_in_flight = 1024;

private:
    bool gated() const noexcept { return status_ != link_status::synced; }
    bool resyncing() const noexcept { return synced_once_ && status_ != link_status::synced; }
    void apply_value(recon::value v, bool remote, notifications& out);
    void apply_map(map_event e, notifications& out);
    void put_entry(recon::value key, recon::value v, notifications& out);
    void erase_entry(map_state::iterator it, notifications& out);
    void evict(std::uint64_t n, bool from_front, notifications& out);
    void reconcile(notifications& out);

    /// A local write on its way to the lane: the value written (a map: absent for a remove).
    struct in_flight_write {
        recon::value value;
        bool removed = false;
    };
    using write_list = std::vector<in_flight_write>;
    /// Our writes the server has not answered yet (made at the first local write).
    struct write_log {
        write_list value;
        std::map<recon::value, write_list, std::less<>> keys;
        /// Local clears, takes and drops in flight (settled by a remote clear or a resync).
        std::uint32_t structural = 0;
        std::size_t count = 0;
        /// Writes were forgotten (max_in_flight): verify once quiet.
        bool forgot = false;
    };
    write_log& writes();
    void track(recon::value const* key, recon::value const* v);
    /// Whether a remote event for `key` (value links: null) is the echo of an older write
    /// of ours while the state still shows a newer one: the event changes nothing then.
    bool echo_of_older_write(recon::value const* key, recon::value const* v);
    void forget_writes() noexcept;

    downlink_kind kind_;
    link_status status_ = link_status::unlinked;
    bool sync_;
    bool synced_once_ = false;
    bool got_event_ = false;
    /// A verifying resync is under way: linked and synced are not news.
    bool verifying_ = false;
    bool verify_now_ = false;
    /// What only a map link needs, made when first used (a value link spares the bytes).
    struct map_parts {
        node_arena arena;  ///< (first: the maps' nodes go back to it before it goes)
        map_state map{map_state::allocator_type(&arena)};
        /// During a resync, the lane's state as it arrives, reconciled with ours at @synced.
        map_state incoming{map_state::allocator_type(&arena)};
    };
    map_parts& maps();

    recon::value value_;
    // During a resync, the lane's value as it arrives, reconciled with ours at @synced.
    recon::value incoming_value_;
    std::unique_ptr<map_parts> maps_;
    std::unique_ptr<write_log> writes_;
};

}  // namespace swim::warp

#endif
