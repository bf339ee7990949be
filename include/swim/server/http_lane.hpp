// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_HTTP_LANE_HPP
#define SWIM_SERVER_HTTP_LANE_HPP

#include <swim/server/lanes.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/** @file
 * HTTP lanes (swim-rust's HttpLane): an agent answers HTTP requests on the WARP port. A
 * request for `http://host:port/<node URI>?lane=<lane>` (path and lane percent-decoded) goes
 * to the HTTP lane `lane` of the agent at the node, which is made (or started again) as a
 * WARP request would make it; its handler for the method answers. No WARP client links to an
 * HTTP lane (`@laneNotFound`).
 *
 * Bodies are Recon, or JSON when the request asks for it: a request body is read by its
 * Content-Type (none, text/plain or a Recon type: Recon; application/json: JSON), the
 * response's body is written as the request's Accept asks (application/json: JSON, else
 * Recon).
 *
 * The server answers by itself: 404 when there is no such agent or HTTP lane (or no `lane=`),
 * 405 when the lane has no handler for the method (HEAD runs on_get and sends no body), 415
 * for a body of another type, 400 for a body that does not parse, 413 for one over
 * server_config::max_http_body, 408 when the request or its answer takes longer than
 * server_config::http_request_timeout, 503 when the server is stopping or
 * server_config::max_http_requests are in flight, 500 when the handler throws.
 *
 * @par Thread safety
 * Handlers run on the agent's strand, one at a time with its other handlers.
 */

namespace swim::server {

/// An HTTP request to an HTTP lane.
struct http_request {
    /// "GET", "HEAD", "PUT", "POST", "DELETE"...
    std::string method;
    /// The request-target as sent ("/hotel/room/7?lane=state").
    std::string target;
    /// The body, read as its Content-Type says (absent when there is none).
    recon::value body;
    /// The request's headers, as sent.
    std::vector<std::pair<std::string, std::string>> headers;

    /// The first header named `name` (any case), or empty.
    std::string_view header(std::string_view name) const noexcept;
};

/// The answer of an HTTP lane's handler: a status and a body (written in Recon or JSON, as
/// the request's Accept asks), and headers of its own.
struct http_response {
    unsigned status = 200;
    recon::value body;
    std::vector<std::pair<std::string, std::string>> headers;

    /// 200 with `body`.
    static http_response ok(recon::value body = {}) { return {200, std::move(body), {}}; }
    /// `status` with `body`.
    static http_response with_status(unsigned status, recon::value body = {})
    {
        return {status, std::move(body), {}};
    }
};

namespace detail {
/// The HTTP side of an HTTP lane, for the server.
class http_lane_base : public lane_base {
public:
    using handler = std::function<http_response(http_request const&)>;

    /// The handler for `method` (HEAD: on_get's), or null.
    handler const* handler_for(std::string_view method) const noexcept
    {
        handler const* h = nullptr;
        if (method == "GET" || method == "HEAD")
            h = &get_;
        else if (method == "POST")
            h = &post_;
        else if (method == "PUT")
            h = &put_;
        else if (method == "DELETE")
            h = &delete_;
        return h && *h ? h : nullptr;
    }
    /// The methods with a handler, for Allow.
    std::string allowed() const;

    /// Never called: no WARP client links to an HTTP lane.
    std::optional<recon::value> sync_state(sync_sink&, recon::value const*, std::size_t)
        const override
    {
        return std::nullopt;
    }
    void on_remote_command(recon::value) override
    {
        bad_command("an HTTP lane takes no WARP commands");
    }

protected:
    http_lane_base(agent& owner, std::string name)
        : lane_base(owner, std::move(name), lane_kind::http)
    {}

    handler get_;
    handler post_;
    handler put_;
    handler delete_;
};
}  // namespace detail

/** An HTTP lane: handlers `f(http_request const&)` returning http_response, one per method
 * (see the file comment for what the server answers by itself).
 *
 * @code
 * http_lane state{*this, "state"};
 * state.on_get([this](http_request const&) {
 *     return http_response::ok(recon::value_from(light.get()));
 * });
 * @endcode
 */
class http_lane : public detail::http_lane_base {
public:
    http_lane(agent& owner, std::string name)
        : http_lane_base(owner, std::move(name))
    {}

    template <class F>
    http_lane& on_get(F f)
    {
        get_ = std::move(f);
        return *this;
    }
    template <class F>
    http_lane& on_post(F f)
    {
        post_ = std::move(f);
        return *this;
    }
    template <class F>
    http_lane& on_put(F f)
    {
        put_ = std::move(f);
        return *this;
    }
    template <class F>
    http_lane& on_delete(F f)
    {
        delete_ = std::move(f);
        return *this;
    }
};

}  // namespace swim::server

#endif
