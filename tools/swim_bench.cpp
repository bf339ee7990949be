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
//   swim-bench HOST downlinks [--node N] [--count 100000] [--idle 1] [--again]
//   swim-bench HOST fanout    [--node N] [--clients 10] [--ms 2000] [--quiet-ms 300] [--raw]
//   swim-bench HOST connections [--node N] [--count 10000] [--parallel 200] [--idle 1] [--raw]
//   swim-bench HOST load      [--node N] [--connections 4] [--downlinks 8] [--kind value|map]
//                             [--push pump|burst|fill|rate] [--ms 2000] [--entries 10000]
//                             [--rate 1000] [--seconds 5] [--quiet-ms 300]
//   common: [--timeout SECONDS] [--server-pid PID] [--json]
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
//            With --again and --server-pid, a second connection then links the same lanes: the
//            server's RSS growth per uplink alone (the agents exist already).
// fanout:    --clients separate clients (one connection each, in this process) each hold one
//            value downlink to NODE/value; once all are synced, the first runs `pump ms`:
//            events/s delivered to all of them together (first to last event of any), each
//            client's events/s (min, max), events / values (a lagging uplink coalesces).
// connections: --count separate clients (one connection each) each hold one value downlink
//            to NODE/value, at most --parallel of them connecting at a time: time until all
//            are synced, this process's VmRSS. With --one-client, one client holds them all,
//            each to a host of its own (127.0.x.y at the port of HOST, which must be
//            127.0.0.1; the server listens on 0.0.0.0): the client's bytes per host connection.
// load:      --connections clients (one connection each) each open the same --downlinks
//            downlinks, of --kind, to NODE-0 .. NODE-(M-1); then --push: `pump ms` or
//            `burst n` (--entries) to every value lane, `fill n` to every map lane, or rate:
//            a further connection sets the value lanes in turn at --rate for --seconds, each
//            value the time it was sent. Reports the time to sync all, events/s received by
//            all downlinks together, set-to-event latency of every downlink (rate), client
//            CPU per event and VmRSS.
// --raw (fanout, connections): each connection is a bare WebSocket of this tool instead of a
//            swim client: it sends `@sync`, then only frames what arrives, counts the @event
//            frames and reads the value at their end (well under 0.1 us per event), so the
//            figures are the server's, not the client library's.
// --server-pid PID (any scenario): the server's VmRSS before and after (and per downlink or
//            connection) and its CPU time during the measurement, from /proc/PID.
//
// NODE defaults to /unit/bench-<scenario>-<pid>. Human table by default, one JSON object
// with --json. Exit status: 0 done, 1 the scenario failed or timed out, 2 bad arguments.

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

