// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The sans-io reader half of a server connection: what a client asks, and what the session
// decides (its table of uplinks, the link limit, the auth policy), against a directory that
// is a table. Frames in, what happened out.

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/server_session.hpp>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

using namespace swim;
using lines = std::vector<std::string>;

namespace {

/** A server of three agents, with an auth policy: `/secret/...` needs an identity;
 * `@auth{token:good}` is authed with a session, `{token:bad}` forbidden, anything else
 * deauthed. `/full/1` stands for an agent max_agents keeps from starting.
 * Everything asked of it is recorded as a line.
 */
class table_directory final : public warp::uplink_directory {
public:
    lines log;
    std::vector<std::shared_ptr<warp::uplink>> opened;

    warp::auth_answer authenticate(recon::value const& credentials) override
    {
        std::string const text = recon::to_string(credentials);
        log.push_back("authenticate " + text);
        if (text == "{token:good}")
            return {warp::auth_answer::kind::authed, recon::parse("@session{id:7}")};
        if (text == "{token:bad}")
            return {warp::auth_answer::kind::forbidden, {}};
        return {warp::auth_answer::kind::deauthed, {}};
    }

    bool allow(warp::uplink_request const& r, std::optional<recon::value> const& identity) override
    {
        return !r.node.starts_with("/secret") || identity.has_value();
    }

    warp::open_result open(warp::uplink_request& r) override
    {
        auto const agent = agents_.find(std::string(r.node));
        if (agent == agents_.end())
            return {warp::route_result::node_not_found, nullptr, {}};
        if (!agent->second.count(std::string(r.lane)))
            return {warp::route_result::lane_not_found, nullptr, {}};
        if (r.node == "/full/1")
            return {warp::route_result::unavailable, nullptr, "too many agents"};
        log.push_back(describe("open", r));
        auto up = std::make_shared<warp::owned_uplink>(r.node, r.lane);
        opened.push_back(up);
        return {warp::route_result::ok, up, {}};
    }

    bool reopen(warp::uplink_request& r, std::shared_ptr<warp::uplink> const& link) override
    {
        BOOST_TEST(link->node() == r.node);
        log.push_back(describe("reopen", r));
        // `/gone/1`'s agent was forgotten: its links are stale.
        return r.node != "/gone/1";
    }

    void unlink(std::shared_ptr<warp::uplink> link) override
    {
        log.push_back("unlink " + std::string(link->node()) + " " + std::string(link->lane()));
    }

    warp::route_result command(warp::uplink_request& r) override
    {
        auto const agent = agents_.find(std::string(r.node));
        if (agent == agents_.end() || !agent->second.count(std::string(r.lane)))
            return warp::route_result::node_not_found;
        log.push_back(
            "command " + std::string(r.node) + " " + std::string(r.lane) + " " +
            recon::to_string(r.body));
        return warp::route_result::ok;
    }

    void reply(std::string frame) override { log.push_back("reply " + frame); }

    void close_connection(std::uint16_t code, std::string_view reason) override
    {
        log.push_back("close " + std::to_string(code) + " " + std::string(reason));
    }

    void note(std::string_view what) override { log.push_back("note " + std::string(what)); }

private:
    static std::string describe(char const* what, warp::uplink_request const& r)
    {
        std::string s = std::string(what) + " " + std::string(r.node) + " " + std::string(r.lane) +
                        (r.what == warp::uplink_request::type::sync ? " sync" : " link");
        if (r.params.prio != 0 || r.params.rate != 0)
            s += " prio " + recon::to_string(recon::value(r.params.prio)) + " rate " +
                 recon::to_string(recon::value(r.params.rate));
        return s;
    }

