// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// A recursive-descent Recon parser. It reads the union of what the Java, JS and Rust
// implementations write (warp-protocol.md §1.2 to §1.4) and builds values the way Java's
// ValueBuilder does: a block of one plain value is that value, attributes followed by `{...}`
// or `[...]` merge into one record, and so on (§1.3).

#include <swim/recon/parser.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <vector>

#include "detail/chars.hpp"
#include "detail/parse_attr.hpp"
#include "detail/value_access.hpp"

namespace swim::recon {

namespace {

// The items of every record being read, innermost last: a record takes its items off the top
// when it closes, into a vector of exactly their number. Kept per thread so that its storage
// is reused from one parse to the next (a parse never starts another on the same thread).
std::vector<item>& item_stack()
{
    thread_local std::vector<item> stack;
    return stack;
}

class parser {
public:
    parser(std::string_view text, parse_options const& opts)
        : begin_(text.data())
        , p_(text.data())
        , end_(text.data() + text.size())
        , opts_(opts)
        , stack_(item_stack())
        , memory_(text.size())
    {
        stack_.clear();
    }
    parser(parser const&) = delete;
    parser& operator=(parser const&) = delete;
    ~parser()
    {
        stack_.clear();
        // A huge document does not pin its stack's storage to the thread.
        if (stack_.capacity() > 4096)
            std::vector<item>().swap(stack_);
    }

    parse_error err;

    value document()
    {
        // The common document is one value: read it alone, and fall back to a block (several
        // items, or a slot) only when more follows.
        skip_ws();
        if (at_end())
            return {};
        char const* start = p_;
        if (*p_ != ':') {
            if (!charge_item())
                return {};
            stack_.emplace_back();
            if (!parse_value(val_of(0)))
                return {};
            skip_ws();
            if (at_end())
                return std::move(stack_[0].val);
            p_ = start;
            stack_.clear();
        }
        if (!block('\0'))
            return {};
        value out;
        std::size_t n = stack_.size();
        if (n == 1 && stack_[0].is_value()) {
            out = std::move(stack_[0].val);
        } else if (n != 0) {
            value_access::set_record(out).items().assign(
                std::make_move_iterator(stack_.begin()),
                std::make_move_iterator(stack_.end()));
        }
        stack_.clear();
        return out;
    }

    bool leading_attr(item& out, std::size_t& consumed)
    {
        if (at_end() || *p_ != '@' || !attr())
            return fail(error::missing_attribute_name);
        out = std::move(stack_.back());
        stack_.pop_back();
        consumed = static_cast<std::size_t>(p_ - begin_);
        return true;
    }

private:
    using value_access = detail::value_access;

    // ---- errors and positions -----------------------------------------------------------

    bool fail(error e) { return fail(e, p_); }
    bool fail(error e, char const* at)
    {
        if (!err.code) {
            err.code = e;
            err.offset = static_cast<std::size_t>(at - begin_);
        }
        return false;
    }

    bool at_end() const noexcept { return p_ >= end_; }
    unsigned char peek() const noexcept { return static_cast<unsigned char>(*p_); }

    // Spaces, tabs and comments; not newlines (they separate items).
    void skip_space()
    {
        // Most calls find a token right away.
        if (p_<end_&& static_cast<unsigned char>(*p_)> ' ' && *p_ != '#')
            return;
        skip_space_slow();
    }
    void skip_space_slow()
    {
        char const* q = p_;
        char const* const end = end_;
        while (q < end) {
            char c = *q;
            if (c == ' ' || c == '\t') {
                ++q;
            } else if (c == '#') {
                while (q < end && *q != '\n' && *q != '\r')
                    ++q;
            } else {
                break;
            }
        }
        p_ = q;
    }

    // Whitespace including newlines, and comments.
    void skip_ws()
    {
        if (p_<end_&& static_cast<unsigned char>(*p_)> ' ' && *p_ != '#')
            return;
        skip_ws_slow();
    }
    void skip_ws_slow()
    {
        char const* q = p_;
        char const* const end = end_;
        while (q < end) {
            char c = *q;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++q;
            } else if (c == '#') {
                while (q < end && *q != '\n' && *q != '\r')
                    ++q;
            } else {
                break;
            }
        }
        p_ = q;
    }

