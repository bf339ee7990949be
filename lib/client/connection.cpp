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

#include <openssl/rand.h>

#include <algorithm>
#include <cmath>

#include "../net/text.hpp"
#include "../net/ws_handshake.hpp"

namespace swim::client::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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
    std::shared_ptr<client_config const> cfg,
    std::shared_ptr<asio::ssl::context> ssl,
    std::shared_ptr<foreign_writes> foreign)
    : strand_(std::move(ex))
    , ex_(strand_)
    , url_(std::move(url))
    , name_(std::move(name))
    , cfg_(std::move(cfg))
    , ssl_(std::move(ssl))
    , foreign_(std::move(foreign))
    , session_(warp::session_options{cfg_->max_queued_bytes, cfg_->max_value_memory})
    , sleep_(ex_)
    , rng_((static_cast<std::uint64_t>(std::random_device{}()) << 32) | std::random_device{}())
{}

connection::~connection() = default;

void connection::log(log_level level, std::string_view what) const
{
    if (cfg_->log.sink && level >= cfg_->log.level) {
        std::string line = name_;
        line += ": ";
        line += what;
        cfg_->log.sink(level, net::detail::escape_untrusted(line, cfg_->log.max_line));
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
    if (transport_ && session_.has_output())
        transport_->wake();
}

void connection::deliver_notes()
{
    if (session_.notes().empty())
        return;
    notes_.clear();
    notes_.swap(session_.notes());
    std::size_t const batch = notes_.size();
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
    // The buffer goes once the batches are small (an idle connection holds none), not after
    // each large batch: a stream of them would map and fault in a fresh buffer for each.
    notes_.clear();
    if (batch <= 16)
        std::vector<warp::view_note>().swap(notes_);
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
    jitter_rng& rng)
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
    return backoff_delay(cfg_->reconnect, attempt, rng_);
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
    if (done_)
        done_->cancel();
}

asio::awaitable<void> connection::relink_after(
    std::shared_ptr<connection> self,
    std::string node,
    std::string lane,
    std::chrono::milliseconds delay)
{
    asio::steady_timer t(self->ex_, delay);
    co_await t.async_wait(use_tuple);
    if (!self->closing_) {
        self->session_.relink(node, lane);
        self->pump();
    }
    self->finished_task();
}

asio::awaitable<void> connection::wait_for_room()
{
    // room_ never expires; cancel() wakes every waiter at once. Made on the first wait: most
    // connections never wait for room.
    if (!room_)
        room_ = std::make_unique<asio::steady_timer>(ex_, asio::steady_timer::time_point::max());
    co_await room_->async_wait(use_tuple);
}

// ---- the connection loop -------------------------------------------------------------------

asio::awaitable<void> connection::run(std::shared_ptr<connection> self)
{
    // Small on purpose: this frame lives as long as the connection. The connecting steps
    // run in frames of their own, gone once the transport (callbacks) is started.
    unsigned attempt = 0;
    while (!self->closing_) {
        auto connecting = self->connect_and_start();
        bool const up = co_await std::move(connecting);
        while (up && !self->finished_) {
            self->sleep_.expires_at(asio::steady_timer::time_point::max());
            co_await self->sleep_.async_wait(use_tuple);
        }
        if (up)
            self->end_serving();
        if (self->closing_)
            break;
        self->sleep_.expires_after(self->reconnect_delay(up, attempt));
        co_await self->sleep_.async_wait(use_tuple);
    }
    self->finished_task();
}

asio::awaitable<bool> connection::connect_and_start()
{
    std::string initial;
    auto connecting = connect(initial);
    auto stream = co_await std::move(connecting);
    if (!stream)
        co_return false;
    start_serving(std::move(stream), initial);
    co_return true;
}

std::chrono::milliseconds connection::reconnect_delay(bool was_up, unsigned& attempt)
{
    if (was_up)
        attempt = 0;
    auto delay = backoff(++attempt);
    log(log_level::info, "reconnecting in " + std::to_string(delay.count()) + " ms");
    return delay;
}

std::string connection::connect_failure(boost::system::error_code ec) const
{
    if (ec == beast::error::timeout)
        return "cannot connect to " + url_.host + ":" + url_.port +
               ": no answer within the "
               "connect timeout (" +
               std::to_string(cfg_->connect_timeout.count()) + " ms)";
    return "cannot connect to " + url_.host + ":" + url_.port + ": " + ec.message();
}

