// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The scripted WARP peer: a Beast WebSocket server driven by the test's coroutine. One reader
// task per connection reads the client's frames into a queue (so pings are answered and a
// timeout never cancels a WebSocket read); the test's operations wait on that queue, or do
// their own writes, each bounded by a deadline.

#include "common/scripted_peer.hpp"

#include <swim/warp/envelope.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/execution_monitor.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <deque>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <variant>

namespace swim::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using steady_clock = std::chrono::steady_clock;
using duration = steady_clock::duration;
using time_point = steady_clock::time_point;
using location = std::source_location;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string ms(duration d)
{
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

// ---- reporting --------------------------------------------------------------------------

// A failed check at the caller's line, as BOOST_TEST would log it (non-fatal).
void report(std::string const& message, location const& loc)
{
    namespace tt = boost::test_tools::tt_detail;
    tt::report_assertion(
        boost::test_tools::assertion_result(false),
        boost::unit_test::lazy_ostream::instance() << message,
        loc.file_name(),
        static_cast<std::size_t>(loc.line()),
        tt::CHECK,
        tt::CHECK_MSG,
        0);
}

// A passed check at the caller's line (counted, and logged with --log_level=success).
void pass(std::string const& description, location const& loc)
{
    namespace tt = boost::test_tools::tt_detail;
    tt::report_assertion(
        boost::test_tools::assertion_result(true),
        boost::unit_test::lazy_ostream::instance() << description,
        loc.file_name(),
        static_cast<std::size_t>(loc.line()),
        tt::CHECK,
        tt::CHECK_MSG,
        0);
}

// Ends the calling operation: a cancellation is rethrown unreported (it is not a failure of
// the peer's script), anything else is reported and ends the test case with
// execution_aborted, which Boost.Test treats as "already reported".
[[noreturn]] void fail(peer_error const& e, location const& loc)
{
    if (e.code == asio::error::operation_aborted)
        throw boost::system::system_error(e.code, e.message);
    report(e.message, loc);
    throw boost::execution_aborted();
}

peer_error make_error(error_code code, std::string message)
{
    return peer_error{code, "scripted_peer " + std::move(message)};
}

// Frame text for messages: control bytes escaped, long frames cut around `focus`.
struct shown {
    std::string text;
    std::size_t focus_column = 0;
};

shown show(std::string_view s, std::size_t focus = 0)
{
    constexpr std::size_t before = 60;
    constexpr std::size_t max = 240;
    shown out;
    std::size_t begin = 0;
    if (s.size() > max && focus > before) {
        begin = focus - before;
        out.text = "...";
    }
    std::size_t const end = std::min(s.size(), begin + max);
    for (std::size_t i = begin; i < end; ++i) {
        if (i == focus)
            out.focus_column = out.text.size();
        auto const ch = static_cast<unsigned char>(s[i]);
        if (ch < 0x20 || ch == 0x7f) {
            static constexpr char hex[] = "0123456789abcdef";
            out.text += "\\x";
            out.text += hex[ch >> 4];
            out.text += hex[ch & 0xf];
        } else {
            out.text += static_cast<char>(ch);
        }
    }
    if (focus >= end)
        out.focus_column = out.text.size();
    if (end < s.size())
        out.text += "... (" + std::to_string(s.size()) + " bytes)";
    return out;
}

std::string hex_preview(std::string_view bytes)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < 32; ++i) {
        auto const b = static_cast<unsigned char>(bytes[i]);
        if (i != 0)
            out += ' ';
        out += hex[b >> 4];
        out += hex[b & 0xf];
    }
    if (bytes.size() > 32)
        out += " ...";
    return out;
}

std::string describe(received_frame const& f)
{
    switch (f.kind) {
        case frame_kind::text: return "a text frame: " + show(f.payload).text;
        case frame_kind::binary:
            return "a binary frame of " + std::to_string(f.payload.size()) +
                   " bytes: " + hex_preview(f.payload);
        case frame_kind::close:
            return "the client's close frame (code " + std::to_string(f.close_code) +
                   ", reason \"" + show(f.payload).text + "\")";
    }
    return "a frame";
}

std::string diff(std::string_view expected, std::string_view actual)
{
    auto const [e, a] = std::mismatch(
        expected.begin(),
        expected.end(),
        actual.begin(),
        actual.end());
    auto const at = static_cast<std::size_t>(e - expected.begin());
    (void)a;
    auto const want = show(expected, at);
    auto const got = show(actual, at);
    std::string out;
    out += "\n    expected: " + want.text;
    out += "\n    actual:   " + got.text;
    out += "\n              " + std::string(std::max(want.focus_column, got.focus_column), ' ') +
           "^ first difference at byte " + std::to_string(at);
    return out;
}

