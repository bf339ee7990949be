// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Fuzzes the client's frame handler, warp::host_session, as the client drives it: downlinks
// of each kind are open (value, map, event; links shared by two downlinks; link-only; some
// that relink on @unlinked), the session is connected and its output drained, then each line
// of the input is either a text frame from the host, given to on_frame(), or (a line that
// starts with '!') a local action: a write through a downlink, a command, closing and
// reopening a downlink, credentials, a lost and regained connection. After each line the
// notifications, requests and output are drained as the client does. Checks that
// notifications name downlinks that exist and that nothing comes after a terminal one, that
// relink requests name links, that every frame written is an envelope parse_envelope reads,
// and that the byte counts add up (nothing left queued once everything taken is written).
//
// Input: lines separated by '\n'.
//
// An input that starts with '#' drives the convergence property instead (the property test's
// run, test/common/convergence_run.hpp): its second byte picks a value or a map downlink, the
// rest are the choices of the run (traffic, coalescing, dropped commands, lost connections);
// after quiet the downlink must hold exactly the lane's state, or the fuzzer stops.

#include <swim/recon/parser.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/host_session.hpp>

#include <boost/system/system_error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "../common/convergence_run.hpp"

namespace recon = swim::recon;
namespace warp = swim::warp;

namespace {

struct spec {
    char const* node;
    char const* lane;
    warp::downlink_kind kind;
    warp::downlink_options opts;
};

warp::downlink_options opts(bool early, bool terminate, bool keep_linked, bool keep_synced)
{
    warp::downlink_options o;
    o.events_when_not_synced = early;
    o.terminate_on_unlinked = terminate;
    o.keep_linked = keep_linked;
    o.keep_synced = keep_synced;
    return o;
}

spec const specs[] = {
    {"/a", "v", warp::downlink_kind::value, opts(false, true, true, true)},
    {"/a", "v", warp::downlink_kind::value, opts(true, false, true, true)},
    {"/a", "m", warp::downlink_kind::map, opts(false, true, true, true)},
    {"/a", "m", warp::downlink_kind::map, opts(true, false, false, true)},
    {"/b", "m", warp::downlink_kind::map, opts(false, false, true, false)},
    {"/a", "e", warp::downlink_kind::event, opts(false, true, true, true)},
    {"/b", "v", warp::downlink_kind::value, opts(false, false, false, false)},
};
constexpr std::size_t n_specs = sizeof specs / sizeof specs[0];

struct driver {
    warp::host_session s;
    // Slot -> the open downlink's id (0: none).
    warp::view_id slot[n_specs] = {};
    // Every id ever opened -> ended (a terminal note seen, or closed by us).
    std::map<warp::view_id, bool> ended;

    void open(std::size_t i)
    {
        if (slot[i] != 0)
            return;
        warp::view_id id = 0;
        auto ec = s.open_view(specs[i].node, specs[i].lane, specs[i].kind, specs[i].opts, id);
        if (ec)
            return;  // kind_mismatch cannot happen with these specs, but tolerate it
        if (id == 0 || ended.count(id) || !s.is_open(id) || s.model(id) == nullptr)
            __builtin_trap();
        slot[i] = id;
        ended[id] = false;
    }

    void close(std::size_t i)
    {
        if (slot[i] == 0)
            return;
        s.close_view(slot[i]);
        if (s.is_open(slot[i]))
            __builtin_trap();
        ended[slot[i]] = true;
        slot[i] = 0;
    }

