// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The transport itself over a real socket pair: after a large message its buffers go back to
// a small size (an idle connection does not keep its peak), whole or in fragments; a writer
// that wrote much rests a few turns before it takes more, one that wrote little does not.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "../../lib/net/ws_transport.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace swim::net::detail;

namespace {

struct recorder final : ws_handler {
    std::vector<std::size_t> sizes;
    bool finished = false;
    void on_text(std::string_view m) override { sizes.push_back(m.size()); }
    void on_binary(std::string_view) override {}
    bool take_output(ws_session&, std::string&) override { return false; }
    void on_written(boost::system::error_code) override {}
    void on_end(ws_end, std::string_view) override {}
    void on_finished() override { finished = true; }
};

std::string masked(ws_opcode op, std::string_view payload, bool fin = true)
{
    std::string out;
    append_ws_frame(out, op, payload, 0x0A0B0C0Du);
    if (!fin)
        out[0] = static_cast<char>(out[0] & 0x7F);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ws_transport_buffers)

BOOST_AUTO_TEST_CASE(buffers_go_back_to_a_small_size_after_a_large_message)
{
    asio::io_context ioc;
    tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket peer(ioc);
    peer.connect(acc.local_endpoint());
    tcp::socket ours = acc.accept();
    recorder rec;
    ws_transport_options opts;
    opts.session.max_message = 32 * 1024 * 1024;
    ws_transport
        t(ioc.get_executor(), make_byte_stream(std::move(ours)), ws_role::server, opts, 0, rec);
    t.start({});
    std::string const big(15 * 1024 * 1024, 'x');
    std::string const half(big.size() / 2, 'y');
    std::string bytes = masked(ws_opcode::text, big) + masked(ws_opcode::text, "tail") +
                        masked(ws_opcode::text, half, false) +
                        masked(ws_opcode::continuation, half) + masked(ws_opcode::text, "end");
    asio::async_write(peer, asio::buffer(bytes), [](boost::system::error_code, std::size_t) {});
    auto const limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (rec.sizes.size() < 4 && std::chrono::steady_clock::now() < limit)
        ioc.run_one_for(std::chrono::milliseconds(50));
    BOOST_TEST_REQUIRE(rec.sizes.size() == 4u);
    BOOST_TEST(rec.sizes[0] == big.size());
    BOOST_TEST(rec.sizes[2] == 2 * half.size());
    // Idle again: the read buffer is small, no fragment buffer is kept.
    BOOST_TEST_MESSAGE(
        "buffered after the large messages: " << t.buffered() << " bytes, session "
                                              << t.session().buffered());
    BOOST_TEST(t.buffered() <= 4096u);
    peer.close();
    while (!rec.finished && std::chrono::steady_clock::now() < limit)
        ioc.run_one_for(std::chrono::milliseconds(50));
    BOOST_TEST(rec.finished);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

/// Frames queued by a producer, taken by the transport; counts the frames of each take.
struct producer final : ws_handler {
    std::deque<std::string> queue;
    std::size_t bytes = 0;
    std::vector<std::size_t> takes;
    std::size_t received = 0;
    bool finished = false;
    void on_text(std::string_view) override {}
    void on_binary(std::string_view) override {}
    bool take_output(ws_session& s, std::string& out) override
    {
        if (queue.empty())
            return false;
        takes.push_back(queue.size());
        for (auto const& f : queue)
            s.append_text(out, f);
        queue.clear();
        bytes = 0;
        return true;
    }
    std::size_t output_waiting() const noexcept override { return bytes; }
    void on_written(boost::system::error_code) override {}
    void on_end(ws_end, std::string_view) override {}
    void on_finished() override { finished = true; }
};

struct rest_case {
    char const* name;
    std::size_t frame_bytes;
    int frames_per_turn;
    std::size_t rest_until;
    /// Bounds of the frames of any take but the first and the last.
    std::size_t least;
    std::size_t most;
};

/// Runs 40 turns of a producer that queues `c.frames_per_turn` frames each turn and wakes the
/// writer; returns the frames of each take.
std::vector<std::size_t> takes_of(rest_case const& c)
{
    asio::io_context ioc;
    tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket peer(ioc);
    peer.connect(acc.local_endpoint());
    tcp::socket ours = acc.accept();
    // Room for a take of any case in the sockets: every write completes at once.
    ours.set_option(asio::socket_base::send_buffer_size(1 << 20));
    peer.set_option(asio::socket_base::receive_buffer_size(1 << 20));
    producer prod;
    ws_transport_options opts;
    opts.rest_after = 2048;  // (rest_turns 3: the default)
    opts.rest_until = c.rest_until;
    ws_transport
        t(ioc.get_executor(), make_byte_stream(std::move(ours)), ws_role::server, opts, 0, prod);
    t.start({});
    // The peer reads all, so that no write waits for room.
    std::vector<char> sink(1 << 16);
    std::function<void()> drain = [&] {
        peer.async_read_some(asio::buffer(sink), [&](boost::system::error_code ec, std::size_t n) {
            prod.received += n;
            if (!ec)
                drain();
        });
    };
    drain();
    std::function<void(int)> turn = [&](int left) {
        for (int i = 0; i < c.frames_per_turn; ++i) {
            prod.queue.emplace_back(c.frame_bytes, 'v');
            prod.bytes += c.frame_bytes;
        }
        t.wake();
        if (left > 1)
            asio::post(ioc, [&turn, left] { turn(left - 1); });
    };
    asio::post(ioc, [&] { turn(40); });
    std::size_t const all = 40 * c.frames_per_turn * (c.frame_bytes + 4);
    auto const limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (prod.received < all - 40 * c.frames_per_turn * 2 &&
           std::chrono::steady_clock::now() < limit)
        ioc.run_one_for(std::chrono::milliseconds(50));
    t.abort();
    while (!prod.finished && std::chrono::steady_clock::now() < limit)
        ioc.run_one_for(std::chrono::milliseconds(50));
    BOOST_TEST(prod.finished);
    return prod.takes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ws_transport_rest)

BOOST_AUTO_TEST_CASE(
    a_writer_that_wrote_much_takes_several_turns_at_once_one_that_wrote_little_does_not)
{
    rest_case const cases[] = {
        // 2.4 KB a turn: after each write the writer rests three turns (four turns a take).
        {"large writes rest", 600, 4, 16 * 1024, 4 * 4, 4 * 4},
        // 200 bytes a turn: every write goes at once (one turn a take, or two as the
        // writer's own completion interleaves).
        {"small writes go at once", 50, 4, 16 * 1024, 4, 2 * 4},
        // 4.8 KB a turn over a rest_until of 4 KiB: enough waits already, so no rest.
        {"no rest once rest_until waits", 1200, 4, 4096, 4, 2 * 4},
    };
    for (auto const& c : cases) {
        BOOST_TEST_CONTEXT(c.name)
        {
            auto const takes = takes_of(c);
            BOOST_TEST_MESSAGE(c.name << ": " << takes.size() << " takes");
            BOOST_TEST_REQUIRE(takes.size() >= 3u);
            std::size_t total = 0;
            for (auto n : takes)
                total += n;
            BOOST_TEST(total == 40u * c.frames_per_turn);  // nothing lost
            auto const [lo, hi] = std::minmax_element(takes.begin() + 1, takes.end() - 1);
            BOOST_TEST(*lo >= c.least);
            BOOST_TEST(*hi <= c.most);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
