// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// swim-store-bench: what the agents' store costs (issue 17). bench/run_store_bench.sh runs it
// against swim-server in each durability mode and prints the table of bench/README.md.
//
//   swim-store-bench writes HOST [--clients 100] [--seconds 3] [--window 32]
//   swim-store-bench reload [--entries 1000000] [--dir DIR] [--durability synced|none]
//
// writes: --clients bare WebSocket connections (this tool's own framing, so the figures are
//         the server's), each linked to the value lane of an agent of its own
//         (/unit/store-<pid>-<i>), each sending `@command ... value n` for n = 1, 2, ... with
//         at most --window commands not yet seen back as events. An update counts once its
//         event comes back: with a durable store in synced mode it is on disk then. Reports
//         updates/s over --seconds after a 0.5 s warm-up, and per client.
// reload: in this process: a server on a RocksDB directory (--dir, else a fresh one under
//         the system's temporary directory, removed after) whose agent fills a map lane with
//         --entries entries (written through, as a client's would be), stops; a second
//         server on the same directory then starts the agent: the time from the request to
//         its on_start (the entries read back and in the lane).

#include <swim/server/server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "../tools/bare_ws.hpp"

namespace asio = boost::asio;
using namespace swim;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr char const* usage =
    "usage: swim-store-bench writes HOST [--clients 100] [--seconds 3] [--window 32]\n"
    "       swim-store-bench reload [--entries 1000000] [--dir DIR]\n";

double seconds_since(clock_type::time_point t)
{
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// ---- writes ------------------------------------------------------------------------------------

struct writer {
    explicit writer(asio::any_io_executor ex)
        : socket(ex)
    {}
    asio::ip::tcp::socket socket;
    std::int64_t sent = 0;
    std::int64_t acked = 0;
    /// acked when the measurement started / ended.
    std::int64_t at_start = 0, at_end = 0;
    std::string error;
    bool done = false;
};

/// Connects, upgrades, links its lane, then keeps `window` commands in flight until stopped.
asio::awaitable<void> run_writer(
    asio::ip::tcp::endpoint ep,
    std::string host,
    std::string node,
    int window,
    writer& w,
    bool const& stop)
{
    auto tuple = asio::as_tuple(asio::use_awaitable);
    auto& s = w.socket;
    auto [cec] = co_await s.async_connect(ep, tuple);
    if (cec) {
        w.error = "connect: " + cec.message();
        co_return;
    }
    s.set_option(asio::ip::tcp::no_delay(true));
    std::string req = tools::upgrade_request(host);
    auto [wec, wn] = co_await asio::async_write(s, asio::buffer(req), tuple);
    std::string head;
    auto [hec, hn] = co_await asio::async_read_until(
        s,
        asio::dynamic_buffer(head),
        "\r\n\r\n",
        tuple);
    if (wec || hec || head.compare(0, 12, "HTTP/1.1 101") != 0) {
        w.error = "upgrade failed";
        co_return;
    }
    std::vector<char> buf(1 << 16);
    std::size_t have = head.size() - hn;
    std::memcpy(buf.data(), head.data() + hn, have);
    std::string const command = "@command(node:\"" + node + "\",lane:value)";
    std::string out;
    tools::append_client_frame(out, "@link(node:\"" + node + "\",lane:value)");
    while (!stop) {
        while (w.sent - w.acked < window) {
            auto const n = std::to_string(++w.sent);
            tools::append_client_frame(out, command + n);
        }
        if (!out.empty()) {
            auto [e, n] = co_await asio::async_write(s, asio::buffer(out), tuple);
            if (e) {
                w.error = "write: " + e.message();
                break;
            }
            out.clear();
        }
        auto [rec, n] = co_await s.async_read_some(
            asio::buffer(buf.data() + have, buf.size() - have),
            tuple);
        if (rec) {
            w.error = "read: " + rec.message();
            break;
        }
        have += n;
        std::size_t at = 0;
        tools::server_frame f;
        std::size_t need = 0;
        while (tools::next_server_frame({buf.data() + at, have - at}, f, need)) {
            at += f.size;
            if (f.opcode == 8) {
                w.error = "closed by the server";
                w.done = true;
                co_return;
            }
            if (f.payload.starts_with("@event"))
                w.acked = std::max(w.acked, tools::event_number(f.payload));
        }
        if (need > buf.size())
            buf.resize(need * 2);
        std::memmove(buf.data(), buf.data() + at, have - at);
        have -= at;
    }
    w.done = true;
}

asio::awaitable<void> sleep_for(double s)
{
    asio::steady_timer t(
        co_await asio::this_coro::executor,
        std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s)));
    co_await t.async_wait(asio::use_awaitable);
}

