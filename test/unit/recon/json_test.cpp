// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/json.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "print.hpp"

namespace recon = swim::recon;
namespace json = boost::json;
using recon::item;
using recon::make_record;
using recon::record;
using recon::value;

namespace {

// Equal kinds and values, objects in the same key order, doubles with the same sign: stricter
// than json::value's operator== (unordered objects, int64 == uint64).
bool strict_equal(json::value const& a, json::value const& b)
{
    if (a.kind() != b.kind())
        return false;
    switch (a.kind()) {
        case json::kind::null: return true;
        case json::kind::bool_: return a.get_bool() == b.get_bool();
        case json::kind::int64: return a.get_int64() == b.get_int64();
        case json::kind::uint64: return a.get_uint64() == b.get_uint64();
        case json::kind::double_:
            return a.get_double() == b.get_double() &&
                   std::signbit(a.get_double()) == std::signbit(b.get_double());
        case json::kind::string: return a.get_string() == b.get_string();
        case json::kind::array: {
            auto const& x = a.get_array();
            auto const& y = b.get_array();
            if (x.size() != y.size())
                return false;
            for (std::size_t i = 0; i < x.size(); ++i)
                if (!strict_equal(x[i], y[i]))
                    return false;
            return true;
        }
        case json::kind::object: {
            auto const& x = a.get_object();
            auto const& y = b.get_object();
            if (x.size() != y.size())
                return false;
            for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j)
                if (i->key() != j->key() || !strict_equal(i->value(), j->value()))
                    return false;
            return true;
        }
    }
    return false;
}

// Equal kinds all the way down (value's == compares numbers across kinds), same item kinds.
bool strict_equal(value const& a, value const& b)
{
    if (a.kind() != b.kind())
        return false;
    if (auto d = a.if_float64())
        return *d == *b.if_float64() && std::signbit(*d) == std::signbit(*b.if_float64());
    if (!a.is_record())
        return a == b;
    auto const& x = a.as_record();
    auto const& y = b.as_record();
    if (x.size() != y.size())
        return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (x[i].kind != y[i].kind || !strict_equal(x[i].key, y[i].key) ||
            !strict_equal(x[i].val, y[i].val))
            return false;
    }
    return true;
}

std::string keys_of(json::object const& o)
{
    std::string s;
    for (auto const& kv : o) {
        s.append(kv.key().data(), kv.key().size());
        s.push_back(' ');
    }
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_bridge)

// ---- recon -> json, one test per row of the table in json.hpp ---------------------------------

BOOST_AUTO_TEST_CASE(to_json_absent_and_extant_are_null)
{
    BOOST_TEST(recon::to_json(value()).is_null());
    BOOST_TEST(recon::to_json(value(recon::extant)).is_null());
}

BOOST_AUTO_TEST_CASE(to_json_bool)
{
    json::value t = recon::to_json(value(true));
    json::value f = recon::to_json(value(false));
    BOOST_TEST(t.is_bool());
    BOOST_TEST(t.get_bool() == true);
    BOOST_TEST(f.get_bool() == false);
}

BOOST_AUTO_TEST_CASE(to_json_int64)
{
    json::value j = recon::to_json(value(std::int64_t(-42)));
    BOOST_TEST(j.is_int64());
    BOOST_TEST(j.get_int64() == -42);
    json::value lo = recon::to_json(value(std::numeric_limits<std::int64_t>::min()));
    BOOST_TEST(lo.get_int64() == std::numeric_limits<std::int64_t>::min());
}

BOOST_AUTO_TEST_CASE(to_json_uint64)
{
    json::value j = recon::to_json(value(std::numeric_limits<std::uint64_t>::max()));
    BOOST_TEST(j.is_uint64());
    BOOST_TEST(j.get_uint64() == std::numeric_limits<std::uint64_t>::max());
}

BOOST_AUTO_TEST_CASE(to_json_big_integer_is_a_decimal_string)
{
    value neg(recon::big_integer{true, "18446744073709551616"});
    value pos(recon::big_integer{false, "123456789012345678901234567890"});
    BOOST_TEST(neg.kind() == recon::kind::big_integer);
    BOOST_TEST(recon::to_json(neg) == json::value("-18446744073709551616"));
    BOOST_TEST(recon::to_json(pos) == json::value("123456789012345678901234567890"));
}

