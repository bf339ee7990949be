// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Fuzzes the server side of a connection as the server drives it: each line of the input is a
// text frame from a client, given to warp::server_session::on_frame() with a directory that
// answers as the server's agents would (@linked, events, map events, @synced, @unlinked) into
// a warp::uplink_queue, whose output is taken at times the input decides. Checks that an error
// has a message and did nothing; that the session's table agrees with the agents (a new link
// is opened only when not linked, a second one reopened only when linked, an unlink reaches
// the agent only for a link, the count is right, ended links are handed back once); that
// every frame written is an envelope parse_envelope reads; that the byte and frame counts add
// up; and that coalescing keeps what it promises: the last value event of each value uplink,
// and the last update or remove of each key of each map uplink, reach the client.
//
// Input: byte 0 picks coalesce_after_bytes (and, bit 7, a link limit of 3); the rest is
// frames separated by '\n'. Nodes starting "/deny" need an identity, "/none" have no agent,
// lanes starting "none" do not exist.

#include <swim/recon/writer.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/map_event.hpp>
#include <swim/warp/server_session.hpp>
#include <swim/warp/uplink_queue.hpp>

#include <boost/system/system_error.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
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

void take_and_check(warp::uplink_queue& q, model& m)
{
    std::size_t const bytes = q.queued_bytes();
    std::size_t const frames = q.queued_frames();
    std::vector<std::string> out;
    q.take_output(out);
    if (out.size() != frames || q.queued_bytes() != 0 || q.queued_frames() != 0 || q.has_output())
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

/// The server's agents, as the session sees them: they answer into the queue.
class agents final : public warp::uplink_directory {
public:
    agents(warp::uplink_queue& q, model& m)
        : q_(q)
        , m_(m)
    {}

    /// The links the agents serve.
    std::map<uplink_key, std::shared_ptr<warp::uplink>> linked;
    std::int64_t counter = 0;
    std::size_t frame_size = 0;

    warp::auth_answer authenticate(recon::value const& credentials) override
    {
        if (credentials.is_absent())
            return {warp::auth_answer::kind::deauthed, {}};
        return {warp::auth_answer::kind::authed, credentials};
    }
    bool allow(warp::uplink_request const& r, std::optional<recon::value> const& id) override
    {
        bool const ok = !r.node.starts_with("/deny") || id.has_value();
        allowed_ = ok ? std::string(r.node) : std::string();
        return ok;
    }
    warp::open_result open(warp::uplink_request& r) override
    {
        if (allowed_ != r.node)
            __builtin_trap();  // opened without asking the policy, or against it
        if (r.node.starts_with("/none"))
            return {warp::route_result::node_not_found, nullptr, {}};
        if (r.lane.starts_with("none"))
            return {warp::route_result::lane_not_found, nullptr, {}};
        uplink_key const k{std::string(r.node), std::string(r.lane)};
        if (linked.count(k))
            __builtin_trap();  // opened twice
        auto up = std::make_shared<warp::owned_uplink>(r.node, r.lane);
        linked.emplace(k, up);
        answer(*up, r);
        return {warp::route_result::ok, up, {}};
    }
    bool reopen(warp::uplink_request& r, std::shared_ptr<warp::uplink> const& up) override
    {
        auto it = linked.find({std::string(r.node), std::string(r.lane)});
        if (it == linked.end() || it->second != up)
            __builtin_trap();  // reopened what the agents do not serve
        answer(*up, r);
        return true;
    }
    void unlink(std::shared_ptr<warp::uplink> up) override
    {
        auto it = linked.find({std::string(up->node()), std::string(up->lane())});
        if (it == linked.end() || it->second != up)
            __builtin_trap();
        linked.erase(it);
        q_.unlinked(*up);
    }
    warp::route_result command(warp::uplink_request& r) override
    {
        if (r.node.starts_with("/none") || r.lane.starts_with("none"))
            return warp::route_result::lane_not_found;
        uplink_key const vk{std::string(r.node), std::string(r.lane)};
        auto it = linked.find(vk);
        if (it == linked.end())
            return warp::route_result::ok;  // applied; no link to tell
        if (m_.map_uplinks.count(vk))
            return warp::route_result::ok;  // a lane this driver already uses as a map lane
        warp::uplink& up = *it->second;
        m_.value_uplinks.insert(vk);
        uplink_key const mk{vk.first, vk.second + map_suffix};
        bool const map_ok = !m_.value_uplinks.count(mk);
        try {
            q_.event(up, r.body);  // a command lane's broadcast
            // A value lane set by the command, and a map lane updated and removed.
            bool const exact = swim::fuzz::round_trips(r.body);
            q_.value_event(up, r.body);
            if (exact)
                m_.last_value[vk] = r.body;
            else
                m_.last_value.erase(vk), m_.got_value.erase(vk);
            if (!map_ok)
                return warp::route_result::ok;
            auto& mup = map_link(mk);
            m_.map_uplinks.insert(mk);
            // Keys 0, 1 and 2, as integers or floats: 1 and 1.0 are one key to a client.
            recon::value key = (frame_size / 3) % 2
                                   ? recon::value(static_cast<double>(frame_size % 3))
                                   : recon::value(static_cast<std::int64_t>(frame_size % 3));
            q_.map_event(mup, warp::map_event::update(key, r.body));
            if (exact)
                m_.last_entry[mk][key] = r.body;
            else
                m_.last_entry[mk].erase(key), m_.got_entry[mk].erase(key);
            if (frame_size % 5 == 0) {
                recon::value other(static_cast<std::int64_t>((frame_size + 1) % 3));
                q_.map_event(mup, warp::map_event::remove(other));
                m_.last_entry[mk][other] = std::nullopt;
            }
        } catch (boost::system::system_error const&) {
            // A non-finite float in a body: documented, nothing was queued. The model does
            // not know which writes happened: forget this uplink.
            m_.last_value.erase(vk);
            m_.got_value.erase(vk);
            m_.last_entry.erase(mk);
            m_.got_entry.erase(mk);
        }
        return warp::route_result::ok;
    }
    void reply(std::string frame) override { q_.push_frame(std::move(frame)); }
    void close_connection(std::uint16_t, std::string_view reason) override
    {
        if (reason.empty())
            __builtin_trap();
    }
    void note(std::string_view what) override
    {
        if (what.empty())
            __builtin_trap();
    }

private:
    void answer(warp::uplink& up, warp::uplink_request const& r)
    {
        warp::link_params p = r.params;
        if (!std::isfinite(p.prio) || !std::isfinite(p.rate))
            p = {};
        uplink_key const vk{std::string(r.node), std::string(r.lane)};
        if (m_.map_uplinks.count(vk))
            return;
        m_.value_uplinks.insert(vk);
        q_.linked(up, p);
        recon::value v(++counter);
        q_.value_event(up, v);
        m_.last_value[vk] = v;
        if (r.what == warp::uplink_request::type::sync)
            q_.synced(up);
    }
    warp::uplink& map_link(uplink_key const& k)
    {
        auto& up = map_links_[k];
        if (!up)
            up = std::make_unique<warp::owned_uplink>(k.first, k.second);
        return *up;
    }

    warp::uplink_queue& q_;
    model& m_;
    /// The node of the last request the policy allowed.
    std::string allowed_;
    std::map<uplink_key, std::unique_ptr<warp::uplink>> map_links_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    if (size < 1)
        return 0;
    static constexpr std::size_t thresholds[] = {0, 1, 64, 1024, SIZE_MAX};
    warp::uplink_queue_options qopts;
    qopts.coalesce_after_bytes =
        thresholds[(data[0] & 0x7f) % (sizeof thresholds / sizeof thresholds[0])];
    warp::server_session_options sopts;
    sopts.max_links = (data[0] & 0x80) ? 3 : 0;
    warp::uplink_queue q(qopts);
    warp::server_session s(sopts);
    model m;
    agents dir(q, m);
    std::string_view rest(reinterpret_cast<char const*>(data) + 1, size - 1);

    while (!rest.empty()) {
        std::size_t nl = rest.find('\n');
        std::string_view frame = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        dir.frame_size = frame.size();
        std::size_t const frames_before = q.queued_frames();
        std::size_t const links_before = dir.linked.size();
        warp::envelope_error err = s.on_frame(frame, dir);
        if (err && (err.message().empty() || q.queued_frames() != frames_before ||
                    dir.linked.size() != links_before))
            __builtin_trap();  // a bad frame did something
        if (s.links() != dir.linked.size())
            __builtin_trap();  // the session's table and the agents disagree
        if (sopts.max_links != 0 && s.links() > sopts.max_links)
            __builtin_trap();
        if (frame.size() % 7 == 3 && !dir.linked.empty()) {
            // An agent stops: the session hands the link back once; the agent unlinks it.
            auto it = dir.linked.begin();
            auto up = it->second;
            if (s.end(*up) != up || s.end(*up) != nullptr)
                __builtin_trap();
            dir.linked.erase(it);
            q.unlinked(*up);
        }
        if (frame.size() % 2 == 1)
            take_and_check(q, m);
    }
    take_and_check(q, m);
    if (s.take_links().size() != dir.linked.size() || s.links() != 0)
        __builtin_trap();

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