    /// Counts one more item of the value (see parse_options::max_memory).
    bool charge_item()
    {
        memory_ += item_cost;
        if (opts_.max_memory != 0 && memory_ > opts_.max_memory)
            return fail(error::value_too_large);
        return true;
    }

    bool enter(char const* at)
    {
        if (++depth_ > opts_.max_depth)
            return fail(error::max_depth_exceeded, at);
        return true;
    }
    void leave() noexcept { --depth_; }

    // ---- character classes --------------------------------------------------------------

    bool ident_start_here() const noexcept
    {
        unsigned char c = peek();
        if (c < 0x80)
            return detail::is_ascii_ident_start(c);
        std::uint32_t cp = 0;
        return detail::decode_utf8(p_, end_, cp) != 0 && detail::is_read_ident_start(cp);
    }

    bool value_start_here() const noexcept
    {
        if (at_end())
            return false;
        unsigned char c = peek();
        switch (c) {
            case '@':
            case '{':
            case '[':
            case '"':
            case '\'':
            case '`':
            case '%':
            case '-': return true;
            default: return (c >= '0' && c <= '9') || ident_start_here();
        }
    }

    // ---- the item stack -----------------------------------------------------------------
    //
    // Values are read straight into their item on the stack. A destination is an item's key
    // or value, named by index (2 * item + 0 for the key, + 1 for the value), never by
    // reference while anything is read into it: reading nested items grows the stack, which
    // may move it.

    using dest = std::size_t;
    static dest key_of(std::size_t i) noexcept { return 2 * i; }
    static dest val_of(std::size_t i) noexcept { return 2 * i + 1; }
    value& at(dest d) noexcept
    {
        item& it = stack_[d >> 1];
        return (d & 1) ? it.val : it.key;
    }

    // Moves the items from `base` up off the stack into a new record, the value of `d`
    // (absent).
    void pop_record(std::size_t base, dest d)
    {
        auto first = stack_.begin() + static_cast<std::ptrdiff_t>(base);
        value_access::set_record(at(d)).items().assign(
            std::make_move_iterator(first),
            std::make_move_iterator(stack_.end()));
        stack_.erase(first, stack_.end());
    }

    // The items from `base` up made one value in `d` (absent): none gives extant, one plain
    // value gives itself, else a record.
    void pop_args(std::size_t base, dest d)
    {
        std::size_t n = stack_.size() - base;
        if (n == 0) {
            value_access::set_extant(at(d));
        } else if (n == 1 && stack_.back().is_value()) {
            at(d) = std::move(stack_.back().val);
            stack_.pop_back();
        } else {
            pop_record(base, d);
        }
    }

    // ---- blocks ---------------------------------------------------------------------------

    // Items separated by `,` `;` or newlines, up to `close` (or the end for '\0'), pushed on
    // the stack. Empty items and a trailing separator are skipped (Java).
    bool block(char close)
    {
        char const* start = p_ - (close ? 1 : 0);
        for (;;) {
            skip_ws();
            if (at_end()) {
                if (close == '\0')
                    return true;
                return fail(
                    close == '}' ? error::unterminated_record : error::unterminated_attribute,
                    start);
            }
            char c = *p_;
            if (c == close) {
                ++p_;
                return true;
            }
            if (c == ',' || c == ';') {
                ++p_;
                continue;
            }
            if (!block_item())
                return false;
            skip_space();
            if (at_end())
                continue;
            c = *p_;
            if (c == close)
                continue;
            if (c == ',' || c == ';' || c == '\n' || c == '\r') {
                ++p_;
                continue;
            }
            return fail(close == '\0' ? error::trailing_characters : error::unexpected_character);
        }
    }

    bool block_item()
    {
        if (*p_ == ':')
            return fail(error::missing_slot_key);
        // The first value is read into the key: slots are the common item of WARP bodies, and
        // a plain value then costs one move.
        if (!charge_item())
            return false;
        std::size_t i = stack_.size();
        stack_.emplace_back();
        if (!simple_scalar(stack_[i].key) && !parse_value(key_of(i)))
            return false;
        char const* save = p_;
        skip_space();
        if (!at_end() && *p_ == ':') {
            ++p_;
            skip_space();
            stack_[i].kind = item::item_kind::slot;
            if (value_start_here())
                return simple_scalar(stack_[i].val) || parse_value(val_of(i));
            value_access::set_extant(stack_[i].val);
            return true;
        }
        p_ = save;
        item& it = stack_[i];
        it.val = std::move(it.key);
        return true;
    }

