// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_RECON_VALUE_HPP
#define SWIM_RECON_VALUE_HPP

#include <cassert>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

/** @file
 * The Recon value model: the data of every WARP payload.
 *
 * A @ref swim::recon::value is one of absent, extant, bool, a signed or unsigned 64-bit
 * integer, a big integer, a float64, text, data (a blob) or a record. A record is an ordered
 * list of @ref swim::recon::item "items": attributes (`@name(value)`), slots (`key: value`) and
 * plain values, in any order (the Java model, a superset of the Rust one).
 *
 * Integers are normalised on construction: every integer that fits in `int64_t` is stored as
 * `int64`, `uint64` holds only values above `INT64_MAX`, and @ref big_integer holds only values
 * outside both. So equal integers always have the same kind.
 *
 * @par Equality and order
 * `==` is structural, except that numbers compare by numeric value across kinds (`1 == 1.0`),
 * as Java's `Num` does, because Java writes an integral float as an integer. `<=>` is a total
 * order, the one map lanes keep their keys in ("Recon key order"): first by type, in the Java
 * rank record < data < text < number < bool < extant < absent, then within the type: records
 * item by item (attr < slot < plain value, then names, keys and values), data and text
 * bytewise (for UTF-8 text that is code point order), numbers numerically, false < true.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: const access is safe.
 */

namespace swim::recon {

class value;
struct item;

namespace detail {
struct value_access;  // the parser's way to build values in place (library-internal)
}

/// Integer types a value is built from (not bool, not char: those are not numbers).
template <class I>
concept integer_like = std::integral<I> && !std::same_as<I, bool> && !std::same_as<I, char>;

/// Anything a value can be built from.
template <class V>
concept value_constructible = std::constructible_from<value, V>;

/// An integer outside the range of `int64_t` and `uint64_t`, kept as decimal digits.
struct big_integer {
    bool negative = false;
    /// Decimal digits of the magnitude, most significant first, no leading zeros.
    std::string digits;

    friend bool operator==(big_integer const&, big_integer const&) = default;
};

/// The bytes of a Recon data value (written `%` + base64).
using blob = std::vector<std::uint8_t>;

/// The kind of a @ref value.
enum class kind : std::uint8_t {
    absent,       ///< no value at all (an empty document in Java/JS)
    extant,       ///< a value that exists but has no content (`@a`, `{x:}`)
    boolean,      ///< `true` / `false`
    int64,        ///< an integer in the range of `int64_t`
    uint64,       ///< an integer above `INT64_MAX` that fits `uint64_t`
    big_integer,  ///< any other integer
    float64,      ///< a double
    text,         ///< UTF-8 text
    data,         ///< a blob
    record,       ///< an ordered list of items
};

/// The name of a kind, for messages: "absent", "int64", "record", ...
std::string_view to_string(kind k) noexcept;

/// An ordered list of items: the Recon record.
class record {
public:
    using container = std::vector<item>;
    using iterator = container::iterator;
    using const_iterator = container::const_iterator;

    /// An empty record.
    record() = default;
    /// A record of `items`, in order.
    record(std::initializer_list<item> items);
    record(record const&);
    record(record&&) noexcept;
    record& operator=(record const&);
    record& operator=(record&&) noexcept;
    ~record();

    /// Container access to the items, in order (operator[]: precondition `i < size()`).
    std::size_t size() const noexcept;
    bool empty() const noexcept;
    item& operator[](std::size_t i) noexcept;
    item const& operator[](std::size_t i) const noexcept;
    iterator begin() noexcept { return items_.begin(); }
    iterator end() noexcept { return items_.end(); }
    const_iterator begin() const noexcept { return items_.begin(); }
    const_iterator end() const noexcept { return items_.end(); }
    container& items() noexcept { return items_; }
    container const& items() const noexcept { return items_; }

    /// Reserves room for `n` items.
    void reserve(std::size_t n);
    /// Appends an item.
    void push_back(item i);
    /// Appends `@name(v)`.
    void add_attr(std::string name, value v);
    /// Appends `key: v`.
    void add_slot(value key, value v);
    /// Appends a plain value item.
    void add_value(value v);

