// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// swim-cli: link to, sync with, read and write lanes of any WARP host from the shell.
//
//   swim-cli sync|link|get HOST NODE LANE [--map] [--count N] [--timeout SECONDS]
//   swim-cli set|command HOST NODE LANE VALUE
//   swim-cli put HOST NODE LANE KEY VALUE
//   swim-cli remove HOST NODE LANE KEY
//
// sync and link print one JSON object per event and line; get prints the synced state as one
// JSON value. KEY and VALUE are Recon text. Exit status: 0 done, 1 the host or the link
// failed, 2 bad arguments.

#include <swim/client/client.hpp>
#include <swim/recon/json.hpp>
#include <swim/recon/parser.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace swim;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr char const* usage =
    "usage: swim-cli sync|link|get HOST NODE LANE [--map] [--count N] [--timeout SECONDS]\n"
    "       swim-cli set|command HOST NODE LANE VALUE\n"
    "       swim-cli put HOST NODE LANE KEY VALUE\n"
    "       swim-cli remove HOST NODE LANE KEY\n"
    "HOST is warp://host:port (or ws, swim, warps, wss, swims); KEY and VALUE are Recon text.\n";

struct bad_arguments : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct options {
    std::string verb;
    std::string host;
    std::string node;
    std::string lane;
    std::vector<std::string> rest;
    bool map = false;
    std::optional<long> count;
    std::optional<double> timeout;
};

options parse_args(int argc, char** argv)
{
    options o;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto number = [&](char const* what) -> std::string {
            if (i + 1 >= argc)
                throw bad_arguments(std::string(what) + " needs a value");
            return argv[++i];
        };
        if (a == "--map") {
            o.map = true;
        } else if (a == "--count") {
            std::string v = number("--count");
            long n = 0;
            auto r = std::from_chars(v.data(), v.data() + v.size(), n);
            if (r.ec != std::errc() || r.ptr != v.data() + v.size() || n <= 0)
                throw bad_arguments("--count must be a positive integer, not '" + v + "'");
            o.count = n;
        } else if (a == "--timeout") {
            std::string v = number("--timeout");
            double s = 0;
            auto r = std::from_chars(v.data(), v.data() + v.size(), s);
            if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !(s > 0))
                throw bad_arguments(
                    "--timeout must be a positive number of seconds, not '" + v + "'");
            o.timeout = s;
        } else if (a == "-h" || a == "--help") {
            std::cout << usage;
            std::exit(0);
        } else if (a.size() > 1 && a[0] == '-' && a[1] == '-') {
            throw bad_arguments("unknown option " + a);
        } else {
            positional.push_back(a);
        }
    }
    if (positional.empty())
        throw bad_arguments("no command given");
    o.verb = positional[0];
    std::size_t want = 0;
    if (o.verb == "sync" || o.verb == "link" || o.verb == "get")
        want = 4;
    else if (o.verb == "set" || o.verb == "command" || o.verb == "remove")
        want = 5;
    else if (o.verb == "put")
        want = 6;
    else
        throw bad_arguments("unknown command '" + o.verb + "'");
    if (positional.size() != want)
        throw bad_arguments(
            o.verb + " takes " + std::to_string(want - 1) + " arguments, got " +
            std::to_string(positional.size() - 1));
    o.host = positional[1];
    o.node = positional[2];
    o.lane = positional[3];
    o.rest.assign(positional.begin() + 4, positional.end());
    if ((o.map || o.count) && (o.verb != "sync" && o.verb != "link" && o.verb != "get"))
        throw bad_arguments("--map and --count go with sync, link and get");
    return o;
}

recon::value recon_arg(std::string const& text, char const* what)
{
    recon::parse_error err;
    recon::value v = recon::parse(text, err);
    if (err)
        throw bad_arguments(std::string(what) + " is not valid Recon: " + err.message());
    return v;
}