    // ---- values ---------------------------------------------------------------------------

    // The common scalars of a block item, read inline (detail::read_simple_scalar); false,
    // having consumed nothing, for anything else: parse_value() reads it. `v` is absent.
    bool simple_scalar(value& v)
    {
        char const* q = detail::read_simple_scalar(p_, end_, v);
        if (!q)
            return false;
        p_ = q;
        return true;
    }

    bool parse_value(dest d)
    {
        if (at_end())
            return fail(error::unexpected_end);
        if (*p_ == '@') {
            std::size_t base = stack_.size();
            while (!at_end() && *p_ == '@') {
                if (!attr())
                    return false;
                skip_space();
            }
            // A value right after the attributes joins their record.
            if (!at_end() && *p_ != '@' && value_start_here() && !primary_into())
                return false;
            if (!postfix())
                return false;
            pop_record(base, d);
            return true;
        }
        bool merge = false;
        if (!primary(d, merge))
            return false;
        char const* save = p_;
        skip_space();
        if (at_end() || *p_ != '@') {
            p_ = save;
            return true;
        }
        // Postfix attributes (Java): `42@signed`, `{} @signed`.
        std::size_t base = stack_.size();
        value v = std::move(at(d));
        if (merge) {
            for (auto& i : v.as_record())
                stack_.push_back(std::move(i));
        } else {
            stack_.emplace_back().val = std::move(v);
        }
        if (!postfix())
            return false;
        pop_record(base, d);
        return true;
    }

    // Attributes after a value, each optionally followed by one more value (Java infix form).
    bool postfix()
    {
        for (;;) {
            char const* save = p_;
            skip_space();
            if (at_end() || *p_ != '@') {
                p_ = save;
                return true;
            }
            if (!attr())
                return false;
            save = p_;
            skip_space();
            if (!at_end() && *p_ != '@' && value_start_here()) {
                if (!primary_into())
                    return false;
            } else {
                p_ = save;
            }
        }
    }

    // Parses a literal, record or markup onto the stack: records and markup push their
    // items (they merge into the record being read), a literal is pushed as one item.
    bool primary_into()
    {
        if (!at_end() && *p_ == '{') {
            if (!enter(p_))
                return false;
            ++p_;
            if (!block('}'))
                return false;
            leave();
            return true;
        }
        if (!at_end() && *p_ == '[')
            return markup();
        if (!charge_item())
            return false;
        std::size_t i = stack_.size();
        stack_.emplace_back();
        bool merge = false;
        return primary(val_of(i), merge);
    }

    bool primary(dest d, bool& merge)
    {
        if (at_end())
            return fail(error::unexpected_end);
        unsigned char c = peek();
        merge = false;
        switch (c) {
            case '{': {
                merge = true;
                if (!enter(p_))
                    return false;
                ++p_;
                std::size_t base = stack_.size();
                if (!block('}'))
                    return false;
                leave();
                pop_record(base, d);
                return true;
            }
            case '[': {
                merge = true;
                std::size_t base = stack_.size();
                if (!markup())
                    return false;
                pop_record(base, d);
                return true;
            }
            case '"':
            case '\'': return quoted_value(at(d));
            case '`': {
                std::string s;
                if (!raw_string(s))
                    return false;
                value_access::set_text(at(d), std::move(s));
                return true;
            }
            case '%': return data(at(d));
            case '-': return number(at(d));
            default:
                if (c >= '0' && c <= '9')
                    return number(at(d));
                if (ident_start_here()) {
                    std::string_view id = identifier();
                    if (id.size() == 4 && id == "true")
                        value_access::set_bool(at(d), true);
                    else if (id.size() == 5 && id == "false")
                        value_access::set_bool(at(d), false);
                    else
                        value_access::set_text(at(d), id);
                    return true;
                }
                return fail(c == ':' ? error::missing_slot_key : error::unexpected_character);
        }
    }

