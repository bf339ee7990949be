// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_WARP_UPLINK_QUEUE_HPP
#define SWIM_WARP_UPLINK_QUEUE_HPP

#include <swim/recon/value.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/map_event.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

/** @file
 * The sans-io server side of one client connection, writer half: the frames to send it,
 * queued with per-uplink coalescing so a slow client cannot make the server's memory grow
 * without bound: a value uplink keeps only its latest event, a map uplink the latest event
 * per key (architecture §3, issue 4).
 */

namespace swim::warp {

namespace detail {
class key_index;

/// A short frame's text, held in place.
struct short_text {
    static constexpr std::size_t capacity = 86;
    std::uint8_t size = 0;
    char data[capacity];
};
}  // namespace detail

/** A frame for the writer: text of its own (held in place when short, as most replies and
 * events are: a burst of syncs allocates no string per frame), or one long text shared by
 * every uplink of a broadcast (encoded once for all of them, not once per uplink).
 */
class out_frame {
public:
    /// The longest text held in place.
    static constexpr std::size_t inline_capacity = detail::short_text::capacity;

    out_frame() = default;
    /// A copy of `text`.
    explicit out_frame(std::string_view text);
    explicit out_frame(std::string text) noexcept
        : text_(std::move(text))
    {}
    /// `text`, held in place when short (copied), else taken.
    static out_frame of(std::string&& text);
    explicit out_frame(std::shared_ptr<std::string const> text) noexcept
        : text_(std::move(text))
    {}

    std::string_view view() const noexcept
    {
        if (auto const* s = std::get_if<detail::short_text>(&text_))
            return {s->data, s->size};
        if (auto const* own = std::get_if<std::string>(&text_))
            return *own;
        return **std::get_if<std::shared_ptr<std::string const>>(&text_);
    }
    std::size_t size() const noexcept { return view().size(); }
    /// Frees the text held outside the frame, if any (the frame is empty after it); a short
    /// text held in place stays.
    void release() noexcept
    {
        if (text_.index() != 0)
            text_ = detail::short_text{};
    }
    /// The text: moved out when it is the frame's own string, copied otherwise.
    std::string take();

private:
    std::variant<detail::short_text, std::string, std::shared_ptr<std::string const>> text_;
};

/// `@event(node, lane) body`, encoded once for a broadcast to many uplinks (a short one is
/// held in place, copied to each).
out_frame shared_event_frame(
    std::string_view node,
    std::string_view lane,
    recon::value const& body);
/// The same for a map lane's event.
out_frame shared_event_frame(std::string_view node, std::string_view lane, map_event const& e);

/** One link of a client connection to a lane: made when the link opens, held by the
 * connection's server_session and by the lane that serves it. Its coalescing state belongs to
 * the connection's uplink_queue (touched only under whatever serialises the queue). The
 * server derives from it for what its lanes keep per link.
 */
class uplink {
public:
    uplink();
    virtual ~uplink();
    uplink(uplink const&) = delete;
    uplink& operator=(uplink const&) = delete;

    /// The node URI and the lane URI (owned_uplink keeps copies; the server's point into the
    /// agent that serves the lane).
    virtual std::string_view node() const noexcept = 0;
    virtual std::string_view lane() const noexcept = 0;

    /// Slots of the uplink's index of waiting map keys (0 without one): the memory its
    /// coalescing holds, about 56 bytes a slot.
    std::size_t key_index_slots() const noexcept;
    /// A key index goes at the take after this many takes of the connection's queue in a row
    /// that found it empty (the uplink kept up, or its lane was quiet).
    static constexpr std::uint8_t max_idle_takes = 16;

private:
    friend class uplink_queue;

