// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Join value lanes on the wire (over loopback): entries from local and remote links, keys
// added and removed at run time, and what on_unlinked answers (abandon, remove, retry).

#include <swim/client/client.hpp>

#include <set>

#include "server/uplink_fixture.hpp"

namespace {

std::vector<std::string> joined;  // what the lobbies' handlers saw, in order
std::string far_url;              // where /jlobby's join_far links

bool saw(std::string const& line)
{
    return std::find(joined.begin(), joined.end(), line) != joined.end();
}

/// /jroom/:id: a light; `stop` stops the agent.
struct jroom_agent : server::agent {
    explicit jroom_agent(server::agent_context& ctx)
        : agent(ctx)
    {
        stop.on_command([this](recon::value const&) { context().stop(); });
    }
    server::value_lane<bool> light{*this, "light"};
    server::command_lane<> stop{*this, "stop"};
};

/// /jlobby/:id: `rooms` joins the lights of the rooms `join id` names (`join_far id`: on the
/// far server; `join_bad id`: a lane the room does not have); `leave id` removes one;
/// `answer a` sets what on_unlinked answers (abandon, remove or retry).
struct jlobby_agent : server::agent {
    explicit jlobby_agent(server::agent_context& ctx)
        : agent(ctx)
    {
        join.on_command([this](std::string const& id) {
            rooms.add_downlink(id, std::nullopt, "/jroom/" + id, "light");
        });
        join_far.on_command([this](std::string const& id) {
            rooms.add_downlink(id, far_url, "/jroom/" + id, "light");
        });
        join_bad.on_command([this](std::string const& id) {
            rooms.add_downlink(id, std::nullopt, "/jroom/" + id, "nope");
        });
        leave.on_command([this](std::string const& id) { rooms.remove_downlink(id); });
        answer.on_command([this](std::string const& a) { answer_ = a; });
        rooms.on_linked([](std::string const& id) { joined.push_back("linked " + id); })
            .on_synced([](std::string const& id, std::optional<bool> const& v) {
                joined.push_back("synced " + id + (v ? (*v ? " true" : " false") : " none"));
            })
            .on_unlinked([this](std::string const& id) {
                joined.push_back("unlinked " + id);
                if (answer_ == "remove")
                    return server::link_closed_response::remove;
                if (answer_ == "retry")
                    return server::link_closed_response::retry;
                return server::link_closed_response::abandon;
            });
    }
    server::join_value_lane<std::string, bool> rooms{*this, "rooms"};
    server::command_lane<std::string> join{*this, "join"};
    server::command_lane<std::string> join_far{*this, "join_far"};
    server::command_lane<std::string> join_bad{*this, "join_bad"};
    server::command_lane<std::string> leave{*this, "leave"};
    server::command_lane<std::string> answer{*this, "answer"};

private:
    std::string answer_ = "abandon";
};

/// /jmap/:id: a map lane `items`.
struct jmap_agent : server::agent {
    using agent::agent;
    server::map_lane<std::string, std::int64_t> items{*this, "items"};
};

/// /jall: `all` joins the `items` of the /jmap agents `link id` names; `unlink id` removes one.
struct jall_agent : server::agent {
    explicit jall_agent(server::agent_context& ctx)
        : agent(ctx)
    {
        link.on_command([this](std::string const& id) {
            all.add_downlink(id, std::nullopt, "/jmap/" + id, "items");
        });
        unlink.on_command([this](std::string const& id) { all.remove_downlink(id); });
        all.on_synced([](std::string const& id, std::set<std::string> const& keys) {
            joined.push_back("synced " + id + " " + std::to_string(keys.size()));
        });
    }
    server::join_map_lane<std::string, std::string, std::int64_t> all{*this, "all"};
    server::command_lane<std::string> link{*this, "link"};
    server::command_lane<std::string> unlink{*this, "unlink"};
};

void join_routes(server::server& srv)
{
    default_routes(srv);
    BOOST_REQUIRE(!srv.route<jroom_agent>("/jroom/:id"));
    BOOST_REQUIRE(!srv.route<jlobby_agent>("/jlobby/:id"));
    BOOST_REQUIRE(!srv.route<jmap_agent>("/jmap/:id"));
    BOOST_REQUIRE(!srv.route<jall_agent>("/jall"));
}

std::string command(std::string const& node, std::string const& lane, std::string const& body)
{
    return "@command(node:\"" + node + "\",lane:" + lane + ")" + body;
}

std::string rooms_event(std::string const& body)
{
    return R"(@event(node:"/jlobby/1",lane:rooms))" + body;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(join_value_lanes)

BOOST_FIXTURE_TEST_CASE(entries_follow_the_linked_lanes_and_keys_come_and_go, server_fixture)
{
    joined.clear();
    routes = join_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@sync(node:"/jlobby/1",lane:rooms))");
        co_await c.expect_envelope(R"(@linked(node:"/jlobby/1",lane:rooms))");
        co_await c.expect_envelope(R"(@synced(node:"/jlobby/1",lane:rooms))");
        co_await c.send(command("/jroom/7", "light", "true"));
        co_await c.send(command("/jlobby/1", "join", "\"7\""));
        co_await c.expect_envelope(rooms_event(R"(@update(key:"7") true)"));
        BOOST_TEST(co_await swim::test::eventually([] { return saw("synced 7 true"); }));
        BOOST_TEST(saw("linked 7"));
        co_await c.send(command("/jroom/7", "light", "false"));
        co_await c.expect_envelope(rooms_event(R"(@update(key:"7") false)"));
        // A key linked already keeps its first link.
        co_await c.send(command("/jlobby/1", "join_bad", "\"7\""));
        co_await c.expect_silence(quiet);
        // A room that is not there yet: the link makes it.
        co_await c.send(command("/jlobby/1", "join", "\"8\""));
        co_await c.expect_envelope(rooms_event(R"(@update(key:"8") false)"));
        // A second client's sync: a map lane's.
        scripted_client d(ioc);
        co_await d.connect(port);
        co_await d.send(R"(@sync(node:"/jlobby/1",lane:rooms))");
        co_await d.expect_envelope(R"(@linked(node:"/jlobby/1",lane:rooms))");
        co_await d.expect_envelope(rooms_event(R"(@update(key:"7") false)"));
        co_await d.expect_envelope(rooms_event(R"(@update(key:"8") false)"));
        co_await d.expect_envelope(R"(@synced(node:"/jlobby/1",lane:rooms))");
        co_await c.send(command("/jlobby/1", "leave", "\"8\""));
        co_await c.expect_envelope(rooms_event(R"(@remove(key:"8"))"));
        co_await d.expect_envelope(rooms_event(R"(@remove(key:"8"))"));
        // Its link is gone: the room's changes no longer reach the lobby.
        co_await c.send(command("/jroom/8", "light", "true"));
        // Clients' commands to the join lane are refused.
        co_await c.send(command("/jlobby/1", "rooms", R"(@update(key:"9") true)"));
        co_await c.expect_silence(quiet);
        co_await d.close();
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(on_unlinked_answers_abandon_remove_or_retry, server_fixture)
{
    joined.clear();
    routes = join_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@link(node:"/jlobby/1",lane:rooms))");
        co_await c.expect_envelope(R"(@linked(node:"/jlobby/1",lane:rooms))");
        // A lane the room does not have: unlinked (abandon: no entry was made).
        co_await c.send(command("/jlobby/1", "join_bad", "\"1\""));
        BOOST_TEST(co_await swim::test::eventually([] { return saw("unlinked 1"); }));
        co_await c.expect_silence(quiet);

        // abandon: the entry stays, the link ends.
        co_await c.send(command("/jlobby/1", "join", "\"2\""));
        co_await c.expect_envelope(rooms_event(R"(@update(key:"2") false)"));
        co_await c.send(command("/jroom/2", "stop", ""));
        BOOST_TEST(co_await swim::test::eventually([] { return saw("unlinked 2"); }));
        co_await c.send(command("/jroom/2", "light", "true"));
        co_await c.expect_silence(quiet);

        // remove: the entry goes.
        co_await c.send(command("/jlobby/1", "answer", "remove"));
        co_await c.send(command("/jlobby/1", "join", "\"3\""));
        co_await c.expect_envelope(rooms_event(R"(@update(key:"3") false)"));
        co_await c.send(command("/jroom/3", "stop", ""));
        co_await c.expect_envelope(rooms_event(R"(@remove(key:"3"))"));

        // retry: linked again (the room starts again, with its state), and followed.
        co_await c.send(command("/jlobby/1", "answer", "retry"));
        co_await c.send(command("/jlobby/1", "join", "\"4\""));
        co_await c.expect_envelope(rooms_event(R"(@update(key:"4") false)"));
        co_await c.send(command("/jroom/4", "light", "true"));
        co_await c.expect_envelope(rooms_event(R"(@update(key:"4") true)"));
        co_await c.send(command("/jroom/4", "stop", ""));
        BOOST_TEST(co_await swim::test::eventually([] { return saw("unlinked 4"); }));
        // Linked again after a backoff (the value it resyncs is the entry's: nothing sent).
        BOOST_TEST(co_await swim::test::eventually(
            [] { return std::count(joined.begin(), joined.end(), "linked 4") == 2; },
            5s));
        co_await c.send(command("/jroom/4", "light", "false"));
        co_await c.expect_envelope(rooms_event(R"(@update(key:"4") false)"));
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(
    a_join_map_lane_holds_each_key_of_the_link_that_wrote_it_last,
    server_fixture)
{
    joined.clear();
    routes = join_routes;
    run([&]() -> asio::awaitable<void> {
        auto all = [](std::string const& body) {
            return R"(@event(node:"/jall",lane:all))" + body;
        };
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(command("/jmap/a", "items", "@update(key:w) 0"));
        co_await c.send(R"(@sync(node:"/jall",lane:all))");
        co_await c.expect_envelope(R"(@linked(node:"/jall",lane:all))");
        co_await c.expect_envelope(R"(@synced(node:"/jall",lane:all))");
        co_await c.send(command("/jall", "link", "a"));
        co_await c.expect_envelope(all("@update(key:w) 0"));
        BOOST_TEST(co_await swim::test::eventually([] { return saw("synced a 1"); }));
        co_await c.send(command("/jall", "link", "b"));
        co_await c.send(command("/jmap/a", "items", "@update(key:x) 1"));
        co_await c.expect_envelope(all("@update(key:x) 1"));
        co_await c.send(command("/jmap/b", "items", "@update(key:y) 2"));
        co_await c.expect_envelope(all("@update(key:y) 2"));
        // b writes x: x is b's now; a's removal of it no longer counts.
        co_await c.send(command("/jmap/b", "items", "@update(key:x) 3"));
        co_await c.expect_envelope(all("@update(key:x) 3"));
        co_await c.send(command("/jmap/a", "items", "@remove(key:x)"));
        co_await c.expect_silence(quiet);
        // a's clear takes only a's keys.
        co_await c.send(command("/jmap/a", "items", "@clear"));
        co_await c.expect_envelope(all("@remove(key:w)"));
        co_await c.expect_silence(quiet);
        // b's link goes with its keys.
        co_await c.send(command("/jall", "unlink", "b"));
        std::multiset<std::string> got;
        for (int i = 0; i < 2; ++i)
            got.insert(canonical(co_await c.receive()));
        BOOST_TEST(
            got == (std::multiset<std::string>{
                       canonical(all("@remove(key:x)")),
                       canonical(all("@remove(key:y)"))}),
            boost::test_tools::per_element());
        co_await c.close();
    });
}

BOOST_AUTO_TEST_CASE(a_key_linked_to_a_lane_of_another_server)
{
    joined.clear();
    asio::io_context ioc;
    server::server far(ioc.get_executor(), swim::test::loopback_server_config());
    server::server near(ioc.get_executor(), swim::test::loopback_server_config());
    join_routes(far);
    join_routes(near);
    BOOST_REQUIRE(!far.start());
    BOOST_REQUIRE(!near.start());
    far_url = far.local_url();
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        auto rooms = c.map_downlink<std::string, bool>(near.local_url(), "/jlobby/1", "rooms");
        co_await rooms.synced();
        BOOST_TEST(!c.command(far.local_url(), "/jroom/5", "light", true));
        BOOST_TEST(!c.command(near.local_url(), "/jlobby/1", "join_far", std::string("5")));
        BOOST_TEST(co_await swim::test::eventually([&] { return rooms.current("5") == true; }));
        BOOST_TEST(!c.command(far.local_url(), "/jroom/5", "light", false));
        BOOST_TEST(co_await swim::test::eventually([&] { return rooms.current("5") == false; }));
        co_await near.async_stop();
        co_await far.async_stop();
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_CASE(a_remote_link_comes_back_when_its_server_does)
{
    // The far server stops (the link's connection is lost: on_unlinked answers abandon by
    // default, so this lobby answers retry) and another starts on its port: the key is
    // linked again and follows the new room.
    joined.clear();
    asio::io_context ioc;
    auto far_cfg = swim::test::loopback_server_config();
    std::optional<server::server> far(std::in_place, ioc.get_executor(), far_cfg);
    server::server near(ioc.get_executor(), swim::test::loopback_server_config());
    join_routes(*far);
    join_routes(near);
    BOOST_REQUIRE(!far->start());
    BOOST_REQUIRE(!near.start());
    far_url = far->local_url();
    far_cfg.port = far->port();
    swim::test::run_test(
        ioc,
        [&]() -> asio::awaitable<void> {
            client::client c(ioc.get_executor(), swim::test::fast_client_config());
            auto rooms = c.map_downlink<std::string, bool>(near.local_url(), "/jlobby/1", "rooms");
            co_await rooms.synced();
            BOOST_TEST(!c.command(near.local_url(), "/jlobby/1", "answer", std::string("retry")));
            BOOST_TEST(!c.command(far_url, "/jroom/6", "light", true));
            BOOST_TEST(!c.command(near.local_url(), "/jlobby/1", "join_far", std::string("6")));
            BOOST_TEST(co_await swim::test::eventually([&] { return rooms.current("6") == true; }));
            co_await far->async_stop();
            far.reset();
            BOOST_TEST(co_await swim::test::eventually([] { return saw("unlinked 6"); }));
            far.emplace(ioc.get_executor(), far_cfg);
            join_routes(*far);
            BOOST_REQUIRE(!far->start());
            // The new room's light is its own (false): the entry follows it.
            BOOST_TEST(
                co_await swim::test::eventually([&] { return rooms.current("6") == false; }, 20s));
            BOOST_TEST(!c.command(far_url, "/jroom/6", "light", true));
            BOOST_TEST(co_await swim::test::eventually([&] { return rooms.current("6") == true; }));
            co_await near.async_stop();
            co_await far->async_stop();
            co_await c.async_close();
        },
        60s);
}

BOOST_AUTO_TEST_SUITE_END()