    // `@name` or `@"name"`, optionally with `(block)`; pushed on the stack.
    bool attr()
    {
        char const* at_sign = p_;
        ++p_;  // '@'
        if (at_end())
            return fail(error::missing_attribute_name, at_sign);
        if (!charge_item())
            return false;
        std::size_t i = stack_.size();
        stack_.emplace_back();
        stack_[i].kind = item::item_kind::attr;
        if (*p_ == '"' || *p_ == '\'') {
            if (!quoted_value(stack_[i].key))
                return false;
        } else if (ident_start_here()) {
            value_access::set_text(stack_[i].key, identifier());
        } else {
            return fail(error::missing_attribute_name, at_sign);
        }
        if (!at_end() && *p_ == '(') {
            if (!enter(p_))
                return false;
            ++p_;
            if (!block(')'))
                return false;
            leave();
            pop_args(i + 1, val_of(i));
        } else {
            value_access::set_extant(stack_[i].val);
        }
        return true;
    }

    // ---- literals -------------------------------------------------------------------------

    // Steps over one character of text, checking that a non-ASCII one is valid UTF-8.
    bool utf8_step()
    {
        if (static_cast<unsigned char>(*p_) < 0x80) {
            ++p_;
            return true;
        }
        std::uint32_t cp = 0;
        std::size_t n = detail::decode_utf8(p_, end_, cp);
        if (n == 0)
            return fail(error::invalid_utf8);
        p_ += n;
        return true;
    }

    // Precondition: ident_start_here().
    std::string_view identifier()
    {
        char const* start = p_;
        // ASCII first: the first character is known to start an identifier.
        char const* q = p_;
        char const* const end = end_;
        while (q < end && detail::ascii_ident_char_table[static_cast<unsigned char>(*q)])
            ++q;
        if (q == end || static_cast<unsigned char>(*q) < 0x80) {
            p_ = q;
            return {start, static_cast<std::size_t>(q - start)};
        }
        bool first = true;
        while (p_ < end_) {
            auto c = static_cast<unsigned char>(*p_);
            if (c < 0x80) {
                if (!(first ? detail::is_ascii_ident_start(c) : detail::is_ascii_ident_char(c)))
                    break;
                ++p_;
            } else {
                std::uint32_t cp = 0;
                std::size_t n = detail::decode_utf8(p_, end_, cp);
                if (n == 0 ||
                    !(first ? detail::is_read_ident_start(cp) : detail::is_ident_char(cp)))
                    break;
                p_ += n;
            }
            first = false;
        }
        return {start, static_cast<std::size_t>(p_ - start)};
    }

    static int hex_digit(char c) noexcept
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

    // `\u` + 4 hex digits (`\uuuu0041` too); a surrogate pair becomes one code point.
    bool unicode_escape(std::string& out, char const* esc)
    {
        auto four = [this](std::uint32_t& cp) {
            while (p_ < end_ && *p_ == 'u')
                ++p_;
            if (end_ - p_ < 4)
                return false;
            cp = 0;
            for (int i = 0; i < 4; ++i) {
                int d = hex_digit(p_[i]);
                if (d < 0)
                    return false;
                cp = cp * 16 + static_cast<std::uint32_t>(d);
            }
            p_ += 4;
            return true;
        };
        std::uint32_t cp = 0;
        if (!four(cp))
            return fail(error::invalid_escape, esc);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t lo = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
                return fail(error::invalid_escape, esc);
            p_ += 1;
            if (!four(lo) || lo < 0xDC00 || lo > 0xDFFF)
                return fail(error::invalid_escape, esc);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail(error::invalid_escape, esc);
        }
        detail::append_utf8(out, cp);
        return true;
    }

    // One escape after a backslash, shared by strings and markup.
    bool escape(std::string& out, char const* esc, bool allow_unicode)
    {
        if (at_end())
            return fail(error::invalid_escape, esc);
        char c = *p_++;
        switch (c) {
            case '"':
            case '\'':
            case '$':
            case '/':
            case '@':
            case '[':
            case '\\':
            case ']':
            case '{':
            case '}': out.push_back(c); return true;
            case 'b': out.push_back('\b'); return true;
            case 'f': out.push_back('\f'); return true;
            case 'n': out.push_back('\n'); return true;
            case 'r': out.push_back('\r'); return true;
            case 't': out.push_back('\t'); return true;
            case 'u':
                if (allow_unicode) {
                    --p_;
                    return unicode_escape(out, esc);
                }
                [[fallthrough]];
            default: return fail(error::invalid_escape, esc);
        }
    }

