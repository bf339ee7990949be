// SPDX-License-Identifier: BSL-1.0
//
// The official SwimOS JS client (@swim/client 4.0.0, from npm) in the scenarios of swim-bench,
// printing the same JSON object (metric names and units), so bench/run_client_bench.sh can put
// both side by side. Run it with --expose-gc: RSS figures are taken after a full GC.
//
//   node --expose-gc client_bench.mjs HOST pump      [--node N] [--ms 2000] [--quiet-ms 300]
//   node --expose-gc client_bench.mjs HOST latency   [--node N] [--rate 1000] [--seconds 5] [--warmup 0.5]
//   node --expose-gc client_bench.mjs HOST map-sync  [--node N] [--entries 100000]
//   node --expose-gc client_bench.mjs HOST map-events [--node N] [--entries 200000]
//   node --expose-gc client_bench.mjs HOST downlinks [--node N] [--count 100000] [--idle 1]
//   common: [--timeout SECONDS (default 60)]
//
// Always prints JSON. Exit status: 0 done, 1 the scenario failed or timed out, 2 bad arguments.

import { readFileSync } from "node:fs";
import * as WS from "ws";
import { WarpClient } from "@swim/client";

const clientVersion = JSON.parse(
  readFileSync(new URL("./node_modules/@swim/client/package.json", import.meta.url), "utf8"),
).version;

function usage(msg) {
  if (msg) console.error(`client_bench.mjs: ${msg}`);
  console.error("usage: node --expose-gc client_bench.mjs HOST pump|latency|map-sync|downlinks [options]");
  process.exit(2);
}

