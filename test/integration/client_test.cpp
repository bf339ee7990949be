// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The client against a scripted WARP peer on loopback: exactly what it writes, and what it
// does with what a server sends, lost connections included.

#include <swim/client/client.hpp>
#include <swim/recon/writer.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/scripted_peer.hpp"

namespace asio = boost::asio;
using namespace swim;
using namespace std::chrono_literals;
using swim::test::peer_fixture;
using strings = std::vector<std::string>;

namespace {

// Fast reconnects and pings for tests.
client::client_config test_config()
{
    client::client_config cfg;
    cfg.reconnect.first_min = 10ms;
    cfg.reconnect.first_max = 20ms;
    cfg.reconnect.max = 50ms;
    return cfg;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// Waits until `done()` holds, up to `limit`.
template <class Pred>
asio::awaitable<bool> eventually(Pred done, std::chrono::milliseconds limit = 3000ms)
{
    for (auto waited = 0ms; waited < limit; waited += 5ms) {
        if (done())
            co_return true;
        co_await sleep_for(5ms);
    }
    co_return done();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_loopback)

BOOST_FIXTURE_TEST_CASE(offers_warp0_and_accepts_a_server_that_does_not_echo_it, peer_fixture)
{
    peer.options().echo_subprotocol = false;  // as the Java server
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), test_config());
        auto v = c.value_downlink<int>(peer.url(), "/unit/1", "value");
        co_await peer.accept();
        BOOST_TEST(peer.request().offered_warp0);
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:value))");
        co_await peer.send(R"(@event(node:"/unit/1",lane:value) 7)");
        co_await peer.send(R"(@synced(node:"/unit/1",lane:value))");
        BOOST_TEST(co_await v.get() == 7);
        co_await c.async_close();
        co_await peer.expect(R"(@unlink(node:"/unit/1",lane:value))");
    });
}

