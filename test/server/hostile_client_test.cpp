// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The server against hostile clients: bad frames, pings from a client that never reads,
// text from the network in close reasons and log lines.

#include <mutex>

#include "../../lib/net/text.hpp"
#include "common/raw_ws.hpp"
#include "uplink_fixture.hpp"

BOOST_AUTO_TEST_SUITE(server_uplinks)

BOOST_FIXTURE_TEST_CASE(unparsable_text_frame_closes_1002_others_unaffected, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client good(ioc);
        co_await good.connect(port);
        co_await good.send(R"(@link(node:"/unit/1",lane:value))");
        co_await good.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");

        scripted_client bad(ioc);
        co_await bad.connect(port);
        co_await bad.send(R"(@link(node:"/unit/1",lane:value))");
        co_await bad.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        co_await bad.send("this is not WARP");
        auto reason = co_await bad.expect_close(1002);
        BOOST_TEST(!reason.empty());
        BOOST_TEST_MESSAGE("close reason: " << reason);
        co_await bad.expect_disconnect();

        co_await bystander_still_served(good);
        co_await good.close();
    });
}

BOOST_FIXTURE_TEST_CASE(binary_frame_closes_1002_others_unaffected, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client good(ioc);
        co_await good.connect(port);
        co_await good.send(R"(@link(node:"/unit/1",lane:value))");
        co_await good.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");

        scripted_client bad(ioc);
        co_await bad.connect(port);
        co_await bad.send_binary(R"(@sync(node:"/unit/1",lane:value))");
        auto reason = co_await bad.expect_close(1002);
        BOOST_TEST(reason == "Expected string data.");
        co_await bad.expect_disconnect();

        co_await bystander_still_served(good);
        co_await good.close();
    });
}

BOOST_FIXTURE_TEST_CASE(frame_over_max_frame_size_closes_1009_others_unaffected, server_fixture)
{
    cfg.max_frame_size = 1024;
    run([&]() -> asio::awaitable<void> {
        scripted_client good(ioc);
        co_await good.connect(port);
        co_await good.send(R"(@link(node:"/unit/1",lane:value))");
        co_await good.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");

        scripted_client bad(ioc);
        co_await bad.connect(port);
        // Just under the limit: served.
        std::string fits = R"(@command(node:"/hotel/room/1",lane:light) ")";
        fits += std::string(1000 - fits.size() - 1, 'x') + "\"";
        co_await bad.send(fits);
        co_await bad.send(R"(@sync(node:"/unit/2",lane:value))");
        co_await bad.expect_envelope(R"(@linked(node:"/unit/2",lane:value))");
        co_await bad.expect_envelope(R"(@event(node:"/unit/2",lane:value) 0)");
        co_await bad.expect_envelope(R"(@synced(node:"/unit/2",lane:value))");
        // Over it: closed.
        std::string big = R"(@command(node:"/hotel/room/1",lane:light) ")";
        big += std::string(2000, 'x') + "\"";
        co_await bad.send(big);
        co_await bad.expect_close(1009);
        co_await bad.expect_disconnect();

        co_await bystander_still_served(good);
        co_await good.close();
    });
}

BOOST_FIXTURE_TEST_CASE(
    a_client_that_streams_pings_and_never_reads_gets_only_the_latest_pong,
    server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        scripted_client good(ioc);
        co_await good.connect(port);
        co_await good.send(R"(@link(node:"/unit/1",lane:value))");
        co_await good.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        auto s = co_await swim::test::raw_ws::connect(port);
        BOOST_TEST_REQUIRE(s.is_open());
        // 200,000 pings (26 MB) without reading: the pongs cannot all fit in the sockets'
        // buffers, so the server answers only the latest ping whenever it can write.
        std::size_t const count = 200000;
        std::string const pings = swim::test::raw_ws::pings(count, true);
        auto [wec, wn] = co_await asio::async_write(
            s,
            asio::buffer(pings),
            swim::test::raw_ws::use_tuple);
        BOOST_TEST_REQUIRE(!wec);
        std::size_t const pongs = co_await swim::test::raw_ws::pongs_until_the_last(
            s,
            false,
            count);
        BOOST_TEST(pongs > 0u);
        BOOST_TEST_MESSAGE(pongs << " pongs for " << count << " pings");
        BOOST_TEST(pongs < count / 2);
        co_await bystander_still_served(good);
        co_await good.close();
    });
}

