// SPDX-License-Identifier: BSL-1.0
//
// Self-test of warp_server.mjs: spawns it, reads its `listening <port>` line, drives it with
// raw `ws` frames and checks every reply frame byte for byte. Each expected frame is also
// checked to be exactly what the official codec writes for it (Envelope.parseRecon(s).toRecon()
// === s), so the expectations cannot drift from the official writer.
//
//   node selftest.mjs [--verbose]     (--verbose passes --verbose to the server: its log on stderr)
//
// Prints every frame, one line per case, and `N passed, M failed` last; exits 1 on any failure.

import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import WebSocket from "ws";
import { Envelope } from "@swim/warp";

const here = dirname(fileURLToPath(import.meta.url));
const SERVER = join(here, "warp_server.mjs");
const verbose = process.argv.includes("--verbose");

const WAIT_MS = 3000; // longest wait for an expected frame or close
const QUIET_MS = 150; // how long "nothing more arrives" is watched for

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const q = (s) => JSON.stringify(s);

// ---------------------------------------------------------------------------------------
// the server under test

function startServer(extraArgs = []) {
  const child = spawn(process.execPath, [SERVER, "--port", "0", ...extraArgs], {
    stdio: ["ignore", "pipe", verbose ? "inherit" : "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d) => (stdout += d));
  if (child.stderr) {
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d) => (stderr += d));
  }
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const port = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server printed no `listening` line in 10 s")), 10000);
    child.on("exit", (code, signal) => reject(new Error(`server exited early (${code ?? signal}): ${stderr}`)));
    child.stdout.on("data", () => {
      const nl = stdout.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      const m = /^listening (\d+)$/.exec(stdout.slice(0, nl));
      if (m === null) reject(new Error(`bad first stdout line: ${q(stdout.slice(0, nl))}`));
      else resolve(Number(m[1]));
    });
  });
  return { child, port, exited, stdout: () => stdout, stderr: () => stderr };
}

// ---------------------------------------------------------------------------------------
// a raw WebSocket peer

/** Throws unless `s` is exactly what the official codec writes for the envelope it denotes. */
function checkOfficial(s) {
  const env = Envelope.parseRecon(s);
  if (env === null) throw new Error(`expected frame ${q(s)} is not an envelope to the official codec`);
  const w = env.toRecon();
  if (w !== s) throw new Error(`expected frame ${q(s)} is not the official writer's form ${q(w)}`);
}

let openPeers = [];