BOOST_FIXTURE_TEST_CASE(reconnect_resyncs_and_reconciles, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), test_config());
        auto m = c.map_downlink<std::string, int>(peer.url(), "/unit/1", "map");
        strings log;
        m.did_update([&](std::string const& k, int v, std::optional<int> const& was) {
            log.push_back(
                "update " + k + " " + std::to_string(v) +
                (was ? " was " + std::to_string(*was) : ""));
        });
        m.did_remove([&](std::string const& k, int was) {
            log.push_back("remove " + k + " was " + std::to_string(was));
        });
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:map))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:map))");
        co_await peer.send(R"(@event(node:"/unit/1",lane:map)@update(key:a) 1)");
        co_await peer.send(R"(@event(node:"/unit/1",lane:map)@update(key:b) 2)");
        co_await peer.send(R"(@synced(node:"/unit/1",lane:map))");
        co_await m.synced();
        BOOST_TEST(log.empty());  // the first sync is delivered by on_synced, not per key

        // The server dies; a new one has different state.
        peer.drop();
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:map))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:map))");
        co_await peer.send(R"(@event(node:"/unit/1",lane:map)@update(key:a) 10)");
        co_await peer.send(R"(@event(node:"/unit/1",lane:map)@update(key:c) 3)");
        co_await peer.send(R"(@synced(node:"/unit/1",lane:map))");
        BOOST_TEST(co_await eventually([&] { return log.size() >= 3; }));
        BOOST_TEST(log == (strings{"update a 10 was 1", "remove b was 2", "update c 3"}));
        auto all = co_await m.get_all();
        BOOST_TEST(all.size() == 2u);
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(sets_made_while_down_are_written_after_reconnect_in_order, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), test_config());
        auto v = c.value_downlink<int>(peer.url(), "/unit/1", "value");
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:value))");
        co_await v.linked();
        std::string reason;
        v.on_unlinked([&](std::string_view r) { reason = r; });
        peer.drop();
        BOOST_TEST(co_await eventually([&] { return !v.is_linked(); }));
        BOOST_TEST(co_await eventually([&] { return reason == "connection lost"; }));
        BOOST_TEST(!v.is_closed());  // keep_linked: it waits for the connection
        for (int i = 1; i <= 3; ++i)
            BOOST_TEST(!v.set(i));
        BOOST_TEST(!c.command(peer.url(), "/unit/1", "fill", recon::value(5)));
        co_await peer.accept();
        // Waiting commands first (so the resync already sees them), then the relink.
        co_await peer.expect(R"(@command(node:"/unit/1",lane:value) 1)");
        co_await peer.expect(R"(@command(node:"/unit/1",lane:value) 2)");
        co_await peer.expect(R"(@command(node:"/unit/1",lane:value) 3)");
        co_await peer.expect(R"(@command(node:"/unit/1",lane:fill) 5)");
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(unlink_reasons_reach_the_downlink, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), test_config());
        auto v = c.value_downlink<int>(peer.url(), "/hotel/room/1", "nosuchlane");
        std::string reason;
        v.on_unlinked([&](std::string_view r) { reason = r; });
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/hotel/room/1",lane:nosuchlane))");
        co_await peer.send(R"(@unlinked(node:"/hotel/room/1",lane:nosuchlane)@laneNotFound)");
        bool threw = false;
        try {
            co_await v.get();
        } catch (boost::system::system_error const& e) {
            threw = true;
            BOOST_TEST(std::string(e.what()).find("laneNotFound") != std::string::npos);
        }
        BOOST_TEST(threw);
        BOOST_TEST(co_await eventually([&] { return reason == "laneNotFound"; }));
        BOOST_TEST(v.is_closed());
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_malformed_frame_fails_only_its_link, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), test_config());
        auto m = c.map_downlink(peer.url(), "/unit/1", "map");
        auto v = c.value_downlink<int>(peer.url(), "/unit/1", "value");
        std::string failure;
        m.on_failed([&](boost::system::error_code, std::string_view why) { failure = why; });
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:map))");
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:map))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:value))");
        co_await peer.send("this is not recon {");  // no link to blame: logged and ignored
        co_await peer.send(R"(@event(node:"/unit/1",lane:map) 42)");  // not a map event
        BOOST_TEST(co_await eventually([&] { return m.is_closed(); }));
        BOOST_TEST(failure == "map downlink received an event that is not a map update");
        co_await peer.expect(R"(@unlink(node:"/unit/1",lane:map))");
        // The connection and the other link live on.
        co_await peer.send(R"(@event(node:"/unit/1",lane:value) 5)");
        co_await peer.send(R"(@synced(node:"/unit/1",lane:value))");
        BOOST_TEST(co_await v.get() == 5);
        BOOST_TEST(peer.connections() == 1u);
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(
    a_websocket_protocol_violation_is_closed_1002_and_the_link_comes_back,
    peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), test_config());
        auto v = c.value_downlink<int>(peer.url(), "/unit/1", "value");
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:value))");
        co_await v.linked();
        // A text frame with a reserved bit set (FIN, RSV1, text; empty): no extension allows it.
        std::string bad("\xC1\x00", 2);
        co_await peer.send_raw(std::move(bad));
        auto reason = co_await peer.expect_close(1002);
        BOOST_TEST(reason == "a frame with reserved bits set");
        co_await peer.expect_disconnect();
        // A lost connection like any other: the downlink relinks on a new one.
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:value))");
        co_await peer.send(R"(@event(node:"/unit/1",lane:value) 3)");
        co_await peer.send(R"(@synced(node:"/unit/1",lane:value))");
        BOOST_TEST(co_await v.get() == 3);
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_message_over_max_frame_size_is_closed_1009, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        auto cfg = test_config();
        cfg.max_frame_size = 1024;
        client::client c(ioc.get_executor(), cfg);
        auto v = c.value_downlink<std::string>(peer.url(), "/unit/1", "value");
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:value))");
        // Just within the limit: read.
        std::string fits = R"(@event(node:"/unit/1",lane:value) ")";
        fits += std::string(1024 - fits.size() - 1, 'x') + "\"";
        co_await peer.send(fits);
        co_await peer.send(R"(@synced(node:"/unit/1",lane:value))");
        std::string got = co_await v.get();
        BOOST_TEST(got.size() == 988u);
        // Over it: refused before its payload is read, the connection closed with 1009.
        std::string big = R"(@event(node:"/unit/1",lane:value) ")" + std::string(4000, 'y') + "\"";
        co_await peer.send(std::move(big));
        auto reason = co_await peer.expect_close(1009);
        BOOST_TEST(!reason.empty());
        BOOST_TEST_MESSAGE("close reason: " << reason);
        co_await peer.expect_disconnect();
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(dropping_the_last_handle_closes_the_downlink, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), test_config());
        auto keep = c.value_downlink<int>(peer.url(), "/unit/2", "value");
        {
            auto v = c.value_downlink<int>(peer.url(), "/unit/1", "value");
            auto copy = v;
            co_await peer.accept();
            co_await peer.expect(R"(@sync(node:"/unit/2",lane:value))");
            co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
            co_await peer.send(R"(@linked(node:"/unit/1",lane:value))");
            co_await v.linked();
            BOOST_TEST(!v.set(4));
            v = client::value_downlink<int>();  // one copy gone: still open
            co_await peer.expect(R"(@command(node:"/unit/1",lane:value) 4)");
            co_await peer.expect_silence(100ms);
        }
        // The last copy gone: closed as close() does (nothing queued is lost).
        co_await peer.expect(R"(@unlink(node:"/unit/1",lane:value))");
        BOOST_TEST(!keep.is_closed());
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_value_that_does_not_convert_fails_the_downlink, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), test_config());
        auto v = c.value_downlink<int>(peer.url(), "/unit/1", "value");
        std::string failure;
        v.on_failed([&](boost::system::error_code, std::string_view why) { failure = why; });
        v.on_synced([](int) {});
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:value))");
        co_await peer.send(R"(@event(node:"/unit/1",lane:value) "not a number")");
        co_await peer.send(R"(@synced(node:"/unit/1",lane:value))");
        BOOST_TEST(co_await eventually([&] { return !failure.empty(); }));
        BOOST_TEST(failure == "cannot convert /unit/1 value: expected int32, got text");
        BOOST_TEST(v.is_closed());
        co_await peer.expect(R"(@unlink(node:"/unit/1",lane:value))");
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_slow_handler_delays_only_its_own_downlink, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), test_config());
        client::downlink_config cfg;
        cfg.events_when_not_synced = true;
        auto slow = c.value_downlink<int>(peer.url(), "/unit/1", "slow", cfg);
        auto fast = c.value_downlink<int>(peer.url(), "/unit/1", "fast", cfg);
        strings log;
        slow.on_event([&](int v) -> asio::awaitable<void> {
            co_await sleep_for(300ms);
            log.push_back("slow " + std::to_string(v));
        });
        fast.on_event([&](int v) { log.push_back("fast " + std::to_string(v)); });
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:slow))");
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:fast))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:slow))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:fast))");
        co_await peer.send(R"(@event(node:"/unit/1",lane:slow) 1)");
        co_await peer.send(R"(@event(node:"/unit/1",lane:slow) 2)");
        co_await peer.send(R"(@event(node:"/unit/1",lane:fast) 1)");
        co_await peer.send(R"(@event(node:"/unit/1",lane:fast) 2)");
        BOOST_TEST(co_await eventually([&] { return log.size() == 4; }));
        // The fast downlink went on while the slow one's handler waited; each kept its order.
        BOOST_TEST(log == (strings{"fast 1", "fast 2", "slow 1", "slow 2"}));
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(close_writes_queued_sets_then_unlinks, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), test_config());
        auto v = c.value_downlink<int>(peer.url(), "/unit/1", "value");
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:value))");
        co_await v.linked();
        for (int i = 1; i <= 50; ++i)
            BOOST_TEST(!v.set(i));
        // Close at once: every set is still written, before @unlink and the close frame.
        auto closing = c.async_close();
        asio::co_spawn(ioc, std::move(closing), asio::detached);
        for (int i = 1; i <= 50; ++i)
            co_await peer.expect("@command(node:\"/unit/1\",lane:value) " + std::to_string(i));
        co_await peer.expect(R"(@unlink(node:"/unit/1",lane:value))");
        co_await peer.expect_close(1000);
    });
}