    /// Absolute index of the uplink's last queued frame.
    std::uint64_t last_ = UINT64_MAX;
    /// Map keys whose update or remove waits, by absolute queue index (made when needed).
    std::unique_ptr<detail::key_index> keys_;
    /// Absolute index from which the uplink's frames may be replaced: nothing before its last
    /// @synced, clear, take, drop or uncoalesced event is.
    std::uint64_t barrier_ = 0;
    /// (Last: a derived class's small members fill the padding after them.)
    bool last_is_value_ = false;
    /// Takes of the queue in a row that found the key index empty (see max_idle_takes).
    std::uint8_t idle_takes_ = 0;
};

/// An uplink that keeps its own copy of its node and lane URIs.
class owned_uplink final : public uplink {
public:
    owned_uplink(std::string_view node, std::string_view lane)
        : text_(std::string(node).append(lane))
        , node_size_(node.size())
    {}
    std::string_view node() const noexcept override
    {
        return std::string_view(text_).substr(0, node_size_);
    }
    std::string_view lane() const noexcept override
    {
        return std::string_view(text_).substr(node_size_);
    }

private:
    std::string text_;
    std::size_t node_size_;
};

/// Options of an uplink queue.
struct uplink_queue_options {
    /// Events are only coalesced once this many bytes wait: a client that keeps up gets every
    /// event, one that falls behind gets the latest value (per key for maps) with at most
    /// about this much queued. Zero coalesces whatever waits.
    std::size_t coalesce_after_bytes = 0;
};

/** The frames waiting for one client connection.
 *
 * @par Thread safety
 * Not thread safe: its owner serialises every call (the server: under the connection's lock,
 * from the agents' strands and the writer).
 *
 * @par Errors
 * The frame writers throw boost::system::system_error (recon::error::non_finite_float) when a
 * body holds a NaN or an infinity; otherwise they only throw std::bad_alloc.
 */
class uplink_queue {
public:
    explicit uplink_queue(uplink_queue_options opts = {}) noexcept
        : opts_(opts)
    {}

    // ---- frames to the client ---------------------------------------------------------------
    // Each appends one frame.

    /// @linked, with the link's prio and rate (written when nonzero).
    void linked(uplink& up, link_params params = {});
    /// @synced, after the lane's state (sent with event()).
    void synced(uplink& up);
    /// @unlinked of `up`, with a reason body (`@laneNotFound`, or nothing): the uplink is gone,
    /// nothing queued later coalesces with what it had.
    void unlinked(uplink& up, recon::value const& reason = {});
    /// A frame of no uplink's (a refusal, an auth answer).
    void push_frame(std::string frame);
    /// An event that is never coalesced (command lanes, sync bursts); nothing of the uplink
    /// queued before it is replaced by what is queued after it.
    void event(uplink& up, recon::value const& body);
    /// A value lane's event: once the queue holds coalesce_after_bytes, replaces the uplink's
    /// previous event while that one still waits and nothing of that uplink was queued after it.
    void value_event(uplink& up, recon::value const& body);
    /// A map lane's event: once the queue holds coalesce_after_bytes, an update or remove
    /// replaces the waiting update or remove of the same key (until a clear, take, drop or
    /// synced of that uplink is queued after it).
    void map_event(uplink& up, warp::map_event const& e);

    // The same with the `@event(node, lane) body` frame encoded already (shared_event_frame):
    // a broadcast encodes it once for all its uplinks.
    void event(uplink& up, out_frame frame);
    void value_event(uplink& up, out_frame frame);
    void map_event(uplink& up, warp::map_event const& e, out_frame frame);

    // ---- the writer ---------------------------------------------------------------------------
    /// Whether frames wait to be taken.
    bool has_output() const noexcept { return !queue_.empty(); }
    /// Moves every waiting frame to the back of `out`, oldest first (when `out` is empty, the
    /// two vectors swap: no frame is moved).
    void take_output(std::vector<out_frame>& out);
    /// Lets every uplink's key index go, while the uplinks are still there: call it when the
    /// connection takes no more output (its uplinks may then go without unlinked()).
    void drop_keys() noexcept;
    /// As above, as strings (a shared frame is copied).
    void take_output(std::vector<std::string>& out);
    /// Frames waiting.
    std::size_t queued_frames() const noexcept { return queue_.size(); }
    /// Bytes of the frames waiting.
    std::size_t queued_bytes() const noexcept { return queued_bytes_; }
    /// Events replaced by newer ones so far (coalescing at work).
    std::uint64_t coalesced() const noexcept { return coalesced_; }

private:
    std::uint64_t push(out_frame frame);

    void replace(std::uint64_t index, out_frame frame);
    /// Nothing of `up` queued so far is replaced by what is queued after this.
    void unkey(uplink& up);
    /// Lets the key index of `up` go (the uplink is gone).
    void unindex(uplink& up);
    /// The writer took the `n` waiting frames.
    void taken(std::size_t n);

    uplink_queue_options opts_;
    /// take_output() takes every frame at once: a vector (kept with its capacity) is enough.
    std::vector<out_frame> queue_;
    /// Absolute index of queue_.front().
    std::uint64_t first_ = 0;
    std::size_t queued_bytes_ = 0;
    std::uint64_t coalesced_ = 0;
    /// The uplinks that hold a key index (each once).
    std::vector<uplink*> keyed_;
};

}  // namespace swim::warp

#endif
