// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_WARP_MAP_EVENT_HPP
#define SWIM_WARP_MAP_EVENT_HPP

#include <swim/recon/value.hpp>
#include <swim/warp/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace swim::warp {

/** A map lane operation, the body of a map lane `@event` or `@command` (§3.3):
 * `@update(key:K) V`, `@remove(key:K)`, `@clear`, `@take(n)`, `@drop(n)`.
 */
struct map_event {
    /// The operation.
    enum class op : std::uint8_t {
        update,  ///< `@update(key:K) V`: put V at K
        remove,  ///< `@remove(key:K)`
        clear,   ///< `@clear`: remove every entry
        take,    ///< `@take(n)`: keep the first n entries in key order
        drop     ///< `@drop(n)`: remove the first n entries in key order
    };

    op kind = op::clear;
    recon::value key;     ///< update, remove
    recon::value value;   ///< update
    std::uint64_t n = 0;  ///< take, drop

    /// The operations, made.
    static map_event update(recon::value k, recon::value v)
    {
        return {op::update, std::move(k), std::move(v), 0};
    }
    static map_event remove(recon::value k) { return {op::remove, std::move(k), {}, 0}; }
    static map_event clear() { return {op::clear, {}, {}, 0}; }
    static map_event take(std::uint64_t n) { return {op::take, {}, {}, n}; }
    static map_event drop(std::uint64_t n) { return {op::drop, {}, {}, n}; }

    friend bool operator==(map_event const&, map_event const&) = default;
};

/// Interprets a parsed body as a map operation; error::invalid_map_event when it is none.
/// Takes the body by value to move the key and value out of it.
boost::system::error_code to_map_event(recon::value body, map_event& out);

/// The body value of a map operation, to send or to write with recon::write. Never fails.
recon::value to_value(map_event const& e);

/// Appends the canonical body text of a map operation; throws boost::system::system_error
/// when the key or value holds a non-finite float (as recon::write).
void write_map_event(map_event const& e, std::string& out);

/** Appends `@event(node:N,lane:L)@update(key:K)V`: the same text as write_envelope() of the
 * event with the body to_value(map_event::update(key, value)), without building the body
 * when the key and value are scalars (a map lane's sync writes one per entry). Throws
 * boost::system::system_error on a non-finite float, as recon::write.
 */
void write_map_update_envelope(
    std::string_view node,
    std::string_view lane,
    recon::value const& key,
    recon::value const& value,
    std::string& out);

/// Appends `@event(node:N,lane:L)` and the body of `e`, as write_envelope() of to_value(e)
/// (an update through write_map_update_envelope()).
void write_map_event_envelope(
    std::string_view node,
    std::string_view lane,
    map_event const& e,
    std::string& out);

}  // namespace swim::warp

#endif
