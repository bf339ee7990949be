// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// One client connection of the server: the HTTP upgrade, then the WebSocket transport, which
// hands the client's frames to the server and writes what the agents queued.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <limits>

#include "../net/ws_handshake.hpp"
#include "../net/ws_transport.hpp"
#include "http_serve.hpp"
#include "server_impl.hpp"

namespace swim::server::detail {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
namespace ws_close = net::detail::ws_close;

}  // namespace

class socket_port final
    : public uplink_port
    , private net::detail::ws_handler {
public:
    /// `ex`: the connection's strand, as its socket holds it (one copy shared by its timers).
    socket_port(std::shared_ptr<server_impl> srv, asio::any_io_executor ex)
        : uplink_port(*srv, srv->next_port_id(), false)
        , srv_(std::move(srv))
        , strand_(std::move(ex))
    {
        max_queued(srv_->config().max_queued_bytes);
        budget(&srv_->budget());
    }

    void shutdown() override
    {
        asio::post(strand_, [self = self_ptr()] {
            self->shutting_down_ = true;
            if (!self->transport_)
                return;
            self->closing_ = true;
            self->transport_->close(ws_close::going_away, "Server is stopping.", true);
            // A client that does not read would hold the writer, and so the server's stop,
            // forever: it gets stop_timeout to take what is queued and close.
            self->stop_timer_ = std::make_unique<asio::steady_timer>(
                self->strand_,
                self->srv_->config().stop_timeout);
            self->stop_timer_->async_wait([self](error_code ec) {
                if (ec || !self->transport_)
                    return;
                self->log_warning("the client did not take its last frames in time");
                self->transport_->abort();
            });
        });
    }

    void close_after_output(std::uint16_t code, std::string reason) override
    {
        // Called by on_frame, on this strand (the reader): the frames queued now go first;
        // what the client sends meanwhile is not read.
        ignore_input_ = true;
        closing_ = true;
        if (transport_)
            transport_->close(code, std::move(reason), true);
    }

    /// Runs the upgraded connection, until on_finished().
    void start(std::unique_ptr<net::detail::byte_stream> stream, std::string_view initial);

    std::shared_ptr<server_impl> const& srv() const noexcept { return srv_; }

private:
    void post_reader(std::function<void()> f) override { asio::post(strand_, std::move(f)); }

    void notify() override
    {
        asio::post(strand_, [self = self_ptr()] {
            if (self->transport_)
                self->transport_->wake();
        });
    }

    void overflow(std::size_t bytes, char const* which) override
    {
        asio::post(strand_, [self = self_ptr(), bytes, which] {
            self->log_warning(
                "its client fell " + std::to_string(bytes) + " bytes behind (" + which + ")");
            // It does not read: a close frame would wait behind what it has not taken.
            if (self->transport_)
                self->transport_->abort();
        });
    }

    std::shared_ptr<socket_port> self_ptr()
    {
        return std::static_pointer_cast<socket_port>(shared_from_this());
    }

    void log_warning(std::string const& why)
    {
        srv_->log(
            client::log_level::warning,
            "closing connection " + std::to_string(id()) + ": " + why);
    }

    /// Ends the connection with `code` at once; nothing more from the client is read.
    void fail(std::uint16_t code, std::string why)
    {
        if (ignore_input_)
            return;
        ignore_input_ = true;
        log_warning("(" + std::to_string(code) + ") " + why);
        transport_->close(code, std::move(why), false);
    }

    // ws_handler
    void on_text(std::string_view message) override
    {
        if (ignore_input_)
            return;
        auto err = read(message);
        if (!err)
            return;
        if (err.recon.code == recon::error::value_too_large)
            fail(
                ws_close::too_big,
                "a value over the limit of " + std::to_string(srv_->config().max_value_memory) +
                    " bytes of memory (max_value_memory)");
        else
            fail(ws_close::protocol_error, "Expected a valid Warp envelope: " + err.message());
    }

    void on_binary(std::string_view) override
    {
        fail(ws_close::protocol_error, "Expected string data.");
    }

    bool take_output(net::detail::ws_session& ws, std::string& out) override
    {
        if (batch_.empty() && !refill())
            return false;
        // The frames into one buffer, written with one write; a long queue in parts of about
        // write_part bytes (no buffer holds all of it, and no part waits for the whole). A
        // frame's text held outside it is let go once framed (held once, in the buffer).
        std::size_t end = next_;
        std::size_t bytes = 0;
        do
            bytes += ws.text_frame_size(batch_[end++].size());
        while (end < batch_.size() && bytes < write_part);
        std::size_t const start = out.size();
        out.resize(start + bytes);
        char* p = out.data() + start;
        for (; next_ < end; ++next_) {
            p = ws.put_text(p, batch_[next_].view());
            batch_[next_].release();
        }
        if (next_ == batch_.size()) {
            // The vector comes back as the queue at the next take: kept for a busy
            // connection's next batch (growing it again costs a page fault per 4 KiB), let go
            // after a small batch (an idle connection holds none) or a huge one. (Swapped:
            // `batch_ = {}` keeps the capacity.)
            std::size_t const n = batch_.size();
            batch_.clear();
            if (n <= 16 || batch_.capacity() * sizeof(warp::out_frame) > kept_batch_bytes)
                std::vector<warp::out_frame>().swap(batch_);
            // Closing after the output: what was queued meanwhile is taken now, so that
            // output_left() tells the transport whether the close waits.
            if (closing_)
                refill();
        }
        return true;
    }

    /// Takes the queue into the batch; false when nothing waits. Closing, it is taken once
    /// more (what was queued before the close), no more after it.
    bool refill()
    {
        if (closing_ && std::exchange(took_last_, true))
            return false;
        if (!uplink_port::take_output(batch_))
            return false;
        next_ = 0;
        return true;
    }

    bool output_left() const noexcept override { return !batch_.empty(); }
    std::size_t output_waiting() const noexcept override
    {
        return batch_.empty() ? queued() : std::numeric_limits<std::size_t>::max();
    }

    void on_written(error_code) override
    {
        // Written (or failed): once the whole batch is, its bytes no longer count against the
        // limits.
        if (batch_.empty())
            written();
    }

    void on_end(net::detail::ws_end why, std::string_view what) override
    {
        using net::detail::ws_end;
        auto const level = why == ws_end::protocol_error || why == ws_end::lost
                               ? client::log_level::warning
                               : client::log_level::debug;
        srv_->log(level, "connection " + std::to_string(id()) + ": " + std::string(what));
    }

    std::shared_ptr<server_impl> srv_;
    asio::any_io_executor strand_;
    void on_finished() override;

    /// The WebSocket, once upgraded.
    std::unique_ptr<net::detail::ws_transport> transport_;
    /// The port itself while its transport runs.
    std::shared_ptr<socket_port> self_;
    bool added_ = false;
    /// The limit of the drain when the server stops.
    std::unique_ptr<asio::steady_timer> stop_timer_;
    bool shutting_down_ = false;
    /// A close is under way: what the client sends is not read.
    bool ignore_input_ = false;
    /// Frames taken from the queue and not yet framed (from next_ on).
    std::vector<warp::out_frame> batch_;
    std::size_t next_ = 0;
    /// A close after the output is under way / its last take is made.
    bool closing_ = false;
    bool took_last_ = false;
    /// The most memory of a batch's vector kept for the next one.
    static constexpr std::size_t kept_batch_bytes = 1024 * 1024;
    /// About the most bytes of frames one write carries.
    static constexpr std::size_t write_part = 256 * 1024;
};

