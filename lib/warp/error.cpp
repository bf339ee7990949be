// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/warp/error.hpp>

#include <string>

namespace swim::warp {

namespace {

class category final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "swim.warp"; }

    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
            case error::not_an_envelope: return "not a WARP envelope (expected '@')";
            case error::unknown_envelope: return "unknown envelope tag";
            case error::malformed_header: return "malformed envelope header";
            case error::missing_node: return "envelope has no node URI";
            case error::missing_lane: return "envelope has no lane URI";
            case error::invalid_node: return "node URI is not text";
            case error::invalid_lane: return "lane URI is not text";
            case error::invalid_prio: return "prio is not a number";
            case error::invalid_rate: return "rate is not a number";
            case error::malformed_body: return "malformed envelope body";
            case error::invalid_map_event: return "not a map lane event";
            case error::kind_mismatch: return "a downlink of another kind is open on that lane";
            case error::queue_full: return "write queue full";
            case error::closed: return "downlink closed";
        }
        return "unknown swim.warp error " + std::to_string(ev);
    }
};

}  // namespace

boost::system::error_category const& error_category() noexcept
{
    static category const instance;
    return instance;
}

}  // namespace swim::warp