    // A quoted string as a text value; one without escapes or non-ASCII bytes (to be checked
    // as UTF-8) is built straight from the input.
    bool quoted_value(value& out)
    {
        // Precondition: `out` is absent.
        char q = *p_;
        char const* s = p_ + 1;
        char const* e = s;
        while (e < end_ && *e != q && *e != '\\' && static_cast<unsigned char>(*e) < 0x80)
            ++e;
        if (e < end_ && *e == q) {
            value_access::set_text(out, std::string_view(s, static_cast<std::size_t>(e - s)));
            p_ = e + 1;
            return true;
        }
        std::string str;
        if (!quoted(str))
            return false;
        value_access::set_text(out, std::move(str));
        return true;
    }

    // `"..."` or `'...'`. Raw control characters are accepted (Rust writes them).
    bool quoted(std::string& out)
    {
        char const* start = p_;
        char q = *p_++;
        char const* run = p_;
        while (p_ < end_) {
            char c = *p_;
            if (c == q) {
                out.append(run, p_);
                ++p_;
                return true;
            }
            if (c == '\\') {
                out.append(run, p_);
                char const* esc = p_++;
                if (!escape(out, esc, true))
                    return false;
                run = p_;
                continue;
            }
            if (!utf8_step())
                return false;
        }
        return fail(error::unterminated_string, start);
    }

    // Back-tick raw strings: `text` or ```text```; a backslash before a back-tick escapes it.
    bool raw_string(std::string& out)
    {
        char const* start = p_;
        std::size_t ticks = 0;
        while (p_ < end_ && *p_ == '`' && ticks < 3) {
            ++ticks;
            ++p_;
        }
        if (ticks == 2)
            return true;  // `` is the empty raw string
        while (p_ < end_) {
            char c = *p_;
            if (c == '\\' && p_ + 1 < end_ && p_[1] == '`') {
                out.push_back('`');
                p_ += 2;
                continue;
            }
            if (c == '`') {
                std::size_t n = 0;
                while (n < ticks && p_ + n < end_ && p_[n] == '`')
                    ++n;
                if (n == ticks) {
                    p_ += n;
                    return true;
                }
            }
            char const* from = p_;
            if (!utf8_step())
                return false;
            out.append(from, p_);
        }
        return fail(error::unterminated_string, start);
    }

    // Digits in `base` (16 or 2) to a big integer's decimal digits (for hex/binary beyond 64
    // bits): 28 bits of input at a time into limbs of 10^9. Quadratic in the digits, which
    // parse_options::max_radix_digits bounds.
    static std::string to_decimal(std::string_view digits, int base)
    {
        constexpr std::uint64_t limb = 1000000000u;
        std::size_t const bits = base == 16 ? 4 : 1;
        std::vector<std::uint32_t> limbs{0};  // little-endian
        for (std::size_t i = 0; i < digits.size();) {
            std::size_t const n = std::min(digits.size() - i, 28 / bits);
            std::uint64_t carry = 0;
            for (std::size_t k = 0; k < n; ++k)
                carry = (carry << bits) | static_cast<std::uint64_t>(hex_digit(digits[i + k]));
            i += n;
            std::uint64_t const mult = std::uint64_t{1} << (bits * n);
            for (auto& l : limbs) {
                std::uint64_t v = std::uint64_t{l} * mult + carry;
                l = static_cast<std::uint32_t>(v % limb);
                carry = v / limb;
            }
            while (carry) {
                limbs.push_back(static_cast<std::uint32_t>(carry % limb));
                carry /= limb;
            }
        }
        std::string out = std::to_string(limbs.back());
        char buf[10];
        for (auto it = limbs.rbegin() + 1; it != limbs.rend(); ++it) {
            std::snprintf(buf, sizeof buf, "%09u", static_cast<unsigned>(*it));
            out.append(buf, 9);
        }
        return out;
    }

