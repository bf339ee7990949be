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

char const* const usage =
    "usage: swim-bench HOST SCENARIO [options] [--json]\n"
    "  swim-bench HOST pump      [--node N] [--ms 2000] [--quiet-ms 300]\n"
    "  swim-bench HOST latency   [--node N] [--rate 1000] [--seconds 5] [--warmup 0.5]\n"
    "  swim-bench HOST map-sync  [--node N] [--entries 100000] [--raw]\n"
    "  swim-bench HOST map-events [--node N] [--entries 200000]\n"
    "  swim-bench HOST downlinks [--node N] [--count 100000] [--idle 1] [--again]\n"
    "  swim-bench HOST fanout    [--node N] [--clients 10] [--ms 2000] [--quiet-ms 300] [--raw]\n"
    "  swim-bench HOST connections [--node N] [--count 10000] [--parallel 200] [--idle 1]"
    " [--raw | --one-client]\n"
    "  swim-bench HOST load      [--node N] [--connections 4] [--downlinks 8] [--kind value|map]\n"
    "                            [--push pump|burst|fill|rate] [--ms 2000] [--entries 10000]\n"
    "                            [--rate 1000] [--seconds 5] [--quiet-ms 300]\n"
    "  common: [--timeout SECONDS (default 60)] [--server-pid PID] [--server-heap-cmd CMD]"
    " [--json]\n"
    "HOST is warp://host:port; it must serve the demo plan's /unit/:id agents.\n";

namespace {

template <class T>
T number(std::string const& v, std::string const& what)
{
    T n{};
    auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !(n > 0))
        throw bad_arguments(what + " must be a positive number, not '" + v + "'");
    return n;
}

}  // namespace

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
        else if (a == "--server-heap-cmd")
            o.server_heap_cmd = value();
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

std::int64_t command_bytes(std::string const& cmd)
{
    std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
    if (!p)
        throw std::runtime_error("--server-heap-cmd: cannot run '" + cmd + "'");
    std::string out, last;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p.get()))
        out.append(buf, n);
    int const status = ::pclose(p.release());
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty())
            last = line;
    std::int64_t bytes = -1;
    auto r = std::from_chars(last.data(), last.data() + last.size(), bytes);
    if (status != 0 || r.ec != std::errc() || r.ptr != last.data() + last.size() || bytes < 0)
        throw std::runtime_error(
            "--server-heap-cmd '" + cmd + "' did not print a number of bytes (exit status " +
            std::to_string(status) + ", last line '" + last + "')");
    return bytes;
}

std::int64_t rss_bytes(long pid)
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

double seconds_since(clock_type::time_point t)
{
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

namespace {
clock_type::time_point const process_start = clock_type::now();

}  // namespace

/// Nanoseconds since this process started (steady clock): the timestamps the latency test
/// carries in the value.
std::int64_t now_ns()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - process_start)
        .count();
}

namespace {

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

std::string implementation()
{
    return "swim-cpp " SWIM_VERSION_STRING;
}

}  // namespace

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

asio::awaitable<void> sleep_for(clock_type::duration d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

/// Polls `done` every `step` until it holds; false if `limit` passed first.
asio::awaitable<bool> wait_until(
    std::function<bool()> done,
    double limit,
    std::chrono::milliseconds step)
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

double percentile(std::vector<double> const& sorted, double q)
{
    if (sorted.empty())
        return 0;
    auto rank = static_cast<std::size_t>(std::ceil(q * double(sorted.size())));
    return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace swim::bench
