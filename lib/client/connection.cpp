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
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/detail/hybi13.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <cmath>

#include "../net/ws_frames.hpp"

namespace swim::client::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
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
    std::shared_ptr<asio::ssl::context> ssl,
    std::shared_ptr<foreign_writes> foreign)
    : strand_(std::move(ex))
    , url_(std::move(url))
    , name_(std::move(name))
    , cfg_(cfg)
    , ssl_(std::move(ssl))
    , foreign_(std::move(foreign))
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

void connection::arm_later(std::weak_ptr<downlink_core> d)
{
    to_arm_.push_back(std::move(d));
    if (to_arm_.size() > 1)
        return;  // the turn is posted already
    asio::post(strand_, [self = shared_from_this()] {
        auto arming = std::move(self->to_arm_);
        self->to_arm_ = {};
        for (auto& weak : arming)
            if (auto dl = weak.lock())
                dl->arm();
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
    // Handlers run in place (plain ones) and may write, which calls pump() again: the inner
    // call leaves its notifications to this loop, so each downlink sees them in order.
    if (pumping_) {
        pump_again_ = true;
        return;
    }
    struct guard {
        bool& flag;
        ~guard() { flag = false; }
    } g{pumping_};
    pumping_ = true;
    do {
        pump_again_ = false;
        deliver_notes();
        serve_requests();
    } while (pump_again_);
    if (session_.has_output() || closing_)
        wake_writer_.cancel();
}

void connection::deliver_notes()
{
    if (session_.notes().empty())
        return;
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

void connection::serve_requests()
{
    if (session_.requests().empty())
        return;
    auto requests = std::move(session_.requests());
    session_.requests().clear();
    for (auto& r : requests) {
        switch (r.what) {
            case warp::session_request::type::relink: {
                auto delay = backoff(r.attempt);
                log(log_level::info,
                    "relinking " + r.node + " " + r.lane + " in " + std::to_string(delay.count()) +
                        " ms");
                ++tasks_;
                asio::co_spawn(
                    strand_,
                    relink_after(shared_from_this(), std::move(r.node), std::move(r.lane), delay),
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

void connection::failed_attempt(boost::system::error_code ec, std::string why)
{
    ++failed_attempts_;
    // One error for a timeout, whichever step it cut off.
    if (ec == beast::error::timeout)
        ec = asio::error::timed_out;
    last_failure_ = ec;
    log(log_level::warning, why);
    last_failure_why_ = name_ + ": " + why;
    session_.on_connect_failed(ec, last_failure_why_);
    pump();
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

std::string connection::connect_failure(boost::system::error_code ec) const
{
    if (ec == beast::error::timeout)
        return "cannot connect to " + url_.host + ":" + url_.port +
               ": no answer within the "
               "connect timeout (" +
               std::to_string(cfg_.connect_timeout.count()) + " ms)";
    return "cannot connect to " + url_.host + ":" + url_.port + ": " + ec.message();
}

asio::awaitable<bool> connection::connect_and_serve()
{
    tcp::resolver resolver(strand_);
    abort_ = [&resolver] {
        resolver.cancel();
    };
    // (Asio's resolver cannot be cut off: a DNS server that does not answer takes the
    // system resolver's own timeout, and the attempt is reported then.)
    auto [rec, endpoints] = co_await resolver.async_resolve(url_.host, url_.port, use_tuple);
    abort_ = nullptr;
    if (closing_)
        co_return false;
    if (rec) {
        failed_attempt(rec, "cannot resolve " + url_.host + ": " + rec.message());
        co_return false;
    }
    auto host_header = url_.host + ":" + url_.port;
    if (!url_.tls) {
        beast::tcp_stream stream(strand_);
        abort_ = [&stream] {
            stream.close();
        };
        stream.expires_after(cfg_.connect_timeout);
        auto [cec, ep] = co_await stream.async_connect(endpoints, use_tuple);
        if (cec || closing_) {
            abort_ = nullptr;
            if (cec && !closing_)
                failed_attempt(cec, connect_failure(cec));
            co_return false;
        }
        // Small frames (a set, a command) leave at once, not after the previous one's ACK.
        boost::system::error_code nec;
        stream.socket().set_option(asio::ip::tcp::no_delay(true), nec);
        co_return co_await upgrade_and_serve(stream, host_header);
    }

    asio::ssl::stream<beast::tcp_stream> tls(strand_, *ssl_);
    auto& lowest = beast::get_lowest_layer(tls);
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
        if (cec && !closing_)
            failed_attempt(cec, connect_failure(cec));
        co_return false;
    }
    boost::system::error_code nec;
    lowest.socket().set_option(asio::ip::tcp::no_delay(true), nec);
    auto [tec] = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (tec || closing_) {
        abort_ = nullptr;
        if (tec && !closing_)
            failed_attempt(
                tec,
                "TLS handshake with " + url_.host + ":" + url_.port + " failed: " + tec.message());
        co_return false;
    }
    co_return co_await upgrade_and_serve(tls, host_header);
}

std::optional<std::uint32_t> connection::mask()
{
    return static_cast<std::uint32_t>(rng_());
}

// The WebSocket upgrade (RFC 6455 §4.1), offering warp0 (a server that does not echo it is
// fine), then serving the connection until it ends. The frames are ours from here on: the
// reader decodes every frame of a read in one go, the writer frames a batch in one buffer.
template <class Stream>
asio::awaitable<bool> connection::upgrade_and_serve(Stream& s, std::string const& host_header)
{
    auto& lowest = beast::get_lowest_layer(s);
    lowest.expires_after(cfg_.connect_timeout);
    websocket::detail::sec_ws_key_type key;
    websocket::detail::make_sec_ws_key(key);
    beast::string_view const key_text(key.data(), key.size());
    http::request<http::empty_body> req{http::verb::get, url_.target, 11};
    req.set(http::field::host, host_header);
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::sec_websocket_key, key_text);
    req.set(http::field::sec_websocket_version, "13");
    req.set(http::field::sec_websocket_protocol, "warp0");
    req.set(http::field::user_agent, "swim-cpp");
    auto [wec, wn] = co_await http::async_write(s, req, use_tuple);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    boost::system::error_code ec = wec;
    if (!ec) {
        auto [rec, rn] = co_await http::async_read(s, buf, parser, use_tuple);
        ec = rec;
    }
    lowest.expires_never();
    if (ec || closing_) {
        abort_ = nullptr;
        if (ec && !closing_)
            failed_attempt(
                ec,
                "WebSocket handshake with " + host_header + " failed: " + ec.message());
        co_return false;
    }
    auto const& res = parser.get();
    std::string why;
    websocket::detail::sec_ws_accept_type accept;
    websocket::detail::make_sec_ws_accept(accept, key_text);
    if (res.result() != http::status::switching_protocols)
        why = "the server answered HTTP " + std::to_string(res.result_int()) + " " +
              std::string(res.reason());
    else if (!beast::iequals(res[http::field::upgrade], "websocket"))
        why = "the server's answer has no 'Upgrade: websocket'";
    else if (!http::token_list{res[http::field::connection]}.exists("upgrade"))
        why = "the server's answer has no 'Connection: upgrade'";
    else if (
        res[http::field::sec_websocket_accept] != beast::string_view(accept.data(), accept.size()))
        why = "the server's Sec-WebSocket-Accept is wrong";
    if (!why.empty()) {
        abort_ = nullptr;
        failed_attempt(
            error::upgrade_refused,
            "WebSocket handshake with " + host_header + " failed: " + why);
        co_return false;
    }
    co_await serve(s, buf);
    abort_ = nullptr;
    co_return true;
}

template <class Stream>
asio::awaitable<void> connection::serve(Stream& s, beast::flat_buffer& buf)
{
    log(log_level::info, "connected");
    up_ = true;
    control_.clear();
    close_sent_ = false;
    shutdown_after_flush_ = false;
    got_bytes_ = false;
    session_.on_connected();
    pump();
    co_await (reader(s, buf) || writer(s) || keepalive(s));
    up_ = false;
    session_.on_disconnected();
    pump();
    room_.cancel();
    log(log_level::info, "disconnected");
}

// Queues a close frame after a protocol error or the server's close: the writer writes it
// (after what it is writing), then shuts down its side; the reader ends when the server
// closes (or the writer closes the socket after connect_timeout).
void connection::close_after(std::uint16_t code, std::string_view reason)
{
    if (code == net::detail::ws_close::no_status)
        net::detail::append_ws_frame(control_, net::detail::ws_opcode::close, {}, mask());
    else
        net::detail::append_ws_close(control_, code, reason, mask());
    shutdown_after_flush_ = true;
    wake_writer_.cancel();
}

template <class Stream>
asio::awaitable<void> connection::reader(Stream& s, beast::flat_buffer& buf)
{
    using net::detail::ws_event;
    net::detail::ws_decoder decoder(cfg_.max_frame_size);
    std::size_t want = 0;
    // After a close frame or a protocol error nothing more is read from the server.
    bool done = false;
    for (;;) {
        if (done) {
            buf.consume(buf.size());
        } else {
            // Every whole frame of the read, in one go; the notifications go out once after.
            auto data = buf.cdata();
            std::string_view in(static_cast<char const*>(data.data()), data.size());
            std::size_t off = 0;
            while (!done) {
                std::size_t used = 0;
                ws_event ev = decoder.next(in.substr(off), used);
                off += used;
                switch (ev.what) {
                    case ws_event::type::need_more: want = ev.want; break;
                    case ws_event::type::text:
                        if (auto err = session_.on_frame(ev.payload))
                            log(log_level::warning,
                                "bad frame from the server (" + err.message() +
                                    "): " + std::string(ev.payload.substr(0, 200)));
                        if (session_.take_synced())
                            pump();  // on_synced sees the state of its sync
                        continue;
                    case ws_event::type::binary:
                        log(log_level::warning, "binary frame from the server ignored");
                        continue;
                    case ws_event::type::ping:
                        net::detail::append_ws_frame(
                            control_,
                            net::detail::ws_opcode::pong,
                            ev.payload,
                            mask());
                        wake_writer_.cancel();
                        continue;
                    case ws_event::type::pong: continue;
                    case ws_event::type::close:
                        if (close_sent_) {
                            // The answer to ours: the close handshake is complete.
                            buf.consume(buf.size());
                            pump();
                            beast::get_lowest_layer(s).close();
                            co_return;
                        }
                        log(log_level::info,
                            "the server closed the connection (" + std::to_string(ev.code) +
                                (ev.payload.empty() ? "" : " " + std::string(ev.payload)) + ")");
                        close_after(ev.code, {});
                        done = true;
                        continue;
                    case ws_event::type::error:
                        log(log_level::warning,
                            "the server broke the WebSocket protocol: " + std::string(ev.payload));
                        close_after(ev.code, ev.payload);
                        done = true;
                        continue;
                }
                break;
            }
            buf.consume(off);
            pump();
            if (buf.size() == 0 && buf.capacity() > 1024 * 1024)
                buf.shrink_to_fit();
        }
        std::size_t room = std::max<std::size_t>(
            64 * 1024,
            want > buf.size() ? want - buf.size() : 0);
        auto [ec, n] = co_await s.async_read_some(buf.prepare(room), use_tuple);
        if (ec) {
            if (!done && !closing_ && ec != asio::error::operation_aborted)
                log(log_level::warning, "read failed: " + ec.message());
            beast::get_lowest_layer(s).close();
            co_return;
        }
        buf.commit(n);
        got_bytes_ = true;
    }
}

template <class Stream>
asio::awaitable<void> connection::writer(Stream& s)
{
    // Cancelled (the reader ended first), a write completes with operation_aborted instead of
    // throwing, so the batch in hand goes back to the session rather than being lost.
    co_await asio::this_coro::throw_if_cancelled(false);
    auto& lowest = beast::get_lowest_layer(s);
    for (;;) {
        // No data after a close frame: it is the last frame on the wire.
        bool const data = session_.has_output() && !close_sent_ && !shutdown_after_flush_;
        if (!data && control_.empty()) {
            if (shutdown_after_flush_) {
                // The close frame (an answer, or ours after a protocol error) is written:
                // nothing more from us (FIN, so the server reads the frame rather than a
                // reset), and the reader, which discards everything now, ends when the server
                // closes its side; not waiting forever.
                boost::system::error_code ignored;
                lowest.socket().shutdown(asio::socket_base::shutdown_send, ignored);
                asio::steady_timer t(strand_, cfg_.connect_timeout);
                auto [ec] = co_await t.async_wait(use_tuple);
                if (!ec)
                    lowest.close();
                co_return;
            }
            if (closing_ && !close_sent_ && session_.queued_bytes() == 0) {
                // Everything queued is written: end the WebSocket cleanly.
                net::detail::append_ws_close(control_, net::detail::ws_close::normal, {}, mask());
                close_sent_ = true;
                continue;
            }
            if (close_sent_) {
                // The reader ends when the server's close frame arrives; not waiting forever.
                asio::steady_timer t(strand_, cfg_.connect_timeout);
                auto [ec] = co_await t.async_wait(use_tuple);
                if (!ec)
                    lowest.close();
                co_return;
            }
            wake_writer_.expires_at(asio::steady_timer::time_point::max());
            co_await wake_writer_.async_wait(use_tuple);
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none)
                co_return;
            continue;
        }
        out_.clear();
        out_.swap(control_);
        batch_.clear();
        if (data) {
            // Every frame of the batch into one buffer, then one write.
            session_.take_output(batch_);
            for (auto const& frame : batch_)
                net::detail::append_ws_frame(out_, net::detail::ws_opcode::text, frame, mask());
        }
        auto [ec, n] = co_await asio::async_write(s, asio::buffer(out_), use_tuple);
        if (ec) {
            if (!closing_ && ec != asio::error::operation_aborted)
                log(log_level::warning, "write failed: " + ec.message());
            // The batch may not have reached the server: its commands wait for the next
            // connection (written again rather than lost).
            session_.return_output(std::move(batch_));
            batch_.clear();
            lowest.close();
            co_return;
        }
        for (auto const& frame : batch_)
            session_.on_written(frame.size());
        room_.cancel();
        if (out_.capacity() > 1024 * 1024)
            std::string().swap(out_);
        if (batch_.capacity() > 4096)
            std::vector<std::string>().swap(batch_);
    }
}

// Pings a connection that has been silent for a third of the idle timeout; one from which
// nothing at all came within the timeout is lost. Also verifies the links whose local writes
// no event has answered once they have been quiet for about settle_timeout (between half of
// it and all of it): a server that drops a command never says so.
template <class Stream>
asio::awaitable<void> connection::keepalive(Stream& s)
{
    using std::chrono::milliseconds;
    asio::steady_timer t(strand_);
    bool const pings = cfg_.idle_timeout.count() > 0;
    bool const settles = cfg_.settle_timeout.count() > 0;
    if (!pings && !settles) {
        t.expires_at(asio::steady_timer::time_point::max());
        co_await t.async_wait(use_tuple);
        co_return;
    }
    // Silent for a third of the timeout, the connection is pinged; silent for one more
    // third, it is lost. So a dead connection is found between 2/3 of the timeout and the
    // timeout after its last byte.
    auto const ping_period = std::max<milliseconds>(milliseconds(1), cfg_.idle_timeout / 3);
    auto const settle_period = std::max<milliseconds>(milliseconds(1), cfg_.settle_timeout / 2);
    // One timer for both: a tick that divides the ping period exactly (so a dead connection
    // is still found within the idle timeout), and the settle check every few ticks.
    long long const per_ping = pings && settles
                                   ? std::max<long long>(
                                         1,
                                         (ping_period + settle_period - milliseconds(1)) /
                                             settle_period)
                                   : 1;
    milliseconds const tick = !pings ? settle_period
                                     : std::max(
                                           milliseconds(1),
                                           milliseconds(ping_period.count() / per_ping));
    long long const per_settle = settles ? std::max<long long>(1, (settle_period + tick / 2) / tick)
                                         : 0;
    long long ticks = 0;
    bool pinged = false;
    for (;;) {
        t.expires_after(tick);
        auto [ec] = co_await t.async_wait(use_tuple);
        if (ec)
            co_return;
        ++ticks;
        if (settles && ticks % per_settle == 0 && session_.may_be_unsettled()) {
            session_.verify_unsettled();
            pump();
        }
        if (!pings || ticks % per_ping != 0)
            continue;
        if (got_bytes_) {
            got_bytes_ = false;
            pinged = false;
            continue;
        }
        if (!pinged) {
            net::detail::append_ws_frame(control_, net::detail::ws_opcode::ping, {}, mask());
            wake_writer_.cancel();
            pinged = true;
            continue;
        }
        log(log_level::warning,
            "nothing from the server within the idle timeout (" +
                std::to_string(cfg_.idle_timeout.count()) +
                " ms), not even a pong: the connection is lost");
        beast::get_lowest_layer(s).close();
        co_return;
    }
}

asio::awaitable<void> connection::async_close()
{
    closing_ = true;
    // Close every downlink: their queued writes go first, then @unlink.
    std::vector<warp::view_id> ids;
    for (auto const& [id, core] : views_)
        ids.push_back(id);
    std::sort(ids.begin(), ids.end());  // in the order they were opened
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
