// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include "ws_transport.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cstring>

namespace swim::net::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

template <class Stream>
class stream_of final : public byte_stream {
public:
    explicit stream_of(Stream s)
        : s_(std::move(s))
    {}

    void async_read_some(char* p, std::size_t n, stream_user& u) override
    {
        s_.async_read_some(asio::buffer(p, n), [&u](error_code ec, std::size_t got) {
            u.on_read(ec, got);
        });
    }

    void async_write(char const* p, std::size_t n, stream_user& u) override
    {
        asio::async_write(s_, asio::buffer(p, n), [&u](error_code ec, std::size_t) {
            u.on_write(ec);
        });
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

ws_transport_options transport_options(
    std::size_t max_message,
    std::chrono::milliseconds idle_timeout,
    std::chrono::milliseconds close_timeout) noexcept
{
    ws_transport_options opts;
    opts.session.max_message = max_message;
    opts.session.idle_timeout_ms = static_cast<std::uint64_t>(
        std::max<std::chrono::milliseconds::rep>(0, idle_timeout.count()));
    opts.close_timeout = close_timeout;
    return opts;
}

std::uint64_t steady_ms() noexcept
{
    using namespace std::chrono;
    return static_cast<std::uint64_t>(
        duration_cast<milliseconds>(clock_type::now().time_since_epoch()).count());
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
    , rest_after_(opts.rest_after)
    , rest_until_(opts.rest_until)
    , rest_turns_(opts.rest_turns)
    , small_(static_cast<std::uint32_t>(std::clamp<std::size_t>(opts.small_buffer, 16, 1 << 30)))
    , large_(static_cast<std::uint32_t>(
          std::clamp<std::size_t>(opts.large_buffer, small_, std::size_t(1) << 30)))
    , timer_(std::move(ex))
{}

ws_transport::~ws_transport() = default;

void ws_transport::start(std::string_view initial)
{
    if (!initial.empty()) {
        reserve_read(initial.size());
        std::memcpy(rbuf_.get(), initial.data(), initial.size());
        end_ = initial.size();
        guarded([&] {
            handle_input();
            handler_.on_read();
        });
    }
    read_more();
    step();
}

void ws_transport::wake()
{
    // The writer is writing (it looks again when the write completes), or idle with the
    // timer armed: cut short, on_timer() takes the output.
    if (!writing_ && timer_armed_)
        timer_.cancel();
}

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
    note_closing();
    wake();
}

void ws_transport::abort() noexcept
{
    aborted_ = true;
    stream_->close();
    if (timer_armed_)
        timer_.cancel();
}

void ws_transport::release_read() noexcept
{
    begin_ = end_ = 0;
    // A buffer grown for a large frame goes at once; the large read buffer once reads come
    // back small (light traffic: an idle connection holds small_ bytes). Not sooner: a
    // stream of reads of any size would free and allocate it again and again.
    if (cap_ > large_ || (!grow_ && cap_ > small_)) {
        rbuf_.reset();
        cap_ = 0;
    }
}

void ws_transport::reserve_read(std::size_t want)
{
    std::size_t const pending = end_ - begin_;
    std::size_t target = grow_ ? large_ : small_;
    // A large frame's buffer grows as its bytes come (doubling), not all at once when its
    // header says how long it is.
    if (want > target)
        target = std::min(want, std::max<std::size_t>(large_, 2 * cap_));
    if (target <= pending)
        target = pending + small_;
    if (cap_ >= target && cap_ <= std::max<std::size_t>(target, large_)) {
        if (begin_ > 0) {
            std::memmove(rbuf_.get(), rbuf_.get() + begin_, pending);
            begin_ = 0;
            end_ = pending;
        }
        return;
    }
    // A new buffer of the size wanted: larger for a large frame, or smaller again after one.
    auto fresh = std::make_unique_for_overwrite<char[]>(target);
    if (pending > 0)
        std::memcpy(fresh.get(), rbuf_.get() + begin_, pending);
    rbuf_ = std::move(fresh);
    cap_ = target;
    begin_ = 0;
    end_ = pending;
}

void ws_transport::handle_input()
{
    std::span<char> const in(rbuf_.get() + begin_, end_ - begin_);
    std::size_t off = 0;
    for (;;) {
        std::size_t used = 0;
        ws_event const e = session_.next(in.subspan(off), used);
        off += used;
        switch (e.what) {
            case ws_event::type::need_more: want_ = e.want; break;
            case ws_event::type::text:
                if (deliver_)
                    handler_.on_text(e.payload);
                continue;
            case ws_event::type::binary:
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
}

void ws_transport::read_more()
{
    if (end_ == begin_) {
        want_ = 0;
        release_read();
    }
    reserve_read(want_);
    stream_->async_read_some(rbuf_.get() + end_, cap_ - end_, *this);
}

void ws_transport::on_read(error_code ec, std::size_t n)
{
    if (ec) {
        if (!aborted_ && !session_.close_sent() && !session_.reading_done())
            handler_.on_end(
                ec == asio::error::eof ? ws_end::peer_gone : ws_end::read_failed,
                ec == asio::error::eof
                    ? std::string("the peer closed the connection without a close frame")
                    : describe("read failed", ec));
        reading_done_ = true;
        abort();
        step();
        finish_part();
        return;
    }
    std::size_t const room = cap_ - end_;
    end_ += n;
    // A read that filled the buffer finds more waiting: read in large steps until the
    // reads come back small.
    if (n == room)
        grow_ = true;
    else if (n < small_)
        grow_ = false;
    session_.on_input(steady_ms());
    guarded([&] {
        handle_input();
        handler_.on_read();
    });
    if (aborted_) {
        // A handler failed or aborted: the read of a closed socket would fail anyway.
        reading_done_ = true;
        step();
        finish_part();
        return;
    }
    note_closing();
    if (session_.has_control() || session_.finished() || close_pending_)
        wake();
    read_more();
}

void ws_transport::on_write(error_code ec)
{
    if (std::exchange(took_, false))
        guarded([&] { handler_.on_written(ec); });
    if (ec && !aborted_) {
        guarded([&] { handler_.on_end(ws_end::write_failed, describe("write failed", ec)); });
        abort();
    }
    if (rest_after_ != 0 && last_write_ >= rest_after_) {
        rest(rest_turns_);
        return;
    }
    writing_ = false;
    step();
    finish_part();
}

void ws_transport::rest(unsigned turns)
{
    // While the writer rests, writing_ stays set: wake() leaves it be (it takes all there is
    // when it wakes), and the transport cannot finish under the posted handler.
    if (turns == 0 || aborted_ || close_pending_ || session_.has_control() ||
        handler_.output_waiting() >= rest_until_) {
        writing_ = false;
        step();
        finish_part();
        return;
    }
    asio::post(timer_.get_executor(), [this, turns] { rest(turns - 1); });
}

std::uint64_t ws_transport::deadline() const noexcept
{
    return std::min(session_.deadline(), handler_.deadline());
}

void ws_transport::step()
{
    if (writing_done_)
        return;
    if (aborted_) {
        if (!writing_) {
            writing_done_ = true;
            finish_part();
        }
        return;
    }
    if (!writing_)
        write_more();
    if (!aborted_)
        arm_timer();
}

void ws_transport::write_more()
{
    out_.clear();
    if (!session_.close_sent()) {
        session_.take_control(out_);
        if (session_.can_send()) {
            if (!close_pending_ || close_after_output_)
                took_ = handler_.take_output(session_, out_);
            // The frames taken now were queued before close(): they go first (all of them,
            // when they go in parts).
            if (close_pending_ && !(close_after_output_ && handler_.output_left()))
                session_.close(close_code_, close_reason_);
            session_.take_control(out_);
        }
    }
    note_closing();
    if (!out_.empty()) {
        writing_ = true;
        last_write_ = out_.size();
        stream_->async_write(out_.data(), out_.size(), *this);
        return;
    }
    // Nothing more to write: a large buffer is let go (an idle connection holds none; a busy
    // one reuses it from write to write).
    if (out_.capacity() > 4096)
        std::string().swap(out_);
    if (session_.finished() && !shut_) {
        // Both close frames went: we send no more; the connection ends when the peer closes
        // its side (the read fails) or close_timeout passes.
        stream_->shutdown_send();
        shut_ = true;
    }
}

void ws_transport::note_closing()
{
    // From the moment a close is under way (ours or the peer's), the peer has close_timeout
    // to end the connection, whether or not our close frame can be written.
    if ((close_pending_ || !session_.can_send()) && close_until_ == clock_type::time_point{}) {
        close_until_ = clock_type::now() + close_timeout_;
        if (!aborted_ && !writing_done_)
            arm_timer();
    }
}

void ws_transport::arm_timer()
{
    // The earliest of: the end of the close handshake's time, the session's keepalive and
    // idle deadlines, the handler's. Armed while a write is pending too: a peer that stops
    // reading cannot switch the deadlines off.
    clock_type::time_point at = clock_type::time_point::max();
    if (close_until_ != clock_type::time_point{}) {
        at = close_until_;
    } else {
        std::uint64_t const due = deadline();
        if (due != ws_session::never)
            at = clock_type::time_point(std::chrono::milliseconds(due));
    }
    if (timer_armed_) {
        if (at >= armed_at_)
            return;
        timer_.cancel();  // on_timer() arms it again, earlier
        return;
    }
    timer_armed_ = true;
    armed_at_ = at;
    timer_.expires_at(at);
    timer_.async_wait([this](error_code ec) { on_timer(ec); });
}

void ws_transport::on_timer(error_code ec)
{
    timer_armed_ = false;
    guarded([&] {
        if (ec || aborted_)
            return;
        auto const now = clock_type::now();
        if (close_until_ != clock_type::time_point{}) {
            if (now >= close_until_)
                abort();
            return;
        }
        std::uint64_t const now_ms = steady_ms();
        if (session_.on_timer(now_ms) == ws_session::timer_result::lost) {
            handler_.on_end(
                ws_end::lost,
                "nothing from the peer within the idle timeout, not even a pong: the "
                "connection is lost");
            abort();
        } else if (handler_.deadline() <= now_ms) {
            handler_.on_deadline(now_ms);
        }
    });
    step();
    finish_part();
}

void ws_transport::finish_part()
{
    if (reading_done_ && writing_done_ && !timer_armed_ && !finished_) {
        finished_ = true;
        handler_.on_finished();
    }
}

template <class F>
void ws_transport::guarded(F&& f) noexcept
{
    // Handler code runs in plain completion handlers: an exception there ends this
    // connection (logged), not the io_context's run().
    try {
        f();
    } catch (std::exception const& e) {
        failed(e.what());
    } catch (...) {
        failed("an unknown exception");
    }
}

void ws_transport::failed(char const* what) noexcept
{
    try {
        handler_.on_end(ws_end::read_failed, std::string("the connection failed: ") + what);
    } catch (...) {
    }
    abort();
}

}  // namespace swim::net::detail
