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

asio::awaitable<void> map_sync(options const& o, report& r)
{
    auto ex = co_await asio::this_coro::executor;
    r.param("node", o.node);
    r.param("entries", std::to_string(o.entries));
    std::int64_t rss_start = rss_bytes();
    double fill_s = 0;
    {
        // Fill the lane from another connection, then wait for the fill to end: its last
        // update (key n-1 = n-1) reaches a downlink linked without sync. (A marker command
        // after the fill does not do: swim-server's fill yields between batches, and commands
        // run meanwhile.)
        client::client f(ex, quiet_config());
        client::downlink_config cfg;
        cfg.keep_synced = false;
        cfg.events_when_not_synced = true;
        std::int64_t const last = o.entries - 1;
        bool filled = false;
        auto m = f.map_downlink(o.host, o.node, "map", cfg);
        m.did_update(
            [&](recon::value const&, recon::value const& v, std::optional<recon::value> const&) {
                if (auto const* i = v.if_int64(); i && *i == last)
                    filled = true;
            });
        if (!co_await wait_until([&] { return m.is_linked() || m.is_closed(); }, o.timeout))
            throw failure("filler's map downlink: not linked within the timeout");
        if (m.is_closed())
            throw failure("filler's map downlink: link ended: " + m.reason());
        auto t = clock_type::now();
        f.command(o.host, o.node, "fill", std::int64_t(o.entries));
        if (!co_await wait_until([&] { return filled; }, o.timeout, std::chrono::milliseconds(2)))
            throw failure("fill did not end within the timeout");
        fill_s = seconds_since(t);
        m.close();
        co_await f.async_close();
    }
    std::int64_t rss_before = rss_bytes();
    double cpu0 = cpu_seconds();
    server_probe probe(o.server_pid);
    probe.start();
    auto server_figures = [&] {
        if (probe.enabled())
            r.add("server_cpu_s", probe.cpu(), "s (server CPU, open to synced)");
    };
    if (o.raw) {
        // A bare WebSocket: the time is the server's (it frames and counts, nothing more).
        auto target = co_await resolve(o.host);
        bool const counting = true;
        std::size_t running = 0;
        std::vector<std::unique_ptr<raw_link>> links;
        auto t0 = clock_type::now();
        spawn_raw_link(ex, target, o.node, links, counting, running, "map");
        auto& l = *links.back();
        bool done = co_await wait_until([&] { return l.synced || l.ended; }, o.timeout);
        double sync_s = seconds_since(t0);
        server_figures();
        std::size_t size = std::size_t(l.c.events);
        r.add("sync_s", sync_s, "s (connect to @synced, bare WebSocket)");
        r.add("entries_per_s", size / sync_s, "entries/s");
        r.add("size", double(size), "entries");
        r.add("cpu_s", cpu_seconds() - cpu0, "s (this process, user+sys)");
        r.add("fill_s", fill_s, "s (server fill, seen from the filler)");
        if (!done || !l.synced) {
            r.ok = false;
            r.notes.push_back("not synced: " + (l.error.empty() ? "timeout" : l.error));
        } else if (size != std::size_t(o.entries)) {
            r.ok = false;
            r.notes.push_back("synced map has " + std::to_string(size) + " entries");
        }
        co_await close_raw_links(links, running);
    } else {
        client::client c(ex, quiet_config());
        auto t0 = clock_type::now();
        auto m = c.map_downlink(o.host, o.node, "map");
        co_await wait_synced(m, o.timeout, "map downlink");
        double sync_s = seconds_since(t0);
        double cpu = cpu_seconds() - cpu0;
        server_figures();
        std::size_t size = m.size();
        std::int64_t rss_after = rss_bytes();
        r.add("sync_s", sync_s, "s (open to synced, connect included)");
        r.add("entries_per_s", size / sync_s, "entries/s");
        r.add("size", double(size), "entries");
        r.add("rss_mb", rss_after / 1e6, "MB (after sync)");
        r.add("rss_delta_mb", (rss_after - rss_before) / 1e6, "MB (after sync - before open)");
        r.add("rss_start_mb", rss_start / 1e6, "MB (at start)");
        r.add("cpu_s", cpu, "s (user+sys, open to synced)");
        r.add("fill_s", fill_s, "s (server fill, seen from the filler)");
        if (size != std::size_t(o.entries)) {
            r.ok = false;
            r.notes.push_back("synced map has " + std::to_string(size) + " entries");
        }
        m.close();
        co_await c.async_close();
    }
    client::client c(ex, quiet_config());
    c.command(o.host, o.node, "clear");
    co_await c.async_close();
}

}  // namespace swim::bench
