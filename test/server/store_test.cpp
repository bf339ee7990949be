// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The agents' store: the key format (sans-io), the memory and RocksDB stores on their own,
// then servers on a real RocksDB directory on disk: the state back after a restart through
// every write path, nothing sent before its write ends, a failed write undone and not sent.

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>

#include "../../lib/server/store_format.hpp"
#include "server/uplink_fixture.hpp"

namespace {

namespace format = swim::server::detail::store_format;
namespace fs = std::filesystem;
using swim::test::eventually;

/// A directory of its own under the system's temporary directory, removed at the end.
struct temp_dir {
    fs::path path;
    temp_dir()
    {
        std::random_device rd;
        path = fs::temp_directory_path() /
               ("swim-store-test-" + std::to_string(rd()) + std::to_string(rd()));
        fs::remove_all(path);
    }
    ~temp_dir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::shared_ptr<server::store> open_store(fs::path const& dir)
{
    boost::system::error_code ec;
    std::string why;
    auto s = server::open_rocksdb_store(dir.string(), ec, why);
    BOOST_REQUIRE_MESSAGE(s, why);
    return s;
}

std::string show(std::vector<std::string> const& v)
{
    std::string out;
    for (auto const& s : v)
        out += s + " | ";
    return out;
}

using entries = std::vector<std::pair<std::string, std::string>>;

/// Every entry of `s` under `prefix`, in order.
entries dump(server::store& s, std::string_view prefix = {})
{
    entries out;
    BOOST_TEST(
        !s.scan(prefix, [&](std::string_view k, std::string_view v) { out.emplace_back(k, v); }));
    return out;
}

server::store_write put(std::string k, std::string v)
{
    return {server::store_write::op::put, std::move(k), std::move(v)};
}

server::store_write erase(std::string k, bool prefix = false)
{
    return {
        prefix ? server::store_write::op::erase_prefix : server::store_write::op::erase,
        std::move(k),
        {}};
}

/// What a store keeps, through its interface (both kinds).
void check_store(server::store& s)
{
    std::vector<server::store_write> w{
        put("a/1", "one"),
        put("a/2", "two"),
        put("a/3", "three"),
        put("b", "bee"),
        put(std::string("a\xff\xff", 3), "high"),
        put(std::string("c\0d", 3), "nul")};
    BOOST_REQUIRE(!s.write(w, true));
    BOOST_TEST(dump(s, "a/").size() == 3u);
    BOOST_TEST(
        (dump(s, "a") ==
         entries{{"a/1", "one"}, {"a/2", "two"}, {"a/3", "three"}, {"a\xff\xff", "high"}}));
    BOOST_TEST((dump(s, std::string("c\0", 2)) == entries{{std::string("c\0d", 3), "nul"}}));
    std::vector<server::store_write> w2{erase("a/2"), erase("a/", true), put("a/4", "four")};
    BOOST_REQUIRE(!s.write(w2, false));
    BOOST_TEST((dump(s, "a") == entries{{"a/4", "four"}, {"a\xff\xff", "high"}}));
    std::vector<server::store_write> w3{erase(std::string("a\xff", 2), true)};
    BOOST_REQUIRE(!s.write(w3, false));
    BOOST_TEST((dump(s, "a") == entries{{"a/4", "four"}}));
    BOOST_TEST(!s.flush());
}

// ---- the agent whose state is kept -----------------------------------------------------------

/// "/saved/:id": a value and two map lanes, a value and a map store (changed by commands),
/// and transient lanes that tell what on_start saw and how many handlers ran.
struct saved_agent : server::agent {
    explicit saved_agent(server::agent_context& ctx)
        : agent(ctx)
    {
        sets.set_transient();
        at_start.set_transient();
        note.on_set([this](std::string const&, std::string const&) { sets.set(sets.get() + 1); });
        book.on_update(
            [this](std::string const&, std::int64_t, std::optional<std::int64_t> const&) {
                sets.set(sets.get() + 1);
            });
        tally.on_command([this](std::int64_t n) {
            total.set(total.get() + n);
            seen.update(std::to_string(n), n);
        });
        unsee.on_command([this](std::string const& k) { seen.remove(k); });
        wipe.on_command([this](recon::value const&) { seen.clear(); });
        follow.on_command([this](std::string const& id) {
            notes.add_downlink(id, std::nullopt, "/saved/" + id, "note");
        });
    }

