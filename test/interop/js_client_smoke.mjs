// SPDX-License-Identifier: BSL-1.0
//
// Smoke test of the official SwimOS JS client (@swim/client 4.0.0) in this Node, with the
// local @swim/args stub: it must load, connect to warp_server.mjs, link and sync a value
// downlink, set a value and see the server's echo, see a remote set, and close with @unlink.
// This proves the official client works here for the later interop tests against the C++ server.
//
//   node js_client_smoke.mjs [--verbose]
//
// The client is run twice: with its defaults (no WebSocket subprotocol, as the transcript's
// client does) and with `wsProtocols` set to "warp0" (what a Rust-style server requires).
// In Node 20 there is no global WebSocket, so @swim/client uses the `ws` package's WebSocket
// (see README.md); the test also sets `wsConstructor` explicitly on the second run.
// The frames on the wire are read from the server's --verbose log and printed.
// Prints `N passed, M failed` last; exits 1 on any failure.

import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as WS from "ws";
import { WarpClient } from "@swim/client";
import { Recon } from "@swim/recon";

const here = dirname(fileURLToPath(import.meta.url));
const SERVER = join(here, "warp_server.mjs");
const verbose = process.argv.includes("--verbose");
const WAIT_MS = 5000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const q = (s) => JSON.stringify(s);
// Values as the transcript's callback logs show them: Recon text, or (absent).
const str = (v) => (v === undefined ? "undefined" : v.isDefined() ? Recon.toString(v) : "(absent)");

