// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// HTTP on the WARP port, with a real HTTP client (Beast's): HTTP lanes (the demo room's
// `state`), what the server answers by itself (404, 405, 415, 400, 413, 408, 503), and the
// file server's rules (index.html, content types, HEAD, 304, no path out of the root).

#include <boost/asio/ip/tcp.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "server/uplink_fixture.hpp"

namespace fs = std::filesystem;

namespace {

/// /slow/:id: `hold ms` keeps the agent busy (a coroutine handler); `state` answers "hi".
struct slow_agent : server::agent {
    explicit slow_agent(server::agent_context& ctx)
        : agent(ctx)
    {
        hold.on_command([](std::int64_t const& ms) -> asio::awaitable<void> {
            co_await swim::test::sleep_for(std::chrono::milliseconds(ms));
        });
        state.on_get([](server::http_request const&) {
            return server::http_response::ok(recon::value("hi"));
        });
    }
    server::command_lane<std::int64_t> hold{*this, "hold"};
    server::http_lane state{*this, "state"};
};

void http_routes(server::server& srv)
{
    default_routes(srv);
    BOOST_REQUIRE(!srv.route<slow_agent>("/slow/:id"));
}

/// A file tree for the file server, and a file and a directory beside it (outside).
struct file_tree {
    fs::path base = fs::temp_directory_path() / ("swim-http-" + std::to_string(::getpid()));
    fs::path root = base / "root";

    file_tree()
    {
        fs::remove_all(base);
        fs::create_directories(root / "app");
        fs::create_directories(root / "docs");
        fs::create_directories(base / "outside");
        write(root / "index.html", "<h1>swim</h1>");
        write(root / "app" / "main.js", "console.log(1);");
        write(root / "docs" / "index.html", "docs");
        write(base / "secret.txt", "secret");
        write(base / "outside" / "x.txt", "x");
        fs::create_symlink(base / "secret.txt", root / "secret-link.txt");
        fs::create_directory_symlink(base / "outside", root / "out");
        fs::create_symlink(root / "app" / "main.js", root / "inside-link.js");
    }
    ~file_tree()
    {
        std::error_code ec;
        fs::remove_all(base, ec);
    }
    static void write(fs::path const& p, std::string const& text) { std::ofstream(p) << text; }
};

swim::test::http_call call(std::string method, std::string target, std::string body = {})
{
    swim::test::http_call c;
    c.method = std::move(method);
    c.target = std::move(target);
    c.body = std::move(body);
    return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_on_the_warp_port)

BOOST_FIXTURE_TEST_CASE(an_http_lane_answers_in_recon_or_json_and_sets_lanes, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        auto put = call("PUT", "/hotel/room/7?lane=state", "{light:true}");
        auto r = co_await scripted_client::http(ioc, port, put);
        BOOST_TEST_REQUIRE(!r.error, r.error.message);
        BOOST_TEST(r.value.status == 200u);
        BOOST_TEST(r.value.body == "{light:true}");
        BOOST_TEST(r.value.header("Content-Type") == "text/plain; charset=utf-8");

        auto get = call("GET", "/hotel/room/7?lane=state");
        get.headers.emplace_back("Accept", "application/json");
        r = co_await scripted_client::http(ioc, port, get);
        BOOST_TEST(r.value.status == 200u);
        BOOST_TEST(r.value.body == R"({"light":true})");
        BOOST_TEST(r.value.header("Content-Type") == "application/json");

        auto put_json = call("PUT", "/hotel/room/7?lane=state", R"({"light":false})");
        put_json.headers.emplace_back("Content-Type", "application/json");
        r = co_await scripted_client::http(ioc, port, put_json);
        BOOST_TEST(r.value.status == 200u);
        BOOST_TEST(r.value.body == "{light:false}");

        // The lane was set: a WARP client sees it.
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@sync(node:"/hotel/room/7",lane:light))");
        co_await c.expect_envelope(R"(@linked(node:"/hotel/room/7",lane:light))");
        co_await c.expect_envelope(R"(@event(node:"/hotel/room/7",lane:light) false)");
        co_await c.expect_envelope(R"(@synced(node:"/hotel/room/7",lane:light))");
        // No WARP client links to an HTTP lane.
        co_await c.send(R"(@link(node:"/hotel/room/7",lane:state))");
        co_await c.expect_envelope(R"(@unlinked(node:"/hotel/room/7",lane:state)@laneNotFound)");
        co_await c.close();

