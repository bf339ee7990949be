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
#include <vector>

namespace swim::client {

namespace detail {

/// Runs `f` on `ex` and waits for its result, rethrowing what `f` threw. Throws
/// std::logic_error when called on a blocking client's own thread (from a handler), where
/// waiting would deadlock.
void run_blocking(boost::asio::any_io_executor const& ex, std::function<void()> f);
/// Runs the coroutine `make()` on `ex` and waits for it to finish (rethrowing its exception);
/// std::logic_error on the client's own thread, as run_blocking().
void run_blocking_awaitable(
    boost::asio::any_io_executor const& ex,
    std::function<boost::asio::awaitable<void>()> make);

/// run_blocking() returning `f()`'s result (`R` may be void).
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

/// run_blocking_awaitable() returning the result of the coroutine `make()`.
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

/** The blocking form of a downlink `D` (value_downlink, map_downlink, event_downlink): every
 * call is posted to the client's thread and waits there for its result.
 *
 * @par Errors
 * Every member throws std::logic_error when called on the client's own thread (from inside
 * a handler), where it would wait for itself; use async() there. Otherwise each one reports
 * errors as the same member of `D` does.
 *
 * @par Cancellation
 * A blocking call cannot be cancelled. The calls that wait for a state (linked(), synced(),
 * get(), next_event()) return or throw when the downlink ends, which closing the downlink or
 * the client (from another thread) makes happen.
 *
 * @par Thread safety
 * Any thread except the client's own; calls from several threads are serialised on the
 * client's thread.
 */
template <class D>
class blocking_handle {
public:
    /// Wraps `d`, a downlink of the client whose executor is `ex`.
    blocking_handle(D d, boost::asio::any_io_executor ex)
        : d_(std::move(d))
        , ex_(std::move(ex))
    {}

    /// Blocks until linked; throws boost::system::system_error (with the reason) if the
    /// downlink ends first, as D::linked().
    void linked()
    {
        await_blocking<bool>(ex_, [this]() -> boost::asio::awaitable<bool> {
            co_await d_.linked();
            co_return true;
        });
    }
    /// Blocks until synced; throws boost::system::system_error (with the reason) if the
    /// downlink ends first, as D::synced(). An event downlink never syncs: it waits until it
    /// ends.
    void synced()
    {
        await_blocking<bool>(ex_, [this]() -> boost::asio::awaitable<bool> {
            co_await d_.synced();
            co_return true;
        });
    }
    /// Whether the link is up now.
    bool is_linked()
    {
        return call_blocking<bool>(ex_, [this] { return d_.is_linked(); });
    }
    /// Whether the downlink is synced now.
    bool is_synced()
    {
        return call_blocking<bool>(ex_, [this] { return d_.is_synced(); });
    }
    /// Whether the downlink has ended (closed, unlinked for good or failed).
    bool is_closed()
    {
        return call_blocking<bool>(ex_, [this] { return d_.is_closed(); });
    }
    /// Why the downlink ended, as the server or the client said it (`nodeNotFound`, ...);
    /// empty while it is open, or when it was closed by close().
    std::string reason()
    {
        return call_blocking<std::string>(ex_, [this] { return d_.reason(); });
    }
    /// Closes the downlink as D::close() (queued writes first, then @unlink if it was the
    /// last downlink of its link); waits only for the call, not for the network.
    void close()
    {
        call_blocking<void>(ex_, [this] { d_.close(); });
    }

    /** Registers a handler (replacing the previous one), as D::on_linked(). Handlers may be
     * plain callables or coroutines returning `awaitable<void>`; they run on the client's
     * thread, where the blocking members throw std::logic_error: use async() there.
     */
    template <class F>
    blocking_handle& on_linked(F f)
    {
        call_blocking<void>(ex_, [&] { d_.on_linked(std::move(f)); });
        return *this;
    }
    /// `f(std::string_view reason)`: the server unlinked; as D::on_unlinked().
    template <class F>
    blocking_handle& on_unlinked(F f)
    {
        call_blocking<void>(ex_, [&] { d_.on_unlinked(std::move(f)); });
        return *this;
    }
    /// `f(error_code, std::string_view reason)`: the downlink failed; as D::on_failed().
    template <class F>
    blocking_handle& on_failed(F f)
    {
        call_blocking<void>(ex_, [&] { d_.on_failed(std::move(f)); });
        return *this;
    }

    /// The asynchronous downlink underneath. Use it on the client's executor only (in a
    /// handler, or in a coroutine spawned on blocking_client::executor()).
    D& async() noexcept { return d_; }

protected:
    D d_;
    boost::asio::any_io_executor ex_;
};

}  // namespace detail

/** A value downlink for plain (non-coroutine) code; see value_downlink and, for errors,
 * cancellation and thread safety, detail::blocking_handle.
 */
template <class T>
class blocking_value_downlink : public detail::blocking_handle<value_downlink<T>> {
    using base = detail::blocking_handle<value_downlink<T>>;

public:
    using base::base;