int writes(std::string const& url, int clients, double secs, int window)
{
    auto rest = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
    auto colon = rest.rfind(':');
    if (colon == std::string::npos) {
        std::cerr << "swim-store-bench: HOST is warp://host:port\n";
        return 2;
    }
    asio::io_context ioc(1);
    asio::ip::tcp::resolver resolver(ioc);
    auto ep = resolver.resolve(rest.substr(0, colon), rest.substr(colon + 1)).begin()->endpoint();
    std::vector<std::unique_ptr<writer>> ws;
    bool stop = false;
    auto const tag = std::to_string(::getpid());
    for (int i = 0; i < clients; ++i) {
        ws.push_back(std::make_unique<writer>(ioc.get_executor()));
        asio::co_spawn(
            ioc,
            run_writer(
                ep,
                rest,
                "/unit/store-" + tag + "-" + std::to_string(i),
                window,
                *ws.back(),
                stop),
            [](std::exception_ptr) {});
    }
    double took = 0;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await sleep_for(0.5);
            for (auto& w : ws)
                w->at_start = w->acked;
            auto const t0 = clock_type::now();
            co_await sleep_for(secs);
            took = seconds_since(t0);
            for (auto& w : ws)
                w->at_end = w->acked;
            stop = true;
            for (auto& w : ws) {
                boost::system::error_code ec;
                w->socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
                w->socket.close(ec);
            }
        },
        [](std::exception_ptr) {});
    ioc.run();
    std::int64_t total = 0, lo = std::numeric_limits<std::int64_t>::max(), hi = 0;
    int failed = 0;
    for (auto& w : ws) {
        auto const n = w->at_end - w->at_start;
        total += n;
        lo = std::min(lo, n);
        hi = std::max(hi, n);
        if (!w->error.empty() && w->at_end == 0) {
            ++failed;
            std::cerr << "swim-store-bench: a writer failed: " << w->error << "\n";
        }
    }
    std::printf(
        "writes clients=%d window=%d seconds=%.2f updates=%lld updates_per_s=%.0f "
        "per_client_min=%.0f per_client_max=%.0f\n",
        clients,
        window,
        took,
        static_cast<long long>(total),
        total / took,
        lo / took,
        hi / took);
    return failed ? 1 : 0;
}

// ---- reload --------------------------------------------------------------------------------

/// Fills its map lane `entries` with `fill n` (keys k0000000.., values their index).
struct fill_agent : server::agent {
    explicit fill_agent(server::agent_context& ctx)
        : agent(ctx)
    {
        fill.on_command([this](std::int64_t n) {
            char key[32];
            for (std::int64_t i = 0; i < n; ++i) {
                std::snprintf(key, sizeof key, "k%07lld", static_cast<long long>(i));
                entries.update(key, i);
            }
        });
    }
    void on_start() override
    {
        started_at = clock_type::now();
        size_at_start = entries.size();
    }

    server::map_lane<std::string, std::int64_t> entries{*this, "entries"};
    server::command_lane<std::int64_t> fill{*this, "fill"};
    static inline clock_type::time_point started_at{};
    static inline std::size_t size_at_start = 0;
};

/// Runs `body` against a server on `dir`, then stops it.
void with_server(std::string const& dir, std::function<asio::awaitable<void>(server::server&)> body)
{
    asio::io_context ioc(1);
    server::server_config cfg;
    cfg.address = "127.0.0.1";
    cfg.port = 0;
    boost::system::error_code ec;
    std::string why;
    cfg.store.engine = server::open_rocksdb_store(dir, ec, why);
    if (!cfg.store.engine)
        throw std::runtime_error(why);
    cfg.log.level = client::log_level::warning;
    cfg.log.sink = [](client::log_level, std::string_view line) {
        std::cerr << "server: " << line << "\n";
    };
    {
        server::server srv(ioc.get_executor(), cfg);
        cfg.store.engine.reset();
        if (srv.route<fill_agent>("/fill/:id") || srv.start())
            throw std::runtime_error("the server did not start");
        std::exception_ptr failure;
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                try {
                    co_await body(srv);
                } catch (...) {
                    failure = std::current_exception();
                }
                co_await srv.async_stop();
            },
            [](std::exception_ptr) {});
        ioc.run();
        if (failure)
            std::rethrow_exception(failure);
    }
}

