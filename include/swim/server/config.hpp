// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_CONFIG_HPP
#define SWIM_SERVER_CONFIG_HPP

#include <swim/client/config.hpp>
#include <swim/recon/value.hpp>
#include <swim/server/store.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace swim::server {

/// TLS of a server: serves `wss://` when both files are set (server::start() fails with
/// error::tls_setup when only one is, or when they cannot be loaded).
struct tls_config {
    /// The certificate chain, PEM.
    std::string cert_file;
    /// The private key, PEM.
    std::string key_file;

    /// True when either file is set: the server then uses TLS.
    bool enabled() const noexcept { return !cert_file.empty() || !key_file.empty(); }
};

/// What an auth_policy::on_auth decides about the credentials of an `@auth`.
struct auth_verdict {
    enum class kind : std::uint8_t {
        /// The credentials become the connection's identity; the client gets `@authed`.
        authed,
        /// The connection's identity is forgotten; the client gets `@deauthed`.
        deauthed,
        /// As deauthed, then the connection is closed with 1008 "Unauthorized" once the
        /// `@deauthed` is written; nothing the client sends after the `@auth` is read.
        forbidden
    };
    kind what = kind::authed;
    /// authed: the body of `@authed` (the session, e.g. `@session{id:7}`); absent: none.
    recon::value session;

    static auth_verdict authed(recon::value session = {})
    {
        return {kind::authed, std::move(session)};
    }
    static auth_verdict deauthed() { return {kind::deauthed, {}}; }
    static auth_verdict forbidden() { return {kind::forbidden, {}}; }
};

/// A request of a client that the auth_policy may refuse: a link, sync or command of a lane,
/// or an HTTP request to an HTTP lane.
struct lane_request {
    enum class kind : std::uint8_t {
        link,
        sync,
        command,
        http
    };
    kind what = kind::link;
    std::string_view node;
    std::string_view lane;
    /// http: the method ("GET", "PUT", ...) and the request's headers as sent (HTTP carries
    /// its credentials there, in `Authorization` or a cookie); empty for the others.
    std::string_view method;
    std::span<std::pair<std::string, std::string> const> headers;
};

/// What an auth_policy::on_request decides about a lane_request.
enum class request_verdict : std::uint8_t {
    allow,
    refuse
};

/** Who may do what on a server (as Java SwimOS's authenticators and policies). Both members
 * are optional: an unset one allows everything (every `@auth` is answered `@authed`, every
 * request goes through).
 *
 * A client's `@auth credentials` goes to on_auth; `@deauth` forgets the identity and is
 * answered `@deauthed` without calling it. `@authed` and `@deauthed` are only ever sent in
 * reply to `@auth` or `@deauth`. The identity belongs to one connection: a client that
 * reconnects sends its credentials again (swim::client::client does).
 *
 * Each `@link`, `@sync` and `@command` of a client goes to on_request with the identity the
 * connection has when the request is read (the links already made stay when it changes). A
 * refused link or sync is answered `@unlinked(node:..,lane:..)` with no body and no `@linked`
 * before it; a refused command is dropped (logged at debug level); neither makes an agent.
 * `@unlink` is never checked: it only ends a link the connection holds, and makes no agent.
 * The agents' own downlinks to agents of the same server are not checked.
 *
 * An HTTP request to an HTTP lane on the WARP port goes to on_request too, as kind::http with
 * no identity (HTTP has no `@auth`: its credentials are in the headers the request carries),
 * before any agent is made for it; a refused one is answered 403 and reaches no agent. Files
 * served from server_config::http_root are not checked.
 *
 * Thread safety: both are called on the connections' strands, for many connections at once,
 * so they must be thread safe; they must not block (the connection reads nothing meanwhile).
 * An exception from on_auth counts as deauthed, one from on_request as refuse (both logged at
 * error level).
 */
