// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The scripted WebSocket client: a Beast WebSocket client driven by the test's coroutine. One
// reader task reads the server's frames into a queue (so a timeout never cancels a WebSocket
// read); the test's operations wait on that queue, or do their own writes, each bounded by a
// deadline. The reader can be paused to play a client that does not read.

#include "common/scripted_client.hpp"

#include <swim/warp/envelope.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/execution_monitor.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <exception>
#include <string_view>
#include <tuple>

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

// ---- reporting (as scripted_peer) -------------------------------------------------------------

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

[[noreturn]] void fail(peer_error const& e, location const& loc)
{
    if (e.code == asio::error::operation_aborted)
        throw boost::system::system_error(e.code, e.message);
    report(e.message, loc);
    throw boost::execution_aborted();
}

peer_error make_error(error_code code, std::string message)
{
    return peer_error{code, "scripted_client " + std::move(message)};
}

// Frame text for messages: control bytes escaped, long frames cut.
std::string show(std::string_view s)
{
    constexpr std::size_t max = 240;
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < max; ++i) {
        auto const ch = static_cast<unsigned char>(s[i]);
        if (ch < 0x20 || ch == 0x7f) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[ch >> 4];
            out += hex[ch & 0xf];
        } else {
            out += static_cast<char>(ch);
        }
    }
    if (s.size() > max)
        out += "... (" + std::to_string(s.size()) + " bytes)";
    return out;
}

std::string describe(received_frame const& f)
{
    switch (f.kind) {
        case frame_kind::text: return "a text frame: " + show(f.payload);
        case frame_kind::binary:
            return "a binary frame of " + std::to_string(f.payload.size()) + " bytes";
        case frame_kind::close:
            return "the server's close frame (code " + std::to_string(f.close_code) +
                   ", reason \"" + show(f.payload) + "\")";
    }
    return "a frame";
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

// Runs `op` against a timer: timed_out when the deadline comes first (the op is then
// cancelled, terminal), operation_aborted when the caller cancels.
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

std::atomic<int> client_count{0};

}  // namespace

// ---- the client ---------------------------------------------------------------------------

struct scripted_client::impl {
    impl(asio::io_context& io, client_options o)
        : ioc(io)
        , opts(std::move(o))
        , ws(io)
        , resume(io, time_point::max())
        , name("client " + std::to_string(client_count++))
    {}

    asio::io_context& ioc;
    client_options opts;
    websocket::stream<beast::tcp_stream> ws;
    /// Never expires: cancel() wakes a paused reader.
    asio::steady_timer resume;
    std::string name;
    handshake_response response;
    bool connecting = false;
    bool is_connected = false;
    bool reader_running = false;
    bool paused = false;
    bool writing = false;
    std::size_t read_count = 0;
    std::deque<received_frame> frames;
    /// How the connection ended: the server's close frame, or why not.
    struct end_state {
        std::optional<received_frame> close;
        error_code code;
        std::string reason;
    };
    std::optional<end_state> end;
    /// Why the client itself ended the connection (close, stop); empty if it did not.
    std::string local_end;
    std::vector<asio::steady_timer*> waiters;

    using self_ptr = std::shared_ptr<impl>;

    void notify()
    {
        for (auto* t : waiters)
            t->cancel();
    }

    void finish(error_code ec)
    {
        if (end)
            return;
        end_state e;
        // Beast keeps the close frame it read in reason() (code none if it read none). The
        // closing handshake may still end with an error: Beast's async teardown stops reading
        // after one read, so its side may close early and reset the other (ENOTCONN).
        if (ec == websocket::error::closed || ws.reason().code != websocket::close_code::none) {
            received_frame f;
            f.kind = frame_kind::close;
            f.close_code = ws.reason().code;
            f.payload = std::string(ws.reason().reason.data(), ws.reason().reason.size());
            e.code = ec;
            e.reason = "the server closed the connection with " + describe(f);
            if (ec != websocket::error::closed)
                e.reason += " (then: " + ec.message() + ")";
            e.close = std::move(f);
        } else if (!local_end.empty()) {
            e.code = asio::error::not_connected;
            e.reason = local_end;
        } else {
            e.code = ec;
            e.reason = "the connection ended without a close frame (" + ec.message() + ")";
        }
        end = std::move(e);
        is_connected = false;
        notify();
    }