std::string envelope_fields_diff(warp::envelope const& want, warp::envelope const& got)
{
    std::string fields;
    auto add = [&](bool differs, char const* name) {
        if (!differs)
            return;
        if (!fields.empty())
            fields += ", ";
        fields += name;
    };
    add(want.kind != got.kind, "kind");
    add(want.node != got.node, "node");
    add(want.lane != got.lane, "lane");
    add(want.prio != got.prio, "prio");
    add(want.rate != got.rate, "rate");
    add(!(want.body == got.body), "body");
    return fields;
}

// ---- deadlines ----------------------------------------------------------------------------

/// Runs `op` against a timer: timed_out when the deadline comes first (the op is then
/// cancelled, terminal), operation_aborted when the caller cancels.
template <class... T>
asio::awaitable<std::tuple<error_code, T...>> with_deadline(
    asio::awaitable<std::tuple<error_code, T...>> op,
    time_point deadline)
{
    using namespace asio::experimental::awaitable_operators;
    auto const executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, deadline);
    auto wait = timer.async_wait(use_tuple);
    // Suspends until the operation completes or the deadline passes, whichever is first.
    auto result = co_await (std::move(op) || std::move(wait));
    if (result.index() == 0)
        co_return std::get<0>(std::move(result));
    auto const [timer_ec] = std::get<1>(result);
    error_code const ec = timer_ec ? error_code(asio::error::operation_aborted)
                                   : error_code(asio::error::timed_out);
    co_return std::tuple<error_code, T...>{ec, T{}...};
}

// ---- one connection ---------------------------------------------------------------------

/// How a connection ended: with the client's close frame, or with an error.
struct end_state {
    /// The client's close frame, when it ended that way.
    std::optional<received_frame> close;
    error_code code;
    /// Why, for messages: "the client closed the connection with ...".
    std::string reason;
};

struct connection_state {
    connection_state(tcp::socket socket, std::size_t i)
        : ws(std::move(socket))
        , index(i)
    {}

    websocket::stream<beast::tcp_stream> ws;
    std::size_t index;
    handshake_request request;
    std::deque<received_frame> frames;
    std::deque<std::string> pings;
    std::deque<std::string> pongs;
    std::optional<end_state> end;
    /// Why the peer itself ended the connection (drop, stop, stop_reading, close); empty if it
    /// did not.
    std::string local_end;
    bool reader_running = false;
    bool writing = false;
    asio::cancellation_signal reader_cancel;
    /// Timers of the operations waiting for news; cancelling one wakes its operation.
    std::vector<asio::steady_timer*> waiters;

    std::string name() const { return "connection " + std::to_string(index); }

    void notify()
    {
        for (auto* t : waiters)
            t->cancel();
    }

    // The reader's end (or the end of a connection that has no reader).
    void finish(error_code ec)
    {
        if (end)
            return;
        end_state e;
        if (!local_end.empty()) {
            e.code = asio::error::not_connected;
            e.reason = local_end;
        } else if (ec == websocket::error::closed) {
            received_frame f;
            f.kind = frame_kind::close;
            f.close_code = ws.reason().code;
            f.payload = std::string(ws.reason().reason.data(), ws.reason().reason.size());
            e.code = ec;
            e.reason = "the client closed the connection with " + describe(f);
            e.close = std::move(f);
        } else {
            e.code = ec;
            e.reason = "the connection ended without a close frame (" + ec.message() + ")";
        }
        end = std::move(e);
        notify();
    }

    // Closes the socket beneath Beast (no close frame).
    void shut(std::string why, drop_mode mode) noexcept
    {
        if (local_end.empty())
            local_end = std::move(why);
        auto& socket = beast::get_lowest_layer(ws).socket();
        error_code ignored;
        if (mode == drop_mode::reset && socket.is_open())
            socket.set_option(tcp::socket::linger(true, 0), ignored);
        socket.close(ignored);
        if (!reader_running)
            finish(asio::error::operation_aborted);
        notify();
    }
};

using connection_ptr = std::shared_ptr<connection_state>;

/// Removes a waiter when its operation resumes or its frame is destroyed.
struct waiter_guard {
    connection_ptr c;
    asio::steady_timer* timer;
    ~waiter_guard() { std::erase(c->waiters, timer); }
};

/// Waits until the reader has news, `deadline` passes (timed_out), or the caller cancels
/// (operation_aborted).
asio::awaitable<error_code> wait_for_news(connection_ptr c, time_point deadline)
{
    asio::steady_timer timer(c->ws.get_executor(), deadline);
    c->waiters.push_back(&timer);
    waiter_guard const guard{c, &timer};
    // Suspends until notify() cancels the timer or the deadline passes.
    auto const [ec] = co_await timer.async_wait(use_tuple);
    if (!ec)
        co_return asio::error::timed_out;
    auto const state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none)
        co_return asio::error::operation_aborted;
    co_return error_code{};
}

