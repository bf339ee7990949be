// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The swim-cpp demo: no external server needed. For each example of the SwimOS
// documentation it starts a fresh embedded server with the demo plan (hotel rooms, the
// lobby) in this process, runs the example program against it, and prints
// what the example printed. Then the agent-side downlink examples (seed 001), which bring
// their own server. Exits 0 when every example did.
//
//   swim_demo

#include <swim/server/demo_plan.hpp>
#include <swim/server/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

/// The demo plan on 127.0.0.1, on its own thread, for as long as it lives.
class embedded_server {
public:
    embedded_server()
        : srv_(ioc_.get_executor(), config())
    {
        swim::server::demo::add_demo_plan(srv_);
        if (auto ec = srv_.start())
            throw std::runtime_error("cannot start the embedded server: " + ec.message());
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~embedded_server()
    {
        auto done = asio::co_spawn(ioc_, srv_.async_stop(), asio::use_future);
        done.wait();
        thread_.join();
    }

    std::string url() const { return srv_.local_url(); }

private:
    static swim::server::server_config config()
    {
        swim::server::server_config cfg;
        cfg.address = "127.0.0.1";
        cfg.port = 0;
        return cfg;
    }

    asio::io_context ioc_;
    swim::server::server srv_;
    std::thread thread_;
};

/// Runs `program args...`, its output going to ours; returns its exit status.
int run(fs::path const& program, std::vector<std::string> args)
{
    args.insert(args.begin(), program.string());
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::fflush(stdout);
    std::cout.flush();
    pid_t pid = 0;
    if (int err = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ)) {
        std::cerr << "cannot run " << program << ": " << std::strerror(err) << "\n";
        return 127;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int main(int, char** argv)
{
    // The example programs are built next to the demo.
    fs::path bin = fs::canonical("/proc/self/exe").parent_path();
    (void)argv;
    struct example {
        char const* name;
        char const* what;
        bool needs_server;
    };
    example const examples[] = {
        {"value_downlink", "seed 000: the hotel room light, value downlink, coroutines", true},
        {"value_downlink_blocking", "seed 000: the same, blocking style", true},
        {"map_downlink", "seed 002: the lobby elevators, map downlink, coroutines", true},
        {"map_downlink_blocking", "seed 002: the same, blocking style", true},
        {"agent_downlinks", "seed 001: agents with value downlinks to other agents", false},
    };
    int failed = 0;
    for (auto const& e : examples) {
        std::cout << "\n== " << e.name << " (" << e.what << ")\n";
        int status = 0;
        if (e.needs_server) {
            embedded_server server;
            std::cout << "   embedded server at " << server.url() << "\n";
            status = run(bin / e.name, {server.url()});
        } else {
            status = run(bin / e.name, {});
        }
        if (status != 0) {
            std::cout << "!! " << e.name << " exited with status " << status << "\n";
            ++failed;
        }
    }
    std::cout << "\n" << (failed == 0 ? "every example ran" : "some examples failed") << "\n";
    return failed == 0 ? 0 : 1;
}