BOOST_AUTO_TEST_CASE(to_json_float64)
{
    json::value j = recon::to_json(value(1.5));
    BOOST_TEST(j.is_double());
    BOOST_TEST(j.get_double() == 1.5);
    // An integral float stays a double.
    json::value two = recon::to_json(value(2.0));
    BOOST_TEST(two.is_double());
    BOOST_TEST(two.get_double() == 2.0);
}

BOOST_AUTO_TEST_CASE(to_json_non_finite_float_is_an_error)
{
    for (double d :
         {std::numeric_limits<double>::quiet_NaN(),
          std::numeric_limits<double>::infinity(),
          -std::numeric_limits<double>::infinity()}) {
        boost::system::error_code ec;
        json::value j = recon::to_json(value(d), ec);
        BOOST_TEST(ec == swim_test::ec(recon::error::non_finite_float));
        BOOST_TEST(j.is_null());
        BOOST_CHECK_THROW(recon::to_json(value(d)), boost::system::system_error);
    }
    // Deep inside a record as well.
    value nested(make_record(1, item::slot("a", value(record{std::nan("")}))));
    boost::system::error_code ec;
    BOOST_TEST(recon::to_json(nested, ec).is_null());
    BOOST_TEST(ec == swim_test::ec(recon::error::non_finite_float));
    // The error code is cleared by a later success.
    BOOST_TEST(recon::to_json(value(1), ec) == json::value(1));
    BOOST_TEST(!ec);
    try {
        recon::to_json(nested);
        BOOST_FAIL("no exception");
    } catch (boost::system::system_error const& e) {
        BOOST_TEST(e.code() == recon::error::non_finite_float);
    }
}

BOOST_AUTO_TEST_CASE(to_json_text)
{
    BOOST_TEST(recon::to_json(value("hello")) == json::value("hello"));
    BOOST_TEST(recon::to_json(value("")) == json::value(""));
    BOOST_TEST(
        recon::to_json(value("h\xc3\xa9llo \"q\"\n")) == json::value("h\xc3\xa9llo \"q\"\n"));
}

BOOST_AUTO_TEST_CASE(to_json_data_is_padded_base64)
{
    auto b64 = [](recon::blob b) {
        return recon::to_json(value(std::move(b)));
    };
    BOOST_TEST(b64({}) == json::value(""));
    BOOST_TEST(b64({0x00}) == json::value("AA=="));
    BOOST_TEST(b64({0x00, 0x01}) == json::value("AAE="));
    BOOST_TEST(b64({0x00, 0x01, 0x02}) == json::value("AAEC"));
    BOOST_TEST(b64({0x00, 0x01, 0x02, 0x03, 0xff}) == json::value("AAECA/8="));
    BOOST_TEST(b64({0xfb, 0xff, 0xbf}) == json::value("+/+/"));
    BOOST_TEST(b64({'M', 'a', 'n'}) == json::value("TWFu"));
}

BOOST_AUTO_TEST_CASE(to_json_record_of_plain_values_is_an_array)
{
    value v(record{1, "a", value(record{true}), value(record{})});
    json::value j = recon::to_json(v);
    BOOST_TEST(strict_equal(j, json::array{1, "a", json::array{true}, json::array{}}));
}

BOOST_AUTO_TEST_CASE(to_json_empty_record_is_an_empty_array)
{
    json::value j = recon::to_json(value(record{}));
    BOOST_TEST(j.is_array());
    BOOST_TEST(j.get_array().empty());
}

BOOST_AUTO_TEST_CASE(to_json_attribute)
{
    json::value j = recon::to_json(value(make_record(item::attr("a", 1))));
    BOOST_TEST(strict_equal(j, json::object{{"@a", 1}}));
    // `@a` alone holds extant: null.
    json::value k = recon::to_json(value(make_record(item::attr("tag"))));
    BOOST_TEST(strict_equal(k, json::object{{"@tag", nullptr}}));
    // An attribute whose value is a record.
    json::value r = recon::to_json(value(make_record(item::attr("a", value(record{1, 2})))));
    BOOST_TEST(strict_equal(r, json::object{{"@a", json::array{1, 2}}}));
}

