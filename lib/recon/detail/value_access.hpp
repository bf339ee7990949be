// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// Library-internal: builds a value in place, without a temporary value and a move.

#ifndef SWIM_LIB_RECON_DETAIL_VALUE_ACCESS_HPP
#define SWIM_LIB_RECON_DETAIL_VALUE_ACCESS_HPP

#include <swim/recon/value.hpp>

#include <new>
#include <string>
#include <string_view>

namespace swim::recon::detail {

/// Each setter's precondition: `v` is absent (holds no payload).
struct value_access {
    static void set_text(value& v, std::string_view s)
    {
        ::new (static_cast<void*>(&v.u_.text)) std::string(s);
        v.k_ = kind::text;
    }
    static void set_text(value& v, std::string&& s) noexcept
    {
        ::new (static_cast<void*>(&v.u_.text)) std::string(std::move(s));
        v.k_ = kind::text;
    }
    static record& set_record(value& v) noexcept
    {
        ::new (static_cast<void*>(&v.u_.rec)) record();
        v.k_ = kind::record;
        return v.u_.rec;
    }
    static void set_extant(value& v) noexcept { v.k_ = kind::extant; }
    static void set_bool(value& v, bool b) noexcept
    {
        v.u_.b = b;
        v.k_ = kind::boolean;
    }
    static void set_int64(value& v, std::int64_t i) noexcept
    {
        v.u_.i = i;
        v.k_ = kind::int64;
    }
    static void set_unsigned(value& v, std::uint64_t u) noexcept { v.set_unsigned(u); }
    static void set_double(value& v, double d) noexcept
    {
        v.u_.d = d;
        v.k_ = kind::float64;
    }
};

}  // namespace swim::recon::detail

#endif
