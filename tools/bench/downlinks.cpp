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

#include "bench.hpp"

namespace swim::bench {

asio::awaitable<void> downlinks(options const& o, report& r)
{
    auto ex = co_await asio::this_coro::executor;
    r.param("nodes", o.node + "-0 .. " + o.node + "-" + std::to_string(o.count - 1));
    r.param("count", std::to_string(o.count));
    client::client c(ex, quiet_config());
    // Open the connection first (and keep it open with this downlink), so the delta is
    // the downlinks' own.
    auto warm = c.value_downlink<std::int64_t>(o.host, o.node + "-warm", "value");
    co_await wait_synced(warm, o.timeout, "first downlink");
    co_await sleep_for(std::chrono::milliseconds(100));
    std::int64_t rss0 = rss_bytes();
    double cpu0 = cpu_seconds();
    server_probe server(o.server_pid, o.server_heap_cmd);
    server.start();
    auto t0 = clock_type::now();
    std::vector<client::value_downlink<std::int64_t>> dls;
    dls.reserve(std::size_t(o.count));
    for (long i = 0; i < o.count; ++i)
        dls.push_back(
            c.value_downlink<std::int64_t>(o.host, o.node + "-" + std::to_string(i), "value"));
    double open_s = seconds_since(t0);
    long synced = 0;
    bool all = co_await wait_until(
        [&] {
            while (synced < o.count && dls[std::size_t(synced)].is_synced())
                ++synced;
            return synced == o.count;
        },
        o.timeout,
        std::chrono::milliseconds(5));
    double sync_s = seconds_since(t0);
    double cpu = cpu_seconds() - cpu0;
    std::int64_t rss1 = rss_bytes();
    co_await sleep_for(
        std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.idle)));
    std::int64_t rss2 = rss_bytes();
    long closed = 0;
    for (auto& d : dls)
        closed += d.is_closed() ? 1 : 0;
    r.add("synced", double(synced), "downlinks");
    r.add("open_s", open_s, "s (creating the downlinks)");
    r.add("sync_s", sync_s, "s (open to all synced)");
    r.add("cpu_s", cpu, "s (user+sys, open to all synced)");
    r.add("rss_before_mb", rss0 / 1e6, "MB (connection open)");
    r.add("rss_synced_mb", rss1 / 1e6, "MB (all synced)");
    r.add("rss_idle_mb", rss2 / 1e6, "MB (after idle)");
    r.add(
        "bytes_per_downlink",
        double(rss2 - rss0) / double(o.count),
        "B (idle RSS delta / count)");
    if (server.enabled()) {
        std::int64_t srss = server.rss();
        r.add("server_rss_before_mb", server.rss0 / 1e6, "MB (server, connection open)");
        r.add("server_rss_idle_mb", srss / 1e6, "MB (server, after idle)");
        r.add(
            "server_bytes_per_agent_uplink",
            double(srss - server.rss0) / double(o.count),
            "B (server RSS delta / count: one agent and one uplink each)");
        r.add("server_cpu_s", server.cpu(), "s (server user+sys, open to after idle)");
    }
    if (server.has_heap())
        r.add(
            "server_heap_bytes_per_agent_uplink",
            double(server.heap() - server.heap0) / double(o.count),
            "B (server live heap delta / count, --server-heap-cmd)");
    if (!all || closed) {
        r.ok = false;
        r.notes.push_back(
            std::to_string(synced) + " of " + std::to_string(o.count) + " synced, " +
            std::to_string(closed) + " closed");
    }
    if (o.again && server.enabled() && all) {
        // A second connection links the same lanes: the agents exist, so the server's growth
        // is its uplinks' alone.
        client::client c2(ex, quiet_config());
        auto warm2 = c2.value_downlink<std::int64_t>(o.host, o.node + "-warm", "value");
        co_await wait_synced(warm2, o.timeout, "second connection's first downlink");
        co_await sleep_for(std::chrono::milliseconds(100));
        std::int64_t s0 = server.rss();
        auto t2 = clock_type::now();
        std::vector<client::value_downlink<std::int64_t>> dls2;
        dls2.reserve(std::size_t(o.count));
        std::size_t synced2 = 0;
        for (long i = 0; i < o.count; ++i) {
            dls2.push_back(
                c2.value_downlink<std::int64_t>(o.host, o.node + "-" + std::to_string(i), "value"));
            dls2.back().on_synced([&synced2](std::int64_t const&) { ++synced2; });
        }
        bool all2 = co_await wait_until(
            [&] { return synced2 >= std::size_t(o.count); },
            o.timeout,
            std::chrono::milliseconds(5));
        double sync2_s = seconds_since(t2);
        co_await sleep_for(std::chrono::duration_cast<clock_type::duration>(
            std::chrono::duration<double>(o.idle)));
        std::int64_t s1 = server.rss();
        r.add("again_sync_s", sync2_s, "s (second connection, the agents exist: all synced)");
        r.add(
            "server_bytes_per_uplink",
            double(s1 - s0) / double(o.count),
            "B (server RSS delta / count, second connection: one uplink each)");
        if (!all2) {
            r.ok = false;
            r.notes.push_back(
                "second connection: " + std::to_string(synced2) + " of " + std::to_string(o.count) +
                " synced");
        }
        for (auto& d : dls2)
            d.close();
        warm2.close();
        auto closing = c2.async_close();
        co_await std::move(closing);
    }
    auto tc = clock_type::now();
    for (auto& d : dls)
        d.close();
    warm.close();
    co_await c.async_close();
    r.add("close_s", seconds_since(tc), "s (closing them all)");
}

}  // namespace swim::bench