BOOST_AUTO_TEST_CASE(to_json_text_slot)
{
    json::value j = recon::to_json(
        value(make_record(item::slot("k", 1), item::slot("two words", "x"))));
    BOOST_TEST(strict_equal(j, json::object{{"k", 1}, {"two words", "x"}}));
}

BOOST_AUTO_TEST_CASE(to_json_non_text_slot_key_is_its_recon_text)
{
    value v(make_record(
        item::slot(1, "a"),
        item::slot(true, "b"),
        item::slot(value(make_record(item::slot("x", 1))), "c"),
        item::slot(2.5, "d")));
    json::value j = recon::to_json(v);
    BOOST_TEST(j.is_object());
    BOOST_TEST(keys_of(j.get_object()) == "1 true {x:1} 2.5 ");
    BOOST_TEST(j.at("1") == json::value("a"));
    BOOST_TEST(j.at("{x:1}") == json::value("c"));
}

BOOST_AUTO_TEST_CASE(to_json_plain_value_beside_slots_is_dollar_index)
{
    value v(make_record(item::attr("a"), 7, item::slot("k", "v"), "x"));
    json::value j = recon::to_json(v);
    BOOST_TEST(strict_equal(j, json::object{{"@a", nullptr}, {"$1", 7}, {"k", "v"}, {"$3", "x"}}));
}

BOOST_AUTO_TEST_CASE(to_json_object_keeps_item_order)
{
    value v(make_record(item::slot("z", 1), item::attr("m", 2), item::slot("a", 3)));
    json::value j = recon::to_json(v);
    BOOST_TEST(keys_of(j.get_object()) == "z @m a ");
}

BOOST_AUTO_TEST_CASE(to_json_duplicate_key_keeps_first_position_last_value)
{
    value v(make_record(item::slot("a", 1), item::slot("b", 2), item::slot("a", 3)));
    json::value j = recon::to_json(v);
    BOOST_TEST(strict_equal(j, json::object{{"a", 3}, {"b", 2}}));
    BOOST_TEST(keys_of(j.get_object()) == "a b ");
}

BOOST_AUTO_TEST_CASE(to_json_serialises_as_expected)
{
    value v(make_record(
        item::attr("event", value(make_record(item::slot("node", "/a"), item::slot("lane", "b")))),
        item::slot("n", 1)));
    BOOST_TEST(
        json::serialize(recon::to_json(v)) == R"({"@event":{"node":"/a","lane":"b"},"n":1})");
}

// ---- json -> recon --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(from_json_null_is_extant)
{
    value v = recon::from_json(nullptr);
    BOOST_TEST(v.is_extant());
}

BOOST_AUTO_TEST_CASE(from_json_bool)
{
    BOOST_TEST(strict_equal(recon::from_json(true), value(true)));
    BOOST_TEST(strict_equal(recon::from_json(false), value(false)));
}

BOOST_AUTO_TEST_CASE(from_json_integers_are_normalised)
{
    value i = recon::from_json(std::int64_t(-7));
    BOOST_TEST(i.kind() == recon::kind::int64);
    BOOST_TEST(*i.if_int64() == -7);
    value small = recon::from_json(std::uint64_t(5));
    BOOST_TEST(small.kind() == recon::kind::int64);
    BOOST_TEST(*small.if_int64() == 5);
    value big = recon::from_json(std::uint64_t(1) << 63);
    BOOST_TEST(big.kind() == recon::kind::uint64);
    BOOST_TEST(*big.if_uint64() == std::uint64_t(1) << 63);
}

BOOST_AUTO_TEST_CASE(from_json_double)
{
    value d = recon::from_json(2.0);
    BOOST_TEST(d.kind() == recon::kind::float64);
    BOOST_TEST(*d.if_float64() == 2.0);
}