#include "bare_ws.hpp"

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
    "  swim-bench HOST downlinks [--node N] [--count 100000] [--idle 1] [--again]\n"
    "  swim-bench HOST fanout    [--node N] [--clients 10] [--ms 2000] [--quiet-ms 300] [--raw]\n"
    "  swim-bench HOST connections [--node N] [--count 10000] [--parallel 200] [--idle 1]"
    " [--raw | --one-client]\n"
    "  swim-bench HOST load      [--node N] [--connections 4] [--downlinks 8] [--kind value|map]\n"
    "                            [--push pump|burst|fill|rate] [--ms 2000] [--entries 10000]\n"
    "                            [--rate 1000] [--seconds 5] [--quiet-ms 300]\n"
    "  common: [--timeout SECONDS (default 60)] [--server-pid PID] [--json]\n"
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
    long count = 0;    // scenario default
    double idle = 1;
    long clients = 10;
    long parallel = 200;
    long server_pid = 0;
    bool raw = false;
    bool one_client = false;  // connections
    bool again = false;
    long connections = 4;        // load
    long downlinks_each = 8;     // load
    std::string kind = "value";  // load
    std::string push = "pump";   // load
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
        else if (a == "--one-client")
            o.one_client = true;
        else if (a == "--raw")
            o.raw = true;
        else if (a == "--again")
            o.again = true;
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
        else if (a == "--clients")
            o.clients = number<long>(value(), a);
        else if (a == "--parallel")
            o.parallel = number<long>(value(), a);
        else if (a == "--server-pid")
            o.server_pid = number<long>(value(), a);
        else if (a == "--connections")
            o.connections = number<long>(value(), a);
        else if (a == "--downlinks")
            o.downlinks_each = number<long>(value(), a);
        else if (a == "--kind")
            o.kind = value();
        else if (a == "--push")
            o.push = value();
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
        o.scenario != "map-events" && o.scenario != "downlinks" && o.scenario != "fanout" &&
        o.scenario != "connections" && o.scenario != "load")
        throw bad_arguments("unknown scenario '" + o.scenario + "'");
    if (o.kind != "value" && o.kind != "map")
        throw bad_arguments("--kind must be value or map, not '" + o.kind + "'");
    if (o.push != "pump" && o.push != "burst" && o.push != "fill" && o.push != "rate")
        throw bad_arguments("--push must be pump, burst, fill or rate, not '" + o.push + "'");
    if ((o.push == "fill") != (o.kind == "map"))
        throw bad_arguments(
            "--push " + o.push + " does not drive --kind " + o.kind +
            " (fill drives map lanes; pump, burst and rate drive value lanes)");
    if (o.entries == 0)
        o.entries = o.scenario == "map-events" ? 200000 : o.scenario == "load" ? 10000 : 100000;
    if (o.count == 0)
        o.count = o.scenario == "connections" ? 10000 : 100000;
    if (o.node.empty())
        o.node = "/unit/bench-" + o.scenario + "-" + std::to_string(::getpid());
    return o;
}

// ---- measurements ------------------------------------------------------------------------

/// Resident memory of a process in bytes (VmRSS of /proc/PID/status; this process when `pid`
/// is 0), 0 if unknown.
std::int64_t rss_bytes(long pid = 0)
{
    std::ifstream in(pid ? "/proc/" + std::to_string(pid) + "/status" : "/proc/self/status");
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

/// User + system CPU seconds of another process (/proc/PID/stat), -1 if unknown.
double process_cpu_seconds(long pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat))
        return -1;
    // Fields after the command (which may hold spaces), from field 3: utime is 14, stime 15.
    auto close = stat.rfind(')');
    if (close == std::string::npos)
        return -1;
    std::istringstream s(stat.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && s >> field; ++i) {
        if (i == 14)
            utime = std::stoull(field);
        else if (i == 15)
            stime = std::stoull(field);
    }
    return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
}

/// The server's resident memory and CPU time, when --server-pid names it.
struct server_probe {
    long pid = 0;
    std::int64_t rss0 = 0;
    double cpu0 = 0;

    explicit server_probe(long p)
        : pid(p)
    {}
    bool enabled() const noexcept { return pid != 0; }
    void start()
    {
        if (!pid)
            return;
        rss0 = rss_bytes(pid);
        cpu0 = process_cpu_seconds(pid);
    }
    std::int64_t rss() const { return pid ? rss_bytes(pid) : 0; }
    double cpu() const { return pid ? process_cpu_seconds(pid) - cpu0 : 0; }
};

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

