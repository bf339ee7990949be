// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// swim_codec_bench: MB/s and envelopes/s of the WARP/Recon codec on the envelopes of
// bench/data/codec_inputs.txt, the same bytes bench/js/codec_bench.mjs gives the official
// JS codec. bench/run_codec_bench.sh runs both and prints the ratios.
//
//   swim_codec_bench [--json] [--inputs PATH] [--min-time SECONDS] [--runs N]
//                    [--filter REGEX] [--iterations N] [--check]
//
// Operations, per input:
//   route  warp::read_envelope only: tag, node and lane, the body kept as raw text
//   parse  warp::read_envelope + envelope_view::parse_body (what JS parseRecon does)
//   parse_owned  warp::parse_envelope into a reused warp::envelope
//   write  warp::write_envelope of an already parsed envelope into a reused std::string
//
// After a global warm-up of 0.5 s, each operation runs in a plain std::chrono::steady_clock
// loop: a warm-up that also estimates the rate, then `runs` runs of as many iterations as take
// `min-time` seconds; the fastest run counts. Every iteration feeds a checksum that is printed, so
// nothing can be optimised away. MB is 10^6 bytes of the input envelope text.

#include <swim/recon/error.hpp>
#include <swim/recon/value.hpp>
#include <swim/warp/envelope.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#ifndef SWIM_BENCH_INPUTS
#    define SWIM_BENCH_INPUTS "bench/data/codec_inputs.txt"
#endif
#ifndef SWIM_BENCH_BUILD_TYPE
#    define SWIM_BENCH_BUILD_TYPE "unknown"
#endif
#ifndef SWIM_BENCH_CXX_FLAGS
#    define SWIM_BENCH_CXX_FLAGS ""
#endif

namespace {

namespace recon = swim::recon;
namespace warp = swim::warp;
using clock_type = std::chrono::steady_clock;

struct options {
    bool json = false;
    bool check = false;
    std::string inputs = SWIM_BENCH_INPUTS;
    std::string filter;
    std::uint64_t iterations = 0;  // fixed count, no warm-up (for profilers)
    double min_time = 0.5;
    int runs = 3;
};

struct input {
    std::string name;
    std::string text;
};

struct result {
    std::string input;
    std::string op;
    std::size_t bytes = 0;
    std::uint64_t iterations = 0;
    double seconds = 0;

    double envelopes_per_s() const { return static_cast<double>(iterations) / seconds; }
    double mb_per_s() const
    {
        return static_cast<double>(iterations) * static_cast<double>(bytes) / seconds / 1e6;
    }
};

// Every timed loop adds to this; it is printed at the end.
std::uint64_t volatile g_sink = 0;

[[noreturn]] void fail(std::string const& what)
{
    std::fprintf(stderr, "swim_codec_bench: %s\n", what.c_str());
    std::exit(1);
}

void usage()
{
    std::puts("usage: swim_codec_bench [--json] [--inputs PATH] [--min-time SECONDS] [--runs N]\n"
              "                        [--filter REGEX] [--iterations N] [--check]\n"
              "  --json        print one JSON object instead of the table\n"
              "  --inputs      the input file (default " SWIM_BENCH_INPUTS ")\n"
              "  --min-time    seconds per timed run (default 0.5)\n"
              "  --runs        timed runs per measurement, the best counts (default 3)\n"
              "  --filter      only the measurements whose `input/op` matches REGEX (ECMAScript)\n"
              "  --iterations  run each measurement once, exactly N iterations, no warm-up\n"
              "                (for callgrind and perf)\n"
              "  --check       only check that every input reads and writes back, then exit");
}

options parse_args(int argc, char** argv)
{
    options opts;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc)
                fail("missing value after " + std::string(a));
            return argv[++i];
        };
        if (a == "--json")
            opts.json = true;
        else if (a == "--check")
            opts.check = true;
        else if (a == "--inputs")
            opts.inputs = next();
        else if (a == "--filter")
            opts.filter = next();
        else if (a == "--iterations")
            opts.iterations = std::strtoull(next().c_str(), nullptr, 10);
        else if (a == "--min-time")
            opts.min_time = std::atof(next().c_str());
        else if (a == "--runs")
            opts.runs = std::atoi(next().c_str());
        else if (a == "--help" || a == "-h") {
            usage();
            std::exit(0);
        } else
            fail("unknown argument: " + std::string(a));
    }
    if (!(opts.min_time > 0) || opts.runs < 1)
        fail("--min-time must be > 0 and --runs >= 1");
    return opts;
}

// `<name> <envelope>` per line; `#` lines and empty lines are skipped.
std::vector<input> load_inputs(std::string const& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail("cannot open " + path);
    std::vector<input> inputs;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line.front() == '#')
            continue;
        auto sp = line.find(' ');
        if (sp == 0 || sp == std::string::npos)
            fail("bad input line: " + line.substr(0, 40));
        inputs.push_back({line.substr(0, sp), line.substr(sp + 1)});
    }
    if (inputs.empty())
        fail("no inputs in " + path);
    return inputs;
}

