// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// Text that came from the network, made safe to check, to log and to send back: UTF-8
// validation, cutting on a character boundary, escaping. Sans-io. Private.

#ifndef SWIM_LIB_NET_TEXT_HPP
#define SWIM_LIB_NET_TEXT_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace swim::net::detail {

/// True when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
/// above U+10FFFF). Linear; ASCII runs are checked eight bytes a step.
bool valid_utf8(std::string_view s) noexcept;

/** `s` as one log line or one close reason: printable ASCII and well-formed UTF-8 stay,
 * a backslash becomes `\\`, control characters become `\n`, `\r`, `\t` or `\xHH`, and every
 * byte that is not part of well-formed UTF-8 becomes `\xHH`. The result is valid UTF-8 with
 * no control characters, at most `max_bytes` long (at least 16), cut on a character
 * boundary; a cut result ends with `...`.
 */
std::string escape_untrusted(std::string_view s, std::size_t max_bytes = 512);

/// The longest prefix of the well-formed UTF-8 `s` that is at most `max_bytes` long and ends
/// on a character boundary.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) noexcept;

}  // namespace swim::net::detail

#endif
