// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// swim-bench: client-side benchmarks against any WARP host that serves the demo plan's
// /unit/:id agents (value lane `value` int, map lane `map` string -> int, commands `fill n`,
// `clear`, `burst n`, `pump ms`).
//
//   swim-bench HOST pump      [--node N] [--ms 2000] [--quiet-ms 300]
//   swim-bench HOST latency   [--node N] [--rate 1000] [--seconds 5] [--warmup 0.5]
//   swim-bench HOST map-sync  [--node N] [--entries 100000]
//   swim-bench HOST map-events [--node N] [--entries 200000]
//   swim-bench HOST downlinks [--node N] [--count 100000] [--idle 1]
//   common: [--timeout SECONDS] [--json]
//
// pump:      one value downlink; `@command pump ms`; counts the events received until the
//            pump ends (no event for --quiet-ms); reports events/s and the pump's own rate
//            (last value / pump seconds: the server coalesces a slow consumer's values).
// latency:   client A commands `value` = now (ns since start, steady clock) at --rate per
//            second; client B (a second connection in this process) takes did_set's value
//            from its receive time: p50/p90/p99/p99.9 after --warmup seconds.
// map-sync:  a filler connection runs `fill n` on NODE and waits for it; then a fresh
//            client opens a map downlink to NODE/map: time from open to synced, and the
//            resident memory (VmRSS) of this process before and after.
// map-events: a map downlink linked without sync to NODE/map; `fill n` from the same
//            connection: the server sends n distinct updates (map uplinks coalesce per key
//            only, so none is dropped); events/s from the first to the n-th update received.
//            The events/s one downlink can take when the server does not coalesce.
// downlinks: --count value downlinks on one connection to NODE-0 .. NODE-(count-1): time
//            until all are synced, VmRSS before, after sync and after --idle seconds idle.
//
// NODE defaults to /unit/bench-<scenario>-<pid>. Human table by default, one JSON object
// with --json. Exit status: 0 done, 1 the scenario failed or timed out, 2 bad arguments.

#include <swim/client/client.hpp>
#include <swim/version.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace swim;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr char const* usage =
    "usage: swim-bench HOST SCENARIO [options] [--json]\n"
    "  swim-bench HOST pump      [--node N] [--ms 2000] [--quiet-ms 300]\n"
    "  swim-bench HOST latency   [--node N] [--rate 1000] [--seconds 5] [--warmup 0.5]\n"
    "  swim-bench HOST map-sync  [--node N] [--entries 100000]\n"
    "  swim-bench HOST map-events [--node N] [--entries 200000]\n"
    "  swim-bench HOST downlinks [--node N] [--count 100000] [--idle 1]\n"
    "  common: [--timeout SECONDS (default 60)] [--json]\n"
    "HOST is warp://host:port; it must serve the demo plan's /unit/:id agents.\n";

struct bad_arguments : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct options {
    std::string host;
    std::string scenario;
    std::string node;
    bool json = false;
    double timeout = 60;
    long ms = 2000;
    long quiet_ms = 300;
    double rate = 1000;
    double seconds = 5;
    double warmup = 0.5;
    long entries = 0;  // scenario default
    long count = 100000;
    double idle = 1;
};

template <class T>
T number(std::string const& v, std::string const& what)
{
    T n{};
    auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !(n > 0))
        throw bad_arguments(what + " must be a positive number, not '" + v + "'");
    return n;
}

options parse_args(int argc, char** argv)
{
    options o;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                throw bad_arguments(a + " needs a value");
            return argv[++i];
        };
        if (a == "--json")
            o.json = true;
        else if (a == "--node")
            o.node = value();
        else if (a == "--timeout")
            o.timeout = number<double>(value(), a);
        else if (a == "--ms")
            o.ms = number<long>(value(), a);
        else if (a == "--quiet-ms")
            o.quiet_ms = number<long>(value(), a);
        else if (a == "--rate")
            o.rate = number<double>(value(), a);
        else if (a == "--seconds")
            o.seconds = number<double>(value(), a);
        else if (a == "--warmup") {
            std::string v = value();
            o.warmup = v == "0" ? 0 : number<double>(v, a);
        } else if (a == "--entries")
            o.entries = number<long>(value(), a);
        else if (a == "--count")
            o.count = number<long>(value(), a);
        else if (a == "--idle")
            o.idle = number<double>(value(), a);
        else if (a == "-h" || a == "--help") {
            std::cout << usage;
            std::exit(0);
        } else if (a.size() > 1 && a[0] == '-')
            throw bad_arguments("unknown option " + a);
        else
            positional.push_back(a);
    }
    if (positional.size() != 2)
        throw bad_arguments("expected HOST and SCENARIO");
    o.host = positional[0];
    o.scenario = positional[1];
    if (o.scenario != "pump" && o.scenario != "latency" && o.scenario != "map-sync" &&
        o.scenario != "map-events" && o.scenario != "downlinks")
        throw bad_arguments("unknown scenario '" + o.scenario + "'");
    if (o.entries == 0)
        o.entries = o.scenario == "map-events" ? 200000 : 100000;
    if (o.node.empty())
        o.node = "/unit/bench-" + o.scenario + "-" + std::to_string(::getpid());
    return o;
}

