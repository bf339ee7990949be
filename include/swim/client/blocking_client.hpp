// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_BLOCKING_CLIENT_HPP
#define SWIM_CLIENT_BLOCKING_CLIENT_HPP

#include <swim/client/client.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>

namespace swim::client {

namespace detail {

/// Runs `f` on `ex` and waits for its result. Throws std::logic_error when called on `ex`'s
/// own thread (from a handler), where waiting would deadlock.
void run_blocking(boost::asio::any_io_executor const& ex, std::function<void()> f);
/// Runs the coroutine `make()` on `ex` and waits for it to finish (rethrowing its exception).
void run_blocking_awaitable(
    boost::asio::any_io_executor const& ex,
    std::function<boost::asio::awaitable<void>()> make);

template <class R, class F>
R call_blocking(boost::asio::any_io_executor const& ex, F f)
{
    if constexpr (std::is_void_v<R>) {
        run_blocking(ex, std::move(f));
    } else {
        std::optional<R> out;
        run_blocking(ex, [&] { out.emplace(f()); });
        return std::move(*out);
    }
}

template <class R>
R await_blocking(
    boost::asio::any_io_executor const& ex,
    std::function<boost::asio::awaitable<R>()> make)
{
    std::optional<R> out;
    run_blocking_awaitable(ex, [&]() -> boost::asio::awaitable<void> {
        out.emplace(co_await make());
    });
    return std::move(*out);
}

/// The blocking form of a downlink `D`: every call runs on the client's thread.
template <class D>
class blocking_handle {
public:
    blocking_handle(D d, boost::asio::any_io_executor ex)
        : d_(std::move(d))
        , ex_(std::move(ex))
    {}

    /// Blocks until linked; throws as D::linked().
    void linked()
    {
        await_blocking<bool>(ex_, [this]() -> boost::asio::awaitable<bool> {
            co_await d_.linked();
            co_return true;
        });
    }
    /// Blocks until synced; throws as D::synced().
    void synced()
    {
        await_blocking<bool>(ex_, [this]() -> boost::asio::awaitable<bool> {
            co_await d_.synced();
            co_return true;
        });
    }
    bool is_linked()
    {
        return call_blocking<bool>(ex_, [this] { return d_.is_linked(); });
    }
    bool is_synced()
    {
        return call_blocking<bool>(ex_, [this] { return d_.is_synced(); });
    }
    bool is_closed()
    {
        return call_blocking<bool>(ex_, [this] { return d_.is_closed(); });
    }
    std::string reason()
    {
        return call_blocking<std::string>(ex_, [this] { return d_.reason(); });
    }
    void close()
    {
        call_blocking<void>(ex_, [this] { d_.close(); });
    }

    /// Registers a handler; it runs on the client's thread.
    template <class F>
    blocking_handle& on_linked(F f)
    {
        call_blocking<void>(ex_, [&] { d_.on_linked(std::move(f)); });
        return *this;
    }
    template <class F>
    blocking_handle& on_unlinked(F f)
    {
        call_blocking<void>(ex_, [&] { d_.on_unlinked(std::move(f)); });
        return *this;
    }
    template <class F>
    blocking_handle& on_failed(F f)
    {
        call_blocking<void>(ex_, [&] { d_.on_failed(std::move(f)); });
        return *this;
    }

    /// The asynchronous downlink underneath (use it on the client's executor only).
    D& async() noexcept { return d_; }

protected:
    D d_;
    boost::asio::any_io_executor ex_;
};

}  // namespace detail

/// A value downlink for plain (non-coroutine) code; see value_downlink.
template <class T>
class blocking_value_downlink : public detail::blocking_handle<value_downlink<T>> {
    using base = detail::blocking_handle<value_downlink<T>>;

public:
    using base::base;

    /// Blocks until synced, then returns the value (throws as value_downlink::get()).
    T get()
    {
        return detail::await_blocking<T>(this->ex_, [this] { return this->d_.get(); });
    }
    /// Sets the value (never waits for the network); errors as value_downlink::set().
    boost::system::error_code set(T const& v)
    {
        return detail::call_blocking<boost::system::error_code>(this->ex_, [&] {
            return this->d_.set(v);
        });
    }
    template <class F>
    blocking_value_downlink& did_set(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.did_set(std::move(f)); });
        return *this;
    }
    template <class F>
    blocking_value_downlink& on_event(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.on_event(std::move(f)); });
        return *this;
    }
    template <class F>
    blocking_value_downlink& on_synced(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.on_synced(std::move(f)); });
        return *this;
    }
};

/// A map downlink for plain (non-coroutine) code; see map_downlink.
template <class K, class V>
class blocking_map_downlink : public detail::blocking_handle<map_downlink<K, V>> {
    using base = detail::blocking_handle<map_downlink<K, V>>;

public:
    using base::base;

