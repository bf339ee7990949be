// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// What the scenarios of swim-bench share: the options, the measurements, the report, the
// helpers and the bare WebSocket links (--raw). One file per scenario beside it.

#ifndef SWIM_TOOLS_BENCH_BENCH_HPP
#define SWIM_TOOLS_BENCH_BENCH_HPP

#include <swim/client/client.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swim::bench {

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

/// The command line's usage text.
extern char const* const usage;

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
    /// A shell command that prints the server's live heap in bytes (its last line): for a
    /// server whose RSS does not follow what it holds (a JVM's heap is resident before).
    std::string server_heap_cmd;
    bool raw = false;
    bool one_client = false;  // connections
    bool again = false;
    long connections = 4;        // load
    long downlinks_each = 8;     // load
    std::string kind = "value";  // load
    std::string push = "pump";   // load
};

/// The options of the command line; throws bad_arguments.
options parse_args(int argc, char** argv);

// ---- measurements ------------------------------------------------------------------------

/// Resident memory of a process in bytes (VmRSS of /proc/PID/status; this process when `pid`
/// is 0), 0 if unknown.
std::int64_t rss_bytes(long pid = 0);
/// User + system CPU seconds of this process.
double cpu_seconds();
/// User + system CPU seconds of another process (/proc/PID/stat), -1 if unknown.
double process_cpu_seconds(long pid);

/// The last line of what the shell command `cmd` prints, as a number of bytes; throws
/// std::runtime_error naming the command when it fails or prints something else.
std::int64_t command_bytes(std::string const& cmd);

/// The server's resident memory and CPU time, when --server-pid names it, and its live heap
/// when --server-heap-cmd says how to read it.
struct server_probe {
    long pid = 0;
    std::string heap_cmd;
    std::int64_t rss0 = 0;
    std::int64_t heap0 = 0;
    double cpu0 = 0;

    explicit server_probe(long p, std::string heap = {})
        : pid(p)
        , heap_cmd(std::move(heap))
    {}
    bool enabled() const noexcept { return pid != 0; }
    bool has_heap() const noexcept { return !heap_cmd.empty(); }
    void start()
    {
        if (has_heap())
            heap0 = command_bytes(heap_cmd);  // (first: a JVM's full GC, then its RSS)
        if (!pid)
            return;
        rss0 = rss_bytes(pid);
        cpu0 = process_cpu_seconds(pid);
    }
    std::int64_t rss() const { return pid ? rss_bytes(pid) : 0; }
    std::int64_t heap() const { return has_heap() ? command_bytes(heap_cmd) : 0; }
    double cpu() const { return pid ? process_cpu_seconds(pid) - cpu0 : 0; }
};

double seconds_since(clock_type::time_point t);
/// Nanoseconds since this process started (steady clock): the timestamps the latency test
/// carries in the value.
std::int64_t now_ns();

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

/// `d` as a JSON number (an integer when whole, else 6 significant digits; null when not
/// finite).
std::string json_number(double d);
/// Prints `r` as a table, or as one JSON object.
void print(report const& r, bool json);

// ---- helpers -----------------------------------------------------------------------------

asio::awaitable<void> sleep_for(clock_type::duration d);
/// Polls `done` every `step` until it holds; false if `limit` passed first.
asio::awaitable<bool> wait_until(
    std::function<bool()> done,
    double limit,
    std::chrono::milliseconds step = std::chrono::milliseconds(1));

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
    std::function<clock_type::time_point()> last);
/// A client configuration that logs errors only.
client::client_config quiet_config();
/// The `q` quantile (0..1) of sorted samples.
double percentile(std::vector<double> const& sorted, double q);

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

/// Where `warp://host:port` connects.
asio::awaitable<raw_target> resolve(std::string const& url);
/// Connects, upgrades, syncs NODE/LANE, then frames what arrives until the connection ends.
asio::awaitable<void> run_raw_link(
    raw_target target,
    std::string node,
    std::string lane,
    raw_link& link,
    bool const& counting);
/// Starts a raw link to NODE/LANE (in its own coroutine); `running` counts those not ended.
void spawn_raw_link(
    asio::any_io_executor ex,
    raw_target const& target,
    std::string const& node,
    std::vector<std::unique_ptr<raw_link>>& links,
    bool const& counting,
    std::size_t& running,
    std::string const& lane = "value");
/// Closes every raw link and waits until their coroutines have ended.
asio::awaitable<void> close_raw_links(
    std::vector<std::unique_ptr<raw_link>>& links,
    std::size_t& running);

// ---- the scenarios (one file each) -------------------------------------------------------

asio::awaitable<void> pump(options const& o, report& r);
asio::awaitable<void> latency(options const& o, report& r);
asio::awaitable<void> load(options const& o, report& r);
asio::awaitable<void> map_sync(options const& o, report& r);
asio::awaitable<void> map_events(options const& o, report& r);
asio::awaitable<void> downlinks(options const& o, report& r);
asio::awaitable<void> fanout(options const& o, report& r);
asio::awaitable<void> connections(options const& o, report& r);

}  // namespace swim::bench

#endif
