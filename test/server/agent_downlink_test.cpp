// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Agent-side downlinks (seed 001): every handler and config, local (same server, no socket)
// and remote (two servers), shared state, set from a handle, stop on a sentinel,
// terminate_on_unlinked false, a value that does not convert.

#include <swim/client/client.hpp>
#include <swim/server/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/scripted_peer.hpp"
#include "test_util.hpp"

namespace asio = boost::asio;
using namespace swim;
using namespace std::chrono_literals;
using swim::test::eventually;
using strings = std::vector<std::string>;
namespace tt = boost::test_tools;

namespace {

/// What the agents' handlers did, in order (the tests run on one thread).
strings journal;

bool journal_has(std::string const& line)
{
    return std::find(journal.begin(), journal.end(), line) != journal.end();
}

/// Agents start on the first envelope for one of their lanes: `wake` is that lane.
struct test_agent : server::agent {
    explicit test_agent(server::agent_context& ctx)
        : agent(ctx)
    {}
    server::command_lane<> wake{*this, "wake"};
};

/// The lanes the downlinks link to.
struct source_agent : server::agent {
    using agent::agent;
    server::value_lane<int> lane{*this, "lane"};
    server::value_lane<recon::value> text{*this, "text"};
    server::map_lane<std::string, int> table{*this, "table"};
    server::command_lane<std::string> shout{*this, "shout"};
    /// `burst n`: sets `lane` to 1, 2, ..., n in one handler.
    server::command_lane<int> burst{*this, "burst"};

    explicit source_agent(server::agent_context& ctx)
        : agent(ctx)
    {
        burst.on_command([this](int const& n) {
            for (int i = 1; i <= n; ++i)
                lane.set(i);
        });
    }
};

/// Seed 001, first example: the full lifecycle builder; the target and config come from
/// the node: /observer/:target_id.
struct observer_agent : test_agent {
    using test_agent::test_agent;
    std::optional<server::value_downlink_handle<int>> handle;

    void on_start() override
    {
        std::string target = "/source/" + std::string(context().param("target_id"));
        handle = context()
                     .value_downlink_builder<int>(std::nullopt, target, "lane")
                     .on_linked([] { journal.push_back("Link opened."); })
                     .on_synced([](int const& v) {
                         journal.push_back("Link synchronized: " + std::to_string(v));
                     })
                     .on_event([](int const& v) {
                         journal.push_back("Received value on link: " + std::to_string(v));
                     })
                     .on_set([](std::optional<int> const& before, int const& now) {
                         journal.push_back(
                             "set " + (before ? std::to_string(*before) : std::string("none")) +
                             " -> " + std::to_string(now));
                     })
                     .on_unlinked([] { journal.push_back("Link closed."); })
                     .on_failed([] { journal.push_back("Link failed."); })
                     .done();
    }
};

/// Seed 001, stateful lifecycle: counts events into its own lane, with shared state.
struct counter_agent : test_agent {
    using test_agent::test_agent;
    server::value_lane<std::uint64_t> event_count{*this, "event_count"};
    std::optional<server::value_downlink_handle<int>> handle;

    void on_start() override
    {
        handle = context()
                     .value_downlink_builder<int>(std::nullopt, "/source/count", "lane")
                     .with_shared_state(std::uint64_t{0})
                     .on_event([this](std::uint64_t& count, server::agent_context&, int const&) {
                         event_count.set(++count);
                     })
                     .done();
    }
};

/// Seed 001, set: sets the downlink to double what its own lane receives; and stop: a
/// sentinel -1 stops the downlink.
struct doubler_agent : test_agent {
    using test_agent::test_agent;
    server::value_lane<int> lane{*this, "lane"};
    std::optional<server::value_downlink_handle<int>> handle;

    explicit doubler_agent(server::agent_context& ctx)
        : test_agent(ctx)
    {
        lane.on_event([this](int const& v) {
            if (!handle)
                return;
            if (v == -1) {
                handle->stop();
                journal.push_back(
                    std::string("stopped, is_stopped=") +
                    (handle->is_stopped() ? "true" : "false"));
                handle.reset();
                return;
            }
            if (handle->set(v * 2))
                handle.reset();
        });
    }

