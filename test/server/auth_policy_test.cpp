// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The server's auth policy (issue 7; warp-protocol.md §5 "Auth handshake", §2.7): @auth
// answered @authed, @deauthed, or @deauthed then close 1008; links, syncs and commands
// allowed or refused by the connection's identity; @deauth; the agents' own local links never
// refused; HTTP requests to HTTP lanes asked with their headers (403 when refused); and our
// client's credentials sent again after a reconnect.

#include <swim/client/client.hpp>
#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>
#include <swim/server/demo_plan.hpp>
#include <swim/server/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/scripted_client.hpp"
#include "test_util.hpp"

namespace asio = boost::asio;
using namespace swim;
using namespace std::chrono_literals;
using swim::test::eventually;
using swim::test::scripted_client;
using strings = std::vector<std::string>;

namespace {

constexpr auto quiet = 150ms;

/// Copies /unit/1 value into its own lane "copy" (plus 100) through a local downlink (an
/// agent's downlink to an agent of the same server, without a host).
struct mirror_agent : server::agent {
    using agent::agent;
    server::value_lane<std::int64_t> copy{*this, "copy"};
    std::optional<server::value_downlink_handle<std::int64_t>> handle;

    void on_start() override
    {
        handle = context()
                     .value_downlink_builder<std::int64_t>(std::nullopt, "/unit/1", "value")
                     .on_synced([this](std::int64_t const& v) { copy.set(v + 100); })
                     .done();
    }
};

/// What the policy was asked, in order (the tests run on one thread).
struct policy_journal {
    strings auths;     ///< the credentials of each on_auth
    strings requests;  ///< "<kind> <node> <lane> as <identity or none>"
};

/** The test policy. Credentials {token:good} and {token:admin} are authed ({token:good} with
 * the session @session{user:alice}), {token:evil} is forbidden, anything else deauthed.
 * Links and syncs need an identity, except to the node /public/1 and /mirror; commands need
 * {token:admin}; HTTP requests need the header `Authorization: Bearer good`.
 */
server::auth_policy test_policy(policy_journal& j)
{
    server::auth_policy p;
    p.on_auth = [&j](recon::value const& credentials) {
        j.auths.push_back(recon::to_string(credentials));
        if (credentials == recon::parse("{token:good}"))
            return server::auth_verdict::authed(recon::parse("@session{user:alice}"));
        if (credentials == recon::parse("{token:admin}"))
            return server::auth_verdict::authed();
        if (credentials == recon::parse("{token:evil}"))
            return server::auth_verdict::forbidden();
        return server::auth_verdict::deauthed();
    };
    p.on_request =
        [&j](std::optional<recon::value> const& identity, server::lane_request const& r) {
            using kind = server::lane_request::kind;
            std::string const what = r.what == kind::link   ? "link"
                                     : r.what == kind::sync ? "sync"
                                     : r.what == kind::http ? "http " + std::string(r.method)
                                                            : "command";
            j.requests.push_back(
                what + " " + std::string(r.node) + " " + std::string(r.lane) + " as " +
                (identity ? recon::to_string(*identity) : std::string("none")));
            if (r.what == kind::http) {
                for (auto const& [name, value] : r.headers)
                    if (name == "Authorization" && value == "Bearer good")
                        return server::request_verdict::allow;
                return server::request_verdict::refuse;
            }
            if (r.what == kind::command)
                return identity && *identity == recon::parse("{token:admin}")
                           ? server::request_verdict::allow
                           : server::request_verdict::refuse;
            if (identity || r.node == "/public/1" || r.node == "/mirror")
                return server::request_verdict::allow;
            return server::request_verdict::refuse;
        };
    return p;
}

void routes(server::server& srv)
{
    BOOST_REQUIRE(!server::demo::add_demo_plan(srv, {.bench_agents = true}));
    BOOST_REQUIRE(!srv.route<server::demo::unit_agent>("/public/:id"));
    BOOST_REQUIRE(!srv.route<mirror_agent>("/mirror"));
}

/// An io_context and a server on it (127.0.0.1, port 0) with the test policy unless
/// `with_policy` is false; run() starts it before the body and stops it after (also when the
/// body fails).
struct auth_fixture {
    asio::io_context ioc;
    policy_journal journal;
    bool with_policy = true;
    std::optional<server::server> srv;
    std::uint16_t port = 0;

