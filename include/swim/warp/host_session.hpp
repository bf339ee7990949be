// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_WARP_HOST_SESSION_HPP
#define SWIM_WARP_HOST_SESSION_HPP

#include <swim/recon/value.hpp>
#include <swim/warp/downlink_model.hpp>
#include <swim/warp/envelope.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

/** @file
 * The sans-io side of one connection to a WARP host: which links are open on it, which
 * downlinks share each link, what to write, and what to tell each downlink. The I/O layer
 * (swim::client) feeds it frames and connection events and writes what it asks for.
 */

namespace swim::warp {

/// Identifies one downlink (a view of a link) within a host session.
using view_id = std::uint64_t;

/// Limits of a host session.
struct session_options {
    /// The most bytes of frames waiting to be written (commands queued while offline
    /// included). A write beyond it is refused with error::queue_full; the caller retries.
    std::size_t max_queued_bytes = 4 * 1024 * 1024;
    /// The most memory the body of one frame from the host may take once parsed
    /// (recon::parse_options::max_memory); on_frame() returns recon::error::value_too_large
    /// for a frame over it, and the link is not failed: the caller closes the connection.
    /// Zero: no limit.
    std::size_t max_value_memory = 0;
};

/// A notification for one downlink.
struct view_note {
    /// The downlink it is for.
    view_id view = 0;
    /// What happened, filtered by the downlink's options.
    downlink_notification note;
    /// The downlink is closed after this one (unlinked with terminate_on_unlinked, failed,
    /// or the connection lost with keep_linked false): it will get nothing more.
    bool terminal = false;
};

/// Something the session asks of its I/O layer other than writing.
struct session_request {
    enum class type : std::uint8_t {
        /// Relink `node`/`lane` after a backoff (a downlink with terminate_on_unlinked false
        /// saw @unlinked): call host_session::relink(node, lane) when the delay has passed.
        relink,
        /// The server answered @auth with @authed (`body` is the session) or @deauthed.
        authed,
        deauthed,
    };
    type what = type::relink;
    /// relink: the link to reopen.
    std::string node;
    std::string lane;
    /// relink: how many relinks in a row this link has needed (1 for the first), for the
    /// backoff.
    unsigned attempt = 0;
    /// authed / deauthed: the body the server sent.
    recon::value body;
};

/** The links of one connection to one host.
 *
 * @par Thread safety
 * Not thread safe: its owner serialises every call (the client runs it on one strand).
 */
class host_session {
public:
    /// A session with no links, offline until on_connected().
    explicit host_session(session_options opts = {});
    ~host_session();
    host_session(host_session const&) = delete;
    host_session& operator=(host_session const&) = delete;

    /// Between on_connected() and on_disconnected().
    bool connected() const noexcept { return connected_; }

    // ---- downlinks -----------------------------------------------------------------------

    /** Opens a downlink to `node`/`lane`. Downlinks to the same node and lane share one link:
     * the first one sends @sync (or @link), a later one is brought up to date from the shared
     * state with no traffic. Fails with error::kind_mismatch when the link is open with
     * another kind.
     */
    boost::system::error_code open_view(
        std::string_view node,
        std::string_view lane,
        downlink_kind kind,
        downlink_options const& opts,
        view_id& out);

    /** Closes a downlink. When it was the last one on its link, @unlink is queued after
     * everything queued before it, so sets made before closing are written first.
     */
    void close_view(view_id id);

    /// The shared state of a downlink's link, or nullptr if the downlink is closed.
    downlink_model const* model(view_id id) const noexcept;
    /// True while the downlink is open.
    bool is_open(view_id id) const noexcept { return views_.count(id) != 0; }
    /// The node and lane of an open downlink's link (empty once it is closed).
    std::string_view node_of(view_id id) const noexcept;
    std::string_view lane_of(view_id id) const noexcept;

    /** @name Local writes through a downlink
     * Each updates its link's state (notifying every downlink of the link) and queues the
     * @command. Errors, with nothing changed: error::queue_full when the queue is full;
     * error::closed when the downlink is closed; error::kind_mismatch when the operation
     * does not fit the downlink's kind; recon::error::non_finite_float when a key or value
     * holds a NaN or an infinity (no Recon form).
     */
    ///@{
    /// A value downlink's value.
    boost::system::error_code set(view_id id, recon::value v);
    /// A map downlink's entry, put.
    boost::system::error_code update(view_id id, recon::value key, recon::value v);
    /// A map downlink's entry, removed (a key that is not there still sends the command).
    boost::system::error_code remove(view_id id, recon::value const& key);
    /// Every entry of a map downlink, removed.
    boost::system::error_code clear(view_id id);
    /// Keeps the first `n` entries of a map downlink, in key order.
    boost::system::error_code take(view_id id, std::uint64_t n);
    /// Removes the first `n` entries of a map downlink, in key order.
    boost::system::error_code drop(view_id id, std::uint64_t n);
    ///@}

    /// Queues `@command(node,lane) body`; commands wait for the connection when offline.
    /// error::queue_full when the queue is full, recon::error::non_finite_float for a body
    /// holding a NaN or an infinity.
    boost::system::error_code command(
        std::string_view node,
        std::string_view lane,
        recon::value const& body);

    /// Sets the credentials: sent now if connected, and first on every connection.
    void authenticate(recon::value credentials);

    // ---- the connection ------------------------------------------------------------------

