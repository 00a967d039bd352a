/* global console, performance, process, URL */
// Inference latency on the reference model, batch 1: prefill of 128 tokens, then 32 decode
// steps through a KV-cache graph, per backend (onnx, and the backend package given with
// --compare, on the device given by --compare-device, default wasm). Prints one JSON object.
//
//   node bench/infer.mjs --rounds 3 --repeat 5 --compare-repeat 2 --threads 0 \
//     --compare-device wasm --compare @actllm/backend-tfjs
//
// Each backend runs in its own process, as it would in use: run in one process, tfjs's wasm
// heap and garbage slowed onnxruntime's decode steps by half. The processes take turns over
// `--rounds` rounds, so a slow spell of the shared machine lands on both; in each, a backend
// runs one untimed warm-up sequence, then `--repeat` (onnx) or `--compare-repeat` (the other)
// timed ones. Defaults are sized for a small machine (2 cores).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { listBackends } from '@actllm/core';
import { createSession, initParameters, kvDecoder, kvDecoderFeeds } from '@actllm/graph';
import { REFERENCE, loadCompared, parseArgs, percentile } from './models.mjs';

const args = parseArgs(process.argv.slice(2));
const repeat = Number(args.repeat ?? 5);
const compareRepeat = Number(args['compare-repeat'] ?? 2);
const rounds = Number(args.rounds ?? 3);
const threads = Number(args.threads ?? 0);
const PREFILL = 128;
const DECODE = 32;
const prompt = Array.from({ length: PREFILL }, (_, i) => (i * 37 + 11) % REFERENCE.vocab);

function argmaxLast(logits) {
  const v = REFERENCE.vocab;
  const row = logits.data.subarray(logits.data.length - v);
  let best = 0;
  for (let i = 1; i < v; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** One sequence: prefill, then greedy decode steps fed from the returned cache. */
async function sequence(session) {
  let t0 = performance.now();
  let out = await session.run(kvDecoderFeeds(REFERENCE, prompt, 0));
  const prefill = performance.now() - t0;
  const decode = [];
  const tokens = [];
  for (let i = 0; i < DECODE; i++) {
    const token = argmaxLast(out.logits);
    tokens.push(token);
    t0 = performance.now();
    out = await session.run(kvDecoderFeeds(REFERENCE, [token], PREFILL + i, out));
    decode.push(performance.now() - t0);
  }
  return { prefill, decode, tokens, last: out };
}

/**
 * The cache is right when the last decode step's logits equal those of one uncached pass
 * over the whole sequence (prompt and generated tokens) through the same graph.
 */
async function kvCheck(session, tokens, last) {
  const full = await session.run(kvDecoderFeeds(REFERENCE, [...prompt, ...tokens], 0));
  const v = REFERENCE.vocab;
  const want = full.logits.data.subarray(full.logits.data.length - v);
  const got = last.logits.data;
  let worst = 0;
  for (let i = 0; i < v; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst;
}

/**
 * Child mode (`--child <specifier>`): loads one backend package, checks the cache, times
 * `--count` sequences after a warm-up and prints the raw timings as JSON.
 */
async function child(specifier) {
  const loaded = await loadCompared(specifier, listBackends);
  if (loaded.name === undefined) return { skipped: loaded.reason };
  const device = typeof args.device === 'string' ? args.device : undefined;
  const warnings = [];
  const options = {
    threads,
    ...(device === undefined ? {} : { device }),
    logger: { warn: (m) => warnings.push(m) },
  };
  const graph = kvDecoder(REFERENCE, PREFILL + DECODE);
  const session = await createSession(graph, initParameters(graph, 0), {
    ...options,
    backend: loaded.name,
  });
  const warm = await sequence(session);
  const kvMaxError = await kvCheck(session, warm.tokens, warm.last);
  const timed = { name: loaded.name, warnings, kvMaxError, prefill: [], decode: [], totals: [] };
  for (let r = 0; r < Number(args.count); r++) {
    const s = await sequence(session);
    timed.prefill.push(s.prefill);
    timed.decode.push(...s.decode);
    timed.totals.push(s.prefill + s.decode.reduce((a, b) => a + b, 0));
    timed.tokens = s.tokens;
  }
  await session.dispose();
  return timed;
}

/** Runs one child process and returns what it printed. */
function runChild(specifier, count, device) {
  const argv = [fileURLToPath(import.meta.url), '--child', specifier, '--count', String(count)];
  argv.push('--threads', String(threads), ...(device ? ['--device', device] : []));
  return JSON.parse(execFileSync(process.execPath, argv, { encoding: 'utf8' }));
}

const stats = (xs) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95) });

/** Pools the rounds of one backend into p50/p95 figures. */
function pooled(runs) {
  const all = (key) => runs.flatMap((r) => r[key]);
  return {
    name: runs[0].name,
    sequences: all('totals').length,
    prefill_ms: stats(all('prefill')),
    decode_step_ms: stats(all('decode')),
    sequence_ms: stats(all('totals')),
    kv_cache_max_abs_error: Math.max(...runs.map((r) => r.kvMaxError)),
    warnings: [...new Set(runs.flatMap((r) => r.warnings))],
    tokens: runs[0].tokens,
  };
}

async function main() {
  const onnxRuns = [];
  const otherRuns = [];
  const compare = typeof args.compare === 'string' ? args.compare : undefined;
  const device = String(args['compare-device'] ?? 'wasm');
  const ownEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  for (let round = 0; round < rounds; round++) {
    onnxRuns.push(runChild(ownEntry, repeat));
    if (compare) otherRuns.push(runChild(compare, compareRepeat, device));
  }
  const result = {
    benchmark: 'inference',
    config: { ...REFERENCE, batch: 1, prefill: PREFILL, decode_steps: DECODE },
    threads: threads === 0 ? 'onnxruntime default' : threads,
    rounds,
    backends: { onnx: pooled(onnxRuns) },
  };
  const skipped = otherRuns.find((r) => r.skipped);
  if (skipped) result.backends[compare] = skipped;
  else if (compare) {
    const mine = result.backends.onnx;
    const theirs = pooled(otherRuns);
    const ratio = (key) => theirs[key].p50 / mine[key].p50;
    result.backends[theirs.name] = {
      ...theirs,
      device,
      onnx_speedup_p50: {
        prefill: ratio('prefill_ms'),
        decode_step: ratio('decode_step_ms'),
        sequence: ratio('sequence_ms'),
        sequence_by_round: otherRuns.map(
          (r, i) => percentile(r.totals, 50) / percentile(onnxRuns[i].totals, 50),
        ),
      },
      same_tokens: theirs.tokens.join() === mine.tokens.join(),
    };
  }
  for (const b of Object.values(result.backends)) {
    if (b.tokens) b.tokens = b.tokens.length;
    delete b.name;
  }
  return result;
}

const out = typeof args.child === 'string' ? await child(args.child) : await main();
console.log(JSON.stringify(out, null, 2));