    /// Blocks until synced, then returns the value at `key` or nullopt.
    std::optional<V> get(K const& key)
    {
        return detail::await_blocking<std::optional<V>>(this->ex_, [this, key] {
            return this->d_.get(key);
        });
    }
    /// Blocks until synced, then returns every entry.
    std::map<K, V> get_all()
    {
        return detail::await_blocking<std::map<K, V>>(this->ex_, [this] {
            return this->d_.get_all();
        });
    }
    boost::system::error_code put(K const& key, V const& v)
    {
        return detail::call_blocking<boost::system::error_code>(this->ex_, [&] {
            return this->d_.put(key, v);
        });
    }
    boost::system::error_code set(K const& key, V const& v) { return put(key, v); }
    boost::system::error_code remove(K const& key)
    {
        return detail::call_blocking<boost::system::error_code>(this->ex_, [&] {
            return this->d_.remove(key);
        });
    }
    boost::system::error_code erase(K const& key) { return remove(key); }
    boost::system::error_code clear()
    {
        return detail::call_blocking<boost::system::error_code>(this->ex_, [&] {
            return this->d_.clear();
        });
    }
    boost::system::error_code take(std::uint64_t n)
    {
        return detail::call_blocking<boost::system::error_code>(this->ex_, [&] {
            return this->d_.take(n);
        });
    }
    boost::system::error_code drop(std::uint64_t n)
    {
        return detail::call_blocking<boost::system::error_code>(this->ex_, [&] {
            return this->d_.drop(n);
        });
    }
    template <class F>
    blocking_map_downlink& did_update(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.did_update(std::move(f)); });
        return *this;
    }
    template <class F>
    blocking_map_downlink& did_remove(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.did_remove(std::move(f)); });
        return *this;
    }
    template <class F>
    blocking_map_downlink& did_clear(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.did_clear(std::move(f)); });
        return *this;
    }
    template <class F>
    blocking_map_downlink& on_synced(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.on_synced(std::move(f)); });
        return *this;
    }
};

/// An event downlink for plain (non-coroutine) code; see event_downlink.
template <class T>
class blocking_event_downlink : public detail::blocking_handle<event_downlink<T>> {
    using base = detail::blocking_handle<event_downlink<T>>;

public:
    using base::base;

    /// Blocks until the next event (throws when the downlink has ended).
    T next_event()
    {
        return detail::await_blocking<T>(this->ex_, [this] { return this->d_.next_event(); });
    }
    template <class F>
    blocking_event_downlink& on_event(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.on_event(std::move(f)); });
        return *this;
    }
};

/** A client for plain code, as the Python client is used (`with SwimClient() as c:`): it
 * runs its own io_context on a thread of its own; its calls block until done, and handlers
 * run on that thread, one at a time per downlink. Destroying it closes everything (queued
 * writes first) and joins the thread.
 *
 * @par Thread safety
 * Its methods, and those of its downlinks, may be called from any thread except from inside
 * a handler (that would wait for itself: std::logic_error).
 */
class blocking_client {
public:
    explicit blocking_client(client_config cfg = {});
    ~blocking_client();
    blocking_client(blocking_client const&) = delete;
    blocking_client& operator=(blocking_client const&) = delete;

    template <class T = recon::value>
    blocking_value_downlink<T> value_downlink(
        std::string_view host,
        std::string_view node,
        std::string_view lane,
        downlink_config cfg = {})
    {
        auto d = detail::call_blocking<swim::client::value_downlink<T>>(executor(), [&] {
            return async().template value_downlink<T>(host, node, lane, cfg);
        });
        return blocking_value_downlink<T>(std::move(d), executor());
    }

    template <class K = recon::value, class V = recon::value>
    blocking_map_downlink<K, V> map_downlink(
        std::string_view host,
        std::string_view node,
        std::string_view lane,
        downlink_config cfg = {})
    {
        auto d = detail::call_blocking<swim::client::map_downlink<K, V>>(executor(), [&] {
            return async().template map_downlink<K, V>(host, node, lane, cfg);
        });
        return blocking_map_downlink<K, V>(std::move(d), executor());
    }

    template <class T = recon::value>
    blocking_event_downlink<T> event_downlink(
        std::string_view host,
        std::string_view node,
        std::string_view lane,
        downlink_config cfg = {})
    {
        auto d = detail::call_blocking<swim::client::event_downlink<T>>(executor(), [&] {
            return async().template event_downlink<T>(host, node, lane, cfg);
        });
        return blocking_event_downlink<T>(std::move(d), executor());
    }

    /// Queues a command (see client::command).
    boost::system::error_code command(
        std::string_view host,
        std::string_view node,
        std::string_view lane,
        recon::value const& body = {});

    /// Closes everything (queued writes first) and stops the thread; later calls fail.
    void close();

    /// The asynchronous client underneath (use it on its executor only).
    client& async() noexcept;
    boost::asio::any_io_executor executor() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace swim::client

#endif
