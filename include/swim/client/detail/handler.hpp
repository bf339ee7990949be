// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_DETAIL_HANDLER_HPP
#define SWIM_CLIENT_DETAIL_HANDLER_HPP

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace swim::client::detail {

template <class F, class... Args>
inline constexpr bool returns_awaitable_v =
    std::is_same_v<std::invoke_result_t<F&, Args...>, boost::asio::awaitable<void>>;

/** A handler taking `Args...`: a coroutine (returning awaitable<void>) or a plain callable.
 *
 * Plain handlers are called directly, in the notification's turn, without a coroutine frame;
 * a downlink whose handlers are all plain never starts a coroutine per notification. The
 * callable is shared, so a handler may replace itself while it runs.
 */
template <class... Args>
class handler {
    struct impl {
        // Counted here, not by a shared_ptr: a handler is one pointer (a downlink holds
        // several). Atomic: copies may be dropped on another thread than the one running it.
        // 32 bits: with the flag and the vtable pointer in 16 bytes, a callable that keeps a
        // pointer (most do: `this`) makes a block of 24.
        mutable std::atomic<std::uint32_t> refs{1};
        bool awaits = false;
        virtual ~impl() = default;
        virtual void call(Args... args) const = 0;
        virtual boost::asio::awaitable<void> run(Args... args) const = 0;
    };
    template <class F>
    struct plain_fn final : impl {
        mutable F f;
        explicit plain_fn(F fn)
            : f(std::move(fn))
        {}
        void call(Args... args) const override { f(std::forward<Args>(args)...); }
        boost::asio::awaitable<void> run(Args... args) const override
        {
            f(std::forward<Args>(args)...);
            co_return;
        }
    };
    template <class F>
    struct coroutine_fn final : impl {
        mutable F f;
        explicit coroutine_fn(F fn)
            : f(std::move(fn))
        {
            this->awaits = true;
        }
        void call(Args...) const override {}
        boost::asio::awaitable<void> run(Args... args) const override
        {
            return f(std::forward<Args>(args)...);
        }
    };

public:
    handler() = default;
    handler(handler const& other) noexcept
        : p_(other.p_)
    {
        if (p_)
            p_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    handler(handler&& other) noexcept
        : p_(std::exchange(other.p_, nullptr))
    {}
    handler& operator=(handler other) noexcept
    {
        std::swap(p_, other.p_);
        return *this;
    }
    ~handler()
    {
        if (p_ && p_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete p_;
    }

    /// Wraps a user callable: coroutines are awaited, plain callables called.
    template <class F>
    static handler make(F f)
    {
        static_assert(
            std::is_invocable_v<F&, Args...>,
            "a handler must be callable with the arguments this handler receives");
        handler h;
        if constexpr (returns_awaitable_v<F, Args...>)
            h.p_ = new coroutine_fn<F>(std::move(f));
        else
            h.p_ = new plain_fn<F>(std::move(f));
        return h;
    }

    explicit operator bool() const noexcept { return p_ != nullptr; }
    bool is_coroutine() const noexcept { return p_ && p_->awaits; }

    /// Calls a plain handler (precondition: set and not a coroutine).
    void call(Args... args) const
    {
        handler keep = *this;  // it may replace itself while it runs
        keep.p_->call(std::forward<Args>(args)...);
    }

    /// Runs either kind: a coroutine is awaited, a plain callable called.
    boost::asio::awaitable<void> operator()(Args... args) const
    {
        if (handler keep = *this) {
            auto run = keep.p_->run(std::forward<Args>(args)...);
            co_await std::move(run);
        }
    }

private:
    // Shared by the copies: a handler may replace itself while it runs.
    impl const* p_ = nullptr;
};

/// Wraps a user callable as a handler: coroutines are awaited, plain callables called.
template <class... Args, class F>
handler<Args...> make_handler(F f)
{
    return handler<Args...>::make(std::move(f));
}

}  // namespace swim::client::detail

#endif
