// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_WARP_SERVER_SESSION_HPP
#define SWIM_WARP_SERVER_SESSION_HPP

#include <swim/recon/value.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/uplink_queue.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

/** @file
 * The sans-io server side of one client connection, reader half: what the client asks, and
 * the decisions about it (architecture §3): the connection's table of uplinks, `@link` /
 * `@sync` / `@unlink` / `@command` / `@auth` answered or handed to the agent that serves the
 * lane, the link limit and the auth policy applied, each in O(1). The frames the agents write
 * go through the connection's uplink_queue.
 *
 * | request               | state                 | what happens                                |
 * |-----------------------|-----------------------|---------------------------------------------|
 * | @link, @sync          | refused by the policy | `@unlinked` (no body); no agent is made     |
 * | @link, @sync          | linked                | the agent answers `@linked` again (+ sync)  |
 * | @link, @sync          | at max_links          | `@unlinked ...@tooManyLinks`                |
 * | @link, @sync          | not linked            | directory::open: linked by the agent, or    |
 * |                       |                       | `@unlinked` with `@nodeNotFound`,           |
 * |                       |                       | `@laneNotFound` or the reason it gives      |
 * | @unlink               | linked                | the agent unlinks it (`@unlinked`)          |
 * | @unlink               | not linked            | nothing (no agent is made or asked)         |
 * | @command              | refused by the policy | dropped (a note)                            |
 * | @command              |                       | directory::command; dropped (a note) when   |
 * |                       |                       | no lane takes it                            |
 * | @auth credentials     |                       | directory::authenticate: `@authed` (the     |
 * |                       |                       | credentials become the identity),           |
 * |                       |                       | `@deauthed`, or `@deauthed` then close 1008 |
 * | @deauth               |                       | the identity forgotten, `@deauthed`         |
 * | @event, @linked, ...  |                       | ignored (what a server sends)               |
 */

namespace swim::warp {

/// What a client asked of the server.
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
    std::string_view node;
    std::string_view lane;
    /// prio and rate of @link and @sync (zero when absent).
    link_params params;
    /// command: the body; auth, deauth: the credentials; absent otherwise (not parsed).
    recon::value body;
    /// The memory `body` was counted at while parsed (recon::parse_error::memory).
    std::size_t body_memory = 0;
};

/// Where a request for a lane went.
enum class route_result : std::uint8_t {
    ok,              ///< an agent serves the lane and has the request
    node_not_found,  ///< no route matches the node URI
    lane_not_found,  ///< the node's agent has no such lane
    unavailable      ///< the agent cannot take it now (a limit, a stop); a reason says why
};

/// The answer of directory::open().
struct open_result {
    route_result what = route_result::ok;
    /// ok: the link, now the agent's to answer (`@linked`, the sync).
    std::shared_ptr<uplink> link;
    /// unavailable: the body of the `@unlinked` (text), which says why.
    std::string reason;
};

/// What the auth policy says of `@auth credentials`.
struct auth_answer {
    enum class kind : std::uint8_t {
        authed,    ///< the credentials become the identity; `@authed session`
        deauthed,  ///< the identity is forgotten; `@deauthed`
        forbidden  ///< as deauthed, then the connection closes with 1008
    };
    kind what = kind::authed;
    recon::value session;
};

/** What a connection's session asks of the server: implemented by the I/O layer (the agents,
 * the auth policy, the socket); a table in tests. Called during server_session::on_frame().
 */
class uplink_directory {
public:
    /// The auth policy on `@auth credentials`.
    virtual auth_answer authenticate(recon::value const& credentials) = 0;
    /// The auth policy on a link, sync or command, given the connection's identity (nullopt
    /// when it has none).
    virtual bool allow(uplink_request const& r, std::optional<recon::value> const& identity) = 0;
    /// A new link or sync: find (or start) the agent and its lane, and hand it a new uplink.
    virtual open_result open(uplink_request& r) = 0;
    /// A link or sync of a lane the connection is linked to already: the agent answers
    /// `@linked` again (and syncs). False when the link is stale (its agent is gone): the
    /// session forgets it and opens the lane anew.
    virtual bool reopen(uplink_request& r, std::shared_ptr<uplink> const& link) = 0;
    /// The client unlinked `link`: the agent lets it go and answers `@unlinked`.
    virtual void unlink(std::shared_ptr<uplink> link) = 0;
    /// A command for a lane.
    virtual route_result command(uplink_request& r) = 0;
    /// A frame of the session's own (a refusal, an auth answer) for the client.
    virtual void reply(std::string frame) = 0;
    /// The connection must close with `code` and `reason` once the frames queued now are
    /// written (a forbidden `@auth`).
    virtual void close_connection(std::uint16_t code, std::string_view reason) = 0;
    /// Something worth a debug log line (a dropped command, a refused link).
    virtual void note(std::string_view what) = 0;

protected:
    ~uplink_directory() = default;
};