    /// Blocks until synced, then returns the value. Throws as value_downlink::get():
    /// boost::system::system_error if the downlink ends first, recon::conversion_exception if
    /// the value is not a `T`.
    T get()
    {
        return detail::await_blocking<T>(this->ex_, [this] { return this->d_.get(); });
    }
    /** Sets the value (waits for the client's thread, never for the network).
     * @returns as value_downlink::set(): warp::error::closed when the downlink is closed,
     * warp::error::queue_full when the connection's write queue is full (nothing changed).
     */
    boost::system::error_code set(T const& v)
    {
        return detail::call_blocking<boost::system::error_code>(this->ex_, [&] {
            return this->d_.set(v);
        });
    }
    /// `f(T const& now, std::optional<T> const& before)`; as value_downlink::did_set().
    /// The value held now, without waiting (see value_downlink::current()).
    std::optional<T> current()
    {
        return detail::call_blocking<std::optional<T>>(this->ex_, [this] {
            return this->d_.current();
        });
    }

    template <class F>
    blocking_value_downlink& did_set(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.did_set(std::move(f)); });
        return *this;
    }
    /// `f(T const& value)`: every event; as value_downlink::on_event().
    template <class F>
    blocking_value_downlink& on_event(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.on_event(std::move(f)); });
        return *this;
    }
    /// `f(T const& value)`: synced; as value_downlink::on_synced().
    template <class F>
    blocking_value_downlink& on_synced(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.on_synced(std::move(f)); });
        return *this;
    }
};

/** A map downlink for plain (non-coroutine) code; see map_downlink and, for errors,
 * cancellation and thread safety, detail::blocking_handle.
 *
 * The writes wait for the client's thread, never for the network, and return as the same
 * member of map_downlink: warp::error::closed when the downlink is closed,
 * warp::error::queue_full when the connection's write queue is full (nothing changed).
 */
template <class K, class V>
class blocking_map_downlink : public detail::blocking_handle<map_downlink<K, V>> {
    using base = detail::blocking_handle<map_downlink<K, V>>;

public:
    using base::base;

    /// Blocks until synced, then returns the value at `key` or nullopt. Throws as
    /// blocking_value_downlink::get().
    std::optional<V> get(K const& key)
    {
        return detail::await_blocking<std::optional<V>>(this->ex_, [this, key] {
            return this->d_.get(key);
        });
    }
    /// Blocks until synced, then returns every entry. Throws as
    /// blocking_value_downlink::get().
    std::map<K, V> get_all()
    {
        return detail::await_blocking<std::map<K, V>>(this->ex_, [this] {
            return this->d_.get_all();
        });
    }
    /// Puts an entry: locally at once (did_update fires), then the command; as
    /// map_downlink::put().
    boost::system::error_code put(K const& key, V const& v)
    {
        return detail::call_blocking<boost::system::error_code>(this->ex_, [&] {
            return this->d_.put(key, v);
        });
    }
    /// The same as put().
    boost::system::error_code set(K const& key, V const& v) { return put(key, v); }
    /// Removes an entry; as map_downlink::remove().
    boost::system::error_code remove(K const& key)
    {
        return detail::call_blocking<boost::system::error_code>(this->ex_, [&] {
            return this->d_.remove(key);
        });
    }
    /// The same as remove().
    boost::system::error_code erase(K const& key) { return remove(key); }
    /// Removes every entry; as map_downlink::clear().
    boost::system::error_code clear()
    {
        return detail::call_blocking<boost::system::error_code>(this->ex_, [&] {
            return this->d_.clear();
        });
    }
    /// Keeps the first `n` entries in key order; as map_downlink::take().
    boost::system::error_code take(std::uint64_t n)
    {
        return detail::call_blocking<boost::system::error_code>(this->ex_, [&] {
            return this->d_.take(n);
        });
    }
    /// Removes the first `n` entries in key order; as map_downlink::drop().
    boost::system::error_code drop(std::uint64_t n)
    {
        return detail::call_blocking<boost::system::error_code>(this->ex_, [&] {
            return this->d_.drop(n);
        });
    }
    /// `f(K const& key, V const& now, std::optional<V> const& before)`; as
    /// map_downlink::did_update().
    /// @name Reads that do not wait (see map_downlink)
    ///@{
    std::size_t size()
    {
        return detail::call_blocking<std::size_t>(this->ex_, [this] { return this->d_.size(); });
    }
    bool contains(K const& key)
    {
        return detail::call_blocking<bool>(this->ex_, [&] { return this->d_.contains(key); });
    }
    std::optional<V> current(K const& key)
    {
        return detail::call_blocking<std::optional<V>>(this->ex_, [&] {
            return this->d_.current(key);
        });
    }
    std::vector<K> keys()
    {
        return detail::call_blocking<std::vector<K>>(this->ex_, [this] { return this->d_.keys(); });
    }
    std::map<K, V> snapshot()
    {
        return detail::call_blocking<std::map<K, V>>(this->ex_, [this] {
            return this->d_.snapshot();
        });
    }
    ///@}

