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

asio::awaitable<void> fanout(options const& o, report& r)
{
    auto ex = co_await asio::this_coro::executor;
    r.param("node", o.node);
    r.param("clients", std::to_string(o.clients));
    r.param("pump_ms", std::to_string(o.ms));
    r.param("receiver", o.raw ? "bare WebSocket (--raw)" : "swim client");
    auto const n = std::size_t(o.clients);
    std::vector<counter> counts(n);
    std::vector<std::unique_ptr<client::client>> clients;
    std::vector<client::value_downlink<std::int64_t>> dls;
    std::vector<std::unique_ptr<raw_link>> links;
    std::size_t running = 0;
    bool counting = false;
    auto t_open = clock_type::now();
    // The pump's command goes on a connection of its own (it holds no downlink).
    client::client commander(ex, quiet_config());
    raw_target target;  // (the links' coroutines refer to it)
    if (o.raw) {
        auto resolving = resolve(o.host);
        target = co_await std::move(resolving);
        for (std::size_t i = 0; i < n; ++i)
            spawn_raw_link(ex, target, o.node, links, counting, running);
        bool ok = co_await wait_until(
            [&] {
                return std::all_of(links.begin(), links.end(), [](auto const& l) {
                    return l->synced || l->ended;
                });
            },
            o.timeout);
        for (auto const& l : links)
            if (!ok || l->ended)
                throw failure("raw link: not synced: " + (ok ? l->error : "timeout"));
    } else {
        clients.reserve(n);
        dls.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            clients.push_back(std::make_unique<client::client>(ex, quiet_config()));
            dls.push_back(clients.back()->value_downlink<std::int64_t>(o.host, o.node, "value"));
            dls.back().on_event([&counting, &c = counts[i]](std::int64_t const& v) {
                if (!counting)
                    return;
                auto now = clock_type::now();
                if (c.events == 0)
                    c.first_at = now;
                ++c.events;
                c.last = v;
                c.last_at = now;
            });
        }
        for (auto& d : dls)
            co_await wait_synced(d, o.timeout, "value downlink");
    }
    // Connect the commander before the clock starts.
    if (auto ec = commander.command(o.host, o.node, "value", std::int64_t(0)))
        throw failure("command: " + ec.message());
    {
        auto flushing = commander.async_flush(o.host);
        co_await std::move(flushing);
    }
    double open_s = seconds_since(t_open);
    co_await sleep_for(std::chrono::milliseconds(100));
    counting = true;
    server_probe server(o.server_pid);
    server.start();
    double cpu0 = cpu_seconds();
    auto t0 = clock_type::now();
    if (auto ec = commander.command(o.host, o.node, "pump", std::int64_t(o.ms)))
        throw failure("pump command: " + ec.message());
    auto pump_end = t0 + std::chrono::milliseconds(o.ms);
    auto current = [&]() -> std::vector<counter> const& {
        if (o.raw)
            for (std::size_t i = 0; i < n; ++i)
                counts[i] = links[i]->c;
        return counts;
    };
    auto quiet = wait_quiet(o, r, pump_end, [&] {
        auto since = pump_end;
        for (auto const& c : current())
            if (c.events)
                since = std::max(since, c.last_at);
        return since;
    });
    co_await std::move(quiet);
    double cpu = cpu_seconds() - cpu0;
    double server_cpu = server.cpu();
    std::int64_t total = 0, last = 0;
    std::int64_t min_events = std::numeric_limits<std::int64_t>::max(), max_events = 0;
    double min_rate = std::numeric_limits<double>::max(), max_rate = 0;
    clock_type::time_point first_at = clock_type::time_point::max(), last_at{};
    std::size_t silent = 0;
    for (auto const& c : current()) {
        total += c.events;
        last = std::max(last, c.last);
        min_events = std::min(min_events, c.events);
        max_events = std::max(max_events, c.events);
        if (!c.events) {
            ++silent;
            min_rate = 0;
            continue;
        }
        first_at = std::min(first_at, c.first_at);
        last_at = std::max(last_at, c.last_at);
        double w = std::chrono::duration<double>(c.last_at - c.first_at).count();
        double rate = w > 0 ? double(c.events) / w : 0;
        min_rate = std::min(min_rate, rate);
        max_rate = std::max(max_rate, rate);
    }
    double window = total ? std::chrono::duration<double>(last_at - first_at).count() : 0;
    r.add("events", double(total), "events (all clients)");
    r.add("events_per_s", window > 0 ? double(total) / window : 0, "events/s (all clients)");
    r.add("window_s", window, "s (first to last event of any client)");
    r.add("client_events_min", double(min_events), "events (one client)");
    r.add("client_events_max", double(max_events), "events (one client)");
    r.add("client_events_per_s_min", min_rate, "events/s (one client, its own window)");
    r.add("client_events_per_s_max", max_rate, "events/s (one client, its own window)");
    r.add("last_value", double(last), "");
    r.add("pump_rate", double(last) / (double(o.ms) / 1000.0), "values/s (last value / pump time)");
    r.add(
        "delivered_fraction",
        last > 0 ? double(total) / (double(last) * double(n)) : 0,
        "events / (last value x clients)");
    r.add("open_s", open_s, "s (connect and sync all)");
    r.add("cpu_s", cpu, "s (this process, user+sys, command to end)");
    r.add("rss_mb", rss_bytes() / 1e6, "MB");
    if (server.enabled()) {
        r.add("server_cpu_s", server_cpu, "s (server user+sys, command to end)");
        r.add(
            "server_cpu_us_per_event",
            total ? 1e6 * server_cpu / double(total) : 0,
            "us (server CPU / events delivered)");
        r.add("server_rss_mb", server.rss() / 1e6, "MB (server, after the pump)");
    }
    if (silent) {
        r.ok = false;
        r.notes.push_back(std::to_string(silent) + " clients received no event");
    }
    for (auto& d : dls)
        d.close();
    for (auto& c : clients) {
        auto closing = c->async_close();
        co_await std::move(closing);
    }
    {
        auto closing = close_raw_links(links, running);
        co_await std::move(closing);
    }
    auto closing = commander.async_close();
    co_await std::move(closing);
}

}  // namespace swim::bench