// ---- measurements ------------------------------------------------------------------------

/// Resident memory of this process in bytes (VmRSS of /proc/self/status), 0 if unknown.
std::int64_t rss_bytes()
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            std::istringstream s(line.substr(6));
            std::int64_t kb = 0;
            s >> kb;
            return kb * 1024;
        }
    }
    return 0;
}

/// User + system CPU seconds of this process.
double cpu_seconds()
{
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    auto tv = [](timeval t) {
        return double(t.tv_sec) + double(t.tv_usec) / 1e6;
    };
    return tv(ru.ru_utime) + tv(ru.ru_stime);
}

double seconds_since(clock_type::time_point t)
{
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

clock_type::time_point const process_start = clock_type::now();

/// Nanoseconds since this process started (steady clock): the timestamps the latency test
/// carries in the value.
std::int64_t now_ns()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - process_start)
        .count();
}

/// One result: metrics in order, as a table or as JSON.
struct report {
    std::string scenario;
    std::vector<std::pair<std::string, std::string>> params;
    struct metric {
        std::string name;
        double value;
        std::string unit;
    };
    std::vector<metric> metrics;
    std::vector<std::string> notes;
    bool ok = true;

    void param(std::string k, std::string v) { params.emplace_back(std::move(k), std::move(v)); }
    void add(std::string name, double value, std::string unit)
    {
        metrics.push_back({std::move(name), value, std::move(unit)});
    }
};