BOOST_AUTO_TEST_CASE(from_json_string_stays_text)
{
    for (char const* s : {"hello", "", "123", "AAE=", "true"}) {
        value v = recon::from_json(json::value(s));
        BOOST_TEST(v.is_text());
        BOOST_TEST(v.as_text() == s);
    }
}

BOOST_AUTO_TEST_CASE(from_json_array_is_record_of_plain_values)
{
    value v = recon::from_json(json::array{1, "a", nullptr, json::array{}});
    BOOST_TEST(strict_equal(v, value(record{1, "a", value(recon::extant), value(record{})})));
}

BOOST_AUTO_TEST_CASE(from_json_object_attributes_and_slots_in_order)
{
    json::object o;
    o["b"] = 1;
    o["@tag"] = nullptr;
    o["$1"] = "x";
    o["@a"] = json::array{1, 2};
    o["a"] = json::object{{"@inner", 3}};
    value v = recon::from_json(o);
    value expected(make_record(
        item::slot("b", 1),
        item::attr("tag"),
        item::slot("$1", "x"),
        item::attr("a", value(record{1, 2})),
        item::slot("a", value(make_record(item::attr("inner", 3))))));
    BOOST_TEST(strict_equal(v, expected));
    BOOST_TEST(v.as_record()[1].is_attr());
    BOOST_TEST(v.as_record()[1].name() == "tag");
    BOOST_TEST(v.as_record()[1].val.is_extant());
    BOOST_TEST(v.as_record()[2].is_slot());
}

BOOST_AUTO_TEST_CASE(from_json_empty_object_is_empty_record)
{
    value v = recon::from_json(json::object{});
    BOOST_TEST(strict_equal(v, value(record{})));
}

// ---- properties -----------------------------------------------------------------------------

namespace {

class generator {
public:
    explicit generator(std::uint32_t seed)
        : rng_(seed)
    {}

    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

    std::string text(bool key)
    {
        static char const* const pieces[] = {
            "a",
            "b",
            "Z",
            "_",
            "0",
            "9",
            " ",
            "-",
            "@",
            "$",
            "\"",
            "\\",
            "/",
            "{",
            "}",
            ":",
            ",",
            "\n",
            "\t",
            "\x01",
            "\xc3\xa9",
            "\xe6\x97\xa5",
            "\xf0\x9f\x98\x80"};
        constexpr int n = sizeof(pieces) / sizeof(pieces[0]);
        std::string s;
        int len = pick(8);
        if (key) {
            // Keys start with a letter: never '@' or '$'.
            s.push_back(static_cast<char>('a' + pick(26)));
        }
        for (int i = 0; i < len; ++i)
            s.append(pieces[pick(n)]);
        return s;
    }

    double number()
    {
        switch (pick(4)) {
            case 0: return static_cast<double>(pick(2001) - 1000);
            case 1: return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
            case 2: return pick(2) ? -0.0 : 0.0;
            default: {
                double m = std::uniform_real_distribution<double>(-1, 1)(rng_);
                return std::ldexp(m, pick(2000) - 1000);
            }
        }
    }

    std::int64_t int64()
    {
        return std::uniform_int_distribution<std::int64_t>(
            std::numeric_limits<std::int64_t>::min(),
            std::numeric_limits<std::int64_t>::max())(rng_);
    }

    std::uint64_t big_uint64()
    {
        return std::uniform_int_distribution<std::uint64_t>(
            std::uint64_t(1) << 63,
            std::numeric_limits<std::uint64_t>::max())(rng_);
    }

    json::value json_value(int depth)
    {
        int k = pick(depth > 0 ? 9 : 7);
        switch (k) {
            case 0: return nullptr;
            case 1: return pick(2) == 1;
            case 2: return int64();
            case 3: return big_uint64();
            case 4: return number();
            case 5:
            case 6: return json::value(text(false));
            case 7: {
                json::array a;
                int n = pick(5);
                for (int i = 0; i < n; ++i)
                    a.push_back(json_value(depth - 1));
                return a;
            }
            default: {
                json::object o;
                int n = 1 + pick(4);
                for (int i = 0; i < n; ++i)
                    o[text(true)] = json_value(depth - 1);
                return o;
            }
        }
    }

