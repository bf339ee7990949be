// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_DETAIL_DISPATCH_HPP
#define SWIM_CLIENT_DETAIL_DISPATCH_HPP

#include <swim/recon/convert.hpp>
#include <swim/warp/downlink_model.hpp>
#include <swim/warp/host_session.hpp>

#include <swim/client/detail/handler.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

/** @file
 * The typed dispatch of downlink notifications, shared by client downlinks and agent-side
 * downlinks: which handlers a notification fires, with which typed arguments, in which
 * order, and what a value that does not convert does (the downlink fails, on_failed runs).
 * It is written once; how the handlers run is the caller's `Call` policy:
 * - now_call: in place, when every handler is plain (no coroutine frame per notification);
 * - record_call: recorded, then awaited one after another (some handler is a coroutine).
 */

namespace swim::client::detail {

/// What the typed dispatch needs of the downlink it runs for.
class note_owner {
public:
    /// What on_failed says of a value that does not convert (`err` says why).
    virtual std::string conversion_failure(recon::conversion_error const& err) const = 0;
    /// Fails the downlink for it.
    virtual void fail_conversion(recon::conversion_error const& err, std::string const& why) = 0;
    /// The entries held now, for a map's @synced whose state was not frozen (it runs in the
    /// turn it came in); null when there are none to give.
    virtual warp::map_state const* live_map() const noexcept = 0;

protected:
    ~note_owner() = default;
};

/// The handlers every kind of downlink has.
struct common_handlers {
    handler<> on_linked;
    handler<std::string_view> on_unlinked;
    handler<boost::system::error_code, std::string_view> on_failed;
    handler<boost::system::error_code, std::string_view> on_unreachable;
    /// Some handler is a coroutine: notifications go through record_call and are awaited.
    /// While every handler is plain they run in place.
    bool any_coroutine = false;
    /// The link came up (was synced) while on_linked (on_synced) was not set: a handler set
    /// later, while the link is still up (synced), is called once then.
    mutable bool missed_linked = false;
    mutable bool missed_synced = false;

    /// Records that `h` was set.
    template <class... A>
    void noted(handler<A...> const& h) noexcept
    {
        any_coroutine = any_coroutine || h.is_coroutine();
    }
};

template <class T>
struct value_handlers : common_handlers {
    /// (now, before): the value changed.
    handler<T const&, std::optional<T> const&> did_set;
    handler<T const&> on_event;
    handler<T const&> on_synced;
};

template <class K, class V>
struct map_handlers : common_handlers {
    /// (key, now, before)
    handler<K const&, V const&, std::optional<V> const&> did_update;
    /// (key, before)
    handler<K const&, V const&> did_remove;
    handler<> did_clear;
    handler<std::map<K, V> const&> on_synced;
};

template <class T>
struct event_handlers : common_handlers {
    handler<T const&> on_event;
};

// ---- call policies ------------------------------------------------------------------------

/// Runs each handler in place (every handler is plain).
struct now_call {
    note_owner& owner;

    template <class... A, class... B>
    void operator()(handler<A...> const& h, B&&... args) const
    {
        h.call(std::forward<B>(args)...);
    }
    std::string fail(recon::conversion_error const& err) const
    {
        std::string why = owner.conversion_failure(err);
        owner.fail_conversion(err, why);
        return why;
    }
};

/// A recorded step that fails the downlink (compiled).
boost::asio::awaitable<void> fail_step(
    note_owner* owner,
    recon::conversion_error err,
    std::string why);

/// Records each handler with copies of its arguments; run() awaits them in order.
struct record_call {
    note_owner& owner;
    std::vector<std::function<boost::asio::awaitable<void>()>> steps;

    /// A string_view argument is kept as a string: the step runs after the dispatch returned.
    template <class B>
    using stored_t = std::conditional_t<
        std::is_same_v<std::decay_t<B>, std::string_view>,
        std::string,
        std::decay_t<B>>;