/// Reads the client's messages into the queue until the connection ends.
asio::awaitable<void> read_loop(connection_ptr c)
{
    beast::flat_buffer buffer;
    for (;;) {
        // Suspends until a whole message arrives; Beast answers pings (and records them
        // through the control callback) meanwhile.
        auto const [ec, n] = co_await c->ws.async_read(buffer, use_tuple);
        if (ec) {
            c->finish(ec);
            co_return;
        }
        received_frame f;
        f.kind = c->ws.got_text() ? frame_kind::text : frame_kind::binary;
        f.payload = beast::buffers_to_string(buffer.data());
        buffer.consume(n);
        c->frames.push_back(std::move(f));
        c->notify();
    }
}

void start_reader(connection_ptr const& c)
{
    c->reader_running = true;
    asio::co_spawn(
        c->ws.get_executor(),
        read_loop(c),
        asio::bind_cancellation_slot(c->reader_cancel.slot(), [c](std::exception_ptr e) {
            c->reader_running = false;
            if (e) {
                std::string what = "unknown exception";
                try {
                    std::rethrow_exception(e);
                } catch (std::exception const& ex) {
                    what = ex.what();
                } catch (...) {
                }
                if (!c->end) {
                    c->end = end_state{
                        std::nullopt,
                        asio::error::not_connected,
                        "the reader task failed: " + what};
                }
            }
            c->finish(asio::error::operation_aborted);
            c->notify();
        }));
}

bool offers_warp0(std::string_view list)
{
    while (!list.empty()) {
        auto const comma = list.find(',');
        auto token = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
            token.remove_prefix(1);
        while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
            token.remove_suffix(1);
        if (token == "warp0")
            return true;
    }
    return false;
}

void record(handshake_request& out, http::request<http::string_body> const& req)
{
    out.target = std::string(req.target());
    out.host = std::string(req[http::field::host]);
    for (auto const& field : req) {
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        if (field.name() == http::field::sec_websocket_protocol) {
            if (!out.subprotocols.empty())
                out.subprotocols += ", ";
            out.subprotocols += std::string(field.value());
        }
    }
    out.offered_warp0 = offers_warp0(out.subprotocols);
}

}  // namespace

// ---- the peer -------------------------------------------------------------------------------

struct scripted_peer::impl {
    impl(asio::io_context& io, peer_options o)
        : ioc(io)
        , opts(std::move(o))
        , acceptor(io)
    {
        tcp::endpoint const endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen();
        port = acceptor.local_endpoint().port();
    }

    asio::io_context& ioc;
    peer_options opts;
    tcp::acceptor acceptor;
    std::uint16_t port = 0;
    std::vector<connection_ptr> conns;
    std::size_t current = 0;
    bool stopped = false;

    using self_ptr = std::shared_ptr<impl>;

    connection_ptr current_connection() const
    {
        return current < conns.size() ? conns[current] : nullptr;
    }

    peer_error no_connection(char const* op) const
    {
        return make_error(
            asio::error::not_connected,
            std::string(op) + ": no connection (call accept() first)");
    }

    // The error of an operation on a connection that has ended.
    static peer_error ended(connection_state const& c, std::string_view op)
    {
        return make_error(c.end->code, c.name() + ": " + std::string(op) + ": " + c.end->reason);
    }

    // ---- accepting ----

    static asio::awaitable<peer_result<connection_ptr>> accept_tcp(
        self_ptr self,
        time_point deadline)
    {
        peer_result<connection_ptr> out;
        if (self->stopped) {
            out.error = make_error(asio::error::not_connected, "accept: the peer is stopped");
            co_return out;
        }
        tcp::socket socket(self->ioc);
        // Suspends until a client connects (it may already wait in the backlog).
        auto const [ec] = co_await with_deadline(
            self->acceptor.async_accept(socket, use_tuple),
            deadline);
        if (ec) {
            auto const what = ec == asio::error::timed_out
                                  ? "timed out after " + ms(self->opts.timeout) +
                                        " waiting for a client to connect"
                                  : ec.message();
            out.error = make_error(ec, "accept: " + what);
            co_return out;
        }
        out.value = std::make_shared<connection_state>(std::move(socket), self->conns.size());
        self->conns.push_back(out.value);
        self->current = out.value->index;
        co_return out;
    }

    static asio::awaitable<peer_error> read_request(
        connection_ptr c,
        http::request<http::string_body>& req,
        time_point deadline,
        duration timeout)
    {
        beast::flat_buffer buffer;
        // Suspends until the client's HTTP upgrade request has been read.
        auto const [ec, n] = co_await with_deadline(
            http::async_read(c->ws.next_layer(), buffer, req, use_tuple),
            deadline);
        (void)n;
        if (ec) {
            auto const what = ec == asio::error::timed_out
                                  ? "timed out after " + ms(timeout) +
                                        " waiting for the upgrade request"
                                  : "reading the upgrade request: " + ec.message();
            co_return make_error(ec, c->name() + ": accept: " + what);
        }
        record(c->request, req);
        co_return peer_error{};
    }

