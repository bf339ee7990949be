// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_ERROR_HPP
#define SWIM_SERVER_ERROR_HPP

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace swim::server {

/// Errors of the server (category "swim.server").
enum class error {
    invalid_route = 1,  ///< a route pattern that cannot be used
    already_started,    ///< start() called twice
    tls_setup,          ///< the TLS certificate or key could not be loaded
    stopped,            ///< the server is stopping or stopped
    http_root,          ///< server_config::http_root is not a directory that can be read
    store_open,         ///< the durable store could not be opened
    store_format,       ///< the durable store is in another format version
    store_write,        ///< a write to the store failed
    store_read,         ///< a read from the store failed
};

/// The category of swim::server::error codes ("swim.server").
boost::system::error_category const& error_category() noexcept;

/// Makes `e` an error_code of error_category() (found by ADL: `ec == error::stopped`).
inline boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

}  // namespace swim::server

namespace boost::system {
template <>
struct is_error_code_enum<swim::server::error> : std::true_type {};
}  // namespace boost::system

#endif
