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
 * | /hotel/room/:id | state     | HTTP                 | GET the lanes as a record, PUT sets them |
 * | /hotel/lobby    | elevators | map string -> string | put/remove by clients                   |
 * | /hotel/lobby    | rooms     | join value id -> light | every started room's light, live      |
 * | /hotel/lobby    | join      | command id           | joins /hotel/room/<id>'s light to rooms |
 * | /unit/:id       | value     | value int            | benchmark value                         |
 * | /unit/:id       | map       | map string -> int    | benchmark map                           |
 * | /unit/:id       | fill      | command n            | clear map, put k0000000..k(n-1) -> i    |
 * | /unit/:id       | clear     | command              | clear map                               |
 * | /unit/:id       | burst     | command n            | set value to 1..n as fast as it can     |
 * | /unit/:id       | pump      | command ms           | set value 1, 2, 3... for ms milliseconds|
 *
 * The /unit/:id benchmark agents are served only when asked (demo_options::bench_agents,
 * `swim-server --bench-agents`): anyone who reaches them can make the server work hard.
 * Their work is bounded even then: fill at most max_fill entries, burst at most max_burst
 * sets, pump at most max_pump_ms; a larger count is not applied and is logged. All three run
 * in batches and let the server's other work run between them, and end when the agent stops.
 */

namespace swim::server::demo {

/// /hotel/room/:id
struct room_agent : agent {
    /// Declares the lanes and their handlers.
    explicit room_agent(agent_context& ctx);
    /// Has the lobby join its light (`join` of /hotel/lobby, with its id).
    void on_start() override;

    value_lane<> light;
    command_lane<> toggle;
    command_lane<> command;
    /// `GET /hotel/room/7?lane=state`: `{light:...}` (JSON when asked); `PUT` a record of
    /// lanes (Recon or JSON) sets them.
    http_lane state;
};

/// /hotel/lobby
struct lobby_agent : agent {
    /// Declares the lane.
    explicit lobby_agent(agent_context& ctx);

    map_lane<std::string, std::string> elevators;
    /// Every room that started, by id, and its light.
    join_value_lane<std::string> rooms;
    /// `join id`: links /hotel/room/<id>'s light into rooms.
    command_lane<std::string> join;
};

/// The most entries `fill` puts, sets `burst` makes, milliseconds `pump` runs.
inline constexpr std::int64_t max_fill = 10'000'000;
inline constexpr std::int64_t max_burst = 10'000'000;
inline constexpr std::int64_t max_pump_ms = 60'000;

/// /unit/:id (served with demo_options::bench_agents)
struct unit_agent : agent {
    /// Declares the lanes and their handlers.
    explicit unit_agent(agent_context& ctx);

    void on_start() override { stopping_ = false; }
    /// Ends a fill, burst or pump at its next batch.
    void on_stop() override { stopping_ = true; }

    value_lane<std::int64_t> value;
    map_lane<std::string, std::int64_t> map;
    command_lane<std::int64_t> fill;
    command_lane<> clear;
    command_lane<std::int64_t> burst;
    command_lane<std::int64_t> pump;

    /// The key fill() gives entry `i`: "k0000000" and up.
    static std::string key(std::int64_t i);

private:
    /// Whether `n` is within 0..max; logs why not.
    bool within(char const* lane, std::int64_t n, std::int64_t max);

    bool stopping_ = false;
};

/// What add_demo_plan() serves besides the hotel.
struct demo_options {
    /// Serve the /unit/:id benchmark agents too (swim-bench needs them).
    bool bench_agents = false;
};

/// Registers the routes of the demo plan on `srv` (before start()): the hotel's two, and
/// /unit/:id when `opts.bench_agents`. The first error of server::route(), if any.
boost::system::error_code add_demo_plan(server& srv, demo_options opts = {});

}  // namespace swim::server::demo

#endif