/// Options of a server session.
struct server_session_options {
    /// The most memory a body parsed from one frame may take (recon::parse_options::
    /// max_memory), less what the identity holds; more fails the frame with
    /// error::malformed_body and recon::error::value_too_large. Zero: no limit.
    std::size_t max_value_memory = 0;
    /// Links the connection may hold at once; a link beyond is answered
    /// `@unlinked ...@tooManyLinks`. Zero: no limit.
    std::size_t max_links = 0;
    /// Whether the auth policy applies (not for the server's own local links).
    bool check_policy = true;
};

/** One client connection, server side: its uplinks and what it asks.
 *
 * @par Thread safety
 * Not thread safe: its owner serialises every call (the connection's reader).
 *
 * @par Errors
 * on_frame() returns an envelope_error; otherwise only std::bad_alloc. No I/O.
 */
class server_session {
public:
    explicit server_session(server_session_options opts = {}) noexcept
        : opts_(opts)
    {}

    /** Reads a text frame from the client and acts on it (see the file's table), through
     * `dir`.
     * @returns an error for a frame that is not a WARP envelope, or a command, auth or deauth
     * whose body is not valid Recon (error::malformed_body): the I/O layer closes the
     * connection with 1002 and `err.message()` as the reason, as Rust does; nothing was done.
     */
    envelope_error on_frame(std::string_view frame, uplink_directory& dir);

    /** The server ends `link` on its own (its agent stopped). @returns the link, no longer
     * the connection's, for the agent to let go and answer `@unlinked`; nullptr when the
     * connection no longer holds it (the client unlinked it first: the agent has that
     * unlink). Only this and the client's `@unlink` take a link from the table, and the agent
     * lets a link go only when told by one of them, so the two never disagree.
     */
    std::shared_ptr<uplink> end(uplink const& link);

    /// Every uplink, moved out (the connection ended: the agents must let them go).
    std::vector<std::shared_ptr<uplink>> take_links();

    /// Links held now.
    std::size_t links() const noexcept { return links_.size(); }
    /// The link of `node` / `lane`, or nullptr.
    std::shared_ptr<uplink> find(std::string_view node, std::string_view lane) const;
    /// The identity (the credentials of the last authed `@auth`), nullopt when none.
    std::optional<recon::value> const& identity() const noexcept { return identity_; }

private:
    void on_open(uplink_request& r, uplink_directory& dir);
    void on_auth(uplink_request& r, uplink_directory& dir);
    void refuse(uplink_request const& r, recon::value const& reason, uplink_directory& dir);

    struct key {
        std::string_view node;
        std::string_view lane;
    };
    struct key_hash {
        using is_transparent = void;
        std::size_t operator()(key k) const noexcept;
        std::size_t operator()(std::shared_ptr<uplink> const& u) const noexcept;
    };
    struct key_equal {
        using is_transparent = void;
        bool operator()(key a, std::shared_ptr<uplink> const& b) const noexcept;
        bool operator()(std::shared_ptr<uplink> const& a, key b) const noexcept;
        bool operator()(std::shared_ptr<uplink> const& a, std::shared_ptr<uplink> const& b)
            const noexcept;
    };

    server_session_options opts_;
    std::unordered_set<std::shared_ptr<uplink>, key_hash, key_equal> links_;
    std::optional<recon::value> identity_;
    std::size_t identity_memory_ = 0;
    std::string scratch_;
};

}  // namespace swim::warp

#endif
