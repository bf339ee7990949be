// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_DETAIL_HANDLER_HPP
#define SWIM_CLIENT_DETAIL_HANDLER_HPP

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <type_traits>
#include <utility>

namespace swim::client::detail {

/// A handler taking `Args...`: a coroutine (returning awaitable<void>) or a plain callable.
template <class... Args>
using handler = std::function<boost::asio::awaitable<void>(Args...)>;

template <class F, class... Args>
inline constexpr bool returns_awaitable_v =
    std::is_same_v<std::invoke_result_t<F&, Args...>, boost::asio::awaitable<void>>;

/// Wraps a user callable as a handler: coroutines are awaited, plain callables called.
template <class... Args, class F>
handler<Args...> make_handler(F f)
{
    static_assert(
        std::is_invocable_v<F&, Args...>,
        "a handler must be callable with the arguments this handler receives");
    if constexpr (returns_awaitable_v<F, Args...>) {
        return handler<Args...>(std::move(f));
    } else {
        return [f = std::move(f)](Args... args) mutable -> boost::asio::awaitable<void> {
            f(std::forward<Args>(args)...);
            co_return;
        };
    }
}

}  // namespace swim::client::detail

#endif
