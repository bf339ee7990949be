// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// Writes made off a client's strand (set, put, command, close... from the application's own
// threads), queued on an Asio channel and run on the strand in the order they were made.
// Private.

#ifndef SWIM_LIB_CLIENT_FOREIGN_WRITES_HPP
#define SWIM_LIB_CLIENT_FOREIGN_WRITES_HPP

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace swim::client::detail {

class foreign_writes : public std::enable_shared_from_this<foreign_writes> {
public:
    /// One write, run on the strand. It may wait for room in a full write queue while
    /// closing() is false (once the client closes, a write that finds no room is logged and
    /// lost: the host may never take it).
    using write = std::function<boost::asio::awaitable<void>()>;

    /// The most writes that may wait; beyond it post() refuses with queue_full.
    static constexpr std::size_t capacity = 65536;

    explicit foreign_writes(boost::asio::strand<boost::asio::any_io_executor> strand);
    ~foreign_writes();

    /** True when a write may run directly: on the strand, or on a thread that is running the
     * client's io_context (whose handlers then run one at a time with the caller's; with the
     * io_context on several threads, code on them must use the client's executor, as before).
     * Other threads (the application's own, pools, other io_contexts) queue their writes.
     */
    bool on_strand() const noexcept;

    /** From any thread: queues `w` to run on the strand after every write queued before it.
     * @returns warp::error::queue_full when `capacity` writes wait (nothing queued),
     * error::client_closed once close() was called.
     */
    boost::system::error_code post(write w);

    /// True once the client is closing.
    bool closing() const noexcept { return closed_.load(std::memory_order_acquire); }

    /// On the strand: refuses further writes, runs those that wait, and completes when the
    /// last has run. `wake` is called after closing() turns true, so that writes waiting for
    /// room look again.
    boost::asio::awaitable<void> async_close(std::function<void()> wake);

private:
    struct channel;
    static boost::asio::awaitable<void> drain(std::shared_ptr<foreign_writes> self);

    boost::asio::strand<boost::asio::any_io_executor> strand_;
    /// The io_context under the strand, when it is one.
    boost::asio::io_context* ioc_ = nullptr;
    std::unique_ptr<channel> ch_;
    std::atomic<bool> started_{false};
    std::atomic<bool> closed_{false};
};

}  // namespace swim::client::detail

#endif
