// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// The head of a lane-addressed envelope, `@event(node:N,lane:L)`, written into a Recon sink
// (the envelope writers and the map update writer share it).

#ifndef SWIM_WARP_ENVELOPE_HEAD_HPP
#define SWIM_WARP_ENVELOPE_HEAD_HPP

#include <swim/warp/envelope.hpp>

#include <string_view>

#include "../recon/detail/sink.hpp"

namespace swim::warp::detail {

/** Puts `@kind(node:N,lane:L)` (no link parameters) into `k`. A lane sends its events one
 * after the other: the last head written on this thread is kept and copied when the next has
 * the same kind, node and lane (up to 256 bytes of names).
 */
void put_envelope_head(
    envelope_kind kind,
    std::string_view node,
    std::string_view lane,
    recon::detail::sink& k);

}  // namespace swim::warp::detail

#endif