    bool radix_integer(value& out, bool negative, int base, char const* start)
    {
        char const* digits = p_;
        std::uint64_t v = 0;
        bool overflow = false;
        while (p_ < end_) {
            int d = hex_digit(*p_);
            if (d < 0 || d >= base)
                break;
            if (v > (UINT64_MAX - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base))
                overflow = true;
            else
                v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
            ++p_;
        }
        if (p_ == digits)
            return fail(error::invalid_number, start);
        if (overflow) {
            char const* first = digits;  // the first significant digit
            while (*first == '0')
                ++first;
            if (opts_.max_radix_digits != 0 &&
                static_cast<std::size_t>(p_ - first) > opts_.max_radix_digits)
                return fail(error::number_too_long, start);
            big_integer b;
            b.negative = negative;
            b.digits = to_decimal({digits, static_cast<std::size_t>(p_ - digits)}, base);
            out = value(std::move(b));
        } else if (negative) {
            out = value(big_integer{true, std::to_string(v)});
        } else {
            out = value(v);
        }
        return true;
    }

    bool number(value& out)
    {
        char const* start = p_;
        bool negative = false;
        if (*p_ == '-') {
            negative = true;
            ++p_;
        }
        if (at_end() || !(peek() >= '0' && peek() <= '9'))
            return fail(error::invalid_number, start);
        if (*p_ == '0' && p_ + 1 < end_) {
            char x = p_[1];
            if (x == 'x' || x == 'X') {
                p_ += 2;
                return radix_integer(out, negative, 16, start);
            }
            if (x == 'b' || x == 'B') {
                p_ += 2;
                return radix_integer(out, negative, 2, start);
            }
        }
        char const* int_start = p_;
        char const* const end = end_;
        {
            char const* q = p_;
            while (q < end && *q >= '0' && *q <= '9')
                ++q;
            p_ = q;
        }
        char const* int_end = p_;
        bool is_float = false;
        if (p_ < end_ && *p_ == '.') {
            ++p_;
            if (at_end() || !(peek() >= '0' && peek() <= '9'))
                return fail(error::invalid_number, start);
            char const* q = p_;
            while (q < end && *q >= '0' && *q <= '9')
                ++q;
            p_ = q;
            is_float = true;
        }
        bool has_exponent = false;
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            has_exponent = true;
            ++p_;
            if (p_ < end_ && (*p_ == '+' || *p_ == '-'))
                ++p_;
            if (at_end() || !(peek() >= '0' && peek() <= '9'))
                return fail(error::invalid_number, start);
            while (p_ < end_ && *p_ >= '0' && *p_ <= '9')
                ++p_;
            is_float = true;
        }
        if (is_float && !has_exponent) {
            // Exact fast path: at most 15 digits make an integer below 2^53, and 10^k with
            // k <= 22 is exact, so one correctly rounded division gives the nearest double.
            char const* frac = int_end + 1;
            auto ndigits = (int_end - int_start) + (p_ - frac);
            if (ndigits <= 15) {
                std::uint64_t m = 0;
                for (char const* d = int_start; d < int_end; ++d)
                    m = m * 10 + static_cast<std::uint64_t>(*d - '0');
                for (char const* d = frac; d < p_; ++d)
                    m = m * 10 + static_cast<std::uint64_t>(*d - '0');
                static constexpr double pow10[] = {
                    1e0,
                    1e1,
                    1e2,
                    1e3,
                    1e4,
                    1e5,
                    1e6,
                    1e7,
                    1e8,
                    1e9,
                    1e10,
                    1e11,
                    1e12,
                    1e13,
                    1e14,
                    1e15};
                double d = static_cast<double>(m) / pow10[p_ - frac];
                value_access::set_double(out, negative ? -d : d);
                return true;
            }
        }
        if (is_float) {
            // from_chars rejects a leading '+' only, which the grammar above never passes.
            double d = 0;
            auto r = std::from_chars(start, p_, d);
            if (r.ec != std::errc() || r.ptr != p_ || !std::isfinite(d))
                return fail(error::invalid_number, start);
            out = value(d);
            return true;
        }
        std::uint64_t u = 0;
        if (int_end - int_start <= 19) {
            // No overflow below 20 digits.
            for (char const* d = int_start; d < int_end; ++d)
                u = u * 10 + static_cast<std::uint64_t>(*d - '0');
            if (!negative)
                value_access::set_unsigned(out, u);
            else if (u <= static_cast<std::uint64_t>(INT64_MAX) + 1)
                value_access::set_int64(out, static_cast<std::int64_t>(0 - u));
            else
                out = value(big_integer{true, std::string(int_start, int_end)});
            return true;
        }
        auto r = std::from_chars(int_start, int_end, u);
        if (r.ec == std::errc()) {
            if (!negative)
                out = value(u);
            else if (u <= static_cast<std::uint64_t>(INT64_MAX) + 1)
                out = value(static_cast<std::int64_t>(0 - u));
            else
                out = value(big_integer{true, std::string(int_start, int_end)});
            return true;
        }
        // Beyond 64 bits: keep the digits, without leading zeros.
        while (int_start + 1 < int_end && *int_start == '0')
            ++int_start;
        out = value(big_integer{negative, std::string(int_start, int_end)});
        return true;
    }

    static int base64_digit(char c) noexcept
    {
        if (c >= 'A' && c <= 'Z')
            return c - 'A';
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 26;
        if (c >= '0' && c <= '9')
            return c - '0' + 52;
        if (c == '+')
            return 62;
        if (c == '/')
            return 63;
        return -1;
    }

    // `%` + padded base64.
    bool data(value& out)
    {
        char const* start = p_;
        ++p_;
        char const* b64 = p_;
        while (p_ < end_ && (base64_digit(*p_) >= 0 || *p_ == '='))
            ++p_;
        std::size_t n = static_cast<std::size_t>(p_ - b64);
        if (n % 4 != 0)
            return fail(error::invalid_data, start);
        blob bytes;
        bytes.reserve(n / 4 * 3);
        for (std::size_t i = 0; i < n; i += 4) {
            int d[4];
            int pad = 0;
            for (int k = 0; k < 4; ++k) {
                char c = b64[i + static_cast<std::size_t>(k)];
                if (c == '=') {
                    // Padding only at the very end, in the last two places.
                    if (i + 4 != n || k < 2)
                        return fail(error::invalid_data, start);
                    ++pad;
                    d[k] = 0;
                } else {
                    if (pad)
                        return fail(error::invalid_data, start);
                    d[k] = base64_digit(c);
                }
            }
            std::uint32_t v = (std::uint32_t(d[0]) << 18) | (std::uint32_t(d[1]) << 12) |
                              (std::uint32_t(d[2]) << 6) | std::uint32_t(d[3]);
            bytes.push_back(static_cast<std::uint8_t>(v >> 16));
            if (pad < 2)
                bytes.push_back(static_cast<std::uint8_t>(v >> 8));
            if (pad < 1)
                bytes.push_back(static_cast<std::uint8_t>(v));
        }
        out = value(std::move(bytes));
        return true;
    }

    // `[` markup `]`: text, `@attr` items (with an optional record or markup merged into
    // them), `{...}` and nested `[...]` spliced flat.
    bool markup()
    {
        char const* start = p_;
        if (!enter(p_))
            return false;
        ++p_;
        std::string text;
        auto flush = [&] {
            if (!text.empty()) {
                if (!charge_item())
                    return false;
                value_access::set_text(stack_.emplace_back().val, std::move(text));
                text.clear();
            }
            return true;
        };
        while (p_ < end_) {
            char c = *p_;
            switch (c) {
                case ']':
                    ++p_;
                    if (!flush())
                        return false;
                    leave();
                    return true;
                case '\\': {
                    char const* esc = p_++;
                    if (!escape(text, esc, false))
                        return false;
                    break;
                }
                case '@': {
                    if (!flush() || !charge_item())
                        return false;
                    std::size_t i = stack_.size();
                    stack_.emplace_back();
                    if (!attr())
                        return false;
                    if (!at_end() && (*p_ == '{' || *p_ == '[') && !primary_into())
                        return false;
                    pop_record(i + 1, val_of(i));
                    break;
                }
                case '{': {
                    if (!flush())
                        return false;
                    if (!primary_into())
                        return false;
                    break;
                }
                case '[': {
                    if (!flush())
                        return false;
                    if (!markup())
                        return false;
                    break;
                }
                case '}': return fail(error::unexpected_character);
                default: {
                    char const* from = p_;
                    if (!utf8_step())
                        return false;
                    text.append(from, p_);
                }
            }
        }
        return fail(error::unterminated_markup, start);
    }

    char const* begin_;
    char const* p_;
    char const* end_;
    parse_options const& opts_;
    std::vector<item>& stack_;
    std::size_t depth_ = 0;
    /// What the value is counted at so far: the input, then each item (max_memory).
    std::size_t memory_ = 0;
    static constexpr std::size_t item_cost = sizeof(item) + 2 * 16;

