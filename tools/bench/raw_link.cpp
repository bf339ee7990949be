// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/client/client.hpp>
#include <swim/version.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../bare_ws.hpp"
#include "bench.hpp"

namespace swim::bench {

asio::awaitable<raw_target> resolve(std::string const& url)
{
    auto rest = url;
    if (auto i = rest.find("://"); i != std::string::npos)
        rest = rest.substr(i + 3);
    if (auto i = rest.find('/'); i != std::string::npos)
        rest = rest.substr(0, i);
    auto colon = rest.rfind(':');
    if (colon == std::string::npos)
        throw bad_arguments("--raw needs HOST as warp://host:port");
    std::string name = rest.substr(0, colon), port = rest.substr(colon + 1);
    if (name.size() > 1 && name.front() == '[')
        name = name.substr(1, name.size() - 2);
    asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
    auto results = co_await resolver.async_resolve(name, port, asio::use_awaitable);
    if (results.empty())
        throw failure("cannot resolve " + rest);
    co_return raw_target{results.begin()->endpoint(), rest};
}

/// Connects, upgrades, syncs NODE/LANE, then frames what arrives until the connection ends.
asio::awaitable<void> run_raw_link(
    raw_target target,
    std::string node,
    std::string lane,
    raw_link& link,
    bool const& counting)
{
    using asio::ip::tcp;
    auto tuple = asio::as_tuple(asio::use_awaitable);
    auto& s = link.socket;
    auto end = [&](std::string why) {
        link.ended = true;
        if (link.error.empty())
            link.error = std::move(why);
    };
    auto [cec] = co_await s.async_connect(target.endpoint, tuple);
    if (cec) {
        end("connect: " + cec.message());
        co_return;
    }
    s.set_option(tcp::no_delay(true));
    std::string req = tools::upgrade_request(target.host);
    auto [wec, wn] = co_await asio::async_write(s, asio::buffer(req), tuple);
    if (wec) {
        end("upgrade: " + wec.message());
        co_return;
    }
    std::string head;
    auto [hec, hn] = co_await asio::async_read_until(
        s,
        asio::dynamic_buffer(head),
        "\r\n\r\n",
        tuple);
    if (hec || head.compare(0, 12, "HTTP/1.1 101") != 0) {
        end("upgrade refused: " + (hec ? hec.message() : head.substr(0, head.find('\r'))));
        co_return;
    }
    std::vector<char> buf(1 << 14);       // (grows for a larger frame)
    std::size_t have = head.size() - hn;  // (nothing, in practice: the server waits for us)
    std::memcpy(buf.data(), head.data() + hn, have);
    std::string frame;
    tools::append_client_frame(frame, "@sync(node:\"" + node + "\",lane:\"" + lane + "\")");
    auto [sec, sn] = co_await asio::async_write(s, asio::buffer(frame), tuple);
    if (sec) {
        end("sync: " + sec.message());
        co_return;
    }
    for (;;) {
        // Frame what is buffered; an unfinished frame waits for more.
        std::size_t at = 0;
        std::int64_t seen = 0;
        for (;;) {
            tools::server_frame f;
            std::size_t need = 0;
            if (!tools::next_server_frame({buf.data() + at, have - at}, f, need)) {
                if (need > buf.size())
                    buf.resize(need * 2);
                break;
            }
            auto const op = f.opcode;
            auto const payload = f.payload;
            at += f.size;
            if (op == 8) {
                end("closed by the server");
                co_return;
            }
            if (op != 1)
                continue;
            if (payload.starts_with("@event")) {
                if (!counting)
                    continue;
                ++seen;
                link.c.last = tools::event_number(payload);
            } else if (payload.starts_with("@synced")) {
                link.synced = true;
                if (link.synced_count)
                    ++*link.synced_count;
            } else if (payload.starts_with("@unlinked")) {
                end(std::string(payload));
                co_return;
            }
        }
        if (seen) {
            auto now = clock_type::now();
            if (link.c.events == 0)
                link.c.first_at = now;
            link.c.events += seen;
            link.c.last_at = now;
        }
        std::memmove(buf.data(), buf.data() + at, have - at);
        have -= at;
        auto [rec, n] = co_await s.async_read_some(
            asio::buffer(buf.data() + have, buf.size() - have),
            tuple);
        if (rec) {
            end(rec == asio::error::operation_aborted ? "closed" : "read: " + rec.message());
            co_return;
        }
        have += n;
    }
}

/// Starts a raw link to NODE/LANE (in its own coroutine); `running` counts those not ended.
void spawn_raw_link(
    asio::any_io_executor ex,
    raw_target const& target,
    std::string const& node,
    std::vector<std::unique_ptr<raw_link>>& links,
    bool const& counting,
    std::size_t& running,
    std::string const& lane)
{
    links.push_back(std::make_unique<raw_link>(ex));
    ++running;
    asio::co_spawn(
        ex,
        run_raw_link(target, node, lane, *links.back(), counting),
        [&running](std::exception_ptr) { --running; });
}

/// Closes every raw link and waits until their coroutines have ended.
asio::awaitable<void> close_raw_links(
    std::vector<std::unique_ptr<raw_link>>& links,
    std::size_t& running)
{
    for (auto& l : links) {
        boost::system::error_code ec;
        l->socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
        l->socket.close(ec);
    }
    co_await wait_until([&] { return running == 0; }, 10.0);
}

}  // namespace swim::bench
