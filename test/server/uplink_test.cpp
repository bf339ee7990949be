// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The server's uplinks on loopback, seen from scripted WebSocket clients: exactly what it
// answers to each envelope (warp-protocol.md §2.1, §2.7, §3), what it does with bad frames,
// slow clients and its own stop, and its route parameters.

#include "uplink_fixture.hpp"

BOOST_AUTO_TEST_SUITE(server_uplinks)

// ---- handshake -----------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(handshake_echoes_warp0_when_offered, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        BOOST_TEST(c.response().status == 101u);
        BOOST_TEST(c.response().echoed_warp0);
        co_await sync_unit_value(c, 0);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(handshake_echoes_only_warp0_of_several_offers, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc, client_options{.subprotocols = {"chat", "warp0"}});
        co_await c.connect(port);
        BOOST_TEST(c.response().subprotocol.value_or("(none)") == "warp0");
        co_await sync_unit_value(c, 0);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(handshake_without_subprotocol_is_accepted_and_echoes_none, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc, client_options{.subprotocols = {}});
        co_await c.connect(port);
        BOOST_TEST(c.response().status == 101u);
        BOOST_TEST(!c.response().subprotocol.has_value());
        co_await sync_unit_value(c, 0);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(plain_http_get_of_no_lane_is_answered_404, server_fixture)
{
    // HTTP on the WARP port goes to HTTP lanes (?lane=) or files (http_root): neither here.
    run([&]() -> asio::awaitable<void> {
        auto r = co_await scripted_client::http_get(ioc, port, "/");
        BOOST_TEST_REQUIRE(!r.error, r.error.message);
        BOOST_TEST(r.value.status == 404u);
        // The server still serves WebSocket clients.
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await sync_unit_value(c, 0);
        co_await c.close();
    });
}

// ---- sync and link -------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(sync_value_lane_linked_one_event_synced, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@command(node:"/hotel/room/1",lane:light) 21.5)");
        co_await c.send(R"(@sync(node:"/hotel/room/1",lane:light))");
        co_await c.expect_envelope(R"(@linked(node:"/hotel/room/1",lane:light))");
        co_await c.expect_envelope(R"(@event(node:"/hotel/room/1",lane:light) 21.5)");
        co_await c.expect_envelope(R"(@synced(node:"/hotel/room/1",lane:light))");
        co_await c.expect_silence(quiet);
        // Linked now: live events.
        co_await c.send(R"(@command(node:"/hotel/room/1",lane:light) 22.0)");
        co_await c.expect_envelope(R"(@event(node:"/hotel/room/1",lane:light) 22.0)");
        // A second sync on the linked lane: @linked again (as Java), then the state.
        co_await c.send(R"(@sync(node:"/hotel/room/1",lane:light))");
        co_await c.expect_envelope(R"(@linked(node:"/hotel/room/1",lane:light))");
        co_await c.expect_envelope(R"(@event(node:"/hotel/room/1",lane:light) 22.0)");
        co_await c.expect_envelope(R"(@synced(node:"/hotel/room/1",lane:light))");
        co_await c.expect_silence(quiet);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(link_value_lane_linked_only_then_events_on_change, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        scripted_client other(ioc);
        co_await c.connect(port);
        co_await other.connect(port);
        co_await c.send(R"(@link(node:"/unit/1",lane:value))");
        co_await c.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        co_await c.expect_silence(quiet);
        co_await other.send(R"(@command(node:"/unit/1",lane:value) 7)");
        co_await c.expect_envelope(R"(@event(node:"/unit/1",lane:value) 7)");
        co_await other.send(R"(@command(node:"/unit/1",lane:value) 8)");
        co_await c.expect_envelope(R"(@event(node:"/unit/1",lane:value) 8)");
        co_await c.expect_silence(quiet);
        // The sender was not linked: it got nothing.
        co_await other.expect_silence(10ms);
        co_await c.close();
        co_await other.close();
    });
}

