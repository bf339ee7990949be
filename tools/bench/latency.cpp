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

asio::awaitable<void> latency(options const& o, report& r)
{
    auto ex = co_await asio::this_coro::executor;
    r.param("node", o.node);
    r.param("rate", json_number(o.rate) + "/s");
    r.param("seconds", json_number(o.seconds));
    r.param("warmup_s", json_number(o.warmup));
    client::client a(ex, quiet_config());
    client::client b(ex, quiet_config());
    std::vector<double> samples;  // microseconds
    samples.reserve(static_cast<std::size_t>(o.rate * o.seconds) + 16);
    std::int64_t record_from = std::numeric_limits<std::int64_t>::max();
    std::int64_t received = 0;
    auto d = b.value_downlink<std::int64_t>(o.host, o.node, "value");
    d.did_set([&](std::int64_t const& v, std::optional<std::int64_t> const&) {
        auto now = now_ns();
        if (v >= record_from) {
            samples.push_back(double(now - v) / 1e3);
            ++received;
        }
    });
    co_await wait_synced(d, o.timeout, "value downlink (client B)");
    // Connect client A before the clock starts.
    if (auto ec = a.command(o.host, o.node, "value", now_ns()))
        throw failure("command: " + ec.message());
    co_await a.async_flush(o.host);

    auto period = std::chrono::duration_cast<clock_type::duration>(
        std::chrono::duration<double>(1.0 / o.rate));
    auto start = clock_type::now();
    auto warm_end = start + std::chrono::duration_cast<clock_type::duration>(
                                std::chrono::duration<double>(o.warmup));
    auto end = warm_end + std::chrono::duration_cast<clock_type::duration>(
                              std::chrono::duration<double>(o.seconds));
    asio::steady_timer t(ex);
    std::int64_t sent = 0;
    double cpu0 = 0;
    std::int64_t rss_before = 0;
    bool recording = false;
    for (std::int64_t i = 0;; ++i) {
        auto at = start + i * period;
        if (at >= end)
            break;
        t.expires_at(at);
        co_await t.async_wait(asio::use_awaitable);
        if (!recording && clock_type::now() >= warm_end) {
            recording = true;
            cpu0 = cpu_seconds();
            rss_before = rss_bytes();
            record_from = now_ns();
        }
        std::int64_t v = now_ns();
        if (recording)
            ++sent;
        if (auto ec = a.command(o.host, o.node, "value", v))
            throw failure("command: " + ec.message());
    }
    co_await wait_until([&] { return received >= sent; }, 1.0);
    double cpu = cpu_seconds() - cpu0;
    std::sort(samples.begin(), samples.end());
    double mean = 0;
    for (double s : samples)
        mean += s;
    mean = samples.empty() ? 0 : mean / double(samples.size());
    r.add("sent", double(sent), "sets");
    r.add("received", double(received), "did_set (samples)");
    r.add("p50_us", percentile(samples, 0.50), "us");
    r.add("p90_us", percentile(samples, 0.90), "us");
    r.add("p99_us", percentile(samples, 0.99), "us");
    r.add("p99_9_us", percentile(samples, 0.999), "us");
    r.add("max_us", samples.empty() ? 0 : samples.back(), "us");
    r.add("mean_us", mean, "us");
    r.add("cpu_pct", 100 * cpu / o.seconds, "% of one core (both clients)");
    r.add("rss_mb", rss_bytes() / 1e6, "MB");
    r.add("rss_growth_mb", (rss_bytes() - rss_before) / 1e6, "MB (during the measurement)");
    r.add("superseded", double(sent - received), "sets (coalesced by the server, no did_set)");
    if (received < sent)
        r.notes.push_back(
            std::to_string(sent - received) +
            " sets superseded before the server wrote them (value uplinks coalesce)");
    if (received == 0)
        r.ok = false;
    d.close();
    co_await a.async_close();
    co_await b.async_close();
}

}  // namespace swim::bench
