// SPDX-License-Identifier: BSL-1.0
// The one Boost.Test entry point, compiled once and linked into every test executable.
#define BOOST_TEST_MODULE swim
#include <boost/test/unit_test.hpp>