    static asio::awaitable<peer_result<std::size_t>> try_accept(self_ptr self)
    {
        auto const timeout = self->opts.timeout;
        auto const deadline = steady_clock::now() + timeout;
        auto accepted = co_await accept_tcp(self, deadline);
        peer_result<std::size_t> out;
        if (accepted.error) {
            out.error = std::move(accepted.error);
            co_return out;
        }
        auto c = std::move(accepted.value);
        out.value = c->index;

        http::request<http::string_body> req;
        out.error = co_await read_request(c, req, deadline, timeout);
        if (!out.error && !websocket::is_upgrade(req)) {
            out.error = make_error(
                asio::error::invalid_argument,
                c->name() + ": accept: not a WebSocket upgrade request: " +
                    std::string(req.method_string()) + " " + std::string(req.target()));
        }
        if (out.error) {
            c->shut("the handshake failed", drop_mode::fin);
            co_return out;
        }

        bool const echo = c->request.offered_warp0 && self->opts.echo_subprotocol;
        c->request.echoed_warp0 = echo;
        c->ws.set_option(websocket::stream_base::decorator([echo](websocket::response_type& res) {
            res.set(http::field::server, "swim-cpp scripted_peer");
            if (echo)
                res.set(http::field::sec_websocket_protocol, "warp0");
        }));
        // One message, one frame: what the test sends is what the client gets.
        c->ws.auto_fragment(false);
        c->ws.control_callback(
            [raw = c.get()](websocket::frame_type kind, beast::string_view payload) {
                std::string p(payload.data(), payload.size());
                if (kind == websocket::frame_type::ping)
                    raw->pings.push_back(std::move(p));
                else if (kind == websocket::frame_type::pong)
                    raw->pongs.push_back(std::move(p));
                raw->notify();
            });
        // Suspends until the handshake response has been written.
        auto const [ec] = co_await with_deadline(c->ws.async_accept(req, use_tuple), deadline);
        if (ec) {
            auto const what = ec == asio::error::timed_out
                                  ? "timed out after " + ms(timeout) + " in the WebSocket handshake"
                                  : "WebSocket handshake: " + ec.message();
            out.error = make_error(ec, c->name() + ": accept: " + what);
            c->shut("the handshake failed", drop_mode::fin);
            co_return out;
        }
        start_reader(c);
        co_return out;
    }

    static asio::awaitable<peer_result<std::size_t>> try_reject(self_ptr self, unsigned status)
    {
        auto const timeout = self->opts.timeout;
        auto const deadline = steady_clock::now() + timeout;
        auto accepted = co_await accept_tcp(self, deadline);
        peer_result<std::size_t> out;
        if (accepted.error) {
            out.error = std::move(accepted.error);
            co_return out;
        }
        auto c = std::move(accepted.value);
        out.value = c->index;
        http::request<http::string_body> req;
        out.error = co_await read_request(c, req, deadline, timeout);
        if (!out.error) {
            http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
            res.set(http::field::server, "swim-cpp scripted_peer");
            res.set(http::field::content_type, "text/plain");
            res.keep_alive(false);
            res.body() = "rejected by scripted_peer\n";
            res.prepare_payload();
            // Suspends until the response has been written.
            auto const [ec, n] = co_await with_deadline(
                http::async_write(c->ws.next_layer(), res, use_tuple),
                deadline);
            (void)n;
            if (ec)
                out.error = make_error(
                    ec,
                    c->name() + ": reject: writing the response: " + ec.message());
        }
        c->shut(
            "the peer rejected the handshake with HTTP " + std::to_string(status),
            drop_mode::fin);
        co_return out;
    }

    static asio::awaitable<std::size_t> accept(self_ptr self, location loc)
    {
        auto const r = co_await try_accept(self);
        if (r.error)
            fail(r.error, loc);
        co_return r.value;
    }

    static asio::awaitable<std::size_t> reject(self_ptr self, unsigned status, location loc)
    {
        auto const r = co_await try_reject(self, status);
        if (r.error)
            fail(r.error, loc);
        co_return r.value;
    }

    // ---- receiving ----

    /// Waits until `ready(c)` holds, the connection ends, or the deadline passes.
    /// `timeout` and `waiting_for` are for the message.
    template <class Ready>
    static asio::awaitable<peer_error> wait_until(
        connection_ptr c,
        Ready ready,
        std::string op,
        duration timeout,
        std::string waiting_for)
    {
        auto const deadline = steady_clock::now() + timeout;
        for (;;) {
            if (ready(*c))
                co_return peer_error{};
            if (c->end)
                co_return ended(*c, op);
            // Suspends until the reader has news or the deadline passes.
            auto const ec = co_await wait_for_news(c, deadline);
            if (ec == asio::error::timed_out) {
                co_return make_error(
                    ec,
                    c->name() + ": " + op + ": timed out after " + ms(timeout) + " waiting for " +
                        waiting_for);
            }
            if (ec)
                co_return make_error(ec, c->name() + ": " + op + ": cancelled");
        }
    }

