// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// A stream layer under a Beast WebSocket that gathers the frames of a batch in memory and
// writes them with one write. Private to the client and the server.

#ifndef SWIM_LIB_NET_COALESCING_STREAM_HPP
#define SWIM_LIB_NET_COALESCING_STREAM_HPP

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <utility>

namespace swim::net::detail {

/** Passes reads through; writes go straight to the next layer, except between cork() and
 * async_flush(), when they are appended to a buffer and complete at once (posted). One write
 * syscall costs about as much as encoding a hundred small frames, so a writer that drains
 * its queue corks, writes every frame through the WebSocket, and flushes them together.
 *
 * The WebSocket's own writes (pongs, close frames) may come at any time: while corked or
 * flushing they join the buffer, so bytes on the wire never interleave.
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

    template <class MutableBufferSequence, class ReadToken>
    auto async_read_some(MutableBufferSequence const& buffers, ReadToken&& token)
    {
        return next_.async_read_some(buffers, std::forward<ReadToken>(token));
    }

    template <class ConstBufferSequence, class WriteToken>
    auto async_write_some(ConstBufferSequence const& buffers, WriteToken&& token)
    {
        return boost::asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
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
    boost::asio::awaitable<boost::system::error_code> async_flush()
    {
        while (!buf_.empty()) {
            out_.clear();
            out_.swap(buf_);
            auto [ec, n] = co_await boost::asio::async_write(
                next_,
                boost::asio::buffer(out_),
                boost::asio::as_tuple(boost::asio::use_awaitable));
            if (ec) {
                buf_.clear();
                corked_ = false;
                co_return ec;
            }
        }
        corked_ = false;
        co_return boost::system::error_code();
    }

private:
    NextLayer next_;
    bool corked_ = false;
    std::string buf_;
    std::string out_;
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
    using boost::beast::websocket::async_teardown;
    async_teardown(role, s.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace swim::net::detail

#endif
