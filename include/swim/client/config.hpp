// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_CONFIG_HPP
#define SWIM_CLIENT_CONFIG_HPP

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace swim::client {

/// Reconnection after a lost connection: jittered exponential backoff (as the JS client).
struct reconnect_config {
    /// The first delay is drawn uniformly from [first_min, first_max].
    std::chrono::milliseconds first_min{500};
    std::chrono::milliseconds first_max{1500};
    /// Each later delay is the previous one times this.
    double multiplier = 1.8;
    /// No delay is longer than this.
    std::chrono::milliseconds max{30000};
};

/// Severity of a log line.
enum class log_level {
    debug,
    info,
    warning,
    error
};

/// Where the client's log lines go; filtered by `level` before any formatting.
struct logger {
    log_level level = log_level::warning;
    /// Receives each line; empty means the lines are dropped.
    std::function<void(log_level, std::string_view)> sink;
    /// Every line reaches the sink as one line of valid UTF-8 however it came from the
    /// network (a node URI, a close reason): control characters become `\n`, `\t`, `\xHH`,
    /// bytes that are not UTF-8 `\xHH`, a backslash `\\`; a longer line is cut at this many
    /// bytes and ends with `...` (at least 16).
    std::size_t max_line = 2048;
};

/// Configuration of a client, shared by all its host connections.
struct client_config {
    /// Limit for connecting, and again for the TLS and WebSocket handshakes (resolving a
    /// name takes the system resolver's own time: Asio cannot cut it off).
    std::chrono::milliseconds connect_timeout{10000};
    /// A connection from which nothing (not even a pong) arrives for this long is lost: it
    /// is pinged after half of it in silence, and closed and replaced once the whole of it
    /// has passed (a half-open connection is found within it). Java servers drop
    /// sockets idle for 90 s, so keep the ping well inside that. Zero disables pings and the
    /// idle check.
    std::chrono::milliseconds idle_timeout{30000};
    /// How long a link whose local writes no event has answered yet must be quiet before it
    /// is verified by a fresh sync (a server drops commands it cannot apply and says
    /// nothing; see the convergence contract of value_downlink and map_downlink). Zero
    /// disables verification.
    std::chrono::milliseconds settle_timeout{2000};
    /// Backoff between reconnection attempts and between relinks of a downlink with
    /// terminate_on_unlinked false.
    reconnect_config reconnect;
    /// Bytes of frames a host connection may hold for writing (sets and commands waiting for
    /// the connection included). Beyond it, set() fails with queue_full and async_set() waits.
    std::size_t max_queued_bytes = 4 * 1024 * 1024;
    /// Verify the server certificate and host name on TLS connections (wss, warps, swims).
    bool verify_peer = true;
    /// Extra CA file (PEM) trusted besides the system's; empty for the system's only.
    std::string ca_file;
    /// The largest frame accepted from a server, in bytes.
    std::size_t max_frame_size = 64 * 1024 * 1024;
    /// The most memory the value of one frame from a server may take, counted while it is
    /// parsed (a parsed value can take tens of times its text): a frame over it closes the
    /// connection with 1009, like a frame over max_frame_size, and the downlinks relink on a
    /// new one. Zero: no limit.
    std::size_t max_value_memory = 256 * 1024 * 1024;
    /// Where log lines go (connection lost, frames rejected, handlers that threw).
    logger log;
};

}  // namespace swim::client

#endif