    void on_start() override
    {
        handle =
            context().value_downlink_builder<int>(std::nullopt, "/source/double", "lane").done();
    }
};

/// A map and an event downlink, and a typed downlink to a lane that does not fit the type.
struct watcher_agent : test_agent {
    using test_agent::test_agent;
    std::optional<server::map_downlink_handle<std::string, int>> table;
    std::optional<server::event_downlink_handle<std::string>> shouts;
    std::optional<server::value_downlink_handle<int>> wrong;

    void on_start() override
    {
        table = context()
                    .map_downlink_builder<std::string, int>(std::nullopt, "/source/w", "table")
                    .on_synced([](std::map<std::string, int> const& all) {
                        journal.push_back("map synced " + std::to_string(all.size()));
                    })
                    .on_update(
                        [](std::string const& k, std::optional<int> const& before, int const& now) {
                            journal.push_back(
                                "update " + k + " " + (before ? std::to_string(*before) : "none") +
                                " -> " + std::to_string(now));
                        })
                    .on_remove([](std::string const& k, int const& before) {
                        journal.push_back("remove " + k + " " + std::to_string(before));
                    })
                    .on_clear([] { journal.push_back("clear"); })
                    .done();
        shouts = context()
                     .event_downlink_builder<std::string>(std::nullopt, "/source/w", "shout")
                     .on_event([](std::string const& s) { journal.push_back("shout " + s); })
                     .done();
        wrong = context()
                    .value_downlink_builder<int>(std::nullopt, "/source/w", "text")
                    .on_synced([](int const&) { journal.push_back("wrong synced"); })
                    .on_failed([this](boost::system::error_code ec, std::string_view why) {
                        journal.push_back(
                            std::string("wrong failed, stopped=") +
                            (wrong && wrong->is_stopped() ? "true" : "false") +
                            (ec && !why.empty() ? ", with a reason" : ", without a reason"));
                    })
                    .done();
    }
};

/// terminate_on_unlinked false: keeps relinking to a lane that does not exist.
struct persistent_agent : test_agent {
    using test_agent::test_agent;
    std::optional<server::value_downlink_handle<int>> keep;
    std::optional<server::value_downlink_handle<int>> once;
    int keep_unlinked = 0;
    int once_unlinked = 0;

    void on_start() override
    {
        server::simple_downlink_config cfg;
        cfg.terminate_on_unlinked = false;
        keep = context()
                   .value_downlink_builder<int>(std::nullopt, "/source/p", "missing", cfg)
                   .on_unlinked([this] {
                       journal.push_back("keep unlinked " + std::to_string(++keep_unlinked));
                   })
                   .done();
        once = context()
                   .value_downlink_builder<int>(std::nullopt, "/source/p", "missing")
                   .on_unlinked([this](std::string_view reason) {
                       journal.push_back(
                           "once unlinked " + std::to_string(++once_unlinked) + " " +
                           std::string(reason));
                   })
                   .done();
    }
    void on_stop() override
    {
        journal.push_back(
            std::string("persistent stopping: keep stopped=") +
            (keep->is_stopped() ? "true" : "false") +
            " once stopped=" + (once->is_stopped() ? "true" : "false"));
    }
};

/// events_when_not_synced true: the state's event reaches on_event before on_synced.
struct eager_agent : test_agent {
    using test_agent::test_agent;
    std::optional<server::value_downlink_handle<int>> eager;
    std::optional<server::value_downlink_handle<int>> lazy;

