// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// swim-server: serves the demo plan (hotel rooms, the lobby; the /unit/:id benchmark agents
// with --bench-agents) until SIGINT or SIGTERM.
//
//   swim-server [--host H] [--port P] [--threads N] [--tls-cert FILE --tls-key FILE]
//               [--idle-timeout SECONDS] [--agent-idle-timeout SECONDS] [--bench-agents]
//               [--data-dir DIR [--durability synced|batched[:MS]|none]]
//               [--log debug|info|warning|error]
//
// Prints "listening warp://H:P" (warps:// with TLS) once it accepts connections. SIGINT or
// SIGTERM stops it within about a second, whatever runs: every link gets @unlinked and every
// connection close 1001; with --data-dir the agents' last changes are written and the store
// made durable before it exits. Exit status: 0 stopped cleanly, 1 could not listen or open
// the data directory, 2 bad arguments.

#include <swim/server/demo_plan.hpp>
#include <swim/server/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace swim;

namespace {

constexpr char const* usage =
    "usage: swim-server [--host H] [--port P] [--threads N] [--tls-cert FILE --tls-key FILE]\n"
    "                   [--idle-timeout SECONDS] [--agent-idle-timeout SECONDS] [--bench-agents]\n"
    "                   [--http-root DIR] [--no-meta]\n"
    "                   [--data-dir DIR [--durability synced|batched[:MS]|none]]\n"
    "                   [--log debug|info|warning|error]\n"
    "Serves the demo plan: /hotel/room/:id (light, toggle, command), /hotel/lobby (elevators,\n"
    "rooms: a join value lane of every started room's light, join).\n"
    "Port 0 picks a free port. HTTP on the same port: /<node>?lane=<lane> to an HTTP lane\n"
    "(GET /hotel/room/7?lane=state), and with --http-root the files under DIR (index.html for\n"
    "a directory).\n"
    "Meta lanes (swimos:meta:node/<percent-encoded node> pulse and lanes, swimos:meta:mesh\n"
    "nodes) are served unless --no-meta.\n"
    "--bench-agents: serve /unit/:id too (value, map, fill, clear, burst, pump), the agents\n"
    "swim-bench drives; anyone who reaches the port can make the server work hard with them.\n"
    "--idle-timeout: a connection silent this long (not even a pong to the ping sent after\n"
    "half of it) is closed; default 90, 0 never.\n"
    "--agent-idle-timeout: an agent with no link and no activity this long is stopped, its\n"
    "lanes' state kept for the next envelope; default 300, 0 never.\n"
    "--data-dir: the agents' value and map lanes and stores are kept in DIR (RocksDB; made\n"
    "when missing) and read back after a restart; without it they live in memory.\n"
    "--durability: synced (default) writes each change to disk before any client sees it;\n"
    "batched:MS every MS milliseconds (default 100), a crash loses at most that; none when the\n"
    "system writes it back.\n";

bool parse_number(std::string const& s, unsigned long max, unsigned long& out)
{
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out <= max;
}

}  // namespace