BOOST_FIXTURE_TEST_CASE(sync_filled_map_lane_updates_then_synced, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@command(node:"/unit/1",lane:fill) 3)");
        co_await c.send(R"(@sync(node:"/unit/1",lane:map))");
        co_await c.expect_envelope(R"(@linked(node:"/unit/1",lane:map))");
        co_await c.expect_envelope(R"(@event(node:"/unit/1",lane:map)@update(key:k0000000) 0)");
        co_await c.expect_envelope(R"(@event(node:"/unit/1",lane:map)@update(key:k0000001) 1)");
        co_await c.expect_envelope(R"(@event(node:"/unit/1",lane:map)@update(key:k0000002) 2)");
        co_await c.expect_envelope(R"(@synced(node:"/unit/1",lane:map))");
        co_await c.expect_silence(quiet);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(sync_empty_map_lane_linked_synced, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@sync(node:"/unit/2",lane:map))");
        co_await c.expect_envelope(R"(@linked(node:"/unit/2",lane:map))");
        co_await c.expect_envelope(R"(@synced(node:"/unit/2",lane:map))");
        co_await c.expect_silence(quiet);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(sync_command_lane_linked_synced, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@sync(node:"/hotel/room/1",lane:command))");
        co_await c.expect_envelope(R"(@linked(node:"/hotel/room/1",lane:command))");
        co_await c.expect_envelope(R"(@synced(node:"/hotel/room/1",lane:command))");
        co_await c.expect_silence(quiet);
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(client_that_closes_or_drops_leaves_its_links, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client stay(ioc);
        scripted_client closes(ioc);
        scripted_client drops(ioc);
        for (auto* c : {&stay, &closes, &drops}) {
            co_await c->connect(port);
            co_await c->send(R"(@link(node:"/unit/1",lane:value))");
            co_await c->expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        }
        BOOST_TEST(srv->get_stats().connections == 3u);
        co_await closes.close();
        drops.stop();
        for (int i = 0; i < 300 && srv->get_stats().connections != 1; ++i) {
            asio::steady_timer t(ioc, 10ms);
            co_await t.async_wait(asio::use_awaitable);
        }
        BOOST_TEST(srv->get_stats().connections == 1u);
        co_await stay.send(R"(@command(node:"/unit/1",lane:value) 3)");
        co_await stay.expect_envelope(R"(@event(node:"/unit/1",lane:value) 3)");
        co_await stay.close();
    });
}

// ---- commands --------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(
    value_command_reaches_every_linked_client_including_the_sender,
    server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client a(ioc);
        scripted_client b(ioc);
        co_await a.connect(port);
        co_await b.connect(port);
        co_await a.send(R"(@link(node:"/unit/1",lane:value))");
        co_await a.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        for (auto* c : {&a, &b}) {
            co_await c->send(R"(@link(node:"/hotel/room/1",lane:light))");
            co_await c->expect_envelope(R"(@linked(node:"/hotel/room/1",lane:light))");
        }
        co_await a.send(R"(@command(node:"/hotel/room/1",lane:light) {on:true,level:3})");
        co_await a.expect_envelope(R"(@event(node:"/hotel/room/1",lane:light) {on:true,level:3})");
        co_await b.expect_envelope(R"(@event(node:"/hotel/room/1",lane:light) {on:true,level:3})");
        // The toggle command lane flips light: another broadcast to both.
        co_await b.send(R"(@command(node:"/hotel/room/1",lane:toggle))");
        co_await a.expect_envelope(R"(@event(node:"/hotel/room/1",lane:light) true)");
        co_await b.expect_envelope(R"(@event(node:"/hotel/room/1",lane:light) true)");
        co_await a.expect_silence(quiet);
        co_await b.expect_silence(10ms);
        co_await a.close();
        co_await b.close();
    });
}

BOOST_FIXTURE_TEST_CASE(map_put_and_remove_by_command_seen_by_a_second_client, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client writer(ioc);
        scripted_client watcher(ioc);
        co_await writer.connect(port);
        co_await watcher.connect(port);
        co_await watcher.send(R"(@sync(node:"/hotel/lobby",lane:elevators))");
        co_await watcher.expect_envelope(R"(@linked(node:"/hotel/lobby",lane:elevators))");
        co_await watcher.expect_envelope(R"(@synced(node:"/hotel/lobby",lane:elevators))");
        co_await writer.send(R"(@command(node:"/hotel/lobby",lane:elevators)@update(key:e1) up)");
        co_await watcher.expect_envelope(
            R"(@event(node:"/hotel/lobby",lane:elevators)@update(key:e1) up)");
        co_await writer.send(
            R"(@command(node:"/hotel/lobby",lane:elevators)@update(key:"e 2") down)");
        co_await watcher.expect_envelope(
            R"(@event(node:"/hotel/lobby",lane:elevators)@update(key:"e 2") down)");
        co_await writer.send(R"(@command(node:"/hotel/lobby",lane:elevators)@remove(key:e1))");
        co_await watcher.expect_envelope(
            R"(@event(node:"/hotel/lobby",lane:elevators)@remove(key:e1))");
        co_await watcher.expect_silence(quiet);
        co_await writer.expect_silence(10ms);  // not linked
        // What is left, by sync.
        co_await writer.send(R"(@sync(node:"/hotel/lobby",lane:elevators))");
        co_await writer.expect_envelope(R"(@linked(node:"/hotel/lobby",lane:elevators))");
        co_await writer.expect_envelope(
            R"(@event(node:"/hotel/lobby",lane:elevators)@update(key:"e 2") down)");
        co_await writer.expect_envelope(R"(@synced(node:"/hotel/lobby",lane:elevators))");
        co_await writer.close();
        co_await watcher.close();
    });
}

