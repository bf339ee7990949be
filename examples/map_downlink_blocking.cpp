// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The map downlink example in the blocking style of the Python client.
//
//   map_downlink_blocking [HOST]        (default warp://localhost:9001)

#include <swim/client/blocking_client.hpp>

#include <iostream>
#include <optional>
#include <string>

int main(int argc, char** argv)
{
    std::string host = argc > 1 ? argv[1] : "warp://localhost:9001";
    swim::client::blocking_client swim_client;

    auto map_downlink = swim_client.map_downlink<std::string, std::string>(
        host,
        "/hotel/lobby",
        "elevators");
    map_downlink.did_update([](std::string const& key,
                               std::string const& now,
                               std::optional<std::string> const& before) {
        std::cout << "Link watched " << key << " changed to " << now << " from "
                  << before.value_or("(absent)") << '\n';
    });
    map_downlink.did_remove([](std::string const& key, std::string const& was) {
        std::cout << "Link removed " << key << " with value " << was << '\n';
    });
    std::cout << "guest: " << map_downlink.get("guest").value_or("(absent)") << '\n';
    map_downlink.set("service", "elevator");  // locally and remotely insert a new entry
    map_downlink.set("parking", "garage");
    map_downlink.erase("parking");  // locally and remotely remove an entry (Python: delete)
    swim_client.close();
}
