// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/error.hpp>

#include <string>

namespace swim::recon {

namespace {

class category final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "swim.recon"; }

    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
            case error::unexpected_character: return "unexpected character";
            case error::unexpected_end: return "unexpected end of input";
            case error::unterminated_string: return "unterminated string";
            case error::unterminated_record: return "unterminated record";
            case error::unterminated_attribute: return "unterminated attribute";
            case error::unterminated_markup: return "unterminated markup";
            case error::invalid_escape: return "invalid escape";
            case error::invalid_number: return "invalid number";
            case error::invalid_data: return "invalid base64 data";
            case error::invalid_utf8: return "invalid UTF-8";
            case error::missing_attribute_name: return "missing attribute name";
            case error::missing_slot_key: return "missing slot key";
            case error::trailing_characters: return "trailing characters";
            case error::max_depth_exceeded: return "maximum nesting depth exceeded";
            case error::input_too_large: return "input too large";
            case error::number_too_long:
                return "a 0x or 0b integer beyond 64 bits has too many digits "
                       "(parse_options::max_radix_digits)";
            case error::value_too_large:
                return "the value would take more memory than allowed "
                       "(parse_options::max_memory)";
            case error::non_finite_float: return "non-finite float cannot be written";
            case error::type_mismatch: return "type mismatch";
            case error::out_of_range: return "number out of range";
            case error::missing_field: return "missing field";
            case error::invalid_value: return "invalid value";
        }
        return "unknown swim.recon error " + std::to_string(ev);
    }
};

}  // namespace

boost::system::error_category const& error_category() noexcept
{
    static category const instance;
    return instance;
}

std::string parse_error::message() const
{
    return code.message() + " at " + std::to_string(offset);
}

}  // namespace swim::recon
