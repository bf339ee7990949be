// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// What a downlink says when its host cannot be reached (a refused connection, a name that
// does not resolve, an upgrade the server refuses or never answers): the handler hears each
// failed attempt with its error and a text naming the cause, every pending wait ends with
// that error, and the downlink keeps trying (or, with keep_linked false, fails and closes).
// Also: waits for a sync on a downlink that does not sync end at once.

#include <swim/client/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace swim;
using namespace std::chrono_literals;

namespace {

asio::awaitable<void> sleep_for(std::chrono::milliseconds d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

void run(std::function<asio::awaitable<void>(asio::io_context&)> body)
{
    asio::io_context ioc;
    std::exception_ptr failure;
    bool done = false;
    asio::co_spawn(ioc, body(ioc), [&](std::exception_ptr e) {
        failure = e;
        done = true;
        ioc.stop();
    });
    ioc.run_for(20s);
    BOOST_TEST_REQUIRE(done, "the test did not finish within 20 s");
    if (failure)
        std::rethrow_exception(failure);
}

// A port nothing listens on: bound, then closed.
unsigned short closed_port(asio::io_context& ioc)
{
    tcp::acceptor a(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    auto port = a.local_endpoint().port();
    a.close();
    return port;
}

client::client_config fast_retries()
{
    client::client_config cfg;
    cfg.reconnect.first_min = 50ms;
    cfg.reconnect.first_max = 100ms;
    cfg.reconnect.max = 200ms;
    cfg.connect_timeout = 500ms;
    return cfg;
}

// What a wait threw: its error code and text.
struct thrown {
    boost::system::error_code code;
    std::string what;
};

template <class Awaitable>
asio::awaitable<thrown> catch_wait(Awaitable a)
{
    try {
        co_await std::move(a);
    } catch (boost::system::system_error const& e) {
        co_return thrown{e.code(), e.what()};
    }
    co_return thrown{};
}

// An HTTP server on loopback that answers every request with `answer` (or, when empty,
// never answers), for `count` connections.
struct http_stub {
    tcp::acceptor acceptor;
    std::string answer;
    /// The connections, held open (closed with the stub).
    std::vector<tcp::socket> held;

    http_stub(asio::io_context& ioc, std::string a)
        : acceptor(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0))
        , answer(std::move(a))
    {}

    std::string url() const
    {
        return "warp://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
    }

    asio::awaitable<void> serve(int count)
    {
        for (int i = 0; i < count; ++i) {
            auto s = co_await acceptor.async_accept(asio::use_awaitable);
            asio::streambuf buf;
            co_await asio::async_read_until(s, buf, "\r\n\r\n", asio::use_awaitable);
            if (!answer.empty())
                co_await asio::async_write(s, asio::buffer(answer), asio::use_awaitable);
            held.push_back(std::move(s));
        }
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(unreachable)

BOOST_AUTO_TEST_CASE(a_refused_connection_reaches_the_handler_and_ends_every_wait)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        auto url = "warp://127.0.0.1:" + std::to_string(closed_port(ioc));
        client::client c(ioc.get_executor(), fast_retries());
        auto d = c.value_downlink<int>(url, "/hotel/room/1", "light");
        std::vector<boost::system::error_code> heard;
        std::string why;
        d.on_unreachable([&](boost::system::error_code ec, std::string_view w) {
            heard.push_back(ec);
            why = std::string(w);
        });
        auto got = co_await catch_wait(d.get());
        BOOST_TEST((got.code == asio::error::connection_refused), got.code.message());
        BOOST_TEST(got.what.find("127.0.0.1") != std::string::npos, got.what);
        auto linked = co_await catch_wait(d.linked());
        BOOST_TEST((linked.code == asio::error::connection_refused));
        auto next = co_await catch_wait(d.next_event());
        BOOST_TEST((next.code == asio::error::connection_refused));
        // It keeps trying, and says so every time.
        co_await sleep_for(300ms);
        BOOST_TEST(heard.size() >= 3u);
        BOOST_TEST(!heard.empty());
        if (!heard.empty())
            BOOST_TEST((heard.front() == asio::error::connection_refused));
        BOOST_TEST(why.find("cannot connect to 127.0.0.1") != std::string::npos, why);
        BOOST_TEST(!d.is_closed());
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_CASE(without_keep_linked_an_unreachable_host_fails_the_downlink)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        auto url = "warp://127.0.0.1:" + std::to_string(closed_port(ioc));
        client::client c(ioc.get_executor(), fast_retries());
        client::downlink_config cfg;
        cfg.keep_linked = false;
        auto d = c.map_downlink<std::string, int>(url, "/hotel/lobby", "elevators", cfg);
        int failed = 0, unreachable = 0;
        boost::system::error_code failed_with;
        d.on_failed([&](boost::system::error_code ec, std::string_view) {
            ++failed;
            failed_with = ec;
        });
        d.on_unreachable([&](boost::system::error_code, std::string_view) { ++unreachable; });
        auto got = co_await catch_wait(d.synced());
        BOOST_TEST((got.code == asio::error::connection_refused), got.code.message());
        co_await sleep_for(300ms);
        BOOST_TEST(failed == 1);
        BOOST_TEST(unreachable == 0);
        BOOST_TEST((failed_with == asio::error::connection_refused));
        BOOST_TEST(d.is_closed());
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_CASE(a_name_that_does_not_resolve_is_reported_with_the_name)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), fast_retries());
        auto d = c.event_downlink<int>("warp://no-such-host.invalid:9001", "/a", "b");
        std::string why;
        d.on_unreachable(
            [&](boost::system::error_code, std::string_view w) { why = std::string(w); });
        auto got = co_await catch_wait(d.linked());
        BOOST_TEST(static_cast<bool>(got.code));
        BOOST_TEST(got.what.find("no-such-host.invalid") != std::string::npos, got.what);
        co_await sleep_for(50ms);
        BOOST_TEST(why.find("cannot resolve no-such-host.invalid") != std::string::npos, why);
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_CASE(an_upgrade_refused_is_reported_with_its_http_status)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        http_stub stub(ioc, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        asio::co_spawn(ioc, stub.serve(1), asio::detached);
        client::client_config cfg = fast_retries();
        cfg.reconnect.first_min = cfg.reconnect.first_max = cfg.reconnect.max = 5s;
        client::client c(ioc.get_executor(), cfg);
        auto d = c.value_downlink<int>(stub.url(), "/a", "b");
        auto got = co_await catch_wait(d.get());
        BOOST_TEST((got.code == client::error::upgrade_refused), got.code.message());
        BOOST_TEST(got.what.find("HTTP 404") != std::string::npos, got.what);
        stub.acceptor.close();
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_CASE(an_upgrade_never_answered_times_out)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        http_stub stub(ioc, "");
        asio::co_spawn(ioc, stub.serve(1), asio::detached);
        client::client_config cfg = fast_retries();
        cfg.connect_timeout = 300ms;
        cfg.reconnect.first_min = cfg.reconnect.first_max = cfg.reconnect.max = 5s;
        client::client c(ioc.get_executor(), cfg);
        auto d = c.value_downlink<int>(stub.url(), "/a", "b");
        auto start = std::chrono::steady_clock::now();
        auto got = co_await catch_wait(d.synced());
        auto took = std::chrono::steady_clock::now() - start;
        BOOST_TEST((got.code == asio::error::timed_out), got.code.message());
        BOOST_TEST(took < 3s);
        stub.acceptor.close();
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_CASE(waiting_for_a_sync_that_was_not_asked_for_ends_at_once)
{
    run([](asio::io_context& ioc) -> asio::awaitable<void> {
        auto url = "warp://127.0.0.1:" + std::to_string(closed_port(ioc));
        client::client c(ioc.get_executor(), fast_retries());
        client::downlink_config cfg;
        cfg.keep_synced = false;
        auto v = c.value_downlink<int>(url, "/a", "v", cfg);
        auto got = co_await catch_wait(v.get());
        BOOST_TEST((got.code == client::error::no_sync), got.code.message());
        BOOST_TEST(got.what.find("keep_synced") != std::string::npos, got.what);
        auto m = c.map_downlink<std::string, int>(url, "/a", "m", cfg);
        auto all = co_await catch_wait(m.get_all());
        BOOST_TEST((all.code == client::error::no_sync));
        auto e = c.event_downlink<int>(url, "/a", "e");
        auto es = co_await catch_wait(e.synced());
        BOOST_TEST((es.code == client::error::no_sync));
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_SUITE_END()
