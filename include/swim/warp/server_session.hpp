// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_WARP_SERVER_SESSION_HPP
#define SWIM_WARP_SERVER_SESSION_HPP

#include <swim/recon/value.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/map_event.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/** @file
 * The sans-io server side of one client connection: what the client asks (link, sync,
 * unlink, command, auth), and the frames to send it, queued with per-uplink coalescing so a
 * slow client cannot make the server's memory grow without bound: a value uplink keeps only
 * its latest event, a map uplink the latest event per key (architecture §3, issue 4).
 */

namespace swim::warp {

/// What a client asked of the server, for the agent layer to answer.
struct uplink_request {
    /// The envelope the client sent.
    enum class type : std::uint8_t {
        link,     ///< @link
        sync,     ///< @sync
        unlink,   ///< @unlink
        command,  ///< @command
        auth,     ///< @auth
        deauth    ///< @deauth
    };
    type what = type::link;
    /// The node and lane URIs (empty for auth and deauth).
    std::string node;
    std::string lane;
    /// prio and rate of @link and @sync (zero when absent).
    link_params params;
    /// command: the body; auth, deauth: the credentials; absent otherwise (not parsed).
    recon::value body;
    /// The memory `body` was counted at while parsed (recon::parse_error::memory).
    std::size_t body_memory = 0;
};

/** A frame for the writer: text of its own, or one text shared by every uplink of a
 * broadcast (encoded once for all of them, not once per uplink).
 */
class out_frame {
public:
    out_frame() = default;
    explicit out_frame(std::string text) noexcept
        : own_(std::move(text))
    {}
    explicit out_frame(std::shared_ptr<std::string const> text) noexcept
        : shared_(std::move(text))
    {}

    std::string_view view() const noexcept
    {
        return shared_ ? std::string_view(*shared_) : std::string_view(own_);
    }
    std::size_t size() const noexcept { return view().size(); }
    /// The text: moved out when it is the frame's own, copied when shared.
    std::string take() { return shared_ ? std::string(*shared_) : std::move(own_); }

private:
    std::string own_;
    std::shared_ptr<std::string const> shared_;
};

/// `@event(node, lane) body`, encoded once for a broadcast to many uplinks.
out_frame shared_event_frame(
    std::string_view node,
    std::string_view lane,
    recon::value const& body);

/// Options of a server session.
struct server_session_options {
    /// Events are only coalesced once this many bytes wait: a client that keeps up gets every
    /// event, one that falls behind gets the latest value (per key for maps) with at most
    /// about this much queued. Zero coalesces whatever waits.
    std::size_t coalesce_after_bytes = 0;
    /// The most memory a body parsed from one frame may take (recon::parse_options::
    /// max_memory), less what hold_memory() holds; more fails the frame with
    /// error::malformed_body and recon::error::value_too_large. Zero: no limit.
    std::size_t max_value_memory = 0;
};

/** One client connection, server side.
 *
 * @par Thread safety
 * Not thread safe: its owner serialises every call.
 *
 * @par Errors
 * on_frame() returns an envelope_error. The frame writers throw boost::system::system_error
 * (recon::error::non_finite_float) when a body holds a NaN or an infinity; otherwise they only
 * throw std::bad_alloc. No I/O, so nothing to cancel.
 */
class server_session {
public:
    /// An empty session.
    explicit server_session(server_session_options opts = {}) noexcept
        : opts_(opts)
    {}

    /// Memory the connection keeps from earlier frames (its identity's credentials): it
    /// counts against max_value_memory for every later frame.
    void hold_memory(std::size_t bytes) noexcept { held_memory_ = bytes; }

    /** Reads a text frame from the client and appends what it asks to `out`.
     * @returns an error for a frame that is not a WARP envelope, or a command, auth or deauth
     * whose body is not valid Recon (error::malformed_body): the I/O layer closes the
     * connection with 1002 and `err.message()` as the reason, as Rust does. An envelope a
     * client does not send (@event, @linked, ...) is ignored, as Java does: no error, nothing
     * appended.
     */
    envelope_error on_frame(std::string_view frame, std::vector<uplink_request>& out);