    void shut(std::string why) noexcept
    {
        if (local_end.empty())
            local_end = std::move(why);
        auto& socket = beast::get_lowest_layer(ws).socket();
        error_code ignored;
        socket.close(ignored);
        paused = false;
        resume.cancel();
        if (!reader_running && is_connected)
            finish(asio::error::operation_aborted);
        is_connected = false;
        notify();
    }

    struct waiter_guard {
        impl* self;
        asio::steady_timer* timer;
        ~waiter_guard() { std::erase(self->waiters, timer); }
    };

    static asio::awaitable<error_code> wait_for_news(self_ptr self, time_point deadline)
    {
        asio::steady_timer timer(self->ioc, deadline);
        self->waiters.push_back(&timer);
        waiter_guard const guard{self.get(), &timer};
        // Suspends until notify() cancels the timer or the deadline passes.
        auto const [ec] = co_await timer.async_wait(use_tuple);
        if (!ec)
            co_return asio::error::timed_out;
        auto const state = co_await asio::this_coro::cancellation_state;
        if (state.cancelled() != asio::cancellation_type::none)
            co_return asio::error::operation_aborted;
        co_return error_code{};
    }

    static asio::awaitable<void> read_loop(self_ptr self)
    {
        beast::flat_buffer buffer;
        for (;;) {
            while (self->paused && self->local_end.empty()) {
                // Suspends until resume_reading() or stop() cancels the timer.
                auto const [ignored] = co_await self->resume.async_wait(use_tuple);
                (void)ignored;
            }
            // Suspends until a whole message arrives (Beast answers pings meanwhile).
            auto const [ec, n] = co_await self->ws.async_read(buffer, use_tuple);
            if (ec) {
                self->finish(ec);
                co_return;
            }
            received_frame f;
            f.kind = self->ws.got_text() ? frame_kind::text : frame_kind::binary;
            f.payload = beast::buffers_to_string(buffer.data());
            buffer.consume(n);
            ++self->read_count;
            self->frames.push_back(std::move(f));
            self->notify();
        }
    }

    static void start_reader(self_ptr const& self)
    {
        self->reader_running = true;
        asio::co_spawn(self->ioc, read_loop(self), [self](std::exception_ptr e) {
            self->reader_running = false;
            if (e && !self->end) {
                std::string what = "unknown exception";
                try {
                    std::rethrow_exception(e);
                } catch (std::exception const& ex) {
                    what = ex.what();
                } catch (...) {
                }
                self->end = end_state{
                    std::nullopt,
                    asio::error::not_connected,
                    "the reader failed: " + what};
            }
            self->finish(asio::error::operation_aborted);
            self->is_connected = false;
            self->notify();
        });
    }

    // ---- connecting ----

