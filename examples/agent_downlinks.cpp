// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The SwimOS documentation's server value downlink examples (swim-rust, "Server Value
// Downlinks"), in C++: agents that open value downlinks to lanes of other agents of the same
// server, in one example server, and a client that drives them and prints what the
// handlers did.
//
//   agent_downlinks
//
// The agents, one per example of the page:
//   /example/:id   a value lane `lane` (the lanes the downlinks link to)
//   /lifecycle     the full lifecycle builder: prints every handler      -> /example/2 lane
//   /counter       with_shared_state: counts events into `event_count`   -> /example/3 lane
//   /holder        keeps the handle in the agent's state                 -> /example/4 lane
//   /doubler       sets the downlink to double what its own lane receives -> /example/5 lane
//   /stopper       stops the downlink when its own lane receives -1      -> /example/6 lane

#include <swim/client/client.hpp>
#include <swim/server/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <functional>
#include <iostream>
#include <optional>
#include <string>

namespace asio = boost::asio;
using namespace swim::server;

// An agent starts on the first envelope for one of its lanes: the agents below that link
// elsewhere have a `wake` lane for the client to start them with a command.
struct wakeable_agent : agent {
    using agent::agent;
    command_lane<> wake{*this, "wake"};
};

// The lanes the downlinks link to.
struct example_agent : agent {
    using agent::agent;
    value_lane<int> lane{*this, "lane"};
};

// Opening a value downlink with the full lifecycle; the handle is kept in the agent.
struct lifecycle_agent : wakeable_agent {
    using wakeable_agent::wakeable_agent;
    std::optional<value_downlink_handle<int>> handle;

    void on_start() override
    {
        handle = context()
                     .value_downlink_builder<int>(std::nullopt, "/example/2", "lane")
                     .on_linked([] { std::cout << "Link opened.\n"; })
                     .on_synced(
                         [](int const& v) { std::cout << "Link synchronized: " << v << "\n"; })
                     .on_event(
                         [](int const& v) { std::cout << "Received value on link: " << v << "\n"; })
                     .on_unlinked([] { std::cout << "Link closed.\n"; })
                     .on_failed([] { std::cout << "Link failed.\n"; })
                     .done();
    }
};

// A stateful lifecycle: the shared state counts the events; the count goes to a lane.
struct counter_agent : agent {
    using agent::agent;
    value_lane<std::uint64_t> event_count{*this, "event_count"};
    std::optional<value_downlink_handle<int>> handle;

    void on_start() override
    {
        handle = context()
                     .value_downlink_builder<int>(std::nullopt, "/example/3", "lane")
                     .with_shared_state(std::uint64_t{0})
                     .on_event([this](std::uint64_t& count, agent_context&, int const&) {
                         event_count.set(++count);
                     })
                     .done();
    }
};

// The handle stored in the agent's state, to use later.
struct holder_agent : wakeable_agent {
    using wakeable_agent::wakeable_agent;
    std::optional<value_downlink_handle<int>> handle;

    void on_start() override
    {
        handle = context().value_downlink_builder<int>(std::nullopt, "/example/4", "lane").done();
    }
};

// Set: the downlink (and so its lane) gets double what this agent's lane receives.
struct doubler_agent : wakeable_agent {
    value_lane<std::uint64_t> lane{*this, "lane"};
    std::optional<value_downlink_handle<std::uint64_t>> handle;

    explicit doubler_agent(agent_context& ctx)
        : wakeable_agent(ctx)
    {
        lane.on_event([this](std::uint64_t const& value) {
            // If setting the downlink fails, forget it.
            if (handle && handle->set(value * 2))
                handle.reset();
        });
    }

    void on_start() override
    {
        handle = context()
                     .value_downlink_builder<std::uint64_t>(std::nullopt, "/example/5", "lane")
                     .done();
    }
};

// Stop: the downlink stops when this agent's lane receives the sentinel -1.
struct stopper_agent : wakeable_agent {
    value_lane<int> lane{*this, "lane"};
    std::optional<value_downlink_handle<int>> handle;

    explicit stopper_agent(agent_context& ctx)
        : wakeable_agent(ctx)
    {
        lane.on_event([this](int const& value) {
            if (handle && value == -1) {
                handle->stop();
                handle.reset();
                std::cout << "stopper: the downlink is stopped\n";
            }
        });
    }

    void on_start() override
    {
        handle = context()
                     .value_downlink_builder<int>(std::nullopt, "/example/6", "lane")
                     .on_event([](int const& v) { std::cout << "stopper: received " << v << "\n"; })
                     .done();
    }
};

namespace {

asio::awaitable<void> settle()
{
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(200));
    co_await t.async_wait(asio::use_awaitable);
}

}  // namespace

int main()
{
    asio::io_context ioc;
    server_config cfg;
    cfg.address = "127.0.0.1";
    cfg.port = 0;
    server srv(ioc.get_executor(), cfg);
    srv.route<example_agent>("/example/:id");
    srv.route<lifecycle_agent>("/lifecycle");
    srv.route<counter_agent>("/counter");
    srv.route<holder_agent>("/holder");
    srv.route<doubler_agent>("/doubler");
    srv.route<stopper_agent>("/stopper");
    if (auto ec = srv.start()) {
        std::cerr << "cannot start the server: " << ec.message() << "\n";
        return 1;
    }
    std::string host = srv.local_url();
    swim::client::client client(ioc.get_executor());

    asio::co_spawn(
        client.get_executor(),
        [&]() -> asio::awaitable<void> {
            // Agents start on the first envelope for one of their lanes: a command to `wake`.
            auto wake = [&](char const* node) {
                client.command(host, node, "wake");
            };

            std::cout << "-- the full lifecycle (/lifecycle -> /example/2)\n";
            client.command(host, "/example/2", "lane", 7);
            wake("/lifecycle");
            co_await settle();
            client.command(host, "/example/2", "lane", 8);
            co_await settle();

            std::cout << "-- shared state: counting events (/counter -> /example/3)\n";
            auto count = client.value_downlink<std::uint64_t>(host, "/counter", "event_count");
            co_await count.synced();
            co_await settle();
            for (int i = 1; i <= 3; ++i)
                client.command(host, "/example/3", "lane", i * 10);
            co_await settle();
            std::cout << "event_count is " << co_await count.get() << "\n";

            std::cout << "-- the handle kept in the agent (/holder -> /example/4)\n";
            wake("/holder");
            co_await settle();
            std::cout << "/holder has started with its handle\n";

            std::cout << "-- set: double what the lane receives (/doubler -> /example/5)\n";
            auto doubled = client.value_downlink<int>(host, "/example/5", "lane");
            co_await doubled.synced();
            wake("/doubler");
            co_await settle();
            client.command(host, "/doubler", "lane", 21);
            co_await settle();
            std::cout << "/example/5 lane is " << co_await doubled.get() << "\n";

            std::cout << "-- stop on a sentinel (/stopper -> /example/6)\n";
            wake("/stopper");
            co_await settle();
            client.command(host, "/example/6", "lane", 1);
            co_await settle();
            client.command(host, "/stopper", "lane", -1);
            co_await settle();
            client.command(host, "/example/6", "lane", 2);  // nobody hears this one
            co_await settle();

            co_await client.async_close();
            co_await srv.async_stop();
        },
        [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
    ioc.run();
}
