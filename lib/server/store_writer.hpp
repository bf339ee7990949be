// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_LIB_SERVER_STORE_WRITER_HPP
#define SWIM_LIB_SERVER_STORE_WRITER_HPP

#include <swim/server/store.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace swim::server::detail {

/** Writes the agents' changes to a durable store on a thread of its own: each write takes
 * every batch queued meanwhile (group commit: one engine write, one fsync in synced mode, for
 * all of them), then calls their completions there.
 */
class store_writer {
public:
    using completion = std::function<void(boost::system::error_code)>;

    store_writer(std::shared_ptr<store> engine, store_config const& cfg);
    /// stop().
    ~store_writer();
    store_writer(store_writer const&) = delete;
    store_writer& operator=(store_writer const&) = delete;

    /// Queues `writes`; `done` gets the outcome on the writer's thread once they are written
    /// with the configured durability.
    void submit(std::vector<store_write> writes, completion done);
    /// Writes what is queued, makes everything durable, ends the thread. Idempotent.
    void stop();

    /// Engine writes that failed so far (any thread).
    std::uint64_t failures() const noexcept { return failures_.load(std::memory_order_relaxed); }

private:
    void run();

    std::shared_ptr<store> engine_;
    durability mode_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<store_write> queued_;
    std::vector<completion> waiting_;
    bool stopping_ = false;
    /// The thread ended: a write submitted now fails at once.
    bool ended_ = false;
    std::atomic<std::uint64_t> failures_{0};
    std::thread thread_;
};

}  // namespace swim::server::detail

#endif