std::string json_string(std::string_view s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string json_number(double d)
{
    if (!std::isfinite(d))
        return "null";
    if (d == std::floor(d) && std::fabs(d) < 1e15) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f", d);
        return buf;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", d);
    return buf;
}

std::string implementation()
{
    return "swim-cpp " SWIM_VERSION_STRING;
}

void print(report const& r, bool json)
{
    if (json) {
        std::ostringstream os;
        os << "{\"implementation\": " << json_string(implementation())
           << ", \"scenario\": " << json_string(r.scenario)
           << ", \"ok\": " << (r.ok ? "true" : "false") << ",\n \"params\": {";
        for (std::size_t i = 0; i < r.params.size(); ++i)
            os << (i ? ", " : "") << json_string(r.params[i].first) << ": "
               << json_string(r.params[i].second);
        os << "},\n \"metrics\": {";
        for (std::size_t i = 0; i < r.metrics.size(); ++i)
            os << (i ? ",\n  " : "\n  ") << json_string(r.metrics[i].name)
               << ": {\"value\": " << json_number(r.metrics[i].value)
               << ", \"unit\": " << json_string(r.metrics[i].unit) << "}";
        os << "},\n \"notes\": [";
        for (std::size_t i = 0; i < r.notes.size(); ++i)
            os << (i ? ", " : "") << json_string(r.notes[i]);
        os << "]}\n";
        std::cout << os.str();
        return;
    }
    std::printf(
        "%s: %s%s\n",
        implementation().c_str(),
        r.scenario.c_str(),
        r.ok ? "" : " (FAILED)");
    for (auto const& [k, v] : r.params)
        std::printf("  %-14s %s\n", k.c_str(), v.c_str());
    std::printf("  %-28s %16s  %s\n", "metric", "value", "unit");
    for (auto const& m : r.metrics) {
        char buf[64];
        if (m.value == std::floor(m.value) && std::fabs(m.value) < 1e15)
            std::snprintf(buf, sizeof buf, "%.0f", m.value);
        else
            std::snprintf(buf, sizeof buf, "%.4g", m.value);
        std::printf("  %-28s %16s  %s\n", m.name.c_str(), buf, m.unit.c_str());
    }
    for (auto const& n : r.notes)
        std::printf("  note: %s\n", n.c_str());
}

// ---- helpers -----------------------------------------------------------------------------

asio::awaitable<void> sleep_for(clock_type::duration d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

/// Polls `done` every `step` until it holds; false if `limit` passed first.
asio::awaitable<bool> wait_until(
    std::function<bool()> done,
    double limit,
    std::chrono::milliseconds step = std::chrono::milliseconds(1))
{
    auto deadline = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                            std::chrono::duration<double>(limit));
    while (!done()) {
        if (clock_type::now() >= deadline)
            co_return false;
        co_await sleep_for(step);
    }
    co_return true;
}

template <class Downlink>
asio::awaitable<void> wait_synced(Downlink& d, double limit, char const* what)
{
    if (!co_await wait_until([&] { return d.is_synced() || d.is_closed(); }, limit))
        throw failure(std::string(what) + ": not synced within the timeout");
    if (d.is_closed())
        throw failure(std::string(what) + ": link ended: " + d.reason());
}

client::client_config quiet_config()
{
    client::client_config cfg;
    cfg.log.level = client::log_level::error;
    cfg.log.sink = [](client::log_level, std::string_view what) {
        std::cerr << "swim-bench: client: " << what << "\n";
    };
    return cfg;
}

// ---- scenarios ---------------------------------------------------------------------------

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
    auto quiet = std::chrono::milliseconds(o.quiet_ms);
    bool ended = co_await wait_until(
        [&] {
            auto now = clock_type::now();
            if (now < t0 + std::chrono::milliseconds(o.ms))
                return false;
            auto since = events ? last_at : t0 + std::chrono::milliseconds(o.ms);
            return now - since >= quiet;
        },
        o.timeout,
        std::chrono::milliseconds(5));
    double cpu = cpu_seconds() - cpu0;
    if (!ended) {
        r.ok = false;
        r.notes.push_back("events did not stop within the timeout");
    }
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

double percentile(std::vector<double> const& sorted, double q)
{
    if (sorted.empty())
        return 0;
    auto rank = static_cast<std::size_t>(std::ceil(q * double(sorted.size())));
    return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

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

asio::awaitable<void> map_sync(options const& o, report& r)
{
    auto ex = co_await asio::this_coro::executor;
    r.param("node", o.node);
    r.param("entries", std::to_string(o.entries));
    std::int64_t rss_start = rss_bytes();
    double fill_s = 0;
    {
        // Fill the lane from another connection, then wait for the fill to end: commands to
        // one agent run in order, so a marker set after the fill arrives after it.
        client::client f(ex, quiet_config());
        std::int64_t const marker = -std::int64_t(::getpid()) - 1;
        bool marked = false;
        auto v = f.value_downlink<std::int64_t>(o.host, o.node, "value");
        v.on_event([&](std::int64_t const& x) {
            if (x == marker)
                marked = true;
        });
        co_await wait_synced(v, o.timeout, "filler's value downlink");
        auto t = clock_type::now();
        f.command(o.host, o.node, "fill", std::int64_t(o.entries));
        f.command(o.host, o.node, "value", marker);
        if (!co_await wait_until([&] { return marked; }, o.timeout, std::chrono::milliseconds(2)))
            throw failure("fill did not end within the timeout");
        fill_s = seconds_since(t);
        v.close();
        co_await f.async_close();
    }
    std::int64_t rss_before = rss_bytes();
    double cpu0 = cpu_seconds();
    client::client c(ex, quiet_config());
    auto t0 = clock_type::now();
    auto m = c.map_downlink(o.host, o.node, "map");
    co_await wait_synced(m, o.timeout, "map downlink");
    double sync_s = seconds_since(t0);
    double cpu = cpu_seconds() - cpu0;
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
    c.command(o.host, o.node, "clear");
    co_await c.async_close();
}

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
    if (!all || closed) {
        r.ok = false;
        r.notes.push_back(
            std::to_string(synced) + " of " + std::to_string(o.count) + " synced, " +
            std::to_string(closed) + " closed");
    }
    auto tc = clock_type::now();
    for (auto& d : dls)
        d.close();
    warm.close();
    co_await c.async_close();
    r.add("close_s", seconds_since(tc), "s (closing them all)");
}

}  // namespace

int main(int argc, char** argv)
{
    options o;
    try {
        o = parse_args(argc, argv);
    } catch (bad_arguments const& e) {
        std::cerr << "swim-bench: " << e.what() << "\n" << usage;
        return 2;
    }
    asio::io_context ioc(1);
    report r;
    r.scenario = o.scenario;
    r.param("host", o.host);
    int status = 0;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            if (o.scenario == "pump")
                co_await pump(o, r);
            else if (o.scenario == "latency")
                co_await latency(o, r);
            else if (o.scenario == "map-sync")
                co_await map_sync(o, r);
            else if (o.scenario == "map-events")
                co_await map_events(o, r);
            else
                co_await downlinks(o, r);
        },
        [&](std::exception_ptr e) {
            if (!e)
                return;
            try {
                std::rethrow_exception(e);
            } catch (std::exception const& x) {
                r.ok = false;
                r.notes.push_back(x.what());
                std::cerr << "swim-bench: " << x.what() << "\n";
            }
            status = 1;
            ioc.stop();
        });
    ioc.run();
    if (!r.ok)
        status = 1;
    print(r, o.json);
    return status;
}