    // ---- frames to the client ---------------------------------------------------------------
    // Each appends one frame to the queue.

    /// @linked, with the link's prio and rate (written when nonzero).
    void linked(std::string_view node, std::string_view lane, link_params params = {});
    /// @synced, after the lane's state (sent with event()).
    void synced(std::string_view node, std::string_view lane);
    /// @unlinked with a reason body: `@nodeNotFound`, `@laneNotFound`, or nothing.
    void unlinked(std::string_view node, std::string_view lane, recon::value const& reason = {});
    /// An event that is never coalesced (command and supply lanes, sync bursts); nothing of
    /// the uplink queued before it is replaced by what is queued after it.
    void event(std::string_view node, std::string_view lane, recon::value const& body);
    /// A value lane's event: once the queue holds coalesce_after_bytes, replaces the uplink's
    /// previous event while that one still waits and nothing of that uplink was queued after it.
    void value_event(std::string_view node, std::string_view lane, recon::value const& body);
    /// A map lane's event: once the queue holds coalesce_after_bytes, an update or remove
    /// replaces the waiting update or remove of the same key (until a clear, take, drop or
    /// synced of that uplink is queued after it).
    void map_event(std::string_view node, std::string_view lane, warp::map_event const& e);

    // The same with the `@event(node, lane) body` frame encoded already (shared_event_frame):
    // a broadcast encodes it once for all its uplinks.
    void event(std::string_view node, std::string_view lane, out_frame frame);
    void value_event(std::string_view node, std::string_view lane, out_frame frame);
    void map_event(
        std::string_view node,
        std::string_view lane,
        warp::map_event const& e,
        out_frame frame);
    /// @authed / @deauthed with a body.
    void auth_reply(envelope_kind kind, recon::value const& body = {});

    // ---- the writer ---------------------------------------------------------------------------
    /// Whether frames wait to be taken.
    bool has_output() const noexcept { return !queue_.empty(); }
    /// Moves every waiting frame to the back of `out`, oldest first (when `out` is empty, the
    /// two vectors swap: no frame is moved).
    void take_output(std::vector<out_frame>& out);
    /// As above, as strings (a shared frame is copied).
    void take_output(std::vector<std::string>& out);
    /// Frames waiting.
    std::size_t queued_frames() const noexcept { return queue_.size(); }
    /// Bytes of the frames waiting.
    std::size_t queued_bytes() const noexcept { return queued_bytes_; }
    /// Events replaced by newer ones so far (coalescing at work).
    std::uint64_t coalesced() const noexcept { return coalesced_; }

private:
    struct uplink_state {
        /// Absolute index of the uplink's last queued frame, and whether it is a value event.
        std::uint64_t last = UINT64_MAX;
        bool last_is_value = false;
        /// Map keys whose update or remove waits, by absolute queue index.
        std::map<recon::value, std::uint64_t> keys;
    };

    uplink_state& state(std::string_view node, std::string_view lane);
    std::uint64_t push(out_frame frame);
    void replace(std::uint64_t index, out_frame frame);
    /// The writer took the `n` waiting frames.
    void taken(std::size_t n);

    server_session_options opts_;
    std::size_t held_memory_ = 0;
    /// take_output() takes every frame at once: a vector (kept with its capacity) is enough.
    std::vector<out_frame> queue_;
    /// Absolute index of queue_.front().
    std::uint64_t first_ = 0;
    std::size_t queued_bytes_ = 0;
    std::uint64_t coalesced_ = 0;
    /// node -> lane -> state; looked up by string_view without allocating.
    std::map<std::string, std::map<std::string, uplink_state, std::less<>>, std::less<>> uplinks_;
    /// The uplinks whose `keys` are not empty.
    std::vector<uplink_state*> keyed_;
    /// The uplink state() found last (map nodes do not move; forgotten when one is erased).
    struct last_uplink {
        std::string_view node;
        std::string_view lane;
        uplink_state* state;
    };
    std::optional<last_uplink> last_;
    std::string scratch_;
};

}  // namespace swim::warp

#endif
