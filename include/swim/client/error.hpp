// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_ERROR_HPP
#define SWIM_CLIENT_ERROR_HPP

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace swim::client {

/// Errors of the client (category "swim.client").
enum class error {
    invalid_host = 1,  ///< a host URI that cannot be used (scheme, host, port)
    unlinked,          ///< the server ended the link (the reason says why: nodeNotFound, ...)
    link_failed,       ///< the link failed: a frame it could not read, a value it could not convert
    client_closed,     ///< the client was closed
    no_value,          ///< the downlink holds no value (the lane is empty)
    overrun,           ///< an event downlink's handlers fell max_pending_events behind
    upgrade_refused,   ///< the host refused the WebSocket upgrade (the reason has its answer)
    no_sync,           ///< a wait for a sync on a downlink that does not sync (keep_synced false)
};

/// The category of swim::client::error codes ("swim.client").
boost::system::error_category const& error_category() noexcept;

/// Makes `e` an error_code of error_category() (found by ADL: `ec == error::invalid_host`).
inline boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

}  // namespace swim::client

namespace boost::system {
template <>
struct is_error_code_enum<swim::client::error> : std::true_type {};
}  // namespace boost::system

#endif
