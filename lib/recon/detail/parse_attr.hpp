// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// Library-internal entry points of the Recon parser, used by the WARP envelope readers.

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

/// Reads the whole of `text` as one common scalar (an ASCII identifier, true or false, a
/// quoted text without escapes or non-ASCII bytes, a decimal integer of at most 18 digits), as
/// parse() would; false, `out` unspecified, for anything else (parse() decides it).
bool parse_simple_scalar(std::string_view text, value& out);

/// Reads one common scalar (as parse_simple_scalar) at `p`, before `end`, into `out` (absent
/// before) when no postfix attribute follows it. Returns where it ends (spaces after it not
/// taken), or nullptr, `out` untouched, for anything else.
char const* read_simple_scalar(char const* p, char const* end, value& out);

}  // namespace swim::recon::detail

#endif
