// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// Test-only printing of Recon and WARP types for Boost.Test messages.
//
// dump() is a kind-exact rendering, independent of the writer under test: absent and extant
// are named, uint64 gets a `u` suffix, floats are `f(...)`, big integers `big(...)`, text is
// always quoted and data is hex. Two values with equal dumps are equal *and* of the same
// kinds, so `BOOST_TEST(dump(a) == dump(b))` is a strict structural comparison (it tells `1`
// from `1.0`, which `==` deliberately does not). The Recon text (recon::to_string) is appended
// when the value is writable, to make failures readable.

#ifndef SWIM_TEST_RECON_PRINT_HPP
#define SWIM_TEST_RECON_PRINT_HPP

#include <swim/recon/error.hpp>
#include <swim/recon/value.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/error.hpp>
#include <swim/warp/map_event.hpp>

#include <boost/system/error_code.hpp>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>

namespace swim_test {

inline void dump_text(std::string_view s, std::string& out)
{
    out += '"';
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
}

inline void dump(swim::recon::value const& v, std::string& out)
{
    using swim::recon::kind;
    switch (v.kind()) {
        case kind::absent: out += "absent"; break;
        case kind::extant: out += "extant"; break;
        case kind::boolean: out += v.as_bool() ? "true" : "false"; break;
        case kind::int64: out += std::to_string(*v.if_int64()); break;
        case kind::uint64: out += std::to_string(*v.if_uint64()) + "u"; break;
        case kind::big_integer: {
            auto const& b = *v.if_big_integer();
            out += "big(";
            out += b.negative ? "-" : "";
            out += b.digits;
            out += ")";
            break;
        }
        case kind::float64: {
            char buf[64];
            auto r = std::to_chars(buf, buf + sizeof buf, *v.if_float64());
            out += "f(";
            out.append(buf, r.ptr);
            out += ")";
            break;
        }
        case kind::text: dump_text(v.as_text(), out); break;
        case kind::data: {
            out += "data(";
            bool first = true;
            for (auto b : *v.if_data()) {
                char buf[4];
                std::snprintf(buf, sizeof buf, "%02x", b);
                if (!first)
                    out += ' ';
                out += buf;
                first = false;
            }
            out += ")";
            break;
        }
        case kind::record: {
            out += "{";
            bool first = true;
            for (auto const& i : v.as_record()) {
                if (!first)
                    out += ", ";
                first = false;
                if (i.is_attr()) {
                    out += "@";
                    dump(i.key, out);
                    out += "(";
                    dump(i.val, out);
                    out += ")";
                } else if (i.is_slot()) {
                    dump(i.key, out);
                    out += ": ";
                    dump(i.val, out);
                } else {
                    dump(i.val, out);
                }
            }
            out += "}";
            break;
        }
    }
}

/// The kind-exact rendering of `v` (see the file comment).
inline std::string dump(swim::recon::value const& v)
{
    std::string out;
    dump(v, out);
    return out;
}

/// The dump followed by the canonical Recon text, for messages.
inline std::string describe(swim::recon::value const& v)
{
    std::string out = dump(v);
    std::string text;
    boost::system::error_code ec;
    swim::recon::write(v, text, ec);
    out += ec ? std::string(" [not writable: ") + ec.message() + "]" : " [recon: `" + text + "`]";
    return out;
}

inline boost::system::error_code ec(swim::recon::error e)
{
    return swim::recon::make_error_code(e);
}

}  // namespace swim_test

namespace swim::recon {

// Found by argument-dependent lookup from Boost.Test's printing (BOOST_TEST, data samples).
inline std::ostream& boost_test_print_type(std::ostream& os, value const& v)
{
    return os << swim_test::describe(v);
}
inline std::ostream& boost_test_print_type(std::ostream& os, record const& r)
{
    return os << swim_test::describe(value(r));
}
inline std::ostream& boost_test_print_type(std::ostream& os, item const& i)
{
    return os << swim_test::dump(value(make_record(i)));
}
inline std::ostream& boost_test_print_type(std::ostream& os, kind k)
{
    return os << to_string(k);
}
inline std::ostream& boost_test_print_type(std::ostream& os, error e)
{
    return os << make_error_code(e);
}
inline std::ostream& boost_test_print_type(std::ostream& os, parse_error const& e)
{
    return os << "parse_error{" << e.code << " (" << e.code.message() << "), offset " << e.offset
              << "}";
}

}  // namespace swim::recon

namespace swim::warp {

inline std::ostream& boost_test_print_type(std::ostream& os, envelope_kind k)
{
    return os << to_string(k);
}
inline std::ostream& boost_test_print_type(std::ostream& os, error e)
{
    return os << make_error_code(e);
}
inline std::ostream& boost_test_print_type(std::ostream& os, envelope const& e)
{
    std::string node, lane;
    swim_test::dump_text(e.node, node);
    swim_test::dump_text(e.lane, lane);
    return os << "envelope{" << to_string(e.kind) << ", node " << node << ", lane " << lane
              << ", prio " << e.prio << ", rate " << e.rate << ", body "
              << swim_test::describe(e.body) << "}";
}
inline std::ostream& boost_test_print_type(std::ostream& os, map_event const& e)
{
    static char const* const names[] = {"update", "remove", "clear", "take", "drop"};
    return os << "map_event{" << names[static_cast<int>(e.kind)] << ", key "
              << swim_test::dump(e.key) << ", value " << swim_test::dump(e.value) << ", n " << e.n
              << "}";
}
inline std::ostream& boost_test_print_type(std::ostream& os, envelope_error const& e)
{
    return os << "envelope_error{" << e.code << ", recon " << e.recon.code << " at "
              << e.recon.offset << "}";
}

}  // namespace swim::warp

namespace swim_test {
inline boost::system::error_code ec(swim::warp::error e)
{
    return swim::warp::make_error_code(e);
}
}  // namespace swim_test

#endif