    std::map<std::string, std::set<std::string>> agents_ = {
        {"/hotel/room/1", {"light", "toggle"}},
        {"/secret/1", {"light"}},
        {"/full/1", {"light"}},
        {"/gone/1", {"light"}},
    };
};

struct session_case {
    char const* name;
    warp::server_session_options opts;
    lines in;
    lines out;
};

std::ostream& operator<<(std::ostream& os, session_case const& c)
{
    return os << c.name;
}

warp::server_session_options const plain{};
warp::server_session_options const two_links{0, 2, true};
warp::server_session_options const local{0, 0, false};

session_case const cases[] = {
    {"a link goes to the agent, which answers it",
     plain,
     {R"(@link(node:"/hotel/room/1",lane:light))"},
     {"open /hotel/room/1 light link"}},
    {"a sync too, with prio and rate",
     plain,
     {R"(@sync(node:"/hotel/room/1",lane:light,prio:0.5,rate:10))"},
     {"open /hotel/room/1 light sync prio 0.5 rate 10.0"}},
    {"a second link of a linked lane is answered again by its agent",
     plain,
     {R"(@link(node:"/hotel/room/1",lane:light))", R"(@sync(node:"/hotel/room/1",lane:light))"},
     {"open /hotel/room/1 light link", "reopen /hotel/room/1 light sync"}},
    {"a link whose agent is gone is opened anew",
     plain,
     {R"(@link(node:"/gone/1",lane:light))", R"(@link(node:"/gone/1",lane:light))"},
     {"open /gone/1 light link", "reopen /gone/1 light link", "open /gone/1 light link"}},
    {"no route: nodeNotFound, and nothing is kept",
     plain,
     {R"(@link(node:"/nowhere",lane:light))", R"(@sync(node:"/nowhere",lane:light))"},
     {R"(reply @unlinked(node:"/nowhere",lane:light)@nodeNotFound)",
      R"(reply @unlinked(node:"/nowhere",lane:light)@nodeNotFound)"}},
    {"no such lane: laneNotFound, and nothing is kept",
     plain,
     {R"(@link(node:"/hotel/room/1",lane:dark))", R"(@link(node:"/hotel/room/1",lane:dark))"},
     {R"(reply @unlinked(node:"/hotel/room/1",lane:dark)@laneNotFound)",
      R"(reply @unlinked(node:"/hotel/room/1",lane:dark)@laneNotFound)"}},
    {"an agent that cannot start: the reason",
     plain,
     {R"(@link(node:"/full/1",lane:light))"},
     {R"x(reply @unlinked(node:"/full/1",lane:light) "too many agents")x"}},
    {"refused by the policy: @unlinked without a body, the agent never asked",
     plain,
     {R"(@sync(node:"/secret/1",lane:light))"},
     {R"(reply @unlinked(node:"/secret/1",lane:light))"}},
    {"authed: the identity opens what the policy guards",
     plain,
     {"@auth{token:good}", R"(@sync(node:"/secret/1",lane:light))"},
     {"authenticate {token:good}", "reply @authed@session{id:7}", "open /secret/1 light sync"}},
    {"deauth forgets the identity without asking the policy",
     plain,
     {"@auth{token:good}", "@deauth", R"(@link(node:"/secret/1",lane:light))"},
     {"authenticate {token:good}",
      "reply @authed@session{id:7}",
      "reply @deauthed",
      R"(reply @unlinked(node:"/secret/1",lane:light))"}},
    {"credentials refused: deauthed",
     plain,
     {"@auth{token:meh}"},
     {"authenticate {token:meh}", "reply @deauthed"}},
    {"credentials forbidden: deauthed, then the connection closes",
     plain,
     {"@auth{token:bad}"},
     {"authenticate {token:bad}", "reply @deauthed", "close 1008 Unauthorized"}},
    {"the link limit: tooManyLinks, and an unlink makes room",
     two_links,
     {R"(@link(node:"/hotel/room/1",lane:light))",
      R"(@link(node:"/hotel/room/1",lane:toggle))",
      R"(@link(node:"/secret/1",lane:light))",
      R"(@link(node:"/hotel/room/1",lane:light))",
      R"(@unlink(node:"/hotel/room/1",lane:light))",
      R"(@link(node:"/full/1",lane:nothing))",
      R"(@link(node:"/hotel/room/1",lane:light))"},
     {"open /hotel/room/1 light link",
      "open /hotel/room/1 toggle link",
      R"(reply @unlinked(node:"/secret/1",lane:light))",
      "reopen /hotel/room/1 light link",
      "unlink /hotel/room/1 light",
      R"(reply @unlinked(node:"/full/1",lane:nothing)@laneNotFound)",
      "open /hotel/room/1 light link"}},
    {"over the limit: refused before anything is asked",
     two_links,
     {R"(@link(node:"/hotel/room/1",lane:light))",
      R"(@link(node:"/hotel/room/1",lane:toggle))",
      R"(@link(node:"/nowhere",lane:x))"},
     {"open /hotel/room/1 light link",
      "open /hotel/room/1 toggle link",
      R"(reply @unlinked(node:"/nowhere",lane:x)@tooManyLinks)",
      "note a link was refused: the connection holds max_links_per_connection links"}},
    {"an unlink of a lane not linked does nothing",
     plain,
     {R"(@unlink(node:"/hotel/room/1",lane:light))", R"(@unlink(node:"/nowhere",lane:x))"},
     {}},
    {"commands go to their lane; to no lane, or refused, they are dropped",
     plain,
     {R"(@command(node:"/hotel/room/1",lane:toggle){a:1})",
      R"(@command(node:"/nowhere",lane:x) 1)",
      R"(@command(node:"/secret/1",lane:light) 2)"},
     {"command /hotel/room/1 toggle {a:1}",
      "note a command to /nowhere x was dropped: no such lane",
      "note a command to /secret/1 light was dropped: the auth policy refused it"}},
    {"what a server sends is ignored",
     plain,
     {R"(@event(node:"/hotel/room/1",lane:light) 1)",
      R"(@linked(node:"/hotel/room/1",lane:light))",
      "@authed"},
     {}},
    {"the server's own links: no policy",
     local,
     {"@auth{token:bad}", R"(@link(node:"/secret/1",lane:light))"},
     {"reply @authed", "open /secret/1 light link"}},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(server_session_suite)

BOOST_DATA_TEST_CASE(frames_in_decisions_out, boost::unit_test::data::make(cases), c)
{
    warp::server_session s(c.opts);
    table_directory dir;
    for (auto const& frame : c.in)
        BOOST_TEST(!s.on_frame(frame, dir), frame);
    BOOST_TEST(dir.log == c.out, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bad_frames_are_errors_that_say_why_and_nothing_is_done)
{
    warp::server_session s;
    table_directory dir;
    auto e1 = s.on_frame("this is not recon {", dir);
    BOOST_TEST((e1.code == warp::error::not_an_envelope));
    auto e2 = s.on_frame(R"(@bogus(node:"/unit/3",lane:value))", dir);
    BOOST_TEST(e2.message() == "unknown envelope tag: bogus");
    auto e3 = s.on_frame(R"(@command(node:"/hotel/room/1",lane:light) {1)", dir);
    BOOST_TEST((e3.code == warp::error::malformed_body));
    BOOST_TEST(e3.message() == "malformed envelope body: unterminated record at 42");
    BOOST_TEST(dir.log.empty());
}

BOOST_AUTO_TEST_CASE(an_ended_link_is_forgotten_once_and_the_next_link_is_new)
{
    warp::server_session s;
    table_directory dir;
    BOOST_TEST(!s.on_frame(R"(@link(node:"/hotel/room/1",lane:light))", dir));
    BOOST_TEST_REQUIRE(dir.opened.size() == 1u);
    auto first = dir.opened[0];
    BOOST_TEST(s.links() == 1u);
    // The agent stopped: the connection forgets the link and hands it back, once.
    BOOST_TEST(s.end(*first) == first);
    BOOST_TEST(s.end(*first) == nullptr);
    BOOST_TEST(s.links() == 0u);
    // Linked again: a new uplink (the agent gets a new one, not a reopen).
    BOOST_TEST(!s.on_frame(R"(@link(node:"/hotel/room/1",lane:light))", dir));
    BOOST_TEST_REQUIRE(dir.opened.size() == 2u);
    BOOST_TEST(dir.log.back() == "open /hotel/room/1 light link");
    // An end of the old one now leaves the new one alone.
    BOOST_TEST(s.end(*first) == nullptr);
    BOOST_TEST(s.find("/hotel/room/1", "light") == dir.opened[1]);
    // The client unlinked first: the end finds nothing (the agent has that unlink).
    BOOST_TEST(!s.on_frame(R"(@unlink(node:"/hotel/room/1",lane:light))", dir));
    BOOST_TEST(s.end(*dir.opened[1]) == nullptr);
}

BOOST_AUTO_TEST_CASE(node_and_lane_do_not_run_together)
{
    // ("/a", "bc") and ("/ab", "c") are two links.
    warp::server_session s;
    table_directory dir;
    auto a = std::make_shared<warp::owned_uplink>("/a", "bc");
    auto b = std::make_shared<warp::owned_uplink>("/ab", "c");
    BOOST_TEST(a->node() == "/a");
    BOOST_TEST(a->lane() == "bc");
    BOOST_TEST(b->node() == "/ab");
    BOOST_TEST(b->lane() == "c");
    BOOST_TEST(!s.on_frame(R"(@link(node:"/hotel/room/1",lane:light))", dir));
    BOOST_TEST(!s.find("/hotel/room/", "1light"));
    BOOST_TEST(s.find("/hotel/room/1", "light"));
}

BOOST_AUTO_TEST_CASE(a_closing_connection_hands_back_every_link)
{
    warp::server_session s;
    table_directory dir;
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(!s.on_frame(
            std::string(R"(@link(node:"/hotel/room/1",lane:)") + (i % 2 ? "light" : "toggle") + ")",
            dir));
    auto links = s.take_links();
    BOOST_TEST(links.size() == 2u);
    BOOST_TEST(s.links() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