    static asio::awaitable<peer_result<received_frame>> try_receive(self_ptr self, duration timeout)
    {
        peer_result<received_frame> out;
        auto c = self->current_connection();
        if (!c) {
            out.error = self->no_connection("receive");
            co_return out;
        }
        out.error = co_await wait_until(
            c,
            [](connection_state const& s) { return !s.frames.empty(); },
            "receive",
            timeout,
            "a frame");
        if (!c->frames.empty()) {
            out.error = {};
            out.value = std::move(c->frames.front());
            c->frames.pop_front();
        } else if (c->end && c->end->close) {
            // The client's close is a frame too (and stays the last one).
            out.error = {};
            out.value = *c->end->close;
        }
        co_return out;
    }

    static asio::awaitable<std::string> receive(self_ptr self, location loc)
    {
        auto r = co_await try_receive(self, self->opts.timeout);
        if (r.error)
            fail(r.error, loc);
        if (r.value.kind != frame_kind::text) {
            fail(
                make_error(
                    asio::error::invalid_argument,
                    self->current_connection()->name() + ": receive: expected a text frame, got " +
                        describe(r.value)),
                loc);
        }
        co_return std::move(r.value.payload);
    }

    // A text frame for expect(), or a fatal failure that mentions what was expected.
    static asio::awaitable<std::string> receive_for(
        self_ptr self,
        char const* op,
        std::string const& expected,
        location loc)
    {
        auto r = co_await try_receive(self, self->opts.timeout);
        if (r.error) {
            r.error.message += "; " + std::string(op) + ": " + show(expected).text;
            fail(r.error, loc);
        }
        if (r.value.kind != frame_kind::text) {
            fail(
                make_error(
                    asio::error::invalid_argument,
                    self->current_connection()->name() + ": " + op + ": got " + describe(r.value) +
                        "; expected: " + show(expected).text),
                loc);
        }
        co_return std::move(r.value.payload);
    }

    static asio::awaitable<void> expect(self_ptr self, std::string expected, location loc)
    {
        auto const actual = co_await receive_for(self, "expected", expected, loc);
        auto const name = self->current_connection()->name();
        if (actual != expected) {
            report(
                "scripted_peer " + name + ": expect: the client sent another frame" +
                    diff(expected, actual),
                loc);
        } else {
            pass("scripted_peer " + name + ": expect(" + show(expected).text + ")", loc);
        }
    }

    static asio::awaitable<void> expect_envelope(self_ptr self, std::string expected, location loc)
    {
        warp::envelope want;
        auto const bad_expectation = warp::parse_envelope(expected, want);
        if (bad_expectation) {
            fail(
                make_error(
                    asio::error::invalid_argument,
                    "expect_envelope: the expected frame is not an envelope (" +
                        bad_expectation.message() + "): " + show(expected).text),
                loc);
        }
        auto const actual = co_await receive_for(self, "expected envelope", expected, loc);
        auto const name = self->current_connection()->name();
        warp::envelope got;
        auto const bad_frame = warp::parse_envelope(actual, got);
        if (bad_frame) {
            report(
                "scripted_peer " + name +
                    ": expect_envelope: the client sent a frame that is not an envelope (" +
                    bad_frame.message() + ")\n    expected: " + show(expected).text +
                    "\n    actual:   " + show(actual).text,
                loc);
            co_return;
        }
        if (!(want == got)) {
            auto const want_text = warp::to_string(want);
            auto const got_text = warp::to_string(got);
            report(
                "scripted_peer " + name + ": expect_envelope: the client sent another envelope (" +
                    envelope_fields_diff(want, got) + " differ)" + diff(want_text, got_text) +
                    "\n    as sent:  " + show(actual).text,
                loc);
        } else {
            pass("scripted_peer " + name + ": expect_envelope(" + show(expected).text + ")", loc);
        }
    }

    static asio::awaitable<void> expect_silence(self_ptr self, duration d, location loc)
    {
        auto const r = co_await try_receive(self, d);
        if (r.error.code == asio::error::timed_out) {
            pass("scripted_peer expect_silence(" + ms(d) + ")", loc);
            co_return;
        }
        if (r.error.code == asio::error::operation_aborted)
            fail(r.error, loc);
        auto const name = self->current_connection() ? self->current_connection()->name()
                                                     : std::string("no connection");
        if (r.error) {
            report(r.error.message + " (during expect_silence(" + ms(d) + "))", loc);
        } else {
            report(
                "scripted_peer " + name + ": expect_silence(" + ms(d) + "): the client sent " +
                    describe(r.value),
                loc);
        }
    }