class Peer {
  static open(port, name, protocols) {
    const ws = protocols === undefined
      ? new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false })
      : new WebSocket(`ws://127.0.0.1:${port}/`, protocols, { perMessageDeflate: false });
    const peer = new Peer(name, ws);
    openPeers.push(peer);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(peer));
      ws.once("error", reject);
    });
  }

  constructor(name, ws) {
    this.name = name;
    this.ws = ws;
    this.frames = [];
    this.closeInfo = null;
    this.wake = null;
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? `<binary ${data.length} bytes>` : data.toString("utf8");
      console.log(`    ${name} S->C ${q(text)}`);
      this.frames.push(text);
      this.notify();
    });
    ws.on("close", (code, reason) => {
      this.closeInfo = { code, reason: reason.toString("utf8") };
      this.notify();
    });
    ws.on("error", () => {});
  }

  notify() {
    const w = this.wake;
    this.wake = null;
    if (w) w();
  }

  async waitFor(pred, what) {
    const deadline = Date.now() + WAIT_MS;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: timed out waiting for ${what}`);
      await new Promise((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, left);
      });
    }
  }

  send(text) {
    console.log(`    ${this.name} C->S ${q(text)}`);
    this.ws.send(text);
  }

  sendBinary(bytes) {
    console.log(`    ${this.name} C->S <binary ${bytes.length} bytes>`);
    this.ws.send(bytes, { binary: true });
  }

  async next() {
    await this.waitFor(() => this.frames.length > 0 || this.closeInfo !== null, "a frame");
    if (this.frames.length === 0) {
      throw new Error(`${this.name}: socket closed (${this.closeInfo.code} ${q(this.closeInfo.reason)}) while a frame was expected`);
    }
    return this.frames.shift();
  }

  /** The next frames must be exactly `expected`, in order. */
  async expect(...expected) {
    for (const e of expected) {
      checkOfficial(e);
      const got = await this.next();
      if (got !== e) throw new Error(`${this.name}: expected ${q(e)}\n      got      ${q(got)}`);
    }
  }

  /** Nothing more arrives for a while. */
  async quiet(ms = QUIET_MS) {
    await sleep(ms);
    if (this.frames.length > 0) throw new Error(`${this.name}: unexpected frame ${q(this.frames[0])}`);
  }

  async expectClose(code, reason) {
    await this.waitFor(() => this.closeInfo !== null, `a close ${code}`);
    if (this.frames.length > 0) throw new Error(`${this.name}: unexpected frame ${q(this.frames[0])} before the close`);
    const c = this.closeInfo;
    console.log(`    ${this.name} closed ${c.code} ${q(c.reason)}`);
    if (c.code !== code) throw new Error(`${this.name}: close code ${c.code}, expected ${code}`);
    if (reason !== undefined && c.reason !== reason) throw new Error(`${this.name}: close reason ${q(c.reason)}, expected ${q(reason)}`);
  }

  close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }
}

// ---------------------------------------------------------------------------------------
// cases

const cases = [];
const test = (name, fn) => cases.push({ name, fn });

// Envelope text helpers (what the official writer produces: node quoted, lane bare).
const h = (node, lane) => `(node:${q(node)},lane:${lane})`;
const ev = (node, lane, body = "") => `@event${h(node, lane)}${body}`;
const linked = (node, lane) => `@linked${h(node, lane)}`;
const synced = (node, lane) => `@synced${h(node, lane)}`;
const unlinked = (node, lane, body = "") => `@unlinked${h(node, lane)}${body}`;
const sync = (node, lane) => `@sync${h(node, lane)}`;
const link = (node, lane) => `@link${h(node, lane)}`;
const unlink = (node, lane) => `@unlink${h(node, lane)}`;
const command = (node, lane, body = "") => `@command${h(node, lane)}${body}`;

test("subprotocol warp0 is echoed when offered", async (port) => {
  const a = await Peer.open(port, "A", ["warp0"]);
  if (a.ws.protocol !== "warp0") throw new Error(`negotiated ${q(a.ws.protocol)}, expected "warp0"`);
  a.send(sync("/unit/proto", "value"));
  await a.expect(linked("/unit/proto", "value"), ev("/unit/proto", "value"), synced("/unit/proto", "value"));
});

test("a client offering no subprotocol is accepted", async (port) => {
  const a = await Peer.open(port, "A");
  if (a.ws.protocol !== "") throw new Error(`negotiated ${q(a.ws.protocol)}, expected none`);
  a.send(sync("/unit/proto", "value"));
  await a.expect(linked("/unit/proto", "value"), ev("/unit/proto", "value"), synced("/unit/proto", "value"));
});

test("value lane: sync of an absent value is @linked, bodiless @event, @synced", async (port) => {
  const a = await Peer.open(port, "A");
  a.send(sync("/unit/1", "value"));
  await a.expect(`@linked(node:"/unit/1",lane:value)`, `@event(node:"/unit/1",lane:value)`, `@synced(node:"/unit/1",lane:value)`);
  await a.quiet();
});

test("value lane: a command is broadcast to every linked uplink, the sender included", async (port) => {
  const n = "/unit/v2";
  const a = await Peer.open(port, "A");
  const b = await Peer.open(port, "B");
  const c = await Peer.open(port, "C"); // never links
  a.send(sync(n, "value"));
  await a.expect(linked(n, "value"), ev(n, "value"), synced(n, "value"));
  b.send(sync(n, "value"));
  await b.expect(linked(n, "value"), ev(n, "value"), synced(n, "value"));
  b.send(command(n, "value", " true"));
  await b.expect(ev(n, "value", " true"));
  await a.expect(ev(n, "value", " true"));
  c.send(command(n, "value", `"floor 1"`));
  await a.expect(ev(n, "value", `"floor 1"`));
  await b.expect(ev(n, "value", `"floor 1"`));
  await c.quiet();
  await a.quiet();
  await b.quiet();
});

test("value lane: bodies as the official writer puts them", async (port) => {
  const n = "/unit/v3";
  const a = await Peer.open(port, "A");
  a.send(link(n, "value"));
  await a.expect(linked(n, "value"));
  a.send(command(n, "value", "42"));
  await a.expect(ev(n, "value", " 42"));
  a.send(command(n, "value", `"notanint"`));
  await a.expect(ev(n, "value", " notanint"));
  a.send(command(n, "value", "{a:1, b:2}"));
  await a.expect(ev(n, "value", "{a:1,b:2}"));
  a.send(command(n, "value", "{5}"));
  await a.expect(ev(n, "value", " 5"));
  a.send(command(n, "value", ` "two words"`));
  await a.expect(ev(n, "value", `"two words"`));
  a.send(command(n, "value", ` -1.5`));
  await a.expect(ev(n, "value", ` -1.5`));
  a.send(command(n, "value", ` "true"`));
  await a.expect(ev(n, "value", ` true`)); // Java/JS write Text("true") bare (spec §1.5)
  a.send(command(n, "value", "@greeting(\"hi there\")"));
  await a.expect(ev(n, "value", `@greeting("hi there")`));
  a.send(command(n, "value"));
  await a.expect(ev(n, "value"));
  await a.quiet();
});

test("value lane: state persists across connections (late sync sees the latest)", async (port) => {
  const n = "/unit/v4";
  const a = await Peer.open(port, "A");
  a.send(command(n, "value", " false"));
  await a.quiet();
  a.close();
  const c = await Peer.open(port, "C");
  c.send(sync(n, "value"));
  await c.expect(linked(n, "value"), ev(n, "value", " false"), synced(n, "value"));
});

test("@link echoes prio and rate in @linked, sends no state; @sync then adds state only", async (port) => {
  const n = "/unit/2";
  const a = await Peer.open(port, "A");
  a.send(`@link(node:"/unit/2",lane:value,prio:0.5,rate:10)`);
  await a.expect(`@linked(node:"/unit/2",lane:value,prio:0.5,rate:10)`);
  await a.quiet();
  a.send(command(n, "value", " 1"));
  a.send(command(n, "value", " 2"));
  await a.expect(ev(n, "value", " 1"), ev(n, "value", " 2"));
  a.send(sync(n, "value")); // already linked: no second @linked
  await a.expect(ev(n, "value", " 2"), synced(n, "value"));
  await a.quiet();
});

test("positional and spaced headers are accepted; replies use the official form", async (port) => {
  const a = await Peer.open(port, "A");
  a.send(`@sync("/unit/pos", value)`);
  await a.expect(linked("/unit/pos", "value"), ev("/unit/pos", "value"), synced("/unit/pos", "value"));
  a.send(`@command(node: "/unit/pos", lane: value) 7`);
  await a.expect(ev("/unit/pos", "value", " 7"));
});

test("map lane: empty sync, then @update/@remove events as the Java server writes them", async (port) => {
  const n = "/unit/m1";
  const a = await Peer.open(port, "A");
  const b = await Peer.open(port, "B");
  a.send(sync(n, "map"));
  await a.expect(linked(n, "map"), synced(n, "map"));
  b.send(sync(n, "map"));
  await b.expect(linked(n, "map"), synced(n, "map"));
  const steps = [
    [`@update(key:e1)"floor 1"`, `@update(key:e1)"floor 1"`],
    [`@update(key:e2)"floor 7"`, `@update(key:e2)"floor 7"`],
    [`@update(key:e1)"floor 3"`, `@update(key:e1)"floor 3"`],
    [`@remove(key:e2)`, `@remove(key:e2)`],
    [`@update(key:"elevator #3") lobby`, `@update(key:"elevator #3") lobby`],
    [`@update(key: 42) {x: 1, y: 2}`, `@update(key:42){x:1,y:2}`],
  ];
  for (const [sent, written] of steps) {
    b.send(command(n, "map", sent));
    await b.expect(ev(n, "map", written));
    await a.expect(ev(n, "map", written));
  }
  const c = await Peer.open(port, "C");
  c.send(sync(n, "map"));
  await c.expect(
    linked(n, "map"),
    ev(n, "map", `@update(key:e1)"floor 3"`),
    ev(n, "map", `@update(key:"elevator #3") lobby`),
    ev(n, "map", `@update(key:42){x:1,y:2}`), // @swim/structure order (as Java's): Text before Num
    synced(n, "map"),
  );
  await a.quiet();
  await b.quiet();
  await c.quiet();
});

test("map lane: sync lists entries in key order, not insertion order", async (port) => {
  const n = "/unit/m2";
  const a = await Peer.open(port, "A");
  for (const k of ["b", "c", "a"]) a.send(command(n, "map", `@update(key:${k}) ${k}`));
  a.send(sync(n, "map"));
  await a.expect(
    linked(n, "map"),
    ev(n, "map", `@update(key:a) a`),
    ev(n, "map", `@update(key:b) b`),
    ev(n, "map", `@update(key:c) c`),
    synced(n, "map"),
  );
});

test("map lane: @clear", async (port) => {
  const n = "/unit/m3";
  const a = await Peer.open(port, "A");
  a.send(link(n, "map"));
  await a.expect(linked(n, "map"));
  a.send(command(n, "map", `@update(key:x) 1`));
  await a.expect(ev(n, "map", `@update(key:x) 1`));
  a.send(command(n, "map", `@clear`));
  await a.expect(ev(n, "map", `@clear`));
  a.send(sync(n, "map"));
  await a.expect(synced(n, "map"));
});

test("fill: clears the map and puts k0000000.. -> 0..; map uplinks see @clear and @updates", async (port) => {
  const n = "/unit/f1";
  const a = await Peer.open(port, "A");
  const b = await Peer.open(port, "B");
  a.send(link(n, "map"));
  await a.expect(linked(n, "map"));
  b.send(sync(n, "fill"));
  await b.expect(linked(n, "fill"), synced(n, "fill"));
  const c = await Peer.open(port, "C");
  c.send(command(n, "fill", " 3"));
  await a.expect(
    ev(n, "map", `@clear`),
    ev(n, "map", `@update(key:k0000000) 0`),
    ev(n, "map", `@update(key:k0000001) 1`),
    ev(n, "map", `@update(key:k0000002) 2`),
  );
  await b.expect(ev(n, "fill", " 3"));
  await c.quiet();
  const d = await Peer.open(port, "D");
  d.send(sync(n, "map"));
  await d.expect(
    linked(n, "map"),
    ev(n, "map", `@update(key:k0000000) 0`),
    ev(n, "map", `@update(key:k0000001) 1`),
    ev(n, "map", `@update(key:k0000002) 2`),
    synced(n, "map"),
  );
});

test("map lane: @take(n) and @drop(n) are applied in key order and broadcast as such", async (port) => {
  const n = "/unit/t1";
  const a = await Peer.open(port, "A");
  a.send(command(n, "fill", "5"));
  await a.quiet();
  a.send(link(n, "map"));
  await a.expect(linked(n, "map"));
  a.send(command(n, "map", `@take(3)`));
  await a.expect(ev(n, "map", `@take(3)`));
  a.send(command(n, "map", `@drop(1)`));
  await a.expect(ev(n, "map", `@drop(1)`));
  a.send(sync(n, "map"));
  await a.expect(ev(n, "map", `@update(key:k0000001) 1`), ev(n, "map", `@update(key:k0000002) 2`), synced(n, "map"));
  a.send(command(n, "map", ` 17`)); // not a map operation: dropped
  await a.quiet();
});

test("command lane: sync is @linked + @synced; every command body is broadcast as @event", async (port) => {
  const n = "/unit/c1";
  const a = await Peer.open(port, "A");
  const b = await Peer.open(port, "B");
  a.send(sync(n, "cmd"));
  await a.expect(linked(n, "cmd"), synced(n, "cmd"));
  b.send(command(n, "cmd", `{msg:hello,n:1}`));
  b.send(command(n, "cmd", `@greeting("hi there")`));
  b.send(command(n, "cmd"));
  b.send(command(n, "cmd", " 42"));
  await a.expect(
    ev(n, "cmd", `{msg:hello,n:1}`),
    ev(n, "cmd", `@greeting("hi there")`),
    ev(n, "cmd"),
    ev(n, "cmd", " 42"),
  );
  await b.quiet();
  a.send(command(n, "cmd", `"to myself"`));
  await a.expect(ev(n, "cmd", `"to myself"`));
});

test("@unlink: @unlinked without a body, then no more events; unlinking again: nothing", async (port) => {
  const n = "/unit/u1";
  const a = await Peer.open(port, "A");
  a.send(sync(n, "value"));
  await a.expect(linked(n, "value"), ev(n, "value"), synced(n, "value"));
  a.send(unlink(n, "value"));
  await a.expect(unlinked(n, "value"));
  a.send(command(n, "value", " 9"));
  await a.quiet();
  a.send(unlink(n, "value"));
  await a.quiet();
  a.send(unlink("/no/such/node", "value"));
  await a.quiet();
});

test("unknown node: @unlinked(...)@nodeNotFound for sync and link; commands dropped", async (port) => {
  const a = await Peer.open(port, "A");
  a.send(sync("/no/such/node", "light"));
  await a.expect(`@unlinked(node:"/no/such/node",lane:light)@nodeNotFound`);
  a.send(link("/no/such/node", "light"));
  await a.expect(`@unlinked(node:"/no/such/node",lane:light)@nodeNotFound`);
  a.send(sync("/unit", "value"));
  await a.expect(unlinked("/unit", "value", "@nodeNotFound"));
  a.send(sync("/unit/1/extra", "value"));
  await a.expect(unlinked("/unit/1/extra", "value", "@nodeNotFound"));
  a.send(command("/no/such/node", "command", " 42"));
  await a.quiet();
});

test("unknown lane of a known node: @unlinked(...)@laneNotFound; commands dropped", async (port) => {
  const a = await Peer.open(port, "A");
  a.send(sync("/unit/1", "nosuchlane"));
  await a.expect(`@unlinked(node:"/unit/1",lane:nosuchlane)@laneNotFound`);
  a.send(link("/unit/1", "nosuchlane"));
  await a.expect(`@unlinked(node:"/unit/1",lane:nosuchlane)@laneNotFound`);
  a.send(command("/unit/1", "nosuchlane", " 1"));
  await a.quiet();
});

test("@auth -> @authed, @deauth -> @deauthed", async (port) => {
  const a = await Peer.open(port, "A");
  a.send("@auth");
  await a.expect("@authed");
  a.send("@auth{token:abc}");
  await a.expect("@authed");
  a.send("@deauth");
  await a.expect("@deauthed");
});

test("server-to-client envelopes sent by a client are ignored", async (port) => {
  const a = await Peer.open(port, "A");
  for (const f of [ev("/unit/i1", "value", "7"), linked("/unit/i1", "value"), synced("/unit/i1", "value"), unlinked("/unit/i1", "value"), "@authed", "@deauthed"]) {
    a.send(f);
  }
  await a.quiet();
  a.send(sync("/unit/i1", "value"));
  await a.expect(linked("/unit/i1", "value"), ev("/unit/i1", "value"), synced("/unit/i1", "value"));
});

test("agents are independent; one connection may link lanes of several agents", async (port) => {
  const a = await Peer.open(port, "A");
  a.send(link("/unit/x", "value"));
  a.send(link("/unit/y", "value"));
  await a.expect(linked("/unit/x", "value"), linked("/unit/y", "value"));
  a.send(command("/unit/x", "value", " 1"));
  await a.expect(ev("/unit/x", "value", " 1"));
  await a.quiet();
  a.send(sync("/unit/y", "value"));
  await a.expect(ev("/unit/y", "value"), synced("/unit/y", "value"));
});

for (const [what, frame] of [
  ["text that is not Recon", "this is not recon {"],
  ["an unknown tag", `@bogus(node:"/unit/3",lane:value)`],
  ["a missing lane header", `@sync(node:"/unit/3")`],
  ["a bare record", "{}"],
  ["an empty frame", ""],
]) {
  test(`${what} closes the socket with 1002`, async (port) => {
    const a = await Peer.open(port, "A");
    a.send(sync("/unit/3", "value"));
    await a.expect(linked("/unit/3", "value"), ev("/unit/3", "value"), synced("/unit/3", "value"));
    a.send(frame);
    await a.expectClose(1002, "Expected a valid Warp envelope.");
  });
}

test("a binary frame closes the socket with 1002", async (port) => {
  const a = await Peer.open(port, "A");
  a.sendBinary(Buffer.from("@auth"));
  await a.expectClose(1002, "Expected string data.");
});

test("a closed socket's uplinks are dropped; the others still get events", async (port) => {
  const n = "/unit/d1";
  const a = await Peer.open(port, "A");
  const b = await Peer.open(port, "B");
  a.send(link(n, "cmd"));
  b.send(link(n, "cmd"));
  await a.expect(linked(n, "cmd"));
  await b.expect(linked(n, "cmd"));
  a.close();
  await a.waitFor(() => a.closeInfo !== null, "the close");
  b.send(command(n, "cmd", " 1"));
  await b.expect(ev(n, "cmd", " 1"));
});

// ---------------------------------------------------------------------------------------
// run

async function runSuite() {
  let passed = 0;
  let failed = 0;
  const server = startServer(verbose ? ["--verbose"] : []);
  let port;
  try {
    port = await server.port;
  } catch (err) {
    console.log(`FAIL starting the server: ${err.message}`);
    server.child.kill("SIGKILL");
    return { passed, failed: failed + 1 };
  }
  console.log(`server listening on ${port}`);

  for (const c of cases) {
    console.log(`- ${c.name}`);
    openPeers = [];
    try {
      await c.fn(port);
      console.log(`  ok`);
      passed++;
    } catch (err) {
      console.log(`  FAIL ${err.message}`);
      failed++;
    } finally {
      for (const p of openPeers) p.close();
    }
  }

  // SIGTERM: linked sockets are closed with 1001, the process exits 0, and stdout held only
  // the `listening` line.
  console.log("- SIGTERM closes open sockets with 1001 and exits 0; stdout is the one `listening` line");
  openPeers = [];
  try {
    const a = await Peer.open(port, "A");
    a.send(sync("/unit/term", "value"));
    await a.expect(linked("/unit/term", "value"), ev("/unit/term", "value"), synced("/unit/term", "value"));
    server.child.kill("SIGTERM");
    await a.expectClose(1001, "Server is stopping.");
    const exit = await Promise.race([server.exited, sleep(5000).then(() => null)]);
    if (exit === null) throw new Error("server still running 5 s after SIGTERM");
    if (exit.code !== 0) throw new Error(`server exit ${exit.code ?? exit.signal}, expected 0`);
    if (server.stdout() !== `listening ${port}\n`) throw new Error(`stdout was ${q(server.stdout())}`);
    if (!verbose && server.stderr() !== "") throw new Error(`stderr without --verbose: ${q(server.stderr())}`);
    console.log("  ok");
    passed++;
  } catch (err) {
    console.log(`  FAIL ${err.message}`);
    failed++;
    server.child.kill("SIGKILL");
  }
  return { passed, failed };
}

async function runVerboseCheck() {
  // --verbose logs to stderr only; SIGINT also stops the server cleanly.
  console.log("- --verbose logs to stderr only; SIGINT exits 0");
  const server = startServer(["--verbose"]);
  try {
    const port = await server.port;
    openPeers = [];
    const a = await Peer.open(port, "A");
    a.send("@auth");
    await a.expect("@authed");
    server.child.kill("SIGINT");
    await a.expectClose(1001, "Server is stopping.");
    const exit = await Promise.race([server.exited, sleep(5000).then(() => null)]);
    if (exit === null) throw new Error("server still running 5 s after SIGINT");
    if (exit.code !== 0) throw new Error(`server exit ${exit.code ?? exit.signal}, expected 0`);
    if (server.stdout() !== `listening ${port}\n`) throw new Error(`stdout was ${q(server.stdout())}`);
    if (!verbose && !server.stderr().includes(`C->S "@auth"`)) throw new Error(`no frame log on stderr: ${q(server.stderr())}`);
    console.log("  ok");
    return true;
  } catch (err) {
    console.log(`  FAIL ${err.message}`);
    server.child.kill("SIGKILL");
    return false;
  }
}

const { passed, failed } = await runSuite();
const vOk = await runVerboseCheck();
const p = passed + (vOk ? 1 : 0);
const f = failed + (vOk ? 0 : 1);
console.log(`${p} passed, ${f} failed`);
process.exit(f === 0 ? 0 : 1);
