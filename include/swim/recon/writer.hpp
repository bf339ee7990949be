// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_RECON_WRITER_HPP
#define SWIM_RECON_WRITER_HPP

#include <swim/recon/error.hpp>
#include <swim/recon/value.hpp>

#include <string>
#include <string_view>

namespace swim::recon {

/** Appends the compact canonical Recon text of `v` to `out` (`warp-protocol.md` §1.6a).
 *
 * The output never contains markup, comments, newlines or postfix attributes; the only space
 * is the one between a prefix attribute and a lone plain value (`@first 1`). Text is written
 * bare when it is an identifier other than `true`/`false`, otherwise double-quoted with
 * `\" \\ \n \r \t \b \f` and lower-case `\u00xx` escapes for the other control characters.
 * Floats are written in the shortest form that reads back to the same double, always with
 * a `.` or an exponent. Attributes that follow plain items are hoisted before them.
 * Both the Java and the Rust parsers read the result back to the same value.
 *
 * @param ec set to error::non_finite_float when `v` holds NaN or an infinity (nothing that
 *        reads Recon accepts them); `out` then holds a partial write.
 */
void write(value const& v, std::string& out, boost::system::error_code& ec);

/// As write(), but throws `boost::system::system_error` on a non-finite float.
void write(value const& v, std::string& out);

/// The canonical text of `v`; throws `boost::system::system_error` on a non-finite float.
std::string to_string(value const& v);

/// True when `v` holds no NaN and no infinity anywhere (keys and values of nested records
/// included): write() succeeds on it. Writers of frames check it before they change state.
bool is_writable(value const& v) noexcept;

/// True when write(v) starts with `@` (a record with attributes: they are written first).
bool writes_leading_attr(value const& v) noexcept;

/// Appends `s` as Recon text: bare when it is an identifier, else quoted.
void write_text(std::string_view s, std::string& out);

}  // namespace swim::recon

#endif