    void run(
        std::function<asio::awaitable<void>()> body,
        std::source_location loc = std::source_location::current())
    {
        swim::test::run_test(
            ioc,
            [this, b = std::move(body)]() -> asio::awaitable<void> {
                auto cfg = swim::test::loopback_server_config();
                if (with_policy)
                    cfg.auth = test_policy(journal);
                srv.emplace(ioc.get_executor(), cfg);
                routes(*srv);
                auto ec = srv->start();
                BOOST_REQUIRE_MESSAGE(!ec, "server start: " << ec.message());
                port = srv->port();
                std::exception_ptr failure;
                try {
                    co_await b();
                } catch (...) {
                    failure = std::current_exception();
                }
                co_await srv->async_stop();
                if (failure)
                    std::rethrow_exception(failure);
            },
            std::chrono::seconds(30),
            loc);
    }
};

/// `@sync` of `node` value (a unit agent), answered with its value `v`.
asio::awaitable<void> sync_value(
    scripted_client& c,
    std::string const& node,
    int v,
    std::source_location loc = std::source_location::current())
{
    auto const head = R"((node:")" + node + R"(",lane:value))";
    co_await c.send("@sync" + head, loc);
    co_await c.expect_envelope("@linked" + head, loc);
    co_await c.expect_envelope("@event" + head + " " + std::to_string(v), loc);
    co_await c.expect_envelope("@synced" + head, loc);
}

/// `@<what>` of `node` value, refused: exactly `@unlinked(node,lane)` without a body, and
/// nothing else (no @linked before it, no event after it).
asio::awaitable<void> refused(
    scripted_client& c,
    std::string const& what,
    std::string const& node,
    std::source_location loc = std::source_location::current())
{
    co_await c.send("@" + what + R"((node:")" + node + R"(",lane:value))", loc);
    // Exact text: a body (@nodeNotFound...) would differ.
    co_await c.expect(R"(@unlinked(node:")" + node + R"(",lane:value))", loc);
    co_await c.expect_silence(quiet, loc);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(server_auth_policy)

BOOST_FIXTURE_TEST_CASE(without_a_policy_every_auth_is_authed_and_all_allowed, auth_fixture)
{
    with_policy = false;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await sync_value(c, "/unit/1", 0);
        co_await c.send(R"(@auth{token:nobody})");
        co_await c.expect("@authed");
        co_await c.send(R"(@command(node:"/unit/1",lane:burst) 1)");
        co_await c.expect_envelope(R"(@event(node:"/unit/1",lane:value) 1)");
        co_await c.send("@deauth");
        co_await c.expect("@deauthed");
        co_await c.expect_silence(quiet);
        co_await c.close();
        BOOST_TEST(journal.auths.empty());
    });
}

BOOST_FIXTURE_TEST_CASE(authed_identity_allows_links, auth_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        // Nothing is sent unsolicited on connect.
        co_await c.expect_silence(quiet);
        co_await refused(c, "sync", "/unit/1");
        co_await c.send(R"(@auth{token:good})");
        co_await c.expect_envelope("@authed@session{user:alice}");
        co_await sync_value(c, "/unit/1", 0);
        co_await c.close();
        BOOST_TEST(journal.auths == (strings{"{token:good}"}), boost::test_tools::per_element());
        BOOST_TEST(
            journal.requests ==
                (strings{"sync /unit/1 value as none", "sync /unit/1 value as {token:good}"}),
            boost::test_tools::per_element());
    });
}

BOOST_FIXTURE_TEST_CASE(deauthed_verdict_forgets_the_identity, auth_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@auth{token:good})");
        co_await c.expect_envelope("@authed@session{user:alice}");
        co_await sync_value(c, "/unit/1", 0);
        // Credentials the policy does not accept: @deauthed, the connection stays, and the
        // identity of the earlier @auth is gone.
        co_await c.send(R"(@auth{token:stale})");
        co_await c.expect("@deauthed");
        co_await refused(c, "link", "/unit/2");
        co_await sync_value(c, "/public/1", 0);
        co_await c.close();
        BOOST_TEST(journal.auths == (strings{"{token:good}", "{token:stale}"}));
    });
}

