// SPDX-License-Identifier: BSL-1.0
//
// A small WARP server for swim-cpp's interop tests, written on the official SwimOS JS
// codecs: every frame is read with Envelope.parseRecon (@swim/warp, on @swim/recon's
// parser) and every reply is written with envelope.toRecon() (Recon.toString of the
// envelope's @swim/structure value), so a client under test sees exactly what the
// official writer produces (no space before `{` or `"` bodies, `@update(key:k) 1`, ...).
//
//   node warp_server.mjs [--port N] [--verbose]
//
// Listens on 127.0.0.1:N (N = 0, the default, picks a free port) and prints exactly one line,
// `listening <port>`, on stdout once it accepts connections; nothing else ever goes to
// stdout. --verbose logs every frame and event to stderr.
//
// Agents: every node matching /unit/:id is its own agent, created on first use, with
//   value  value lane, initially absent (sync: `@event(...)` with no body, then @synced)
//   map    map lane (sync: one `@event(...)@update(key:K)V` per entry in key order, then
//          @synced); commands @update(key:K)V, @remove(key:K), @clear, @take(n), @drop(n)
//   cmd    command lane: each command body is broadcast as an @event on `cmd`
//   fill   command lane: body n clears `map` and puts k0000000..k(n-1) -> 0..n-1, as the
//          Java server of the wire transcript does (broadcast: @clear, then one @update each);
//          the command itself is also broadcast as an @event on `fill`, like `cmd`
// Semantics (those of the Java server in shared/spec/wire-transcript-swim-js-vs-swim-java.txt):
//   @link    -> @linked (prio/rate echoed)
//   @sync    -> @linked (if not yet linked), the lane's state, @synced
//   @command -> apply; broadcast the resulting @event to every linked uplink of the lane,
//               the sender included if it is linked; no reply otherwise
//   @unlink  -> @unlinked (no body) and no more events; nothing if the lane was not linked
//   unknown node (link/sync) -> @unlinked(...)@nodeNotFound; unknown lane -> ...@laneNotFound;
//               commands (and unlinks) to unknown nodes or lanes are dropped silently
//   @auth    -> @authed; @deauth -> @deauthed (no credentials check)
//   @event/@linked/@synced/@unlinked/@authed/@deauthed from a client: ignored (as Java does)
//   a frame that is not a WARP envelope (Recon parse error, unknown tag, missing node or
//   lane) or a binary frame: the socket is closed with code 1002 and a reason
// Subprotocol: `warp0` is echoed when offered; clients offering none are accepted too.
// SIGTERM/SIGINT: every socket is closed with 1001 "Server is stopping.", then the process exits 0.

import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import {
  Envelope,
  EventMessage,
  CommandMessage,
  LinkRequest,
  SyncRequest,
  UnlinkRequest,
  LinkedResponse,
  SyncedResponse,
  UnlinkedResponse,
  AuthRequest,
  AuthedResponse,
  DeauthRequest,
  DeauthedResponse,
} from "@swim/warp";
import { Recon } from "@swim/recon";
import { Value, Record, Attr, Slot, Num } from "@swim/structure";

// ---------------------------------------------------------------------------------------
// command line

function usage(code) {
  process.stderr.write("usage: node warp_server.mjs [--port N] [--verbose]\n");
  process.exit(code);
}

let port = 0;
let verbose = false;
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--port") {
      const s = argv[++i];
      if (s === undefined || !/^\d+$/.test(s) || Number(s) > 65535) usage(2);
      port = Number(s);
    } else if (a.startsWith("--port=")) {
      const s = a.slice("--port=".length);
      if (!/^\d+$/.test(s) || Number(s) > 65535) usage(2);
      port = Number(s);
    } else if (a === "--verbose" || a === "-v") {
      verbose = true;
    } else if (a === "--help" || a === "-h") {
      usage(0);
    } else {
      process.stderr.write(`warp_server: unknown argument: ${a}\n`);
      usage(2);
    }
  }
}

