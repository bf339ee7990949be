// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include "ws_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cstring>

namespace swim::net::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

template <class Stream>
class stream_of final : public byte_stream {
public:
    explicit stream_of(Stream s)
        : s_(std::move(s))
    {}

    asio::awaitable<std::pair<error_code, std::size_t>> read_some(char* p, std::size_t n) override
    {
        auto [ec, got] = co_await s_.async_read_some(asio::buffer(p, n), use_tuple);
        co_return std::pair(ec, got);
    }

    asio::awaitable<error_code> write(char const* p, std::size_t n) override
    {
        auto [ec, put] = co_await asio::async_write(s_, asio::buffer(p, n), use_tuple);
        (void)put;
        co_return ec;
    }

    void shutdown_send() noexcept override
    {
        error_code ignored;
        socket().shutdown(asio::socket_base::shutdown_send, ignored);
    }

    void close() noexcept override
    {
        error_code ignored;
        socket().close(ignored);
    }

private:
    asio::ip::tcp::socket& socket() noexcept
    {
        if constexpr (std::is_same_v<Stream, asio::ip::tcp::socket>)
            return s_;
        else
            return s_.next_layer().socket();
    }

    Stream s_;
};

std::string describe(std::string_view what, error_code ec)
{
    std::string out(what);
    out += ": ";
    out += ec.message();
    return out;
}

}  // namespace

std::unique_ptr<byte_stream> make_byte_stream(asio::ip::tcp::socket socket)
{
    return std::make_unique<stream_of<asio::ip::tcp::socket>>(std::move(socket));
}

std::unique_ptr<byte_stream> make_byte_stream(asio::ssl::stream<boost::beast::tcp_stream> stream)
{
    return std::make_unique<stream_of<asio::ssl::stream<boost::beast::tcp_stream>>>(
        std::move(stream));
}

