// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// swim-server on a data directory killed (SIGKILL) 30 times while several clients write, and
// started again on the same directory each time: with synced durability every change a
// client saw is there after the restart (each lane holds the last value its writer saw, or
// one it sent after it and whose event the kill cut off), nothing else.

#include <swim/recon/convert.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/map_event.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/scripted_client.hpp"
#include "common/scripted_peer.hpp"
#include "server_process.hpp"
#include "test_util.hpp"

namespace asio = boost::asio;
using namespace swim;
using namespace std::chrono_literals;
using swim::test::eventually;
using swim::test::server_process;

namespace {

constexpr int writers = 4;
/// Commands a writer sends before it waits for their events.
constexpr std::int64_t window = 8;

/// What one writer sent and saw of its value lane and of its key in the shared map.
struct writer_state {
    std::int64_t sent = 0;
    std::int64_t seen_value = 0;
    std::int64_t seen_entry = 0;
    bool done = false;
};

std::string value_node(int i)
{
    return "/unit/crash" + std::to_string(i);
}

std::string entry_key(int i)
{
    return "w" + std::to_string(i);
}

/// The integer body of an event of (node, lane), or of its map update at `key`.
std::optional<std::int64_t> event_value(
    warp::envelope const& e,
    std::string_view node,
    std::string_view lane,
    std::string_view key = {})
{
    if (e.kind != warp::envelope_kind::event || e.node != node || e.lane != lane)
        return std::nullopt;
    recon::value body = e.body;
    if (!key.empty()) {
        warp::map_event m;
        if (warp::to_map_event(std::move(body), m) || m.kind != warp::map_event::op::update ||
            recon::to_string(m.key) != key)
            return std::nullopt;
        body = std::move(m.value);
    }
    std::int64_t v = 0;
    recon::conversion_error err;
    if (!recon::value_to(body, v, err))
        return std::nullopt;
    return v;
}

/// Sends `frame`; false when the connection is gone. (One co_await per statement: GCC 12
/// destroys the temporaries of a co_await expression twice.)
asio::awaitable<bool> sent(swim::test::scripted_client& c, std::string frame)
{
    auto op = c.try_send(std::move(frame));
    auto err = co_await std::move(op);
    co_return !err;
}

/// Writes increasing numbers to its value lane and its key of the shared map, `window` at a
/// time, until the connection ends (the server is killed).
asio::awaitable<void> write_until_killed(
    asio::io_context& ioc,
    std::uint16_t port,
    int i,
    writer_state& st)
{
    swim::test::scripted_client c(ioc);
    auto connecting = c.try_connect(port);
    auto failed = co_await std::move(connecting);
    auto const node = value_node(i);
    auto const key = entry_key(i);
    bool ok = !failed;
    if (ok)
        ok = co_await sent(c, "@link(node:\"" + node + "\",lane:value)");
    if (ok)
        ok = co_await sent(c, R"(@link(node:"/unit/shared",lane:map))");
    while (ok) {
        while (ok && st.sent - std::min(st.seen_value, st.seen_entry) < window) {
            auto const n = std::to_string(++st.sent);
            ok = co_await sent(c, "@command(node:\"" + node + "\",lane:value)" + n);
            if (ok)
                ok = co_await sent(
                    c,
                    "@command(node:\"/unit/shared\",lane:map)@update(key:" + key + ")" + n);
        }
        if (!ok)
            break;
        auto receiving = c.try_receive(5s);
        auto r = co_await std::move(receiving);
        if (r.error || r.value.kind != swim::test::frame_kind::text)
            break;
        warp::envelope e;
        if (warp::parse_envelope(r.value.payload, e))
            continue;
        if (auto v = event_value(e, node, "value"))
            st.seen_value = std::max(st.seen_value, *v);
        if (auto v = event_value(e, "/unit/shared", "map", key))
            st.seen_entry = std::max(st.seen_entry, *v);
    }
    c.stop();
    st.done = true;
}

/// The state after a restart: each writer's value and entry, read by a sync.
asio::awaitable<void> check_restored(
    asio::io_context& ioc,
    std::uint16_t port,
    std::vector<writer_state>& states,
    int round,
    int& exact)
{
    swim::test::scripted_client c(ioc);
    co_await c.connect(port);
    auto sync = [&](std::string node,
                    std::string lane) -> asio::awaitable<std::vector<warp::envelope>> {
        co_await c.send("@sync(node:\"" + node + "\",lane:" + lane + ")");
        std::vector<warp::envelope> out;
        for (;;) {
            warp::envelope e;
            BOOST_REQUIRE(!warp::parse_envelope(co_await c.receive(), e));
            if (e.kind == warp::envelope_kind::synced)
                break;
            out.push_back(std::move(e));
        }
        co_return out;
    };
    auto entries = co_await sync("/unit/shared", "map");
    for (int i = 0; i < writers; ++i) {
        auto& st = states[static_cast<std::size_t>(i)];
        auto const node = value_node(i);
        auto values = co_await sync(node, "value");
        std::optional<std::int64_t> value;
        for (auto const& e : values)
            if (auto v = event_value(e, node, "value"))
                value = v;
        std::optional<std::int64_t> entry;
        for (auto const& e : entries)
            if (auto v = event_value(e, "/unit/shared", "map", entry_key(i)))
                entry = v;
        std::int64_t const v = value.value_or(0);
        std::int64_t const m = entry.value_or(0);
        // Everything seen is there; nothing that was not sent.
        BOOST_TEST(
            (v >= st.seen_value && v <= st.sent),
            "round " << round << ", writer " << i << ": value " << v << ", saw " << st.seen_value
                     << ", sent " << st.sent);
        BOOST_TEST(
            (m >= st.seen_entry && m <= st.sent),
            "round " << round << ", writer " << i << ": entry " << m << ", saw " << st.seen_entry
                     << ", sent " << st.sent);
        exact += (v == st.seen_value) + (m == st.seen_entry);
        // The next round goes on from what is there (what the kill cut off is gone).
        st.seen_value = v;
        st.seen_entry = m;
        st.sent = std::max(v, m);
        st.done = false;
    }
    co_await c.close();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_crash)

BOOST_AUTO_TEST_CASE(killed_30_times_while_writing_it_keeps_every_change_a_client_saw)
{
    auto const dir = std::filesystem::temp_directory_path() /
                     ("swim-crash-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    asio::io_context ioc;
    std::vector<writer_state> states(writers);
    std::mt19937 rng(20261205);
    int exact = 0;
    std::int64_t total_seen = 0;
    swim::test::run_test(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (int round = 0; round <= 30; ++round) {
                server_process server;
                auto const port = server.start(0, {"--bench-agents", "--data-dir", dir.string()});
                BOOST_REQUIRE(port != 0);
                if (round > 0)
                    co_await check_restored(ioc, port, states, round, exact);
                if (round == 30)
                    break;
                std::int64_t const before = states[0].seen_value;
                for (int i = 0; i < writers; ++i)
                    asio::co_spawn(
                        ioc,
                        write_until_killed(ioc, port, i, states[static_cast<std::size_t>(i)]),
                        asio::detached);
                // Killed at a random moment once the writers are under way.
                bool const moved = co_await eventually(
                    [&] { return states[0].seen_value > before; });
                BOOST_REQUIRE_MESSAGE(
                    moved,
                    "round " << round << ": writer 0 saw nothing new (saw " << states[0].seen_value
                             << ", sent " << states[0].sent << ")");
                co_await swim::test::sleep_for(std::chrono::milliseconds(rng() % 150));
                server.kill();
                BOOST_REQUIRE(co_await eventually(
                    [&] {
                        return std::all_of(states.begin(), states.end(), [](auto const& s) {
                            return s.done;
                        });
                    },
                    10000ms));
                for (auto const& s : states)
                    total_seen += s.seen_value;
            }
        },
        180s);
    BOOST_TEST_MESSAGE(
        "30 kills: " << exact << " of " << 30 * 2 * writers
                     << " lanes held exactly the last value seen (the others one sent after it)");
    BOOST_TEST(total_seen > 0);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
