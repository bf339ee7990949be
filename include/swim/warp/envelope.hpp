// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_WARP_ENVELOPE_HPP
#define SWIM_WARP_ENVELOPE_HPP

#include <swim/recon/error.hpp>
#include <swim/recon/parser.hpp>
#include <swim/recon/value.hpp>
#include <swim/warp/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

/** @file
 * WARP envelopes (`warp-protocol.md` §2): the twelve message kinds, a reader that keeps the
 * body as raw text (so routing a frame costs no body parse), and a writer of the canonical
 * form `@tag(node:<uri>,lane:<uri>[,prio:<n>][,rate:<n>])[ body]`.
 *
 * @par Errors
 * Readers return an envelope_error; writers of a body value throw boost::system::system_error
 * (recon::error::non_finite_float) when it holds a NaN or an infinity. No I/O.
 *
 * @par Thread safety
 * Free functions without shared state: reentrant.
 */

namespace swim::warp {

/// The twelve WARP envelope kinds.
enum class envelope_kind : std::uint8_t {
    event,
    command,
    link,
    linked,
    sync,
    synced,
    unlink,
    unlinked,
    auth,
    authed,
    deauth,
    deauthed,
};

/// The wire tag of a kind: "event", "command", ...
std::string_view to_string(envelope_kind k) noexcept;

/// True for the kinds addressed to a lane (all but auth, authed, deauth, deauthed).
constexpr bool is_lane_addressed(envelope_kind k) noexcept
{
    return k < envelope_kind::auth;
}

/// True for the kinds that carry prio and rate (link, linked, sync).
constexpr bool has_link_params(envelope_kind k) noexcept
{
    return k == envelope_kind::link || k == envelope_kind::linked || k == envelope_kind::sync;
}

/** A decoded envelope whose strings point into the frame (or into a scratch buffer when the
 * node or lane had escapes). Valid while both are alive and unchanged.
 */
struct envelope_view {
    envelope_kind kind = envelope_kind::event;
    /// The node and lane URIs, unescaped (empty for host-addressed kinds).
    std::string_view node;
    std::string_view lane;
    /// prio and rate headers (zero when absent).
    double prio = 0;
    double rate = 0;
    /// The body exactly as written, leading spaces removed. Empty when there is none.
    std::string_view body;

    /// Parses the body as one Recon value (empty text gives absent); `err` as recon::parse(),
    /// its offset relative to the body.
    recon::value parse_body(recon::parse_error& err, recon::parse_options const& opts = {}) const;
};

/// What went wrong reading an envelope: a WARP error, and the Recon error beneath it if any.
struct envelope_error {
    /// A swim::warp::error; empty on success.
    boost::system::error_code code;
    /// The Recon parse error of a malformed header or body.
    recon::parse_error recon;
    /// What was found, when it helps: the unknown tag, or the start of a frame that is not
    /// an envelope.
    std::string detail;

    /// True on failure.
    explicit operator bool() const noexcept { return static_cast<bool>(code); }
    /// A one-line reason, such as "malformed envelope header: unterminated string at 17" or
    /// "unknown envelope tag: bogus".
    std::string message() const;
};

/** Reads one envelope from a text frame.
 *
 * Accepts everything the Java, JS and Rust writers produce (§2.8): leading whitespace, a
 * quoted tag, named or positional node/lane headers, unknown header slots (ignored), markup
 * in the body. Requires node and lane (as text) on lane-addressed envelopes. The body is not
 * parsed: call envelope_view::parse_body() when it is needed. Only the header is parsed, and
 * without allocating unless a node or lane has escapes.
 *
 * @param frame   the text of one WebSocket frame
 * @param out     the envelope; its views point into `frame` or `scratch`
 * @param scratch storage for unescaped node/lane text; reused across calls
 * @returns an empty error on success
 */
envelope_error read_envelope(std::string_view frame, envelope_view& out, std::string& scratch);

/// Link parameters of @link, @sync and @linked: written only when nonzero.
struct link_params {
    /// The `prio` header.
    double prio = 0;
    /// The `rate` header.
    double rate = 0;
};

/** Appends an envelope to `out` in the canonical form, with `body_text` (Recon text, as
 * produced by recon::write, or a body read from another frame) after it: nothing when empty,
 * directly when it starts with `@`, else after one space (the Rust layout every
 * implementation reads). prio and rate are written only on link, linked and sync, and only
 * when nonzero.
 */
void write_envelope_text(
    envelope_kind kind,
    std::string_view node,
    std::string_view lane,
    std::string_view body_text,
    std::string& out,
    link_params params = {});

/// As above with a body value, written by recon::write. Absent and extant give no body.
/// @throws boost::system::system_error when the body holds a non-finite float.
void write_envelope(
    envelope_kind kind,
    std::string_view node,
    std::string_view lane,
    recon::value const& body,
    std::string& out,
    link_params params = {});

/// Appends a host-addressed envelope (auth, authed, deauth, deauthed) with `body_text`
/// (Recon text) as its body.
void write_host_envelope(envelope_kind kind, std::string_view body_text, std::string& out);

/// An envelope that owns its data, with a parsed body.
struct envelope {
    envelope_kind kind = envelope_kind::event;
    /// The node and lane URIs (empty for host-addressed kinds).
    std::string node;
    std::string lane;
    /// prio and rate headers (zero when absent).
    double prio = 0;
    double rate = 0;
    /// The parsed body (absent when there is none).
    recon::value body;

    friend bool operator==(envelope const&, envelope const&) = default;
};

/// Reads an envelope and parses its body: errors as read_envelope(), and
/// error::malformed_body (with the Recon error, its offset relative to the frame) when the
/// body is not valid Recon. `out` is written only on success.
envelope_error parse_envelope(std::string_view frame, envelope& out);

/// The canonical text of an envelope; throws boost::system::system_error when the body holds
/// a non-finite float.
std::string to_string(envelope const& e);

}  // namespace swim::warp

#endif
