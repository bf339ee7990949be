// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_WARP_ERROR_HPP
#define SWIM_WARP_ERROR_HPP

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace swim::warp {

/// Errors of the WARP codec and link state machines (category "swim.warp").
enum class error {
    not_an_envelope = 1,  ///< the frame does not start with `@`
    unknown_envelope,     ///< a tag that is not one of the twelve WARP envelopes
    malformed_header,     ///< the `(...)` header block is not valid Recon
    missing_node,         ///< a lane-addressed envelope without a node URI
    missing_lane,         ///< a lane-addressed envelope without a lane URI
    invalid_node,         ///< a node header that is not text
    invalid_lane,         ///< a lane header that is not text
    invalid_prio,         ///< a prio header that is not a number
    invalid_rate,         ///< a rate header that is not a number
    malformed_body,       ///< the body after the header is not valid Recon
    invalid_map_event,    ///< a map lane body that is not update/remove/clear/take/drop
    kind_mismatch,        ///< a downlink of another kind (value, map, event) is open on that lane
    queue_full,           ///< the write queue is full: retry when there is room
    closed,               ///< the downlink (or its client) is closed
};

/// The category of swim::warp::error codes ("swim.warp").
boost::system::error_category const& error_category() noexcept;

/// Makes `e` an error_code of error_category() (found by ADL: `ec == error::queue_full`).
inline boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

}  // namespace swim::warp

namespace boost::system {
template <>
struct is_error_code_enum<swim::warp::error> : std::true_type {};
}  // namespace boost::system

#endif