BOOST_FIXTURE_TEST_CASE(command_lane_broadcasts_commands_to_linked_clients, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client a(ioc);
        scripted_client b(ioc);
        scripted_client unlinked(ioc);
        co_await a.connect(port);
        co_await b.connect(port);
        co_await unlinked.connect(port);
        for (auto* c : {&a, &b}) {
            co_await c->send(R"(@link(node:"/hotel/room/1",lane:command))");
            co_await c->expect_envelope(R"(@linked(node:"/hotel/room/1",lane:command))");
        }
        co_await unlinked.send(R"(@command(node:"/hotel/room/1",lane:command) "hello")");
        co_await a.expect_envelope(R"(@event(node:"/hotel/room/1",lane:command) "hello")");
        co_await b.expect_envelope(R"(@event(node:"/hotel/room/1",lane:command) "hello")");
        // Every command, not the latest: two in a row give two events.
        co_await a.send(R"(@command(node:"/hotel/room/1",lane:command) 1)");
        co_await a.send(R"(@command(node:"/hotel/room/1",lane:command) 1)");
        for (auto* c : {&a, &b}) {
            co_await c->expect_envelope(R"(@event(node:"/hotel/room/1",lane:command) 1)");
            co_await c->expect_envelope(R"(@event(node:"/hotel/room/1",lane:command) 1)");
        }
        co_await a.expect_silence(quiet);
        co_await b.expect_silence(10ms);
        co_await unlinked.expect_silence(10ms);
        co_await a.close();
        co_await b.close();
        co_await unlinked.close();
    });
}

// ---- unlink ----------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(unlink_linked_lane_gets_unlinked_and_no_more_events, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        scripted_client other(ioc);
        co_await c.connect(port);
        co_await other.connect(port);
        co_await c.send(R"(@link(node:"/unit/1",lane:value))");
        co_await c.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        co_await other.send(R"(@link(node:"/unit/1",lane:value))");
        co_await other.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        co_await c.send(R"(@unlink(node:"/unit/1",lane:value))");
        co_await c.expect_envelope(R"(@unlinked(node:"/unit/1",lane:value))");
        co_await other.send(R"(@command(node:"/unit/1",lane:value) 9)");
        // `other` getting the event shows the change was made.
        co_await other.expect_envelope(R"(@event(node:"/unit/1",lane:value) 9)");
        co_await c.expect_silence(quiet);
        // Unlinking again does nothing.
        co_await c.send(R"(@unlink(node:"/unit/1",lane:value))");
        co_await c.expect_silence(quiet);
        co_await c.close();
        co_await other.close();
    });
}

// ---- not found -------------------------------------------------------------------------------

// ---- auth ------------------------------------------------------------------------------------

