// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/client/client.hpp>
#include <swim/version.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../bare_ws.hpp"
#include "bench.hpp"

namespace swim::bench {

asio::awaitable<void> connections(options const& o, report& r)
{
    auto ex = co_await asio::this_coro::executor;
    r.param("node", o.node);
    r.param("count", std::to_string(o.count));
    r.param("parallel", std::to_string(o.parallel));
    r.param(
        "receiver",
        o.raw          ? "bare WebSocket (--raw)"
        : o.one_client ? "one swim client, a host per connection (--one-client)"
                       : "swim client");
    // --one-client: the i-th connection goes to 127.0.x.y, a host of its own.
    std::string host_port;
    if (o.one_client) {
        std::string_view const loopback = "warp://127.0.0.1:";
        if (o.host.rfind(loopback, 0) != 0)
            throw bad_arguments("--one-client needs HOST warp://127.0.0.1:PORT");
        host_port = o.host.substr(loopback.size());
    }
    auto host_of = [&](std::size_t i) {
        if (!o.one_client)
            return o.host;
        return "warp://127.0." + std::to_string(1 + i / 250) + "." + std::to_string(1 + i % 250) +
               ":" + host_port;
    };
    std::unique_ptr<client::client> shared;
    auto const n = std::size_t(o.count);
    std::vector<std::unique_ptr<raw_link>> links;
    std::size_t running = 0;
    bool const counting = false;
    raw_target target;
    if (o.raw) {
        auto resolving = resolve(o.host);
        target = co_await std::move(resolving);
        links.reserve(n);
    }
    // The agent and its lane exist before the measurement: the delta is the connections'.
    client::client first(ex, quiet_config());
    auto warm = first.value_downlink<std::int64_t>(o.host, o.node, "value");
    co_await wait_synced(warm, o.timeout, "first downlink");
    co_await sleep_for(std::chrono::milliseconds(100));
    server_probe server(o.server_pid, o.server_heap_cmd);
    server.start();
    std::int64_t rss0 = rss_bytes();
    double cpu0 = cpu_seconds();
    std::vector<std::unique_ptr<client::client>> clients;
    std::vector<client::value_downlink<std::int64_t>> dls;
    clients.reserve(n);
    dls.reserve(n);
    std::size_t synced = 0;
    auto t0 = clock_type::now();
    auto deadline = t0 + std::chrono::duration_cast<clock_type::duration>(
                             std::chrono::duration<double>(o.timeout));
    bool all = true;
    for (std::size_t i = 0; i < n; ++i) {
        // At most --parallel connections in their handshake at a time: a burst of thousands of
        // SYNs overflows the listen backlog and costs retransmits (1 s and more each).
        while (i - synced >= std::size_t(o.parallel) && clock_type::now() < deadline)
            co_await sleep_for(std::chrono::milliseconds(1));
        if (clock_type::now() >= deadline) {
            all = false;
            break;
        }
        if (o.raw) {
            spawn_raw_link(ex, target, o.node, links, counting, running);
            links.back()->synced_count = &synced;
            continue;
        }
        client::client* c = nullptr;
        if (o.one_client) {
            if (!shared)
                shared = std::make_unique<client::client>(ex, quiet_config());
            c = shared.get();
        } else {
            clients.push_back(std::make_unique<client::client>(ex, quiet_config()));
            c = clients.back().get();
        }
        dls.push_back(c->value_downlink<std::int64_t>(host_of(i), o.node, "value"));
        dls.back().on_synced([&synced](std::int64_t const&) { ++synced; });
    }
    double open_s = seconds_since(t0);
    if (all) {
        auto left = std::chrono::duration<double>(deadline - clock_type::now()).count();
        all = co_await wait_until(
            [&] { return synced >= n; },
            std::max(left, 0.0),
            std::chrono::milliseconds(5));
    }
    double sync_s = seconds_since(t0);
    double cpu = cpu_seconds() - cpu0;
    std::int64_t rss1 = rss_bytes();
    std::int64_t srss1 = server.rss();
    double server_cpu = server.cpu();
    co_await sleep_for(
        std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.idle)));
    std::int64_t rss2 = rss_bytes();
    std::int64_t srss2 = server.rss();
    std::int64_t const heap2 = server.heap();  // (after the RSS: a JVM's full GC)
    std::size_t closed = 0;
    for (auto& d : dls)
        closed += d.is_closed() ? 1 : 0;
    std::string first_error;
    for (auto& l : links) {
        closed += l->ended ? 1 : 0;
        if (l->ended && first_error.empty())
            first_error = l->error;
    }
    if (!first_error.empty())
        r.notes.push_back("a connection ended: " + first_error);
    r.add("synced", double(synced), "connections (each one downlink, synced)");
    r.add("open_s", open_s, "s (starting the last connection)");
    r.add("sync_s", sync_s, "s (start to all synced)");
    r.add("connections_per_s", sync_s > 0 ? double(synced) / sync_s : 0, "connections/s");
    r.add("cpu_s", cpu, "s (this process, user+sys, start to all synced)");
    r.add("rss_synced_mb", rss1 / 1e6, "MB (this process, all synced)");
    r.add(
        o.one_client ? "client_bytes_per_host_connection" : "client_bytes_per_connection",
        double(rss2 - rss0) / double(n),
        o.one_client ? "B (this process: idle RSS delta / count; one client, a host connection "
                       "and a downlink each)"
                     : "B (this process: idle RSS delta / count; a client, its connection and "
                       "a downlink each)");
    if (server.enabled()) {
        r.add("server_rss_before_mb", server.rss0 / 1e6, "MB (server, before)");
        r.add("server_rss_synced_mb", srss1 / 1e6, "MB (server, all synced)");
        r.add("server_rss_idle_mb", srss2 / 1e6, "MB (server, after idle)");
        r.add(
            "server_bytes_per_connection",
            double(srss2 - server.rss0) / double(n),
            "B (server idle RSS delta / count: one connection and one uplink each)");
        r.add("server_cpu_s", server_cpu, "s (server user+sys, start to all synced)");
    }
    if (server.has_heap())
        r.add(
            "server_heap_bytes_per_connection",
            double(heap2 - server.heap0) / double(n),
            "B (server live heap delta / count, --server-heap-cmd)");
    if (!all || closed) {
        r.ok = false;
        r.notes.push_back(
            std::to_string(synced) + " of " + std::to_string(n) + " synced, " +
            std::to_string(closed) + " closed");
    }
    auto tc = clock_type::now();
    for (auto& d : dls)
        d.close();
    warm.close();
    for (auto& c : clients) {
        auto closing = c->async_close();
        co_await std::move(closing);
    }
    if (shared) {
        auto closing = shared->async_close();
        co_await std::move(closing);
    }
    {
        auto closing = close_raw_links(links, running);
        co_await std::move(closing);
    }
    auto closing = first.async_close();
    co_await std::move(closing);
    r.add("close_s", seconds_since(tc), "s (closing them all)");
}

}  // namespace swim::bench
