// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_CONFIG_HPP
#define SWIM_SERVER_CONFIG_HPP

#include <swim/client/config.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

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
    /// Bytes a connection may have waiting before its value and map events coalesce (a
    /// value link keeps only its latest value, a map link the latest event per key): a client
    /// that keeps up gets every event, a slow one the latest state within about this memory.
    std::size_t coalesce_after_bytes = 256 * 1024;
    /// Connections served at once; a connection beyond it is closed after the WebSocket
    /// handshake with close code 1013 (try again later) and the reason "Too many connections.".
    std::size_t max_connections = 100000;
    /// Time for the TCP, TLS and WebSocket handshakes of an incoming connection together.
    std::chrono::milliseconds handshake_timeout{30000};
    /// A connection silent for this long is pinged; one that answers nothing for as long
    /// again is closed. Zero: never (as the Rust server).
    std::chrono::milliseconds idle_timeout{0};
    /// Sets an agent-side downlink may hold before it has handed them to its connection;
    /// beyond it, the handle's set() returns warp::error::queue_full.
    std::size_t downlink_queue_limit = 4096;
    /// Empty: plain WebSocket (`ws://`, `warp://`).
    tls_config tls;
    /// The client the agents' downlinks to other hosts use (reconnect backoff, TLS trust...).
    client::client_config client;
    /// Where the server's log lines go.
    client::logger log;
};

}  // namespace swim::server

#endif
