// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// `swim-server` (the tool built beside the tests) as a child process: started on a port,
// killed, with its descriptor limit and its stderr as a test asks.

#ifndef SWIM_TEST_SERVER_SERVER_PROCESS_HPP
#define SWIM_TEST_SERVER_SERVER_PROCESS_HPP

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace swim::test {

/// `swim-server` (the tool built beside this test) as a child process.
class server_process {
public:
    server_process() = default;
    server_process(server_process const&) = delete;
    server_process& operator=(server_process const&) = delete;
    ~server_process() { kill(); }

    /// Starts it on 127.0.0.1:`port` (0: any) and returns the port it listens on, read from
    /// its "listening warp://127.0.0.1:<port>" line; 0 when it did not start.
    /// Before start(): the child's descriptor limit (RLIMIT_NOFILE; 0: inherited), and a
    /// file its stderr goes to (empty: inherited).
    rlim_t nofile = 0;
    std::string stderr_path;

    std::uint16_t start(std::uint16_t port, std::vector<std::string> const& extra = {})
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0)
            return 0;
        std::string const port_text = std::to_string(port);
        std::string const tool = SWIM_SERVER_TOOL;
        std::vector<char const*> argv =
            {tool.c_str(), "--host", "127.0.0.1", "--port", port_text.c_str(), "--log", "warning"};
        for (auto const& a : extra)
            argv.push_back(a.c_str());
        argv.push_back(nullptr);
        pid_ = ::fork();
        if (pid_ == 0) {
            // The child: it dies with the test process (a test killed by ctest leaves no
            // server behind), and writes its "listening" line into the pipe.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            ::dup2(fds[1], STDOUT_FILENO);
            if (!stderr_path.empty()) {
                int const err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
                if (err >= 0)
                    ::dup2(err, STDERR_FILENO);
            }
            if (nofile != 0) {
                rlimit lim{nofile, nofile};
                ::setrlimit(RLIMIT_NOFILE, &lim);
            }
            ::execv(tool.c_str(), const_cast<char* const*>(argv.data()));
            ::_exit(127);
        }
        ::close(fds[1]);
        if (pid_ < 0) {
            ::close(fds[0]);
            BOOST_ERROR("cannot start " << tool << ": " << std::strerror(errno));
            return 0;
        }
        // One line, within 30 s; then the pipe is left to the child.
        std::string line;
        auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fds[0], POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0)
                continue;
            char c = 0;
            if (::read(fds[0], &c, 1) != 1 || c == '\n')
                break;
            line += c;
        }
        ::close(fds[0]);
        auto colon = line.rfind(':');
        if (line.rfind("listening ", 0) != 0 || colon == std::string::npos) {
            BOOST_ERROR("swim-server did not start: '" << line << "'");
            return 0;
        }
        return static_cast<std::uint16_t>(std::stoul(line.substr(colon + 1)));
    }

    /// SIGTERM, then waits up to `limit` for it to end. @returns its exit status; -1 when it
    /// did not exit within `limit` (it is killed then) or died of a signal.
    int terminate(std::chrono::milliseconds limit)
    {
        if (pid_ <= 0)
            return -1;
        ::kill(pid_, SIGTERM);
        auto const deadline = std::chrono::steady_clock::now() + limit;
        int status = 0;
        for (;;) {
            pid_t const r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_)
                break;
            if (r < 0 && errno != EINTR)
                return -1;
            if (std::chrono::steady_clock::now() >= deadline) {
                kill();
                return -1;
            }
            ::usleep(5000);
        }
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    /// SIGKILL, and waits for it to end: no close frame, no @unlinked, its state lost.
    void kill()
    {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
    }

private:
    pid_t pid_ = -1;
};

}  // namespace swim::test

#endif
