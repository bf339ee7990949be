// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include "connection.hpp"

#include <swim/client/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <algorithm>
#include <cmath>

#include "../net/coalescing_stream.hpp"

namespace swim::client::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using net::detail::coalescing_stream;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool tls_scheme(std::string_view s)
{
    return s == "wss" || s == "warps" || s == "swims";
}

bool plain_scheme(std::string_view s)
{
    return s == "ws" || s == "warp" || s == "swim" || s == "swimos";
}

}  // namespace

boost::system::error_code parse_host_url(std::string_view url, host_url& out, std::string& why)
{
    out = host_url{};
    auto sep = url.find("://");
    if (sep == std::string_view::npos) {
        why = "host '" + std::string(url) +
              "' has no scheme (expected warp://, ws://, warps://, ...)";
        return error::invalid_host;
    }
    std::string_view scheme = url.substr(0, sep);
    if (tls_scheme(scheme)) {
        out.tls = true;
        out.port = "443";
    } else if (plain_scheme(scheme)) {
        out.port = "80";
    } else {
        why = "host '" + std::string(url) + "' has an unsupported scheme '" + std::string(scheme) +
              "' (expected warp, ws, swim, warps, wss or swims)";
        return error::invalid_host;
    }
    std::string_view rest = url.substr(sep + 3);
    auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos)
        out.target = std::string(rest.substr(slash));
    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) {
            why = "host '" + std::string(url) + "' has an unterminated IPv6 address";
            return error::invalid_host;
        }
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') {
                why = "host '" + std::string(url) + "' has junk after the IPv6 address";
                return error::invalid_host;
            }
            port = authority.substr(close + 2);
        }
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) {
        why = "host '" + std::string(url) + "' names no host";
        return error::invalid_host;
    }
    if (!port.empty()) {
        bool digits = port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) {
                          return c >= '0' && c <= '9';
                      });
        if (!digits || std::stoul(std::string(port)) > 65535) {
            why = "host '" + std::string(url) + "' has an invalid port '" + std::string(port) + "'";
            return error::invalid_host;
        }
        out.port = std::string(port);
    }
    out.host = std::string(host);
    return {};
}

connection::connection(
    asio::strand<asio::any_io_executor> ex,
    host_url url,
    std::string name,
    client_config const& cfg,
    std::shared_ptr<asio::ssl::context> ssl)
    : strand_(std::move(ex))
    , url_(std::move(url))
    , name_(std::move(name))
    , cfg_(cfg)
    , ssl_(std::move(ssl))
    , session_(warp::session_options{cfg.max_queued_bytes})
    , wake_writer_(strand_)
    , room_(strand_)
    , sleep_(strand_)
    , done_(strand_)
    , rng_(std::random_device{}())
{
    room_.expires_at(asio::steady_timer::time_point::max());
}

connection::~connection() = default;

void connection::log(log_level level, std::string_view what) const
{
    if (cfg_.log.sink && level >= cfg_.log.level) {
        std::string line = name_;
        line += ": ";
        line += what;
        cfg_.log.sink(level, line);
    }
}

void connection::start()
{
    if (started_)
        return;
    started_ = true;
    ++tasks_;
    asio::co_spawn(strand_, run(shared_from_this()), [](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e);
    });
}

void connection::attach(warp::view_id id, std::weak_ptr<view_sink> sink)
{
    views_[id] = std::move(sink);
}

void connection::detach(warp::view_id id)
{
    views_.erase(id);
}

void connection::pump()
{
    if (!session_.notes().empty()) {
        notes_.clear();
        notes_.swap(session_.notes());
        for (auto& n : notes_) {
            auto it = views_.find(n.view);
            if (it == views_.end())
                continue;
            bool terminal = n.terminal;
            if (auto core = it->second.lock())
                core->deliver(std::move(n));
            if (terminal)
                views_.erase(n.view);
        }
        notes_.clear();
    }
    if (!session_.requests().empty()) {
        auto requests = std::move(session_.requests());
        session_.requests().clear();
        for (auto& r : requests) {
            switch (r.what) {
                case warp::session_request::type::relink: {
                    auto delay = backoff(r.attempt);
                    log(log_level::info,
                        "relinking " + r.node + " " + r.lane + " in " +
                            std::to_string(delay.count()) + " ms");
                    ++tasks_;
                    asio::co_spawn(
                        strand_,
                        relink_after(
                            shared_from_this(),
                            std::move(r.node),
                            std::move(r.lane),
                            delay),
                        asio::detached);
                    break;
                }
                case warp::session_request::type::authed:
                case warp::session_request::type::deauthed:
                    if (on_auth_)
                        on_auth_(r.what == warp::session_request::type::authed, r.body);
                    break;
            }
        }
    }
    if (session_.has_output() || closing_)
        wake_writer_.cancel();
}