    /// The name of the first item if it is an attribute, else empty (Java `tag()`).
    std::string_view tag() const noexcept;
    /// The first slot whose key is the text `key`, or nullptr.
    value const* find(std::string_view key) const noexcept;
    /// The number of leading attributes.
    std::size_t attr_count() const noexcept;

    /// Item by item, in order (see the file comment).
    friend bool operator==(record const&, record const&);
    friend std::strong_ordering operator<=>(record const&, record const&);

private:
    container items_;
};

/// Tag type for the absent value.
struct absent_t {
    friend bool operator==(absent_t, absent_t) = default;
};
/// Tag type for the extant value.
struct extant_t {
    friend bool operator==(extant_t, extant_t) = default;
};
/// The absent and extant tags: `value(absent)`, `value(extant)`.
inline constexpr absent_t absent{};
inline constexpr extant_t extant{};

/// A Recon value. See the file comment for the model, equality and order.
///
/// Stored as a tagged union (the kind and the payload; a big integer lives on the heap), so
/// that moving a value is a few stores and destroying a number or an absent value costs
/// nothing. A moved-from value is absent.
class value {
public:
    /// The absent value.
    value() noexcept {}
    value(absent_t) noexcept {}
    value(extant_t) noexcept
        : k_(recon::kind::extant)
    {}
    value(bool b) noexcept
        : k_(recon::kind::boolean)
    {
        u_.b = b;
    }
    template <integer_like I>
    value(I i) noexcept
    {
        if constexpr (std::is_signed_v<I>) {
            k_ = recon::kind::int64;
            u_.i = static_cast<std::int64_t>(i);
        } else {
            set_unsigned(static_cast<std::uint64_t>(i));
        }
    }
    value(double d) noexcept
        : k_(recon::kind::float64)
    {
        u_.d = d;
    }
    value(float f) noexcept
        : k_(recon::kind::float64)
    {
        u_.d = static_cast<double>(f);
    }
    value(std::string s) noexcept
    {
        ::new (static_cast<void*>(&u_.text)) std::string(std::move(s));
        k_ = recon::kind::text;
    }
    value(std::string_view s)
    {
        ::new (static_cast<void*>(&u_.text)) std::string(s);
        k_ = recon::kind::text;
    }
    value(char const* s)
    {
        ::new (static_cast<void*>(&u_.text)) std::string(s);
        k_ = recon::kind::text;
    }
    value(blob b) noexcept
    {
        ::new (static_cast<void*>(&u_.data)) blob(std::move(b));
        k_ = recon::kind::data;
    }
    value(record r) noexcept;
    /// Normalises: a big integer in range of int64/uint64 becomes that kind.
    value(big_integer b);

    value(value const& o)
    {
        if (o.k_ < recon::kind::big_integer || o.k_ == recon::kind::float64) {
            u_.raw = o.u_.raw;
            k_ = o.k_;
        } else {
            copy_from(o);
        }
    }
    value(value&& o) noexcept { move_from(o); }
    value& operator=(value const& o)
    {
        if (this != &o) {
            value tmp(o);
            reset();
            move_from(tmp);
        }
        return *this;
    }
    value& operator=(value&& o) noexcept
    {
        if (this == &o)
            return *this;
        if (!owns_memory()) {
            move_from(o);
        } else {
            // `o` may live inside this value: take it out before freeing this one.
            value tmp(std::move(o));
            reset();
            move_from(tmp);
        }
        return *this;
    }
    ~value() { reset(); }

    /// What the value holds.
    recon::kind kind() const noexcept { return k_; }

    /// Kind tests (is_integer: int64, uint64 or big integer; is_number: those or float64).
    bool is_absent() const noexcept { return kind() == kind::absent; }
    bool is_extant() const noexcept { return kind() == kind::extant; }
    /// Absent or extant: no content.
    bool is_empty() const noexcept { return kind() <= kind::extant; }
    bool is_bool() const noexcept { return kind() == kind::boolean; }
    bool is_integer() const noexcept
    {
        auto k = kind();
        return k == kind::int64 || k == kind::uint64 || k == kind::big_integer;
    }
    bool is_number() const noexcept { return is_integer() || kind() == kind::float64; }
    bool is_text() const noexcept { return kind() == kind::text; }
    bool is_data() const noexcept { return kind() == kind::data; }
    bool is_record() const noexcept { return kind() == kind::record; }

