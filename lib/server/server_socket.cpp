// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// One client connection of the server: the HTTP upgrade, then a reader that routes what the
// client asks and a writer that drains what the agents queued.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "../net/coalescing_stream.hpp"
#include "server_impl.hpp"

namespace swim::server::detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace asio::experimental::awaitable_operators;
using net::detail::coalescing_stream;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool offers_warp0(std::string_view protocols)
{
    // A comma separated list of tokens.
    std::size_t i = 0;
    while (i < protocols.size()) {
        auto j = protocols.find(',', i);
        if (j == std::string_view::npos)
            j = protocols.size();
        auto token = protocols.substr(i, j - i);
        while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
            token.remove_prefix(1);
        while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
            token.remove_suffix(1);
        if (token == "warp0")
            return true;
        i = j + 1;
    }
    return false;
}

// A WebSocket close reason is at most 123 bytes.
std::string close_reason(std::string why)
{
    if (why.size() > 123)
        why.resize(123);
    return why;
}

}  // namespace

class socket_port final : public uplink_port {
public:
    socket_port(std::shared_ptr<server_impl> srv, strand_type strand)
        : uplink_port(srv->next_port_id(), srv->session_options())
        , srv_(std::move(srv))
        , strand_(std::move(strand))
        , wake_(strand_, asio::steady_timer::time_point::max())
        , stop_timer_(strand_)
    {
        max_queued(srv_->config().max_queued_bytes);
    }

    void shutdown() override
    {
        asio::post(strand_, [self = self_ptr()] {
            self->shutting_down_ = true;
            self->wake_.cancel();
            if (!self->socket_)
                return;
            // A client that does not read would hold the writer, and so the server's stop,
            // forever: it gets as long as a handshake to take what is queued and close.
            self->stop_timer_.expires_after(self->srv_->config().handshake_timeout);
            self->stop_timer_.async_wait([self](error_code ec) {
                if (ec || !self->socket_)
                    return;
                self->srv_->log(
                    client::log_level::warning,
                    "closing connection " + std::to_string(self->id()) +
                        ": the client did not take its last frames in time");
                self->socket_->close();
            });
        });
    }

    void close_after_output(std::uint16_t code, std::string reason) override
    {
        // Called by on_frame, on this strand (the reader): the writer takes the frames queued
        // now in a later batch, and closes after writing it.
        if (close_code_ || close_after_)
            return;
        close_after_ = static_cast<websocket::close_code>(code);
        close_after_why_ = close_reason(std::move(reason));
        wake_.cancel();
    }

    template <class Stream>
    asio::awaitable<void> serve(Stream& ws, http::request<http::string_body> req);

    std::shared_ptr<server_impl> const& srv() const noexcept { return srv_; }

private:
    void notify() override
    {
        asio::post(strand_, [self = self_ptr()] { self->wake_.cancel(); });
    }

    void overflow(std::size_t bytes) override
    {
        asio::post(strand_, [self = self_ptr(), bytes] {
            self->srv_->log(
                client::log_level::warning,
                "closing connection " + std::to_string(self->id()) + ": its client fell " +
                    std::to_string(bytes) + " bytes behind (max_queued_bytes)");
            // It does not read: a close frame would wait behind what it has not taken.
            if (self->socket_)
                self->socket_->close();
        });
    }

    std::shared_ptr<socket_port> self_ptr()
    {
        return std::static_pointer_cast<socket_port>(shared_from_this());
    }

    /// Ends the connection with `code`: the writer sends the close frame.
    void fail(websocket::close_code code, std::string why)
    {
        if (close_code_)
            return;
        srv_->log(
            client::log_level::warning,
            "closing connection " + std::to_string(id()) + " (" +
                std::to_string(static_cast<int>(code)) + "): " + why);
        close_code_ = code;
        close_why_ = close_reason(std::move(why));
        wake_.cancel();
    }

    template <class Stream>
    asio::awaitable<void> reader(Stream& ws);
    template <class Stream>
    asio::awaitable<void> writer(Stream& ws);