asio::awaitable<std::unique_ptr<net::detail::byte_stream>> connection::connect(std::string& initial)
{
    tcp::resolver resolver(ex_);
    abort_ = [&resolver] {
        resolver.cancel();
    };
    // (Asio's resolver cannot be cut off: a DNS server that does not answer takes the
    // system resolver's own timeout, and the attempt is reported then.)
    auto [rec, endpoints] = co_await resolver.async_resolve(url_.host, url_.port, use_tuple);
    abort_ = nullptr;
    if (closing_)
        co_return nullptr;
    if (rec) {
        failed_attempt(rec, "cannot resolve " + url_.host + ": " + rec.message());
        co_return nullptr;
    }
    auto host_header = url_.host + ":" + url_.port;
    if (!url_.tls) {
        beast::tcp_stream stream(ex_);
        abort_ = [&stream] {
            stream.close();
        };
        stream.expires_after(cfg_->connect_timeout);
        auto [cec, ep] = co_await stream.async_connect(endpoints, use_tuple);
        if (cec || closing_) {
            abort_ = nullptr;
            if (cec && !closing_)
                failed_attempt(cec, connect_failure(cec));
            co_return nullptr;
        }
        // Small frames (a set, a command) leave at once, not after the previous one's ACK.
        boost::system::error_code nec;
        stream.socket().set_option(asio::ip::tcp::no_delay(true), nec);
        auto upgraded = upgrade(stream, host_header, initial);
        if (!co_await std::move(upgraded))
            co_return nullptr;
        co_return net::detail::make_byte_stream(stream.release_socket());
    }

    asio::ssl::stream<beast::tcp_stream> tls(ex_, *ssl_);
    auto& lowest = beast::get_lowest_layer(tls);
    abort_ = [&lowest] {
        lowest.close();
    };
    if (!SSL_set_tlsext_host_name(tls.native_handle(), url_.host.c_str())) {
        log(log_level::warning, "cannot set the TLS server name");
    }
    if (cfg_->verify_peer)
        tls.set_verify_callback(asio::ssl::host_name_verification(url_.host));
    lowest.expires_after(cfg_->connect_timeout);
    auto [cec, ep] = co_await lowest.async_connect(endpoints, use_tuple);
    if (cec || closing_) {
        abort_ = nullptr;
        if (cec && !closing_)
            failed_attempt(cec, connect_failure(cec));
        co_return nullptr;
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
        co_return nullptr;
    }
    auto upgraded = upgrade(tls, host_header, initial);
    if (!co_await std::move(upgraded))
        co_return nullptr;
    co_return net::detail::make_byte_stream(std::move(tls));
}

// The WebSocket upgrade (RFC 6455 §4.1), offering warp0 (a server that does not echo it is
// fine); `initial` gets the bytes the server sent after its answer.
template <class Stream>
asio::awaitable<bool> connection::upgrade(
    Stream& s,
    std::string const& host_header,
    std::string& initial)
{
    auto& lowest = beast::get_lowest_layer(s);
    lowest.expires_after(cfg_->connect_timeout);
    std::array<unsigned char, 16> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
        for (auto& b : random)
            b = static_cast<unsigned char>(rng_());
    std::string const key = net::detail::ws_key(random);
    http::request<http::empty_body> req{http::verb::get, url_.target, 11};
    req.set(http::field::host, host_header);
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::sec_websocket_key, key);
    req.set(http::field::sec_websocket_version, "13");
    req.set(http::field::sec_websocket_protocol, net::detail::warp_subprotocol);
    req.set(http::field::user_agent, "swim-cpp");
    auto [wec, wn] = co_await http::async_write(s, req, use_tuple);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    parser.header_limit(16 * 1024);
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
    net::detail::ws_upgrade_response answer;
    answer.status = res.result_int();
    answer.reason = res.reason();
    answer.upgrade = res[http::field::upgrade];
    answer.connection = res[http::field::connection];
    answer.accept = res[http::field::sec_websocket_accept];
    std::string const why = net::detail::check_upgrade_response(answer, key);
    if (!why.empty()) {
        abort_ = nullptr;
        failed_attempt(
            error::upgrade_refused,
            "WebSocket handshake with " + host_header + " failed: " + why);
        co_return false;
    }
    // Frames the server sent right after its answer came with it.
    auto data = buf.cdata();
    initial.assign(static_cast<char const*>(data.data()), data.size());
    abort_ = nullptr;
    co_return true;
}

