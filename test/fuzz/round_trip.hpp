// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_TEST_FUZZ_ROUND_TRIP_HPP
#define SWIM_TEST_FUZZ_ROUND_TRIP_HPP

#include <swim/recon/value.hpp>

#include <cmath>

namespace swim::fuzz {

/** True when recon::write() then recon::parse() must give back `v` exactly.
 *
 * What the canonical writer cannot represent (`warp-protocol.md` §1.6a) is excluded:
 * - absent or extant as a plain record item (`Record([@a],[Extant])`, `{1,,2}`): both write
 *   as nothing;
 * - absent as a slot key, slot value or attribute value (written as nothing, read as extant);
 * - extant as the whole document (written as nothing, read as absent);
 * - an attribute after a plain item or slot (`42@signed`): the writer hoists it;
 * - NaN and infinities (the writer refuses them).
 */
inline bool round_trips(recon::value const& v, bool top_level = true)
{
    switch (v.kind()) {
        case recon::kind::extant: return !top_level;
        case recon::kind::float64: return std::isfinite(*v.if_float64());
        case recon::kind::record: break;
        default: return true;
    }
    bool seen_non_attr = false;
    for (auto const& i : v.as_record()) {
        if (i.is_attr()) {
            if (seen_non_attr || i.val.is_absent() || !round_trips(i.val, false))
                return false;
            continue;
        }
        seen_non_attr = true;
        if (i.is_slot()) {
            if (i.key.is_absent() || i.val.is_absent())
                return false;
            if (!round_trips(i.key, false) || !round_trips(i.val, false))
                return false;
        } else if (i.val.is_empty() || !round_trips(i.val, false)) {
            return false;
        }
    }
    return true;
}

}  // namespace swim::fuzz

#endif