    static asio::awaitable<peer_error> try_connect(self_ptr self, std::uint16_t port)
    {
        if (self->connecting || self->is_connected || self->end || !self->local_end.empty())
            co_return make_error(
                asio::error::already_connected,
                self->name + ": connect: a scripted_client connects once");
        self->connecting = true;
        auto const timeout = self->opts.timeout;
        auto const deadline = steady_clock::now() + timeout;
        tcp::endpoint const endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
        auto& socket = beast::get_lowest_layer(self->ws).socket();
        error_code ec;
        socket.open(endpoint.protocol(), ec);
        if (!ec && self->opts.receive_buffer > 0)
            socket.set_option(
                asio::socket_base::receive_buffer_size(self->opts.receive_buffer),
                ec);
        if (ec) {
            self->connecting = false;
            co_return make_error(ec, self->name + ": connect: socket setup: " + ec.message());
        }
        // Suspends until the TCP connection is made.
        auto const [cec] = co_await with_deadline(
            socket.async_connect(endpoint, use_tuple),
            deadline);
        if (cec) {
            self->connecting = false;
            self->shut("the connection failed");
            co_return make_error(
                cec,
                self->name + ": connect to port " + std::to_string(port) + ": " +
                    (cec == asio::error::timed_out ? "timed out after " + ms(timeout)
                                                   : cec.message()));
        }
        std::string offers;
        for (auto const& p : self->opts.subprotocols) {
            if (!offers.empty())
                offers += ", ";
            offers += p;
        }
        self->ws.set_option(
            websocket::stream_base::decorator([offers](websocket::request_type& req) {
                req.set(http::field::user_agent, "swim-cpp scripted_client");
                if (!offers.empty())
                    req.set(http::field::sec_websocket_protocol, offers);
            }));
        // One message, one frame: what the test sends is what the server gets.
        self->ws.auto_fragment(false);
        websocket::response_type res;
        std::string const host = "127.0.0.1:" + std::to_string(port);
        // Suspends until the handshake response has been read.
        auto const [hec] = co_await with_deadline(
            self->ws.async_handshake(res, host, self->opts.target, use_tuple),
            deadline);
        self->connecting = false;
        self->response.status = res.result_int();
        self->response.body = res.body();
        self->response.headers.clear();
        for (auto const& field : res)
            self->response.headers.emplace_back(
                std::string(field.name_string()),
                std::string(field.value()));
        if (auto it = res.find(http::field::sec_websocket_protocol); it != res.end())
            self->response.subprotocol = std::string(it->value());
        self->response.echoed_warp0 = self->response.subprotocol == "warp0";
        if (hec) {
            self->shut("the handshake failed");
            co_return make_error(
                hec,
                self->name + ": connect: WebSocket handshake: " +
                    (hec == asio::error::timed_out ? "timed out after " + ms(timeout)
                                                   : hec.message()) +
                    " (HTTP " + std::to_string(self->response.status) + ")");
        }
        self->is_connected = true;
        start_reader(self);
        co_return peer_error{};
    }

    // ---- receiving ----

    template <class Ready>
    static asio::awaitable<peer_error> wait_until(
        self_ptr self,
        Ready ready,
        std::string op,
        duration timeout,
        std::string waiting_for)
    {
        auto const deadline = steady_clock::now() + timeout;
        for (;;) {
            if (ready(*self))
                co_return peer_error{};
            if (self->end)
                co_return make_error(
                    self->end->code,
                    self->name + ": " + op + ": " + self->end->reason);
            if (!self->reader_running && !self->is_connected)
                co_return make_error(
                    asio::error::not_connected,
                    self->name + ": " + op + ": not connected" +
                        (self->local_end.empty() ? std::string(" (call connect() first)")
                                                 : " (" + self->local_end + ")"));
            // Suspends until the reader has news or the deadline passes.
            auto const ec = co_await wait_for_news(self, deadline);
            if (ec == asio::error::timed_out)
                co_return make_error(
                    ec,
                    self->name + ": " + op + ": timed out after " + ms(timeout) + " waiting for " +
                        waiting_for);
            if (ec)
                co_return make_error(ec, self->name + ": " + op + ": cancelled");
        }
    }

    static asio::awaitable<peer_result<received_frame>> try_receive(self_ptr self, duration timeout)
    {
        peer_result<received_frame> out;
        out.error = co_await wait_until(
            self,
            [](impl const& s) { return !s.frames.empty(); },
            "receive",
            timeout,
            "a frame");
        if (!self->frames.empty()) {
            out.error = {};
            out.value = std::move(self->frames.front());
            self->frames.pop_front();
        } else if (self->end && self->end->close) {
            out.error = {};
            out.value = *self->end->close;
        }
        co_return out;
    }

    // `expected` by value: a coroutine outlives the caller's temporaries.
    static asio::awaitable<std::string> receive_text(
        self_ptr self,
        char const* op,
        std::string expected,
        location loc)
    {
        auto r = co_await try_receive(self, self->opts.timeout);
        if (r.error) {
            if (!expected.empty())
                r.error.message += "; " + std::string(op) + ": " + show(expected);
            fail(r.error, loc);
        }
        if (r.value.kind != frame_kind::text) {
            fail(
                make_error(
                    asio::error::invalid_argument,
                    self->name + ": " + op + ": got " + describe(r.value) +
                        (expected.empty() ? std::string() : "; expected: " + show(expected))),
                loc);
        }
        co_return std::move(r.value.payload);
    }

