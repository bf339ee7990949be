// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// Library-internal entry point of the Recon parser, used by the WARP envelope reader.

#ifndef SWIM_LIB_RECON_DETAIL_PARSE_ATTR_HPP
#define SWIM_LIB_RECON_DETAIL_PARSE_ATTR_HPP

#include <swim/recon/error.hpp>
#include <swim/recon/parser.hpp>
#include <swim/recon/value.hpp>

#include <cstddef>
#include <string_view>

namespace swim::recon::detail {

/// Parses one attribute (`@name` or `@name(block)`) at the start of `text` into `out`, and
/// sets `consumed` to the number of bytes it took. Returns false and sets `err` on failure.
bool parse_leading_attr(
    std::string_view text,
    item& out,
    std::size_t& consumed,
    parse_error& err,
    parse_options const& opts);

}  // namespace swim::recon::detail

#endif