    static asio::awaitable<std::string> expect_close(
        self_ptr self,
        std::uint16_t code,
        location loc)
    {
        auto r = co_await try_receive(self, self->opts.timeout);
        if (r.error) {
            r.error.message += "; expected the client's close frame";
            fail(r.error, loc);
        }
        auto const name = self->current_connection()->name();
        if (r.value.kind != frame_kind::close) {
            fail(
                make_error(
                    asio::error::invalid_argument,
                    name + ": expect_close: expected the client's close frame, got " +
                        describe(r.value)),
                loc);
        }
        if (code == 0 || r.value.close_code == code) {
            pass("scripted_peer " + name + ": expect_close(" + std::to_string(code) + ")", loc);
        } else {
            report(
                "scripted_peer " + name + ": expect_close: expected close code " +
                    std::to_string(code) + ", got " + describe(r.value),
                loc);
        }
        co_return std::move(r.value.payload);
    }

    static asio::awaitable<void> expect_disconnect(self_ptr self, location loc)
    {
        auto const c = self->current_connection();
        if (!c)
            fail(self->no_connection("expect_disconnect"), loc);
        auto const err = co_await wait_until(
            c,
            [](connection_state& s) {
                s.frames.clear();
                return false;
            },
            "expect_disconnect",
            self->opts.timeout,
            "the connection to end");
        if (err.code == asio::error::timed_out || err.code == asio::error::operation_aborted)
            fail(err, loc);
        pass("scripted_peer " + c->name() + ": expect_disconnect (" + c->end->reason + ")", loc);
    }

    static asio::awaitable<peer_result<std::string>> try_receive_control(
        self_ptr self,
        std::deque<std::string> connection_state::*queue,
        char const* what)
    {
        peer_result<std::string> out;
        auto c = self->current_connection();
        if (!c) {
            out.error = self->no_connection(what);
            co_return out;
        }
        out.error = co_await wait_until(
            c,
            [queue](connection_state const& s) { return !(s.*queue).empty(); },
            what,
            self->opts.timeout,
            queue == &connection_state::pings ? "a ping" : "a pong");
        if (!(c.get()->*queue).empty()) {
            out.error = {};
            out.value = std::move((c.get()->*queue).front());
            (c.get()->*queue).pop_front();
        }
        co_return out;
    }

    static asio::awaitable<std::string> receive_control(
        self_ptr self,
        std::deque<std::string> connection_state::*queue,
        char const* what,
        location loc)
    {
        auto r = co_await try_receive_control(self, queue, what);
        if (r.error)
            fail(r.error, loc);
        co_return std::move(r.value);
    }

    // ---- sending ----

    enum class write_kind {
        text,
        binary,
        ping,
        close,
        raw
    };

    static asio::awaitable<peer_error> try_write(
        self_ptr self,
        write_kind kind,
        std::string data,
        std::uint16_t code)
    {
        static constexpr char const* names[] =
            {"send", "send_binary", "send_ping", "close", "send_raw"};
        auto const* op = names[static_cast<int>(kind)];
        auto c = self->current_connection();
        if (!c)
            co_return self->no_connection(op);
        if (c->end || !c->local_end.empty()) {
            if (!c->end)
                c->finish(asio::error::not_connected);
            co_return ended(*c, op);
        }
        if (c->writing) {
            co_return make_error(
                asio::error::in_progress,
                c->name() + ": " + op + ": another send, ping or close is still in progress");
        }
        if ((kind == write_kind::ping && data.size() > 125) ||
            (kind == write_kind::close && data.size() > 123)) {
            co_return make_error(
                asio::error::invalid_argument,
                c->name() + ": " + op + ": payload too long for a control frame");
        }
        auto const timeout = self->opts.timeout;
        auto const deadline = steady_clock::now() + timeout;
        c->writing = true;
        error_code ec;
        switch (kind) {
            case write_kind::text:
            case write_kind::binary: {
                c->ws.binary(kind == write_kind::binary);
                // Suspends until the frame has been handed to the socket.
                auto const [write_ec, n] = co_await with_deadline(
                    c->ws.async_write(asio::buffer(data), use_tuple),
                    deadline);
                (void)n;
                ec = write_ec;
                break;
            }
            case write_kind::raw: {
                // Past Beast: bytes on the TCP socket as they are.
                auto const [raw_ec, n] = co_await with_deadline(
                    asio::async_write(c->ws.next_layer(), asio::buffer(data), use_tuple),
                    deadline);
                (void)n;
                ec = raw_ec;
                break;
            }
            case write_kind::ping: {
                // Suspends until the ping has been written.
                auto const [ping_ec] = co_await with_deadline(
                    c->ws.async_ping(websocket::ping_data(data.data(), data.size()), use_tuple),
                    deadline);
                ec = ping_ec;
                break;
            }
            case write_kind::close: {
                c->local_end = "the peer closed it with close(" + std::to_string(code) + ")";
                // Suspends until the client has answered the close frame and the TCP connection
                // has been torn down.
                auto const [close_ec] = co_await with_deadline(
                    c->ws.async_close(
                        websocket::close_reason(static_cast<websocket::close_code>(code), data),
                        use_tuple),
                    deadline);
                ec = close_ec;
                break;
            }
        }
        c->writing = false;
        if (!ec)
            co_return peer_error{};
        if (ec == asio::error::timed_out) {
            co_return make_error(
                ec,
                c->name() + ": " + op + ": timed out after " + ms(timeout) +
                    (kind == write_kind::close ? " waiting for the client's close frame"
                                               : " (the client does not read?)"));
        }
        if (c->end && ec == asio::error::operation_aborted && !c->local_end.empty())
            co_return ended(*c, op);
        co_return make_error(ec, c->name() + ": " + op + ": " + ec.message());
    }