    static asio::awaitable<void> expect(self_ptr self, std::string expected, location loc)
    {
        auto const actual = co_await receive_text(self, "expected", expected, loc);
        if (actual != expected)
            report(
                "scripted_client " + self->name + ": expect: the server sent another frame\n" +
                    "    expected: " + show(expected) + "\n    actual:   " + show(actual),
                loc);
        else
            pass("scripted_client " + self->name + ": expect(" + show(expected) + ")", loc);
    }

    static asio::awaitable<void> expect_envelope(self_ptr self, std::string expected, location loc)
    {
        warp::envelope want;
        if (auto const bad = warp::parse_envelope(expected, want))
            fail(
                make_error(
                    asio::error::invalid_argument,
                    "expect_envelope: the expected frame is not an envelope (" + bad.message() +
                        "): " + show(expected)),
                loc);
        auto const actual = co_await receive_text(self, "expected envelope", expected, loc);
        warp::envelope got;
        if (auto const bad = warp::parse_envelope(actual, got)) {
            report(
                "scripted_client " + self->name +
                    ": expect_envelope: the server sent a frame that is not an envelope (" +
                    bad.message() + ")\n    expected: " + show(expected) +
                    "\n    actual:   " + show(actual),
                loc);
            co_return;
        }
        if (!(want == got)) {
            report(
                "scripted_client " + self->name +
                    ": expect_envelope: the server sent another envelope (" +
                    envelope_fields_diff(want, got) + " differ)\n    expected: " +
                    show(warp::to_string(want)) + "\n    actual:   " + show(warp::to_string(got)) +
                    "\n    as sent:  " + show(actual),
                loc);
        } else {
            pass(
                "scripted_client " + self->name + ": expect_envelope(" + show(expected) + ")",
                loc);
        }
    }

    static asio::awaitable<void> expect_silence(self_ptr self, duration d, location loc)
    {
        auto const r = co_await try_receive(self, d);
        if (r.error.code == asio::error::timed_out) {
            pass("scripted_client " + self->name + ": expect_silence(" + ms(d) + ")", loc);
            co_return;
        }
        if (r.error.code == asio::error::operation_aborted)
            fail(r.error, loc);
        if (r.error)
            report(r.error.message + " (during expect_silence(" + ms(d) + "))", loc);
        else
            report(
                "scripted_client " + self->name + ": expect_silence(" + ms(d) +
                    "): the server sent " + describe(r.value),
                loc);
    }

    static asio::awaitable<std::string> expect_close(
        self_ptr self,
        std::uint16_t code,
        location loc)
    {
        auto r = co_await try_receive(self, self->opts.timeout);
        if (r.error) {
            r.error.message += "; expected the server's close frame";
            fail(r.error, loc);
        }
        if (r.value.kind != frame_kind::close)
            fail(
                make_error(
                    asio::error::invalid_argument,
                    self->name + ": expect_close: expected the server's close frame, got " +
                        describe(r.value)),
                loc);
        if (code == 0 || r.value.close_code == code)
            pass(
                "scripted_client " + self->name + ": expect_close(" + std::to_string(code) + ")",
                loc);
        else
            report(
                "scripted_client " + self->name + ": expect_close: expected close code " +
                    std::to_string(code) + ", got " + describe(r.value),
                loc);
        co_return std::move(r.value.payload);
    }

    static asio::awaitable<void> expect_disconnect(self_ptr self, location loc)
    {
        auto const err = co_await wait_until(
            self,
            [](impl& s) {
                s.frames.clear();
                return false;
            },
            "expect_disconnect",
            self->opts.timeout,
            "the connection to end");
        if (err.code == asio::error::timed_out || err.code == asio::error::operation_aborted ||
            !self->end)
            fail(err, loc);
        pass(
            "scripted_client " + self->name + ": expect_disconnect (" + self->end->reason + ")",
            loc);
    }

    // ---- sending ----

    enum class write_kind {
        text,
        binary,
        close
    };

