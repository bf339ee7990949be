// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The SwimOS documentation's value downlink example (Python ValueDownlink), in C++ with
// coroutines: sync with the light of /hotel/room/123, read it, set it, watch it change.
//
//   value_downlink [HOST]        (default warp://localhost:9001)

#include <swim/client/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>
#include <optional>
#include <string>

namespace asio = boost::asio;

// The light may be empty: std::optional<bool>.
std::string show(std::optional<bool> const& v)
{
    return v ? (*v ? "true" : "false") : "(absent)";
}

int main(int argc, char** argv)
{
    std::string host = argc > 1 ? argv[1] : "warp://localhost:9001";
    asio::io_context ioc;
    swim::client::client client(ioc.get_executor());

    asio::co_spawn(
        client.get_executor(),
        [&]() -> asio::awaitable<void> {
            auto light = client.value_downlink<std::optional<bool>>(
                host,
                "/hotel/room/123",
                "light");
            // did_set: the value changed, remotely or locally. A handler may be a coroutine.
            light.did_set(
                [](std::optional<bool> const& now,
                   std::optional<std::optional<bool>> const& before) -> asio::awaitable<void> {
                    std::cout << "Link watched info change TO " << show(now) << " from "
                              << show(before.value_or(std::nullopt)) << '\n';
                    co_return;
                });
            auto current = co_await light.get();  // the current state, once synced
            std::cout << "light is " << show(current) << '\n';
            light.set(true);                          // updates the local and the remote state
            auto echo = co_await light.next_event();  // the server's echo of our set
            std::cout << "server says " << show(echo) << '\n';
            co_await client.async_close();
        },
        [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
    ioc.run();
}