    /// Pointer access: nullptr when the value is of another kind.
    bool const* if_bool() const noexcept { return k_ == kind::boolean ? &u_.b : nullptr; }
    std::int64_t const* if_int64() const noexcept { return k_ == kind::int64 ? &u_.i : nullptr; }
    std::uint64_t const* if_uint64() const noexcept { return k_ == kind::uint64 ? &u_.u : nullptr; }
    recon::big_integer const* if_big_integer() const noexcept
    {
        return k_ == kind::big_integer ? u_.big : nullptr;
    }
    double const* if_float64() const noexcept { return k_ == kind::float64 ? &u_.d : nullptr; }
    std::string const* if_text() const noexcept { return k_ == kind::text ? &u_.text : nullptr; }
    std::string* if_text() noexcept { return k_ == kind::text ? &u_.text : nullptr; }
    blob const* if_data() const noexcept { return k_ == kind::data ? &u_.data : nullptr; }
    recon::record const* if_record() const noexcept;
    recon::record* if_record() noexcept;

    /// Checked access: precondition is the matching kind (asserted in debug builds).
    bool as_bool() const noexcept
    {
        assert(k_ == recon::kind::boolean);
        return u_.b;
    }
    std::string const& as_text() const noexcept
    {
        assert(k_ == recon::kind::text);
        return u_.text;
    }
    recon::record const& as_record() const noexcept;
    recon::record& as_record() noexcept;

    /// The text if this is text, else empty.
    std::string_view text_or_empty() const noexcept
    {
        auto p = if_text();
        return p ? std::string_view(*p) : std::string_view();
    }

    /// The record's tag (first attribute name) or empty when not a record.
    std::string_view tag() const noexcept;

    /// Numeric view: true and the value when this is a number that fits.
    bool to_int64(std::int64_t& out) const noexcept;
    /// As to_int64(), for an unsigned 64-bit integer.
    bool to_uint64(std::uint64_t& out) const noexcept;
    /// As to_int64(), for a double.
    bool to_double(double& out) const noexcept;

    /// A one-item record holding a plain value gives that value; anything else gives itself
    /// (Java `flattened`): a Rust peer's `{5}` reads like a Java peer's `5`.
    value const& flattened() const noexcept;

    /// Equality and the total order of the file comment.
    friend bool operator==(value const& a, value const& b) noexcept;
    friend std::strong_ordering operator<=>(value const& a, value const& b) noexcept;

private:
    friend struct detail::value_access;

    void set_unsigned(std::uint64_t u) noexcept
    {
        if (u <= static_cast<std::uint64_t>(INT64_MAX)) {
            k_ = recon::kind::int64;
            u_.i = static_cast<std::int64_t>(u);
        } else {
            k_ = recon::kind::uint64;
            u_.u = u;
        }
    }

    // Kinds whose payload owns memory: big integer, text, data, record.
    bool owns_memory() const noexcept
    {
        return ((1u << static_cast<unsigned>(k_)) & 0b1110100000u) != 0;
    }

    // Frees the payload and leaves the value absent.
    void reset() noexcept
    {
        if (k_ == recon::kind::text)
            u_.text.~basic_string();
        else if (owns_memory())
            destroy_slow();
        k_ = recon::kind::absent;
    }

    // Precondition: this holds no payload. Leaves `o` absent.
    void move_from(value& o) noexcept;
    void copy_from(value const& o);
    void destroy_slow() noexcept;

    union storage {
        storage() noexcept
            : raw(0)
        {}
        ~storage() {}
        std::uint64_t raw;
        bool b;
        std::int64_t i;
        std::uint64_t u;
        double d;
        recon::big_integer* big;
        std::string text;
        blob data;
        recon::record rec;
    } u_;
    recon::kind k_ = recon::kind::absent;
};

/// One item of a record: an attribute, a slot or a plain value.
struct item {
    enum class item_kind : std::uint8_t {
        value,  ///< a plain value: `val`
        attr,   ///< `@name(val)`: `key` is the name as text
        slot,   ///< `key: val`
    };

    item_kind kind = item_kind::value;
    /// The attribute name (text) or the slot key; absent for a plain value.
    value key;
    /// The value.
    value val;