function startServer() {
  const child = spawn(process.execPath, [SERVER, "--port", "0", "--verbose"], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => {
    stderr += d;
    if (verbose) process.stderr.write(d);
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const port = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server printed no `listening` line in 10 s")), 10000);
    child.on("exit", (code, signal) => reject(new Error(`server exited early (${code ?? signal}): ${stderr}`)));
    child.stdout.on("data", (d) => {
      stdout += d;
      const m = /^listening (\d+)\n/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { child, port, exited, log: () => stderr };
}

/** Waits until `pred()` holds, polling. */
async function until(pred, what) {
  const deadline = Date.now() + WAIT_MS;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The server's wire log of one connection: [{dir, text}] of C->S / S->C frames and the close. */
function wireOf(log, conn) {
  const frames = [];
  const re = new RegExp(`^warp_server: conn#${conn} (C->S|S->C) (".*")$`);
  for (const line of log.split("\n")) {
    const m = re.exec(line);
    if (m) frames.push({ dir: m[1], text: JSON.parse(m[2]) });
  }
  return frames;
}

/** One run of the official client against the server at `port`. */
async function runClient(server, port, { node, protocols, forceWs, mount }) {
  const events = [];
  const ev = (s) => {
    events.push(s);
    console.log(`    client: ${s}`);
  };

  const client = new WarpClient();
  if (mount) {
    // A WarpClient's hosts inherit wsProtocols / wsConstructor from it only while it is
    // mounted; unmounted, set them on the host: client.openHost(uri).wsProtocols.set(...).
    client.mount();
  }
  if (protocols !== undefined) client.wsProtocols.set(protocols);
  if (forceWs) client.wsConstructor.set(WS.WebSocket);
  client.observe({
    clientDidConnect: (host) => ev(`clientDidConnect ${host.hostUri}`),
    clientDidDisconnect: (host) => ev(`clientDidDisconnect ${host.hostUri}`),
    clientDidFail: (error) => ev(`clientDidFail ${error}`),
  });

  const hostUri = `warp://127.0.0.1:${port}`;
  const downlink = client
    .downlinkValue({
      hostUri,
      nodeUri: node,
      laneUri: "value",
      didLink() {
        ev(`didLink ${this.nodeUri} ${this.laneUri}`);
      },
      didSync() {
        ev(`didSync value=${str(this.get())}`);
      },
      didSet(newValue, oldValue) {
        ev(`didSet ${str(newValue)} old=${str(oldValue)}`);
      },
      didUnlink() {
        ev(`didUnlink`);
      },
      didClose() {
        ev(`didClose`);
      },
    })
    .open();

  // link + sync of the absent value
  await until(() => events.some((e) => e.startsWith("didSync")), "didSync");
  if (!events.includes(`didLink ${node} value`)) throw new Error("no didLink before didSync");

  // local set: didSet at once, then again when the server's @event echo arrives
  downlink.set(42);
  await until(() => events.filter((e) => e === "didSet 42 old=42").length >= 1, "the echo of set(42)");
  if (downlink.get().numberValue() !== 42) throw new Error(`get() is ${downlink.get()} after the echo`);

  // remote set: a raw peer's @command reaches the client as @event -> didSet
  const raw = new WS.WebSocket(`ws://127.0.0.1:${port}/`);
  await new Promise((resolve, reject) => {
    raw.once("open", resolve);
    raw.once("error", reject);
  });
  raw.send(`@command(node:${q(node)},lane:value)"from raw"`);
  await until(() => events.includes(`didSet "from raw" old=42`), "the remote set");
  raw.close();

  // close: the client sends @unlink, gets @unlinked, then drops the idle socket
  const conn = lastConnIdOfClient(server.log(), node);
  downlink.close();
  await until(() => server.log().includes(`conn#${conn} closed`), "the client to close its socket");

  const wire = wireOf(server.log(), conn);
  console.log(`    wire of the client's connection (server view, conn#${conn}):`);
  for (const f of wire) console.log(`      ${f.dir} ${q(f.text)}`);
  const closed = new RegExp(`^warp_server: conn#${conn} (closed .*)$`, "m").exec(server.log());
  console.log(`      ${closed ? closed[1] : "(no close logged)"}`);
  const opened = new RegExp(`^warp_server: conn#${conn} open .* subprotocol=(".*")$`, "m").exec(server.log());
  const subprotocol = opened ? JSON.parse(opened[1]) : null;
  console.log(`    subprotocol negotiated: ${q(subprotocol)}`);

  const h = `(node:${q(node)},lane:value)`;
  const expectedWire = [
    { dir: "C->S", text: `@sync${h}` },
    { dir: "S->C", text: `@linked${h}` },
    { dir: "S->C", text: `@event${h}` },
    { dir: "S->C", text: `@synced${h}` },
    { dir: "C->S", text: `@command${h} 42` },
    { dir: "S->C", text: `@event${h} 42` },
    { dir: "S->C", text: `@event${h}"from raw"` },
    { dir: "C->S", text: `@unlink${h}` },
    { dir: "S->C", text: `@unlinked${h}` },
  ];
  const got = wire.map((f) => `${f.dir} ${f.text}`).join("\n");
  const want = expectedWire.map((f) => `${f.dir} ${f.text}`).join("\n");
  if (got !== want) throw new Error(`wire differs:\n--- expected\n${want}\n--- got\n${got}`);
  const wantProto = protocols === undefined ? "" : "warp0";
  if (subprotocol !== wantProto) throw new Error(`subprotocol ${q(subprotocol)}, expected ${q(wantProto)}`);

  const wantEvents = [
    "clientDidConnect " + hostUri,
    `didLink ${node} value`,
    "didSet (absent) old=(absent)",
    "didSync value=(absent)",
    "didSet 42 old=(absent)",
    "didSet 42 old=42",
    "didSet \"from raw\" old=42",
    "didClose", // a downlink closed locally reports didClose (no didUnlink)
  ];
  for (const w of wantEvents) {
    if (!events.includes(w)) throw new Error(`missing callback ${q(w)}; got ${q(events)}`);
  }
  // let the client's idle/disconnect callbacks settle before the next run
  await sleep(50);
}

/** The connection id the server gave the official client: the one that sent @sync for `node`. */
function lastConnIdOfClient(log, node) {
  const m = [...log.matchAll(new RegExp(`^warp_server: conn#(\\d+) C->S "@sync\\(node:\\\\"${node.replace(/\//g, "\\/")}\\\\",lane:value\\)"$`, "gm"))];
  if (m.length === 0) throw new Error("the server saw no @sync from the client");
  return Number(m[m.length - 1][1]);
}

// ---------------------------------------------------------------------------------------

let passed = 0;
let failed = 0;
console.log(`@swim/client loaded; global WebSocket: ${typeof globalThis.WebSocket}` +
  ` (so the client uses ${typeof globalThis.WebSocket === "undefined" ? "ws's WebSocket" : "the global WebSocket"})`);

const server = startServer();
let port;
try {
  port = await server.port;
  console.log(`server listening on ${port}`);
} catch (err) {
  console.log(`FAIL starting the server: ${err.message}`);
  console.log(`0 passed, 1 failed`);
  process.exit(1);
}

const runs = [
  { name: "defaults (no subprotocol)", node: "/unit/1", protocols: undefined, forceWs: false, mount: false },
  {
    name: "mounted, wsProtocols=warp0, wsConstructor=ws.WebSocket",
    node: "/unit/2",
    protocols: "warp0",
    forceWs: true,
    mount: true,
  },
];
for (const r of runs) {
  console.log(`- official client, ${r.name}: ValueDownlink on ${r.node} value`);
  try {
    await runClient(server, port, r);
    console.log("  ok");
    passed++;
  } catch (err) {
    console.log(`  FAIL ${err.message}`);
    failed++;
  }
}

server.child.kill("SIGTERM");
await Promise.race([server.exited, sleep(3000)]);
server.child.kill("SIGKILL");
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
