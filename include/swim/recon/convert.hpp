// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_RECON_CONVERT_HPP
#define SWIM_RECON_CONVERT_HPP

#include <swim/recon/error.hpp>
#include <swim/recon/value.hpp>

#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

/** @file
 * Typed conversion: C++ values to and from Recon values without hand-written code.
 *
 * @code
 * struct room { bool light = false; std::optional<int> temp; };
 * BOOST_DESCRIBE_STRUCT(room, (), (light, temp))
 *
 * recon::value v = recon::value_from(room{true, 21});  // {light:true,temp:21}
 * room r = recon::value_to<room>(v);                   // throws conversion_exception
 * recon::conversion_error err;
 * if (!recon::value_to(v, r, err))                     // or without exceptions
 *     log(err.message());                              // "light: expected bool, got text"
 * @endcode
 *
 * @par Supported types (written / read)
 * - `recon::value`: itself / anything, unchanged.
 * - `recon::record`: the record / a record.
 * - `bool`: bool / bool.
 * - every integer type but `bool` and the character types (`char`, `wchar_t`, `char8_t`,
 *   `char16_t`, `char32_t`): an integer / an integer in range, or a float64 holding an integral
 *   value in range. Messages name them by width: `int8` ... `uint64`.
 * - `float`, `double`: float64 / any number (big integers rounded); a finite value beyond the
 *   range of `float` is error::out_of_range. Messages name them `float32`, `float64`.
 * - `std::string`: text / text.
 * - an enum described with `BOOST_DESCRIBE_ENUM`: the text of the enumerator's name (a value
 *   with no name: its integer) / text naming an enumerator.
 * - `std::optional<T>`: `nullopt` is extant, else as `T` / absent and extant are `nullopt`.
 * - `std::vector<T>`: a record of plain values / a record's plain values (attributes skipped);
 *   absent or extant is empty; any other value is a one-element vector.
 * - `std::vector<std::uint8_t>`, which is recon::blob: data / data, or as `std::vector<T>`.
 * - `std::map<K, V>`, `std::unordered_map<K, V>`: a record of slots `k: v`, in the map's
 *   iteration order / a record's slots, keys converted too (a repeated key keeps its last
 *   value, attributes skipped); absent or extant is empty.
 * - a struct described with `BOOST_DESCRIBE_STRUCT` (public and inherited members): a record of
 *   slots named after the members, in declaration order (inherited first) / for each member
 *   the first slot with its name; other slots and attributes are ignored (a Rust peer writes
 *   `@name{...}`); absent or extant reads as an empty record.
 *
 * Every scalar (bool, numbers, `std::string`, enums) also reads a one-item record holding the
 * scalar, as value::flattened() does: a Rust peer may write `{5}` where a Java peer writes `5`.
 * For the same reason a vector reads a lone value as one element (Java writes the body
 * `{5}` as `5`) and absent or extant as empty (Java writes an empty record body as nothing).
 *
 * A struct member that is a `std::optional` may be missing from the record (it reads as
 * `nullopt`); any other missing member is error::missing_field. A `nullopt` member is written as
 * a slot holding extant (`{temp:}`), so peers that require every field still find it.
 *
 * @par Errors
 * Reading fails with a @ref conversion_error: a code (error::type_mismatch, error::out_of_range,
 * error::missing_field or error::invalid_value), the path of the offending value (`.member`,
 * `[index]` for vectors, `[key]` for maps, the leading `.` dropped) and the reason. message()
 * joins them: `rooms[2].light: expected bool, got text`, `[2]: 300 is out of range for uint8`,
 * `[kitchen].temp: missing field`. Writing never fails (a NaN float is written as such; the
 * Recon writer and to_json() reject it later).
 *
 * @par Customisation
 * Specialise @ref swim::recon::converter for your type, before the first conversion of it:
 * @code
 * template <>
 * struct swim::recon::converter<point> {
 *     static value to_value(point const& p) { return value(record{p.x, p.y}); }
 *     static bool from_value(value const& v, point& out, conversion_error& err)
 *     {
 *         auto r = v.if_record();
 *         if (!r || r->size() != 2) {
 *             err.fail_type("record of two numbers", v);  // "expected record of two ..."
 *             return false;
 *         }
 *         return converter<int>::from_value((*r)[0].val, out.x, err)
 *             && converter<int>::from_value((*r)[1].val, out.y, err);
 *     }
 * };
 * @endcode
 * `from_value` returns false and fills `err` on failure (a composite converter calls
 * conversion_error::prepend_member / prepend_index / prepend_key on the error of a part that
 * failed). It may leave `out` partly written. A specialisation for your type wins over the
 * built-in described-struct and described-enum conversions. The second template parameter
 * (`void`) is free for `std::enable_if_t` conditions; constrained partial specialisations work
 * too.
 *
 * @par Thread safety
 * The functions are reentrant; they share no state.
 */

