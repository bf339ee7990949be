// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_RECON_PARSER_HPP
#define SWIM_RECON_PARSER_HPP

#include <swim/recon/error.hpp>
#include <swim/recon/value.hpp>

#include <cstddef>
#include <stdexcept>
#include <string_view>

namespace swim::recon {

/// Limits of the parser.
struct parse_options {
    /// Deepest nesting of records, attribute arguments and markup; deeper input is
    /// error::max_depth_exceeded. The parser recurses, so this also bounds its stack use.
    std::size_t max_depth = 128;
    /// Longest input in bytes; longer input is error::input_too_large. Zero disables.
    std::size_t max_size = 64 * 1024 * 1024;
    /// Most significant digits of a hex (`0x`) or binary (`0b`) integer beyond 64 bits (its
    /// conversion to decimal costs the square of its digits); more is
    /// error::number_too_long. 1024 hex digits are 4096 bits. Zero disables.
    std::size_t max_radix_digits = 1024;
    /// The most memory the parsed value may take, counted while it is parsed, before it is
    /// spent: the input's size (the most its texts, data and digits can hold) plus, for each
    /// item, its size and the allocator's overhead of two heap blocks. A value that would take
    /// more is error::value_too_large (`@a@a@a...` costs about 40 times its text). Zero
    /// disables. parse_error::memory tells what a parsed value was counted at.
    std::size_t max_memory = 0;
};

/** Parses a Recon document.
 *
 * Reads everything the Java, JS and Rust writers produce (`warp-protocol.md` §1.2 to §1.4):
 * identifiers, `"..."`, `'...'` and back-tick raw strings, decimal, hex (`0x`, `-0x`) and
 * binary (`0b`) integers, floats, `%` base64 data, records, attributes in any position,
 * slots, markup `[...]` and `#` comments. An empty document is absent. Several top-level
 * items separated by `,`, `;` or newlines make a record (Java).
 *
 * @param text  the document
 * @param err   set on failure, with the offset where the problem was found; cleared on success
 * @returns the value, or absent on failure
 * @par Exceptions
 * Only `std::bad_alloc`.
 */
value parse(std::string_view text, parse_error& err, parse_options const& opts = {});

/// Thrown by the throwing overload of parse(); `what()` is the error's message().
class parse_exception : public std::runtime_error {
public:
    explicit parse_exception(parse_error e);
    /// The code and offset of the failure.
    parse_error const& error() const noexcept { return err_; }

private:
    parse_error err_;
};

/// Parses a Recon document; throws parse_exception on failure.
value parse(std::string_view text, parse_options const& opts = {});

/// True when `s` can be written bare: a Recon identifier (Java start set) that is not
/// `true` or `false`.
bool is_identifier(std::string_view s) noexcept;

}  // namespace swim::recon

#endif