public:
    std::size_t memory() const noexcept { return memory_; }
};

}  // namespace

value parse(std::string_view text, parse_error& err, parse_options const& opts)
{
    err = {};
    if (opts.max_size != 0 && text.size() > opts.max_size) {
        err.code = error::input_too_large;
        err.offset = opts.max_size;
        return {};
    }
    if (opts.max_memory != 0 && text.size() > opts.max_memory) {
        err.code = error::value_too_large;
        err.memory = text.size();
        return {};
    }
    parser p(text, opts);
    value v = p.document();
    err = p.err;
    err.memory = p.memory();
    if (err)
        return {};
    return v;
}

namespace {

// True when no postfix attribute follows at `q` (spaces and tabs skipped; a comment is left to
// the general path).
bool no_postfix_at(char const* q, char const* end) noexcept
{
    while (q < end && (*q == ' ' || *q == '\t'))
        ++q;
    return q >= end || (*q != '@' && *q != '#');
}

}  // namespace

char const* detail::read_simple_scalar(char const* p, char const* end, value& v)
{
    if (p >= end)
        return nullptr;
    char const* q = p;
    auto c = static_cast<unsigned char>(*q);
    if (is_ascii_ident_start(c)) {
        q = skip_ident_chars(q + 1, end);
        if ((q < end && static_cast<unsigned char>(*q) >= 0x80) || !no_postfix_at(q, end))
            return nullptr;
        std::string_view id(p, static_cast<std::size_t>(q - p));
        if (id.size() == 4 && id == "true")
            value_access::set_bool(v, true);
        else if (id.size() == 5 && id == "false")
            value_access::set_bool(v, false);
        else
            value_access::set_text(v, id);
        return q;
    }
    if (c == '"' || c == '\'') {
        char const* s = ++q;
        q = skip_plain_string_chars(q, end, static_cast<char>(c));
        if (q >= end || static_cast<unsigned char>(*q) != c || !no_postfix_at(q + 1, end))
            return nullptr;
        value_access::set_text(v, std::string_view(s, static_cast<std::size_t>(q - s)));
        return q + 1;
    }
    bool negative = c == '-';
    if (negative)
        ++q;
    char const* digits = q;
    std::uint64_t u = 0;
    while (q < end && static_cast<unsigned>(*q - '0') < 10) {
        u = u * 10 + static_cast<std::uint64_t>(*q - '0');
        ++q;
    }
    auto n = q - digits;
    if (n == 0 || n > 18)
        return nullptr;
    if (q < end) {
        char x = *q;
        // Floats and radix integers (0x.., 0b..) take the general path.
        if (x == '.' || x == 'e' || x == 'E' || x == 'x' || x == 'X' || x == 'b' || x == 'B')
            return nullptr;
    }
    if (!no_postfix_at(q, end))
        return nullptr;
    auto i = static_cast<std::int64_t>(u);
    value_access::set_int64(v, negative ? -i : i);
    return q;
}

bool detail::parse_simple_scalar(std::string_view text, value& out)
{
    out = value();
    char const* const end = text.data() + text.size();
    return read_simple_scalar(text.data(), end, out) == end && !text.empty();
}

bool detail::parse_leading_attr(
    std::string_view text,
    item& out,
    std::size_t& consumed,
    parse_error& err,
    parse_options const& opts)
{
    parser p(text, opts);
    bool ok = p.leading_attr(out, consumed);
    err = p.err;
    return ok;
}

parse_exception::parse_exception(parse_error e)
    : std::runtime_error(e.message())
    , err_(std::move(e))
{}

value parse(std::string_view text, parse_options const& opts)
{
    parse_error err;
    value v = parse(text, err, opts);
    if (err)
        throw parse_exception(err);
    return v;
}

}  // namespace swim::recon
