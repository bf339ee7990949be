// SPDX-License-Identifier: BSL-1.0
//
// The official SwimOS JS client (@swim/client 4.0.0, from npm) against swim-server (ours):
// value sync and set across two clients, map put/remove seen by a second client, a late
// joiner syncing the latest state, nodeNotFound and laneNotFound (exact wire frames from a
// raw WebSocket, and the client's didUnlink), and the warp0 subprotocol echo.
//
//   node js_client_vs_swim_server.mjs /path/to/swim-server
//
// Prints one line per check and `N passed, M failed` last; exits 1 on any failure.

import { spawn } from "node:child_process";
import * as WS from "ws";
import { WarpClient } from "@swim/client";
import { Recon } from "@swim/recon";

const serverPath = process.argv[2];
if (!serverPath) {
  console.error("usage: node js_client_vs_swim_server.mjs /path/to/swim-server");
  process.exit(2);
}
const WAIT_MS = 5000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const str = (v) => (v === undefined ? "undefined" : v.isDefined() ? Recon.toString(v) : "(absent)");

async function until(pred, what) {
  const deadline = Date.now() + WAIT_MS;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function startServer() {
  const child = spawn(serverPath, ["--host", "127.0.0.1", "--port", "0", "--bench-agents"], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("swim-server printed no `listening` line in 10 s")), 10000);
    child.on("exit", (code, signal) => reject(new Error(`swim-server exited early (${code ?? signal})`)));
    child.stdout.on("data", (d) => {
      out += d;
      const m = /^listening (warp:\/\/[^\s]+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, url, exited };
}

/** A raw WebSocket: send frames, read the next frames. */
async function rawSocket(port, protocols) {
  const ws = new WS.WebSocket(`ws://127.0.0.1:${port}/`, protocols);
  const frames = [];
  ws.on("message", (data) => frames.push(data.toString()));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return {
    ws,
    frames,
    async next(what) {
      await until(() => frames.length > 0, what);
      return frames.shift();
    },
  };
}

let passed = 0;
let failed = 0;
async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
function expectEq(got, want, what) {
  if (got !== want) throw new Error(`${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
}

const server = startServer();
const hostUri = await server.url;
const port = Number(/:(\d+)$/.exec(hostUri)[1]);
const downlinks = [];
function newClient() {
  return new WarpClient();
}

await check("value sync and set across two clients", async () => {
  const a = newClient();
  const b = newClient();
  const seenB = [];
  let syncedA = false;
  let syncedB = false;
  const da = a
    .downlinkValue({
      hostUri,
      nodeUri: "/hotel/room/1",
      laneUri: "light",
      didSync() {
        syncedA = true;
      },
    })
    .open();
  const db = b
    .downlinkValue({
      hostUri,
      nodeUri: "/hotel/room/1",
      laneUri: "light",
      didSet(now) {
        seenB.push(str(now));
      },
      didSync() {
        syncedB = true;
      },
    })
    .open();
  downlinks.push(da, db);
  await until(() => syncedA && syncedB, "both clients to sync");
  da.set(true);
  await until(() => seenB.includes("true"), "client B to see true");
  da.set("on");
  await until(() => seenB.includes("on"), "client B to see on");
  expectEq(str(db.get()), "on", "client B's value");
});

await check("map put and remove seen by a second client", async () => {
  const a = newClient();
  const b = newClient();
  const log = [];
  let synced = 0;
  const ma = a
    .downlinkMap({
      hostUri,
      nodeUri: "/hotel/lobby",
      laneUri: "elevators",
      didSync() {
        synced += 1;
      },
    })
    .open();
  const mb = b
    .downlinkMap({
      hostUri,
      nodeUri: "/hotel/lobby",
      laneUri: "elevators",
      didUpdate(key, now) {
        log.push(`update ${str(key)} ${str(now)}`);
      },
      didRemove(key) {
        log.push(`remove ${str(key)}`);
      },
      didSync() {
        synced += 1;
      },
    })
    .open();
  downlinks.push(ma, mb);
  await until(() => synced >= 2, "both map downlinks to sync");
  ma.set("service", "elevator");
  await until(() => log.includes("update service elevator"), "the update at client B");
  ma.delete("service");
  await until(() => log.includes("remove service"), "the remove at client B");
  expectEq(mb.size, 0, "client B's map size");
});

await check("a late joiner syncs the latest state", async () => {
  const a = newClient();
  let synced = false;
  const da = a
    .downlinkValue({
      hostUri,
      nodeUri: "/hotel/room/9",
      laneUri: "light",
      didSync() {
        synced = true;
      },
    })
    .open();
  downlinks.push(da);
  await until(() => synced, "the first client to sync");
  for (let i = 1; i <= 20; i += 1) da.set(i);
  // wait for the server's echo of the last set
  await until(() => str(da.get()) === "20", "the echo of the last set");
  await sleep(20);
  const late = newClient();
  let lateSynced = false;
  const dl = late
    .downlinkValue({
      hostUri,
      nodeUri: "/hotel/room/9",
      laneUri: "light",
      didSync() {
        lateSynced = true;
      },
    })
    .open();
  downlinks.push(dl);
  await until(() => lateSynced, "the late joiner to sync");
  expectEq(str(dl.get()), "20", "the late joiner's value");
});

await check("nodeNotFound and laneNotFound on the wire", async () => {
  const raw = await rawSocket(port);
  raw.ws.send('@link(node:"/nowhere",lane:x)');
  expectEq(await raw.next("nodeNotFound"), '@unlinked(node:"/nowhere",lane:x)@nodeNotFound', "reply to a link to a missing node");
  raw.ws.send('@sync(node:"/hotel/room/1",lane:nolane)');
  expectEq(
    await raw.next("laneNotFound"),
    '@unlinked(node:"/hotel/room/1",lane:nolane)@laneNotFound',
    "reply to a sync of a missing lane",
  );
  raw.ws.close();
});

await check("the official client syncs the lobby's rooms (a join value lane) as a map", async () => {
  const a = newClient();
  const log = [];
  let synced = false;
  const rooms = a
    .downlinkMap({
      hostUri,
      nodeUri: "/hotel/lobby",
      laneUri: "rooms",
      didUpdate(key, now) {
        log.push(`update ${str(key)} ${str(now)}`);
      },
      didSync() {
        synced = true;
      },
    })
    .open();
  const light = a
    .downlinkValue({ hostUri, nodeUri: "/hotel/room/js-join", laneUri: "light" })
    .open();
  downlinks.push(rooms, light);
  await until(() => synced, "rooms to sync");
  light.set(true);
  await until(() => log.includes("update js-join true"), "the room's light in rooms");
  light.set(false);
  await until(() => log.includes("update js-join false"), "its change in rooms");
  expectEq(str(rooms.get("js-join")), "false", "the entry in the JS client's map");
});

await check("the official client sees didUnlink for a missing node and lane", async () => {
  const c = newClient();
  const unlinked = [];
  const dn = c.downlinkValue({
    hostUri,
    nodeUri: "/nowhere",
    laneUri: "light",
    didUnlink() {
      unlinked.push("node");
    },
  }).open();
  const dln = c.downlinkValue({
    hostUri,
    nodeUri: "/hotel/room/1",
    laneUri: "nolane",
    didUnlink() {
      unlinked.push("lane");
    },
  }).open();
  downlinks.push(dn, dln);
  await until(() => unlinked.includes("node") && unlinked.includes("lane"), "both didUnlink callbacks");
});

await check("warp0 is echoed when offered, and a client offering none is served", async () => {
  const with0 = await rawSocket(port, ["warp0"]);
  expectEq(with0.ws.protocol, "warp0", "negotiated subprotocol");
  with0.ws.close();
  const none = await rawSocket(port);
  expectEq(none.ws.protocol, "", "negotiated subprotocol without an offer");
  none.ws.send('@sync(node:"/unit/1",lane:value)');
  expectEq(await none.next("linked"), '@linked(node:"/unit/1",lane:value)', "first reply");
  none.ws.close();
});

for (const d of downlinks) d.close();
await sleep(50);
server.child.kill("SIGTERM");
const { code, signal } = await server.exited;
await check("swim-server stops cleanly on SIGTERM", async () => {
  expectEq(code, 0, `exit status (signal ${signal})`);
});
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
