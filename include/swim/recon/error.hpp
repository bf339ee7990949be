// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_RECON_ERROR_HPP
#define SWIM_RECON_ERROR_HPP

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <string>
#include <type_traits>

namespace swim::recon {

/// Errors of the Recon parser, writer and typed conversions (category "swim.recon").
enum class error {
    // parser
    unexpected_character = 1,  ///< a character that cannot start or continue what is being read
    unexpected_end,            ///< the input ended inside a value
    unterminated_string,       ///< a string with no closing quote
    unterminated_record,       ///< `{` with no matching `}`
    unterminated_attribute,    ///< `@name(` with no matching `)`
    unterminated_markup,       ///< `[` with no matching `]`
    invalid_escape,            ///< a backslash escape that is not defined
    invalid_number,            ///< a malformed number (`1.`, `1e`, a lone `-`)
    invalid_data,              ///< a `%` blob that is not padded base64
    invalid_utf8,              ///< bytes that are not UTF-8
    missing_attribute_name,    ///< `@` followed by neither an identifier nor a string
    missing_slot_key,          ///< `:` with no key before it
    trailing_characters,       ///< more input after a complete value
    max_depth_exceeded,        ///< nesting deeper than parse_options::max_depth
    input_too_large,           ///< input longer than parse_options::max_size
    number_too_long,           ///< a `0x`/`0b` integer beyond 64 bits with more digits than
                               ///< parse_options::max_radix_digits
    value_too_large,           ///< the value would take more memory than
                               ///< parse_options::max_memory
    // writer
    non_finite_float,  ///< NaN or infinity: no Recon implementation reads it back
    // typed conversion
    type_mismatch,  ///< the value has another kind than the target type needs
    out_of_range,   ///< a number that does not fit the target type
    missing_field,  ///< a struct field absent from the record
    invalid_value,  ///< any other value the target type rejects
};

/// The category of swim::recon::error codes ("swim.recon").
boost::system::error_category const& error_category() noexcept;

/// Makes `e` an error_code of error_category() (found by ADL: `ec == error::invalid_utf8`).
inline boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

/// Where and why a parse failed: `"unterminated string at 17"`.
struct parse_error {
    /// A swim::recon::error; empty on success.
    boost::system::error_code code;
    /// Byte offset into the input where the problem was found.
    std::size_t offset = 0;
    /// The memory the parsed value was counted at (see parse_options::max_memory), also on
    /// success.
    std::size_t memory = 0;

    /// True on failure.
    explicit operator bool() const noexcept { return static_cast<bool>(code); }
    /// "<reason> at <offset>".
    std::string message() const;
};

}  // namespace swim::recon

namespace boost::system {
template <>
struct is_error_code_enum<swim::recon::error> : std::true_type {};
}  // namespace boost::system

#endif