BOOST_FIXTURE_TEST_CASE(close_reasons_are_utf8_cut_on_a_character_boundary, server_fixture)
{
    run([&]() -> asio::awaitable<void> {
        // The 1002 reason quotes the bad frame: two-byte characters from either parity, so
        // that one of them straddles byte 123.
        std::string even;
        for (int i = 0; i < 100; ++i)
            even += "\xC3\xA9";
        for (std::string const& frame : {even, "x" + even}) {
            scripted_client bad(ioc);
            co_await bad.connect(port);
            co_await bad.send(frame);
            auto reason = co_await bad.expect_close(1002);
            BOOST_TEST(reason.size() <= 123u);
            BOOST_TEST(reason.find("\xC3\xA9\xC3\xA9") != std::string::npos);
            BOOST_TEST(net::detail::valid_utf8(reason), reason);
            co_await bad.expect_disconnect();
        }
    });
}

BOOST_FIXTURE_TEST_CASE(log_lines_escape_what_came_from_the_network, server_fixture)
{
    auto lines = std::make_shared<std::vector<std::string>>();
    auto mutex = std::make_shared<std::mutex>();
    cfg.log.sink = [lines, mutex](client::log_level, std::string_view line) {
        std::lock_guard lock(*mutex);
        lines->emplace_back(line);
    };
    run([&]() -> asio::awaitable<void> {
        // A node URI with a newline, and bytes that are not UTF-8 (in a string, a Recon
        // escape that the server decodes), reach the log through a command it cannot apply.
        scripted_client c(ioc);
        co_await c.connect(port);
        co_await c.send(
            R"(@command(node:"/unit/x\n2026-12-05 ERROR forged line",lane:value) "not a number")");
        BOOST_TEST(co_await swim::test::eventually([&] {
            std::lock_guard lock(*mutex);
            for (auto const& l : *lines)
                if (l.find("/unit/x\\n2026-12-05 ERROR forged line") != std::string::npos)
                    return true;
            return false;
        }));
        std::lock_guard lock(*mutex);
        for (auto const& l : *lines) {
            BOOST_TEST(l.find('\n') == std::string::npos, l);
            BOOST_TEST(net::detail::valid_utf8(l));
            BOOST_TEST(l.size() <= cfg.log.max_line);
        }
        co_await c.close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_value_over_max_value_memory_closes_1009_others_unaffected, server_fixture)
{
    cfg.max_value_memory = 1024 * 1024;
    run([&]() -> asio::awaitable<void> {
        scripted_client good(ioc);
        co_await good.connect(port);
        co_await good.send(R"(@link(node:"/unit/1",lane:value))");
        co_await good.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        // 200 KB of `@a` would take about 9 MB once parsed.
        std::string attrs;
        for (int i = 0; i < 100000; ++i)
            attrs += "@a";
        scripted_client bad(ioc);
        co_await bad.connect(port);
        co_await bad.send(R"(@command(node:"/unit/2",lane:value) )" + attrs);
        auto reason = co_await bad.expect_close(1009);
        BOOST_TEST(reason.find("max_value_memory") != std::string::npos, reason);
        co_await bad.expect_disconnect();
        co_await bystander_still_served(good);
        co_await good.close();
    });
}

BOOST_FIXTURE_TEST_CASE(
    credentials_kept_as_the_identity_count_against_max_value_memory,
    server_fixture)
{
    cfg.max_value_memory = 1024 * 1024;
    run([&]() -> asio::awaitable<void> {
        std::string const big_text = "\"" + std::string(600 * 1024, 'x') + "\"";
        // Without credentials, a 600 KB command fits.
        scripted_client plain(ioc);
        co_await plain.connect(port);
        co_await plain.send(R"(@link(node:"/hotel/room/1",lane:light))");
        co_await plain.expect_envelope(R"(@linked(node:"/hotel/room/1",lane:light))");
        co_await plain.send(R"(@command(node:"/hotel/room/1",lane:light) )" + big_text);
        auto echoed = co_await plain.receive();
        BOOST_TEST(echoed.size() > 600u * 1024u);
        // With 600 KB of credentials kept, it does not.
        scripted_client authed(ioc);
        co_await authed.connect(port);
        co_await authed.send("@auth " + big_text);
        co_await authed.expect_envelope("@authed");
        co_await authed.send(R"(@command(node:"/hotel/room/1",lane:light) )" + big_text);
        auto reason = co_await authed.expect_close(1009);
        BOOST_TEST(reason.find("max_value_memory") != std::string::npos, reason);
        co_await plain.close();
    });
}

BOOST_FIXTURE_TEST_CASE(
    the_output_budget_closes_the_connections_furthest_behind_first,
    server_fixture)
{
    // No limit per connection; 4 MiB for all of them together.
    cfg.max_queued_bytes = 0;
    cfg.max_total_queued_bytes = 4 * 1024 * 1024;
    auto lines = std::make_shared<std::vector<std::string>>();
    auto mutex = std::make_shared<std::mutex>();
    cfg.log.sink = [lines, mutex](client::log_level, std::string_view line) {
        std::lock_guard lock(*mutex);
        lines->emplace_back(line);
    };
    run(
        [&]() -> asio::awaitable<void> {
            scripted_client setter(ioc);
            co_await setter.connect(port);
            co_await setter.send(R"(@link(node:"/hotel/room/1",lane:light))");
            co_await setter.expect_envelope(R"(@linked(node:"/hotel/room/1",lane:light))");
            std::string const big = "\"" + std::string(256 * 1024, 'v') + "\"";
            co_await setter.send(R"(@command(node:"/hotel/room/1",lane:light) )" + big);
            co_await setter.receive();  // its event
            co_await setter.send(R"(@link(node:"/unit/1",lane:value))");
            co_await setter.expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
            // Two clients that never read ask for the 256 KB value again and again: the one
            // with 16 MB asked is closed, the one with 512 KB stays.
            scripted_client far(ioc, client_options{.receive_buffer = 4096});
            scripted_client near(ioc, client_options{.receive_buffer = 4096});
            co_await far.connect(port);
            co_await near.connect(port);
            far.pause_reading();
            near.pause_reading();
            for (int i = 0; i < 2; ++i)
                co_await near.send(R"(@sync(node:"/hotel/room/1",lane:light))");
            // (The server may close it before it has sent them all: a send then fails, and
            // that was its disconnection.)
            bool far_gone = false;
            for (int i = 0; i < 64 && !far_gone; ++i) {
                auto sent = far.try_send(R"(@sync(node:"/hotel/room/1",lane:light))");
                far_gone = bool(co_await std::move(sent));
            }
            BOOST_TEST(co_await swim::test::eventually([&] {
                std::lock_guard lock(*mutex);
                for (auto const& l : *lines)
                    if (l.find("max_total_queued_bytes") != std::string::npos)
                        return true;
                return false;
            }));
            BOOST_TEST(
                co_await swim::test::eventually([&] { return srv->get_stats().connections == 2; }));
            BOOST_TEST(srv->get_stats().queued_bytes <= cfg.max_total_queued_bytes);
            far.resume_reading();
            if (!far_gone)
                co_await far.expect_disconnect();
            // The near one is still served, and so is the setter.
            near.resume_reading();
            co_await near.send(R"(@link(node:"/unit/1",lane:value))");
            co_await bystander_still_served(setter);
            {
                std::lock_guard lock(*mutex);
                std::size_t named = 0;
                for (auto const& l : *lines)
                    if (l.find("max_total_queued_bytes") != std::string::npos) {
                        BOOST_TEST(l.find("closing connection ") == 0u, l);
                        ++named;
                    }
                BOOST_TEST(named == 1u);
            }
            co_await near.close();
            co_await setter.close();
        },
        60s);
}

BOOST_FIXTURE_TEST_CASE(
    connections_in_their_handshakes_are_bounded_by_max_handshakes,
    server_fixture)
{
    cfg.max_handshakes = 2;
    run([&]() -> asio::awaitable<void> {
        // Two TCP connections that never send their upgrade request hold both places.
        std::vector<asio::ip::tcp::socket> silent;
        for (int i = 0; i < 2; ++i) {
            asio::ip::tcp::socket s(ioc);
            auto [ec] = co_await s.async_connect(
                {asio::ip::make_address("127.0.0.1"), port},
                swim::test::raw_ws::use_tuple);
            BOOST_TEST_REQUIRE(!ec);
            silent.push_back(std::move(s));
        }
        BOOST_TEST(
            co_await swim::test::eventually([&] { return srv->get_stats().handshakes == 2; }));
        // A third waits in the backlog: its upgrade is not answered while they hold on.
        bool upgraded = false;
        auto third = std::make_shared<scripted_client>(ioc);
        asio::co_spawn(
            ioc,
            [&, third]() -> asio::awaitable<void> {
                co_await third->connect(port);
                upgraded = true;
            },
            asio::detached);
        co_await swim::test::sleep_for(500ms);
        BOOST_TEST(!upgraded);
        BOOST_TEST(srv->get_stats().handshakes == 2u);
        // One of them goes: the third is served.
        silent[0].close();
        BOOST_TEST(co_await swim::test::eventually([&] { return upgraded; }));
        co_await third->send(R"(@sync(node:"/unit/1",lane:value))");
        co_await third->expect_envelope(R"(@linked(node:"/unit/1",lane:value))");
        co_await third->close();
        silent[1].close();
        BOOST_TEST(
            co_await swim::test::eventually([&] { return srv->get_stats().handshakes == 0; }));
    });
}

BOOST_FIXTURE_TEST_CASE(
    a_client_that_neither_reads_nor_answers_is_dropped_while_a_write_waits,
    server_fixture)
{
    // The server's write to it never completes (its window is shut): the idle timeout must
    // still run, so must a close's time limit.
    cfg.idle_timeout = 600ms;
    cfg.handshake_timeout = 1000ms;  // the close handshake's limit too
    run([&]() -> asio::awaitable<void> {
        auto s = co_await swim::test::raw_ws::connect(port, 4096);
        BOOST_TEST_REQUIRE(s.is_open());
        std::string frames;
        net::detail::append_ws_frame(
            frames,
            net::detail::ws_opcode::text,
            R"(@link(node:"/hotel/room/9",lane:light))",
            0x01020304u);
        // 64 values of 256 KB each: far more than the sockets' buffers hold.
        std::string const big = "\"" + std::string(256 * 1024, 'v') + "\"";
        for (int i = 0; i < 64; ++i)
            net::detail::append_ws_frame(
                frames,
                net::detail::ws_opcode::text,
                R"(@command(node:"/hotel/room/9",lane:light) )" + big,
                0x01020304u);
        auto [wec, wn] = co_await asio::async_write(
            s,
            asio::buffer(frames),
            swim::test::raw_ws::use_tuple);
        BOOST_TEST_REQUIRE(!wec);
        BOOST_TEST(
            co_await swim::test::eventually([&] { return srv->get_stats().connections == 1; }));
        auto const since = std::chrono::steady_clock::now();
        BOOST_TEST(co_await swim::test::eventually(
            [&] { return srv->get_stats().connections == 0; },
            5000ms));
        BOOST_TEST_MESSAGE(
            "dropped after " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - since)
                                    .count()
                             << " ms");
        s.close();
    });
}

BOOST_AUTO_TEST_SUITE_END()
