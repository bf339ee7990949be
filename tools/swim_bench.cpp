// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// swim-bench: client-side benchmarks against any WARP host that serves the demo plan's
// /unit/:id agents (value lane `value` int, map lane `map` string -> int, commands `fill n`,
// `clear`, `burst n`, `pump ms`).
//
//   swim-bench HOST pump      [--node N] [--ms 2000] [--quiet-ms 300]
//   swim-bench HOST latency   [--node N] [--rate 1000] [--seconds 5] [--warmup 0.5]
//   swim-bench HOST map-sync  [--node N] [--entries 100000] [--raw]
//   swim-bench HOST map-events [--node N] [--entries 200000]
//   swim-bench HOST downlinks [--node N] [--count 100000] [--idle 1] [--again]
//   swim-bench HOST fanout    [--node N] [--clients 10] [--ms 2000] [--quiet-ms 300] [--raw]
//   swim-bench HOST connections [--node N] [--count 10000] [--parallel 200] [--idle 1] [--raw]
//   swim-bench HOST load      [--node N] [--connections 4] [--downlinks 8] [--kind value|map]
//                             [--push pump|burst|fill|rate] [--ms 2000] [--entries 10000]
//                             [--rate 1000] [--seconds 5] [--quiet-ms 300]
//   common: [--timeout SECONDS] [--server-pid PID] [--json]
//
// pump:      one value downlink; `@command pump ms`; counts the events received until the
//            pump ends (no event for --quiet-ms); reports events/s and the pump's own rate
//            (last value / pump seconds: the server coalesces a slow consumer's values).
// latency:   client A commands `value` = now (ns since start, steady clock) at --rate per
//            second; client B (a second connection in this process) takes did_set's value
//            from its receive time: p50/p90/p99/p99.9 after --warmup seconds.
// map-sync:  a filler connection runs `fill n` on NODE and waits for it; then a fresh
//            client opens a map downlink to NODE/map: time from open to synced, and the
//            resident memory (VmRSS) of this process before and after.
// map-events: a map downlink linked without sync to NODE/map; `fill n` from the same
//            connection: the server sends n distinct updates (map uplinks coalesce per key
//            only, so none is dropped); events/s from the first to the n-th update received.
//            The events/s one downlink can take when the server does not coalesce.
// downlinks: --count value downlinks on one connection to NODE-0 .. NODE-(count-1): time
//            until all are synced, VmRSS before, after sync and after --idle seconds idle.
//            With --again and --server-pid, a second connection then links the same lanes: the
//            server's RSS growth per uplink alone (the agents exist already).
// fanout:    --clients separate clients (one connection each, in this process) each hold one
//            value downlink to NODE/value; once all are synced, the first runs `pump ms`:
//            events/s delivered to all of them together (first to last event of any), each
//            client's events/s (min, max), events / values (a lagging uplink coalesces).
// connections: --count separate clients (one connection each) each hold one value downlink
//            to NODE/value, at most --parallel of them connecting at a time: time until all
//            are synced, this process's VmRSS. With --one-client, one client holds them all,
//            each to a host of its own (127.0.x.y at the port of HOST, which must be
//            127.0.0.1; the server listens on 0.0.0.0): the client's bytes per host connection.
// load:      --connections clients (one connection each) each open the same --downlinks
//            downlinks, of --kind, to NODE-0 .. NODE-(M-1); then --push: `pump ms` or
//            `burst n` (--entries) to every value lane, `fill n` to every map lane, or rate:
//            a further connection sets the value lanes in turn at --rate for --seconds, each
//            value the time it was sent. Reports the time to sync all, events/s received by
//            all downlinks together, set-to-event latency of every downlink (rate), client
//            CPU per event and VmRSS.
// --raw (fanout, connections, map-sync): each connection is a bare WebSocket of this tool
//            instead of a swim client: it sends `@sync`, then only frames what arrives, counts
//            the @event frames and reads the value at their end (well under 0.1 us per event),
//            so the figures are the server's, not the client library's.
// --server-pid PID (any scenario): the server's VmRSS before and after (and per downlink or
//            connection) and its CPU time during the measurement, from /proc/PID.
// --server-heap-cmd CMD (connections, downlinks): a shell command printing the server's live
//            heap in bytes on its last line, run before and after: the server's heap per
//            connection or per agent + uplink. For a JVM, whose RSS does not follow what it
//            holds (its heap is resident already): jcmd PID GC.class_histogram's total.
//
// NODE defaults to /unit/bench-<scenario>-<pid>. Human table by default, one JSON object
// with --json. Exit status: 0 done, 1 the scenario failed or timed out, 2 bad arguments.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <iostream>

#include "bench/bench.hpp"

using namespace swim::bench;
int main(int argc, char** argv)
{
    options o;
    try {
        o = parse_args(argc, argv);
    } catch (bad_arguments const& e) {
        std::cerr << "swim-bench: " << e.what() << "\n" << usage;
        return 2;
    }
    asio::io_context ioc(1);
    report r;
    r.scenario = o.scenario;
    r.param("host", o.host);
    int status = 0;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            if (o.scenario == "pump")
                co_await pump(o, r);
            else if (o.scenario == "latency")
                co_await latency(o, r);
            else if (o.scenario == "map-sync")
                co_await map_sync(o, r);
            else if (o.scenario == "map-events")
                co_await map_events(o, r);
            else if (o.scenario == "fanout")
                co_await fanout(o, r);
            else if (o.scenario == "connections")
                co_await connections(o, r);
            else if (o.scenario == "load")
                co_await load(o, r);
            else
                co_await downlinks(o, r);
        },
        [&](std::exception_ptr e) {
            if (!e)
                return;
            try {
                std::rethrow_exception(e);
            } catch (std::exception const& x) {
                r.ok = false;
                r.notes.push_back(x.what());
                std::cerr << "swim-bench: " << x.what() << "\n";
            }
            status = 1;
            ioc.stop();
        });
    ioc.run();
    if (!r.ok)
        status = 1;
    print(r, o.json);
    return status;
}