    void on_start() override
    {
        server::simple_downlink_config cfg;
        cfg.events_when_not_synced = true;
        eager = context()
                    .value_downlink_builder<int>(std::nullopt, "/source/e", "lane", cfg)
                    .on_event(
                        [](int const& v) { journal.push_back("eager event " + std::to_string(v)); })
                    .on_synced([](int const& v) {
                        journal.push_back("eager synced " + std::to_string(v));
                    })
                    .done();
        lazy = context()
                   .value_downlink_builder<int>(std::nullopt, "/source/e2", "lane")
                   .on_event(
                       [](int const& v) { journal.push_back("lazy event " + std::to_string(v)); })
                   .on_synced(
                       [](int const& v) { journal.push_back("lazy synced " + std::to_string(v)); })
                   .done();
    }
};

/// Slow coroutine handlers with max_pending_events 4: the value downlink's handlers see the
/// latest value (the waiting sets merged), the event downlink fails rather than drop one.
struct slow_agent : test_agent {
    using test_agent::test_agent;
    std::optional<server::value_downlink_handle<int>> value;
    std::optional<server::event_downlink_handle<int>> events;

    void on_start() override
    {
        server::simple_downlink_config cfg;
        cfg.max_pending_events = 4;
        auto ex = context().get_executor();
        value = context()
                    .value_downlink_builder<int>(std::nullopt, "/source/slow", "lane", cfg)
                    .on_synced([](int const&) { journal.push_back("slow synced"); })
                    .on_event([ex](int const& v) -> asio::awaitable<void> {
                        journal.push_back("slow value " + std::to_string(v));
                        asio::steady_timer t(ex, 20ms);
                        co_await t.async_wait(asio::use_awaitable);
                    })
                    .done();
        events = context()
                     .event_downlink_builder<int>(std::nullopt, "/source/slow-e", "lane", cfg)
                     .on_linked([] { journal.push_back("slow events linked"); })
                     .on_event([ex](int const&) -> asio::awaitable<void> {
                         journal.push_back("slow event");
                         asio::steady_timer t(ex, 20ms);
                         co_await t.async_wait(asio::use_awaitable);
                     })
                     .on_failed([this](boost::system::error_code ec, std::string_view why) {
                         journal.push_back(
                             std::string("slow events failed: ") +
                             (ec == client::error::overrun ? "overrun" : ec.message()) +
                             (why.find("max_pending_events") != std::string_view::npos
                                  ? ", named"
                                  : ", unnamed") +
                             (events && events->is_stopped() ? ", stopped" : ", running"));
                     })
                     .done();
    }
};

/// Downlinks to a host that does not answer: on_unreachable with the error and the host
/// (keep_linked, the default), on_failed with the same error (keep_linked false).
struct unreachable_agent : test_agent {
    using test_agent::test_agent;
    std::optional<server::value_downlink_handle<int>> retrying;
    std::optional<server::value_downlink_handle<int>> once;

    void on_start() override
    {
        retrying = context()
                       .value_downlink_builder<int>("warp://127.0.0.1:1", "/a", "b")
                       .on_unreachable([](boost::system::error_code ec, std::string_view why) {
                           if (ec && why.find("127.0.0.1:1") != std::string_view::npos)
                               journal.push_back("unreachable, named");
                       })
                       .done();
        server::simple_downlink_config cfg;
        cfg.keep_linked = false;
        once = context()
                   .value_downlink_builder<int>("warp://127.0.0.1:1", "/a", "c", cfg)
                   .on_unreachable([] { journal.push_back("once unreachable"); })
                   .on_failed([this](boost::system::error_code ec, std::string_view) {
                       journal.push_back(
                           std::string("once failed") + (ec ? ", with the error" : "") +
                           (once && once->is_stopped() ? ", stopped" : ", running"));
                   })
                   .done();
    }
};

/// A late joiner on the agent side: a second downlink to the same lane, opened once the first
/// one is synced (their link is shared), gets its own on_linked and on_synced.
struct joiner_agent : test_agent {
    using test_agent::test_agent;
    std::optional<server::value_downlink_handle<int>> first;
    std::optional<server::value_downlink_handle<int>> second;