std::chrono::milliseconds backoff_delay(
    reconnect_config const& rc,
    unsigned attempt,
    std::mt19937& rng)
{
    std::uniform_int_distribution<long long> first(
        rc.first_min.count(),
        std::max(rc.first_min, rc.first_max).count());
    double d = static_cast<double>(first(rng)) *
               std::pow(rc.multiplier, attempt > 0 ? attempt - 1 : 0);
    d = std::min(d, static_cast<double>(rc.max.count()));
    return std::chrono::milliseconds(static_cast<long long>(d));
}

std::chrono::milliseconds connection::backoff(unsigned attempt)
{
    return backoff_delay(cfg_.reconnect, attempt, rng_);
}

void connection::finished_task()
{
    --tasks_;
    done_.cancel();
}

asio::awaitable<void> connection::relink_after(
    std::shared_ptr<connection> self,
    std::string node,
    std::string lane,
    std::chrono::milliseconds delay)
{
    asio::steady_timer t(self->strand_, delay);
    co_await t.async_wait(use_tuple);
    if (!self->closing_) {
        self->session_.relink(node, lane);
        self->pump();
    }
    self->finished_task();
}

asio::awaitable<void> connection::wait_for_room()
{
    // room_ never expires; cancel() wakes every waiter at once.
    co_await room_.async_wait(use_tuple);
}

// ---- the connection loop -------------------------------------------------------------------

asio::awaitable<void> connection::run(std::shared_ptr<connection> self)
{
    unsigned attempt = 0;
    while (!self->closing_) {
        bool was_up = co_await self->connect_and_serve();
        if (self->closing_)
            break;
        if (was_up)
            attempt = 0;
        auto delay = self->backoff(++attempt);
        self->log(log_level::info, "reconnecting in " + std::to_string(delay.count()) + " ms");
        self->sleep_.expires_after(delay);
        co_await self->sleep_.async_wait(use_tuple);
    }
    self->finished_task();
}

asio::awaitable<bool> connection::connect_and_serve()
{
    tcp::resolver resolver(strand_);
    abort_ = [&resolver] {
        resolver.cancel();
    };
    auto [rec, endpoints] = co_await resolver.async_resolve(url_.host, url_.port, use_tuple);
    abort_ = nullptr;
    if (rec || closing_) {
        if (rec)
            log(log_level::warning, "cannot resolve " + url_.host + ": " + rec.message());
        co_return false;
    }
    auto host_header = url_.host + ":" + url_.port;
    if (!url_.tls) {
        websocket::stream<coalescing_stream<beast::tcp_stream>> ws(strand_);
        auto& lowest = beast::get_lowest_layer(ws);
        abort_ = [&lowest] {
            lowest.close();
        };
        lowest.expires_after(cfg_.connect_timeout);
        auto [cec, ep] = co_await lowest.async_connect(endpoints, use_tuple);
        if (cec || closing_) {
            abort_ = nullptr;
            if (cec)
                log(log_level::warning, "cannot connect: " + cec.message());
            co_return false;
        }
        // Small frames (a set, a command) leave at once, not after the previous one's ACK.
        boost::system::error_code nec;
        lowest.socket().set_option(asio::ip::tcp::no_delay(true), nec);
        co_return co_await upgrade_and_serve(ws, host_header);
    }

    websocket::stream<coalescing_stream<asio::ssl::stream<beast::tcp_stream>>> ws(strand_, *ssl_);
    auto& tls = ws.next_layer().next_layer();
    auto& lowest = beast::get_lowest_layer(ws);
    abort_ = [&lowest] {
        lowest.close();
    };
    if (!SSL_set_tlsext_host_name(tls.native_handle(), url_.host.c_str())) {
        log(log_level::warning, "cannot set the TLS server name");
    }
    if (cfg_.verify_peer)
        tls.set_verify_callback(asio::ssl::host_name_verification(url_.host));
    lowest.expires_after(cfg_.connect_timeout);
    auto [cec, ep] = co_await lowest.async_connect(endpoints, use_tuple);
    if (cec || closing_) {
        abort_ = nullptr;
        if (cec)
            log(log_level::warning, "cannot connect: " + cec.message());
        co_return false;
    }
    boost::system::error_code nec;
    lowest.socket().set_option(asio::ip::tcp::no_delay(true), nec);
    auto [tec] = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (tec || closing_) {
        abort_ = nullptr;
        if (tec)
            log(log_level::warning, "TLS handshake failed: " + tec.message());
        co_return false;
    }
    co_return co_await upgrade_and_serve(ws, host_header);
}

