// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// A stream layer under a Beast WebSocket that gathers the frames of a batch in memory and
// writes them with one write. Private to the server.

#ifndef SWIM_LIB_NET_COALESCING_STREAM_HPP
#define SWIM_LIB_NET_COALESCING_STREAM_HPP

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ws_frames.hpp"

namespace swim::net::detail {

/** Passes reads through; gathers writes. A writer that drains its queue corks the stream,
 * appends every frame of the batch with append_text_frame() (framed here, in one pass,
 * without an asynchronous operation per frame), and writes them all with one async_flush().
 * One write syscall costs about as much as framing a hundred small frames.
 *
 * The WebSocket's own writes (pongs, close frames) may come at any time: while corked or
 * flushing they join the buffer, so bytes on the wire never interleave; a teardown asked for
 * during a flush waits for the flush (and whatever joined it) to be written.
 *
 * Frames written here bypass the WebSocket stream, which is fine for whole unfragmented,
 * uncompressed messages: the stream keeps no state between such messages.
 */
template <class NextLayer>
class coalescing_stream {
public:
    using next_layer_type = NextLayer;
    using executor_type = typename NextLayer::executor_type;

    template <class... Args>
    explicit coalescing_stream(Args&&... args)
        : next_(std::forward<Args>(args)...)
    {}

    executor_type get_executor() noexcept { return next_.get_executor(); }
    NextLayer& next_layer() noexcept { return next_; }
    NextLayer const& next_layer() const noexcept { return next_; }

    /// Gathers writes from now on until async_flush().
    void cork() noexcept { corked_ = true; }
    /// Bytes gathered and not yet written.
    std::size_t pending() const noexcept { return buf_.size(); }

    /// Appends one WebSocket text message (a single final frame, unmasked: the server's
    /// role) to the buffer. Cork first.
    void append_text_frame(std::string_view payload)
    {
        append_ws_frame(buf_, ws_opcode::text, payload, std::nullopt);
    }

    template <class MutableBufferSequence, class ReadToken>
    auto async_read_some(MutableBufferSequence const& buffers, ReadToken&& token)
    {
        return next_.async_read_some(buffers, std::forward<ReadToken>(token));
    }

    template <class ConstBufferSequence, class WriteToken>
    auto async_write_some(ConstBufferSequence const& buffers, WriteToken&& token)
    {
        return boost::asio::
            async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
                [this](auto handler, ConstBufferSequence const& b) {
                    if (!corked_) {
                        next_.async_write_some(b, std::move(handler));
                        return;
                    }
                    std::size_t n = boost::asio::buffer_size(b);
                    std::size_t at = buf_.size();
                    buf_.resize(at + n);
                    boost::asio::buffer_copy(boost::asio::buffer(buf_.data() + at, n), b);
                    auto ex = boost::asio::get_associated_executor(handler, next_.get_executor());
                    boost::asio::post(
                        ex,
                        boost::beast::bind_front_handler(
                            std::move(handler),
                            boost::system::error_code(),
                            n));
                },
                token,
                buffers);
    }

    /// Writes everything gathered (and whatever joins it meanwhile), then stops gathering.
    /// A teardown asked for meanwhile runs afterwards.
    boost::asio::awaitable<boost::system::error_code> async_flush()
    {
        flushing_ = true;
        boost::system::error_code result;
        while (!buf_.empty()) {
            out_.clear();
            out_.swap(buf_);
            auto [ec, n] = co_await boost::asio::async_write(
                next_,
                boost::asio::buffer(out_),
                boost::asio::as_tuple(boost::asio::use_awaitable));
            if (ec) {
                buf_.clear();
                result = ec;
                break;
            }
        }
        flushing_ = false;
        corked_ = false;
        if (teardown_) {
            auto t = std::move(teardown_);
            teardown_ = nullptr;
            t();
        }
        co_return result;
    }

    /// Beast's teardown (after a close handshake): at once, or after the flush in progress.
    template <class TeardownHandler>
    void start_teardown(boost::beast::role_type role, TeardownHandler&& handler)
    {
        using boost::beast::websocket::async_teardown;
        if (!flushing_ && buf_.empty()) {
            async_teardown(role, next_, std::forward<TeardownHandler>(handler));
            return;
        }
        if (!flushing_) {
            // Bytes wait (a close reply gathered while corked) and no flush runs: write them.
            corked_ = true;
            defer_teardown(role, std::forward<TeardownHandler>(handler));
            boost::asio::co_spawn(
                next_.get_executor(),
                [this]() -> boost::asio::awaitable<void> {
                    auto flushed = async_flush();
                    co_await std::move(flushed);
                },
                boost::asio::detached);
            return;
        }
        defer_teardown(role, std::forward<TeardownHandler>(handler));
    }

private:
    template <class TeardownHandler>
    void defer_teardown(boost::beast::role_type role, TeardownHandler&& handler)
    {
        // Beast's handler is move-only: held in a shared_ptr so std::function can copy.
        auto h = std::make_shared<std::decay_t<TeardownHandler>>(
            std::forward<TeardownHandler>(handler));
        teardown_ = [this, role, h] {
            using boost::beast::websocket::async_teardown;
            async_teardown(role, next_, std::move(*h));
        };
    }

    NextLayer next_;
    bool corked_ = false;
    bool flushing_ = false;
    std::string buf_;
    std::string out_;
    std::function<void()> teardown_;
};

// The WebSocket closes the connection through the next layer.
template <class NextLayer>
void teardown(
    boost::beast::role_type role,
    coalescing_stream<NextLayer>& s,
    boost::system::error_code& ec)
{
    using boost::beast::websocket::teardown;
    teardown(role, s.next_layer(), ec);
}

template <class NextLayer, class TeardownHandler>
void async_teardown(
    boost::beast::role_type role,
    coalescing_stream<NextLayer>& s,
    TeardownHandler&& handler)
{
    s.start_teardown(role, std::forward<TeardownHandler>(handler));
}

}  // namespace swim::net::detail

#endif
