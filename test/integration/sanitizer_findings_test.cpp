// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Reproducers of what the sanitizers and fuzzers found in code this suite does not own
// (RELIABILITY.md, "Findings"). Each fails under the sanitized build (scripts/test.sh) until
// the code it names is fixed; keep it afterwards as a regression test.

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "../../lib/net/ws_frames.hpp"

namespace ws = swim::net::detail;

BOOST_AUTO_TEST_SUITE(sanitizer_findings)

// FINDING 1 (UBSan, nonnull-attribute), lib/net/ws_frames.cpp:93: append_ws_close() calls
// memcpy(payload + 2, reason.data(), 0) with reason.data() == nullptr when the reason is an
// empty std::string_view{}, which is undefined behaviour (memcpy's arguments are declared
// nonnull even for a length of 0). The client hits it on every clean close:
// lib/client/connection.cpp:563 passes `{}` as the reason.
BOOST_AUTO_TEST_CASE(append_ws_close_with_an_empty_reason_view)
{
    std::string out;
    ws::append_ws_close(out, ws::ws_close::normal, std::string_view{}, std::nullopt);
    BOOST_TEST(out == std::string("\x88\x02\x03\xe8", 4));
}

BOOST_AUTO_TEST_SUITE_END()