std::uint64_t steady_ms() noexcept
{
    using namespace std::chrono;
    return static_cast<std::uint64_t>(
        duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}

ws_transport::ws_transport(
    asio::any_io_executor ex,
    std::unique_ptr<byte_stream> stream,
    ws_role role,
    ws_transport_options const& opts,
    std::uint64_t seed,
    ws_handler& handler)
    : stream_(std::move(stream))
    , session_(role, opts.session, steady_ms(), seed)
    , handler_(handler)
    , close_timeout_(opts.close_timeout)
    , small_(std::max<std::size_t>(opts.small_buffer, 16))
    , large_(std::max(opts.large_buffer, small_))
    , wake_(std::move(ex))
{}

ws_transport::~ws_transport() = default;

void ws_transport::close(std::uint16_t code, std::string reason, bool after_output)
{
    if (close_pending_ || !session_.can_send())
        return;
    close_pending_ = true;
    close_after_output_ = after_output;
    if (!after_output)
        deliver_ = false;
    close_code_ = code;
    close_reason_ = std::move(reason);
    wake_.cancel();
}

void ws_transport::abort() noexcept
{
    aborted_ = true;
    stream_->close();
    wake_.cancel();
}

asio::awaitable<void> ws_transport::run(std::string_view initial)
{
    if (!initial.empty()) {
        reserve_read(initial.size());
        std::memcpy(rbuf_.get(), initial.data(), initial.size());
        end_ = initial.size();
    }
    co_await (reader() || writer());
    stream_->close();
}

void ws_transport::release_read() noexcept
{
    begin_ = end_ = 0;
    if (!grow_ && cap_ > small_) {
        rbuf_.reset();
        cap_ = 0;
    }
}

void ws_transport::reserve_read(std::size_t want)
{
    std::size_t const pending = end_ - begin_;
    std::size_t target = grow_ ? large_ : small_;
    target = std::max(target, want);
    if (target <= pending)
        target = pending + small_;
    if (cap_ >= target && cap_ <= std::max(target, large_)) {
        if (begin_ > 0) {
            std::memmove(rbuf_.get(), rbuf_.get() + begin_, pending);
            begin_ = 0;
            end_ = pending;
        }
        return;
    }
    // A new buffer of the size wanted: larger for a large frame, or smaller again after one.
    auto fresh = std::make_unique<char[]>(target);
    if (pending > 0)
        std::memcpy(fresh.get(), rbuf_.get() + begin_, pending);
    rbuf_ = std::move(fresh);
    cap_ = target;
    begin_ = 0;
    end_ = pending;
}

bool ws_transport::handle_input()
{
    std::span<char> const in(rbuf_.get() + begin_, end_ - begin_);
    std::size_t off = 0;
    bool any = false;
    for (;;) {
        std::size_t used = 0;
        ws_event const e = session_.next(in.subspan(off), used);
        off += used;
        switch (e.what) {
            case ws_event::type::need_more: want_ = e.want; break;
            case ws_event::type::text:
                any = true;
                if (deliver_)
                    handler_.on_text(e.payload);
                continue;
            case ws_event::type::binary:
                any = true;
                if (deliver_)
                    handler_.on_binary(e.payload);
                continue;
            case ws_event::type::close: {
                std::string what = "the peer closed the connection (" + std::to_string(e.code);
                if (!e.payload.empty()) {
                    what += " ";
                    what += e.payload;  // the log escapes it
                }
                what += ")";
                handler_.on_end(ws_end::peer_closed, what);
                continue;
            }
            case ws_event::type::error:
                handler_.on_end(
                    ws_end::protocol_error,
                    "the peer broke the WebSocket protocol (" + std::to_string(e.code) +
                        "): " + std::string(e.payload));
                continue;
            case ws_event::type::ping:
            case ws_event::type::pong: continue;  // handled by the session
        }
        break;
    }
    begin_ += off;
    return any;
}

asio::awaitable<void> ws_transport::reader()
{
    for (;;) {
        if (end_ > begin_)
            handle_input();
        handler_.on_read();
        if (session_.has_control() || session_.finished())
            wake_.cancel();
        if (end_ == begin_) {
            want_ = 0;
            release_read();
        }
        reserve_read(want_);
        std::size_t const room = cap_ - end_;
        auto [ec, n] = co_await stream_->read_some(rbuf_.get() + end_, room);
        if (ec) {
            if (!aborted_ && !session_.close_sent() && !session_.reading_done())
                handler_.on_end(
                    ec == asio::error::eof ? ws_end::peer_gone : ws_end::read_failed,
                    ec == asio::error::eof
                        ? std::string("the peer closed the connection without a close frame")
                        : describe("read failed", ec));
            abort();
            co_return;
        }
        end_ += n;
        // A read that filled the buffer finds more waiting: read in large steps until the
        // reads come back small.
        if (n == room)
            grow_ = true;
        else if (n < room / 8)
            grow_ = false;
        session_.on_input(steady_ms());
    }
}

std::uint64_t ws_transport::deadline() const noexcept
{
    return std::min(session_.deadline(), handler_.deadline());
}

asio::awaitable<void> ws_transport::writer()
{
    // Cancelled (the reader ended first), a write completes with operation_aborted instead
    // of throwing, so the handler learns that its frames may not have been written.
    co_await asio::this_coro::throw_if_cancelled(false);
    using clock = std::chrono::steady_clock;
    for (;;) {
        if (aborted_)
            co_return;
        out_.clear();
        bool took = false;
        if (!session_.close_sent()) {
            session_.take_control(out_);
            if (session_.can_send()) {
                if (!close_pending_ || close_after_output_)
                    took = handler_.take_output(session_, out_);
                // The frames taken now were queued before close(): they go first.
                if (close_pending_)
                    session_.close(close_code_, close_reason_);
                session_.take_control(out_);
            }
        }
        if (!out_.empty()) {
            auto ec = co_await stream_->write(out_.data(), out_.size());
            if (took)
                handler_.on_written(ec);
            if (out_.capacity() > 4096)
                out_ = std::string();
            if (ec) {
                if (!aborted_)
                    handler_.on_end(ws_end::write_failed, describe("write failed", ec));
                abort();
                co_return;
            }
            continue;
        }
        if (session_.close_sent()) {
            // Our close frame is written: the peer has close_timeout to answer and end the
            // connection (the reader then ends). Once the handshake is over we send no more.
            auto const until = clock::now() + close_timeout_;
            bool shut = false;
            for (;;) {
                if (session_.finished() && !shut) {
                    stream_->shutdown_send();
                    shut = true;
                }
                wake_.expires_at(until);
                auto [ec] = co_await wake_.async_wait(use_tuple);
                auto cs = co_await asio::this_coro::cancellation_state;
                if (cs.cancelled() != asio::cancellation_type::none || aborted_)
                    co_return;
                if (!ec) {
                    abort();
                    co_return;
                }
            }
        }
        std::uint64_t const due = deadline();
        if (due == ws_session::never)
            wake_.expires_at(clock::time_point::max());
        else
            wake_.expires_at(clock::time_point(std::chrono::milliseconds(due)));
        auto [ec] = co_await wake_.async_wait(use_tuple);
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none)
            co_return;
        if (ec)
            continue;  // woken: output waits
        std::uint64_t const now = steady_ms();
        if (session_.on_timer(now) == ws_session::timer_result::lost) {
            handler_.on_end(
                ws_end::lost,
                "nothing from the peer within the idle timeout, not even a pong: the "
                "connection is lost");
            abort();
            co_return;
        }
        if (handler_.deadline() <= now)
            handler_.on_deadline(now);
    }
}

}  // namespace swim::net::detail