    /// Blocks until the next change (see map_downlink::next_event()).
    map_change<K, V> next_event()
    {
        return detail::await_blocking<map_change<K, V>>(this->ex_, [this] {
            return this->d_.next_event();
        });
    }

    template <class F>
    blocking_map_downlink& did_update(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.did_update(std::move(f)); });
        return *this;
    }
    /// `f(K const& key, V const& was)`; as map_downlink::did_remove().
    template <class F>
    blocking_map_downlink& did_remove(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.did_remove(std::move(f)); });
        return *this;
    }
    /// `f()`; as map_downlink::did_clear().
    template <class F>
    blocking_map_downlink& did_clear(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.did_clear(std::move(f)); });
        return *this;
    }
    /// `f(std::map<K, V> const& entries)`; as map_downlink::on_synced().
    template <class F>
    blocking_map_downlink& on_synced(F f)
    {
        detail::call_blocking<void>(this->ex_, [&] { this->d_.on_synced(std::move(f)); });
        return *this;
    }
};

/** An event downlink for plain (non-coroutine) code; see event_downlink and, for errors,
 * cancellation and thread safety, detail::blocking_handle.
 */
template <class T>
class blocking_event_downlink : public detail::blocking_handle<event_downlink<T>> {
    using base = detail::blocking_handle<event_downlink<T>>;

public:
    using base::base;

    /// Blocks until the next event (buffering starts at the first call). Throws
    /// boost::system::system_error when the downlink has ended, as event_downlink::next_event(),
    /// and recon::conversion_exception when the event is not a `T`.
    T next_event()
    {
        return detail::await_blocking<T>(this->ex_, [this] { return this->d_.next_event(); });
    }
    /// `f(T const& event)`: every event; as event_downlink::on_event().
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
 * @par Errors
 * As the client's (see client): opening a downlink never fails at once (a bad host gives a
 * downlink that has already failed with error::invalid_host), writes return an error_code,
 * and the calls that wait for a state throw boost::system::system_error when the downlink
 * ends first. Every call made on the client's own thread throws std::logic_error.
 *
 * @par Cancellation
 * Blocking calls cannot be cancelled; close() ends every downlink, which ends the waits of
 * other threads (system_error with error::client_closed).
 *
 * @par Thread safety
 * Its methods, and those of its downlinks, may be called from any thread except from inside
 * a handler (that would wait for itself: std::logic_error), close() included. Calls after
 * close() still return: writes and commands fail with error::client_closed or
 * warp::error::closed, waits throw system_error. The thread stops in the destructor.
 */
class blocking_client {
public:
    /// Starts the client's thread; connects to nothing until a downlink or command needs it.
    explicit blocking_client(client_config cfg = {});
    /// close(), ignoring its exceptions, then stops and joins the client's thread. Do not
    /// destroy it from its own thread.
    ~blocking_client();
    blocking_client(blocking_client const&) = delete;
    blocking_client& operator=(blocking_client const&) = delete;

    /// A value downlink, as client::value_downlink(); blocks until it is made, not until it
    /// is linked (use linked() or synced() for that).
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

    /// A map downlink, as client::map_downlink(); blocks as value_downlink().
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

    /// An event downlink, as client::event_downlink(); blocks as value_downlink().
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

    /** Queues a command, as client::command(); waits for the client's thread, never for the
     * network. @returns error::invalid_host, warp::error::queue_full, or error::client_closed.
     * @throws boost::system::system_error when `body` holds a non-finite float.
     */
    boost::system::error_code command(
        std::string_view host,
        std::string_view node,
        std::string_view lane,
        recon::value const& body = {});

    /** Closes everything as client::async_close() (queued writes first, then @unlink and the
     * WebSocket close) and waits for that. A second call, from any thread, returns at once.
     * Later calls fail (client_closed, closed downlinks) rather than wait.
     * @throws std::logic_error when called from a handler (the client's own thread); the
     * client is then not closed.
     */
    void close();

    /// The asynchronous client underneath. Use it on its executor only (in a handler, or in a
    /// coroutine spawned on executor()).
    client& async() noexcept;
    /// The executor the client and its handlers run on (the client's strand).
    boost::asio::any_io_executor executor() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace swim::client

#endif
