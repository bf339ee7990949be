// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Short builders of Recon values for the tables of the Recon tests.

#ifndef SWIM_TEST_UNIT_RECON_BUILD_HPP
#define SWIM_TEST_UNIT_RECON_BUILD_HPP

#include <swim/recon/value.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace swim_test {

/// A record value of the given items: `rec(attr("a"), 1, slot("k", 2))`.
template <class... Items>
swim::recon::value rec(Items&&... items)
{
    return swim::recon::value(swim::recon::make_record(std::forward<Items>(items)...));
}

/// `@name(v)`.
inline swim::recon::item attr(
    std::string name,
    swim::recon::value v = swim::recon::value(swim::recon::extant))
{
    return swim::recon::item::attr(std::move(name), std::move(v));
}

/// `k: v`.
inline swim::recon::item slot(swim::recon::value k, swim::recon::value v)
{
    return swim::recon::item::slot(std::move(k), std::move(v));
}

/// A data value.
inline swim::recon::value bytes(std::vector<std::uint8_t> b)
{
    return swim::recon::value(swim::recon::blob(std::move(b)));
}

}  // namespace swim_test

#endif