void connection::start_serving(
    std::unique_ptr<net::detail::byte_stream> stream,
    std::string_view initial)
{
    auto const opts = net::detail::transport_options(
        cfg_->max_frame_size,
        cfg_->idle_timeout,
        cfg_->connect_timeout);
    std::uint64_t const seed = (static_cast<std::uint64_t>(rng_()) << 32) | rng_();
    transport_ = std::make_unique<net::detail::ws_transport>(
        ex_,
        std::move(stream),
        net::detail::ws_role::client,
        opts,
        seed,
        static_cast<net::detail::ws_handler&>(*this));
    abort_ = [this] {
        transport_->abort();
    };
    next_settle_ = cfg_->settle_timeout.count() > 0 ? net::detail::steady_ms() + settle_period()
                                                    : net::detail::ws_session::never;
    log(log_level::info, "connected");
    up_ = true;
    finished_ = false;
    session_.on_connected();
    pump();
    if (closing_)
        transport_->close(net::detail::ws_close::normal, {}, true);
    transport_->start(initial);
}

void connection::end_serving()
{
    abort_ = nullptr;
    transport_.reset();
    up_ = false;
    session_.on_disconnected();
    pump();
    wake_room();
    log(log_level::info, "disconnected");
}

void connection::on_finished()
{
    finished_ = true;
    sleep_.cancel();
}

std::uint64_t connection::settle_period() const noexcept
{
    return static_cast<std::uint64_t>(std::max<long long>(1, cfg_->settle_timeout.count() / 2));
}

void connection::on_text(std::string_view message)
{
    auto err = session_.on_frame(message);
    if (err == recon::error::value_too_large) {
        std::string why = "a value over the limit of " + std::to_string(cfg_->max_value_memory) +
                          " bytes of memory (max_value_memory)";
        log(log_level::warning, "closing the connection (1009): " + why);
        transport_->close(net::detail::ws_close::too_big, why, false);
        return;
    }
    if (err)
        log(log_level::warning,
            "bad frame from the server (" + err.message() +
                "): " + std::string(message.substr(0, 200)));
    if (session_.take_synced())
        pump();  // on_synced sees the state of its sync
}

void connection::on_binary(std::string_view message)
{
    log(log_level::warning,
        "a binary frame of " + std::to_string(message.size()) + " bytes from the server ignored");
}

void connection::on_read()
{
    // Every frame of the read is decoded: the notifications go out once.
    pump();
}

bool connection::take_output(net::detail::ws_session& ws, std::string& out)
{
    if (!session_.has_output())
        return false;
    batch_.clear();
    session_.take_output(batch_);
    std::size_t bytes = 0;
    for (auto const& frame : batch_)
        bytes += ws.text_frame_size(frame.size());
    std::size_t const start = out.size();
    out.resize(start + bytes);
    char* p = out.data() + start;
    for (auto const& frame : batch_)
        p = ws.put_text(p, frame);
    return true;
}

void connection::on_written(boost::system::error_code ec)
{
    if (ec) {
        // The batch may not have reached the server: its commands wait for the next
        // connection (written again rather than lost).
        session_.return_output(std::move(batch_));
        batch_.clear();
        return;
    }
    for (auto const& frame : batch_)
        session_.on_written(frame.size());
    batch_.clear();
    if (batch_.capacity() > 4096)
        std::vector<std::string>().swap(batch_);
    wake_room();
}

void connection::on_end(net::detail::ws_end why, std::string_view what)
{
    using net::detail::ws_end;
    if (why == ws_end::peer_closed) {
        log(log_level::info, std::string(what));
        return;
    }
    if (closing_ && (why == ws_end::read_failed || why == ws_end::write_failed))
        return;
    log(log_level::warning, std::string(what));
}

std::uint64_t connection::deadline() const noexcept
{
    return next_settle_;
}

void connection::on_deadline(std::uint64_t now_ms)
{
    // A server that drops a command never says so: links whose local writes no event has
    // answered are verified once they have been quiet for about settle_timeout.
    next_settle_ = now_ms + settle_period();
    if (session_.may_be_unsettled()) {
        session_.verify_unsettled();
        pump();
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
    // The unlinks and the writes queued before them go first, then our close frame.
    if (transport_)
        transport_->close(net::detail::ws_close::normal, {}, true);
    while (tasks_ > 0) {
        asio::steady_timer done(ex_, asio::steady_timer::time_point::max());
        done_ = &done;
        co_await done.async_wait(use_tuple);
        done_ = nullptr;
    }
    wake_room();
}

}  // namespace swim::client::detail