namespace swim::recon {

/** Why a Recon value did not convert to a C++ type, and where in the value. */
struct conversion_error {
    /// error::type_mismatch, error::out_of_range, error::missing_field or error::invalid_value.
    boost::system::error_code code;
    /// Where the offending value sits: `rooms[2].light`, `[kitchen]`; empty for the root.
    std::string path;
    /// Why it did not convert: `expected bool, got text`.
    std::string reason;

    /// True on failure.
    explicit operator bool() const noexcept { return static_cast<bool>(code); }

    /// `"<path>: <reason>"`, or only the reason when the path is empty.
    std::string message() const;

    /// Sets the code and the reason, and empties the path.
    void fail(error e, std::string why);
    /// error::type_mismatch with the reason `expected <expected>, got <kind of got>`.
    void fail_type(std::string_view expected, value const& got);
    /// Prefixes the path with the member `name`: `x` becomes `name.x`, `[1]` becomes `name[1]`.
    void prepend_member(std::string_view name);
    /// Prefixes the path with `[index]`.
    void prepend_index(std::size_t index);
    /// Prefixes the path with `[key]`: the text of a text key, else its compact Recon text.
    void prepend_key(value const& key);
    /// Empties code, path and reason.
    void clear() noexcept;
};

/// Thrown by the throwing overload of value_to(); `what()` is the error's message().
class conversion_exception : public std::runtime_error {
public:
    explicit conversion_exception(conversion_error e);
    /// The code, path and reason of the failure.
    conversion_error const& error() const noexcept { return err_; }

private:
    conversion_error err_;
};

/** How a C++ type converts to and from Recon. See the file comment.
 *
 * A specialisation provides
 * `static value to_value(T const&)` and
 * `static bool from_value(value const&, T& out, conversion_error& err)`.
 * The primary template is empty: a type without a specialisation does not convert.
 */
template <class T, class = void>
struct converter {};

/// True when converter<T> is specialised with both functions.
template <class T>
concept has_converter = requires(T const& t, value const& v, T& out, conversion_error& err)
{
    {
        converter<T>::to_value(t)
        } -> std::convertible_to<value>;
    {
        converter<T>::from_value(v, out, err)
        } -> std::same_as<bool>;
};

/** Converts `t` to a Recon value. Never fails (only `std::bad_alloc`). */
template <class T>
value value_from(T const& t)
{
    static_assert(
        has_converter<T>,
        "swim::recon: no conversion for this type; describe it with BOOST_DESCRIBE_STRUCT / "
        "BOOST_DESCRIBE_ENUM or specialise swim::recon::converter");
    return converter<T>::to_value(t);
}

/** Converts `v` into `out`.
 *
 * @returns true on success (`err` cleared); false on failure, with `err` filled and `out`
 *          possibly partly written.
 */
template <class T>
bool value_to(value const& v, T& out, conversion_error& err)
{
    static_assert(
        has_converter<T>,
        "swim::recon: no conversion for this type; describe it with BOOST_DESCRIBE_STRUCT / "
        "BOOST_DESCRIBE_ENUM or specialise swim::recon::converter");
    err.clear();
    return converter<T>::from_value(v, out, err);
}

/** Converts `v` to a `T` (which must be default-constructible).
 *
 * @throws conversion_exception when `v` does not convert.
 */
template <class T>
T value_to(value const& v)
{
    T out{};
    conversion_error err;
    if (!value_to(v, out, err))
        throw conversion_exception(std::move(err));
    return out;
}

namespace detail {

// Out-of-line readers (lib/recon/convert.cpp): each reads v.flattened().
bool read_bool(value const& v, bool& out, conversion_error& err);
bool read_text(value const& v, std::string& out, conversion_error& err);
bool read_signed(
    value const& v,
    std::int64_t lo,
    std::int64_t hi,
    std::string_view type_name,
    std::int64_t& out,
    conversion_error& err);
bool read_unsigned(
    value const& v,
    std::uint64_t hi,
    std::string_view type_name,
    std::uint64_t& out,
    conversion_error& err);
bool read_double(value const& v, bool single, double& out, conversion_error& err);
bool read_blob(value const& v, std::vector<std::uint8_t>& out, conversion_error& err);
void fail_enumerator(conversion_error& err, std::string_view text, std::string_view names);
void fail_not_slot(conversion_error& err, std::size_t item_index);
void fail_not_plain_value(conversion_error& err, std::size_t item_index);

template <class T>
inline constexpr bool is_character_v = std::is_same_v<T, char> || std::is_same_v<T, wchar_t> ||
                                       std::is_same_v<T, char8_t> || std::is_same_v<T, char16_t> ||
                                       std::is_same_v<T, char32_t>;

template <class T>
concept integer = std::integral<T> && !std::is_same_v<T, bool> && !is_character_v<T>;

template <class T>
constexpr std::string_view integer_name() noexcept
{
    static_assert(sizeof(T) <= 8, "integers wider than 64 bits are not supported");
    constexpr bool s = std::is_signed_v<T>;
    switch (sizeof(T)) {
        case 1: return s ? "int8" : "uint8";
        case 2: return s ? "int16" : "uint16";
        case 4: return s ? "int32" : "uint32";
        default: return s ? "int64" : "uint64";
    }
}

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
concept described_struct = std::is_class_v<T> && !std::is_union_v<T> &&
                           boost::describe::has_describe_members<T>::value;

template <class T>
concept described_enum = std::is_enum_v<T> && boost::describe::has_describe_enumerators<T>::value;

// Shared by std::map and std::unordered_map.
template <class Map>
struct map_converter {
    using key_type = typename Map::key_type;
    using mapped_type = typename Map::mapped_type;

