// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include "store_writer.hpp"

#include <swim/server/error.hpp>

#include <iterator>

namespace swim::server::detail {

store_writer::store_writer(std::shared_ptr<store> engine, store_config const& cfg)
    : engine_(std::move(engine))
    , mode_(cfg.mode)
    , interval_(cfg.batch_interval.count() > 0 ? cfg.batch_interval : std::chrono::milliseconds(1))
    , thread_([this] { run(); })
{}

store_writer::~store_writer()
{
    stop();
}

void store_writer::submit(std::vector<store_write> writes, completion done)
{
    {
        std::unique_lock lock(mutex_);
        if (ended_) {
            // (A change after the server stopped: not written.)
            lock.unlock();
            failures_.fetch_add(1, std::memory_order_relaxed);
            done(error::stopped);
            return;
        }
        if (queued_.empty())
            queued_ = std::move(writes);
        else
            queued_.insert(
                queued_.end(),
                std::make_move_iterator(writes.begin()),
                std::make_move_iterator(writes.end()));
        waiting_.push_back(std::move(done));
    }
    wake_.notify_one();
}

void store_writer::stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    // (Called by the server's stop, then by the destructor: one after the other.)
    if (thread_.joinable())
        thread_.join();
}

void store_writer::run()
{
    auto last_sync = std::chrono::steady_clock::now();
    bool unsynced = false;
    std::vector<store_write> writes;
    std::vector<completion> done;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            auto const ready = [&] {
                return stopping_ || !waiting_.empty();
            };
            if (mode_ == durability::batched && unsynced)
                wake_.wait_until(lock, last_sync + interval_, ready);
            else
                wake_.wait(lock, ready);
            writes.swap(queued_);
            done.swap(waiting_);
            if (done.empty() && stopping_) {
                ended_ = true;
                break;
            }
        }
        if (!done.empty()) {
            auto const ec = engine_->write(writes, mode_ == durability::synced);
            if (ec)
                failures_.fetch_add(1, std::memory_order_relaxed);
            else
                unsynced = mode_ != durability::synced;
            for (auto& f : done)
                f(ec);
            writes.clear();
            done.clear();
        }
        if (mode_ == durability::batched && unsynced &&
            std::chrono::steady_clock::now() - last_sync >= interval_) {
            engine_->flush();
            unsynced = false;
            last_sync = std::chrono::steady_clock::now();
        }
    }
    engine_->flush();
}

}  // namespace swim::server::detail