    std::shared_ptr<server_impl> srv_;
    strand_type strand_;
    asio::steady_timer wake_;
    /// The connection's socket while serve() runs it, and the limit of its drain at stop.
    beast::tcp_stream* socket_ = nullptr;
    asio::steady_timer stop_timer_;
    bool shutting_down_ = false;
    std::optional<websocket::close_code> close_code_;
    std::string close_why_;
    /// close_after_output(): the close that follows the next batch.
    std::optional<websocket::close_code> close_after_;
    std::string close_after_why_;
    std::vector<warp::out_frame> batch_;
};

template <class Stream>
asio::awaitable<void> socket_port::serve(Stream& ws, http::request<http::string_body> req)
{
    auto const& cfg = srv_->config();
    bool warp0 = offers_warp0(req[http::field::sec_websocket_protocol]);
    ws.set_option(websocket::stream_base::decorator([warp0](websocket::response_type& res) {
        res.set(http::field::server, "swim-cpp");
        if (warp0)
            res.set(http::field::sec_websocket_protocol, "warp0");
    }));
    websocket::stream_base::timeout t{};
    t.handshake_timeout = cfg.handshake_timeout;
    if (cfg.idle_timeout.count() > 0) {
        // Beast pings after half of it in silence and closes when the rest passes too.
        t.idle_timeout = cfg.idle_timeout;
        t.keep_alive_pings = true;
    } else {
        t.idle_timeout = websocket::stream_base::none();
        t.keep_alive_pings = false;
    }
    ws.set_option(t);
    ws.read_message_max(cfg.max_frame_size);
    beast::get_lowest_layer(ws).expires_never();
    auto [ec] = co_await ws.async_accept(req, use_tuple);
    // The request's header fields would stay in this frame as long as the connection.
    req = {};
    if (ec) {
        srv_->log(client::log_level::info, "WebSocket handshake failed: " + ec.message());
        co_return;
    }
    auto self = self_ptr();
    if (!srv_->add_port(self)) {
        bool stopping = srv_->stopping();
        auto [cec] = co_await ws.async_close(
            websocket::close_reason(
                stopping ? websocket::close_code::going_away
                         : websocket::close_code::try_again_later,
                stopping ? "Server is stopping." : "Too many connections."),
            use_tuple);
        (void)cec;
        co_return;
    }
    socket_ = &beast::get_lowest_layer(ws);
    co_await (reader(ws) || writer(ws));
    socket_ = nullptr;
    stop_timer_.cancel();
    srv_->port_closed(self);
}

template <class Stream>
asio::awaitable<void> socket_port::reader(Stream& ws)
{
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
        if (ec) {
            if (ec == websocket::error::message_too_big) {
                // Beast has sent the close frame with 1009 already.
                srv_->log(
                    client::log_level::warning,
                    "closing connection " + std::to_string(id()) +
                        " (1009): a frame over the limit of " +
                        std::to_string(srv_->config().max_frame_size) + " bytes");
            }
            beast::get_lowest_layer(ws).close();
            co_return;
        }
        if (!close_code_ && !close_after_) {
            if (!ws.got_text()) {
                fail(websocket::close_code::protocol_error, "Expected string data.");
            } else {
                auto data = buffer.cdata();
                std::string_view frame(static_cast<char const*>(data.data()), data.size());
                if (auto err = srv_->on_frame(self_ptr(), frame))
                    fail(
                        websocket::close_code::protocol_error,
                        "Expected a valid Warp envelope: " + err.message());
            }
        }
        buffer.consume(buffer.size());
    }
}