        // HEAD: GET's headers, no body.
        r = co_await scripted_client::http(ioc, port, call("HEAD", "/hotel/room/7?lane=state"));
        BOOST_TEST(r.value.status == 200u);
        BOOST_TEST(r.value.body.empty());
        BOOST_TEST(r.value.header("Content-Length") == "13");
    });
}

BOOST_FIXTURE_TEST_CASE(what_no_lane_can_answer_is_answered_by_the_server, server_fixture)
{
    cfg.max_http_body = 1024;
    run([&]() -> asio::awaitable<void> {
        struct row {
            swim::test::http_call request;
            unsigned status;
            std::string content_type = {};
        };
        std::vector<row> rows{
            {call("GET", "/"), 404},
            {call("GET", "/hotel/room/7"), 404},
            {call("GET", "/hotel/room/7?lane=nope"), 404},
            {call("GET", "/hotel/room/7?lane=light"), 404},  // a WARP lane
            {call("GET", "/nobody/here?lane=state"), 404},
            {call("GET", "/bad%zz?lane=state"), 400},
            {call("DELETE", "/hotel/room/7?lane=state"), 405},
            {call("POST", "/hotel/room/7?lane=state", "{}"), 405},
            {call("PUT", "/hotel/room/7?lane=state", "{light:"), 400},
            {call("PUT", "/hotel/room/7?lane=state", "{lights:true}"), 400},
            {call("PUT", "/hotel/room/7?lane=state", "<light/>"), 415, "application/xml"},
            {call("PUT", "/hotel/room/7?lane=state", "{\"light\":"), 400, "application/json"},
            {call("PUT", "/hotel/room/7?lane=state", std::string(2000, 'x')), 413},
        };
        for (auto& row : rows) {
            BOOST_TEST_CONTEXT(row.request.method << " " << row.request.target)
            {
                if (!row.content_type.empty())
                    row.request.headers.emplace_back("Content-Type", row.content_type);
                auto r = co_await scripted_client::http(ioc, port, row.request);
                BOOST_TEST_REQUIRE(!r.error, r.error.message);
                BOOST_TEST(r.value.status == row.status);
                BOOST_TEST(!r.value.body.empty());
                if (row.status == 405)
                    BOOST_TEST(r.value.header("Allow") == "GET, HEAD, PUT");
            }
        }
        BOOST_TEST(
            (co_await scripted_client::http(ioc, port, call("GET", "/"))).value.body ==
            "No lane name was specified.\n");
        // The server goes on serving WebSocket clients.
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await sync_unit_value(c, 0);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_slow_answer_is_408_and_requests_beyond_the_limit_503, server_fixture)
{
    cfg.http_request_timeout = 300ms;
    cfg.max_http_requests = 1;
    routes = http_routes;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        // The agent is busy for a second: its HTTP lane answers after that.
        co_await c.send(R"(@command(node:"/slow/1",lane:hold) 1000)");
        co_await swim::test::sleep_for(50ms);
        std::optional<unsigned> first;
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                auto r = co_await scripted_client::http(
                    ioc,
                    port,
                    call("GET", "/slow/1?lane=state"));
                first = r.value.status;
            },
            asio::detached);
        co_await swim::test::sleep_for(100ms);
        auto second = co_await scripted_client::http(ioc, port, call("GET", "/slow/2?lane=state"));
        BOOST_TEST(second.value.status == 503u);
        BOOST_TEST(co_await swim::test::eventually([&] { return first.has_value(); }));
        BOOST_TEST(first.value_or(0) == 408u);
        // Once the agent is free, it answers.
        co_await swim::test::sleep_for(1000ms);
        auto third = co_await scripted_client::http(ioc, port, call("GET", "/slow/1?lane=state"));
        BOOST_TEST(third.value.status == 200u);
        BOOST_TEST(third.value.body == "hi");
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(the_stop_ends_handshakes_and_http_requests_at_once, server_fixture)
{
    cfg.http_request_timeout = 10s;
    cfg.handshake_timeout = 30s;
    routes = http_routes;
    run([&]() -> asio::awaitable<void> {
        // A connection that says nothing, and a request the busy agent answers in a second
        // (the stop waits for the agent's running handler, not for these).
        asio::ip::tcp::socket silent(ioc);
        co_await silent.async_connect(
            {asio::ip::make_address_v4("127.0.0.1"), port},
            asio::use_awaitable);
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@command(node:"/slow/1",lane:hold) 1000)");
        co_await swim::test::sleep_for(50ms);
        std::optional<unsigned> status;
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                auto r = co_await scripted_client::http(
                    ioc,
                    port,
                    call("GET", "/slow/1?lane=state"));
                status = r.error ? 0u : r.value.status;
            },
            asio::detached);
        co_await swim::test::sleep_for(100ms);
        auto const t0 = std::chrono::steady_clock::now();
        co_await srv->async_stop();
        BOOST_TEST((std::chrono::steady_clock::now() - t0 < 2s));
        BOOST_TEST(co_await swim::test::eventually([&] { return status.has_value(); }));
        BOOST_TEST(status.value_or(0) == 503u);
    });
}