function debug(...parts) {
  if (verbose) process.stderr.write(`warp_server: ${parts.join(" ")}\n`);
}

// ---------------------------------------------------------------------------------------
// agents

// /unit/:id, and the hotel of the SwimOS examples: /hotel/room/:id (light: a value lane) and
// /hotel/lobby (elevators: a map lane), which the swim-cpp examples run against.
const NODE_PATTERN = /^\/(?:unit\/[^/]+|hotel\/room\/[^/]+|hotel\/lobby)$/;
/** lane name -> behaviour */
const LANE_KIND = new Map([
  ["value", "value"],
  ["light", "value"],
  ["map", "map"],
  ["elevators", "map"],
  ["cmd", "cmd"],
  ["fill", "fill"],
]);
const LANES = new Set(LANE_KIND.keys());

/** id -> agent */
const agents = new Map();

class Agent {
  constructor(id) {
    this.id = id;
    this.value = Value.absent();
    /** Recon text of the key -> { key: Value, value: Value } */
    this.map = new Map();
    /** lane -> Map(socket -> { node: Uri, lane: Uri }) of linked uplinks */
    this.uplinks = new Map([...LANES].map((l) => [l, new Map()]));
  }

  /** Map entries in key order (the order of @swim/structure's Item.compareTo). */
  sortedEntries() {
    return [...this.map.values()].sort((a, b) => a.key.compareTo(b.key));
  }
}

function agentFor(nodeUri) {
  const m = NODE_PATTERN.exec(nodeUri.toString());
  if (m === null) return null;
  const id = m[0];
  let agent = agents.get(id);
  if (agent === undefined) {
    agent = new Agent(id);
    agents.set(id, agent);
    debug(`agent ${id} started`);
  }
  return agent;
}

// Map lane event bodies, built the way the Java MapLane writes them:
// `@update(key:K)V` = Attr(update, {key:K}) concatenated with V.
const updateBody = (key, value) => Record.of(Attr.of("update", Record.of(Slot.of("key", key)))).concat(value);
const removeBody = (key) => Record.of(Attr.of("remove", Record.of(Slot.of("key", key))));
const clearBody = () => Record.of(Attr.of("clear"));
const takeBody = (n) => Record.of(Attr.of("take", Num.from(n)));
const dropBody = (n) => Record.of(Attr.of("drop", Num.from(n)));

// ---------------------------------------------------------------------------------------
// connections

/** socket -> per-connection state */
const connections = new Map();
let nextConnId = 1;

function send(ws, envelope) {
  const text = envelope.toRecon();
  debug(`conn#${connections.get(ws)?.id ?? "?"} S->C ${JSON.stringify(text)}`);
  if (ws.readyState === ws.OPEN) ws.send(text);
}

function failSocket(ws, reason) {
  debug(`conn#${connections.get(ws)?.id ?? "?"} close 1002 ${JSON.stringify(reason)}`);
  ws.close(1002, reason);
}

/** Sends `body` as an @event of `lane` to every linked uplink of it, each with its own node/lane URIs. */
function broadcast(agent, lane, body) {
  for (const [ws, link] of agent.uplinks.get(lane)) {
    send(ws, EventMessage.create(link.node, link.lane, body));
  }
}

function sendState(ws, agent, laneName, node, lane) {
  switch (LANE_KIND.get(laneName)) {
    case "value":
      send(ws, EventMessage.create(node, lane, agent.value));
      break;
    case "map":
      for (const { key, value } of agent.sortedEntries()) {
        send(ws, EventMessage.create(node, lane, updateBody(key, value)));
      }
      break;
    default: // command lanes are stateless: @synced only
      break;
  }
}