/// Sends one frame on a plain WebSocket connection to `port` (then closes it).
asio::awaitable<void> send_frame(std::uint16_t port, std::string payload)
{
    asio::ip::tcp::socket s(co_await asio::this_coro::executor);
    co_await s.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
    std::string req = tools::upgrade_request("127.0.0.1");
    co_await asio::async_write(s, asio::buffer(req), asio::use_awaitable);
    std::string head;
    co_await asio::async_read_until(s, asio::dynamic_buffer(head), "\r\n\r\n", asio::use_awaitable);
    std::string frame;
    tools::append_client_frame(frame, payload);
    co_await asio::async_write(s, asio::buffer(frame), asio::use_awaitable);
}

int reload(long entries, std::string dir)
{
    bool const own = dir.empty();
    if (own) {
        std::random_device rd;
        dir = (std::filesystem::temp_directory_path() /
               ("swim-store-bench-" + std::to_string(rd())))
                  .string();
    }
    try {
        // 1. Filled through the lane (every entry written through to the store).
        auto const fill_start = clock_type::now();
        with_server(dir, [&](server::server& srv) -> asio::awaitable<void> {
            co_await send_frame(
                srv.port(),
                "@command(node:\"/fill/1\",lane:fill)" + std::to_string(entries));
            while (fill_agent::size_at_start == 0 &&
                   fill_agent::started_at == clock_type::time_point{})
                co_await sleep_for(0.01);
            // (Stopping waits for the agent's writes.)
            co_await sleep_for(0.2);
        });
        double const fill_s = seconds_since(fill_start);
        // 2. Read back by a new server.
        fill_agent::started_at = {};
        clock_type::time_point asked{};
        std::size_t loaded = 0;
        double reload_s = 0;
        with_server(dir, [&](server::server& srv) -> asio::awaitable<void> {
            asked = clock_type::now();
            co_await send_frame(srv.port(), "@command(node:\"/fill/1\",lane:fill)0");
            while (fill_agent::started_at == clock_type::time_point{})
                co_await sleep_for(0.001);
            reload_s = std::chrono::duration<double>(fill_agent::started_at - asked).count();
            loaded = fill_agent::size_at_start;
        });
        std::printf(
            "reload entries=%ld loaded=%zu fill_and_stop_s=%.3f reload_s=%.3f\n",
            entries,
            loaded,
            fill_s,
            reload_s);
        if (own)
            std::filesystem::remove_all(dir);
        return loaded == static_cast<std::size_t>(entries) ? 0 : 1;
    } catch (std::exception const& e) {
        std::cerr << "swim-store-bench: " << e.what() << "\n";
        if (own)
            std::filesystem::remove_all(dir);
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::cout << usage;
        return args.empty() ? 2 : 0;
    }
    std::map<std::string, std::string> opt;
    std::vector<std::string> pos;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i].rfind("--", 0) == 0 && i + 1 < args.size())
            opt[args[i]] = args[i + 1], ++i;
        else
            pos.push_back(args[i]);
    }
    auto num = [&](std::string const& name, long def) {
        auto it = opt.find(name);
        if (it == opt.end())
            return def;
        long v = 0;
        auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
        if (ec != std::errc() || v <= 0) {
            std::cerr << "swim-store-bench: " << name << " '" << it->second
                      << "' is not a positive number\n";
            std::exit(2);
        }
        return v;
    };
    if (pos[0] == "writes" && pos.size() == 2)
        return writes(
            pos[1],
            static_cast<int>(num("--clients", 100)),
            static_cast<double>(num("--seconds", 3)),
            static_cast<int>(num("--window", 32)));
    if (pos[0] == "reload" && pos.size() == 1)
        return reload(num("--entries", 1000000), opt.count("--dir") ? opt["--dir"] : "");
    std::cerr << usage;
    return 2;
}
