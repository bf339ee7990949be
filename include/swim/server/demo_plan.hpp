// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_DEMO_PLAN_HPP
#define SWIM_SERVER_DEMO_PLAN_HPP

#include <swim/server/server.hpp>

#include <cstdint>
#include <string>

/** @file
 * The demo plan (architecture §4), served by swim-server and the in-process demo:
 *
 * | node            | lane      | kind                 | behaviour                               |
 * |-----------------|-----------|----------------------|-----------------------------------------|
 * | /hotel/room/:id | light     | value (any value)    | set by clients                          |
 * | /hotel/room/:id | toggle    | command              | flips light as a boolean                |
 * | /hotel/room/:id | command   | command              | relays commands to linked clients       |
 * | /hotel/lobby    | elevators | map string -> string | put/remove by clients                   |
 * | /unit/:id       | value     | value int            | benchmark value                         |
 * | /unit/:id       | map       | map string -> int    | benchmark map                           |
 * | /unit/:id       | fill      | command n            | clear map, put k0000000..k(n-1) -> i    |
 * | /unit/:id       | clear     | command              | clear map                               |
 * | /unit/:id       | burst     | command n            | set value to 1..n in a tight loop       |
 * | /unit/:id       | pump      | command ms           | set value 1, 2, 3... for ms milliseconds|
 */

namespace swim::server::demo {

/// /hotel/room/:id
struct room_agent : agent {
    /// Declares the lanes and their handlers.
    explicit room_agent(agent_context& ctx);

    value_lane<> light;
    command_lane<> toggle;
    command_lane<> command;
};

/// /hotel/lobby
struct lobby_agent : agent {
    /// Declares the lane.
    explicit lobby_agent(agent_context& ctx);

    map_lane<std::string, std::string> elevators;
};

/// /unit/:id
struct unit_agent : agent {
    /// Declares the lanes and their handlers.
    explicit unit_agent(agent_context& ctx);

    value_lane<std::int64_t> value;
    map_lane<std::string, std::int64_t> map;
    command_lane<std::int64_t> fill;
    command_lane<> clear;
    command_lane<std::int64_t> burst;
    command_lane<std::int64_t> pump;

    /// The key fill() gives entry `i`: "k0000000" and up.
    static std::string key(std::int64_t i);
};

/// Registers the three routes of the demo plan on `srv` (before start()); the first error of
/// server::route(), if any.
boost::system::error_code add_demo_plan(server& srv);

}  // namespace swim::server::demo

#endif