    static asio::awaitable<peer_error> try_write(
        self_ptr self,
        write_kind kind,
        std::string data,
        std::uint16_t code)
    {
        static constexpr char const* names[] = {"send", "send_binary", "close"};
        auto const* op = names[static_cast<int>(kind)];
        if (self->end)
            co_return make_error(
                self->end->code,
                self->name + ": " + op + ": " + self->end->reason);
        if (!self->is_connected)
            co_return make_error(
                asio::error::not_connected,
                self->name + ": " + op + ": not connected" +
                    (self->local_end.empty() ? std::string() : " (" + self->local_end + ")"));
        if (self->writing)
            co_return make_error(
                asio::error::in_progress,
                self->name + ": " + op + ": another send or close is still in progress");
        if (kind == write_kind::close && data.size() > 123)
            co_return make_error(
                asio::error::invalid_argument,
                self->name + ": close: reason too long for a control frame");
        auto const timeout = self->opts.timeout;
        auto const deadline = steady_clock::now() + timeout;
        self->writing = true;
        error_code ec;
        if (kind == write_kind::close) {
            self->local_end = "the client closed it with close(" + std::to_string(code) + ")";
            if (self->paused) {
                // The close handshake needs the server's close frame read.
                self->paused = false;
                self->resume.cancel();
            }
            // Suspends until the server has answered the close frame and the TCP connection
            // has been torn down.
            auto const [close_ec] = co_await with_deadline(
                self->ws.async_close(
                    websocket::close_reason(static_cast<websocket::close_code>(code), data),
                    use_tuple),
                deadline);
            ec = close_ec;
        } else {
            self->ws.binary(kind == write_kind::binary);
            // Suspends until the frame has been handed to the socket.
            auto const [write_ec, n] = co_await with_deadline(
                self->ws.async_write(asio::buffer(data), use_tuple),
                deadline);
            (void)n;
            ec = write_ec;
        }
        self->writing = false;
        if (!ec)
            co_return peer_error{};
        if (ec == asio::error::timed_out)
            co_return make_error(
                ec,
                self->name + ": " + op + ": timed out after " + ms(timeout) +
                    (kind == write_kind::close ? " waiting for the server's close frame"
                                               : " (the server does not read?)"));
        co_return make_error(ec, self->name + ": " + op + ": " + ec.message());
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

scripted_client::scripted_client(asio::io_context& ioc, client_options opts)
    : impl_(std::make_shared<impl>(ioc, std::move(opts)))
{}

scripted_client::~scripted_client()
{
    stop();
}

client_options& scripted_client::options() noexcept
{
    return impl_->opts;
}

void scripted_client::name(std::string n)
{
    impl_->name = std::move(n);
}

std::string const& scripted_client::name() const noexcept
{
    return impl_->name;
}

asio::awaitable<void> scripted_client::connect(std::uint16_t port, location loc)
{
    auto const err = co_await impl::try_connect(impl_, port);
    if (err)
        fail(err, loc);
}

asio::awaitable<peer_error> scripted_client::try_connect(std::uint16_t port)
{
    return impl::try_connect(impl_, port);
}

handshake_response const& scripted_client::response() const noexcept
{
    return impl_->response;
}

bool scripted_client::connected() const noexcept
{
    return impl_->is_connected;
}

asio::awaitable<std::string> scripted_client::receive(location loc)
{
    return impl::receive_text(impl_, "receive", std::string(), loc);
}

asio::awaitable<peer_result<received_frame>> scripted_client::try_receive()
{
    return impl::try_receive(impl_, impl_->opts.timeout);
}

asio::awaitable<peer_result<received_frame>> scripted_client::try_receive(duration timeout)
{
    return impl::try_receive(impl_, timeout);
}

asio::awaitable<void> scripted_client::expect(std::string frame, location loc)
{
    return impl::expect(impl_, std::move(frame), loc);
}

asio::awaitable<void> scripted_client::expect_envelope(std::string frame, location loc)
{
    return impl::expect_envelope(impl_, std::move(frame), loc);
}

asio::awaitable<void> scripted_client::expect_silence(duration d, location loc)
{
    return impl::expect_silence(impl_, d, loc);
}

asio::awaitable<std::string> scripted_client::expect_close(std::uint16_t code, location loc)
{
    return impl::expect_close(impl_, code, loc);
}

asio::awaitable<void> scripted_client::expect_disconnect(location loc)
{
    return impl::expect_disconnect(impl_, loc);
}

std::size_t scripted_client::pending() const noexcept
{
    return impl_->frames.size();
}

std::size_t scripted_client::frames_read() const noexcept
{
    return impl_->read_count;
}

void scripted_client::pause_reading()
{
    impl_->paused = true;
}

void scripted_client::resume_reading()
{
    impl_->paused = false;
    impl_->resume.cancel();
}

asio::awaitable<void> scripted_client::send(std::string frame, location loc)
{
    return impl::write(impl_, impl::write_kind::text, std::move(frame), 0, loc);
}

asio::awaitable<peer_error> scripted_client::try_send(std::string frame)
{
    return impl::try_write(impl_, impl::write_kind::text, std::move(frame), 0);
}

asio::awaitable<void> scripted_client::send_binary(std::string bytes, location loc)
{
    return impl::write(impl_, impl::write_kind::binary, std::move(bytes), 0, loc);
}

asio::awaitable<peer_error> scripted_client::try_send_binary(std::string bytes)
{
    return impl::try_write(impl_, impl::write_kind::binary, std::move(bytes), 0);
}

asio::awaitable<void> scripted_client::close(std::uint16_t code, std::string reason, location loc)
{
    return impl::write(impl_, impl::write_kind::close, std::move(reason), code, loc);
}

asio::awaitable<peer_error> scripted_client::try_close(std::uint16_t code, std::string reason)
{
    return impl::try_write(impl_, impl::write_kind::close, std::move(reason), code);
}

void scripted_client::stop() noexcept
{
    if (impl_)
        impl_->shut("the client was stopped (stop())");
}

std::string http_response::header(std::string_view name) const
{
    for (auto const& [n, v] : headers)
        if (beast::iequals(n, name))
            return v;
    return {};
}

asio::awaitable<peer_result<http_response>> scripted_client::http_get(
    asio::io_context& ioc,
    std::uint16_t port,
    std::string target,
    duration timeout)
{
    http_call call;
    call.target = std::move(target);
    auto exchange = http(ioc, port, std::move(call), timeout);
    co_return co_await std::move(exchange);
}

asio::awaitable<peer_result<http_response>> scripted_client::http(
    asio::io_context& ioc,
    std::uint16_t port,
    http_call call,
    duration timeout)
{
    peer_result<http_response> out;
    auto const deadline = steady_clock::now() + timeout;
    beast::tcp_stream stream(ioc);
    tcp::endpoint const endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
    // Suspends until the TCP connection is made.
    auto const [cec] = co_await with_deadline(
        stream.socket().async_connect(endpoint, use_tuple),
        deadline);
    if (cec) {
        out.error = make_error(cec, "http: connect: " + cec.message());
        co_return out;
    }
    http::request<http::string_body> req{http::string_to_verb(call.method), call.target, 11};
    if (req.method() == http::verb::unknown)
        req.method_string(call.method);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    req.set(http::field::user_agent, "swim-cpp scripted_client");
    for (auto const& [name, value] : call.headers)
        req.set(name, value);
    req.body() = call.body;
    if (!call.body.empty() || req.method() == http::verb::put || req.method() == http::verb::post)
        req.prepare_payload();
    // Suspends until the request is written.
    auto const [wec, wn] = co_await with_deadline(
        http::async_write(stream, req, use_tuple),
        deadline);
    (void)wn;
    if (wec) {
        out.error = make_error(wec, "http: write: " + wec.message());
        co_return out;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (req.method() == http::verb::head)
        parser.skip(true);
    // Suspends until the response is read.
    auto const [rec, rn] = co_await with_deadline(
        http::async_read(stream, buffer, parser, use_tuple),
        deadline);
    (void)rn;
    if (rec) {
        out.error = make_error(rec, "http: read: " + rec.message());
        co_return out;
    }
    auto const& res = parser.get();
    out.value.status = res.result_int();
    out.value.body = res.body();
    for (auto const& field : res)
        out.value.headers.emplace_back(
            std::string(field.name_string()),
            std::string(field.value()));
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
    co_return out;
}

}  // namespace swim::test