/// Waits until `busy_until` has passed and no event came for --quiet-ms after it (`last()`:
/// the time of the last event so far; any earlier time when none came). False, with a note
/// in `r`, when --timeout passed first. (Call it in a statement of its own, then co_await the
/// result: GCC 12 destroys a std::function made inside a co_await expression twice.)
asio::awaitable<bool> wait_quiet(
    options const& o,
    report& r,
    clock_type::time_point busy_until,
    std::function<clock_type::time_point()> last)
{
    auto quiet = std::chrono::milliseconds(o.quiet_ms);
    bool ended = co_await wait_until(
        [&] {
            auto now = clock_type::now();
            return now >= busy_until && now - std::max(busy_until, last()) >= quiet;
        },
        o.timeout,
        std::chrono::milliseconds(5));
    if (!ended) {
        r.ok = false;
        r.notes.push_back("events did not stop within the timeout");
    }
    co_return ended;
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

// ---- bare WebSocket links (--raw) --------------------------------------------------------

/// Events one link received while counting.
struct counter {
    std::int64_t events = 0;
    std::int64_t last = 0;
    clock_type::time_point first_at{}, last_at{};

    /// One more event, of value `v`, now.
    void add(std::int64_t v)
    {
        last_at = clock_type::now();
        if (events++ == 0)
            first_at = last_at;
        last = v;
    }
};

/// One bare WebSocket connection with one `@sync`ed lane: counts its @event frames.
struct raw_link {
    explicit raw_link(asio::any_io_executor ex)
        : socket(ex)
    {}
    asio::ip::tcp::socket socket;
    bool synced = false;
    bool ended = false;
    std::string error;
    counter c;
    /// Counts the links synced, when set.
    std::size_t* synced_count = nullptr;
};

/// Where `warp://host:port` connects, and its Host header.
struct raw_target {
    asio::ip::tcp::endpoint endpoint;
    std::string host;
};

asio::awaitable<raw_target> resolve(std::string const& url)
{
    auto rest = url;
    if (auto i = rest.find("://"); i != std::string::npos)
        rest = rest.substr(i + 3);
    if (auto i = rest.find('/'); i != std::string::npos)
        rest = rest.substr(0, i);
    auto colon = rest.rfind(':');
    if (colon == std::string::npos)
        throw bad_arguments("--raw needs HOST as warp://host:port");
    std::string name = rest.substr(0, colon), port = rest.substr(colon + 1);
    if (name.size() > 1 && name.front() == '[')
        name = name.substr(1, name.size() - 2);
    asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
    auto results = co_await resolver.async_resolve(name, port, asio::use_awaitable);
    if (results.empty())
        throw failure("cannot resolve " + rest);
    co_return raw_target{results.begin()->endpoint(), rest};
}

/// Connects, upgrades, syncs NODE/LANE, then frames what arrives until the connection ends.
asio::awaitable<void> run_raw_link(
    raw_target target,
    std::string node,
    std::string lane,
    raw_link& link,
    bool const& counting)
{
    using asio::ip::tcp;
    auto tuple = asio::as_tuple(asio::use_awaitable);
    auto& s = link.socket;
    auto end = [&](std::string why) {
        link.ended = true;
        if (link.error.empty())
            link.error = std::move(why);
    };
    auto [cec] = co_await s.async_connect(target.endpoint, tuple);
    if (cec) {
        end("connect: " + cec.message());
        co_return;
    }
    s.set_option(tcp::no_delay(true));
    std::string req = tools::upgrade_request(target.host);
    auto [wec, wn] = co_await asio::async_write(s, asio::buffer(req), tuple);
    if (wec) {
        end("upgrade: " + wec.message());
        co_return;
    }
    std::string head;
    auto [hec, hn] = co_await asio::async_read_until(
        s,
        asio::dynamic_buffer(head),
        "\r\n\r\n",
        tuple);
    if (hec || head.compare(0, 12, "HTTP/1.1 101") != 0) {
        end("upgrade refused: " + (hec ? hec.message() : head.substr(0, head.find('\r'))));
        co_return;
    }
    std::vector<char> buf(1 << 14);       // (grows for a larger frame)
    std::size_t have = head.size() - hn;  // (nothing, in practice: the server waits for us)
    std::memcpy(buf.data(), head.data() + hn, have);
    std::string frame;
    tools::append_client_frame(frame, "@sync(node:\"" + node + "\",lane:\"" + lane + "\")");
    auto [sec, sn] = co_await asio::async_write(s, asio::buffer(frame), tuple);
    if (sec) {
        end("sync: " + sec.message());
        co_return;
    }
    for (;;) {
        // Frame what is buffered; an unfinished frame waits for more.
        std::size_t at = 0;
        std::int64_t seen = 0;
        for (;;) {
            if (have - at < 2)
                break;
            auto const* p = reinterpret_cast<unsigned char const*>(buf.data() + at);
            unsigned op = p[0] & 0x0f;
            std::size_t h = 2;
            std::uint64_t len = p[1] & 0x7f;
            if (len == 126) {
                if (have - at < 4)
                    break;
                len = (std::uint64_t(p[2]) << 8) | p[3];
                h = 4;
            } else if (len == 127) {
                if (have - at < 10)
                    break;
                len = 0;
                for (int i = 0; i < 8; ++i)
                    len = (len << 8) | p[2 + i];
                h = 10;
            }
            if (p[1] & 0x80)
                h += 4;  // (a server does not mask; skipped, never unmasked)
            if (have - at < h + len) {
                if (h + len > buf.size())
                    buf.resize(std::size_t(h + len) * 2);
                break;
            }
            std::string_view payload(buf.data() + at + h, std::size_t(len));
            at += h + std::size_t(len);
            if (op == 8) {
                end("closed by the server");
                co_return;
            }
            if (op != 1)
                continue;
            if (payload.starts_with("@event")) {
                if (!counting)
                    continue;
                ++seen;
                auto close = payload.rfind(')');
                if (close != std::string_view::npos) {
                    std::int64_t v = 0;
                    auto b = payload.data() + close + 1, e = payload.data() + payload.size();
                    while (b != e && *b == ' ')
                        ++b;
                    std::from_chars(b, e, v);
                    link.c.last = v;
                }
            } else if (payload.starts_with("@synced")) {
                link.synced = true;
                if (link.synced_count)
                    ++*link.synced_count;
            } else if (payload.starts_with("@unlinked")) {
                end(std::string(payload));
                co_return;
            }
        }
        if (seen) {
            auto now = clock_type::now();
            if (link.c.events == 0)
                link.c.first_at = now;
            link.c.events += seen;
            link.c.last_at = now;
        }
        std::memmove(buf.data(), buf.data() + at, have - at);
        have -= at;
        auto [rec, n] = co_await s.async_read_some(
            asio::buffer(buf.data() + have, buf.size() - have),
            tuple);
        if (rec) {
            end(rec == asio::error::operation_aborted ? "closed" : "read: " + rec.message());
            co_return;
        }
        have += n;
    }
}

/// Starts `count` raw links (each in its own coroutine); `running` counts those not ended.
void spawn_raw_link(
    asio::any_io_executor ex,
    raw_target const& target,
    std::string const& node,
    std::vector<std::unique_ptr<raw_link>>& links,
    bool const& counting,
    std::size_t& running)
{
    links.push_back(std::make_unique<raw_link>(ex));
    ++running;
    asio::co_spawn(
        ex,
        run_raw_link(target, node, "value", *links.back(), counting),
        [&running](std::exception_ptr) { --running; });
}

/// Closes every raw link and waits until their coroutines have ended.
asio::awaitable<void> close_raw_links(
    std::vector<std::unique_ptr<raw_link>>& links,
    std::size_t& running)
{
    for (auto& l : links) {
        boost::system::error_code ec;
        l->socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
        l->socket.close(ec);
    }
    co_await wait_until([&] { return running == 0; }, 10.0);
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
    server_probe server(o.server_pid);
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
    server_probe server(o.server_pid);
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
            else if (o.scenario == "fanout")
                co_await fanout(o, r);
            else if (o.scenario == "connections")
                co_await connections(o, r);
            else if (o.scenario == "load")
                co_await load(o, r);
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