    static asio::awaitable<void> write(
        self_ptr self,
        write_kind kind,
        std::string data,
        std::uint16_t code,
        location loc)
    {
        auto const err = co_await try_write(self, kind, std::move(data), code);
        if (err)
            fail(err, loc);
    }
};

scripted_peer::scripted_peer(asio::io_context& ioc, peer_options opts)
    : impl_(std::make_shared<impl>(ioc, std::move(opts)))
{}

scripted_peer::~scripted_peer()
{
    stop();
}

std::uint16_t scripted_peer::port() const noexcept
{
    return impl_->port;
}

std::string scripted_peer::url() const
{
    return "ws://127.0.0.1:" + std::to_string(impl_->port);
}

peer_options& scripted_peer::options() noexcept
{
    return impl_->opts;
}

asio::awaitable<std::size_t> scripted_peer::accept(location loc)
{
    return impl::accept(impl_, loc);
}

asio::awaitable<peer_result<std::size_t>> scripted_peer::try_accept()
{
    return impl::try_accept(impl_);
}

asio::awaitable<std::size_t> scripted_peer::reject(unsigned status, location loc)
{
    return impl::reject(impl_, status, loc);
}

asio::awaitable<peer_result<std::size_t>> scripted_peer::try_reject(unsigned status)
{
    return impl::try_reject(impl_, status);
}

std::size_t scripted_peer::connections() const noexcept
{
    return impl_->conns.size();
}

std::size_t scripted_peer::connection() const noexcept
{
    return impl_->conns.empty() ? 0 : impl_->current;
}

void scripted_peer::select(std::size_t index)
{
    if (index >= impl_->conns.size()) {
        throw std::out_of_range(
            "scripted_peer::select(" + std::to_string(index) + "): only " +
            std::to_string(impl_->conns.size()) + " connections");
    }
    impl_->current = index;
}

handshake_request const& scripted_peer::request() const
{
    return request(impl_->current);
}

handshake_request const& scripted_peer::request(std::size_t index) const
{
    if (index >= impl_->conns.size()) {
        throw std::out_of_range(
            "scripted_peer::request(" + std::to_string(index) + "): only " +
            std::to_string(impl_->conns.size()) + " connections");
    }
    return impl_->conns[index]->request;
}

asio::awaitable<std::string> scripted_peer::receive(location loc)
{
    return impl::receive(impl_, loc);
}

asio::awaitable<peer_result<received_frame>> scripted_peer::try_receive()
{
    return impl::try_receive(impl_, impl_->opts.timeout);
}

asio::awaitable<peer_result<received_frame>> scripted_peer::try_receive(duration timeout)
{
    return impl::try_receive(impl_, timeout);
}

asio::awaitable<void> scripted_peer::expect(std::string frame, location loc)
{
    return impl::expect(impl_, std::move(frame), loc);
}

asio::awaitable<void> scripted_peer::expect_envelope(std::string frame, location loc)
{
    return impl::expect_envelope(impl_, std::move(frame), loc);
}

asio::awaitable<void> scripted_peer::expect_silence(duration d, location loc)
{
    return impl::expect_silence(impl_, d, loc);
}

asio::awaitable<std::string> scripted_peer::expect_close(std::uint16_t code, location loc)
{
    return impl::expect_close(impl_, code, loc);
}

asio::awaitable<void> scripted_peer::expect_disconnect(location loc)
{
    return impl::expect_disconnect(impl_, loc);
}

asio::awaitable<std::string> scripted_peer::receive_ping(location loc)
{
    return impl::receive_control(impl_, &connection_state::pings, "receive_ping", loc);
}

asio::awaitable<peer_result<std::string>> scripted_peer::try_receive_ping()
{
    return impl::try_receive_control(impl_, &connection_state::pings, "receive_ping");
}

asio::awaitable<std::string> scripted_peer::receive_pong(location loc)
{
    return impl::receive_control(impl_, &connection_state::pongs, "receive_pong", loc);
}

