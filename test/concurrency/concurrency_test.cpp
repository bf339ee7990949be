// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// One swim::server::server and several swim::client::client instances on one io_context run
// by 4 threads: value, map and event downlinks, sets, map updates and removes, commands from
// every client at once, agent-side downlinks (local, same server) mirroring the lanes under
// load, many downlinks per client, and connect/close churn. The final states are checked
// exactly. scripts/test.sh runs this executable under ASan+UBSan (the main build) and under
// TSan (build-tsan/).
//
// Boost.Test's assertions are not thread safe: the coroutines record what went wrong in a
// mutex-guarded list, and the test thread checks it once the io_context has drained.

#include <swim/client/client.hpp>
#include <swim/server/demo_plan.hpp>
#include <swim/server/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/test_util.hpp"

namespace asio = boost::asio;
using namespace swim;
using namespace std::chrono_literals;
using swim::test::eventually;
using swim::test::sleep_for;

namespace {

constexpr int n_threads = 4;
constexpr int n_clients = 6;
constexpr int n_counters = 2;       // /counter/0, /counter/1 (and their /mirror/<id>)
constexpr int n_rounds = 150;       // writes per client per counter
constexpr int n_extra = 16;         // more value downlinks per client, one agent each
constexpr int n_churners = 2;       // tasks that connect, write and close in a loop
constexpr int n_churn_rounds = 20;  // clients made and closed per churn task
constexpr std::int64_t total_adds = std::int64_t{n_clients} * n_rounds;
constexpr auto converge_limit = 60000ms;  // generous: TSan slows everything down

using table_t = std::map<std::string, std::int64_t>;

std::string counter_node(int k)
{
    return "/counter/" + std::to_string(k);
}

std::string mirror_node(int k)
{
    return "/mirror/" + std::to_string(k);
}

std::string key_of(int client, int round)
{
    return "c" + std::to_string(client) + "-" + std::to_string(round);
}

/// The table every counter must end with: each client put every round, removed every third.
table_t expected_table()
{
    table_t t;
    for (int i = 0; i < n_clients; ++i)
        for (int j = 0; j < n_rounds; ++j)
            if (j % 3 != 0)
                t[key_of(i, j)] = j;
    return t;
}

/// A counter: `add` commands add to `count`; `table` and `value` are written by the clients.
struct counter_agent : server::agent {
    explicit counter_agent(server::agent_context& ctx)
        : agent(ctx)
    {
        add.on_command([this](std::int64_t const& n) { count.set(count.get() + n); });
    }
    server::value_lane<std::int64_t> count{*this, "count"};
    server::command_lane<std::int64_t> add{*this, "add"};
    server::map_lane<std::string, std::int64_t> table{*this, "table"};
    server::value_lane<std::int64_t> value{*this, "value"};
};

/// Mirrors /counter/<id> through agent-side downlinks: its table into `copy`, its count
/// into `seen`.
struct mirror_agent : server::agent {
    using agent::agent;
    server::map_lane<std::string, std::int64_t> copy{*this, "copy"};
    server::value_lane<std::int64_t> seen{*this, "seen"};
    std::optional<server::map_downlink_handle<std::string, std::int64_t>> table;
    std::optional<server::value_downlink_handle<std::int64_t>> count;

    void on_start() override
    {
        std::string target = "/counter/" + std::string(context().param("id"));
        table = context()
                    .map_downlink_builder<std::string, std::int64_t>(std::nullopt, target, "table")
                    .on_synced([this](std::map<std::string, std::int64_t> const& all) {
                        copy.clear();
                        for (auto const& [k, v] : all)
                            copy.update(k, v);
                    })
                    .on_update([this](
                                   std::string const& k,
                                   std::optional<std::int64_t> const&,
                                   std::int64_t const& v) { copy.update(k, v); })
                    .on_remove(
                        [this](std::string const& k, std::int64_t const&) { copy.remove(k); })
                    .done();
        count = context()
                    .value_downlink_builder<std::int64_t>(std::nullopt, target, "count")
                    .on_synced([this](std::int64_t const& v) { seen.set(v); })
                    .on_set([this](std::optional<std::int64_t> const&, std::int64_t const& now) {
                        seen.set(now);
                    })
                    .done();
    }
};

/// What the tasks share; touched from every thread.
struct shared_state {
    std::string url;
    std::atomic<int> linked{0};    // load clients whose downlinks are up
    std::atomic<int> written{0};   // load clients that wrote everything
    std::atomic<int> finished{0};  // tasks done (load and churn)
    std::atomic<bool> stopped{false};

