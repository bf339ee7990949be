// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/server/store.hpp>

#include <functional>
#include <map>
#include <mutex>

namespace swim::server {

namespace {

class memory_store final : public store {
public:
    bool durable() const noexcept override { return false; }

    boost::system::error_code write(std::span<store_write const> writes, bool) override
    {
        std::lock_guard lock(mutex_);
        for (auto const& w : writes) {
            switch (w.what) {
                case store_write::op::put: entries_.insert_or_assign(w.key, w.value); break;
                case store_write::op::erase: entries_.erase(w.key); break;
                case store_write::op::erase_prefix: {
                    auto it = entries_.lower_bound(w.key);
                    while (it != entries_.end() && it->first.starts_with(w.key))
                        it = entries_.erase(it);
                    break;
                }
            }
        }
        return {};
    }

    boost::system::error_code scan(
        std::string_view prefix,
        std::function<void(std::string_view, std::string_view)> const& f) override
    {
        std::lock_guard lock(mutex_);
        for (auto it = entries_.lower_bound(prefix);
             it != entries_.end() && it->first.starts_with(prefix);
             ++it)
            f(it->first, it->second);
        return {};
    }

    boost::system::error_code flush() override { return {}; }

private:
    std::mutex mutex_;
    std::map<std::string, std::string, std::less<>> entries_;
};

}  // namespace

std::shared_ptr<store> make_memory_store()
{
    return std::make_shared<memory_store>();
}

}  // namespace swim::server