asio::awaitable<peer_result<std::string>> scripted_peer::try_receive_pong()
{
    return impl::try_receive_control(impl_, &connection_state::pongs, "receive_pong");
}

asio::awaitable<void> scripted_peer::send(std::string frame, location loc)
{
    return impl::write(impl_, impl::write_kind::text, std::move(frame), 0, loc);
}

asio::awaitable<peer_error> scripted_peer::try_send(std::string frame)
{
    return impl::try_write(impl_, impl::write_kind::text, std::move(frame), 0);
}

asio::awaitable<void> scripted_peer::send_binary(std::string bytes, location loc)
{
    return impl::write(impl_, impl::write_kind::binary, std::move(bytes), 0, loc);
}

asio::awaitable<peer_error> scripted_peer::try_send_binary(std::string bytes)
{
    return impl::try_write(impl_, impl::write_kind::binary, std::move(bytes), 0);
}

asio::awaitable<void> scripted_peer::send_raw(std::string bytes, location loc)
{
    return impl::write(impl_, impl::write_kind::raw, std::move(bytes), 0, loc);
}

asio::awaitable<void> scripted_peer::send_ping(std::string payload, location loc)
{
    return impl::write(impl_, impl::write_kind::ping, std::move(payload), 0, loc);
}

asio::awaitable<void> scripted_peer::close(std::uint16_t code, std::string reason, location loc)
{
    return impl::write(impl_, impl::write_kind::close, std::move(reason), code, loc);
}

asio::awaitable<peer_error> scripted_peer::try_close(std::uint16_t code, std::string reason)
{
    return impl::try_write(impl_, impl::write_kind::close, std::move(reason), code);
}

void scripted_peer::drop(drop_mode mode)
{
    if (auto c = impl_->current_connection())
        c->shut("the peer dropped it (drop())", mode);
}

void scripted_peer::stop_reading()
{
    auto c = impl_->current_connection();
    if (!c || !c->reader_running)
        return;
    if (c->local_end.empty())
        c->local_end = "the peer stopped reading it (stop_reading())";
    // Cancels the pending WebSocket read (terminal): no more frames or pings are read, and
    // the TCP connection stays up.
    c->reader_cancel.emit(asio::cancellation_type::terminal);
}

void scripted_peer::stop() noexcept
{
    if (!impl_ || impl_->stopped)
        return;
    impl_->stopped = true;
    error_code ignored;
    impl_->acceptor.close(ignored);
    for (auto& c : impl_->conns)
        c->shut("the peer was stopped (stop())", drop_mode::fin);
}

// ---- runner ---------------------------------------------------------------------------------

void run_test(
    asio::io_context& ioc,
    std::function<asio::awaitable<void>()> body,
    duration limit,
    location loc)
{
    // The completion handler may outlive this call if the body cannot be cancelled; it then
    // only touches this shared state.
    struct outcome {
        bool done = false;
        std::exception_ptr error;
    };
    auto result = std::make_shared<outcome>();
    asio::cancellation_signal cancel;
    asio::co_spawn(
        ioc,
        body(),
        asio::bind_cancellation_slot(cancel.slot(), [result](std::exception_ptr e) {
            result->done = true;
            result->error = std::move(e);
        }));

    ioc.restart();
    auto const deadline = steady_clock::now() + limit;
    while (!result->done && ioc.run_one_until(deadline) != 0) {
    }
    if (!result->done) {
        if (ioc.stopped()) {
            report(
                "run_test: the test body is suspended but the io_context has no work left (it "
                "waits for something nothing will complete)",
                loc);
        } else {
            report("run_test: the test body did not finish within " + ms(limit), loc);
        }
        // Cancels the body and lets it unwind, so it does not outlive the test case.
        cancel.emit(asio::cancellation_type::terminal);
        ioc.restart();
        auto const grace = steady_clock::now() + std::chrono::seconds(2);
        while (!result->done && ioc.run_one_until(grace) != 0) {
        }
        if (!result->done)
            report("run_test: the test body did not finish after being cancelled", loc);
        throw boost::execution_aborted();
    }
    if (result->error)
        std::rethrow_exception(result->error);

    // Everything the body started must have finished: no leaked coroutine, timer or socket.
    auto const drain = std::min<duration>(limit, std::chrono::seconds(5));
    ioc.run_for(drain);
    if (!ioc.stopped()) {
        report(
            "run_test: the io_context still has work " + ms(drain) +
                " after the test body finished (a coroutine, timer or socket operation was left "
                "running: stop the client and the peer at the end of the body)",
            loc);
        ioc.stop();
    }
}

void peer_fixture::run(std::function<asio::awaitable<void>()> body, duration limit, location loc)
{
    run_test(
        ioc,
        [this, b = std::move(body)]() -> asio::awaitable<void> {
            co_await b();
            peer.stop();
        },
        limit,
        loc);
}

}  // namespace swim::test