const o = { timeout: 60, ms: 2000, quietMs: 300, rate: 1000, seconds: 5, warmup: 0.5, entries: 0, count: 100000, idle: 1 };
const positional = [];
{
  const argv = process.argv.slice(2);
  const flags = { "--timeout": "timeout", "--ms": "ms", "--quiet-ms": "quietMs", "--rate": "rate", "--seconds": "seconds", "--warmup": "warmup", "--entries": "entries", "--count": "count", "--idle": "idle" };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === "--node") o.node = argv[++i];
    else if (a === "--json") {
      /* always JSON */
    } else if (a in flags) {
      const v = Number(argv[++i]);
      if (!(v >= 0)) usage(`${a} needs a number`);
      o[flags[a]] = v;
    } else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 2) usage("expected HOST and SCENARIO");
}
const [hostUri, scenario] = positional;
if (!["pump", "latency", "map-sync", "map-events", "downlinks"].includes(scenario)) usage(`unknown scenario ${scenario}`);
if (!o.entries) o.entries = scenario === "map-events" ? 200000 : 100000;
o.node ??= `/unit/bench-${scenario}-js-${process.pid}`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nowMs = () => performance.now();
const base = process.hrtime.bigint();
/** Nanoseconds since start, as a Number (exact below 2^53 ns, about 104 days). */
const nowNs = () => Number(process.hrtime.bigint() - base);
const rss = () => process.memoryUsage().rss;
const gc = () => {
  if (globalThis.gc) globalThis.gc();
};
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function waitUntil(pred, limitS, stepMs = 1) {
  const deadline = nowMs() + limitS * 1000;
  while (!pred()) {
    if (nowMs() >= deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

function newClient() {
  const c = new WarpClient();
  c.wsConstructor.set(WS.WebSocket);
  return c;
}

const report = { implementation: `@swim/client ${clientVersion} (node ${process.version})`, scenario, ok: true, params: { host: hostUri }, metrics: {}, notes: [] };
const add = (name, value, unit) => {
  report.metrics[name] = { value, unit };
};

async function pump() {
  report.params.node = o.node;
  report.params.pump_ms = String(o.ms);
  const c = newClient();
  let events = 0;
  let last = 0;
  let counting = false;
  let synced = false;
  let firstAt = 0;
  let lastAt = 0;
  const d = c
    .downlinkValue({
      hostUri,
      nodeUri: o.node,
      laneUri: "value",
      didSync() {
        synced = true;
      },
      onEvent(body) {
        if (!counting) return;
        const now = nowMs();
        if (events === 0) firstAt = now;
        events += 1;
        last = body.numberValue();
        lastAt = now;
      },
    })
    .open();
  if (!(await waitUntil(() => synced, o.timeout))) throw new Error("value downlink: not synced within the timeout");
  counting = true;
  const cpu0 = cpuSeconds();
  const t0 = nowMs();
  c.command(hostUri, o.node, "pump", o.ms);
  const ended = await waitUntil(
    () => {
      const now = nowMs();
      if (now < t0 + o.ms) return false;
      const since = events ? lastAt : t0 + o.ms;
      return now - since >= o.quietMs;
    },
    o.timeout,
    5,
  );
  const cpu = cpuSeconds() - cpu0;
  if (!ended) {
    report.ok = false;
    report.notes.push("events did not stop within the timeout");
  }
  const window = (lastAt - firstAt) / 1000;
  add("events", events, "events");
  add("events_per_s", window > 0 ? events / window : 0, "events/s");
  add("window_s", window, "s (first to last event)");
  add("last_value", last, "");
  add("pump_rate", last / (o.ms / 1000), "values/s (last value / pump time)");
  add("delivered_fraction", last > 0 ? events / last : 0, "events / last value");
  add("last_event_after_s", events ? (lastAt - t0) / 1000 : 0, "s after the command");
  add("cpu_s", cpu, "s (user+sys, command to end)");
  add("rss_mb", rss() / 1e6, "MB");
  d.close();
}

function percentile(sorted, q) {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, rank === 0 ? 0 : rank - 1)];
}

async function latency() {
  report.params.node = o.node;
  report.params.rate = `${o.rate}/s`;
  report.params.seconds = String(o.seconds);
  report.params.warmup_s = String(o.warmup);
  const a = newClient();
  const b = newClient();
  const samples = [];
  let recordFrom = Infinity;
  let received = 0;
  let synced = false;
  const d = b
    .downlinkValue({
      hostUri,
      nodeUri: o.node,
      laneUri: "value",
      didSync() {
        synced = true;
      },
      didSet(now) {
        const t = nowNs();
        const v = now.numberValue();
        if (v !== undefined && v >= recordFrom) {
          samples.push((t - v) / 1e3);
          received += 1;
        }
      },
    })
    .open();
  if (!(await waitUntil(() => synced, o.timeout))) throw new Error("value downlink (client B): not synced within the timeout");
  // Connect client A before the clock starts (the command waits for the connection).
  a.command(hostUri, o.node, "value", nowNs());
  await waitUntil(() => a.getHost(hostUri)?.connected === true, o.timeout);
  await sleep(50);

  const periodMs = 1000 / o.rate;
  const start = nowMs();
  const warmEnd = start + o.warmup * 1000;
  const end = warmEnd + o.seconds * 1000;
  let sent = 0;
  let cpu0 = 0;
  let rssBefore = 0;
  let recording = false;
  let i = 0;
  await new Promise((resolve) => {
    const tick = () => {
      let now = nowMs();
      for (;;) {
        const at = start + i * periodMs;
        if (at >= end) {
          resolve();
          return;
        }
        if (at > now) {
          setTimeout(tick, Math.max(0, at - nowMs()));
          return;
        }
        if (!recording && now >= warmEnd) {
          recording = true;
          cpu0 = cpuSeconds();
          rssBefore = rss();
          recordFrom = nowNs();
        }
        if (recording) sent += 1;
        a.command(hostUri, o.node, "value", nowNs());
        i += 1;
        now = nowMs();
      }
    };
    tick();
  });
  await waitUntil(() => received >= sent, 1.0);
  const cpu = cpuSeconds() - cpu0;
  samples.sort((x, y) => x - y);
  const mean = samples.length ? samples.reduce((s, x) => s + x, 0) / samples.length : 0;
  add("sent", sent, "sets");
  add("received", received, "did_set (samples)");
  add("p50_us", percentile(samples, 0.5), "us");
  add("p90_us", percentile(samples, 0.9), "us");
  add("p99_us", percentile(samples, 0.99), "us");
  add("p99_9_us", percentile(samples, 0.999), "us");
  add("max_us", samples.length ? samples[samples.length - 1] : 0, "us");
  add("mean_us", mean, "us");
  add("cpu_pct", (100 * cpu) / o.seconds, "% of one core (both clients)");
  add("rss_mb", rss() / 1e6, "MB");
  add("rss_growth_mb", (rss() - rssBefore) / 1e6, "MB (during the measurement)");
  add("superseded", sent - received, "sets (coalesced by the server, no did_set)");
  if (received < sent) report.notes.push(`${sent - received} sets superseded before the server wrote them (value uplinks coalesce)`);
  if (received === 0) report.ok = false;
  d.close();
}

async function mapSync() {
  report.params.node = o.node;
  report.params.entries = String(o.entries);
  gc();
  const rssStart = rss();
  let fillS = 0;
  {
    const f = newClient();
    const marker = -process.pid - 1;
    let marked = false;
    let synced = false;
    const v = f
      .downlinkValue({
        hostUri,
        nodeUri: o.node,
        laneUri: "value",
        didSync() {
          synced = true;
        },
        onEvent(body) {
          if (body.numberValue() === marker) marked = true;
        },
      })
      .open();
    if (!(await waitUntil(() => synced, o.timeout))) throw new Error("filler's value downlink: not synced within the timeout");
    const t = nowMs();
    f.command(hostUri, o.node, "fill", o.entries);
    f.command(hostUri, o.node, "value", marker);
    if (!(await waitUntil(() => marked, o.timeout, 2))) throw new Error("fill did not end within the timeout");
    fillS = (nowMs() - t) / 1000;
    v.close();
  }
  await sleep(50);
  gc();
  const rssBefore = rss();
  const cpu0 = cpuSeconds();
  const c = newClient();
  let synced = false;
  const t0 = nowMs();
  const m = c
    .downlinkMap({
      hostUri,
      nodeUri: o.node,
      laneUri: "map",
      didSync() {
        synced = true;
      },
    })
    .open();
  const ok = await waitUntil(() => synced, o.timeout);
  const syncS = (nowMs() - t0) / 1000;
  const cpu = cpuSeconds() - cpu0;
  if (!ok) throw new Error(`map downlink: not synced within ${o.timeout} s (${m.size} entries)`);
  const size = m.size;
  const rssNoGc = rss();
  gc();
  const rssAfter = rss();
  add("sync_s", syncS, "s (open to synced, connect included)");
  add("entries_per_s", size / syncS, "entries/s");
  add("size", size, "entries");
  add("rss_mb", rssAfter / 1e6, "MB (after sync)");
  add("rss_delta_mb", (rssAfter - rssBefore) / 1e6, "MB (after sync - before open)");
  add("rss_start_mb", rssStart / 1e6, "MB (at start)");
  add("rss_before_gc_mb", rssNoGc / 1e6, "MB (after sync, before a full GC)");
  add("cpu_s", cpu, "s (user+sys, open to synced)");
  add("fill_s", fillS, "s (server fill, seen from the filler)");
  if (size !== o.entries) {
    report.ok = false;
    report.notes.push(`synced map has ${size} entries`);
  }
  m.close();
  c.command(hostUri, o.node, "clear", 0);
  await sleep(50);
}

async function mapEvents() {
  report.params.node = o.node;
  report.params.entries = String(o.entries);
  const c = newClient();
  let linked = false;
  let updates = 0;
  let firstAt = 0;
  let lastAt = 0;
  const m = c
    .downlinkMap({
      hostUri,
      nodeUri: o.node,
      laneUri: "map",
      syncs: false,
      didLink() {
        linked = true;
      },
      didUpdate() {
        const now = nowMs();
        if (updates === 0) firstAt = now;
        updates += 1;
        lastAt = now;
      },
    })
    .open();
  if (!(await waitUntil(() => linked, o.timeout))) throw new Error("map downlink: not linked within the timeout");
  const cpu0 = cpuSeconds();
  const t0 = nowMs();
  c.command(hostUri, o.node, "fill", o.entries);
  const all = await waitUntil(() => updates >= o.entries, o.timeout, 2);
  const cpu = cpuSeconds() - cpu0;
  const window = (lastAt - firstAt) / 1000;
  add("events", updates, "updates");
  add("events_per_s", window > 0 ? updates / window : 0, "updates/s (first to last)");
  add("total_s", (lastAt - t0) / 1000, "s (command to last update)");
  add("cpu_s", cpu, "s (user+sys, command to last update)");
  add("cpu_us_per_event", updates ? (1e6 * cpu) / updates : 0, "us");
  add("rss_mb", rss() / 1e6, "MB");
  if (!all) {
    report.ok = false;
    report.notes.push(`${updates} of ${o.entries} updates within the timeout`);
  }
  m.close();
  c.command(hostUri, o.node, "clear", 0);
  await sleep(50);
}

async function downlinks() {
  report.params.nodes = `${o.node}-0 .. ${o.node}-${o.count - 1}`;
  report.params.count = String(o.count);
  const c = newClient();
  {
    let synced = false;
    const d = c.downlinkValue({ hostUri, nodeUri: `${o.node}-warm`, laneUri: "value", didSync() { synced = true; } }).open();
    if (!(await waitUntil(() => synced, o.timeout))) throw new Error("first downlink: not synced within the timeout");
    // Keep it open: closing the last downlink of a host may close the connection.
    void d;
  }
  await sleep(100);
  gc();
  const rss0 = rss();
  const cpu0 = cpuSeconds();
  const t0 = nowMs();
  let synced = 0;
  const dls = new Array(o.count);
  for (let i = 0; i < o.count; i += 1) {
    dls[i] = c
      .downlinkValue({
        hostUri,
        nodeUri: `${o.node}-${i}`,
        laneUri: "value",
        didSync() {
          synced += 1;
        },
      })
      .open();
  }
  const openS = (nowMs() - t0) / 1000;
  const all = await waitUntil(() => synced >= o.count, o.timeout, 5);
  const syncS = (nowMs() - t0) / 1000;
  const cpu = cpuSeconds() - cpu0;
  gc();
  const rss1 = rss();
  await sleep(o.idle * 1000);
  gc();
  const rss2 = rss();
  add("synced", synced, "downlinks");
  add("open_s", openS, "s (creating the downlinks)");
  add("sync_s", syncS, "s (open to all synced)");
  add("cpu_s", cpu, "s (user+sys, open to all synced)");
  add("rss_before_mb", rss0 / 1e6, "MB (connection open)");
  add("rss_synced_mb", rss1 / 1e6, "MB (all synced)");
  add("rss_idle_mb", rss2 / 1e6, "MB (after idle)");
  add("bytes_per_downlink", (rss2 - rss0) / o.count, "B (idle RSS delta / count)");
  if (!all) {
    report.ok = false;
    report.notes.push(`${synced} of ${o.count} synced within ${o.timeout} s`);
  }
}

try {
  if (scenario === "pump") await pump();
  else if (scenario === "latency") await latency();
  else if (scenario === "map-sync") await mapSync();
  else if (scenario === "map-events") await mapEvents();
  else await downlinks();
} catch (e) {
  report.ok = false;
  report.notes.push(String(e && e.message ? e.message : e));
}
if (!globalThis.gc) report.notes.push("run without --expose-gc: RSS taken without a full GC");
process.stdout.write(JSON.stringify(report) + "\n");
process.exit(report.ok ? 0 : 1);
