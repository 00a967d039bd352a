import { Rng, createTensor, isActllmError, type Tensor } from '@actllm/core';
import { createSession, initParameters, kvNames, referenceBackend, run } from '@actllm/graph';
import { encoderNames, visionEncoder } from '@actllm/encoder';
import { describe, expect, it } from 'vitest';
import {
  DECODER_NAMES,
  KvTokenModel,
  POLICY_NAMES,
  buildDecoderGraph,
  buildPolicyGraph,
  presetConfig,
  slotLayout,
} from '../src/index.js';

const config = presetConfig('tiny', 30, { ac: 0 });
const SEQ = 30;

function pixels(rng: Rng, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return createTensor(
    'float32',
    shape,
    Float32Array.from({ length: n }, () => rng.float(-1, 1)),
  );
}

function int64(shape: number[], values: number[]): Tensor {
  return createTensor('int64', shape, BigInt64Array.from(values, BigInt));
}

/** Rows `[from, to)` of a [1, n, vocab] tensor, as plain numbers. */
function rows(t: Tensor, from: number, to: number): number[] {
  const v = t.shape[2] as number;
  return Array.from((t.data as Float32Array).subarray(from * v, to * v));
}

describe('the KV-cache decoder', () => {
  it('gives the training graph logits, prefill then one token at a time', () => {
    const train = buildPolicyGraph(config, { imagesPerView: 1 });
    const weights = initParameters(train, 9);
    const layout = slotLayout(config, 1);
    const rng = new Rng(1);
    const images = Object.fromEntries(
      Object.entries(config.encoder.views).map(([v, s]) => [
        v,
        pixels(rng, [1, s.height, s.width, 3]),
      ]),
    );
    const tokens = Array.from({ length: SEQ }, (_, i) => (i * 7 + 3) % 30);
    // Visual tokens at positions 2 .. 2 + slots.
    const placement = new Float32Array(SEQ * layout.slots);
    for (let s = 0; s < layout.slots; s++) placement[(2 + s) * layout.slots + s] = 1;
    const feeds: Record<string, Tensor> = {
      [POLICY_NAMES.ids]: int64([1, SEQ], tokens),
      [POLICY_NAMES.positions]: int64([SEQ], [...Array(SEQ).keys()]),
      [POLICY_NAMES.placement]: createTensor('float32', [1, SEQ, layout.slots], placement),
      [POLICY_NAMES.targets]: int64([1, SEQ], tokens),
      [POLICY_NAMES.mask('scene')]: createTensor(
        'float32',
        [1, SEQ],
        new Float32Array(SEQ).fill(1),
      ),
      [POLICY_NAMES.mask('next')]: createTensor('float32', [1, SEQ], new Float32Array(SEQ).fill(1)),
      [POLICY_NAMES.mask('act')]: createTensor('float32', [1, SEQ], new Float32Array(SEQ).fill(1)),
    };
    for (const [v, t] of Object.entries(images)) {
      feeds[POLICY_NAMES.pixels(v)] = createTensor(
        'float32',
        [1, 1, ...t.shape.slice(1)],
        t.data as Float32Array,
      );
    }
    const full = run(train, { ...feeds, ...weights }).logits!;

    // The encoder graph on its own, then the decoder over the same sequence.
    const encoder = visionEncoder(config.encoder);
    const encoded = run(encoder, {
      ...Object.fromEntries(Object.entries(images).map(([v, t]) => [encoderNames(v).pixels, t])),
      ...weights,
    });
    const d = config.lm.dModel;
    const visual = createTensor(
      'float32',
      [1, layout.slots, d],
      Float32Array.from([
        ...(encoded['tokens.top']!.data as Float32Array),
        ...(encoded['tokens.front']!.data as Float32Array),
      ]),
    );
    const dec = buildDecoderGraph(config);
    const dh = d / config.lm.heads;
    const empty = createTensor('float32', [1, config.lm.heads, 0, dh]);
    const step = (
      from: number,
      to: number,
      cache: Record<string, Tensor> | undefined,
      withImages: boolean,
    ) => {
      const n = to - from;
      const mask = new Uint8Array(n * to);
      for (let i = 0; i < n; i++) mask.fill(1, i * to, i * to + from + i + 1);
      const slots = withImages ? layout.slots : 0;
      const place = new Float32Array(n * slots);
      if (withImages)
        for (let i = 0; i < n * slots; i++) place[i] = placement[from * slots + i] as number;
      const f: Record<string, Tensor> = {
        [POLICY_NAMES.ids]: int64([1, n], tokens.slice(from, to)),
        [POLICY_NAMES.positions]: int64(
          [n],
          Array.from({ length: n }, (_, i) => from + i),
        ),
        [DECODER_NAMES.mask]: createTensor('bool', [1, 1, n, to], mask),
        [POLICY_NAMES.placement]: createTensor('float32', [1, n, slots], place),
        [DECODER_NAMES.visual]: withImages ? visual : createTensor('float32', [1, 0, d]),
      };
      for (let l = 0; l < config.lm.layers; l++) {
        const k = kvNames(l);
        f[k.pastKey] = cache?.[k.presentKey] ?? empty;
        f[k.pastValue] = cache?.[k.presentValue] ?? empty;
      }
      return run(dec, { ...f, ...weights });
    };
    const prefill = 2 + layout.slots + 1;
    let out = step(0, prefill, undefined, true);
    expect(rows(out.logits!, 0, prefill)).toEqual(
      rows(full, 0, prefill).map((v): unknown => expect.closeTo(v, 4)),
    );
    for (let p = prefill; p < SEQ; p++) {
      out = step(p, p + 1, out, false);
      expect(rows(out.logits!, 0, 1)).toEqual(
        rows(full, p, p + 1).map((v): unknown => expect.closeTo(v, 4)),
      );
    }
  });
});

