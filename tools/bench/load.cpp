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

// N connections x M downlinks: every connection (a client object of its own) opens the same M
// downlinks, to the lanes of M nodes; the server pushes (pump or burst of each value lane,
// fill of each map lane) or a setter sets each value lane in turn at --rate, carrying the
// time it was sent, for the latency of every downlink that receives it.
asio::awaitable<void> load(options const& o, report& r)
{
    auto ex = co_await asio::this_coro::executor;
    auto const n = std::size_t(o.connections);
    auto const m = std::size_t(o.downlinks_each);
    r.param("node", o.node + "-<0.." + std::to_string(m - 1) + ">");
    r.param("connections", std::to_string(n));
    r.param("downlinks_per_connection", std::to_string(m));
    r.param("kind", o.kind);
    r.param("push", o.push);
    bool const map = o.kind == "map";
    auto node = [&](std::size_t j) {
        return o.node + "-" + std::to_string(j);
    };

    std::vector<std::unique_ptr<client::client>> clients;
    std::vector<client::value_downlink<std::int64_t>> values;
    std::vector<client::map_downlink<std::string, std::int64_t>> maps;
    counter got;
    bool counting = false;
    bool timing = false;
    std::vector<double> samples;  // microseconds, rate only
    auto count = [&] {
        if (counting)
            got.add(0);
    };
    double cpu0 = cpu_seconds();
    std::int64_t rss0 = rss_bytes();
    auto t0 = clock_type::now();
    for (std::size_t i = 0; i < n; ++i) {
        clients.push_back(std::make_unique<client::client>(ex, quiet_config()));
        for (std::size_t j = 0; j < m; ++j) {
            if (map) {
                auto d = clients.back()->map_downlink<std::string, std::int64_t>(
                    o.host,
                    node(j),
                    "map");
                d.did_update([&](std::string const&,
                                 std::int64_t const&,
                                 std::optional<std::int64_t> const&) { count(); });
                maps.push_back(std::move(d));
            } else {
                auto d = clients.back()->value_downlink<std::int64_t>(o.host, node(j), "value");
                d.on_event([&](std::int64_t const& v) {
                    count();
                    if (timing && counting)
                        samples.push_back(double(now_ns() - v) / 1e3);
                });
                values.push_back(std::move(d));
            }
        }
    }
    for (auto& d : values)
        co_await wait_synced(d, o.timeout, "value downlink");
    for (auto& d : maps)
        co_await wait_synced(d, o.timeout, "map downlink");
    double sync_s = seconds_since(t0);
    double open_cpu = cpu_seconds() - cpu0;

    client::client driver(ex, quiet_config());
    counting = true;
    cpu0 = cpu_seconds();
    auto start = clock_type::now();
    std::int64_t sent = 0;
    if (o.push == "rate") {
        timing = true;
        auto period = std::chrono::duration_cast<clock_type::duration>(
            std::chrono::duration<double>(1.0 / o.rate));
        auto end = start + std::chrono::duration_cast<clock_type::duration>(
                               std::chrono::duration<double>(o.seconds));
        asio::steady_timer t(ex);
        for (std::int64_t i = 0;; ++i) {
            auto at = start + i * period;
            if (at >= end)
                break;
            t.expires_at(at);
            co_await t.async_wait(asio::use_awaitable);
            if (auto ec = driver.command(o.host, node(std::size_t(i) % m), "value", now_ns()))
                throw failure("set: " + ec.message());
            ++sent;
        }
    } else {
        for (std::size_t j = 0; j < m; ++j) {
            std::int64_t arg = o.push == "pump" ? std::int64_t(o.ms) : std::int64_t(o.entries);
            if (auto ec = driver.command(o.host, node(j), o.push, arg))
                throw failure(o.push + " command: " + ec.message());
        }
    }
    // Then until the events stop (after the pump's time, for a pump).
    auto busy_until = start + std::chrono::milliseconds(o.push == "pump" ? o.ms : 0);
    auto quiet = wait_quiet(o, r, busy_until, [&] {
        return got.events ? got.last_at : busy_until;
    });
    co_await std::move(quiet);
    double cpu = cpu_seconds() - cpu0;
    double window = std::chrono::duration<double>(got.last_at - got.first_at).count();
    r.add("downlinks", double(n * m), "downlinks (connections x downlinks each)");
    r.add("sync_all_s", sync_s, "s (open to all synced)");
    r.add("sync_cpu_s", open_cpu, "s of client CPU to open and sync them");
    r.add("events", double(got.events), "events (every downlink's)");
    r.add("events_per_s", window > 0 ? double(got.events) / window : 0, "events/s (first to last)");
    r.add("window_s", window, "s");
    if (o.push == "rate") {
        std::sort(samples.begin(), samples.end());
        r.add("sets", double(sent), "sets");
        r.add("p50_us", percentile(samples, 0.50), "us (set to event, every downlink)");
        r.add("p90_us", percentile(samples, 0.90), "us");
        r.add("p99_us", percentile(samples, 0.99), "us");
        r.add("p99_9_us", percentile(samples, 0.999), "us");
        if (double(samples.size()) < double(sent) * double(n))
            r.notes.push_back(
                std::to_string(
                    std::int64_t(double(sent) * double(n)) - std::int64_t(samples.size())) +
                " of the sets' events did not arrive (value uplinks coalesce)");
    }
    r.add("cpu_s", cpu, "s of client CPU (push to end)");
    r.add("cpu_us_per_event", got.events ? 1e6 * cpu / double(got.events) : 0, "us");
    r.add("rss_mb", rss_bytes() / 1e6, "MB");
    r.add("rss_delta_mb", (rss_bytes() - rss0) / 1e6, "MB (since before opening)");
    if (got.events == 0)
        r.ok = false;
    values.clear();
    maps.clear();
    co_await driver.async_close();
    for (auto& c : clients)
        co_await c->async_close();
}

}  // namespace swim::bench