BOOST_FIXTURE_TEST_CASE(files_are_served_from_the_root_and_never_from_outside_it, server_fixture)
{
    file_tree tree;
    cfg.http_root = tree.root.string();
    run([&]() -> asio::awaitable<void> {
        auto r = co_await scripted_client::http(ioc, port, call("GET", "/"));
        BOOST_TEST(r.value.status == 200u);
        BOOST_TEST(r.value.body == "<h1>swim</h1>");
        BOOST_TEST(r.value.header("Content-Type") == "text/html; charset=utf-8");
        auto const etag = r.value.header("ETag");
        auto const modified = r.value.header("Last-Modified");
        BOOST_TEST(!etag.empty());
        BOOST_TEST(!modified.empty());

        r = co_await scripted_client::http(ioc, port, call("GET", "/app/main.js"));
        BOOST_TEST(r.value.status == 200u);
        BOOST_TEST(r.value.body == "console.log(1);");
        BOOST_TEST(r.value.header("Content-Type") == "text/javascript; charset=utf-8");
        r = co_await scripted_client::http(ioc, port, call("GET", "/docs/"));
        BOOST_TEST(r.value.body == "docs");
        r = co_await scripted_client::http(ioc, port, call("GET", "/inside-link.js"));
        BOOST_TEST(r.value.status == 200u);  // a symlink that stays inside

        r = co_await scripted_client::http(ioc, port, call("HEAD", "/index.html"));
        BOOST_TEST(r.value.status == 200u);
        BOOST_TEST(r.value.body.empty());
        BOOST_TEST(r.value.header("Content-Length") == "13");

        auto cached = call("GET", "/index.html");
        cached.headers.emplace_back("If-None-Match", etag);
        r = co_await scripted_client::http(ioc, port, cached);
        BOOST_TEST(r.value.status == 304u);
        BOOST_TEST(r.value.body.empty());
        auto since = call("GET", "/index.html");
        since.headers.emplace_back("If-Modified-Since", modified);
        r = co_await scripted_client::http(ioc, port, since);
        BOOST_TEST(r.value.status == 304u);
        auto stale = call("GET", "/index.html");
        stale.headers.emplace_back("If-None-Match", "\"other\"");
        r = co_await scripted_client::http(ioc, port, stale);
        BOOST_TEST(r.value.status == 200u);

        for (std::string target :
             {"/missing.html",
              "/../secret.txt",
              "/%2e%2e/secret.txt",
              "/app/%2E%2E/%2E%2E/secret.txt",
              "/secret-link.txt",
              "/out/x.txt",
              "/app/..%2F..%2Fsecret.txt"}) {
            BOOST_TEST_CONTEXT(target)
            {
                r = co_await scripted_client::http(ioc, port, call("GET", target));
                BOOST_TEST_REQUIRE(!r.error, r.error.message);
                BOOST_TEST(r.value.status == 404u);
                BOOST_TEST(r.value.body.find("secret") == std::string::npos);
            }
        }
        r = co_await scripted_client::http(ioc, port, call("POST", "/index.html", "x"));
        BOOST_TEST(r.value.status == 405u);
        BOOST_TEST(r.value.header("Allow") == "GET, HEAD");
        // HTTP lanes are served beside the files.
        r = co_await scripted_client::http(ioc, port, call("GET", "/hotel/room/1?lane=state"));
        BOOST_TEST(r.value.status == 200u);
    });
}

BOOST_AUTO_TEST_CASE(a_root_that_is_no_directory_is_refused_at_start)
{
    asio::io_context ioc;
    auto cfg = swim::test::loopback_server_config();
    cfg.http_root = "/nonexistent/swim-http-root";
    server::server srv(ioc.get_executor(), cfg);
    BOOST_TEST((srv.start() == server::error::http_root));
}

BOOST_AUTO_TEST_SUITE_END()