describe('KvTokenModel', () => {
  it('runs the decoder through a session, keeps its cache, and truncates it for prefix reuse', async () => {
    const dec = buildDecoderGraph(config);
    const weights = initParameters(buildPolicyGraph(config, { imagesPerView: 1 }), 9);
    const session = await createSession(dec, weights, { backend: referenceBackend });
    const d = config.lm.dModel;
    const rng = new Rng(4);
    const visual = Float32Array.from({ length: 3 * d }, () => rng.float(-1, 1));
    const tokens = [1, 2, 3, 4, 5, 6, 7, 8];

    const whole = new KvTokenModel(session, config);
    const all = await whole.append(tokens, [{ start: 1, tokens: visual }]);
    expect(whole.length).toBe(8);

    const split = new KvTokenModel(session, config);
    await split.append(tokens.slice(0, 5), [{ start: 1, tokens: visual }]);
    const rest = [...(await split.append([6])), ...(await split.append([7, 8]))];
    rest.forEach((row, i) =>
      expect(Array.from(row)).toEqual(
        Array.from(all[5 + i]!).map((v): unknown => expect.closeTo(v, 4)),
      ),
    );

    // Drop the last three positions and run them again: the same logits.
    split.truncate(5);
    expect(split.length).toBe(5);
    const again = await split.append([6, 7, 8]);
    again.forEach((row, i) =>
      expect(Array.from(row)).toEqual(
        Array.from(rest[i]!).map((v): unknown => expect.closeTo(v, 4)),
      ),
    );
    expect(() => split.truncate(9)).toThrow(
      expect.objectContaining({ code: 'POLICY_INVALID_OPTION' }),
    );
    await expect(
      split.append([1], [{ start: 0, tokens: new Float32Array(d * 2) }]),
    ).rejects.toSatisfy((e) => isActllmError(e, 'POLICY_INVALID_BATCH'));
    await session.dispose();
  });
});
