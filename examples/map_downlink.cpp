// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The SwimOS documentation's map downlink example (Python MapDownlink), in C++ with
// coroutines: the elevators of /hotel/lobby.
//
//   map_downlink [HOST]        (default warp://localhost:9001)

#include <swim/client/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>
#include <optional>
#include <string>

namespace asio = boost::asio;

int main(int argc, char** argv)
{
    std::string host = argc > 1 ? argv[1] : "warp://localhost:9001";
    asio::io_context ioc;
    swim::client::client client(ioc.get_executor());

    asio::co_spawn(
        client.get_executor(),
        [&]() -> asio::awaitable<void> {
            auto map = client.map_downlink<std::string, std::string>(
                host,
                "/hotel/lobby",
                "elevators");
            map.did_update([](std::string const& key,
                              std::string const& now,
                              std::optional<std::string> const& before) {
                std::cout << "Link watched " << key << " changed to " << now << " from "
                          << before.value_or("(absent)") << '\n';
            });
            map.did_remove([](std::string const& key, std::string const& was) {
                std::cout << "Link removed " << key << " with value " << was << '\n';
            });
            auto guest = co_await map.get("guest");  // the locally cached value, once synced
            std::cout << "guest: " << guest.value_or("(absent)") << '\n';
            map.set("service", "elevator");  // locally and remotely insert a new entry
            map.set("parking", "garage");
            map.erase("parking");  // locally and remotely remove an entry
            co_await client.async_close();
        },
        [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
    ioc.run();
}