    // A value that comes back unchanged from JSON: see "Round trips" in json.hpp.
    value recon_value(int depth)
    {
        int k = pick(depth > 0 ? 9 : 7);
        switch (k) {
            case 0: return value(recon::extant);
            case 1: return value(pick(2) == 1);
            case 2: return value(int64());
            case 3: return value(big_uint64());
            case 4: return value(number());
            case 5:
            case 6: return value(text(false));
            case 7: {
                record r;
                int n = pick(5);
                for (int i = 0; i < n; ++i)
                    r.add_value(recon_value(depth - 1));
                return value(std::move(r));
            }
            default: {
                record r;
                std::set<std::string> attrs, slots;
                int n = 1 + pick(4);
                for (int i = 0; i < n; ++i) {
                    if (pick(3) == 0) {
                        // Any name, even one starting with '@' or empty.
                        std::string name = pick(4) == 0 ? text(false) : text(true);
                        if (attrs.insert(name).second)
                            r.add_attr(name, recon_value(depth - 1));
                    } else {
                        std::string key = text(true);
                        if (slots.insert(key).second)
                            r.add_slot(value(key), recon_value(depth - 1));
                    }
                }
                return value(std::move(r));
            }
        }
    }

private:
    std::mt19937 rng_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(property_json_to_recon_to_json_is_identity)
{
    generator gen(20260101);
    int objects = 0;
    for (int i = 0; i < 3000; ++i) {
        json::value j = gen.json_value(4);
        objects += j.is_object();
        json::value back = recon::to_json(recon::from_json(j));
        if (!strict_equal(j, back)) {
            BOOST_TEST_MESSAGE("input " << json::serialize(j));
            BOOST_TEST_MESSAGE("back  " << json::serialize(back));
            BOOST_FAIL("json -> recon -> json changed case " << i);
        }
    }
    BOOST_TEST(objects > 300);
}

BOOST_AUTO_TEST_CASE(property_json_with_at_keys_round_trips)
{
    // '@' keys become attributes and come back as the same keys.
    generator gen(77);
    for (int i = 0; i < 1000; ++i) {
        json::object o;
        int n = 1 + gen.pick(4);
        for (int k = 0; k < n; ++k)
            o[(gen.pick(2) ? "@" : "") + gen.text(true)] = gen.json_value(2);
        json::value back = recon::to_json(recon::from_json(o));
        if (!strict_equal(o, back))
            BOOST_FAIL("changed: " << json::serialize(o) << " -> " << json::serialize(back));
    }
}

BOOST_AUTO_TEST_CASE(property_recon_to_json_to_recon_is_identity)
{
    generator gen(424242);
    int records = 0;
    for (int i = 0; i < 3000; ++i) {
        value v = gen.recon_value(4);
        records += v.is_record();
        boost::system::error_code ec;
        json::value j = recon::to_json(v, ec);
        BOOST_REQUIRE(!ec);
        value back = recon::from_json(j);
        if (!strict_equal(v, back)) {
            BOOST_TEST_MESSAGE("json " << json::serialize(j));
            BOOST_FAIL("recon -> json -> recon changed case " << i);
        }
    }
    BOOST_TEST(records > 300);
}

BOOST_AUTO_TEST_CASE(strict_equal_is_strict)
{
    // The property tests are only as good as their comparison.
    BOOST_TEST(!strict_equal(json::value(std::int64_t(1)), json::value(std::uint64_t(1))));
    BOOST_TEST(!strict_equal(json::value(0.0), json::value(-0.0)));
    BOOST_TEST(!strict_equal(json::object{{"a", 1}, {"b", 2}}, json::object{{"b", 2}, {"a", 1}}));
    BOOST_TEST(!strict_equal(value(1), value(1.0)));
    BOOST_TEST(!strict_equal(
        value(make_record(item::attr("a", 1))),
        value(make_record(item::slot("a", 1)))));
    BOOST_TEST(strict_equal(value(record{1, "x"}), value(record{1, "x"})));
}

BOOST_AUTO_TEST_SUITE_END()