    void drain()
    {
        for (int round = 0; round < 4; ++round) {
            std::vector<warp::view_note> notes = std::move(s.notes());
            s.notes().clear();
            for (auto const& n : notes) {
                auto it = ended.find(n.view);
                if (it == ended.end())
                    __builtin_trap();  // a note for a downlink that never existed
                if (it->second)
                    continue;  // closed by us: notes already queued may still come
                (void)n.note.reason.size();
                if (n.terminal) {
                    it->second = true;
                    if (s.is_open(n.view))
                        __builtin_trap();  // terminal, yet still open
                    for (auto& id : slot)
                        if (id == n.view)
                            id = 0;
                }
            }
            std::vector<warp::session_request> reqs = std::move(s.requests());
            s.requests().clear();
            for (auto const& r : reqs) {
                if (r.what == warp::session_request::type::relink) {
                    if (r.attempt == 0)
                        __builtin_trap();
                    s.relink(r.node, r.lane);
                }
            }
            std::vector<std::string> out;
            s.take_output(out);
            std::size_t bytes = 0;
            for (auto const& f : out) {
                bytes += f.size();
                warp::envelope env;
                if (warp::parse_envelope(f, env))
                    __builtin_trap();  // the session wrote a frame that is not an envelope
            }
            if (!s.connected() && !out.empty())
                __builtin_trap();  // output while offline
            s.on_written(bytes);
            if (s.connected() && s.queued_bytes() != 0)
                __builtin_trap();  // everything taken was written: nothing may be left
            if (s.notes().empty() && s.requests().empty())
                break;
        }
        for (std::size_t i = 0; i < n_specs; ++i)
            if (slot[i] != 0 && (!s.is_open(slot[i]) || s.model(slot[i]) == nullptr))
                __builtin_trap();
    }

    // A local action: '!' then an opcode and an argument.
    void act(std::string_view line)
    {
        if (line.size() < 2)
            return;
        char const op = line[1];
        std::size_t const i = line.size() > 2 ? static_cast<unsigned char>(line[2]) % n_specs : 0;
        recon::parse_error perr;
        recon::value arg = line.size() > 3 ? recon::parse(line.substr(3), perr)
                                           : recon::value(std::int64_t{7});
        // Text that is not Recon becomes a number, not a string: the session writes the
        // application's strings as given, so raw bytes (invalid UTF-8) would make frames the
        // reader rightly refuses.
        if (perr)
            arg = recon::value(static_cast<std::int64_t>(line.size()));
        try {
            switch (op) {
                case 'c':
                    if (s.connected())
                        s.on_disconnected();
                    else
                        s.on_connected();
                    break;
                case 's': (void)s.set(slot[i], arg); break;
                case 'u': (void)s.update(slot[i], arg, recon::value(std::int64_t{1})); break;
                case 'r': (void)s.remove(slot[i], arg); break;
                case 'x': (void)s.clear(slot[i]); break;
                case 't': (void)s.take(slot[i], line.size() % 4); break;
                case 'd': (void)s.drop(slot[i], line.size() % 4); break;
                case 'k': (void)s.command(specs[i].node, specs[i].lane, arg); break;
                case 'a': s.authenticate(arg); break;
                case 'o':
                    close(i);
                    open(i);
                    break;
                case 'z': close(i); break;
                default: break;
            }
        } catch (boost::system::system_error const&) {
            // A non-finite float in a written body: documented.
        }
    }
};

}  // namespace

// The convergence property, with the input as its choices (zeros once it runs out).
void converge_on(std::uint8_t const* data, std::size_t size)
{
    auto kind = size > 1 && (data[1] & 1) ? warp::downlink_kind::map : warp::downlink_kind::value;
    std::size_t at = 2;
    auto choose = [&](unsigned n) -> unsigned {
        unsigned v = 0;
        for (int i = 0; i < 2; ++i)
            v = (v << 8) | (at < size ? data[at++] : 0u);
        return v % n;
    };
    auto steps = static_cast<unsigned>(std::min<std::size_t>(size, 4096) / 2);
    auto r = swim::test::converge(kind, choose, steps);
    if (!r.ok) {
        std::fprintf(
            stderr,
            "convergence broken (%s downlink): %s\n",
            std::string(warp::to_string(kind)).c_str(),
            r.why.c_str());
        std::abort();
    }
}

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    if (size > 0 && data[0] == '#') {
        converge_on(data, size);
        return 0;
    }
    driver d;
    for (std::size_t i = 0; i < n_specs; ++i)
        d.open(i);
    d.s.on_connected();
    d.drain();

    std::string_view rest(reinterpret_cast<char const*>(data), size);
    while (!rest.empty()) {
        std::size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        if (!line.empty() && line[0] == '!') {
            d.act(line);
        } else {
            boost::system::error_code ec = d.s.on_frame(line);
            if (ec)
                (void)ec.message();
        }
        d.drain();
    }
    d.s.on_disconnected();
    d.drain();
    for (std::size_t i = 0; i < n_specs; ++i)
        d.close(i);
    d.drain();
    return 0;
}
