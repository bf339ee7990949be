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

asio::awaitable<void> map_events(options const& o, report& r)
{
    auto ex = co_await asio::this_coro::executor;
    r.param("node", o.node);
    r.param("entries", std::to_string(o.entries));
    client::client c(ex, quiet_config());
    client::downlink_config cfg;
    cfg.keep_synced = false;
    cfg.events_when_not_synced = true;
    std::int64_t updates = 0;
    clock_type::time_point first_at{}, last_at{};
    auto m = c.map_downlink(o.host, o.node, "map", cfg);
    m.did_update([&](recon::value const&, recon::value const&, std::optional<recon::value> const&) {
        auto now = clock_type::now();
        if (updates == 0)
            first_at = now;
        ++updates;
        last_at = now;
    });
    if (!co_await wait_until([&] { return m.is_linked() || m.is_closed(); }, o.timeout))
        throw failure("map downlink: not linked within the timeout");
    if (m.is_closed())
        throw failure("map downlink: link ended: " + m.reason());
    double cpu0 = cpu_seconds();
    auto t0 = clock_type::now();
    c.command(o.host, o.node, "fill", std::int64_t(o.entries));
    bool all = co_await wait_until(
        [&] { return updates >= o.entries; },
        o.timeout,
        std::chrono::milliseconds(2));
    double cpu = cpu_seconds() - cpu0;
    double window = std::chrono::duration<double>(last_at - first_at).count();
    r.add("events", double(updates), "updates");
    r.add("events_per_s", window > 0 ? updates / window : 0, "updates/s (first to last)");
    r.add(
        "total_s",
        std::chrono::duration<double>(last_at - t0).count(),
        "s (command to last update)");
    r.add("cpu_s", cpu, "s (user+sys, command to last update)");
    r.add("cpu_us_per_event", updates ? 1e6 * cpu / updates : 0, "us");
    r.add("rss_mb", rss_bytes() / 1e6, "MB");
    if (!all) {
        r.ok = false;
        r.notes.push_back(
            std::to_string(updates) + " of " + std::to_string(o.entries) +
            " updates within the timeout");
    }
    m.close();
    c.command(o.host, o.node, "clear");
    co_await c.async_close();
}

}  // namespace swim::bench