    template <class... A, class... B>
    void operator()(handler<A...> const& h, B&&... args)
    {
        steps.emplace_back(
            [h, ... a = stored_t<B>(std::forward<B>(args))]() -> boost::asio::awaitable<void> {
                return h(a...);
            });
    }
    /// The failure is a step too: it happens after the handlers recorded before it ran.
    std::string fail(recon::conversion_error const& err)
    {
        std::string why = owner.conversion_failure(err);
        steps.emplace_back([o = &owner, err, why] { return fail_step(o, err, why); });
        return why;
    }
};

/// Awaits `steps` one after another (compiled).
boost::asio::awaitable<void> run_steps(
    std::vector<std::function<boost::asio::awaitable<void>()>> steps);

// ---- the dispatch -------------------------------------------------------------------------

/// Fires the common handlers for `n`; true when `n` was one of theirs.
template <class Call>
bool dispatch_common(common_handlers const& h, warp::downlink_notification const& n, Call& call)
{
    using type = warp::downlink_notification::type;
    switch (n.what) {
        case type::linked:
            if (n.replayed && !h.missed_linked)
                return true;  // a linked reached it since the replay was asked for
            if (h.on_linked)
                call(h.on_linked);
            h.missed_linked = !h.on_linked;
            return true;
        case type::unlinked:
            h.missed_linked = h.missed_synced = false;
            if (h.on_unlinked)
                call(h.on_unlinked, std::string_view(n.reason));
            return true;
        case type::failed:
            h.missed_linked = h.missed_synced = false;
            if (h.on_failed)
                call(h.on_failed, n.error, std::string_view(n.reason));
            return true;
        case type::unreachable:
            if (h.on_unreachable)
                call(h.on_unreachable, n.error, std::string_view(n.reason));
            return true;
        default: return false;
    }
}

/// Converts `v` to `T`; on failure the downlink fails and on_failed fires.
template <class T, class Call>
bool convert_or_fail(common_handlers const& h, recon::value const& v, T& out, Call& call)
{
    recon::conversion_error err;
    if (recon::value_to(v, out, err))
        return true;
    std::string why = call.fail(err);
    if (h.on_failed)
        call(h.on_failed, err.code, std::string_view(why));
    return false;
}

/// `v` as a handler's `T` argument: `v` itself when T is recon::value (no copy), else its
/// conversion, made in `slot`. Null when it does not convert (the downlink has failed).
template <class T, class Call>
T const* handler_arg(
    common_handlers const& h,
    recon::value const& v,
    std::optional<T>& slot,
    Call& call)
{
    if constexpr (std::is_same_v<T, recon::value>) {
        return &v;
    } else {
        if (!convert_or_fail(h, v, slot.emplace(), call))
            return nullptr;
        return &*slot;
    }
}

/// A value downlink: on_synced(v); per set, on_event(v), then did_set(v, before) if it
/// changed the state.
template <class T, class Call>
void dispatch(value_handlers<T> const& h, warp::downlink_notification const& n, Call& call)
{
    using type = warp::downlink_notification::type;
    if (dispatch_common(h, n, call))
        return;
    if (n.what == type::synced) {
        if (n.replayed && !h.missed_synced)
            return;  // a synced reached it since the replay was asked for
        h.missed_synced = !h.on_synced;
        T v;
        if (h.on_synced && convert_or_fail(h, n.value, v, call))
            call(h.on_synced, v);
        return;
    }
    if (n.what != type::set || (!h.on_event && !(h.did_set && n.changed)))
        return;
    std::optional<T> slot;
    T const* vp = handler_arg(h, n.value, slot, call);
    if (!vp)
        return;
    T const& v = *vp;
    if (h.on_event)
        call(h.on_event, v);
    if (!h.did_set || !n.changed)
        return;
    std::optional<T> before;
    if (!n.old.is_empty()) {
        T old;
        if (!convert_or_fail(h, n.old, old, call))
            return;
        before = std::move(old);
    }
    call(h.did_set, v, before);
}

/// The key and value of an entry: a slot of a frozen record, or an entry of a map_state.
inline std::pair<recon::value const&, recon::value const&> entry_of(recon::item const& i)
{
    return {i.key, i.val};
}
inline std::pair<recon::value const&, recon::value const&> entry_of(
    warp::map_state::value_type const& e)
{
    return {e.first, e.second};
}

/// Converts a map's entries (`range`: a record of slots, or a map_state).
template <class K, class V, class Range, class Call>
bool convert_entries(common_handlers const& h, Range const& range, std::map<K, V>& out, Call& call)
{
    for (auto const& e : range) {
        auto [k, v] = entry_of(e);
        K key;
        V value;
        if (!convert_or_fail(h, k, key, call) || !convert_or_fail(h, v, value, call))
            return false;
        out.insert_or_assign(std::move(key), std::move(value));
    }
    return true;
}

/// A map downlink: on_synced(entries) with the state at @synced (the note's record when it
/// was frozen, else the entries held now); did_update, did_remove, did_clear per change.
template <class K, class V, class Call>
void dispatch(map_handlers<K, V> const& h, warp::downlink_notification const& n, Call& call)
{
    using type = warp::downlink_notification::type;
    if (dispatch_common(h, n, call))
        return;
    switch (n.what) {
        case type::synced: {
            if (n.replayed && !h.missed_synced)
                return;  // a synced reached it since the replay was asked for
            h.missed_synced = !h.on_synced;
            if (!h.on_synced)
                return;
            std::map<K, V> entries;
            bool ok = true;
            if (n.value.is_record())
                ok = convert_entries(h, n.value.as_record(), entries, call);
            else if (auto live = call.owner.live_map())
                ok = convert_entries(h, *live, entries, call);
            if (ok)
                call(h.on_synced, entries);
            return;
        }
        case type::update: {
            if (!h.did_update)
                return;
            std::optional<K> key_slot;
            std::optional<V> now_slot;
            K const* key = handler_arg(h, n.key, key_slot, call);
            V const* now = key ? handler_arg(h, n.value, now_slot, call) : nullptr;
            if (!now)
                return;
            std::optional<V> before;
            if (!n.old.is_absent()) {
                V old;
                if (!convert_or_fail(h, n.old, old, call))
                    return;
                before = std::move(old);
            }
            call(h.did_update, *key, *now, before);
            return;
        }
        case type::remove: {
            if (!h.did_remove)
                return;
            K key;
            V was;
            if (!convert_or_fail(h, n.key, key, call) || !convert_or_fail(h, n.old, was, call))
                return;
            call(h.did_remove, key, was);
            return;
        }
        case type::clear:
            if (h.did_clear)
                call(h.did_clear);
            return;
        default: return;
    }
}

/// An event downlink: on_event(v) per event.
template <class T, class Call>
void dispatch(event_handlers<T> const& h, warp::downlink_notification const& n, Call& call)
{
    if (dispatch_common(h, n, call))
        return;
    if (n.what != warp::downlink_notification::type::event || !h.on_event)
        return;
    std::optional<T> slot;
    if (T const* v = handler_arg(h, n.value, slot, call))
        call(h.on_event, *v);
}

// ---- the dispatcher a runner holds ---------------------------------------------------------

/// Runs a downlink's handlers for one notification (the typed part, behind the compiled
/// runner).
class note_dispatcher {
public:
    /// True when some handler is a coroutine: run with record() and awaited.
    virtual bool coroutine() const noexcept = 0;
    /// Runs the handlers in place (every handler is plain).
    virtual void run_now(note_owner& owner, warp::downlink_notification const& n) = 0;
    /// The handlers to await, in order.
    virtual std::vector<std::function<boost::asio::awaitable<void>()>> record(
        note_owner& owner,
        warp::downlink_notification const& n) = 0;

protected:
    ~note_dispatcher() = default;
};

/// The handlers `H` (value_handlers, map_handlers, event_handlers) with their dispatch, in
/// one allocation.
template <class H>
struct typed_dispatcher final
    : H
    , note_dispatcher {
    bool coroutine() const noexcept override { return this->any_coroutine; }
    void run_now(note_owner& owner, warp::downlink_notification const& n) override
    {
        now_call call{owner};
        dispatch(static_cast<H const&>(*this), n, call);
    }
    std::vector<std::function<boost::asio::awaitable<void>()>> record(
        note_owner& owner,
        warp::downlink_notification const& n) override
    {
        record_call call{owner, {}};
        dispatch(static_cast<H const&>(*this), n, call);
        return std::move(call.steps);
    }
};

/// `h` with its two arguments swapped, plain or coroutine as `h` is.
template <class A, class B>
handler<B, A> swap_args(handler<A, B> h)
{
    if (!h)
        return {};
    if (h.is_coroutine())
        return make_handler<B, A>(
            [h](B b, A a) { return h(std::forward<A>(a), std::forward<B>(b)); });
    return make_handler<B, A>([h](B b, A a) { h.call(std::forward<A>(a), std::forward<B>(b)); });
}

}  // namespace swim::client::detail

#endif
