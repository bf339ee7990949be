// SPDX-License-Identifier: BSL-1.0
//
// The official SwimOS JS codec (@swim/warp + @swim/recon) on the inputs of
// bench/data/codec_inputs.txt: the reference column of bench/run_codec_bench.sh.
//
//   node codec_bench.mjs [--inputs PATH] [--min-time SECONDS] [--runs N] [--check]
//
// parse = Envelope.parseRecon(text): Recon.parse of the whole frame, then Envelope.fromValue
//         (tag dispatch, node/lane URIs, body).
// write = envelope.toRecon() of an envelope parsed once beforehand.
// After a global warm-up of 0.5 s, each measurement warms up again, then takes the best of
// --runs timed runs of >= --min-time seconds (as codec_bench.cpp does).
// Prints one JSON object with the same fields as `swim_codec_bench --json`.
// MB is 10^6 bytes of the input envelope text (UTF-8).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Envelope } from "@swim/warp";

const here = dirname(fileURLToPath(import.meta.url));

function parse_args(argv) {
  const opts = {
    inputs: join(here, "..", "data", "codec_inputs.txt"),
    min_time: 0.5,
    runs: 3,
    check: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--inputs") opts.inputs = argv[++i];
    else if (a === "--min-time") opts.min_time = Number(argv[++i]);
    else if (a === "--runs") opts.runs = Number(argv[++i]);
    else if (a === "--check") opts.check = true;
    else if (a === "--help" || a === "-h") {
      console.log("usage: node codec_bench.mjs [--inputs PATH] [--min-time S] [--runs N] [--check]");
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  if (!(opts.min_time > 0) || !(opts.runs >= 1)) {
    console.error("--min-time must be > 0 and --runs >= 1");
    process.exit(2);
  }
  return opts;
}

// `<name> <envelope>` per line; `#` lines and empty lines are skipped.
function load_inputs(path) {
  const inputs = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.length === 0 || line.startsWith("#")) continue;
    const sp = line.indexOf(" ");
    if (sp <= 0) throw new Error(`bad input line: ${line.slice(0, 40)}`);
    inputs.push({ name: line.slice(0, sp), text: line.slice(sp + 1) });
  }
  return inputs;
}

let sink = 0;

function seconds_since(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

// `body(n)` performs the operation n times and returns a number for the checksum.
// As in codec_bench.cpp: a warm-up (here also the JIT's) that finds the rate, growing n
// until one chunk takes >= 20 ms and at least min(0.2 s, min_time) has gone by; then `runs`
// runs of as many iterations as take min_time; the fastest run counts.
function measure(body, min_time, runs) {
  const warm_up = Math.min(0.2, min_time);
  let n = 1;
  let spent = 0;
  let rate = 0;
  for (;;) {
    const t0 = process.hrtime.bigint();
    sink = (sink + body(n)) | 0;
    const s = seconds_since(t0);
    spent += s;
    if (s >= 0.02) {
      rate = n / s;
      if (spent >= warm_up) break;
    } else {
      n *= 2;
    }
  }
  const iterations = Math.max(1, Math.ceil(rate * min_time * 1.05));
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    sink = (sink + body(iterations)) | 0;
    best = Math.min(best, seconds_since(t0));
  }
  return { iterations, seconds: best };
}

function parse_loop(text) {
  return (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const e = Envelope.parseRecon(text);
      acc = (acc + e.body.length + (e.lane === null ? 0 : 1)) | 0;
    }
    return acc;
  };
}

function write_loop(envelope) {
  return (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc = (acc + envelope.toRecon().length) | 0;
    return acc;
  };
}

// Parses and writes every input for `seconds` before anything is timed (JIT, cold CPU).
function warm_up(inputs, seconds) {
  const t0 = process.hrtime.bigint();
  let acc = 0;
  while (seconds_since(t0) < seconds) {
    for (const input of inputs) acc = (acc + Envelope.parseRecon(input.text).toRecon().length) | 0;
  }
  sink = (sink + acc) | 0;
}

function main() {
  const opts = parse_args(process.argv.slice(2));
  const version = JSON.parse(
    readFileSync(join(here, "node_modules", "@swim", "warp", "package.json"), "utf8")).version;
  const inputs = load_inputs(opts.inputs);
  const results = [];
  const notes = [];
  if (!opts.check) warm_up(inputs, 0.5);
  for (const input of inputs) {
    const bytes = Buffer.byteLength(input.text, "utf8");
    const envelope = Envelope.parseRecon(input.text);
    if (envelope === null) throw new Error(`@swim/warp does not read input ${input.name}`);
    const written = envelope.toRecon();
    if (written !== input.text) {
      notes.push(`${input.name}: toRecon() writes ${Buffer.byteLength(written, "utf8")} bytes, ` +
        `not the input's ${bytes}: ${JSON.stringify(written.slice(0, 80))}`);
    }
    if (opts.check) continue;
    for (const [op, body] of [["parse", parse_loop(input.text)], ["write", write_loop(envelope)]]) {
      const m = measure(body, opts.min_time, opts.runs);
      results.push({
        input: input.name,
        op,
        bytes,
        iterations: m.iterations,
        seconds: m.seconds,
        envelopes_per_s: m.iterations / m.seconds,
        mb_per_s: (m.iterations * bytes) / m.seconds / 1e6,
      });
    }
  }
  const out = {
    implementation: `@swim/warp ${version} (node ${process.version})`,
    min_time_s: opts.min_time,
    runs: opts.runs,
    results,
    notes,
    checksum: sink,
  };
  console.log(JSON.stringify(out, null, 1));
}

main();
