// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_CLIENT_DETAIL_VIEW_SINK_HPP
#define SWIM_CLIENT_DETAIL_VIEW_SINK_HPP

#include <swim/warp/host_session.hpp>

#include <boost/system/error_code.hpp>

#include <string>

namespace swim::client::detail {

/// What a host connection hands the notifications of one downlink to: a client downlink, or
/// an agent-side downlink of a server. Called on the connection's strand.
class view_sink {
public:
    virtual void deliver(warp::view_note&& note) = 0;
    /// The connection is gone for good (closed): nothing more will come.
    virtual void end(boost::system::error_code ec, std::string reason) = 0;

protected:
    ~view_sink() = default;
};

}  // namespace swim::client::detail

#endif