// The WebSocket upgrade (offering warp0; a server that does not echo it is fine), then
// serving the connection until it ends.
template <class Stream>
asio::awaitable<bool> connection::upgrade_and_serve(Stream& ws, std::string const& host_header)
{
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(beast::http::field::sec_websocket_protocol, "warp0");
        req.set(beast::http::field::user_agent, "swim-cpp");
    }));
    websocket::stream_base::timeout t{};
    t.handshake_timeout = cfg_.connect_timeout;
    if (cfg_.idle_timeout.count() > 0) {
        // Beast pings after half the idle time and gives up after the whole of it.
        t.idle_timeout = cfg_.idle_timeout * 2;
        t.keep_alive_pings = true;
    } else {
        t.idle_timeout = websocket::stream_base::none();
        t.keep_alive_pings = false;
    }
    ws.set_option(t);
    ws.read_message_max(cfg_.max_frame_size);
    websocket::response_type res;
    auto [ec] = co_await ws.async_handshake(res, host_header, url_.target, use_tuple);
    if (ec || closing_) {
        abort_ = nullptr;
        if (ec)
            log(log_level::warning, "WebSocket handshake failed: " + ec.message());
        co_return false;
    }
    co_await serve(ws);
    abort_ = nullptr;
    co_return true;
}

template <class Stream>
asio::awaitable<void> connection::serve(Stream& ws)
{
    log(log_level::info, "connected");
    up_ = true;
    session_.on_connected();
    pump();
    co_await (reader(ws) || writer(ws));
    up_ = false;
    session_.on_disconnected();
    pump();
    room_.cancel();
    log(log_level::info, "disconnected");
}

template <class Stream>
asio::awaitable<void> connection::reader(Stream& ws)
{
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
        if (ec) {
            if (ec != websocket::error::closed && !closing_)
                log(log_level::warning, "read failed: " + ec.message());
            beast::get_lowest_layer(ws).close();
            co_return;
        }
        if (ws.got_text()) {
            auto data = buffer.cdata();
            std::string_view frame(static_cast<char const*>(data.data()), data.size());
            if (auto err = session_.on_frame(frame))
                log(log_level::warning,
                    "bad frame from the server (" + err.message() +
                        "): " + std::string(frame.substr(0, 200)));
        } else {
            log(log_level::warning, "binary frame from the server ignored");
        }
        buffer.consume(buffer.size());
        pump();
    }
}

template <class Stream>
asio::awaitable<void> connection::writer(Stream& ws)
{
    // Cancelled (the reader ended first), a write completes with operation_aborted instead of
    // throwing, so the batch in hand goes back to the session rather than being lost.
    co_await asio::this_coro::throw_if_cancelled(false);
    for (;;) {
        if (!session_.has_output()) {
            if (closing_ && session_.queued_bytes() == 0) {
                // Everything queued is written: end the WebSocket cleanly.
                auto [ec] = co_await ws.async_close(websocket::close_code::normal, use_tuple);
                if (ec)
                    beast::get_lowest_layer(ws).close();
                // The reader ends when the server's close frame arrives.
                wake_writer_.expires_at(asio::steady_timer::time_point::max());
                co_await wake_writer_.async_wait(use_tuple);
                co_return;
            }
            wake_writer_.expires_at(asio::steady_timer::time_point::max());
            co_await wake_writer_.async_wait(use_tuple);
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none)
                co_return;
            continue;
        }
        batch_.clear();
        session_.take_output(batch_);
        // Every frame of the batch into one buffer, then one write.
        auto& out = ws.next_layer();
        out.cork();
        for (auto const& frame : batch_)
            out.append_text_frame(frame, true);  // a client masks its frames
        boost::system::error_code ec = co_await out.async_flush();
        if (ec) {
            if (!closing_)
                log(log_level::warning, "write failed: " + ec.message());
            // The batch may not have reached the server: its commands wait for the next
            // connection (written again rather than lost).
            session_.return_output(std::move(batch_));
            batch_.clear();
            beast::get_lowest_layer(ws).close();
            co_return;
        }
        for (auto const& frame : batch_)
            session_.on_written(frame.size());
        room_.cancel();
    }
}

asio::awaitable<void> connection::async_close()
{
    closing_ = true;
    // Close every downlink: their queued writes go first, then @unlink.
    std::vector<warp::view_id> ids;
    for (auto const& [id, core] : views_)
        ids.push_back(id);
    for (auto id : ids) {
        session_.close_view(id);
        if (auto core = views_[id].lock())
            core->end(error::client_closed, "the client was closed");
    }
    views_.clear();
    if (!up_) {
        if (session_.queued_bytes() > 0)
            log(log_level::warning,
                std::to_string(session_.queued_bytes()) +
                    " bytes of commands were never written: the host was not connected");
        sleep_.cancel();
        if (abort_)
            abort_();
    }
    pump();
    while (tasks_ > 0) {
        done_.expires_at(asio::steady_timer::time_point::max());
        co_await done_.async_wait(use_tuple);
    }
    room_.cancel();
}

}  // namespace swim::client::detail