int main(int argc, char** argv)
{
    server::server_config cfg;
    unsigned long threads = 1;
    std::string data_dir;
    bool durability_set = false;
    server::demo::demo_options plan;
    cfg.log.level = client::log_level::warning;
    cfg.agent_idle_timeout = std::chrono::minutes(5);
    cfg.meta = true;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "swim-server: " << a << " needs a value\n" << usage;
                std::exit(2);
            }
            return argv[++i];
        };
        unsigned long n = 0;
        if (a == "--host") {
            cfg.address = value();
        } else if (a == "--port") {
            auto v = value();
            if (!parse_number(v, 65535, n)) {
                std::cerr << "swim-server: --port '" << v << "' is not a port (0 to 65535)\n";
                return 2;
            }
            cfg.port = static_cast<std::uint16_t>(n);
        } else if (a == "--threads") {
            auto v = value();
            if (!parse_number(v, 256, threads) || threads == 0) {
                std::cerr << "swim-server: --threads '" << v << "' is not 1 to 256\n";
                return 2;
            }
        } else if (a == "--idle-timeout") {
            auto v = value();
            if (!parse_number(v, 86400, n)) {
                std::cerr << "swim-server: --idle-timeout '" << v
                          << "' is not a number of seconds (0 to 86400)\n";
                return 2;
            }
            cfg.idle_timeout = std::chrono::seconds(n);
        } else if (a == "--agent-idle-timeout") {
            auto v = value();
            if (!parse_number(v, 86400 * 365, n)) {
                std::cerr << "swim-server: --agent-idle-timeout '" << v
                          << "' is not a number of seconds (0 to 31536000)\n";
                return 2;
            }
            cfg.agent_idle_timeout = std::chrono::seconds(n);
        } else if (a == "--bench-agents") {
            plan.bench_agents = true;
        } else if (a == "--http-root") {
            cfg.http_root = value();
        } else if (a == "--no-meta") {
            cfg.meta = false;
        } else if (a == "--data-dir") {
            data_dir = value();
        } else if (a == "--durability") {
            auto v = value();
            durability_set = true;
            if (v == "synced") {
                cfg.store.mode = server::durability::synced;
            } else if (v == "none") {
                cfg.store.mode = server::durability::none;
            } else if (v == "batched" || v.starts_with("batched:")) {
                cfg.store.mode = server::durability::batched;
                if (v != "batched") {
                    if (!parse_number(v.substr(8), 3600000, n) || n == 0) {
                        std::cerr << "swim-server: --durability '" << v
                                  << "': batched:MS takes 1 to 3600000 milliseconds\n";
                        return 2;
                    }
                    cfg.store.batch_interval = std::chrono::milliseconds(n);
                }
            } else {
                std::cerr << "swim-server: --durability '" << v
                          << "' is not synced, batched, batched:MS or none\n";
                return 2;
            }
        } else if (a == "--tls-cert") {
            cfg.tls.cert_file = value();
        } else if (a == "--tls-key") {
            cfg.tls.key_file = value();
        } else if (a == "--log") {
            auto v = value();
            if (v == "debug")
                cfg.log.level = client::log_level::debug;
            else if (v == "info")
                cfg.log.level = client::log_level::info;
            else if (v == "warning")
                cfg.log.level = client::log_level::warning;
            else if (v == "error")
                cfg.log.level = client::log_level::error;
            else {
                std::cerr << "swim-server: --log '" << v
                          << "' is not debug, info, warning or error\n";
                return 2;
            }
        } else if (a == "-h" || a == "--help") {
            std::cout << usage;
            return 0;
        } else {
            std::cerr << "swim-server: unknown argument '" << a << "'\n" << usage;
            return 2;
        }
    }
    if (durability_set && data_dir.empty()) {
        std::cerr << "swim-server: --durability needs --data-dir\n";
        return 2;
    }
    if (cfg.tls.cert_file.empty() != cfg.tls.key_file.empty()) {
        std::cerr << "swim-server: --tls-cert and --tls-key go together\n";
        return 2;
    }
    cfg.log.sink = [](client::log_level, std::string_view line) {
        std::cerr << "swim-server: " << line << "\n";
    };
    cfg.client.log = cfg.log;
    if (!data_dir.empty()) {
        boost::system::error_code ec;
        std::string why;
        cfg.store.engine = server::open_rocksdb_store(data_dir, ec, why);
        if (!cfg.store.engine) {
            std::cerr << "swim-server: --data-dir: " << why << "\n";
            return 1;
        }
    }

    asio::io_context ioc(static_cast<int>(threads));
    server::server srv(ioc.get_executor(), cfg);
    server::demo::add_demo_plan(srv, plan);
    if (auto ec = srv.start()) {
        if (ec == server::error::http_root)
            std::cerr << "swim-server: --http-root '" << cfg.http_root << "': " << ec.message()
                      << "\n";
        else
            std::cerr << "swim-server: cannot listen on " << cfg.address << ":" << cfg.port << ": "
                      << ec.message() << "\n";
        return 1;
    }
    std::printf(
        "listening %s://%s:%u\n",
        cfg.tls.enabled() ? "warps" : "warp",
        cfg.address.c_str(),
        static_cast<unsigned>(srv.port()));
    std::fflush(stdout);

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (ec)
            return;
        asio::co_spawn(ioc, srv.async_stop(), asio::detached);
    });
    std::vector<std::thread> pool;
    for (unsigned long t = 1; t < threads; ++t)
        pool.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : pool)
        t.join();
    return 0;
}