std::string json(recon::value const& v)
{
    boost::system::error_code ec;
    auto j = recon::to_json(v, ec);
    if (ec)
        return "null";
    return boost::json::serialize(j);
}

void line(std::string const& s)
{
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

std::string quoted(std::string_view s)
{
    return boost::json::serialize(boost::json::value(boost::json::string_view(s.data(), s.size())));
}

asio::awaitable<void> sleep_seconds(double s)
{
    asio::steady_timer t(
        co_await asio::this_coro::executor,
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(s)));
    co_await t.async_wait(asio::use_awaitable);
}

// The last warning the client logged: why a host cannot be reached.
std::string last_warning;

[[noreturn]] void unreachable(options const& o)
{
    // (Log lines start with the host already.)
    std::string why = last_warning;
    if (why.starts_with(o.host + ": "))
        why.erase(0, o.host.size() + 2);
    throw failure(
        "cannot reach " + o.host + (why.empty() ? std::string(": timed out") : ": " + why));
}

asio::awaitable<void> send(client::client& c, options const& o)
{
    recon::value body;
    if (o.verb == "set" || o.verb == "command") {
        body = recon_arg(o.rest[0], "VALUE");
    } else if (o.verb == "put") {
        body = warp::to_value(
            warp::map_event::update(recon_arg(o.rest[0], "KEY"), recon_arg(o.rest[1], "VALUE")));
    } else {
        body = warp::to_value(warp::map_event::remove(recon_arg(o.rest[0], "KEY")));
    }
    if (auto ec = c.command(o.host, o.node, o.lane, body))
        throw failure(ec.message() + (last_warning.empty() ? "" : ": " + last_warning));
    auto flushed = co_await (c.async_flush(o.host) || sleep_seconds(o.timeout.value_or(10)));
    if (flushed.index() == 1)
        unreachable(o);
    if (auto ec = std::get<0>(flushed))
        throw failure(ec.message());
}

template <class Downlink>
void watch_end(Downlink& d, options const& o, long& printed)
{
    d.on_linked([&printed, &o] {
        line(R"({"event":"linked"})");
        ++printed;
        (void)o;
    });
    d.on_unlinked([&printed](std::string_view reason) {
        line(R"({"event":"unlinked","reason":)" + quoted(reason) + "}");
        ++printed;
    });
    d.on_failed([](boost::system::error_code, std::string_view why) {
        std::cerr << "swim-cli: " << why << "\n";
    });
    d.on_unreachable([](boost::system::error_code, std::string_view why) {
        std::cerr << "swim-cli: " << why << " (trying again)\n";
    });
}

// Waits until `count` lines were printed, the downlink ends, or the timeout passes.
template <class Downlink>
asio::awaitable<void> wait_done(Downlink& d, options const& o, long const& printed)
{
    auto ex = co_await asio::this_coro::executor;
    double waited = 0;
    constexpr double step = 0.02;
    for (;;) {
        if (o.count && printed >= *o.count)
            co_return;
        if (d.is_closed()) {
            if (!d.reason().empty() && !d.is_linked())
                throw failure("link refused: " + d.reason());
            co_return;
        }
        if (o.timeout && waited >= *o.timeout) {
            if (!d.is_linked() && printed == 0)
                unreachable(o);
            co_return;
        }
        asio::steady_timer t(ex, std::chrono::milliseconds(20));
        co_await t.async_wait(asio::use_awaitable);
        waited += step;
    }
}

