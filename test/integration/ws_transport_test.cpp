// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The transport itself over a real socket pair: after a large message its buffers go back to
// a small size (an idle connection does not keep its peak), whole or in fragments.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
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
