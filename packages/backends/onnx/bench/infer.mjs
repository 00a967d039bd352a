/* global console, performance, process */
// Inference latency on the reference model, batch 1: prefill of 128 tokens, then 32 decode
// steps through a KV-cache graph, per backend (onnx, and the backend package given with
// --compare, on the device given by --compare-device, default wasm). Prints one JSON object.
//
//   node bench/infer.mjs --repeat 5 --threads 0 --compare-device wasm --compare @actllm/backend-tfjs
//
// Defaults are sized for a small machine (2 cores): 1 warm-up and 5 timed sequences.
import { listBackends, resolveBackend } from '@actllm/core';
import { initParameters } from '@actllm/graph';
import {
  REFERENCE,
  decoderFeeds,
  kvDecoder,
  loadCompared,
  parseArgs,
  percentile,
} from './models.mjs';
import '../dist/index.js';

const args = parseArgs(process.argv.slice(2));
const repeat = Number(args.repeat ?? 5);
const threads = Number(args.threads ?? 0);
const PREFILL = 128;
const DECODE = 32;
const graph = kvDecoder(REFERENCE, PREFILL + DECODE);
const weights = initParameters(graph, 0);
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
  let out = await session.run(decoderFeeds(REFERENCE, prompt, 0));
  const prefill = performance.now() - t0;
  const decode = [];
  const tokens = [];
  for (let i = 0; i < DECODE; i++) {
    const token = argmaxLast(out.logits);
    tokens.push(token);
    t0 = performance.now();
    out = await session.run(decoderFeeds(REFERENCE, [token], PREFILL + i, out));
    decode.push(performance.now() - t0);
  }
  return { prefill, decode, tokens, last: out };
}

/**
 * The cache is right when the last decode step's logits equal those of one uncached pass
 * over the whole sequence (prompt and generated tokens) through the same graph.
 */
async function kvCheck(session, tokens, last) {
  const full = await session.run(decoderFeeds(REFERENCE, [...prompt, ...tokens], 0));
  const v = REFERENCE.vocab;
  const want = full.logits.data.subarray(full.logits.data.length - v);
  const got = last.logits.data;
  let worst = 0;
  for (let i = 0; i < v; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst;
}

async function latency(backend, options, count) {
  const session = await backend.createSession(graph, weights, options);
  const warm = await sequence(session);
  const kvMaxError = await kvCheck(session, warm.tokens, warm.last);
  const prefill = [];
  const decode = [];
  const totals = [];
  let tokens;
  for (let r = 0; r < count; r++) {
    const s = await sequence(session);
    prefill.push(s.prefill);
    decode.push(...s.decode);
    totals.push(s.prefill + s.decode.reduce((a, b) => a + b, 0));
    tokens = s.tokens;
  }
  await session.dispose();
  const stats = (xs) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95) });
  return {
    sequences: count,
    prefill_ms: stats(prefill),
    decode_step_ms: stats(decode),
    sequence_ms: stats(totals),
    kv_cache_max_abs_error: kvMaxError,
    tokens,
  };
}

const result = {
  benchmark: 'inference',
  config: { ...REFERENCE, batch: 1, prefill: PREFILL, decode_steps: DECODE },
  threads: threads === 0 ? 'onnxruntime default' : threads,
  backends: {},
};
const onnx = (await resolveBackend({ names: ['onnx'] })).backend;
result.backends.onnx = await latency(onnx, { threads }, repeat);
if (typeof args.compare === 'string') {
  const other = await loadCompared(args.compare, listBackends);
  if (other.name === undefined) result.backends[args.compare] = { skipped: other.reason };
  else {
    const device = String(args['compare-device'] ?? 'wasm');
    const warnings = [];
    const backend = (await resolveBackend({ names: [other.name] })).backend;
    const r = await latency(
      backend,
      { device, logger: { warn: (m) => warnings.push(m) } },
      Number(args['compare-repeat'] ?? 2),
    );
    const ratio = r.sequence_ms.p50 / result.backends.onnx.sequence_ms.p50;
    result.backends[other.name] = {
      ...r,
      device,
      warnings,
      onnx_speedup_p50: ratio,
      same_tokens: r.tokens.join() === result.backends.onnx.tokens.join(),
    };
  }
}
for (const b of Object.values(result.backends)) if (b.tokens) b.tokens = b.tokens.length;
console.log(JSON.stringify(result, null, 2));