BOOST_FIXTURE_TEST_CASE(forbidden_is_deauthed_then_closed_1008_unauthorized, auth_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@auth{token:evil})");
        // Sent before the close: it is not read (no @linked comes before the close).
        co_await c.send(R"(@sync(node:"/public/1",lane:value))");
        co_await c.expect("@deauthed");
        auto reason = co_await c.expect_close(1008);
        BOOST_TEST(reason == "Unauthorized");
        co_await c.expect_disconnect();
        BOOST_TEST(journal.requests.empty());
    });
}

BOOST_FIXTURE_TEST_CASE(refused_link_and_sync_get_unlinked_without_a_body, auth_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await refused(c, "link", "/unit/1");
        co_await refused(c, "sync", "/unit/1");
        // Checked before routing: a node that does not exist is refused the same way (no
        // @nodeNotFound telling that it does not).
        co_await refused(c, "sync", "/nowhere");
        // What the policy allows still links on the same connection.
        co_await sync_value(c, "/public/1", 0);
        co_await c.close();
        BOOST_TEST(
            journal.requests == (strings{
                                    "link /unit/1 value as none",
                                    "sync /unit/1 value as none",
                                    "sync /nowhere value as none",
                                    "sync /public/1 value as none"}),
            boost::test_tools::per_element());
    });
}

BOOST_FIXTURE_TEST_CASE(refused_command_is_dropped_and_leaves_the_lane_unchanged, auth_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@auth{token:good})");
        co_await c.expect_envelope("@authed@session{user:alice}");
        co_await sync_value(c, "/unit/1", 0);
        // good may link but not command: burst 5 is dropped, the value stays 0.
        co_await c.send(R"(@command(node:"/unit/1",lane:burst) 5)");
        co_await c.expect_silence(quiet);
        // A second connection sees 0 too.
        scripted_client d(ioc);
        co_await d.connect(port);
        co_await d.send(R"(@auth{token:admin})");
        co_await d.expect("@authed");
        co_await sync_value(d, "/unit/1", 0);
        // admin may: its burst 1 is the next (and only) change both see.
        co_await d.send(R"(@command(node:"/unit/1",lane:burst) 1)");
        co_await d.expect_envelope(R"(@event(node:"/unit/1",lane:value) 1)");
        co_await c.expect_envelope(R"(@event(node:"/unit/1",lane:value) 1)");
        co_await c.close();
        co_await d.close();
        BOOST_TEST(journal.requests.size() >= 2u);
        if (journal.requests.size() >= 2)
            BOOST_TEST(journal.requests[1] == "command /unit/1 burst as {token:good}");
    });
}

BOOST_FIXTURE_TEST_CASE(http_requests_to_http_lanes_are_asked_and_refused_with_403, auth_fixture)
{
    run([&]() -> asio::awaitable<void> {
        auto call = [](std::string method, std::string body, bool good) {
            swim::test::http_call c;
            c.method = std::move(method);
            c.target = "/hotel/room/7?lane=state";
            c.body = std::move(body);
            if (good)
                c.headers.emplace_back("Authorization", "Bearer good");
            return c;
        };
        auto const agents = srv->get_stats().agents;
        // Without the header: 403, and no agent is made (nothing reaches one).
        auto r = co_await scripted_client::http(ioc, port, call("PUT", "{light:true}", false));
        BOOST_TEST_REQUIRE(!r.error, r.error.message);
        BOOST_TEST(r.value.status == 403u);
        BOOST_TEST(r.value.body == "Refused by the server's auth policy.\n");
        r = co_await scripted_client::http(ioc, port, call("GET", "", false));
        BOOST_TEST(r.value.status == 403u);
        BOOST_TEST(srv->get_stats().agents == agents);
        // With it: the lane answers, and the refused PUT set nothing.
        r = co_await scripted_client::http(ioc, port, call("GET", "", true));
        BOOST_TEST_REQUIRE(!r.error, r.error.message);
        BOOST_TEST(r.value.status == 200u);
        BOOST_TEST(r.value.body != "{light:true}");
        r = co_await scripted_client::http(ioc, port, call("PUT", "{light:true}", true));
        BOOST_TEST(r.value.status == 200u);
        BOOST_TEST(r.value.body == "{light:true}");
        BOOST_TEST(srv->get_stats().agents > agents);  // (the room, and whatever it starts)
        BOOST_TEST(
            journal.requests == (strings{
                                    "http PUT /hotel/room/7 state as none",
                                    "http GET /hotel/room/7 state as none",
                                    "http GET /hotel/room/7 state as none",
                                    "http PUT /hotel/room/7 state as none"}),
            boost::test_tools::per_element());
    });
}