function onLinkOrSync(ws, env, isSync) {
  const agent = agentFor(env.node);
  if (agent === null) {
    send(ws, UnlinkedResponse.create(env.node, env.lane, Record.of(Attr.of("nodeNotFound"))));
    return;
  }
  const laneName = env.lane.toString();
  if (!LANES.has(laneName)) {
    send(ws, UnlinkedResponse.create(env.node, env.lane, Record.of(Attr.of("laneNotFound"))));
    return;
  }
  const uplinks = agent.uplinks.get(laneName);
  if (!uplinks.has(ws)) {
    uplinks.set(ws, { node: env.node, lane: env.lane });
    connections.get(ws).links.add(`${agent.id}\u0000${laneName}`);
    send(ws, LinkedResponse.create(env.node, env.lane, env.prio, env.rate));
  } else if (!isSync) {
    // A repeated @link of a linked lane is answered again, as a fresh link would be.
    send(ws, LinkedResponse.create(env.node, env.lane, env.prio, env.rate));
  }
  if (isSync) {
    sendState(ws, agent, laneName, env.node, env.lane);
    send(ws, SyncedResponse.create(env.node, env.lane));
  }
}

function onUnlink(ws, env) {
  const agent = agentFor(env.node);
  if (agent === null) return;
  const laneName = env.lane.toString();
  const uplinks = agent.uplinks.get(laneName);
  if (uplinks === undefined || !uplinks.has(ws)) return; // not linked: nothing (Java, Rust)
  uplinks.delete(ws);
  connections.get(ws).links.delete(`${agent.id}\u0000${laneName}`);
  send(ws, UnlinkedResponse.create(env.node, env.lane));
}

function onMapCommand(agent, laneName, body) {
  const tag = body.tag;
  if (tag === "update") {
    const key = body.header("update").get("key");
    if (!key.isDefined()) return debug("map: @update without a key, dropped");
    const value = body.body();
    agent.map.set(Recon.toString(key), { key, value });
    broadcast(agent, laneName, updateBody(key, value));
  } else if (tag === "remove") {
    const key = body.header("remove").get("key");
    if (!key.isDefined()) return debug("map: @remove without a key, dropped");
    agent.map.delete(Recon.toString(key));
    broadcast(agent, laneName, removeBody(key));
  } else if (tag === "clear") {
    agent.map.clear();
    broadcast(agent, laneName, clearBody());
  } else if (tag === "take" || tag === "drop") {
    const n = body.head().toValue().numberValue(NaN);
    if (!Number.isInteger(n) || n < 0) return debug(`map: @${tag} needs a count, dropped`);
    const entries = agent.sortedEntries();
    const doomed = tag === "take" ? entries.slice(n) : entries.slice(0, n);
    for (const { key } of doomed) agent.map.delete(Recon.toString(key));
    broadcast(agent, laneName, tag === "take" ? takeBody(n) : dropBody(n));
  } else {
    debug(`map: command ${JSON.stringify(Recon.toString(body))} is not a map operation, dropped`);
  }
}

function onFill(agent, body) {
  const n = body.numberValue(NaN);
  if (!Number.isInteger(n) || n < 0) return debug("fill: body is not a count, dropped");
  agent.map.clear();
  broadcast(agent, "map", clearBody());
  for (let i = 0; i < n; i++) {
    const key = Value.fromLike(`k${String(i).padStart(7, "0")}`);
    const value = Num.from(i);
    agent.map.set(Recon.toString(key), { key, value });
    broadcast(agent, "map", updateBody(key, value));
  }
}

function onCommand(ws, env) {
  const agent = agentFor(env.node);
  if (agent === null) return debug(`command to unknown node ${env.node}, dropped`);
  const laneName = env.lane.toString();
  switch (LANE_KIND.get(laneName)) {
    case "value":
      agent.value = env.body;
      broadcast(agent, laneName, env.body);
      break;
    case "map":
      onMapCommand(agent, laneName, env.body);
      break;
    case "cmd":
      broadcast(agent, "cmd", env.body);
      break;
    case "fill":
      broadcast(agent, "fill", env.body);
      onFill(agent, env.body);
      break;
    default:
      debug(`command to unknown lane ${laneName} of ${env.node}, dropped`);
  }
}

