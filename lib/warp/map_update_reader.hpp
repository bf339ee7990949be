// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// The common map lane event, `@update(key:K) V` with K and V one plain token each, read
// without building the envelope's record (a map downlink applies one per change).

#ifndef SWIM_WARP_MAP_UPDATE_READER_HPP
#define SWIM_WARP_MAP_UPDATE_READER_HPP

#include <swim/recon/parser.hpp>
#include <swim/warp/map_event.hpp>

#include <string_view>

namespace swim::warp::detail {

/** Reads `body` as `@update(key:K) V` (V may be absent) when K and V are each an identifier, a
 * number or a quoted text without escapes: the same event as
 * `to_map_event(recon::parse(body, opts))`. False for any other body (the caller parses it
 * whole, and reports what is wrong with it), `out` then unspecified.
 */
bool read_map_update(std::string_view body, map_event& out, recon::parse_options const& opts);

}  // namespace swim::warp::detail

#endif