    static value to_value(Map const& m)
    {
        record r;
        r.reserve(m.size());
        for (auto const& [k, x] : m)
            r.add_slot(value_from(k), value_from(x));
        return value(std::move(r));
    }

    static bool from_value(value const& v, Map& out, conversion_error& err)
    {
        out.clear();
        if (v.is_empty())
            return true;
        auto r = v.if_record();
        if (!r) {
            err.fail_type("record", v);
            return false;
        }
        for (std::size_t i = 0; i < r->size(); ++i) {
            item const& it = (*r)[i];
            if (it.is_attr())
                continue;
            if (!it.is_slot()) {
                fail_not_slot(err, i);
                return false;
            }
            key_type k{};
            if (!converter<key_type>::from_value(it.key, k, err)) {
                err.path.clear();
                err.reason.insert(0, "invalid key: ");
                err.prepend_key(it.key);
                return false;
            }
            mapped_type x{};
            if (!converter<mapped_type>::from_value(it.val, x, err)) {
                err.prepend_key(it.key);
                return false;
            }
            out.insert_or_assign(std::move(k), std::move(x));
        }
        return true;
    }
};

}  // namespace detail

/// Identity.
template <>
struct converter<value> {
    static value to_value(value const& v) { return v; }
    static bool from_value(value const& v, value& out, conversion_error&)
    {
        out = v;
        return true;
    }
};

/// A record, as itself.
template <>
struct converter<record> {
    static value to_value(record const& r) { return value(r); }
    static bool from_value(value const& v, record& out, conversion_error& err)
    {
        auto r = v.if_record();
        if (!r) {
            err.fail_type("record", v);
            return false;
        }
        out = *r;
        return true;
    }
};

/// bool.
template <>
struct converter<bool> {
    static value to_value(bool b) noexcept { return value(b); }
    static bool from_value(value const& v, bool& out, conversion_error& err)
    {
        return detail::read_bool(v, out, err);
    }
};

/// std::string, as text.
template <>
struct converter<std::string> {
    static value to_value(std::string const& s) { return value(s); }
    static bool from_value(value const& v, std::string& out, conversion_error& err)
    {
        return detail::read_text(v, out, err);
    }
};

/// Every integer type but bool and the character types, range-checked.
template <detail::integer I>
struct converter<I> {
    static value to_value(I i) noexcept { return value(i); }
    static bool from_value(value const& v, I& out, conversion_error& err)
    {
        if constexpr (std::is_signed_v<I>) {
            std::int64_t x = 0;
            if (!detail::read_signed(
                    v,
                    std::numeric_limits<I>::min(),
                    std::numeric_limits<I>::max(),
                    detail::integer_name<I>(),
                    x,
                    err))
                return false;
            out = static_cast<I>(x);
        } else {
            std::uint64_t x = 0;
            if (!detail::read_unsigned(
                    v,
                    std::numeric_limits<I>::max(),
                    detail::integer_name<I>(),
                    x,
                    err))
                return false;
            out = static_cast<I>(x);
        }
        return true;
    }
};

/// float and double, as float64.
template <class F>
    requires(std::is_same_v<F, float> || std::is_same_v<F, double>)
struct converter<F> {
    static value to_value(F f) noexcept { return value(f); }
    static bool from_value(value const& v, F& out, conversion_error& err)
    {
        double d = 0;
        if (!detail::read_double(v, std::is_same_v<F, float>, d, err))
            return false;
        out = static_cast<F>(d);
        return true;
    }
};

/// std::optional: nullopt is extant; absent and extant read as nullopt.
template <class T>
struct converter<std::optional<T>> {
    static value to_value(std::optional<T> const& o) { return o ? value_from(*o) : value(extant); }
    static bool from_value(value const& v, std::optional<T>& out, conversion_error& err)
    {
        if (v.is_empty()) {
            out.reset();
            return true;
        }
        if (!out)
            out.emplace();
        return converter<T>::from_value(v, *out, err);
    }
};

/// std::vector: a record of plain values.
template <class T, class A>
struct converter<std::vector<T, A>> {
    static value to_value(std::vector<T, A> const& xs)
    {
        record r;
        r.reserve(xs.size());
        for (auto const& x : xs)
            r.add_value(value_from(static_cast<T const&>(x)));
        return value(std::move(r));
    }
    static bool from_value(value const& v, std::vector<T, A>& out, conversion_error& err)
    {
        out.clear();
        if (v.is_empty())
            return true;
        auto r = v.if_record();
        if (!r) {
            T x{};
            if (!converter<T>::from_value(v, x, err)) {
                err.prepend_index(0);
                return false;
            }
            out.push_back(std::move(x));
            return true;
        }
        out.reserve(r->size());
        for (std::size_t i = 0; i < r->size(); ++i) {
            item const& it = (*r)[i];
            if (it.is_attr())
                continue;
            if (!it.is_value()) {
                detail::fail_not_plain_value(err, i);
                return false;
            }
            T x{};
            if (!converter<T>::from_value(it.val, x, err)) {
                err.prepend_index(out.size());
                return false;
            }
            out.push_back(std::move(x));
        }
        return true;
    }
};

/// std::vector<std::uint8_t>, which is recon::blob: data. Also reads a record of bytes.
template <class A>
struct converter<std::vector<std::uint8_t, A>> {
    static value to_value(std::vector<std::uint8_t, A> const& b)
    {
        return value(blob(b.begin(), b.end()));
    }
    static bool from_value(value const& v, std::vector<std::uint8_t, A>& out, conversion_error& err)
    {
        if constexpr (std::is_same_v<A, blob::allocator_type>) {
            return detail::read_blob(v, out, err);
        } else {
            blob tmp;
            if (!detail::read_blob(v, tmp, err))
                return false;
            out.assign(tmp.begin(), tmp.end());
            return true;
        }
    }
};

/// std::map: a record of slots.
template <class K, class V, class C, class A>
struct converter<std::map<K, V, C, A>> : detail::map_converter<std::map<K, V, C, A>> {};

/// std::unordered_map: a record of slots, in iteration order.
template <class K, class V, class H, class E, class A>
struct converter<std::unordered_map<K, V, H, E, A>>
    : detail::map_converter<std::unordered_map<K, V, H, E, A>> {};

/// A struct described with BOOST_DESCRIBE_STRUCT: a record of slots named after its members.
template <detail::described_struct T>
struct converter<T> {
    using members = boost::describe::
        describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>;