// ---- slow clients ----------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(slow_client_gets_coalesced_values_fast_client_unaffected, server_fixture)
{
    run(
        [&]() -> asio::awaitable<void> {
            constexpr std::int64_t n = 200000;
            // A small receive buffer, so the server's writes back up soon.
            scripted_client slow(ioc, client_options{.receive_buffer = 4096});
            scripted_client fast(ioc);
            slow.name("slow");
            fast.name("fast");
            co_await slow.connect(port);
            co_await fast.connect(port);
            co_await slow.send(R"(@link(node:"/count/1",lane:value))");
            co_await slow.expect_envelope(R"(@linked(node:"/count/1",lane:value))");
            slow.pause_reading();
            co_await fast.send(R"(@link(node:"/count/1",lane:value))");
            co_await fast.expect_envelope(R"(@linked(node:"/count/1",lane:value))");

            co_await fast.send(R"(@command(node:"/count/1",lane:count) )" + std::to_string(n));
            // The fast client follows to the end while the slow one reads nothing.
            std::size_t fast_events = 0;
            std::int64_t last = 0;
            bool in_order = true;
            while (last < n) {
                auto frame = co_await fast.receive();
                auto v = counter_event(frame);
                BOOST_TEST_REQUIRE(
                    v.has_value(),
                    "fast: not a counter event: " << frame.substr(0, 80));
                in_order = in_order && *v > last;
                last = *v;
                ++fast_events;
            }
            BOOST_TEST(in_order);
            BOOST_TEST(slow.frames_read() <= 2u);  // @linked, and maybe one read in flight
            BOOST_TEST_MESSAGE("fast client: " << fast_events << " events for " << n << " sets");

            slow.resume_reading();
            std::size_t slow_events = 0;
            last = 0;
            in_order = true;
            while (last < n) {
                auto frame = co_await slow.receive();
                auto v = counter_event(frame);
                BOOST_TEST_REQUIRE(
                    v.has_value(),
                    "slow: not a counter event: " << frame.substr(0, 80));
                in_order = in_order && *v > last;
                last = *v;
                ++slow_events;
            }
            BOOST_TEST(in_order);
            BOOST_TEST(last == n);
            BOOST_TEST_MESSAGE("slow client: " << slow_events << " events for " << n << " sets");
            // At most one frame per batch of 64 is written to anyone (the batch runs at once
            // on the one thread). The slow client gets what TCP buffered when it stopped
            // reading (some MB, so well under half of the batches at 4 KB a frame), then the
            // latest value: the rest was coalesced in the server's queue.
            constexpr auto batches = static_cast<std::size_t>(n / 64);
            BOOST_TEST(slow_events < batches / 2);
            BOOST_TEST(slow_events < fast_events);
            co_await slow.expect_silence(quiet);
            co_await fast.expect_silence(10ms);
            co_await slow.close();
            co_await fast.close();
        },
        120s);
}

BOOST_FIXTURE_TEST_CASE(burst_to_paused_client_ends_with_the_last_value, server_fixture)
{
    run(
        [&]() -> asio::awaitable<void> {
            // More events than the socket buffers between server and client hold.
            constexpr std::int64_t n = 1000000;
            scripted_client slow(ioc, client_options{.receive_buffer = 4096});
            scripted_client sender(ioc);
            co_await slow.connect(port);
            co_await sender.connect(port);
            co_await slow.send(R"(@link(node:"/unit/1",lane:value))");
            co_await slow.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
            co_await sender.send(R"(@link(node:"/unit/1",lane:value))");
            co_await sender.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
            slow.pause_reading();
            co_await sender.send(R"(@command(node:"/unit/1",lane:burst) )" + std::to_string(n));
            for (std::int64_t last = 0; last < n;) {
                auto v = int_event(co_await sender.receive(), "/unit/1", "value");
                BOOST_TEST_REQUIRE(v.has_value());
                last = *v;
            }
            slow.resume_reading();
            std::size_t events = 0;
            std::int64_t last = 0;
            while (last < n) {
                auto frame = co_await slow.receive();
                auto v = int_event(frame, "/unit/1", "value");
                BOOST_TEST_REQUIRE(v.has_value(), "not a value event: " << frame);
                BOOST_TEST_REQUIRE(*v > last);
                last = *v;
                ++events;
            }
            BOOST_TEST_MESSAGE("paused client: " << events << " events for a burst of " << n);
            BOOST_TEST(events < std::size_t(n / 2));
            co_await slow.expect_silence(quiet);
            co_await slow.close();
            co_await sender.close();
        },
        120s);
}