    std::mutex m;
    std::vector<std::string> failures;
    std::map<int, std::set<std::int64_t>> final_values;  // counter -> values the clients ended with

    void fail(std::string what)
    {
        std::lock_guard lock(m);
        failures.push_back(std::move(what));
    }
    void expect(bool ok, std::string const& what)
    {
        if (!ok)
            fail(what);
    }
};

std::string where(int client, char const* what)
{
    return "client " + std::to_string(client) + ": " + what;
}

/// Polls a value downlink until it holds `want`; returns the last value read.
template <class Downlink>
asio::awaitable<std::int64_t> await_value(Downlink& dl, std::int64_t want)
{
    auto const deadline = std::chrono::steady_clock::now() + converge_limit;
    std::int64_t v = co_await dl.get();
    while (v != want && std::chrono::steady_clock::now() < deadline) {
        co_await sleep_for(5ms);
        v = co_await dl.get();
    }
    co_return v;
}

/// Polls a map downlink until it holds `want`; returns whether it does.
template <class Downlink>
asio::awaitable<bool> await_table(Downlink& dl, table_t const& want)
{
    auto const deadline = std::chrono::steady_clock::now() + converge_limit;
    for (;;) {
        auto all = co_await dl.get_all();
        if (all == want)
            co_return true;
        if (std::chrono::steady_clock::now() >= deadline)
            co_return false;
        co_await sleep_for(5ms);
    }
}

/// A client that links to everything, waits for the others, then writes to every counter
/// at once with them, and checks that every lane, mirror and downlink converges.
asio::awaitable<void> load_client(std::unique_ptr<client::client> c, int i, shared_state& st)
{
    auto const& url = st.url;
    std::vector<client::map_downlink<std::string, std::int64_t>> mirrors, tables;
    std::vector<client::value_downlink<std::int64_t>> counts, values, seen, extras;
    std::vector<client::event_downlink<std::int64_t>> adds;
    auto add_events = std::make_shared<std::vector<std::int64_t>>(n_counters, 0);
    for (int k = 0; k < n_counters; ++k) {
        mirrors.push_back(c->map_downlink<std::string, std::int64_t>(url, mirror_node(k), "copy"));
        seen.push_back(c->value_downlink<std::int64_t>(url, mirror_node(k), "seen"));
        tables.push_back(c->map_downlink<std::string, std::int64_t>(url, counter_node(k), "table"));
        counts.push_back(c->value_downlink<std::int64_t>(url, counter_node(k), "count"));
        values.push_back(c->value_downlink<std::int64_t>(url, counter_node(k), "value"));
        auto ev = c->event_downlink<std::int64_t>(url, counter_node(k), "add");
        ev.on_event([add_events, k](std::int64_t const& n) { (*add_events)[k] += n; });
        adds.push_back(std::move(ev));
    }
    for (int x = 0; x < n_extra; ++x)
        extras.push_back(c->value_downlink<std::int64_t>(
            url,
            "/counter/extra" + std::to_string((x + i) % n_extra),
            "count"));

    for (auto& dl : mirrors)
        co_await dl.synced();
    for (auto& dl : seen)
        co_await dl.synced();
    for (auto& dl : tables)
        co_await dl.synced();
    for (auto& dl : counts)
        co_await dl.synced();
    for (auto& dl : values)
        co_await dl.synced();
    for (auto& dl : adds)
        co_await dl.linked();
    for (auto& dl : extras)
        co_await dl.synced();

    // Every event downlink of every client is linked before anyone writes: each sees every add.
    ++st.linked;
    bool all_linked = co_await eventually([&] { return st.linked == n_clients; }, converge_limit);
    st.expect(all_linked, where(i, "the other clients never linked"));

    for (int j = 0; j < n_rounds; ++j) {
        for (int k = 0; k < n_counters; ++k) {
            st.expect(!values[k].set(std::int64_t{i} * 1000 + j), where(i, "set failed"));
            st.expect(!tables[k].put(key_of(i, j), j), where(i, "put failed"));
            if (j % 3 == 0)
                st.expect(!tables[k].remove(key_of(i, j)), where(i, "remove failed"));
            st.expect(
                !c->command(url, counter_node(k), "add", recon::value(std::int64_t{1})),
                where(i, "command failed"));
        }
        if (j % 4 == 3) {
            // Let the other strands in.
            auto ex = co_await asio::this_coro::executor;
            co_await asio::post(ex, asio::use_awaitable);
        }
    }
    ++st.written;
    bool all_written = co_await eventually([&] { return st.written == n_clients; }, converge_limit);
    st.expect(all_written, where(i, "the other clients never finished writing"));

    table_t const want = expected_table();
    for (int k = 0; k < n_counters; ++k) {
        std::string const on = " on " + counter_node(k);
        std::int64_t n = co_await await_value(counts[k], total_adds);
        st.expect(n == total_adds, where(i, "count") + on + " is " + std::to_string(n));
        // Each client's sets were queued before its last add, on the same connection: once
        // the count is complete the value lane holds its final value and we have seen it.
        std::int64_t v = co_await values[k].get();
        {
            std::lock_guard lock(st.m);
            st.final_values[k].insert(v);
        }
        bool table_ok = co_await await_table(tables[k], want);
        st.expect(table_ok, where(i, "table") + on + " never held the expected entries");
        bool mirror_ok = co_await await_table(mirrors[k], want);
        st.expect(mirror_ok, where(i, "mirror of the table") + on + " never converged");
        std::int64_t s = co_await await_value(seen[k], total_adds);
        st.expect(
            s == total_adds,
            where(i, "mirror of the count") + on + " is " + std::to_string(s));
        bool events_ok = co_await eventually(
            [&] { return (*add_events)[k] == total_adds; },
            converge_limit);
        st.expect(
            events_ok,
            where(i, "add events") + on + ": " + std::to_string((*add_events)[k]) + " of " +
                std::to_string(total_adds));
    }
    for (auto& dl : extras) {
        std::int64_t e = co_await dl.get();
        st.expect(e == 0, where(i, "an extra count is not 0"));
    }
    co_await c->async_close();
    ++st.finished;
}

/// One round of churn: a new client checks that the previous round's set arrived, sets the
/// next value, and closes (with async_close or only its destructor, which writes what is
/// queued first).
asio::awaitable<void> churn_once(std::unique_ptr<client::client> c, int t, int r, shared_state& st)
{
    std::string const node = "/counter/churn" + std::to_string(t);
    auto v = c->value_downlink<std::int64_t>(st.url, node, "value");
    auto table = c->map_downlink<std::string, std::int64_t>(
        st.url,
        counter_node(r % n_counters),
        "table");
    auto count = c->value_downlink<std::int64_t>(st.url, counter_node(r % n_counters), "count");
    std::int64_t before = co_await await_value(v, r);
    st.expect(
        before == r,
        "churn " + std::to_string(t) + " round " + std::to_string(r) + ": found " +
            std::to_string(before));
    co_await table.synced();
    std::int64_t n = co_await count.get();
    st.expect(n >= 0 && n <= total_adds, "churn: count out of range");
    st.expect(!v.set(r + 1), "churn: set failed");
    if (r % 2 == 0)
        co_await c->async_close();
    // else: the client is destroyed on its strand when this coroutine ends
}

asio::awaitable<void> churn_task(asio::io_context& ioc, int t, shared_state& st)
{
    for (int r = 0; r < n_churn_rounds; ++r) {
        auto c = std::make_unique<client::client>(
            ioc.get_executor(),
            swim::test::fast_client_config());
        auto ex = c->get_executor();
        auto op = asio::co_spawn(ex, churn_once(std::move(c), t, r, st), asio::use_awaitable);
        co_await std::move(op);
    }
    ++st.finished;
}

/// Waits for every task, checks what only the whole run shows, and stops the server.
asio::awaitable<void> coordinator(asio::io_context& ioc, server::server& srv, shared_state& st)
{
    constexpr int tasks = n_clients + n_churners;
    bool done = co_await eventually([&] { return st.finished == tasks; }, 3 * converge_limit);
    st.expect(
        done,
        "the tasks did not finish: " + std::to_string(st.finished) + " of " +
            std::to_string(tasks));

    // The last churn round's set was delivered, whichever way its client closed.
    auto c = std::make_unique<client::client>(ioc.get_executor(), swim::test::fast_client_config());
    auto ex = c->get_executor();
    auto check = [](std::unique_ptr<client::client> vc, shared_state& s) -> asio::awaitable<void> {
        for (int t = 0; t < n_churners; ++t) {
            auto v = vc->value_downlink<std::int64_t>(
                s.url,
                "/counter/churn" + std::to_string(t),
                "value");
            std::int64_t last = co_await await_value(v, n_churn_rounds);
            s.expect(
                last == n_churn_rounds,
                "churn " + std::to_string(t) + " ended at " + std::to_string(last));
        }
        co_await vc->async_close();
    };
    auto op = asio::co_spawn(ex, check(std::move(c), st), asio::use_awaitable);
    co_await std::move(op);

    co_await srv.async_stop();
    st.stopped = true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_AUTO_TEST_CASE(server_and_clients_on_four_threads)
{
    asio::io_context ioc(n_threads);
    auto cfg = swim::test::loopback_server_config();
    server::server srv(ioc.get_executor(), cfg);
    BOOST_REQUIRE(!srv.route<counter_agent>("/counter/:id"));
    BOOST_REQUIRE(!srv.route<mirror_agent>("/mirror/:id"));
    BOOST_REQUIRE(!srv.start());

    shared_state st;
    st.url = srv.local_url();
    auto on_done = [&st](char const* what) {
        return [&st, what](std::exception_ptr e) {
            if (!e)
                return;
            try {
                std::rethrow_exception(e);
            } catch (std::exception const& ex) {
                st.fail(std::string(what) + " threw: " + ex.what());
            } catch (...) {
                st.fail(std::string(what) + " threw");
            }
        };
    };

    for (int i = 0; i < n_clients; ++i) {
        auto c = std::make_unique<client::client>(
            ioc.get_executor(),
            swim::test::fast_client_config());
        auto ex = c->get_executor();
        asio::co_spawn(ex, load_client(std::move(c), i, st), on_done("a load client"));
    }
    for (int t = 0; t < n_churners; ++t)
        asio::co_spawn(asio::make_strand(ioc), churn_task(ioc, t, st), on_done("a churn task"));
    asio::co_spawn(asio::make_strand(ioc), coordinator(ioc, srv, st), on_done("the coordinator"));

    // Every thread runs until the io_context drains (or the limit, a hang).
    auto const started = std::chrono::steady_clock::now();
    auto const limit = 6 * converge_limit;
    std::vector<std::thread> pool;
    for (int t = 1; t < n_threads; ++t)
        pool.emplace_back([&] { ioc.run_for(limit); });
    ioc.run_for(limit);
    for (auto& th : pool)
        th.join();
    auto const took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    BOOST_TEST_MESSAGE("ran in " << took.count() << " ms on " << n_threads << " threads");

    BOOST_TEST(st.stopped.load(), "the coordinator did not stop the server");
    BOOST_TEST(ioc.stopped(), "the io_context did not drain");
    if (!ioc.stopped())
        ioc.stop();
    for (auto const& f : st.failures)
        BOOST_ERROR(f);
    BOOST_TEST(st.failures.empty());

    // All clients agree on each shared value lane, and it is some client's last set.
    std::set<std::int64_t> last_sets;
    for (int i = 0; i < n_clients; ++i)
        last_sets.insert(std::int64_t{i} * 1000 + n_rounds - 1);
    for (int k = 0; k < n_counters; ++k) {
        auto const& seen = st.final_values[k];
        BOOST_TEST(seen.size() == 1u, "counter " << k << ": the clients disagree on the value");
        if (!seen.empty())
            BOOST_TEST(
                last_sets.count(*seen.begin()) == 1u,
                "counter " << k << ": value " << *seen.begin());
    }
}

// Writes from the application's own threads (not the client's strand): set, put, remove,
// command and close from four threads at once, while the io_context runs on two others. They
// go through the client's channel of foreign writes and reach the lanes in each thread's order.
BOOST_AUTO_TEST_CASE(writes_from_application_threads)
{
    constexpr int n_writers = 4;
    constexpr int n_writes = 300;
    asio::io_context ioc(2);
    server::server srv(ioc.get_executor(), swim::test::loopback_server_config());
    BOOST_REQUIRE(!server::demo::add_demo_plan(srv, {.bench_agents = true}));
    BOOST_REQUIRE(!srv.start());
    std::string const url = srv.local_url();
    std::string const node = "/unit/threads";

    client::client writer(ioc.get_executor(), swim::test::fast_client_config());
    client::client observer(ioc.get_executor(), swim::test::fast_client_config());
    // Downlinks are made on the client's executor; their writes then come from anywhere.
    std::optional<client::map_downlink<std::string, std::int64_t>> map;
    std::optional<client::value_downlink<std::int64_t>> value;
    std::optional<client::map_downlink<std::string, std::int64_t>> closer;
    std::map<std::string, std::vector<std::int64_t>> seen;  // observer's strand only
    std::optional<client::map_downlink<std::string, std::int64_t>> watch;
    std::vector<std::thread> io;
    for (int t = 0; t < 2; ++t)
        io.emplace_back([&] { ioc.run_for(120s); });
    auto made = asio::co_spawn(
        writer.get_executor(),
        [&]() -> asio::awaitable<void> {
            map = writer.map_downlink<std::string, std::int64_t>(url, node, "map");
            value = writer.value_downlink<std::int64_t>(url, node, "value");
            closer = writer.map_downlink<std::string, std::int64_t>(url, "/unit/threads2", "map");
            co_await map->synced();
            co_await value->synced();
            co_await closer->synced();
        },
        asio::use_future);
    made.get();
    auto watching = asio::co_spawn(
        observer.get_executor(),
        [&]() -> asio::awaitable<void> {
            watch = observer.map_downlink<std::string, std::int64_t>(url, node, "map");
            watch->did_update([&](std::string const& k,
                                  std::int64_t v,
                                  std::optional<std::int64_t> const&) { seen[k].push_back(v); });
            co_await watch->synced();
        },
        asio::use_future);
    watching.get();

    std::atomic<int> refused{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < n_writers; ++w) {
        writers.emplace_back([&, w] {
            std::string key = "w" + std::to_string(w);
            for (int i = 1; i <= n_writes; ++i) {
                if (map->put(key, i))
                    ++refused;
                if (i % 50 == 0 && value->set(w * 100000 + i))
                    ++refused;
                if (i % 100 == 0 && writer.command(url, node, "burst", recon::value(1)))
                    ++refused;
            }
            if (map->remove("gone") || map->put("tmp" + std::to_string(w), 1) ||
                map->remove("tmp" + std::to_string(w)))
                ++refused;
            if (w == 0)
                closer->close();  // a close from another thread
        });
    }
    for (auto& t : writers)
        t.join();
    BOOST_TEST(refused.load() == 0);

    // Every writer's last put arrives, and each key's values arrive in the writer's order.
    auto checked = asio::co_spawn(
        observer.get_executor(),
        [&]() -> asio::awaitable<bool> {
            bool all = co_await eventually(
                [&] {
                    for (int w = 0; w < n_writers; ++w) {
                        auto it = seen.find("w" + std::to_string(w));
                        if (it == seen.end() || it->second.empty() || it->second.back() != n_writes)
                            return false;
                    }
                    return true;
                },
                converge_limit);
            co_return all;
        },
        asio::use_future);
    BOOST_TEST(checked.get(), "a writer's last put never arrived");
    auto ordered = asio::co_spawn(
        observer.get_executor(),
        [&]() -> asio::awaitable<std::string> {
            for (auto const& [k, vs] : seen)
                for (std::size_t i = 1; i < vs.size(); ++i)
                    if (k.starts_with("w") && vs[i] <= vs[i - 1])
                        co_return k + " went from " + std::to_string(vs[i - 1]) + " to " +
                            std::to_string(vs[i]);
            co_return std::string();
        },
        asio::use_future);
    auto disorder = ordered.get();
    BOOST_TEST(disorder.empty(), disorder);
    auto closed = asio::co_spawn(
        writer.get_executor(),
        [&]() -> asio::awaitable<bool> {
            bool c = closer->is_closed();
            map.reset();
            value.reset();
            closer.reset();
            co_await writer.async_close();
            co_return c;
        },
        asio::use_future);
    BOOST_TEST(closed.get(), "the close made from another thread did not close the downlink");
    auto done = asio::co_spawn(
        observer.get_executor(),
        [&]() -> asio::awaitable<void> {
            watch.reset();
            co_await observer.async_close();
            co_await srv.async_stop();
        },
        asio::use_future);
    done.get();
    for (auto& t : io)
        t.join();
    BOOST_TEST(ioc.stopped(), "the io_context did not drain");
}

BOOST_AUTO_TEST_SUITE_END()