void socket_port::start(std::unique_ptr<net::detail::byte_stream> stream, std::string_view initial)
{
    auto const& cfg = srv_->config();
    auto opts = net::detail::transport_options(
        cfg.max_frame_size,
        cfg.idle_timeout,
        cfg.handshake_timeout);
    // A connection that writes 2 KiB or more at a time (a busy fan-out) waits for up to
    // three more turns of the executor, or 16 KiB, before the next write.
    opts.rest_after = 2048;
    transport_ = std::make_unique<net::detail::ws_transport>(
        strand_,
        std::move(stream),
        net::detail::ws_role::server,
        opts,
        0,
        static_cast<net::detail::ws_handler&>(*this));
    // The connection keeps itself (and the server's count of tasks) until on_finished().
    self_ = self_ptr();
    srv_->task_started();
    added_ = srv_->add_port(self_);
    if (!added_) {
        ignore_input_ = true;
        bool const stopping = srv_->stopping();
        transport_->close(
            stopping ? ws_close::going_away : ws_close::try_again_later,
            stopping ? "Server is stopping." : "Too many connections.",
            false);
    } else if (shutting_down_) {
        transport_->close(ws_close::going_away, "Server is stopping.", true);
    }
    transport_->start(initial);
}

void socket_port::on_finished()
{
    // Not within the transport's call: it is destroyed with the port.
    asio::post(strand_, [self = std::move(self_)] {
        self->transport_.reset();
        if (self->stop_timer_)
            self->stop_timer_->cancel();
        if (self->added_)
            self->srv_->port_closed(self);
        self->srv_->task_done();
    });
}

