// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// One run of the convergence property, shared by the property test and the host_session
// fuzzer: a host_session's downlink linked to a model_server that coalesces its events,
// interleaves other clients' writes, drops commands and loses connections; local writes in
// between; then quiet. The downlink must end holding exactly the lane's state, and what its
// handlers were told (did_set, did_update, did_remove, did_clear, on_synced) must add up to
// its state at every step. The choices come from a `choose(n)` callable (a seeded generator,
// or the fuzzer's bytes).

#ifndef SWIM_TEST_CONVERGENCE_RUN_HPP
#define SWIM_TEST_CONVERGENCE_RUN_HPP

#include <swim/recon/writer.hpp>
#include <swim/warp/host_session.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "model_server.hpp"

namespace swim::test {

/// What the handlers of one downlink have been told, applied to a state of their own.
struct convergence_shadow {
    bool synced = false;
    recon::value value;
    warp::map_state map;
    std::string error;

    void apply(warp::downlink_notification const& n, warp::downlink_model const& m)
    {
        switch (n.what) {
            case warp::downlink_notification::type::synced:
                // on_synced hands over the state as it is at this point.
                synced = true;
                value = m.value();
                map = m.map();
                break;
            case warp::downlink_notification::type::set:
                if (n.changed) {
                    if (n.value == n.old)
                        error = "did_set with an unchanged value";
                    value = n.value;
                }
                break;
            case warp::downlink_notification::type::update:
                if (!n.old.is_empty() && n.old == n.value)
                    error = "did_update with an unchanged value";
                map.insert_or_assign(n.key, n.value);
                break;
            case warp::downlink_notification::type::remove: map.erase(n.key); break;
            case warp::downlink_notification::type::clear: map.clear(); break;
            case warp::downlink_notification::type::failed: error = "failed: " + n.reason; break;
            default: break;
        }
    }
};

inline std::string text(recon::value const& v)
{
    return recon::to_string(v);
}

inline std::string text(warp::map_state const& m)
{
    std::string s = "{";
    for (auto const& [k, v] : m)
        s += text(k) + ":" + text(v) + ",";
    return s + "}";
}

struct convergence_result {
    bool ok = true;
    std::string why;
    unsigned verifies = 0;
};

/** One run: `steps` random steps of traffic, then quiet; the downlink must hold the lane's
 * state. `choose(n)` returns a number below n. `settle`: the I/O layer's settle timer runs
 * (verify_unsettled()); without it a dropped command can leave the downlink diverged for
 * good. `trace`: every step is printed to stderr.
 */
template <class Choose>
convergence_result converge(
    warp::downlink_kind kind,
    Choose&& choose,
    unsigned steps,
    bool settle = true,
    bool trace = false)
{
    using warp::downlink_kind;
    auto rng = [&] {
        return static_cast<unsigned>(choose(1u << 16));
    };
    auto chance = [&](unsigned percent) {
        return rng() % 100 < percent;
    };
    auto small = [&](unsigned n) {
        return static_cast<std::int64_t>(rng() % n);
    };

    model_server server(kind);
    // The lane starts with some state.
    if (kind == downlink_kind::value)
        server.foreign_set(recon::value(small(10)));
    else
        for (int i = 0; i < 4; ++i)
            server.foreign_update(recon::value(small(8)), recon::value(small(10)));

    warp::host_session s;
    warp::view_id view = 0;
    warp::downlink_options opts;
    opts.events_when_not_synced = chance(50);
    if (s.open_view(model_server::node, model_server::lane, kind, opts, view))
        return {false, "open_view failed"};
    convergence_shadow sh;
    convergence_result r;
    bool connected = true;
    s.on_connected();
    unsigned drop_percent = static_cast<unsigned>(rng() % 30);

    auto take_notes = [&]() -> bool {
        auto const* m = s.model(view);
        for (auto& vn : s.notes())
            if (vn.view == view && m)
                sh.apply(vn.note, *m);
        s.notes().clear();
        s.requests().clear();  // no relinks here: @unlinked is never sent
        if (!sh.error.empty()) {
            r = {false, sh.error};
            return false;
        }
        if (!m || !sh.synced)
            return true;
        // Once synced, the handlers' picture is the state.
        if (kind == downlink_kind::value && !(sh.value == m->value())) {
            r = {false, "handlers saw " + text(sh.value) + ", the state is " + text(m->value())};
            return false;
        }
        if (kind == downlink_kind::map && sh.map != m->map()) {
            r = {false, "handlers saw " + text(sh.map) + ", the state is " + text(m->map())};
            return false;
        }
        return true;
    };
    auto send = [&] {
        std::vector<std::string> out;
        s.take_output(out);
        std::size_t bytes = 0;
        for (auto& f : out) {
            if (f.starts_with("@unlink"))
                ++r.verifies;
            if (trace)
                std::fprintf(stderr, "  c->s %s\n", f.c_str());
            bytes += f.size();
            server.receive(std::move(f));
        }
        s.on_written(bytes);
    };
    auto local_write = [&] {
        if (kind == downlink_kind::value) {
            s.set(view, recon::value(small(10)));
            return;
        }
        unsigned op = static_cast<unsigned>(rng() % 100);
        if (op < 60)
            s.update(view, recon::value(small(8)), recon::value(small(10)));
        else if (op < 85)
            s.remove(view, recon::value(small(8)));
        else if (op < 90)
            s.clear(view);
        else if (op < 95)
            s.take(view, static_cast<std::uint64_t>(small(5)));
        else
            s.drop(view, static_cast<std::uint64_t>(small(3)));
    };
    auto foreign_write = [&] {
        if (kind == downlink_kind::value) {
            server.foreign_set(recon::value(small(10)));
            return;
        }
        unsigned op = static_cast<unsigned>(rng() % 100);
        if (op < 60)
            server.foreign_update(recon::value(small(8)), recon::value(small(10)));
        else if (op < 90)
            server.foreign_remove(recon::value(small(8)));
        else if (op < 94)
            server.foreign_structural(warp::map_event::clear());
        else if (op < 97)
            server.foreign_structural(warp::map_event::take(static_cast<std::uint64_t>(small(5))));
        else
            server.foreign_structural(warp::map_event::drop(static_cast<std::uint64_t>(small(3))));
    };
    auto deliver = [&] {
        auto f = server.flush_one();
        if (trace)
            std::fprintf(
                stderr,
                "  s->c %s   [state %s, %s]\n",
                f.c_str(),
                text(s.model(view)->map()).c_str(),
                std::string(warp::to_string(s.model(view)->status())).c_str());
        auto ec = s.on_frame(f);
        if (ec)
            r = {false, "on_frame: " + ec.message()};
        return !ec;
    };

    for (unsigned i = 0; i < steps; ++i) {
        unsigned what = rng() % 100;
        if (what < 25) {
            local_write();
            if (trace)
                std::fprintf(
                    stderr,
                    "  local write; state %s\n",
                    text(s.model(view)->map()).c_str());
        } else if (what < 40) {
            if (connected)
                send();
        } else if (what < 60) {
            if (server.has_input()) {
                bool drop = chance(drop_percent);
                if (trace)
                    std::fprintf(
                        stderr,
                        "  server %s; lane %s\n",
                        drop ? "drops" : "processes",
                        text(server.map()).c_str());
                server.process_one(drop);
            }
        } else if (what < 70) {
            foreign_write();
            if (trace)
                std::fprintf(stderr, "  foreign write; lane %s\n", text(server.map()).c_str());
        } else if (what < 95) {
            if (connected && server.has_output() && !deliver())
                return r;
        } else if (what < 97) {
            if (settle)
                s.verify_unsettled();  // a settle period passed
            if (trace)
                std::fprintf(stderr, "  verify_unsettled\n");
        } else if (what < 98) {
            // The connection dies (frames on the way are lost) and comes back.
            if (trace)
                std::fprintf(stderr, "  disconnect\n");
            server.disconnect();
            s.on_disconnected();
            connected = false;
        } else if (!connected) {
            s.on_connected();
            connected = true;
        }
        if (!take_notes())
            return r;
    }

    // Quiet: no more writes; the connection comes back, everything in flight arrives, and
    // settle periods pass while the downlink still waits for the server's word.
    if (!connected) {
        s.on_connected();
        connected = true;
    }
    for (int round = 0; round < 20; ++round) {
        for (;;) {
            send();
            if (server.has_input()) {
                server.process_one(chance(drop_percent));
                continue;
            }
            if (server.has_output()) {
                if (!deliver())
                    return r;
                if (!take_notes())
                    return r;
                continue;
            }
            break;
        }
        if (!take_notes())
            return r;
        if (!s.unsettled() || !settle)
            break;
        s.verify_unsettled();
        s.verify_unsettled();
    }
    auto const* m = s.model(view);
    if (!m)
        return {false, "the downlink was closed"};
    if (s.unsettled() && settle)
        return {false, "still unsettled after 20 quiet periods"};
    if (m->status() != warp::link_status::synced)
        return {false, "not synced at the end"};
    if (kind == downlink_kind::value && !(m->value() == server.value()))
        return {false, "holds " + text(m->value()) + ", the lane " + text(server.value())};
    if (kind == downlink_kind::map && m->map() != server.map())
        return {false, "holds " + text(m->map()) + ", the lane " + text(server.map())};
    return r;
}

}  // namespace swim::test

#endif
