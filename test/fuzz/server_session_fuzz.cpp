// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Fuzzes the server's frame handler, warp::server_session, as the server drives it: each line
// of the input is a text frame from a client, given to on_frame(); what it asks is answered
// as an agent would (@linked, events, map events, @synced, @unlinked, @authed, @deauthed), and
// the output is taken at times the input decides. Checks that an error has a message, that
// the requests are well formed, that every frame written is an envelope parse_envelope
// reads, that the byte and frame counts add up, and that coalescing keeps what it promises:
// the last value event of each value uplink, and the last update or remove of each key of
// each map uplink, reach the client.
//
// Input: byte 0 picks coalesce_after_bytes; the rest is frames separated by '\n'.

#include <swim/recon/writer.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/map_event.hpp>
#include <swim/warp/server_session.hpp>

#include <boost/system/system_error.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "round_trip.hpp"

namespace recon = swim::recon;
namespace warp = swim::warp;

namespace {

using uplink_key = std::pair<std::string, std::string>;

struct model {
    // The last value event written per value uplink (only values that round-trip).
    std::map<uplink_key, std::optional<recon::value>> last_value;
    // The last update (a value) or remove (nullopt) per key per map uplink.
    std::map<uplink_key, std::map<recon::value, std::optional<recon::value>>> last_entry;
    // What the client has received so far, the same way.
    std::map<uplink_key, std::optional<recon::value>> got_value;
    std::map<uplink_key, std::map<recon::value, std::optional<recon::value>>> got_entry;
    // The uplinks written to as map lanes: a client may name a lane "x#map" too.
    std::set<uplink_key> map_uplinks;
    // The uplinks written to as value or command lanes.
    std::set<uplink_key> value_uplinks;
};

std::string const map_suffix = "#map";

void take_and_check(warp::server_session& s, model& m)
{
    std::size_t const bytes = s.queued_bytes();
    std::size_t const frames = s.queued_frames();
    std::vector<std::string> out;
    s.take_output(out);
    if (out.size() != frames || s.queued_bytes() != 0 || s.queued_frames() != 0 || s.has_output())
        __builtin_trap();
    std::size_t sum = 0;
    for (auto const& f : out) {
        sum += f.size();
        warp::envelope env;
        if (warp::parse_envelope(f, env))
            __builtin_trap();  // the session wrote a frame that is not an envelope
        if (env.kind != warp::envelope_kind::event)
            continue;
        uplink_key k{env.node, env.lane};
        if (m.map_uplinks.count(k)) {
            warp::map_event e;
            if (warp::to_map_event(env.body, e))
                __builtin_trap();  // a map event we wrote does not read back as one
            if (e.kind == warp::map_event::op::update)
                m.got_entry[k][e.key] = e.value;
            else if (e.kind == warp::map_event::op::remove)
                m.got_entry[k][e.key] = std::nullopt;
        } else if (m.last_value.count(k)) {
            m.got_value[k] = env.body;
        }
    }
    if (sum != bytes)
        __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    if (size < 1)
        return 0;
    static constexpr std::size_t thresholds[] = {0, 1, 64, 1024, SIZE_MAX};
    warp::server_session_options opts;
    opts.coalesce_after_bytes = thresholds[data[0] % (sizeof thresholds / sizeof thresholds[0])];
    warp::server_session s(opts);
    model m;
    std::string_view rest(reinterpret_cast<char const*>(data) + 1, size - 1);

    std::int64_t counter = 0;
    while (!rest.empty()) {
        std::size_t nl = rest.find('\n');
        std::string_view frame = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);

        std::vector<warp::uplink_request> reqs;
        warp::envelope_error err = s.on_frame(frame, reqs);
        if (err) {
            if (err.message().empty() || !reqs.empty())
                __builtin_trap();
            continue;
        }
        if (reqs.size() > 1)
            __builtin_trap();
        for (auto& r : reqs) {
            using t = warp::uplink_request::type;
            bool const lane_addressed = r.what != t::auth && r.what != t::deauth;
            if (!lane_addressed && (!r.node.empty() || !r.lane.empty()))
                __builtin_trap();
            if (r.what != t::command && lane_addressed && !r.body.is_absent())
                __builtin_trap();  // only commands, auth and deauth carry a parsed body
            std::string const map_lane = r.lane + map_suffix;
            uplink_key const vk{r.node, r.lane};
            uplink_key const mk{r.node, map_lane};
            if (lane_addressed && m.map_uplinks.count(vk))
                continue;  // a lane this driver already uses as a map lane
            bool const map_ok = !m.value_uplinks.count(mk);
            try {
                switch (r.what) {
                    case t::link:
                    case t::sync: {
                        warp::link_params p = r.params;
                        if (!std::isfinite(p.prio) || !std::isfinite(p.rate))
                            p = {};
                        m.value_uplinks.insert(vk);
                        s.linked(r.node, r.lane, p);
                        recon::value v(++counter);
                        s.value_event(r.node, r.lane, v);
                        m.last_value[vk] = v;
                        if (r.what == t::sync)
                            s.synced(r.node, r.lane);
                        break;
                    }
                    case t::unlink: s.unlinked(r.node, r.lane); break;
                    case t::command: {
                        m.value_uplinks.insert(vk);
                        s.event(r.node, r.lane, r.body);  // a command lane's broadcast
                        // A value lane set by the command, and a map lane updated and removed.
                        bool const exact = swim::fuzz::round_trips(r.body);
                        s.value_event(r.node, r.lane, r.body);
                        if (exact)
                            m.last_value[vk] = r.body;
                        else
                            m.last_value.erase(vk), m.got_value.erase(vk);
                        if (!map_ok)
                            break;
                        m.map_uplinks.insert(mk);
                        recon::value key(static_cast<std::int64_t>(frame.size() % 3));
                        s.map_event(r.node, map_lane, warp::map_event::update(key, r.body));
                        if (exact)
                            m.last_entry[mk][key] = r.body;
                        else
                            m.last_entry[mk].erase(key), m.got_entry[mk].erase(key);
                        if (frame.size() % 5 == 0) {
                            recon::value other(static_cast<std::int64_t>((frame.size() + 1) % 3));
                            s.map_event(r.node, map_lane, warp::map_event::remove(other));
                            m.last_entry[mk][other] = std::nullopt;
                        }
                        break;
                    }
                    case t::auth: s.auth_reply(warp::envelope_kind::authed, r.body); break;
                    case t::deauth: s.auth_reply(warp::envelope_kind::deauthed, r.body); break;
                }
            } catch (boost::system::system_error const&) {
                // A non-finite float in a body: documented, nothing was queued. The model
                // does not know which writes happened: forget this uplink.
                m.last_value.erase(vk);
                m.got_value.erase(vk);
                m.last_entry.erase(mk);
                m.got_entry.erase(mk);
            }
        }
        if (frame.size() % 2 == 1)
            take_and_check(s, m);
    }
    take_and_check(s, m);

    // Coalescing drops only superseded events: the last of each uplink and key arrives.
    for (auto const& [k, v] : m.last_value) {
        auto it = m.got_value.find(k);
        if (it == m.got_value.end() || !(it->second == v))
            __builtin_trap();
    }
    for (auto const& [k, entries] : m.last_entry) {
        for (auto const& [key, v] : entries) {
            auto const& got = m.got_entry[k];
            auto it = got.find(key);
            if (it == got.end() || !(it->second == v))
                __builtin_trap();
        }
    }
    return 0;
}