// ---- stop ------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(stop_unlinks_every_link_then_closes_1001, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client a(ioc);
        scripted_client b(ioc);
        scripted_client idle(ioc);
        co_await a.connect(port);
        co_await b.connect(port);
        co_await idle.connect(port);
        co_await a.send(R"(@link(node:"/unit/1",lane:value))");
        co_await a.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        co_await a.send(R"(@sync(node:"/hotel/room/1",lane:light))");
        co_await a.expect_envelope(R"(@linked(node:"/hotel/room/1",lane:light))");
        co_await a.expect_envelope(R"(@event(node:"/hotel/room/1",lane:light))");
        co_await a.expect_envelope(R"(@synced(node:"/hotel/room/1",lane:light))");
        co_await a.send(R"(@link(node:"/unit/1",lane:map))");
        co_await a.expect_envelope(R"(@linked(node:"/unit/1",lane:map))");
        co_await b.send(R"(@sync(node:"/hotel/lobby",lane:elevators))");
        co_await b.expect_envelope(R"(@linked(node:"/hotel/lobby",lane:elevators))");
        co_await b.expect_envelope(R"(@synced(node:"/hotel/lobby",lane:elevators))");
        // Unlinked before the stop: no @unlinked at the stop.
        co_await b.send(R"(@link(node:"/unit/1",lane:value))");
        co_await b.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        co_await b.send(R"(@unlink(node:"/unit/1",lane:value))");
        co_await b.expect_envelope(R"(@unlinked(node:"/unit/1",lane:value))");
        BOOST_TEST(srv->get_stats().connections == 3u);

        co_await srv->async_stop();

        // a: one @unlinked per link, in any order across lanes, then the close.
        std::multiset<std::string> want{
            canonical(R"(@unlinked(node:"/unit/1",lane:value))"),
            canonical(R"(@unlinked(node:"/unit/1",lane:map))"),
            canonical(R"(@unlinked(node:"/hotel/room/1",lane:light))"),
        };
        std::multiset<std::string> got;
        for (std::size_t i = 0; i < want.size(); ++i)
            got.insert(canonical(co_await a.receive()));
        BOOST_TEST(got == want, boost::test_tools::per_element());
        auto why = co_await a.expect_close(1001);
        BOOST_TEST(why == "Server is stopping.");
        co_await a.expect_disconnect();

        co_await b.expect_envelope(R"(@unlinked(node:"/hotel/lobby",lane:elevators))");
        BOOST_TEST(co_await b.expect_close(1001) == "Server is stopping.");
        co_await b.expect_disconnect();

        BOOST_TEST(co_await idle.expect_close(1001) == "Server is stopping.");
        co_await idle.expect_disconnect();

        BOOST_TEST(srv->get_stats().connections == 0u);
        // No new connections.
        scripted_client late(ioc);
        auto err = co_await late.try_connect(port);
        BOOST_TEST(err.code.failed());
    });
}

namespace {

/// Starts `srv.async_stop()`; `stopped` is set once it completes.
void start_stop(asio::io_context& ioc, server::server& srv, bool& stopped)
{
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await srv.async_stop();
            stopped = true;
        },
        asio::detached);
}

