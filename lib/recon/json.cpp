// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/json.hpp>
#include <swim/recon/writer.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/system/system_error.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace swim::recon {

namespace {

constexpr char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Standard base64 (RFC 4648 §4) with '=' padding.
std::string to_base64(blob const& b)
{
    std::string out;
    out.reserve((b.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= b.size(); i += 3) {
        std::uint32_t n = (std::uint32_t(b[i]) << 16) | (std::uint32_t(b[i + 1]) << 8) | b[i + 2];
        out.push_back(base64_alphabet[(n >> 18) & 63]);
        out.push_back(base64_alphabet[(n >> 12) & 63]);
        out.push_back(base64_alphabet[(n >> 6) & 63]);
        out.push_back(base64_alphabet[n & 63]);
    }
    std::size_t rest = b.size() - i;
    if (rest == 1) {
        std::uint32_t n = std::uint32_t(b[i]) << 16;
        out.push_back(base64_alphabet[(n >> 18) & 63]);
        out.push_back(base64_alphabet[(n >> 12) & 63]);
        out.append("==");
    } else if (rest == 2) {
        std::uint32_t n = (std::uint32_t(b[i]) << 16) | (std::uint32_t(b[i + 1]) << 8);
        out.push_back(base64_alphabet[(n >> 18) & 63]);
        out.push_back(base64_alphabet[(n >> 12) & 63]);
        out.push_back(base64_alphabet[(n >> 6) & 63]);
        out.push_back('=');
    }
    return out;
}

bool has_attr_or_slot(record const& r) noexcept
{
    for (auto const& it : r)
        if (!it.is_value())
            return true;
    return false;
}

boost::json::value to_json_impl(value const& v, boost::system::error_code& ec);

// The JSON key of item `index` of an object-like record.
std::string object_key(item const& it, std::size_t index, boost::system::error_code& ec)
{
    if (it.is_attr()) {
        std::string key = "@";
        key.append(it.name());
        return key;
    }
    if (it.is_slot()) {
        if (auto t = it.key.if_text())
            return *t;
        std::string key;
        write(it.key, key, ec);
        return key;
    }
    // Appended rather than `"$" + std::to_string(...)`, which GCC 12 at -O3 flags with a
    // false -Wrestrict.
    std::string key = "$";
    key += std::to_string(index);
    return key;
}

boost::json::value record_to_json(record const& r, boost::system::error_code& ec)
{
    if (!has_attr_or_slot(r)) {
        boost::json::array arr;
        arr.reserve(r.size());
        for (auto const& it : r) {
            arr.push_back(to_json_impl(it.val, ec));
            if (ec)
                return nullptr;
        }
        return arr;
    }
    boost::json::object obj;
    obj.reserve(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) {
        std::string key = object_key(r[i], i, ec);
        if (ec)
            return nullptr;
        auto jv = to_json_impl(r[i].val, ec);
        if (ec)
            return nullptr;
        // A duplicate key keeps its first position and takes the last value (JSON.parse).
        obj.insert_or_assign(key, std::move(jv));
    }
    return obj;
}

boost::json::value to_json_impl(value const& v, boost::system::error_code& ec)
{
    switch (v.kind()) {
        case kind::absent:
        case kind::extant: return nullptr;
        case kind::boolean: return *v.if_bool();
        case kind::int64: return *v.if_int64();
        case kind::uint64: return *v.if_uint64();
        case kind::big_integer: {
            auto const& b = *v.if_big_integer();
            std::string s;
            s.reserve(b.digits.size() + 1);
            if (b.negative)
                s.push_back('-');
            s.append(b.digits);
            return boost::json::string(s);
        }
        case kind::float64: {
            double d = *v.if_float64();
            if (!std::isfinite(d)) {
                ec = error::non_finite_float;
                return nullptr;
            }
            return d;
        }
        case kind::text: return boost::json::string(*v.if_text());
        case kind::data: return boost::json::string(to_base64(*v.if_data()));
        case kind::record: return record_to_json(*v.if_record(), ec);
    }
    return nullptr;
}

}  // namespace

boost::json::value to_json(value const& v, boost::system::error_code& ec)
{
    ec.clear();
    auto jv = to_json_impl(v, ec);
    if (ec)
        return nullptr;
    return jv;
}

boost::json::value to_json(value const& v)
{
    boost::system::error_code ec;
    auto jv = to_json(v, ec);
    if (ec)
        throw boost::system::system_error(ec, "swim::recon::to_json");
    return jv;
}

value from_json(boost::json::value const& j)
{
    switch (j.kind()) {
        case boost::json::kind::null: return value(extant);
        case boost::json::kind::bool_: return value(j.get_bool());
        case boost::json::kind::int64: return value(j.get_int64());
        case boost::json::kind::uint64: return value(j.get_uint64());
        case boost::json::kind::double_: return value(j.get_double());
        case boost::json::kind::string: {
            auto const& s = j.get_string();
            return value(std::string(s.data(), s.size()));
        }
        case boost::json::kind::array: {
            auto const& arr = j.get_array();
            record r;
            r.reserve(arr.size());
            for (auto const& e : arr)
                r.add_value(from_json(e));
            return value(std::move(r));
        }
        case boost::json::kind::object: {
            auto const& obj = j.get_object();
            record r;
            r.reserve(obj.size());
            for (auto const& kv : obj) {
                std::string_view key(kv.key().data(), kv.key().size());
                if (!key.empty() && key.front() == '@')
                    r.add_attr(std::string(key.substr(1)), from_json(kv.value()));
                else
                    r.add_slot(value(key), from_json(kv.value()));
            }
            return value(std::move(r));
        }
    }
    return value(extant);
}

}  // namespace swim::recon