namespace {

/// Reads the HTTP upgrade request and answers it: 101 and true for a WebSocket upgrade,
/// otherwise an HTTP error that says what was wrong. Requests that are no upgrade are HTTP on
/// the WARP port (serve_http), as many as the connection carries. `leftover` gets the bytes read
/// beyond the request (a client's first frames).
template <class Stream>
asio::awaitable<bool> accept_upgrade(Stream& stream, std::string& leftover, server_impl& srv)
{
    beast::flat_buffer buffer;
    std::string answer;
    for (;;) {
        http::request_parser<http::empty_body> parser;
        parser.header_limit(16 * 1024);
        parser.body_limit(boost::none);  // (an HTTP body's limit is serve_http's)
        auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
        if (ec) {
            srv.log(client::log_level::debug, "HTTP request not read: " + ec.message());
            co_return false;
        }
        if (!is_websocket_upgrade(parser.get())) {
            // HTTP on the WARP port: an HTTP lane's or a file; then, kept alive, the next
            // request (which may be an upgrade).
            beast::get_lowest_layer(stream).expires_after(srv.config().http_request_timeout);
            auto serving = serve_http(stream, buffer, parser, srv);
            if (!co_await std::move(serving))
                co_return false;
            continue;
        }
        auto const& req = parser.get();
        net::detail::ws_upgrade_request up;
        up.method = req.method_string();
        up.version = req.version();
        up.upgrade = req[http::field::upgrade];
        up.connection = req[http::field::connection];
        up.key = req[http::field::sec_websocket_key];
        up.ws_version = req[http::field::sec_websocket_version];
        up.protocols = req[http::field::sec_websocket_protocol];
        auto verdict = net::detail::check_upgrade_request(up);
        answer = net::detail::upgrade_response(verdict, up.key);
        if (verdict.status != 101) {
            srv.log(client::log_level::debug, "HTTP request refused: " + verdict.why);
            auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(answer), use_tuple);
            (void)wec;
            co_return false;
        }
        break;
    }
    auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(answer), use_tuple);
    if (wec) {
        srv.log(client::log_level::debug, "WebSocket handshake failed: " + wec.message());
        co_return false;
    }
    auto data = buffer.cdata();
    leftover.assign(static_cast<char const*>(data.data()), data.size());
    co_return true;
}

/// While a connection is in its handshakes or serving HTTP, the server's stop ends it:
/// `on_stop` runs on the connection's strand while the guard lives.
class stop_guard {
public:
    stop_guard(server_impl& srv, asio::any_io_executor strand, std::function<void()> on_stop)
        : srv_(srv)
        , alive_(std::make_shared<bool>(true))
    {
        id_ = srv.watch_stop([strand, alive = alive_, f = std::move(on_stop)] {
            asio::post(strand, [alive, f] {
                if (*alive)
                    f();
            });
        });
    }
    stop_guard(stop_guard const&) = delete;
    stop_guard& operator=(stop_guard const&) = delete;
    ~stop_guard()
    {
        *alive_ = false;
        srv_.unwatch_stop(id_);
    }

private:
    server_impl& srv_;
    std::shared_ptr<bool> alive_;
    std::uint64_t id_ = 0;
};

/// The connection's place among the handshakes in progress (max_handshakes), taken by the
/// accept loop and given back once, when the upgrade is done or failed.
class handshake_slot {
public:
    explicit handshake_slot(server_impl& srv) noexcept
        : srv_(&srv)
    {}
    handshake_slot(handshake_slot const&) = delete;
    handshake_slot& operator=(handshake_slot const&) = delete;
    ~handshake_slot() { release(); }
    void release()
    {
        if (srv_)
            std::exchange(srv_, nullptr)->handshake_ended();
    }

private:
    server_impl* srv_;
};

asio::awaitable<void> serve_plain(std::shared_ptr<socket_port> port, tcp::socket socket)
{
    auto& srv = *port->srv();
    handshake_slot slot(srv);
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(srv.config().handshake_timeout);
    std::string leftover;
    {
        auto strand = co_await asio::this_coro::executor;
        stop_guard guard(srv, strand, [&stream] { stream.cancel(); });
        if (!co_await accept_upgrade(stream, leftover, srv))
            co_return;
    }
    slot.release();
    stream.expires_never();
    port->start(net::detail::make_byte_stream(stream.release_socket()), leftover);
}

asio::awaitable<void> serve_tls(
    std::shared_ptr<socket_port> port,
    tcp::socket socket,
    std::shared_ptr<asio::ssl::context> ssl)
{
    auto& srv = *port->srv();
    handshake_slot slot(srv);
    asio::ssl::stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *ssl);
    beast::get_lowest_layer(stream).expires_after(srv.config().handshake_timeout);
    std::string leftover;
    {
        auto strand = co_await asio::this_coro::executor;
        stop_guard guard(srv, strand, [&stream] { beast::get_lowest_layer(stream).cancel(); });
        auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
        if (ec) {
            srv.log(client::log_level::info, "TLS handshake failed: " + ec.message());
            co_return;
        }
        if (!co_await accept_upgrade(stream, leftover, srv))
            co_return;
    }
    slot.release();
    beast::get_lowest_layer(stream).expires_never();
    port->start(net::detail::make_byte_stream(std::move(stream)), leftover);
}

}  // namespace

void serve_socket(
    std::shared_ptr<server_impl> srv,
    tcp::socket socket,
    std::shared_ptr<asio::ssl::context> ssl,
    strand_type strand)
{
    auto port = std::make_shared<socket_port>(srv, socket.get_executor());
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
