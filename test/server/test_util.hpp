// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// Helpers of the server tests: configs with fast backoff, sleeping, waiting for a condition.

#ifndef SWIM_TEST_SERVER_TEST_UTIL_HPP
#define SWIM_TEST_SERVER_TEST_UTIL_HPP

#include <swim/client/client.hpp>
#include <swim/server/server.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <iostream>

namespace swim::test {

inline client::client_config fast_client_config()
{
    using namespace std::chrono_literals;
    client::client_config cfg;
    cfg.reconnect.first_min = 10ms;
    cfg.reconnect.first_max = 20ms;
    cfg.reconnect.max = 50ms;
    return cfg;
}

/// A server on 127.0.0.1, port 0, with fast backoff for its agents' downlinks; errors and
/// warnings on stderr.
inline server::server_config loopback_server_config()
{
    server::server_config cfg;
    cfg.address = "127.0.0.1";
    cfg.port = 0;
    cfg.client = fast_client_config();
    cfg.log.level = client::log_level::warning;
    cfg.log.sink = [](client::log_level, std::string_view line) {
        std::clog << "server: " << line << "\n";
    };
    return cfg;
}

inline boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds d)
{
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
    co_await t.async_wait(boost::asio::use_awaitable);
}

/// Waits until `done()` holds, up to `limit`; returns whether it does.
template <class Pred>
boost::asio::awaitable<bool> eventually(
    Pred done,
    std::chrono::milliseconds limit = std::chrono::milliseconds(5000))
{
    using namespace std::chrono_literals;
    for (auto waited = 0ms; waited < limit; waited += 5ms) {
        if (done())
            co_return true;
        co_await sleep_for(5ms);
    }
    co_return done();
}

}  // namespace swim::test

#endif