BOOST_FIXTURE_TEST_CASE(an_idle_connection_is_pinged, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        auto cfg = test_config();
        cfg.idle_timeout = 200ms;
        client::client c(ioc.get_executor(), cfg);
        auto v = c.value_downlink<int>(peer.url(), "/unit/1", "value");
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await peer.receive_ping();
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_half_open_connection_is_detected_and_replaced, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        auto cfg = test_config();
        cfg.idle_timeout = 200ms;
        client::client c(ioc.get_executor(), cfg);
        auto v = c.value_downlink<int>(peer.url(), "/unit/1", "value");
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await peer.send(R"(@linked(node:"/unit/1",lane:value))");
        co_await v.linked();
        peer.stop_reading();  // no more reads, no pongs
        // Within the idle timeout (pinged after a third of it in silence), the client gives
        // up on the connection and connects again.
        co_await peer.accept();
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(auth_goes_first_and_again_after_reconnect, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), test_config());
        strings seen;
        c.on_auth([&](std::string_view host, bool authed, recon::value const& body) {
            BOOST_TEST(host == peer.url());
            seen.push_back(std::string(authed ? "authed " : "deauthed ") + recon::to_string(body));
        });
        BOOST_TEST(!c.authenticate(peer.url(), recon::parse("{token:abc}")));
        auto v = c.value_downlink<int>(peer.url(), "/unit/1", "value");
        co_await peer.accept();
        co_await peer.expect("@auth {token:abc}");
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await peer.send("@authed@session{id:7}");
        co_await peer.send("@deauthed");
        BOOST_TEST(co_await eventually([&] { return seen.size() == 2; }));
        BOOST_TEST(seen == (strings{"authed @session{id:7}", "deauthed "}));
        peer.drop();
        co_await peer.accept();
        co_await peer.expect("@auth {token:abc}");  // the credentials go again, first
        co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_client_destroyed_without_close_still_flushes_and_ends, peer_fixture)
{
    run([&]() -> asio::awaitable<void> {
        {
            client::client c(ioc.get_executor(), test_config());
            auto v = c.value_downlink<int>(peer.url(), "/unit/1", "value");
            co_await peer.accept();
            co_await peer.expect(R"(@sync(node:"/unit/1",lane:value))");
            co_await peer.send(R"(@linked(node:"/unit/1",lane:value))");
            co_await v.linked();
            BOOST_TEST(!v.set(5));
        }
        // The fixture checks that the io_context runs out of work afterwards.
        co_await peer.expect(R"(@command(node:"/unit/1",lane:value) 5)");
        co_await peer.expect(R"(@unlink(node:"/unit/1",lane:value))");
        co_await peer.expect_close(1000);
    });
}

BOOST_AUTO_TEST_SUITE_END()