    static value to_value(T const& t)
    {
        record r;
        r.reserve(boost::mp11::mp_size<members>::value);
        boost::mp11::mp_for_each<members>(
            [&](auto d) { r.add_slot(value(std::string_view(d.name)), value_from(t.*d.pointer)); });
        return value(std::move(r));
    }

    static bool from_value(value const& v, T& out, conversion_error& err)
    {
        record const* r = v.if_record();
        if (!r && !v.is_empty()) {
            err.fail_type("record", v);
            return false;
        }
        bool ok = true;
        boost::mp11::mp_for_each<members>([&](auto d) {
            if (!ok)
                return;
            using member_type = std::remove_cvref_t<decltype(out.*d.pointer)>;
            value const* slot = r ? r->find(d.name) : nullptr;
            if (!slot) {
                if constexpr (detail::is_optional<member_type>::value) {
                    (out.*d.pointer).reset();
                } else {
                    err.fail(error::missing_field, "missing field");
                    err.prepend_member(d.name);
                    ok = false;
                }
                return;
            }
            if (!converter<member_type>::from_value(*slot, out.*d.pointer, err)) {
                err.prepend_member(d.name);
                ok = false;
            }
        });
        return ok;
    }
};

/// An enum described with BOOST_DESCRIBE_ENUM: the text of the enumerator's name.
template <detail::described_enum E>
struct converter<E> {
    using enumerators = boost::describe::describe_enumerators<E>;

    static value to_value(E e)
    {
        char const* name = nullptr;
        boost::mp11::mp_for_each<enumerators>([&](auto d) {
            if (!name && d.value == e)
                name = d.name;
        });
        if (name)
            return value(std::string_view(name));
        using U = std::underlying_type_t<E>;
        if constexpr (std::is_signed_v<U>)
            return value(static_cast<std::int64_t>(e));
        else
            return value(static_cast<std::uint64_t>(e));
    }

    static bool from_value(value const& v, E& out, conversion_error& err)
    {
        value const& f = v.flattened();
        auto t = f.if_text();
        if (!t) {
            err.fail_type("text", f);
            return false;
        }
        bool found = false;
        boost::mp11::mp_for_each<enumerators>([&](auto d) {
            if (!found && *t == d.name) {
                out = d.value;
                found = true;
            }
        });
        if (!found) {
            std::string names;
            boost::mp11::mp_for_each<enumerators>([&](auto d) {
                if (!names.empty())
                    names.append(", ");
                names.append(d.name);
            });
            detail::fail_enumerator(err, *t, names);
        }
        return found;
    }
};

}  // namespace swim::recon

#endif