double seconds_since(clock_type::time_point t0)
{
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

struct timing {
    std::uint64_t iterations = 0;
    double seconds = 0;
};

// `loop(n)` performs the operation n times and returns a checksum.
template <class Loop>
timing measure(Loop&& loop, options const& opts)
{
    if (opts.iterations > 0) {
        auto t0 = clock_type::now();
        g_sink = g_sink + loop(opts.iterations);
        return {opts.iterations, seconds_since(t0)};
    }
    double const min_time = opts.min_time;
    int const runs = opts.runs;
    // Warm-up (caches, allocator, branch predictors) that also finds the rate: grow n until
    // one chunk takes >= 20 ms and at least min(0.2 s, min_time) has gone by.
    double const warm_up = std::min(0.2, min_time);
    std::uint64_t n = 1;
    double spent = 0;
    double rate = 0;
    for (;;) {
        auto t0 = clock_type::now();
        g_sink = g_sink + loop(n);
        double s = seconds_since(t0);
        spent += s;
        if (s >= 0.02) {
            rate = static_cast<double>(n) / s;
            if (spent >= warm_up)
                break;
        } else {
            n *= 2;
        }
    }
    timing best;
    best.iterations = std::max<std::uint64_t>(
        1,
        static_cast<std::uint64_t>(std::ceil(rate * min_time * 1.05)));
    best.seconds = 1e300;
    for (int r = 0; r < runs; ++r) {
        auto t0 = clock_type::now();
        g_sink = g_sink + loop(best.iterations);
        best.seconds = std::min(best.seconds, seconds_since(t0));
    }
    return best;
}

std::string compiler_name()
{
#if defined(__clang__)
    return "clang++ " __clang_version__;
#elif defined(__GNUC__)
    return "g++ " __VERSION__;
#else
    return "unknown compiler";
#endif
}

std::string implementation()
{
    std::string s = "swim-cpp (" + compiler_name() + ", " SWIM_BENCH_BUILD_TYPE;
    std::string_view flags = SWIM_BENCH_CXX_FLAGS;
    if (!flags.empty()) {
        s += ", ";
        s += flags;
    }
#ifndef NDEBUG
    s += ", assertions on";
#endif
    return s + ")";
}

std::string json_string(std::string_view s)
{
    std::string out = "\"";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string json_number(double d)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
}

// Reads and writes back every input once; returns notes for outputs that differ.
std::vector<std::string> check_inputs(std::vector<input> const& inputs)
{
    std::vector<std::string> notes;
    for (auto const& in : inputs) {
        warp::envelope env;
        if (auto err = warp::parse_envelope(in.text, env))
            fail("input " + in.name + " does not read: " + err.message());
        std::string out;
        warp::write_envelope(
            env.kind,
            env.node,
            env.lane,
            env.body,
            out,
            warp::link_params{env.prio, env.rate});
        if (out != in.text)
            notes.push_back(
                in.name + ": write_envelope writes " + std::to_string(out.size()) +
                " bytes, not the input's " + std::to_string(in.text.size()) + ": " +
                out.substr(0, 80));
    }
    return notes;
}

// Parses and writes every input for `seconds` before anything is timed, so the first
// measurement does not pay for a cold CPU (clock ramp-up), caches and allocator.
void warm_up(std::vector<input> const& inputs, double seconds)
{
    auto t0 = clock_type::now();
    warp::envelope env;
    std::string out;
    std::uint64_t sum = 0;
    while (seconds_since(t0) < seconds) {
        for (auto const& in : inputs) {
            if (auto err = warp::parse_envelope(in.text, env))
                fail(err.message());
            out.clear();
            warp::write_envelope(env.kind, env.node, env.lane, env.body, out, {env.prio, env.rate});
            sum += out.size();
        }
    }
    g_sink = g_sink + sum;
}

std::vector<result> run(std::vector<input> const& inputs, options const& opts)
{
    std::vector<result> results;
    std::regex filter;
    try {
        filter.assign(opts.filter);
    } catch (std::regex_error const& e) {
        fail("bad --filter: " + std::string(e.what()));
    }
    // Measures `loop` as `op` on `in` unless --filter leaves it out.
    auto bench = [&](input const& in, char const* op, auto&& loop) {
        if (!std::regex_search(in.name + "/" + op, filter))
            return;
        timing const t = measure(loop, opts);
        results.push_back({in.name, op, in.text.size(), t.iterations, t.seconds});
    };

    for (auto const& in : inputs) {
        std::string_view const frame = in.text;

        // route: the header only, the body left as text.
        bench(in, "route", [&](std::uint64_t n) {
            warp::envelope_view view;
            std::string scratch;
            std::uint64_t sum = 0;
            for (std::uint64_t i = 0; i < n; ++i) {
                if (auto err = warp::read_envelope(frame, view, scratch))
                    fail(err.message());
                sum += view.body.size() + view.lane.size();
            }
            return sum;
        });

        // parse: the header, and the body into a value.
        bench(in, "parse", [&](std::uint64_t n) {
            warp::envelope_view view;
            std::string scratch;
            recon::parse_error perr;
            std::uint64_t sum = 0;
            for (std::uint64_t i = 0; i < n; ++i) {
                if (auto err = warp::read_envelope(frame, view, scratch))
                    fail(err.message());
                recon::value const body = view.parse_body(perr);
                if (perr)
                    fail(perr.message());
                auto rec = body.if_record();
                sum += static_cast<std::uint64_t>(body.kind()) + (rec ? rec->size() : 0);
            }
            return sum;
        });

        // parse_owned: warp::parse_envelope into a reused owning envelope.
        bench(in, "parse_owned", [&](std::uint64_t n) {
            warp::envelope env;
            std::uint64_t sum = 0;
            for (std::uint64_t i = 0; i < n; ++i) {
                if (auto err = warp::parse_envelope(frame, env))
                    fail(err.message());
                auto rec = env.body.if_record();
                sum += static_cast<std::uint64_t>(env.body.kind()) + (rec ? rec->size() : 0);
            }
            return sum;
        });

        // write: an envelope parsed beforehand, into a reused string.
        warp::envelope env;
        if (auto err = warp::parse_envelope(frame, env))
            fail(err.message());
        bench(in, "write", [&](std::uint64_t n) {
            std::string out;
            std::uint64_t sum = 0;
            for (std::uint64_t i = 0; i < n; ++i) {
                out.clear();
                warp::write_envelope(
                    env.kind,
                    env.node,
                    env.lane,
                    env.body,
                    out,
                    {env.prio, env.rate});
                sum += out.size();
            }
            return sum;
        });
    }
    return results;
}

void print_json(
    std::vector<result> const& results,
    std::vector<std::string> const& notes,
    options const& opts)
{
    std::ostringstream os;
    os << "{\n \"implementation\": " << json_string(implementation()) << ",\n";
    os << " \"min_time_s\": " << json_number(opts.min_time) << ",\n";
    os << " \"runs\": " << opts.runs << ",\n \"results\": [";
    for (std::size_t i = 0; i < results.size(); ++i) {
        auto const& r = results[i];
        os << (i ? ",\n" : "\n") << "  {\"input\": " << json_string(r.input)
           << ", \"op\": " << json_string(r.op) << ", \"bytes\": " << r.bytes
           << ", \"iterations\": " << r.iterations << ", \"seconds\": " << json_number(r.seconds)
           << ", \"envelopes_per_s\": " << json_number(r.envelopes_per_s())
           << ", \"mb_per_s\": " << json_number(r.mb_per_s()) << "}";
    }
    os << "\n ],\n \"notes\": [";
    for (std::size_t i = 0; i < notes.size(); ++i)
        os << (i ? ", " : "") << json_string(notes[i]);
    os << "],\n \"checksum\": " << g_sink << "\n}\n";
    std::fputs(os.str().c_str(), stdout);
}

void print_table(
    std::vector<result> const& results,
    std::vector<std::string> const& notes,
    options const& opts)
{
    std::printf("%s\n", implementation().c_str());
    if (opts.iterations > 0)
        std::printf(
            "one run of %llu iterations each; MB = 10^6 input bytes\n\n",
            static_cast<unsigned long long>(opts.iterations));
    else
        std::printf(
            "best of %d runs of >= %.2f s each; MB = 10^6 input bytes\n\n",
            opts.runs,
            opts.min_time);
    std::printf(
        "%-14s %7s  %-12s %10s %14s %12s\n",
        "input",
        "bytes",
        "op",
        "MB/s",
        "envelopes/s",
        "ns/envelope");
    for (auto const& r : results)
        std::printf(
            "%-14s %7zu  %-12s %10.1f %14.0f %12.1f\n",
            r.input.c_str(),
            r.bytes,
            r.op.c_str(),
            r.mb_per_s(),
            r.envelopes_per_s(),
            1e9 / r.envelopes_per_s());
    for (auto const& n : notes)
        std::printf("note: %s\n", n.c_str());
    std::printf("checksum: %llu\n", static_cast<unsigned long long>(g_sink));
}

}  // namespace

int main(int argc, char** argv)
{
    options const opts = parse_args(argc, argv);
    std::vector<input> const inputs = load_inputs(opts.inputs);
    std::vector<std::string> const notes = check_inputs(inputs);
    if (opts.check) {
        for (auto const& n : notes)
            std::printf("note: %s\n", n.c_str());
        std::printf("%zu inputs read and written back\n", inputs.size());
        return 0;
    }
    if (opts.iterations == 0)
        warm_up(inputs, 0.5);
    std::vector<result> const results = run(inputs, opts);
    if (opts.json)
        print_json(results, notes, opts);
    else
        print_table(results, notes, opts);
    return 0;
}