    /// The connection is up: queues @auth, the commands that waited, then @sync/@link for
    /// every link.
    void on_connected();
    /** An attempt to connect failed (refused, a name that does not resolve, a timeout, TLS
     * verification, an upgrade the server refused): `ec` and `why` say what went wrong.
     * Every downlink hears it: those that keep linked get `unreachable` and wait for the
     * next attempt; the others fail (`failed`, terminal) and are closed.
     */
    void on_connect_failed(boost::system::error_code ec, std::string_view why);
    /// The connection is lost: links go down. Downlinks that keep linked get a non-terminal
    /// `unlinked` ("connection lost") and relink on the next connection; the others end. Frames not
    /// yet taken are kept if they are commands and dropped if they are link requests (those are
    /// made again).
    void on_disconnected();

    /** A text frame from the host. Envelopes for unknown links are ignored. An envelope that
     * cannot be read, or an event that does not fit its link, fails only that link (its
     * downlinks get `failed`); the error is returned for logging, and the connection goes on.
     */
    boost::system::error_code on_frame(std::string_view frame);

    /// Reopens a link that a relink request named (does nothing if it has no downlinks).
    void relink(std::string_view node, std::string_view lane);

    /** True while a link waits for the server's word on local writes (no event has shown
     * that the lane took them): while it is, call verify_unsettled() every little while.
     */
    bool unsettled() const noexcept;
    /// Cheaper than unsettled(): false when no link has written since it was last settled.
    bool may_be_unsettled() const noexcept { return !written_.empty(); }
    /** Verifies the links whose local writes are still unanswered and that received nothing
     * since the previous call: each resyncs quietly (@sync, reconciled at @synced, no
     * linked or synced notification), so a command the server dropped cannot leave a
     * downlink's state different from the lane's.
     */
    void verify_unsettled();

    // ---- output ------------------------------------------------------------------------------

    /// True when frames wait to be written (never while offline: then commands wait for
    /// the connection).
    bool has_output() const noexcept { return connected_ && !out_frames_.empty(); }
    /// Moves every waiting frame to the back of `out` (oldest first); nothing while offline.
    void take_output(std::vector<std::string>& out);
    /// Gives back taken frames that could not be written (the connection failed): the
    /// commands among them wait for the next connection, in front of newer ones.
    void return_output(std::vector<std::string> frames);
    /// The I/O layer wrote `bytes` of taken frames: room for more.
    void on_written(std::size_t bytes) noexcept;
    /// Bytes of frames queued or taken and not yet written.
    std::size_t queued_bytes() const noexcept { return queued_bytes_; }

    /// True (once) after a frame that synced a link: hand the notifications out before the
    /// next frame, so that handlers reading the state at on_synced see it as it was then.
    bool take_synced() noexcept { return std::exchange(synced_now_, false); }

    /// Notifications for downlinks, in order; the caller moves them out.
    std::vector<view_note>& notes() noexcept { return notes_; }
    /// Requests for the I/O layer; the caller moves them out.
    std::vector<session_request>& requests() noexcept { return requests_; }

private:
    struct link;
    struct view {
        link* target = nullptr;
        downlink_kind kind = downlink_kind::value;
        downlink_options opts;
    };
    /// A link's node and lane, as views of the link's own strings.
    struct link_key {
        std::string_view node;
        std::string_view lane;
        bool operator==(link_key const&) const = default;
    };
    struct link_key_hash {
        std::size_t operator()(link_key const& k) const noexcept
        {
            std::size_t h = std::hash<std::string_view>{}(k.node);
            return h ^ (std::hash<std::string_view>{}(k.lane) + 0x9e3779b97f4a7c15ULL + (h << 6) +
                        (h >> 2));
        }
    };
    /// Every link, one table for all nodes.
    using link_table = std::unordered_map<link_key, std::unique_ptr<link>, link_key_hash>;

    link* find_link(std::string_view node, std::string_view lane) noexcept;
    void erase_link(link& l);
    void open_link(link& l, bool verifying = false);
    void dispatch(link& l, downlink_model::notifications& notes);
    void fail_link(link& l, boost::system::error_code ec, std::string reason);
    std::string& fresh_frame();
    void enqueue(std::string const& frame, bool is_command);
    boost::system::error_code write_op(view_id id, downlink_kind kind, view*& v);
    template <class Op>
    boost::system::error_code local_write(view_id id, downlink_kind kind, Op op);
    void queue_command(link& l, recon::value const& body);
    void verify_link(link& l);
    void after_event(link& l);

    session_options opts_;
    recon::parse_options parse_options() const noexcept
    {
        recon::parse_options po;
        po.max_memory = opts_.max_value_memory;
        return po;
    }
    bool connected_ = false;
    view_id next_view_ = 1;
    std::uint64_t next_link_seq_ = 0;
    link_table links_;
    /// The link the last frame went to (a burst of events is for one link): found by
    /// comparing its names, without hashing them.
    link* last_link_ = nullptr;
    /// Links with local writes in flight (each once; see link::written).
    std::vector<link*> written_;
    bool synced_now_ = false;
    std::unordered_map<view_id, view> views_;
    // Frames waiting for the I/O layer; `is_command` marks those kept across a lost
    // connection.
    std::deque<std::pair<std::string, bool>> out_frames_;
    std::size_t queued_bytes_ = 0;
    std::size_t taken_bytes_ = 0;
    recon::value credentials_;
    bool has_credentials_ = false;
    std::vector<view_note> notes_;
    std::vector<session_request> requests_;
    downlink_model::notifications scratch_notes_;
    std::string scratch_;
    /// Where frames are written before they are queued.
    std::string write_buf_;
};

}  // namespace swim::warp

#endif
