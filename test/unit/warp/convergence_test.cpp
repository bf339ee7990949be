// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The convergence contract, as a property over thousands of seeded runs: a host_session's
// downlink, linked to a model server that coalesces its events, interleaves other clients'
// writes, drops commands and loses connections, holds exactly the lane's state once the
// traffic stops; and what its handlers were told (did_set, did_update, did_remove, did_clear,
// on_synced) adds up to that state at every step.

#include <swim/recon/writer.hpp>
#include <swim/warp/host_session.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../common/convergence_run.hpp"

using namespace swim;
using warp::downlink_kind;

namespace {

void check_many(downlink_kind kind)
{
    unsigned verified = 0;
    unsigned diverged = 0;
    unsigned const runs = 3000;
    auto seeded = [](std::uint32_t s) {
        return [rng = std::mt19937(s)](unsigned n) mutable {
            return rng() % n;
        };
    };
    for (std::uint32_t seed = 1; seed <= runs; ++seed) {
        char const* trace_seed = std::getenv("SWIM_TRACE_SEED");
        bool const trace = trace_seed && std::strtoul(trace_seed, nullptr, 10) == seed;
        auto r = test::converge(kind, seeded(seed), 300, true, trace);
        if (!r.ok) {
            BOOST_ERROR(
                "seed " << seed << " (" << warp::to_string(kind) << " downlink): " << r.why);
            return;
        }
        verified += r.verifies > 0 ? 1 : 0;
        diverged += test::converge(kind, seeded(seed), 300, false).ok ? 0 : 1;
    }
    BOOST_TEST_MESSAGE(
        runs << " " << warp::to_string(kind) << " runs converged; " << verified
             << " verified their state at least once; without verification " << diverged
             << " would have diverged");
    // Commands are dropped in most runs: some can only converge through verification.
    BOOST_TEST(verified > 0u);
    BOOST_TEST(diverged > 0u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(convergence)

BOOST_AUTO_TEST_CASE(value_downlinks_converge_whatever_the_server_coalesces_or_drops)
{
    check_many(downlink_kind::value);
}

BOOST_AUTO_TEST_CASE(map_downlinks_converge_whatever_the_server_coalesces_or_drops)
{
    check_many(downlink_kind::map);
}

BOOST_AUTO_TEST_SUITE_END()