BOOST_FIXTURE_TEST_CASE(deauth_clears_the_identity, auth_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@auth{token:good})");
        co_await c.expect_envelope("@authed@session{user:alice}");
        co_await sync_value(c, "/unit/1", 0);
        co_await c.send("@deauth");
        co_await c.expect("@deauthed");
        co_await refused(c, "sync", "/unit/2");
        co_await c.close();
        // @deauth is answered without asking the policy.
        BOOST_TEST(journal.auths == (strings{"{token:good}"}), boost::test_tools::per_element());
        BOOST_TEST(journal.requests.back() == "sync /unit/2 value as none");
    });
}

BOOST_FIXTURE_TEST_CASE(the_agents_local_links_are_not_checked, auth_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        // /mirror links /unit/1 through the local host, which has no identity: were the
        // policy asked, it would refuse, and copy would never be 100.
        co_await c.send(R"(@sync(node:"/mirror",lane:copy))");
        co_await c.expect_envelope(R"(@linked(node:"/mirror",lane:copy))");
        bool seen = false;
        for (int i = 0; i < 5 && !seen; ++i) {
            auto frame = co_await c.receive();
            seen = frame == R"(@event(node:"/mirror",lane:copy) 100)";
        }
        BOOST_TEST(seen);
        co_await c.close();
        BOOST_TEST(
            journal.requests == (strings{"sync /mirror copy as none"}),
            boost::test_tools::per_element());
    });
}

BOOST_AUTO_TEST_CASE(our_client_sends_its_credentials_again_after_a_server_restart)
{
    asio::io_context ioc;
    policy_journal first_journal;
    policy_journal second_journal;
    auto cfg = swim::test::loopback_server_config();
    cfg.auth = test_policy(first_journal);
    std::optional<server::server> srv;
    srv.emplace(ioc.get_executor(), cfg);
    routes(*srv);
    BOOST_REQUIRE(!srv->start());
    std::string const url = srv->local_url();
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        strings seen;
        c.on_auth([&](std::string_view host, bool authed, recon::value const& body) {
            BOOST_TEST(host == url);
            seen.push_back(std::string(authed ? "authed " : "deauthed ") + recon::to_string(body));
        });
        BOOST_TEST(!c.authenticate(url, recon::parse("{token:good}")));
        client::downlink_config dcfg;
        dcfg.terminate_on_unlinked = false;  // it relinks after the server's stop
        auto v = c.value_downlink<std::int64_t>(url, "/unit/1", "value", dcfg);
        int links = 0;
        v.on_linked([&] { ++links; });
        co_await v.synced();
        BOOST_TEST(co_await eventually([&] { return seen.size() == 1; }));
        BOOST_TEST(seen == (strings{"authed @session{user:alice}"}));
        BOOST_TEST(links == 1);

        // The server restarts on the same port: the client reconnects, sends @auth first,
        // and the new server (which knows nothing of the old connection) allows the sync.
        auto const port = srv->port();
        co_await srv->async_stop();
        srv.reset();
        auto cfg2 = swim::test::loopback_server_config();
        cfg2.port = port;
        cfg2.auth = test_policy(second_journal);
        srv.emplace(ioc.get_executor(), cfg2);
        routes(*srv);
        auto ec = srv->start();
        BOOST_REQUIRE_MESSAGE(!ec, "restart: " << ec.message());
        BOOST_TEST(co_await eventually([&] { return links == 2 && v.is_synced(); }));
        BOOST_TEST(seen == (strings{"authed @session{user:alice}", "authed @session{user:alice}"}));
        BOOST_TEST(second_journal.auths == (strings{"{token:good}"}));
        // (A relink timer of the old connection may add a second sync: each has the identity.)
        BOOST_TEST(!second_journal.requests.empty());
        for (auto const& r : second_journal.requests)
            BOOST_TEST(r == "sync /unit/1 value as {token:good}");
        co_await c.async_close();
        co_await srv->async_stop();
    });
}

BOOST_AUTO_TEST_SUITE_END()