struct auth_policy {
    /// Given the credentials (the body of `@auth`, absent when it has none): authed, deauthed
    /// or forbidden. Unset: authed without a session.
    std::function<auth_verdict(recon::value const& credentials)> on_auth;
    /// Given the connection's identity (the credentials of its last authed `@auth`; nullopt
    /// when it has none) and a request: allow or refuse. Unset: allow.
    std::function<
        request_verdict(std::optional<recon::value> const& identity, lane_request const& request)>
        on_request;
};

/// Configuration of a server: plain structs, defaults fit for production; copied when the
/// server is made.
struct server_config {
    /// The address to listen on ("0.0.0.0", "::", "127.0.0.1", a host name).
    std::string address = "0.0.0.0";
    /// The port; 0 picks a free one (server::port() tells which).
    std::uint16_t port = 9001;
    /// The largest frame accepted from a client; a larger one closes that connection with
    /// 1009.
    std::size_t max_frame_size = 16 * 1024 * 1024;
    /// The most memory the value of one frame from a client (a command's body, `@auth`
    /// credentials) may take, counted while it is parsed (recon::parse_options::max_memory):
    /// a parsed value can take tens of times its text (`@a@a@a...`). A frame over it closes
    /// that connection with 1009, like a frame over max_frame_size. The credentials a
    /// connection keeps as its identity count against it for its later frames. Zero: no
    /// limit.
    std::size_t max_value_memory = 64 * 1024 * 1024;
    /// Bytes a connection may have waiting before its value and map events coalesce (a
    /// value link keeps only its latest value, a map link the latest event per key): a client
    /// that keeps up gets every event, a slow one the latest state within about this memory.
    std::size_t coalesce_after_bytes = 256 * 1024;
    /// Bytes a connection may have waiting when coalescing cannot shrink them (events of
    /// command lanes, syncs) and its client does not read them: beyond it the waiting frames
    /// are dropped and the connection's socket is closed at once (logged as a warning; our
    /// client then reconnects and resyncs). A sync waits for its client to read (it queues
    /// about 1 MiB ahead of it), so a lane of any size can be synced. Zero: no limit.
    std::size_t max_queued_bytes = 256 * 1024 * 1024;
    /// Bytes all connections together may have waiting (the server's output budget): when
    /// it is spent, the connections furthest behind are closed first, as for
    /// max_queued_bytes, until what waits is within it again; each is logged as a warning
    /// that names it. Zero: no limit.
    std::size_t max_total_queued_bytes = 512 * 1024 * 1024;
    /// Connections served at once; a connection beyond it is closed after the WebSocket
    /// handshake with close code 1013 (try again later) and the reason "Too many connections.".
    std::size_t max_connections = 100000;
    /// Lanes one client connection may be linked to at once (each link costs the server a few
    /// hundred bytes); a `@link` or `@sync` beyond it is answered
    /// `@unlinked(node:..,lane:..)@tooManyLinks` and the connection lives on. The server's own
    /// agent downlinks are not counted. Zero: no limit.
    std::size_t max_links_per_connection = 262144;
    /// Agents live at once. A link or sync that would start one more is answered
    /// `@unlinked(node:..,lane:..)"too many agents"` and a command that would is dropped,
    /// logged once per `limit_log_interval`; agents stopped for idleness
    /// (agent_idle_timeout) make room. Zero: no limit.
    std::size_t max_agents = 262144;
    /** An agent with no link and no activity (no envelope, no change of a lane, no handler
     * run, no open downlink of its own) for this long is stopped: on_stop runs, its lanes'
     * state is kept (in memory) and the next envelope for it starts it again (a new instance,
     * its lanes holding the kept state, on_start). An agent whose lanes never changed is
     * forgotten altogether. Checked every quarter of it, so an agent stops between one and
     * one and a quarter times it. Zero: agents run until the server stops (as Java's);
     * `swim-server` uses 5 minutes.
     */
    std::chrono::milliseconds agent_idle_timeout{0};
    /// Trouble that may repeat fast (max_agents reached, an agent that cannot be made) is
    /// logged at most once per this interval, with the count of what was held back.
    std::chrono::milliseconds limit_log_interval{10000};
    /// Connections in their TLS and WebSocket handshakes at once (they are not counted by
    /// max_connections yet): at the limit the server stops accepting (new connections wait
    /// in the kernel's backlog) until one of them ends, logged once per `accept_log_interval`.
    std::size_t max_handshakes = 512;
    /// When accepting fails (out of descriptors: EMFILE, ENFILE, or memory) the server
    /// retries after 10 ms, doubling up to 500 ms, and logs one line per this interval with
    /// the count of failures; it serves again as soon as an accept succeeds.
    std::chrono::milliseconds accept_log_interval{10000};
    /// Time for the TCP, TLS and WebSocket handshakes of an incoming connection together.
    std::chrono::milliseconds handshake_timeout{30000};
    /// A connection from which nothing (not even a pong) arrives for this long is closed: it
    /// is pinged after half of it in silence, so a client that answers pings stays however
    /// little it says, and a half-open connection is found within it. 90 s, as the Java
    /// server. Zero: never.
    std::chrono::milliseconds idle_timeout{90000};
    /// How long server::async_stop() gives each client to take its last frames (the
    /// `@unlinked` of its links and the close frame, 1001) before its connection is dropped:
    /// a client that does not read cannot hold up the stop.
    std::chrono::milliseconds stop_timeout{1000};
    /** A directory whose files are served on the WARP port (swim-java's documentRoot), to
     * requests that are not a WebSocket upgrade and name no lane (`?lane=`): `index.html` for
     * a directory, a Content-Type by extension, GET and HEAD, 304 on a matching
     * If-None-Match or an If-Modified-Since not older than the file. No path leaves it (`..`,
     * encoded or not, and symlinks out of it are not found). Empty: no files (404).
     */
    std::string http_root;
    /// HTTP requests (to HTTP lanes and files) in flight at once; one more is answered 503.
    /// Zero: no limit.
    std::size_t max_http_requests = 1024;
    /// Time for an HTTP request to be read and answered (408 when it is not), and for the
    /// next request on a kept-alive connection to come.
    std::chrono::milliseconds http_request_timeout{10000};
    /// The largest HTTP request body (413 beyond it).
    std::size_t max_http_body = 1024 * 1024;
    /** Meta lanes (swim-rust's introspection, its naming), linked as any lane and subject to
     * the auth policy like the rest (their node URIs start with `swimos:meta:`):
     * - `swimos:meta:node/<percent-encoded node URI>`, lane `pulse`: `{uplinks:{linkCount,
     *   eventRate, eventCount, commandRate, commandCount}}` of that node's agent, on sync and
     *   every meta_pulse_interval to its links; lane `lanes`: a map of its lane names to
     *   `{laneUri, laneType}` (a sync lists them).
     * - `swimos:meta:mesh`, lane `nodes`: a map of the agents' node URIs to `{nodeUri, live}`.
     * Off in the library; `swim-server` turns them on (`--no-meta`: off).
     */
    bool meta = false;
    std::chrono::milliseconds meta_pulse_interval{5000};
    /// Sets an agent-side downlink may hold before it has handed them to its connection;
    /// beyond it, the handle's set() returns warp::error::queue_full.
    std::size_t downlink_queue_limit = 4096;
    /// Where the agents' state is kept and how durably: in memory by default (kept while an
    /// agent is stopped for idleness, lost with the process); open_rocksdb_store() for a
    /// durable store (see store_config).
    store_config store;
    /// Empty: plain WebSocket (`ws://`, `warp://`).
    tls_config tls;
    /// The client the agents' downlinks to other hosts use (reconnect backoff, TLS trust...).
    client::client_config client;
    /// Where the server's log lines go.
    client::logger log;
    /// Who may authenticate and link; by default everyone (see auth_policy).
    auth_policy auth;
};

}  // namespace swim::server

#endif
