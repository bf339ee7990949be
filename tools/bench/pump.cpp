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

asio::awaitable<void> pump(options const& o, report& r)
{
    auto ex = co_await asio::this_coro::executor;
    r.param("node", o.node);
    r.param("pump_ms", std::to_string(o.ms));
    client::client c(ex, quiet_config());
    std::int64_t events = 0;
    std::int64_t last = 0;
    bool counting = false;
    clock_type::time_point first_at{}, last_at{};
    auto d = c.value_downlink<std::int64_t>(o.host, o.node, "value");
    d.on_event([&](std::int64_t const& v) {
        if (!counting)
            return;
        auto now = clock_type::now();
        if (events == 0)
            first_at = now;
        ++events;
        last = v;
        last_at = now;
    });
    co_await wait_synced(d, o.timeout, "value downlink");
    counting = true;
    double cpu0 = cpu_seconds();
    auto t0 = clock_type::now();
    if (auto ec = c.command(o.host, o.node, "pump", std::int64_t(o.ms)))
        throw failure("pump command: " + ec.message());
    // The pump runs o.ms on the server; then wait for the events to stop.
    auto busy_until = t0 + std::chrono::milliseconds(o.ms);
    auto quiet = wait_quiet(o, r, busy_until, [&] { return events ? last_at : busy_until; });
    co_await std::move(quiet);
    double cpu = cpu_seconds() - cpu0;
    double window = std::chrono::duration<double>(last_at - first_at).count();
    double since_command = std::chrono::duration<double>(last_at - t0).count();
    r.add("events", double(events), "events");
    r.add("events_per_s", window > 0 ? events / window : 0, "events/s");
    r.add("window_s", window, "s (first to last event)");
    r.add("last_value", double(last), "");
    r.add("pump_rate", double(last) / (o.ms / 1000.0), "values/s (last value / pump time)");
    r.add(
        "delivered_fraction",
        last > 0 ? double(events) / double(last) : 0,
        "events / last value");
    r.add("last_event_after_s", events ? since_command : 0, "s after the command");
    r.add("cpu_s", cpu, "s (user+sys, command to end)");
    r.add("rss_mb", rss_bytes() / 1e6, "MB");
    d.close();
    co_await c.async_close();
}

}  // namespace swim::bench
