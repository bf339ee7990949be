// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Fuzzes warp::read_envelope and parse_envelope, and checks that they agree, that the views
// point where they should, and that envelopes survive to_string -> parse_envelope (and a raw
// body survives write_envelope_text -> read_envelope) unchanged. Also checks the map
// downlink's fast reader of `@update(key:K) V` against the parser, on bodies and whole inputs.

#include <swim/recon/parser.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/map_event.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "round_trip.hpp"
#include "warp/map_update_reader.hpp"

namespace recon = swim::recon;
namespace warp = swim::warp;

namespace {

bool inside(std::string_view part, std::string_view whole) noexcept
{
    if (part.empty())
        return true;
    auto p = reinterpret_cast<std::uintptr_t>(part.data());
    auto w = reinterpret_cast<std::uintptr_t>(whole.data());
    return p >= w && p + part.size() <= w + whole.size();
}

// Rewrites a view with write_envelope_text and the raw body, and reads it back.
void check_raw_round_trip(warp::envelope_view const& view)
{
    if (!std::isfinite(view.prio) || !std::isfinite(view.rate))
        return;
    std::string frame;
    if (warp::is_lane_addressed(view.kind)) {
        warp::write_envelope_text(
            view.kind,
            view.node,
            view.lane,
            view.body,
            frame,
            {view.prio, view.rate});
    } else {
        warp::write_host_envelope(view.kind, view.body, frame);
    }
    warp::envelope_view again;
    std::string scratch;
    if (warp::read_envelope(frame, again, scratch))
        __builtin_trap();  // the writer produced a frame the reader rejects
    if (again.kind != view.kind || again.node != view.node || again.lane != view.lane ||
        again.body != view.body)
        __builtin_trap();
    if (warp::has_link_params(view.kind) && (again.prio != view.prio || again.rate != view.rate))
        __builtin_trap();
}

// Whatever the fast reader reads, the parser reads the same: the same event, of the same kinds.
void check_map_update_reader(std::string_view body)
{
    warp::map_event fast;
    if (!warp::detail::read_map_update(body, fast, {}))
        return;
    recon::parse_error err;
    recon::value v = recon::parse(body, err);
    warp::map_event slow;
    if (err || warp::to_map_event(std::move(v), slow))
        __builtin_trap();  // the fast reader took a body the parser refuses
    if (!(fast == slow) || fast.key.kind() != slow.key.kind() ||
        fast.value.kind() != slow.value.kind())
        __builtin_trap();  // the fast reader read another event
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view frame(reinterpret_cast<char const*>(data), size);
    check_map_update_reader(frame);

    warp::envelope_view view;
    std::string scratch;
    warp::envelope_error read_err = warp::read_envelope(frame, view, scratch);
    recon::value body;
    recon::parse_error body_err;
    if (read_err) {
        (void)read_err.message();
    } else {
        if (!inside(view.node, frame) && !inside(view.node, scratch))
            __builtin_trap();
        if (!inside(view.lane, frame) && !inside(view.lane, scratch))
            __builtin_trap();
        if (!inside(view.body, frame) || (!view.body.empty() && view.body.front() == ' '))
            __builtin_trap();
        // Touch every byte, so ASan sees a dangling view.
        std::string copy = std::string(view.node) + std::string(view.lane) + std::string(view.body);
        (void)copy;
        check_map_update_reader(view.body);
        body = view.parse_body(body_err);
        check_raw_round_trip(view);
    }

    warp::envelope env;
    warp::envelope_error err = warp::parse_envelope(frame, env);
    // parse_envelope is read_envelope + parse_body.
    if (static_cast<bool>(err) != (static_cast<bool>(read_err) || static_cast<bool>(body_err)))
        __builtin_trap();
    if (err) {
        (void)err.message();
        return 0;
    }
    if (env.kind != view.kind || env.node != view.node || env.lane != view.lane ||
        !(env.body == body))
        __builtin_trap();

    if (!std::isfinite(env.prio) || !std::isfinite(env.rate) || !swim::fuzz::round_trips(env.body))
        return 0;
    std::string text = warp::to_string(env);
    warp::envelope env2;
    if (warp::parse_envelope(text, env2))
        __builtin_trap();  // to_string produced a frame parse_envelope rejects
    if (!(env2 == env))
        __builtin_trap();  // to_string -> parse_envelope changed the envelope
    if (warp::to_string(env2) != text)
        __builtin_trap();  // the canonical form is not a fixed point
    return 0;
}