/// The number of a `flood` event of /shout/1 (its text is "i:..."), or -1.
std::int64_t shout_number(std::string const& frame)
{
    warp::envelope e;
    std::string text;
    recon::conversion_error err;
    if (warp::parse_envelope(frame, e) || e.kind != warp::envelope_kind::event ||
        !recon::value_to(e.body, text, err))
        return -1;
    return std::stoll(text.substr(0, text.find(':')));
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(
    a_queue_written_in_parts_goes_out_whole_before_the_stop_close,
    server_fixture)
{
    // A long queue is written in parts (about 256 KB each); a close after the output waits
    // for every part, not only the one being written when the stop came.
    cfg.stop_timeout = 20s;  // (the slow client takes its frames after the stop began)
    run([&]() -> asio::awaitable<void> {
        // 8 MB of events, which are never coalesced: more than TCP buffers hold.
        constexpr std::int64_t n = 8000;
        scripted_client slow(ioc, client_options{.receive_buffer = 4096});
        scripted_client fast(ioc);
        slow.name("slow");
        co_await slow.connect(port);
        co_await fast.connect(port);
        for (auto* c : {&slow, &fast}) {
            co_await c->send(R"(@link(node:"/shout/1",lane:events))");
            co_await c->expect_envelope(R"(@linked(node:"/shout/1",lane:events))");
        }
        slow.pause_reading();
        co_await fast.send(R"(@command(node:"/shout/1",lane:flood) )" + std::to_string(n));
        for (std::int64_t i = 1; i <= n; ++i)
            BOOST_TEST_REQUIRE(shout_number(co_await fast.receive()) == i);
        // Every event waits for the slow client now, most of them in the server.
        bool stopped = false;
        start_stop(ioc, *srv, stopped);
        co_await swim::test::sleep_for(100ms);
        slow.resume_reading();
        for (std::int64_t i = 1; i <= n; ++i)
            BOOST_TEST_REQUIRE(shout_number(co_await slow.receive()) == i);
        co_await slow.expect_envelope(R"(@unlinked(node:"/shout/1",lane:events))");
        BOOST_TEST(co_await slow.expect_close(1001) == "Server is stopping.");
        co_await slow.expect_disconnect();
        BOOST_TEST(co_await swim::test::eventually([&] { return stopped; }));
    });
}

BOOST_FIXTURE_TEST_CASE(stop_completes_with_a_client_that_does_not_read, server_fixture)
{
    cfg.handshake_timeout = 1s;  // Beast's limit of the closing handshake too
    run(
        [&]() -> asio::awaitable<void> {
            // 1562 batches of 4 KB frames: more than TCP buffers for the slow client.
            constexpr std::int64_t n = 100000;
            scripted_client slow(ioc, client_options{.receive_buffer = 4096});
            scripted_client driver(ioc);
            slow.name("slow");
            co_await slow.connect(port);
            co_await driver.connect(port);
            co_await slow.send(R"(@link(node:"/count/1",lane:value))");
            co_await slow.expect_envelope(R"(@linked(node:"/count/1",lane:value))");
            slow.pause_reading();
            co_await driver.send(R"(@link(node:"/count/1",lane:value))");
            co_await driver.expect_envelope(R"(@linked(node:"/count/1",lane:value))");
            co_await driver.send(R"(@command(node:"/count/1",lane:count) )" + std::to_string(n));
            for (std::int64_t last = 0; last < n;) {
                auto v = counter_event(co_await driver.receive());
                BOOST_TEST_REQUIRE(v.has_value());
                last = *v;
            }
            // The slow client's TCP buffers are full now: the server cannot write to it.
            bool stopped = false;
            start_stop(ioc, *srv, stopped);
            auto const limit = std::chrono::steady_clock::now() + 10s;
            while (!stopped && std::chrono::steady_clock::now() < limit) {
                asio::steady_timer t(ioc, 10ms);
                co_await t.async_wait(asio::use_awaitable);
            }
            BOOST_TEST(
                stopped,
                "async_stop did not complete within 10 s of a client that does not read");
            co_await driver.expect_envelope(R"(@unlinked(node:"/count/1",lane:value))");
            co_await driver.expect_close(1001);
            // Unblock the server if it waits for the slow client still.
            slow.resume_reading();
            co_await slow.expect_disconnect();
            for (int i = 0; i < 500 && !stopped; ++i) {
                asio::steady_timer t(ioc, 10ms);
                co_await t.async_wait(asio::use_awaitable);
            }
            BOOST_TEST_REQUIRE(stopped);
        },
        120s);
}

// ---- routes ----------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(route_parameters_reach_the_agent, server_fixture)
{
    routes = [](server::server& s) {
        BOOST_REQUIRE(!s.route<param_agent>("/hotel/room/:id"));
        BOOST_REQUIRE(!s.route<pair_agent>("/pair/:x/of/:y"));
    };
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@sync(node:"/hotel/room/123",lane:id))");
        co_await c.expect_envelope(R"(@linked(node:"/hotel/room/123",lane:id))");
        co_await c.expect_envelope(R"(@event(node:"/hotel/room/123",lane:id) "123")");
        co_await c.expect_envelope(R"(@synced(node:"/hotel/room/123",lane:id))");
        co_await c.send(R"(@sync(node:"/hotel/room/123",lane:node))");
        co_await c.expect_envelope(R"(@linked(node:"/hotel/room/123",lane:node))");
        co_await c.expect_envelope(R"(@event(node:"/hotel/room/123",lane:node) "/hotel/room/123")");
        co_await c.expect_envelope(R"(@synced(node:"/hotel/room/123",lane:node))");
        co_await c.send(R"(@sync(node:"/hotel/room/123",lane:missing))");
        co_await c.expect_envelope(R"(@linked(node:"/hotel/room/123",lane:missing))");
        co_await c.expect_envelope(R"(@event(node:"/hotel/room/123",lane:missing) "")");
        co_await c.expect_envelope(R"(@synced(node:"/hotel/room/123",lane:missing))");
        // Another id, another agent.
        co_await c.send(R"(@sync(node:"/hotel/room/abc",lane:id))");
        co_await c.expect_envelope(R"(@linked(node:"/hotel/room/abc",lane:id))");
        co_await c.expect_envelope(R"(@event(node:"/hotel/room/abc",lane:id) "abc")");
        co_await c.expect_envelope(R"(@synced(node:"/hotel/room/abc",lane:id))");
        // Two parameters.
        co_await c.send(R"(@sync(node:"/pair/left/of/right",lane:params))");
        co_await c.expect_envelope(R"(@linked(node:"/pair/left/of/right",lane:params))");
        co_await c.expect_envelope(
            R"(@event(node:"/pair/left/of/right",lane:params)@update(key:x) left)");
        co_await c.expect_envelope(
            R"(@event(node:"/pair/left/of/right",lane:params)@update(key:y) right)");
        co_await c.expect_envelope(R"(@synced(node:"/pair/left/of/right",lane:params))");
        // Not matching: the segment is missing, empty, or a literal differs.
        for (auto node : {"/hotel/room", "/hotel/room/", "/hotel/suite/1", "/pair/a/and/b"}) {
            co_await c.send(R"(@link(node:")" + std::string(node) + R"(",lane:id))");
            co_await c.expect_envelope(
                R"(@unlinked(node:")" + std::string(node) + R"(",lane:id)@nodeNotFound)");
        }
        BOOST_TEST(srv->get_stats().agents == 3u);
        co_await c.close();
    });
}