template <class Stream>
asio::awaitable<void> socket_port::writer(Stream& ws)
{
    for (;;) {
        if (close_code_) {
            auto [ec] = co_await ws.async_close(
                websocket::close_reason(*close_code_, close_why_),
                use_tuple);
            if (ec)
                beast::get_lowest_layer(ws).close();
            // The reader ends when the client's close frame (or the end) arrives; wake-ups
            // for output meanwhile are ignored.
            for (;;) {
                co_await wake_.async_wait(use_tuple);
                auto cs = co_await asio::this_coro::cancellation_state;
                if (cs.cancelled() != asio::cancellation_type::none)
                    co_return;
            }
        }
        batch_.clear();
        // Set before this take: the frames it waits for are in the batch taken now.
        bool const close_after = close_after_.has_value();
        if (!take_output(batch_)) {
            if (close_after) {
                close_code_ = close_after_;
                close_why_ = close_after_why_;
                continue;
            }
            if (shutting_down_) {
                close_code_ = websocket::close_code::going_away;
                close_why_ = "Server is stopping.";
                continue;
            }
            co_await wake_.async_wait(use_tuple);
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none)
                co_return;
            continue;
        }
        // Every frame of the batch into one buffer, then one write.
        auto& out = ws.next_layer();
        out.cork();
        for (auto const& frame : batch_)
            out.append_text_frame(frame.view());
        auto ec = co_await out.async_flush();
        // Written: let go of the frames now (an idle connection holds none), and of a large
        // batch's vector (it comes back to the session as its queue at the next take).
        batch_.clear();
        if (batch_.capacity() > 4096)
            batch_ = {};
        if (ec) {
            beast::get_lowest_layer(ws).close();
            co_return;
        }
        if (close_after) {
            close_code_ = close_after_;
            close_why_ = close_after_why_;
        }
    }
}

namespace {

// Reads the HTTP upgrade request; answers anything else with an HTTP error.
template <class Stream>
asio::awaitable<bool> read_upgrade(
    Stream& stream,
    beast::flat_buffer& buffer,
    http::request<http::string_body>& req,
    server_impl& srv)
{
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(64 * 1024);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec) {
        srv.log(client::log_level::debug, "HTTP request not read: " + ec.message());
        co_return false;
    }
    req = parser.release();
    if (websocket::is_upgrade(req))
        co_return true;
    http::response<http::string_body> res{http::status::bad_request, req.version()};
    res.set(http::field::server, "swim-cpp");
    res.set(http::field::content_type, "text/plain");
    res.keep_alive(false);
    res.body() = "swim-cpp WARP server: a WebSocket upgrade was expected\n";
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    (void)wec;
    co_return false;
}

asio::awaitable<void> serve_plain(std::shared_ptr<socket_port> port, tcp::socket socket)
{
    auto& srv = *port->srv();
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(srv.config().handshake_timeout);
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    if (!co_await read_upgrade(stream, buffer, req, srv))
        co_return;
    // The client waits for the upgrade's answer before it sends a frame: the buffer is done
    // with (and would stay allocated as long as the connection).
    buffer = beast::flat_buffer();
    websocket::stream<coalescing_stream<beast::tcp_stream>> ws(std::move(stream));
    // Made in a statement of its own (GCC 12 and by-value arguments in co_await).
    auto served = port->serve(ws, std::move(req));
    co_await std::move(served);
}

asio::awaitable<void> serve_tls(
    std::shared_ptr<socket_port> port,
    tcp::socket socket,
    std::shared_ptr<asio::ssl::context> ssl)
{
    auto& srv = *port->srv();
    asio::ssl::stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *ssl);
    beast::get_lowest_layer(stream).expires_after(srv.config().handshake_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (ec) {
        srv.log(client::log_level::info, "TLS handshake failed: " + ec.message());
        co_return;
    }
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    if (!co_await read_upgrade(stream, buffer, req, srv))
        co_return;
    buffer = beast::flat_buffer();  // (as in serve_plain)
    websocket::stream<coalescing_stream<asio::ssl::stream<beast::tcp_stream>>> ws(
        std::move(stream));
    auto served = port->serve(ws, std::move(req));
    co_await std::move(served);
}

}  // namespace

void serve_socket(
    std::shared_ptr<server_impl> srv,
    tcp::socket socket,
    std::shared_ptr<asio::ssl::context> ssl,
    strand_type strand)
{
    auto port = std::make_shared<socket_port>(srv, strand);
    srv->task_started();
    auto done = [srv](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (std::exception const& x) {
                srv->log(client::log_level::error, std::string("a connection failed: ") + x.what());
            }
        }
        srv->task_done();
    };
    if (ssl)
        asio::co_spawn(strand, serve_tls(port, std::move(socket), std::move(ssl)), done);
    else
        asio::co_spawn(strand, serve_plain(port, std::move(socket)), done);
}

}  // namespace swim::server::detail
