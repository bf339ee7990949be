// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Meta lanes (server_config::meta), on the wire: a node's `lanes` and `pulse`, the mesh's
// `nodes`; off by default; subject to the auth policy.

#include "server/uplink_fixture.hpp"

namespace {

constexpr char const* unit_meta = "swimos:meta:node/%2Funit%2F1";

std::string meta_event(std::string const& node, std::string const& lane, std::string const& body)
{
    return "@event(node:\"" + node + "\",lane:" + lane + ")" + body;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(meta_lanes)

BOOST_FIXTURE_TEST_CASE(meta_lanes_are_off_unless_asked_for, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@sync(node:"swimos:meta:mesh",lane:nodes))");
        co_await c.expect_envelope(R"(@unlinked(node:"swimos:meta:mesh",lane:nodes)@nodeNotFound)");
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_nodes_lanes_and_pulse_and_the_meshs_nodes, server_fixture)
{
    cfg.meta = true;
    cfg.meta_pulse_interval = 200ms;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@command(node:"/unit/1",lane:value) 5)");
        // The node's lanes, each with its kind.
        co_await c.send(std::string(R"(@sync(node:")") + unit_meta + R"(",lane:lanes))");
        co_await c.expect_envelope(
            std::string(R"(@linked(node:")") + unit_meta + R"(",lane:lanes))");
        std::set<std::string> got;
        for (int i = 0; i < 6; ++i)
            got.insert(canonical(co_await c.receive()));
        co_await c.expect_envelope(
            std::string(R"(@synced(node:")") + unit_meta + R"(",lane:lanes))");
        auto lane = [](std::string const& name, std::string const& type) {
            return canonical(meta_event(
                unit_meta,
                "lanes",
                "@update(key:" + name + "){laneUri:" + name + ",laneType:" + type + "}"));
        };
        BOOST_TEST(got.count(lane("value", "Value")) == 1u);
        BOOST_TEST(got.count(lane("map", "Map")) == 1u);
        BOOST_TEST(got.count(lane("fill", "Command")) == 1u);

        // Its pulse: on sync, then every interval to its links.
        co_await c.send(R"(@link(node:"/unit/1",lane:value))");
        co_await c.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        co_await c.send(R"(@command(node:"/unit/1",lane:value) 6)");
        co_await c.expect_envelope(R"(@event(node:"/unit/1",lane:value) 6)");
        co_await c.send(std::string(R"(@sync(node:")") + unit_meta + R"(",lane:pulse))");
        co_await c.expect_envelope(
            std::string(R"(@linked(node:")") + unit_meta + R"(",lane:pulse))");
        auto const body = co_await c.receive();
        BOOST_TEST(body.find(R"(@event(node:"swimos:meta:node/%2Funit%2F1",lane:pulse))") == 0u);
        BOOST_TEST(body.find("linkCount:1") != std::string::npos, body);
        BOOST_TEST(body.find("commandCount:2") != std::string::npos, body);
        BOOST_TEST(body.find("eventCount:2") != std::string::npos, body);
        co_await c.expect_envelope(
            std::string(R"(@synced(node:")") + unit_meta + R"(",lane:pulse))");
        co_await c.send(R"(@command(node:"/unit/1",lane:value) 7)");
        co_await c.expect_envelope(R"(@event(node:"/unit/1",lane:value) 7)");
        bool ticked = false;
        for (int i = 0; i < 5 && !ticked; ++i) {
            auto next = co_await c.receive();
            ticked = next.find("commandCount:3") != std::string::npos;
        }
        BOOST_TEST(ticked);

        // The mesh: every agent, this one live.
        scripted_client m(ioc);
        co_await m.connect(port);
        co_await m.send(R"(@sync(node:"swimos:meta:mesh",lane:nodes))");
        co_await m.expect_envelope(R"(@linked(node:"swimos:meta:mesh",lane:nodes))");
        std::set<std::string> nodes;
        for (;;) {
            auto f = co_await m.receive();
            if (f.starts_with("@synced"))
                break;
            nodes.insert(canonical(f));
        }
        BOOST_TEST(
            nodes.count(canonical(meta_event(
                "swimos:meta:mesh",
                "nodes",
                R"(@update(key:"/unit/1"){nodeUri:"/unit/1",live:true})"))) == 1u);
        co_await m.close();
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(the_auth_policy_decides_who_links_meta_lanes, server_fixture)
{
    cfg.meta = true;
    cfg.auth.on_request = [](std::optional<recon::value> const&, server::lane_request const& r) {
        return r.node.starts_with("swimos:meta:") ? server::request_verdict::refuse
                                                  : server::request_verdict::allow;
    };
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@sync(node:"swimos:meta:mesh",lane:nodes))");
        co_await c.expect_envelope(R"(@unlinked(node:"swimos:meta:mesh",lane:nodes))");
        BOOST_TEST(srv->get_stats().agents == 0u);
        co_await c.close();
    });
}

BOOST_AUTO_TEST_SUITE_END()