    void on_start() override
    {
        recon::record r;
        r.add_slot("note", recon::value(note.get()));
        r.add_slot("total", recon::value(total.get()));
        r.add_slot("seen", recon::value(static_cast<std::int64_t>(seen.size())));
        r.add_slot("book", recon::value(static_cast<std::int64_t>(book.size())));
        at_start.set(recon::value(std::move(r)));
    }

    server::value_lane<std::string> note{*this, "note"};
    server::map_lane<std::string, std::int64_t> book{*this, "book"};
    server::map_lane<std::string, std::int64_t> pad{*this, "pad"};
    server::value_store<std::int64_t> total{*this, "total"};
    server::map_store<std::string, std::int64_t> seen{*this, "seen"};
    server::value_lane<std::int64_t> sets{*this, "sets"};
    server::value_lane<recon::value> at_start{*this, "at_start"};
    server::command_lane<std::int64_t> tally{*this, "tally"};
    server::command_lane<std::string> unsee{*this, "unsee"};
    server::command_lane<> wipe{*this, "wipe"};
    server::join_value_lane<std::string, std::string> notes{*this, "notes"};
    server::command_lane<std::string> follow{*this, "follow"};
};

void saved_routes(server::server& srv)
{
    BOOST_REQUIRE(!srv.route<saved_agent>("/saved/:id"));
}

/// The bodies of the events a sync of (node, lane) gets, as Recon text, up to @synced.
asio::awaitable<std::vector<std::string>> sync_bodies(
    swim::test::scripted_client& c,
    std::string const& node,
    std::string const& lane)
{
    co_await c.send("@sync(node:\"" + node + "\",lane:" + lane + ")");
    std::vector<std::string> out;
    for (;;) {
        auto const frame = co_await c.receive();
        warp::envelope e;
        BOOST_REQUIRE_MESSAGE(!warp::parse_envelope(frame, e), frame);
        if (e.kind == warp::envelope_kind::synced)
            break;
        if (e.kind == warp::envelope_kind::event)
            out.push_back(recon::to_string(e.body));
    }
    co_return out;
}

/// A server on `cfg` running `body(server)`, then stopped.
asio::awaitable<void> with_server(
    asio::io_context& ioc,
    server::server_config cfg,
    std::function<asio::awaitable<void>(server::server&)> body)
{
    server::server srv(ioc.get_executor(), std::move(cfg));
    saved_routes(srv);
    BOOST_REQUIRE(!srv.start());
    std::exception_ptr failure;
    try {
        co_await body(srv);
    } catch (...) {
        failure = std::current_exception();
    }
    co_await srv.async_stop();
    if (failure)
        std::rethrow_exception(failure);
}

/// A store over another that fails its `fail_at`-th write (counted from 1), and can hold
/// every write until opened (gate).
class test_store final : public server::store {
public:
    explicit test_store(std::shared_ptr<server::store> inner)
        : inner_(std::move(inner))
    {}

    std::size_t fail_at = 0;

    bool durable() const noexcept override { return true; }
    boost::system::error_code write(std::span<server::store_write const> w, bool sync) override
    {
        std::unique_lock lock(mutex_);
        ++writes_;
        cv_.wait(lock, [&] { return open_; });
        if (writes_ == fail_at)
            return server::error::store_write;
        return inner_->write(w, sync);
    }
    boost::system::error_code scan(
        std::string_view prefix,
        std::function<void(std::string_view, std::string_view)> const& f) override
    {
        return inner_->scan(prefix, f);
    }
    boost::system::error_code flush() override { return inner_->flush(); }

