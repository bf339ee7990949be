// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// The meta agents (server_config::meta): swimos:meta:node/<node> (pulse, lanes) and
// swimos:meta:mesh (nodes), ordinary agents whose lanes read the server's own state.

#include <swim/server/demand_lanes.hpp>
#include <swim/server/server.hpp>
#include <swim/warp/http_route.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <memory>

#include "server_impl.hpp"

namespace swim::server::detail {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// How swim-rust names a lane's kind in `lanes`.
char const* lane_type(lane_kind k) noexcept
{
    switch (k) {
        case lane_kind::value: return "Value";
        case lane_kind::map: return "Map";
        case lane_kind::command: return "Command";
        case lane_kind::supply: return "Supply";
        case lane_kind::demand: return "Demand";
        case lane_kind::demand_map: return "DemandMap";
        case lane_kind::join_value: return "JoinValue";
        case lane_kind::join_map: return "JoinMap";
        case lane_kind::http: return "Http";
        case lane_kind::store: return "Store";
    }
    return "Value";
}

recon::value record_of(std::initializer_list<std::pair<char const*, recon::value>> slots)
{
    recon::record r;
    for (auto const& [k, v] : slots)
        r.add_slot(recon::value(k), v);
    return recon::value(std::move(r));
}

/// swimos:meta:node/<percent-encoded node URI>: `pulse` and `lanes` of that node's agent
/// (none is made for it).
struct meta_node_agent : agent {
    explicit meta_node_agent(agent_context& ctx)
        : agent(ctx)
        , srv_(ctx.runtime().server())
    {
        if (!warp::percent_decode(ctx.param("node"), target_))
            target_.clear();
        pulse.on_cue([this] { return pulse_now(); });
        lanes.keys([this] {
            std::vector<std::string> names;
            if (auto const* catalog = catalog_of())
                for (std::size_t i = 0; i < catalog->names.size(); ++i)
                    if (catalog->kinds[i] != lane_kind::store)
                        names.push_back(catalog->names[i]);
            return names;
        });
        lanes.on_cue_key([this](std::string const& name) -> std::optional<recon::value> {
            auto const* catalog = catalog_of();
            auto const i = catalog ? catalog->find(name) : -1;
            if (i < 0 || catalog->kinds[static_cast<std::size_t>(i)] == lane_kind::store)
                return std::nullopt;
            return record_of(
                {{"laneUri", recon::value(name)},
                 {"laneType",
                  recon::value(lane_type(catalog->kinds[static_cast<std::size_t>(i)]))}});
        });
    }

    void on_start() override
    {
        // Every meta_pulse_interval, the pulse to the links of `pulse` (while it has any).
        ticking_ = std::make_shared<ticker>(
            context().get_executor(),
            srv_.config().meta_pulse_interval);
        srv_.task_started();
        asio::co_spawn(
            context().get_executor(),
            [t = ticking_, this]() -> asio::awaitable<void> {
                while (!t->stopped) {
                    t->timer.expires_after(t->interval);
                    auto [ignored] = co_await t->timer.async_wait(use_tuple);
                    (void)ignored;
                    if (t->stopped)
                        break;
                    if (pulse.uplink_count() != 0)
                        pulse.cue();
                }
            },
            [&srv = srv_](std::exception_ptr) { srv.task_done(); });
    }

    void on_stop() override
    {
        if (ticking_) {
            ticking_->stopped = true;
            ticking_->timer.cancel();
        }
    }

    demand_lane<recon::value> pulse{*this, "pulse"};
    demand_map_lane<std::string, recon::value> lanes{*this, "lanes"};

private:
    struct ticker {
        ticker(asio::any_io_executor ex, std::chrono::milliseconds every)
            : timer(ex)
            , interval(every)
        {}
        asio::steady_timer timer;
        std::chrono::milliseconds interval;
        bool stopped = false;
    };

    /// The target's lanes: its agent's catalog, else its route's (the agent not made yet).
    lane_catalog const* catalog_of()
    {
        if (auto rt = srv_.find_agent(target_))
            catalog_ = rt->catalog();
        else if (auto const* route = srv_.route_of(target_))
            catalog_ = route->catalog();
        else
            catalog_.reset();
        return catalog_.get();
    }

    recon::value pulse_now()
    {
        auto rt = srv_.find_agent(target_);
        std::uint32_t links = 0;
        std::uint32_t events = 0;
        std::uint32_t commands = 0;
        if (rt) {
            links = rt->link_count();
            events = rt->events();
            commands = rt->commands();
        }
        // Rates per second since the last pulse (counts wrap at 2^32: differences do not care).
        auto const now = std::chrono::steady_clock::now();
        double const secs = std::chrono::duration<double>(now - last_at_).count();
        auto rate = [&](std::uint32_t count, std::uint32_t before) {
            return secs > 0 && last_at_ != std::chrono::steady_clock::time_point{}
                       ? static_cast<std::int64_t>(
                             static_cast<std::uint32_t>(count - before) / secs)
                       : std::int64_t(0);
        };
        auto body = record_of(
            {{"uplinks",
              record_of(
                  {{"linkCount", recon::value(std::int64_t(links))},
                   {"eventRate", recon::value(rate(events, last_events_))},
                   {"eventCount", recon::value(std::int64_t(events))},
                   {"commandRate", recon::value(rate(commands, last_commands_))},
                   {"commandCount", recon::value(std::int64_t(commands))}})}});
        last_at_ = now;
        last_events_ = events;
        last_commands_ = commands;
        return body;
    }

    server_impl& srv_;
    std::string target_;
    std::shared_ptr<lane_catalog const> catalog_;
    std::shared_ptr<ticker> ticking_;
    std::chrono::steady_clock::time_point last_at_{};
    std::uint32_t last_events_ = 0;
    std::uint32_t last_commands_ = 0;
};

/// swimos:meta:mesh: `nodes`, every agent's node URI (live or dormant).
struct meta_mesh_agent : agent {
    explicit meta_mesh_agent(agent_context& ctx)
        : agent(ctx)
        , srv_(ctx.runtime().server())
    {
        nodes.keys([this] {
            std::vector<std::string> out;
            for (auto& [node, live] : srv_.agent_nodes())
                out.push_back(std::move(node));
            return out;
        });
        nodes.on_cue_key([this](std::string const& node) -> std::optional<recon::value> {
            auto live = srv_.agent_live(node);
            if (!live)
                return std::nullopt;
            return record_of({{"nodeUri", recon::value(node)}, {"live", recon::value(*live)}});
        });
    }

    demand_map_lane<std::string, recon::value> nodes{*this, "nodes"};

private:
    server_impl& srv_;
};

}  // namespace

void server_impl::add_meta_routes()
{
    auto add = [this](std::string pattern, std::vector<std::string> segments, agent_factory make) {
        auto& r = routes_.emplace_back();
        r.pattern = std::move(pattern);
        r.segments = std::move(segments);
        r.make = std::move(make);
        r.server = this;
        r.meta = true;
    };
    add("swimos:meta:node/:node", {"swimos:meta:node", ":node"}, [](agent_context& ctx) {
        return std::unique_ptr<agent>(std::make_unique<meta_node_agent>(ctx));
    });
    add("swimos:meta:mesh", {"swimos:meta:mesh"}, [](agent_context& ctx) {
        return std::unique_ptr<agent>(std::make_unique<meta_mesh_agent>(ctx));
    });
}

}  // namespace swim::server::detail