    void on_start() override
    {
        first = context()
                    .value_downlink_builder<int>(std::nullopt, "/source/join", "lane")
                    .on_synced([this](int const& v) {
                        journal.push_back("first synced " + std::to_string(v));
                        second = context()
                                     .value_downlink_builder<int>(
                                         std::nullopt,
                                         "/source/join",
                                         "lane")
                                     .on_linked([] { journal.push_back("second linked"); })
                                     .on_synced([](int const& w) {
                                         journal.push_back("second synced " + std::to_string(w));
                                     })
                                     .done();
                    })
                    .done();
    }
};

/// A downlink to a remote host, given by a route parameter-free global.
/// A lane that journals what it is set to.
struct sink_agent : test_agent {
    explicit sink_agent(server::agent_context& ctx)
        : test_agent(ctx)
    {
        lane.on_set(
            [](int const& v, int const&) { journal.push_back("sink " + std::to_string(v)); });
    }
    server::value_lane<int> lane{*this, "lane"};
};

/// Sets its downlink to the sink as it stops: the set reaches the sink during the stop.
struct flusher_agent : test_agent {
    using test_agent::test_agent;
    std::optional<server::value_downlink_handle<int>> handle;

    void on_start() override
    {
        handle = context()
                     .value_downlink_builder<int>(std::nullopt, "/sink", "lane")
                     .on_synced([](int const&) { journal.push_back("flusher synced"); })
                     .done();
    }
    void on_stop() override { BOOST_TEST(!handle->set(99)); }
};

std::string remote_url;

struct remote_agent : test_agent {
    using test_agent::test_agent;
    server::value_lane<int> mirror{*this, "mirror"};
    std::optional<server::value_downlink_handle<int>> handle;

    void on_start() override
    {
        handle = context()
                     .value_downlink_builder<int>(remote_url, "/source/far", "lane")
                     .on_linked([] { journal.push_back("remote linked"); })
                     .on_event([this](int const& v) {
                         journal.push_back("remote event " + std::to_string(v));
                         mirror.set(v);  // handlers may write the agent's lanes
                     })
                     .done();
    }
};

/// Floods a local downlink with sets in one handler (`flood n`), and tries writes holding a
/// NaN or an infinity (`nan`): the results go to the journal.
struct flood_agent : test_agent {
    using test_agent::test_agent;
    server::command_lane<int> flood{*this, "flood"};
    server::command_lane<int> nan{*this, "nan"};
    server::value_lane<double> real{*this, "real", 1.5};
    server::map_lane<std::string, double> reals{*this, "reals"};
    server::command_lane<double> echo{*this, "echo"};
    std::optional<server::value_downlink_handle<int>> handle;
    std::optional<server::value_downlink_handle<recon::value>> any;

    void on_start() override
    {
        handle =
            context().value_downlink_builder<int>(std::nullopt, "/source/flood", "lane").done();
        any = context()
                  .value_downlink_builder<recon::value>(std::nullopt, "/source/flood", "text")
                  .done();
        reals.update("k", 2.5);
        flood.on_command([this](int const& n) {
            int accepted = 0;
            std::string then = "nothing refused";
            for (int i = 1; i <= n; ++i) {
                auto ec = handle->set(i);
                if (ec) {
                    then = "refused from " + std::to_string(i) + ": " +
                           (ec == warp::error::queue_full ? "queue_full" : ec.message());
                    break;
                }
                ++accepted;
            }
            journal.push_back("accepted " + std::to_string(accepted) + ", " + then);
        });
        nan.on_command([this](int const&) {
            double const bad = std::numeric_limits<double>::quiet_NaN();
            double const inf = std::numeric_limits<double>::infinity();
            auto refused = [](auto&& write) {
                try {
                    write();
                } catch (boost::system::system_error const& e) {
                    return e.code() == recon::error::non_finite_float ? "refused" : "wrong error";
                }
                return "accepted";
            };
            auto code = [](boost::system::error_code ec) {
                return ec == recon::error::non_finite_float ? "refused" : "not refused";
            };
            journal.push_back(
                std::string("downlink set ") + code(any->set(recon::value(bad))) +
                ", in a record " +
                code(any->set(recon::value(recon::make_record(recon::item::slot("x", inf))))) +
                ", command " +
                code(context().command(std::nullopt, "/source/flood", "text", recon::value(inf))) +
                ", lane set " + refused([&] { real.set(bad); }) + ", map update " +
                refused([&] { reals.update("k", -inf); }) + ", map nan " +
                refused([&] { reals.update("k", bad); }) + ", lane command " +
                refused([&] { echo.command(bad); }) + ", left " + std::to_string(real.get()) + " " +
                std::to_string(*reals.get("k")) + " " + std::to_string(reals.size()));
        });
    }
};

struct agents_fixture {
    asio::io_context ioc;
    server::server srv{ioc.get_executor(), swim::test::loopback_server_config()};
    std::string url;