    void close_gate()
    {
        std::lock_guard lock(mutex_);
        open_ = false;
    }
    void open_gate()
    {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        cv_.notify_all();
    }
    std::size_t writes() const
    {
        std::lock_guard lock(mutex_);
        return writes_;
    }

private:
    std::shared_ptr<server::store> inner_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool open_ = true;
    std::size_t writes_ = 0;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(store)

BOOST_AUTO_TEST_CASE(keys_name_node_and_lane_and_split_back)
{
    struct row {
        std::string node, lane;
        char tag;
        std::string rest;
    };
    std::string const long_node = "/n/" + std::string(300, 'x');
    for (auto const& r :
         {row{"/a", "b", format::value_tag, ""},
          row{"/hotel/room/1", "rooms", format::entry_tag, "\"key\""},
          row{long_node, "lane", format::link_tag, "7"},
          row{std::string("/nul\0node", 9), std::string("l\0", 2), format::entry_tag, "x"},
          row{"", "", format::value_tag, ""}}) {
        auto key = format::lane_key(r.node, r.lane, r.tag) + r.rest;
        BOOST_TEST(key.starts_with(format::agent_prefix(r.node)));
        auto k = format::split_key(key);
        BOOST_REQUIRE(k);
        BOOST_TEST(k->node == r.node);
        BOOST_TEST(k->lane == r.lane);
        BOOST_TEST(k->tag == r.tag);
        BOOST_TEST(k->rest == r.rest);
        // Cut short anywhere before the tag: not a key.
        for (std::size_t n = 0; n + r.rest.size() + 1 < key.size(); ++n)
            BOOST_TEST(!format::split_key(key.substr(0, n)), "cut at " << n);
    }
    // One node's keys never share a prefix with another's ("/a" and "/ab").
    BOOST_TEST(!format::lane_key("/ab", "x", 'v').starts_with(format::agent_prefix("/a")));
    BOOST_TEST(!format::split_key(format::format_key));
    BOOST_TEST(!format::split_key("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"));
}

BOOST_AUTO_TEST_CASE(the_format_version_is_checked)
{
    BOOST_TEST(format::check_format(std::nullopt, true).empty());
    BOOST_TEST(format::check_format(format::format_version, false).empty());
    auto const older = format::check_format("swim-cpp-store 0", false);
    BOOST_TEST(older.find("\"swim-cpp-store 0\"") != std::string::npos, older);
    BOOST_TEST(older.find(std::string(format::format_version)) != std::string::npos, older);
    BOOST_TEST(!format::check_format(std::nullopt, false).empty());
    // What the directory says is escaped.
    auto const hostile = format::check_format("v\n\x1b[31m", false);
    BOOST_TEST(hostile.find('\n') == std::string::npos);
    BOOST_TEST(hostile.find('\x1b') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_memory_store_keeps_what_is_written)
{
    auto s = server::make_memory_store();
    BOOST_TEST(!s->durable());
    check_store(*s);
}

BOOST_AUTO_TEST_CASE(the_rocksdb_store_keeps_what_is_written_across_a_reopen)
{
    temp_dir dir;
    {
        auto s = open_store(dir.path);
        BOOST_TEST(s->durable());
        check_store(*s);
    }
    auto s = open_store(dir.path);
    BOOST_TEST((dump(*s, "a") == entries{{"a/4", "four"}}));
    BOOST_TEST(dump(*s, "b").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_directory_in_another_format_version_is_refused)
{
    temp_dir dir;
    {
        auto s = open_store(dir.path);
        std::vector<server::store_write> w{
            put(std::string(format::format_key), "swim-cpp-store 0")};
        BOOST_REQUIRE(!s->write(w, true));
    }
    boost::system::error_code ec;
    std::string why;
    auto s = server::open_rocksdb_store(dir.path.string(), ec, why);
    BOOST_TEST(!s);
    BOOST_TEST((ec == server::error::store_format));
    BOOST_TEST(why.find(dir.path.string()) != std::string::npos, why);
    BOOST_TEST(why.find("\"swim-cpp-store 0\"") != std::string::npos, why);
    BOOST_TEST(why.find(std::string(format::format_version)) != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(a_directory_that_cannot_be_made_is_refused)
{
    temp_dir dir;
    fs::create_directories(dir.path);
    std::ofstream(dir.path / "file") << "x";
    boost::system::error_code ec;
    std::string why;
    auto s = server::open_rocksdb_store((dir.path / "file" / "db").string(), ec, why);
    BOOST_TEST(!s);
    BOOST_TEST((ec == server::error::store_open));
    BOOST_TEST(why.find("file/db") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(every_write_path_is_back_after_a_restart)
{
    temp_dir dir;
    asio::io_context ioc;
    auto cfg = loopback_config();
    auto node = std::string("/saved/1");
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        cfg.store.engine = open_store(dir.path);
        co_await with_server(ioc, cfg, [&](server::server& srv) -> asio::awaitable<void> {
            auto const port = srv.port();
            swim::test::scripted_client c(ioc);
            co_await c.connect(port);
            auto cmd = [&](std::string lane, std::string body) {
                return c.send("@command(node:\"" + node + "\",lane:" + lane + ")" + body);
            };
            co_await cmd("note", "\"hello\"");
            for (auto const& [k, v] : {std::pair{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}})
                co_await cmd("book", "@update(key:" + std::string(k) + ")" + std::to_string(v));
            co_await cmd("book", "@remove(key:a)");
            co_await cmd("book", "@drop(1)");
            co_await cmd("book", "@take(1)");
            co_await cmd("pad", "@update(key:x) 1");
            co_await cmd("pad", "@clear");
            co_await cmd("pad", "@update(key:y) 2");
            co_await cmd("tally", "5");
            co_await cmd("tally", "7");
            co_await cmd("unsee", "\"5\"");
            co_await cmd("wipe", "");
            co_await cmd("tally", "9");
            // A join lane's link (to another agent's lane, kept in the store too).
            co_await c.send(R"x(@command(node:"/saved/2",lane:note)"two")x");
            co_await cmd("follow", "\"2\"");
            // (Applied in order: the last sync sees them all.)
            auto const book = co_await sync_bodies(c, node, "book");
            BOOST_TEST((book == std::vector<std::string>{"@update(key:c) 3"}), show(book));
            co_await c.close();
        });
        // The engine is dropped (closed once the stopped server lets it go), then opened
        // again for the next server.
        std::weak_ptr<server::store> first = cfg.store.engine;
        cfg.store.engine.reset();
        BOOST_REQUIRE(co_await eventually([&] { return first.expired(); }));
        cfg.store.engine = open_store(dir.path);
        co_await with_server(ioc, cfg, [&](server::server& srv) -> asio::awaitable<void> {
            auto const port = srv.port();
            swim::test::scripted_client c(ioc);
            co_await c.connect(port);
            auto note = co_await sync_bodies(c, node, "note");
            BOOST_TEST((note == std::vector<std::string>{"hello"}));
            auto book = co_await sync_bodies(c, node, "book");
            BOOST_TEST((book == std::vector<std::string>{"@update(key:c) 3"}));
            auto pad = co_await sync_bodies(c, node, "pad");
            BOOST_TEST((pad == std::vector<std::string>{"@update(key:y) 2"}));
            // on_start saw the stores and lanes loaded; no on_set or on_update ran for them.
            auto at_start = co_await sync_bodies(c, node, "at_start");
            BOOST_TEST(
                (at_start == std::vector<std::string>{"{note:hello,total:21,seen:1,book:1}"}));
            auto sets = co_await sync_bodies(c, node, "sets");
            BOOST_TEST((sets == std::vector<std::string>{"0"}));
            // The join lane's link opened again: its entry comes back from /saved/2.
            auto notes = co_await sync_bodies(c, node, "notes");
            if (notes.empty())  // (synced before the link was)
                co_await c.expect_envelope(
                    R"(@event(node:"/saved/1",lane:notes)@update(key:"2")two)");
            else
                BOOST_TEST(
                    (notes == std::vector<std::string>{"@update(key:\"2\") two"}),
                    show(notes));
            co_await c.close();
        });
        cfg.store.engine.reset();
    });
    // On disk: keys that name the node and the lane, values in Recon.
    auto s = open_store(dir.path);
    auto const all = dump(*s, format::agent_prefix(node));
    BOOST_TEST(all.size() == 6u);  // note, book c, pad y, total, seen 9, the link to /saved/2
    for (auto const& [k, v] : all) {
        auto key = format::split_key(k);
        BOOST_REQUIRE(key);
        BOOST_TEST(key->node == node);
        BOOST_TEST(!recon::parse(v).is_absent());
    }
}

BOOST_AUTO_TEST_CASE(nothing_is_sent_before_its_write_ends)
{
    temp_dir dir;
    asio::io_context ioc;
    auto cfg = loopback_config();
    auto gated = std::make_shared<test_store>(open_store(dir.path));
    cfg.store.engine = gated;
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        co_await with_server(ioc, cfg, [&](server::server& srv) -> asio::awaitable<void> {
            auto const port = srv.port();
            swim::test::scripted_client watcher(ioc), writer(ioc);
            co_await watcher.connect(port);
            co_await writer.connect(port);
            auto none = co_await sync_bodies(watcher, "/saved/2", "note");
            BOOST_TEST((none == std::vector<std::string>{"\"\""}));
            gated->close_gate();
            co_await writer.send(R"x(@command(node:"/saved/2",lane:note)"kept")x");
            BOOST_TEST(co_await eventually([&] { return gated->writes() == 1u; }));
            // Written to the store's engine, not yet durable: the watcher hears nothing, and
            // a new sync waits too.
            auto early = co_await watcher.try_receive(std::chrono::milliseconds(300));
            BOOST_TEST(early.error.code == asio::error::timed_out, early.value.payload);
            co_await writer.send(R"(@sync(node:"/saved/2",lane:note))");
            co_await writer.expect_envelope(R"(@linked(node:"/saved/2",lane:note))");
            auto sync_early = co_await writer.try_receive(std::chrono::milliseconds(100));
            BOOST_TEST(sync_early.error.code == asio::error::timed_out, sync_early.value.payload);
            gated->open_gate();
            co_await watcher.expect_envelope(R"(@event(node:"/saved/2",lane:note)kept)");
            // (The writer is linked by then: the event, then the sync.)
            co_await writer.expect_envelope(R"(@event(node:"/saved/2",lane:note)kept)");
            co_await writer.expect_envelope(R"(@event(node:"/saved/2",lane:note)kept)");
            co_await writer.expect_envelope(R"(@synced(node:"/saved/2",lane:note))");
            // A sync never writes.
            auto const writes = gated->writes();
            auto again = co_await sync_bodies(watcher, "/saved/2", "note");
            BOOST_TEST((again == std::vector<std::string>{"kept"}));
            auto book = co_await sync_bodies(watcher, "/saved/2", "book");
            BOOST_TEST(book.empty());
            BOOST_TEST(gated->writes() == writes);
            co_await watcher.close();
            co_await writer.close();
        });
    });
    cfg.store.engine.reset();
}

BOOST_AUTO_TEST_CASE(a_failed_write_is_undone_not_sent_and_the_next_one_works)
{
    temp_dir dir;
    asio::io_context ioc;
    auto cfg = loopback_config();
    cfg.log.level = client::log_level::error;
    std::vector<std::string> errors;
    cfg.log.sink = [&](client::log_level, std::string_view line) {
        errors.emplace_back(line);
    };
    auto failing = std::make_shared<test_store>(open_store(dir.path));
    failing->fail_at = 3;
    cfg.store.engine = failing;
    std::size_t failures = 0;
    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        co_await with_server(ioc, cfg, [&](server::server& srv) -> asio::awaitable<void> {
            auto const port = srv.port();
            swim::test::scripted_client c(ioc);
            co_await c.connect(port);
            std::string const node = "/saved/3";
            auto book0 = co_await sync_bodies(c, node, "book");
            BOOST_TEST(book0.empty());
            // Writes 1 and 2 succeed, 3 fails, 4 succeeds.
            co_await c.send(R"(@command(node:"/saved/3",lane:book)@update(key:a)1)");
            co_await c.expect_envelope(R"(@event(node:"/saved/3",lane:book)@update(key:a)1)");
            co_await c.send(R"(@command(node:"/saved/3",lane:book)@update(key:b)2)");
            co_await c.expect_envelope(R"(@event(node:"/saved/3",lane:book)@update(key:b)2)");
            co_await c.send(R"(@command(node:"/saved/3",lane:book)@update(key:a)10)");
            BOOST_TEST(co_await eventually([&] { return failing->writes() == 3u; }));
            auto nothing = co_await c.try_receive(std::chrono::milliseconds(300));
            BOOST_TEST(nothing.error.code == asio::error::timed_out, nothing.value.payload);
            co_await c.send(R"(@command(node:"/saved/3",lane:book)@update(key:c)3)");
            co_await c.expect_envelope(R"(@event(node:"/saved/3",lane:book)@update(key:c)3)");
            swim::test::scripted_client fresh(ioc);
            co_await fresh.connect(port);
            auto book = co_await sync_bodies(fresh, node, "book");
            BOOST_TEST(
                (book ==
                 std::vector<std::string>{
                     "@update(key:a) 1",
                     "@update(key:b) 2",
                     "@update(key:c) 3"}),
                show(book));
            co_await fresh.close();
            co_await c.close();
            failures = srv.get_stats().store_failures;
        });
    });
    BOOST_TEST(failing->writes() == 4u);
    BOOST_TEST(errors.size() == 1u);
    if (!errors.empty())
        BOOST_TEST(errors[0].find("book") != std::string::npos, errors[0]);
    BOOST_TEST(failures == 1u);
    cfg.store.engine.reset();
    failing.reset();
    // What is on disk is what the clients saw.
    auto s = open_store(dir.path);
    BOOST_TEST(dump(*s, format::lane_key("/saved/3", "book", format::entry_tag)).size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