asio::awaitable<void> stream(client::client& c, options const& o)
{
    client::downlink_config cfg;
    cfg.keep_synced = o.verb == "sync";
    cfg.events_when_not_synced = true;  // print events as they come
    long printed = 0;
    if (o.map) {
        auto d = c.map_downlink(o.host, o.node, o.lane, cfg);
        watch_end(d, o, printed);
        d.did_update(
            [&](recon::value const& k, recon::value const& v, std::optional<recon::value> const&) {
                line(R"({"event":"update","key":)" + json(k) + R"(,"value":)" + json(v) + "}");
                ++printed;
            });
        d.did_remove([&](recon::value const& k, recon::value const&) {
            line(R"({"event":"remove","key":)" + json(k) + "}");
            ++printed;
        });
        d.did_clear([&] {
            line(R"({"event":"clear"})");
            ++printed;
        });
        d.on_synced([&](auto const&) {
            line(R"({"event":"synced"})");
            ++printed;
        });
        co_await wait_done(d, o, printed);
    } else {
        auto d = c.value_downlink(o.host, o.node, o.lane, cfg);
        watch_end(d, o, printed);
        d.on_event([&](recon::value const& v) {
            line(R"({"event":"set","value":)" + json(v) + "}");
            ++printed;
        });
        d.on_synced([&](recon::value const&) {
            line(R"({"event":"synced"})");
            ++printed;
        });
        co_await wait_done(d, o, printed);
    }
}

// Runs `op` and turns an exception into an error text: with Boost 1.81's `||`, a branch that
// throws does not end the race (only a success does), so the failing branch must not throw.
template <class T, class Op>
asio::awaitable<std::optional<T>> caught(Op op, std::string& error)
{
    try {
        T v = co_await op();
        co_return v;
    } catch (std::exception const& e) {
        error = e.what();
        co_return std::nullopt;
    }
}

asio::awaitable<void> get(client::client& c, options const& o)
{
    double limit = o.timeout.value_or(10);
    std::string error;
    if (o.map) {
        auto d = c.map_downlink(o.host, o.node, o.lane);
        using entries = std::map<recon::value, recon::value>;
        auto r = co_await (
            caught<entries>([&] { return d.get_all(); }, error) || sleep_seconds(limit));
        if (r.index() == 1)
            unreachable(o);
        if (!std::get<0>(r))
            throw failure(error);
        recon::record rec;
        for (auto const& [k, v] : *std::get<0>(r))
            rec.add_slot(k, v);
        line(json(recon::value(std::move(rec))));
    } else {
        auto d = c.value_downlink(o.host, o.node, o.lane);
        auto r = co_await (
            caught<recon::value>([&] { return d.get(); }, error) || sleep_seconds(limit));
        if (r.index() == 1)
            unreachable(o);
        if (!std::get<0>(r))
            throw failure(error);
        line(json(*std::get<0>(r)));
    }
}

}  // namespace

int main(int argc, char** argv)
{
    options o;
    try {
        o = parse_args(argc, argv);
        if (o.verb == "set" || o.verb == "command")
            recon_arg(o.rest[0], "VALUE");
    } catch (bad_arguments const& e) {
        std::cerr << "swim-cli: " << e.what() << "\n" << usage;
        return 2;
    }

    asio::io_context ioc;
    client::client_config cfg;
    cfg.log.level = client::log_level::warning;
    cfg.log.sink = [](client::log_level, std::string_view what) {
        last_warning = std::string(what);
    };
    client::client c(ioc.get_executor(), cfg);

    int status = 0;
    asio::co_spawn(
        c.get_executor(),
        [&]() -> asio::awaitable<void> {
            try {
                if (o.verb == "sync" || o.verb == "link")
                    co_await stream(c, o);
                else if (o.verb == "get")
                    co_await get(c, o);
                else
                    co_await send(c, o);
            } catch (bad_arguments const& e) {
                std::cerr << "swim-cli: " << e.what() << "\n";
                status = 2;
            } catch (boost::system::system_error const& e) {
                std::cerr << "swim-cli: " << e.what() << "\n";
                status = 1;
            } catch (std::exception const& e) {
                std::cerr << "swim-cli: " << e.what() << "\n";
                status = 1;
            }
            co_await c.async_close();
        },
        [&](std::exception_ptr e) {
            if (e)
                status = 1;
        });
    ioc.run();
    return status;
}
