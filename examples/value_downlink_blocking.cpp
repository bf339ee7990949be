// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The value downlink example in the blocking style of the Python client
// (`with SwimClient() as swim_client:`): no coroutines in sight.
//
//   value_downlink_blocking [HOST]        (default warp://localhost:9001)

#include <swim/client/blocking_client.hpp>

#include <iostream>
#include <optional>
#include <string>

std::string show(std::optional<bool> const& v)
{
    return v ? (*v ? "true" : "false") : "(absent)";
}

int main(int argc, char** argv)
{
    std::string host = argc > 1 ? argv[1] : "warp://localhost:9001";
    swim::client::blocking_client swim_client;  // runs its own io_context thread

    auto value_downlink = swim_client.value_downlink<std::optional<bool>>(
        host,
        "/hotel/room/123",
        "light");
    value_downlink.did_set(
        [](std::optional<bool> const& now, std::optional<std::optional<bool>> const& before) {
            std::cout << "Link watched info change TO " << show(now) << " from "
                      << show(before.value_or(std::nullopt)) << '\n';
        });
    std::cout << "light is " << show(value_downlink.get()) << '\n';  // blocks until synced
    value_downlink.set(true);  // update the local and remote state of the downlink
    swim_client.close();       // writes the set first, then closes
}