// ---- limits and dead peers -------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(links_beyond_max_links_per_connection_are_refused, server_fixture)
{
    // The decisions are the session's (server_session_suite); this is the limit's wiring.
    cfg.max_links_per_connection = 2;
    run([&]() -> asio::awaitable<void> {
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(R"(@link(node:"/unit/1",lane:value))");
        co_await c.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        co_await c.send(R"(@link(node:"/unit/2",lane:value))");
        co_await c.expect_envelope(R"(@linked(node:"/unit/2",lane:value))");
        co_await c.send(R"(@link(node:"/unit/3",lane:value))");
        co_await c.expect_envelope(R"(@unlinked(node:"/unit/3",lane:value)@tooManyLinks)");
        // The limit is per connection.
        scripted_client other(ioc);
        co_await other.connect(port);
        co_await other.send(R"(@link(node:"/unit/3",lane:value))");
        co_await other.expect_envelope(R"(@linked(node:"/unit/3",lane:value))");
        co_await other.close();
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(connections_beyond_max_connections_are_closed_1013, server_fixture)
{
    cfg.max_connections = 2;
    run([&]() -> asio::awaitable<void> {
        scripted_client a(ioc);
        scripted_client b(ioc);
        co_await a.connect(port);
        co_await b.connect(port);
        co_await a.send(R"(@link(node:"/unit/1",lane:value))");
        co_await a.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        BOOST_TEST(
            co_await swim::test::eventually([&] { return srv->get_stats().connections == 2; }));
        // The third is upgraded, then closed at once with "try again later".
        scripted_client c(ioc);
        co_await c.connect(port);
        auto reason = co_await c.expect_close(1013);
        BOOST_TEST(reason == "Too many connections.");
        co_await c.expect_disconnect();
        BOOST_TEST(srv->get_stats().connections == 2u);
        co_await bystander_still_served(a);
        // One leaves: a new connection is served.
        co_await b.close();
        BOOST_TEST(
            co_await swim::test::eventually([&] { return srv->get_stats().connections == 1; }));
        scripted_client d(ioc);
        co_await d.connect(port);
        co_await sync_unit_value(d, 5);
        co_await d.close();
        co_await a.close();
    });
}

BOOST_FIXTURE_TEST_CASE(
    a_client_that_stops_answering_is_dropped_after_the_idle_timeout,
    server_fixture)
{
    cfg.idle_timeout = 500ms;
    run([&]() -> asio::awaitable<void> {
        scripted_client alive(ioc);
        scripted_client dead(ioc);
        alive.name("alive");
        dead.name("dead");
        co_await alive.connect(port);
        co_await dead.connect(port);
        co_await alive.send(R"(@link(node:"/unit/1",lane:value))");
        co_await alive.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        co_await dead.send(R"(@link(node:"/unit/1",lane:value))");
        co_await dead.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        BOOST_TEST(
            co_await swim::test::eventually([&] { return srv->get_stats().connections == 2; }));
        // Half-open: the peer's socket is there, but it reads nothing and answers no ping
        // (its read in flight ends with the event of this set; none follows it).
        dead.pause_reading();
        auto const paused = std::chrono::steady_clock::now();
        co_await alive.send(R"(@command(node:"/unit/1",lane:value) 7)");
        co_await alive.expect_envelope(R"(@event(node:"/unit/1",lane:value) 7)");
        BOOST_TEST(co_await swim::test::eventually(
            [&] { return srv->get_stats().connections == 1; },
            5000ms));
        auto const detected = std::chrono::steady_clock::now() - paused;
        BOOST_TEST_MESSAGE(
            "dropped after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(detected).count() << " ms");
        // Pinged after half the idle timeout in silence, dropped within it (from its last
        // frame, which came a little before the pause; the limit of the wait above is 5 s).
        BOOST_TEST(detected >= cfg.idle_timeout / 4);
        dead.resume_reading();
        co_await dead.expect_disconnect();
        // The live client answered every ping: still connected and served, after many
        // timeouts' worth of waiting with nothing to say.
        co_await swim::test::sleep_for(6 * cfg.idle_timeout);
        BOOST_TEST(srv->get_stats().connections == 1u);
        co_await bystander_still_served(alive);
        co_await alive.close();
    });
}

BOOST_FIXTURE_TEST_CASE(
    a_client_too_far_behind_on_events_is_dropped_others_unaffected,
    server_fixture)
{
    cfg.max_queued_bytes = 1024 * 1024;
    run(
        [&]() -> asio::awaitable<void> {
            scripted_client slow(ioc, client_options{.receive_buffer = 4096});
            scripted_client fast(ioc);
            slow.name("slow");
            fast.name("fast");
            co_await slow.connect(port);
            co_await fast.connect(port);
            co_await slow.send(R"(@link(node:"/shout/1",lane:events))");
            co_await slow.expect_envelope(R"(@linked(node:"/shout/1",lane:events))");
            slow.pause_reading();
            co_await fast.send(R"(@link(node:"/unit/1",lane:value))");
            co_await fast.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
            co_await fast.send(R"(@link(node:"/shout/1",lane:events))");
            co_await fast.expect_envelope(R"(@linked(node:"/shout/1",lane:events))");
            BOOST_TEST(
                co_await swim::test::eventually([&] { return srv->get_stats().connections == 2; }));
            // 20 MB of events, which cannot be coalesced, 200 KB at a time: the fast client
            // takes them all, in order; the slow one is cut off once 1 MB waits for it.
            constexpr int rounds = 100;
            constexpr int per_round = 200;
            for (int r = 0; r < rounds; ++r) {
                co_await fast.send(
                    R"(@command(node:"/shout/1",lane:flood) )" + std::to_string(per_round));
                for (int i = 1; i <= per_round; ++i) {
                    auto frame = co_await fast.receive();
                    warp::envelope e;
                    BOOST_TEST_REQUIRE(!warp::parse_envelope(frame, e));
                    std::string text;
                    recon::conversion_error err;
                    BOOST_TEST_REQUIRE(recon::value_to(e.body, text, err));
                    BOOST_TEST_REQUIRE(text.substr(0, text.find(':')) == std::to_string(i));
                }
            }
            BOOST_TEST(
                co_await swim::test::eventually([&] { return srv->get_stats().connections == 1; }));
            slow.resume_reading();
            co_await slow.expect_disconnect();
            BOOST_TEST(slow.frames_read() < static_cast<std::size_t>(rounds * per_round));
            co_await bystander_still_served(fast);
            co_await fast.close();
        },
        120s);
}

BOOST_FIXTURE_TEST_CASE(
    a_sync_larger_than_max_queued_bytes_goes_at_the_pace_of_its_client,
    server_fixture)
{
    // 100k entries are about 6 MB of sync; what may wait for the client is 2 MiB.
    cfg.max_queued_bytes = 2 * 1024 * 1024;
    run(
        [&]() -> asio::awaitable<void> {
            constexpr int entries = 100000;
            scripted_client c(ioc, client_options{.receive_buffer = 4096});
            co_await c.connect(port);
            c.pause_reading();
            co_await c.send(R"(@sync(node:"/big/100000",lane:map))");
            // While the client reads nothing, the sync waits with about a window queued
            // (1 MiB and a chunk), not the whole lane.
            BOOST_TEST(
                co_await swim::test::eventually([&] { return srv->get_stats().queued_bytes > 0; }));
            std::size_t most = 0;
            for (int i = 0; i < 30; ++i) {
                co_await swim::test::sleep_for(10ms);
                most = std::max(most, srv->get_stats().queued_bytes);
            }
            BOOST_TEST(most < 1536u * 1024);
            BOOST_TEST(
                co_await swim::test::eventually([&] { return srv->get_stats().connections == 1; }));
            c.resume_reading();
            co_await c.expect_envelope(R"(@linked(node:"/big/100000",lane:map))");
            int updates = 0;
            for (;;) {
                auto frame = co_await c.receive();
                if (frame.starts_with("@synced"))
                    break;
                BOOST_TEST_REQUIRE(frame.find("@update(key:k") != std::string::npos, frame);
                ++updates;
            }
            BOOST_TEST(updates == entries);
            co_await c.close();
        },
        120s);
}

BOOST_AUTO_TEST_SUITE_END()