    agents_fixture()
    {
        journal.clear();
        BOOST_REQUIRE(!srv.route<source_agent>("/source/:id"));
        BOOST_REQUIRE(!srv.route<observer_agent>("/observer/:target_id"));
        BOOST_REQUIRE(!srv.route<counter_agent>("/counter"));
        BOOST_REQUIRE(!srv.route<doubler_agent>("/doubler"));
        BOOST_REQUIRE(!srv.route<watcher_agent>("/watcher"));
        BOOST_REQUIRE(!srv.route<persistent_agent>("/persistent"));
        BOOST_REQUIRE(!srv.route<remote_agent>("/remote"));
        BOOST_REQUIRE(!srv.route<eager_agent>("/eager"));
        BOOST_REQUIRE(!srv.route<slow_agent>("/slow"));
        BOOST_REQUIRE(!srv.route<unreachable_agent>("/unreachable"));
        BOOST_REQUIRE(!srv.route<joiner_agent>("/joiner"));
        BOOST_REQUIRE(!srv.route<sink_agent>("/sink"));
        BOOST_REQUIRE(!srv.route<flusher_agent>("/flusher"));
        BOOST_REQUIRE(!srv.start());
        url = srv.local_url();
    }

    /// Starts the agent at `node` (agents start on their first envelope).
    void wake(client::client& c, std::string const& node)
    {
        BOOST_TEST(!c.command(url, node, "wake"));
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(agent_downlinks)

BOOST_FIXTURE_TEST_CASE(lifecycle_handlers_fire_in_order_on_a_local_link, agents_fixture)
{
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        BOOST_TEST(!c.command(url, "/source/1", "lane", 5));  // the source holds 5
        wake(c, "/observer/1");
        BOOST_TEST(co_await eventually([] { return journal_has("Link synchronized: 5"); }));
        BOOST_TEST(!c.command(url, "/source/1", "lane", 6));
        BOOST_TEST(co_await eventually([] { return journal_has("set 5 -> 6"); }));
        // The same value again: an event, not a change (on_set follows a client's did_set).
        BOOST_TEST(!c.command(url, "/source/1", "lane", 6));
        BOOST_TEST(!c.command(url, "/source/1", "lane", 7));
        BOOST_TEST(co_await eventually([] { return journal_has("set 6 -> 7"); }));
        BOOST_TEST(
            journal == (strings{
                           "Link opened.",
                           "Link synchronized: 5",
                           "Received value on link: 6",
                           "set 5 -> 6",
                           "Received value on link: 6",
                           "Received value on link: 7",
                           "set 6 -> 7"}),
            boost::test_tools::per_element());
        co_await srv.async_stop();
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(shared_state_counts_events_into_a_lane, agents_fixture)
{
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        auto count = c.value_downlink<std::uint64_t>(url, "/counter", "event_count");
        BOOST_TEST(co_await count.get() == 0u);
        // Wait until the counter's downlink is synced (it saw the source's initial 0 silently).
        co_await swim::test::sleep_for(100ms);
        for (int i = 1; i <= 3; ++i)
            BOOST_TEST(!c.command(url, "/source/count", "lane", i));
        std::uint64_t last = 0;
        count.did_set(
            [&](std::uint64_t const& v, std::optional<std::uint64_t> const&) { last = v; });
        BOOST_TEST(co_await eventually([&] { return last == 3; }));
        co_await srv.async_stop();
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(set_from_a_handle_doubles_and_a_sentinel_stops, agents_fixture)
{
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        auto target = c.value_downlink<int>(url, "/source/double", "lane");
        std::vector<int> seen;
        target.did_set([&](int const& v, std::optional<int> const&) { seen.push_back(v); });
        co_await target.synced();
        wake(c, "/doubler");
        co_await swim::test::sleep_for(100ms);
        BOOST_TEST(!c.command(url, "/doubler", "lane", 21));
        BOOST_TEST(co_await eventually([&] { return !seen.empty() && seen.back() == 42; }));
        BOOST_TEST(!c.command(url, "/doubler", "lane", -1));
        BOOST_TEST(co_await eventually([] { return journal_has("stopped, is_stopped=true"); }));
        // Stopped: a later value is not doubled any more.
        BOOST_TEST(!c.command(url, "/doubler", "lane", 50));
        co_await swim::test::sleep_for(100ms);
        BOOST_TEST(seen.back() == 42);
        co_await srv.async_stop();
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(map_and_event_downlinks_and_a_value_that_does_not_convert, agents_fixture)
{
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        BOOST_TEST(!c.command(url, "/source/w", "text", std::string("not a number")));
        auto table = c.map_downlink<std::string, int>(url, "/source/w", "table");
        BOOST_TEST(!table.put("a", 1));
        co_await table.synced();
        wake(c, "/watcher");
        BOOST_TEST(co_await eventually([] { return journal_has("map synced 1"); }));
        BOOST_TEST(co_await eventually(
            [] { return journal_has("wrong failed, stopped=true, with a reason"); }));
        co_await swim::test::sleep_for(50ms);  // the event downlink links
        BOOST_TEST(!table.put("a", 2));
        BOOST_TEST(!table.put("b", 3));
        BOOST_TEST(!table.remove("a"));
        BOOST_TEST(!c.command(url, "/source/w", "shout", std::string("hey")));
        BOOST_TEST(!table.clear());
        BOOST_TEST(co_await eventually([] { return journal_has("clear"); }));
        // Each downlink sees its lane's events in order; two downlinks are independent (the
        // frames of one read reach the agent in one turn, and each runner takes its own).
        strings expected{"update a 1 -> 2", "update b none -> 3", "remove a 2", "clear"};
        strings got;
        for (auto const& line : journal)
            if (std::find(expected.begin(), expected.end(), line) != expected.end())
                got.push_back(line);
        BOOST_TEST(got == expected, boost::test_tools::per_element());
        BOOST_TEST(co_await eventually([] { return journal_has("shout hey"); }));
        co_await srv.async_stop();
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(slow_handlers_are_bounded_by_max_pending_events, agents_fixture)
{
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        wake(c, "/slow");
        BOOST_TEST(co_await eventually(
            [] { return journal_has("slow synced") && journal_has("slow events linked"); }));
        BOOST_TEST(!c.command(url, "/source/slow", "burst", 200));
        BOOST_TEST(!c.command(url, "/source/slow-e", "burst", 200));
        // 200 sets, each handler 20 ms: one by one they would take 4 s.
        BOOST_TEST(co_await eventually([] { return journal_has("slow value 200"); }, 2000ms));
        auto const values = std::count_if(journal.begin(), journal.end(), [](auto const& l) {
            return l.rfind("slow value ", 0) == 0;
        });
        BOOST_TEST(values <= 12, "the value handler ran " << values << " times");
        BOOST_TEST(co_await eventually(
            [] { return journal_has("slow events failed: overrun, named, stopped"); }));
        auto const events = std::count(journal.begin(), journal.end(), "slow event");
        BOOST_TEST(events <= 12, "the event handler ran " << events << " times");
        co_await srv.async_stop();
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(a_late_joiner_gets_its_own_linked_and_synced, agents_fixture)
{
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        BOOST_TEST(!c.command(url, "/source/join", "lane", 5));
        co_await swim::test::sleep_for(50ms);
        wake(c, "/joiner");
        BOOST_TEST(co_await eventually([] { return journal_has("second synced 5"); }));
        co_await swim::test::sleep_for(100ms);  // nothing more comes
        BOOST_TEST(std::count(journal.begin(), journal.end(), "first synced 5") == 1);
        BOOST_TEST(std::count(journal.begin(), journal.end(), "second linked") == 1);
        BOOST_TEST(std::count(journal.begin(), journal.end(), "second synced 5") == 1);
        co_await srv.async_stop();
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(an_unreachable_host_reaches_the_agents_handlers, agents_fixture)
{
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        wake(c, "/unreachable");
        BOOST_TEST(co_await eventually([] { return journal_has("unreachable, named"); }));
        BOOST_TEST(co_await eventually(
            [] { return journal_has("once failed, with the error, stopped"); }));
        BOOST_TEST(!journal_has("once unreachable"));
        co_await srv.async_stop();
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(terminate_on_unlinked_false_keeps_relinking, agents_fixture)
{
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        wake(c, "/persistent");
        // laneNotFound again and again: the persistent one relinks with backoff.
        BOOST_TEST(co_await eventually([] { return journal_has("keep unlinked 3"); }));
        BOOST_TEST(journal_has("once unlinked 1 laneNotFound"));
        BOOST_TEST(!journal_has("once unlinked 2 laneNotFound"));
        co_await srv.async_stop();
        BOOST_TEST(journal_has("persistent stopping: keep stopped=false once stopped=true"));
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(events_when_not_synced_delivers_the_state_event_first, agents_fixture)
{
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        BOOST_TEST(!c.command(url, "/source/e", "lane", 4));
        BOOST_TEST(!c.command(url, "/source/e2", "lane", 9));
        wake(c, "/eager");
        BOOST_TEST(co_await eventually(
            [] { return journal_has("eager synced 4") && journal_has("lazy synced 9"); }));
        strings eager;
        strings lazy;
        for (auto const& line : journal)
            (line.starts_with("eager") ? eager : lazy).push_back(line);
        BOOST_TEST(
            eager == (strings{"eager event 4", "eager synced 4"}),
            boost::test_tools::per_element());
        BOOST_TEST(lazy == (strings{"lazy synced 9"}), boost::test_tools::per_element());
        co_await srv.async_stop();
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_CASE(remote_downlink_between_two_servers)
{
    journal.clear();
    asio::io_context ioc;
    server::server far(ioc.get_executor(), swim::test::loopback_server_config());
    server::server near(ioc.get_executor(), swim::test::loopback_server_config());
    BOOST_REQUIRE(!far.route<source_agent>("/source/:id"));
    BOOST_REQUIRE(!near.route<remote_agent>("/remote"));
    BOOST_REQUIRE(!far.start());
    BOOST_REQUIRE(!near.start());
    remote_url = far.local_url();
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        auto mirror = c.value_downlink<int>(near.local_url(), "/remote", "mirror");
        co_await mirror.synced();
        BOOST_TEST(co_await eventually([] { return journal_has("remote linked"); }));
        BOOST_TEST(!c.command(far.local_url(), "/source/far", "lane", 77));
        BOOST_TEST(co_await eventually([&] { return journal_has("remote event 77"); }));
        int got = 0;
        mirror.did_set([&](int const& v, std::optional<int> const&) { got = v; });
        BOOST_TEST(!c.command(far.local_url(), "/source/far", "lane", 78));
        BOOST_TEST(co_await eventually([&] { return got == 78; }));
        co_await near.async_stop();
        co_await far.async_stop();
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_CASE(downlink_queue_limit_refuses_sets_and_nothing_is_lost)
{
    journal.clear();
    asio::io_context ioc;
    auto cfg = swim::test::loopback_server_config();
    cfg.downlink_queue_limit = 8;
    server::server srv(ioc.get_executor(), cfg);
    BOOST_REQUIRE(!srv.route<source_agent>("/source/:id"));
    BOOST_REQUIRE(!srv.route<flood_agent>("/flood"));
    BOOST_REQUIRE(!srv.start());
    std::string const url = srv.local_url();
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        auto target = c.value_downlink<int>(url, "/source/flood", "lane");
        std::vector<int> seen;
        target.did_set([&](int const& v, std::optional<int> const&) { seen.push_back(v); });
        co_await target.synced();
        BOOST_TEST(!c.command(url, "/flood", "wake"));
        co_await swim::test::sleep_for(100ms);  // the agent's downlink links meanwhile
        // 20 sets in one handler: the first 8 fill the queue, the 9th is refused (the queue
        // is handed to the connection only after the handler returns).
        BOOST_TEST(!c.command(url, "/flood", "flood", 20));
        BOOST_TEST(co_await eventually([] { return journal.size() == 1; }));
        BOOST_TEST(journal.at(0) == "accepted 8, refused from 9: queue_full");
        // Every accepted set arrives, in order.
        BOOST_TEST(co_await eventually([&] { return !seen.empty() && seen.back() == 8; }));
        BOOST_TEST(seen == (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}), tt::per_element());
        // The queue drained: room again.
        BOOST_TEST(!c.command(url, "/flood", "flood", 3));
        BOOST_TEST(co_await eventually([] { return journal.size() == 2; }));
        BOOST_TEST(journal.at(1) == "accepted 3, nothing refused");
        BOOST_TEST(co_await eventually([&] { return seen.back() == 3; }));
        co_await srv.async_stop();
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_CASE(writes_holding_nan_or_infinity_are_refused_before_anything_changes)
{
    journal.clear();
    asio::io_context ioc;
    server::server srv(ioc.get_executor(), swim::test::loopback_server_config());
    BOOST_REQUIRE(!srv.route<source_agent>("/source/:id"));
    BOOST_REQUIRE(!srv.route<flood_agent>("/flood"));
    BOOST_REQUIRE(!srv.start());
    std::string const url = srv.local_url();
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        // Linked clients, so that a write would be broadcast.
        auto real = c.value_downlink<double>(url, "/flood", "real");
        auto reals = c.map_downlink<std::string, double>(url, "/flood", "reals");
        auto text = c.value_downlink<recon::value>(url, "/source/flood", "text");
        co_await real.synced();
        co_await reals.synced();
        co_await text.synced();
        int real_sets = 0;
        real.did_set([&](double const&, std::optional<double> const&) { ++real_sets; });
        BOOST_TEST(!c.command(url, "/flood", "nan", 0));
        BOOST_TEST(co_await eventually([] { return journal.size() == 1; }));
        BOOST_TEST(
            journal.at(0) ==
            "downlink set refused, in a record refused, command refused, lane set refused, "
            "map update refused, map nan refused, lane command refused, left 1.500000 "
            "2.500000 1");
        // Nothing reached the clients, and the lanes still sync (a client of its own: a sync
        // from scratch).
        co_await swim::test::sleep_for(100ms);
        BOOST_TEST(real_sets == 0);
        BOOST_TEST(co_await real.get() == 1.5);
        BOOST_TEST(reals.size() == 1u);
        recon::value now = co_await text.get();
        BOOST_TEST(now.is_empty());
        client::client fresh(ioc.get_executor(), swim::test::fast_client_config());
        auto real2 = fresh.value_downlink<double>(url, "/flood", "real");
        BOOST_TEST(co_await real2.get() == 1.5);
        auto reals2 = fresh.map_downlink<std::string, double>(url, "/flood", "reals");
        auto all = co_await reals2.get_all();
        BOOST_TEST(all.size() == 1u);
        BOOST_TEST(all["k"] == 2.5);
        co_await fresh.async_close();
        co_await srv.async_stop();
        co_await c.async_close();
    });
}

BOOST_FIXTURE_TEST_CASE(sets_made_as_the_server_stops_reach_their_lanes, agents_fixture)
{
    // The server stops agents first, each writing what its downlinks hold; the agents they
    // write to still take those commands.
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        client::client c(ioc.get_executor(), swim::test::fast_client_config());
        wake(c, "/flusher");
        BOOST_TEST(co_await eventually([] { return journal_has("flusher synced"); }));
        co_await srv.async_stop();
        BOOST_TEST(journal_has("sink 99"));
        co_await c.async_close();
    });
}

BOOST_AUTO_TEST_SUITE_END()