function onFrame(ws, data, isBinary) {
  const conn = connections.get(ws);
  if (isBinary) {
    debug(`conn#${conn.id} C->S binary frame (${data.length} bytes)`);
    failSocket(ws, "Expected string data.");
    return;
  }
  const text = data.toString("utf8");
  debug(`conn#${conn.id} C->S ${JSON.stringify(text)}`);
  let env;
  try {
    env = Envelope.parseRecon(text);
  } catch (err) {
    debug(`conn#${conn.id} parse error: ${err && err.message}`);
    env = null;
  }
  if (env === null) {
    failSocket(ws, "Expected a valid Warp envelope.");
    return;
  }
  if (env instanceof LinkRequest) onLinkOrSync(ws, env, false);
  else if (env instanceof SyncRequest) onLinkOrSync(ws, env, true);
  else if (env instanceof CommandMessage) onCommand(ws, env);
  else if (env instanceof UnlinkRequest) onUnlink(ws, env);
  else if (env instanceof AuthRequest) send(ws, AuthedResponse.create());
  else if (env instanceof DeauthRequest) send(ws, DeauthedResponse.create());
  else debug(`conn#${conn.id} ignoring @${env.tag} from a client`);
}

function onClose(ws, code, reason) {
  const conn = connections.get(ws);
  if (conn === undefined) return;
  debug(`conn#${conn.id} closed ${code} ${JSON.stringify(reason.toString())}`);
  for (const link of conn.links) {
    const [id, laneName] = link.split("\u0000");
    agents.get(id)?.uplinks.get(laneName)?.delete(ws);
  }
  connections.delete(ws);
}

// ---------------------------------------------------------------------------------------
// server

const http = createServer((req, res) => {
  res.writeHead(426, { "Content-Type": "text/plain", Upgrade: "websocket" });
  res.end("WARP server: WebSocket upgrade required\n");
});

const wss = new WebSocketServer({
  server: http,
  perMessageDeflate: false,
  // Echo `warp0` when offered; accept any other offer (or none) without a subprotocol,
  // like the Java server (which never echoes one).
  handleProtocols: (protocols) => (protocols.has("warp0") ? "warp0" : false),
});

wss.on("connection", (ws, req) => {
  const conn = { id: nextConnId++, links: new Set() };
  connections.set(ws, conn);
  debug(
    `conn#${conn.id} open from ${req.socket.remoteAddress}:${req.socket.remotePort}` +
      ` subprotocol=${JSON.stringify(ws.protocol)}`,
  );
  ws.on("message", (data, isBinary) => {
    try {
      onFrame(ws, data, isBinary);
    } catch (err) {
      process.stderr.write(`warp_server: internal error: ${err && err.stack}\n`);
      ws.close(1011, "Internal error.");
    }
  });
  ws.on("close", (code, reason) => onClose(ws, code, reason));
  ws.on("error", (err) => debug(`conn#${conn.id} error: ${err.message}`));
});

http.on("error", (err) => {
  process.stderr.write(`warp_server: ${err.message}\n`);
  process.exit(1);
});

http.listen(port, "127.0.0.1", () => {
  process.stdout.write(`listening ${http.address().port}\n`);
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  debug(`${signal}: stopping`);
  for (const ws of wss.clients) ws.close(1001, "Server is stopping.");
  const force = setTimeout(() => {
    for (const ws of wss.clients) ws.terminate();
  }, 500);
  wss.close(() => {
    http.close(() => {
      clearTimeout(force);
      process.exit(0);
    });
    http.closeAllConnections();
  });
  // http.close waits for open sockets; make sure the process ends even if one lingers.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