    /// A plain absent value item.
    item() noexcept {}
    /// A plain value item.
    item(value v) noexcept
        : val(std::move(v))
    {}
    /// A plain value item from anything a value is made from.
    template <value_constructible V>
    item(V&& v)
        : val(std::forward<V>(v))
    {}

    /// An item of kind `k`.
    item(item_kind k, value key_, value val_) noexcept
        : kind(k)
        , key(std::move(key_))
        , val(std::move(val_))
    {}

    /// `@name(v)`; `@name` alone holds extant.
    static item attr(std::string name, value v = value(extant))
    {
        return item(item_kind::attr, value(std::move(name)), std::move(v));
    }
    /// `k: v`.
    static item slot(value k, value v) { return item(item_kind::slot, std::move(k), std::move(v)); }

    /// Kind tests.
    bool is_attr() const noexcept { return kind == item_kind::attr; }
    bool is_slot() const noexcept { return kind == item_kind::slot; }
    bool is_value() const noexcept { return kind == item_kind::value; }
    /// The attribute name (attr items only).
    std::string_view name() const noexcept { return key.text_or_empty(); }

    friend bool operator==(item const& a, item const& b) noexcept;
    friend std::strong_ordering operator<=>(item const& a, item const& b) noexcept;
};

// Defined here, where item is complete (clang needs it for the vector's members).
inline record::record(record&&) noexcept = default;
inline record& record::operator=(record&&) noexcept = default;
inline record::~record() = default;

inline value::value(record r) noexcept
{
    ::new (static_cast<void*>(&u_.rec)) record(std::move(r));
    k_ = recon::kind::record;
}
inline recon::record const* value::if_record() const noexcept
{
    return k_ == kind::record ? &u_.rec : nullptr;
}
inline recon::record* value::if_record() noexcept
{
    return k_ == kind::record ? &u_.rec : nullptr;
}
inline recon::record const& value::as_record() const noexcept
{
    assert(k_ == recon::kind::record);
    return u_.rec;
}
inline recon::record& value::as_record() noexcept
{
    assert(k_ == recon::kind::record);
    return u_.rec;
}
inline std::string_view value::tag() const noexcept
{
    auto p = if_record();
    return p ? p->tag() : std::string_view();
}

inline void value::move_from(value& o) noexcept
{
    switch (o.k_) {
        case recon::kind::text:
            ::new (static_cast<void*>(&u_.text)) std::string(std::move(o.u_.text));
            o.u_.text.~basic_string();
            break;
        case recon::kind::data:
            ::new (static_cast<void*>(&u_.data)) blob(std::move(o.u_.data));
            o.u_.data.~blob();
            break;
        case recon::kind::record:
            ::new (static_cast<void*>(&u_.rec)) recon::record(std::move(o.u_.rec));
            o.u_.rec.~record();
            break;
        default:
            // Numbers, bool, absent, extant and the big integer's pointer.
            u_.raw = o.u_.raw;
            break;
    }
    k_ = o.k_;
    o.k_ = recon::kind::absent;
}

inline std::size_t record::size() const noexcept
{
    return items_.size();
}
inline bool record::empty() const noexcept
{
    return items_.empty();
}
inline void record::reserve(std::size_t n)
{
    items_.reserve(n);
}

/// Builds a record from items: `make_record(item::attr("a"), 1, item::slot("k", 2))`.
template <class... Items>
record make_record(Items&&... items)
{
    record r;
    r.reserve(sizeof...(Items));
    (r.push_back(item(std::forward<Items>(items))), ...);
    return r;
}

/// Compares two texts the way `<=>` orders text values (bytewise, code point order for UTF-8).
inline std::strong_ordering compare_text(std::string_view a, std::string_view b) noexcept
{
    int c = a.compare(b);
    return c < 0   ? std::strong_ordering::less
           : c > 0 ? std::strong_ordering::greater
                   : std::strong_ordering::equal;
}

/** A hash that agrees with `==`: values that compare equal hash equal, numbers of different
 * kinds included (`1`, `1.0` and `1u` hash alike). For hashed indexes of keys.
 */
std::size_t hash_value(value const& v) noexcept;

}  // namespace swim::recon

#endif
