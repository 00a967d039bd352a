import { Rng, createTensor, isActllmError, type Tensor } from '@actllm/core';
import { createSession, initParameters, kvNames, referenceBackend, run } from '@actllm/graph';
import { encoderNames, tokensPerView } from '@actllm/encoder';
import { describe, expect, it } from 'vitest';
import {
  DECODER_NAMES,
  KvTokenModel,
  POLICY_NAMES,
  buildDecoderGraph,
  buildPolicyGraph,
  buildVisualGraph,
  presetConfig,
  validatePolicyConfig,
  type PolicyConfig,
} from '../src/index.js';

const config = presetConfig('tiny', 30, { ac: 0 });
const base = config;
const SEQ = 30;
const VIEWS = ['top', 'front'] as const;

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

/** `tiny` with its top view grounded in ten x and ten y tokens, and the given model. */
function groundedConfig(lm: PolicyConfig['lm']): PolicyConfig {
  const ids = (from: number) => Array.from({ length: 10 }, (_, i) => from + i);
  return validatePolicyConfig({
    ...base,
    lm,
    inverseDynamics: { ...base.inverseDynamics, bins: 10 },
    grounding: { view: 'top', xTokens: ids(10), yTokens: ids(20) },
  });
}

/** Per view, the row each of `n` positions takes from `start` on (count rows), and the mask. */
function splice(view: string, n: number, start: number, count: number): Record<string, Tensor> {
  const index = new Array<number>(n).fill(0);
  const mask = new Float32Array(n);
  for (let j = 0; j < count; j++) {
    index[start + j] = j;
    mask[start + j] = 1;
  }
  return {
    [POLICY_NAMES.visualIndex(view)]: int64([1, n], index),
    [POLICY_NAMES.visualMask(view)]: createTensor('float32', [1, n], mask),
  };
}

describe('the KV-cache decoder', () => {
  it('takes per view its rows, the row each new position takes and a mask', () => {
    const dec = buildDecoderGraph(config);
    const input = (name: string) => dec.inputs.find((i) => i.name === name);
    for (const view of VIEWS) {
      expect(input(DECODER_NAMES.visual(view))).toMatchObject({
        dtype: 'float32',
        shape: [`rows.${view}`, config.lm.dModel],
      });
      expect(input(POLICY_NAMES.visualIndex(view))).toMatchObject({
        dtype: 'int64',
        shape: ['batch', 'new'],
      });
      expect(input(POLICY_NAMES.visualMask(view))?.shape).toEqual(['batch', 'new']);
    }
    expect(input('placement')).toBeUndefined();
  });

  it.each([
    { rotary: false, copy: false },
    { rotary: true, copy: false },
    { rotary: true, copy: true },
    { rotary: true, copy: true, grounded: true },
  ])(
    'gives the training graph logits, prefill then one token at a time (%o)',
    ({ rotary, copy, grounded }) => {
      const config = grounded
        ? groundedConfig({ ...base.lm, rotary, copy })
        : { ...base, lm: { ...base.lm, rotary, copy } };
      const train = buildPolicyGraph(config);
      const weights = initParameters(train, 9);
      const perView = tokensPerView(config.encoder);
      const rng = new Rng(1);
      const images = Object.fromEntries(
        Object.entries(config.encoder.views).map(([v, s]) => [
          v,
          pixels(rng, [1, s.height, s.width, 3]),
        ]),
      );
      const tokens = Array.from({ length: SEQ }, (_, i) => (i * 7 + 3) % 30);
      // Visual tokens at positions 2 .. 18 (top), then 18 .. 26 (front).
      const starts = { top: 2, front: 2 + (perView.top as number) };
      const feeds: Record<string, Tensor> = {
        [POLICY_NAMES.ids]: int64([1, SEQ], tokens),
        [POLICY_NAMES.positions]: int64([SEQ], [...Array(SEQ).keys()]),
        [POLICY_NAMES.targets]: int64([1, SEQ], tokens),
        [POLICY_NAMES.mask('scene')]: createTensor(
          'float32',
          [1, SEQ],
          new Float32Array(SEQ).fill(1),
        ),
        [POLICY_NAMES.mask('next')]: createTensor(
          'float32',
          [1, SEQ],
          new Float32Array(SEQ).fill(1),
        ),
        [POLICY_NAMES.mask('act')]: createTensor(
          'float32',
          [1, SEQ],
          new Float32Array(SEQ).fill(1),
        ),
      };
      for (const v of VIEWS) {
        feeds[POLICY_NAMES.pixels(v)] = images[v] as Tensor;
        Object.assign(feeds, splice(v, SEQ, starts[v], perView[v] as number));
      }
      if (grounded) {
        const cells = perView.top as number;
        feeds['cells.targets'] = int64([1, cells, 5], new Array<number>(cells * 5).fill(0));
      }
      const full = run(train, { ...feeds, ...weights }).logits!;

      // Each view's visual graph on its own, then the decoder over the same sequence.
      const encoded = Object.assign(
        {},
        ...VIEWS.map((v) =>
          run(buildVisualGraph(config, v), { [encoderNames(v).pixels]: images[v]!, ...weights }),
        ),
      ) as Record<string, Tensor>;
      const d = config.lm.dModel;
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
        const f: Record<string, Tensor> = {
          [POLICY_NAMES.ids]: int64([1, n], tokens.slice(from, to)),
          [POLICY_NAMES.positions]: int64(
            [n],
            Array.from({ length: n }, (_, i) => from + i),
          ),
          [DECODER_NAMES.mask]: createTensor('bool', [1, 1, n, to], mask),
        };
        for (const v of VIEWS) {
          const count = perView[v] as number;
          // The view's tokens as rows, or the one zero row of a chunk without its image.
          const tokensOf = encoded[encoderNames(v).tokens]!;
          f[DECODER_NAMES.visual(v)] = withImages
            ? createTensor('float32', [count, d], tokensOf.data as Float32Array)
            : createTensor('float32', [1, d]);
          Object.assign(f, splice(v, n, starts[v] - from, withImages ? count : 0));
        }
        for (let l = 0; l < config.lm.layers; l++) {
          const k = kvNames(l);
          f[k.pastKey] = cache?.[k.presentKey] ?? empty;
          f[k.pastValue] = cache?.[k.presentValue] ?? empty;
        }
        if (copy) {
          // The copy head: the token before each new position, and its own cache.
          const before = Array.from({ length: n }, (_, i) => tokens[Math.max(0, from + i - 1)]!);
          f[DECODER_NAMES.previous] = int64([1, n], before);
          const k = kvNames(config.lm.layers);
          f[k.pastKey] = cache?.[k.presentKey] ?? createTensor('float32', [1, 1, 0, d]);
          f[k.pastValue] = cache?.[k.presentValue] ?? createTensor('int64', [1, 1, 0, 1]);
        }
        return run(dec, { ...f, ...weights });
      };
      const prefill = starts.front + (perView.front as number) + 1;
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
      expect(train.parameters.some((x) => x.name === 'wpe')).toBe(!rotary);
      expect(train.parameters.some((x) => x.name === 'copy.gate.w')).toBe(copy);
    },
  );
});

describe('KvTokenModel', () => {
  it.each([false, true])(
    'runs the decoder through a session, keeps its cache, and truncates it for prefix reuse (copy head: %s)',
    async (copy) => {
      const config = { ...base, lm: { ...base.lm, copy } };
      const dec = buildDecoderGraph(config);
      const weights = initParameters(buildPolicyGraph(config), 9);
      const session = await createSession(dec, weights, { backend: referenceBackend });
      const d = config.lm.dModel;
      const rng = new Rng(4);
      const visual = Float32Array.from({ length: 3 * d }, () => rng.float(-1, 1));
      const tokens = [1, 2, 3, 4, 5, 6, 7, 8];

      const whole = new KvTokenModel(session, config);
      const all = await whole.append(tokens, [{ view: 'top', start: 1, tokens: visual }]);
      expect(whole.length).toBe(8);

      const split = new KvTokenModel(session, config);
      await split.append(tokens.slice(0, 5), [{ view: 'top', start: 1, tokens: visual }]);
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
        split.append([1], [{ view: 'top', start: 0, tokens: new Float32Array(d * 2) }]),
      ).rejects.toSatisfy((e) => isActllmError(e, 'POLICY_INVALID_BATCH'));
      await session.dispose();
    },
  );

  it('splices each view from its own rows: spans of both views in one chunk or in two', async () => {
    const dec = buildDecoderGraph(config);
    const weights = initParameters(buildPolicyGraph(config), 9);
    const session = await createSession(dec, weights, { backend: referenceBackend });
    const d = config.lm.dModel;
    const rng = new Rng(5);
    const top = Float32Array.from({ length: 2 * d }, () => rng.float(-1, 1));
    const front = Float32Array.from({ length: 2 * d }, () => rng.float(-1, 1));
    const more = Float32Array.from({ length: d }, () => rng.float(-1, 1));
    const tokens = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const spans = [
      { view: 'top', start: 1, tokens: top },
      { view: 'front', start: 4, tokens: front },
      { view: 'top', start: 7, tokens: more },
    ];

    const one = new KvTokenModel(session, config);
    const all = await one.append(tokens, spans);
    const two = new KvTokenModel(session, config);
    const parts = [
      ...(await two.append(tokens.slice(0, 4), [spans[0]!])),
      ...(await two.append(tokens.slice(4), [
        { ...spans[1]!, start: 0 },
        { ...spans[2]!, start: 3 },
      ])),
    ];
    parts.forEach((row, i) =>
      expect(Array.from(row)).toEqual(
        Array.from(all[i]!).map((v): unknown => expect.closeTo(v, 4)),
      ),
    );
    // Without the front span (its view then gets one zero row, masked), the positions
    // before it keep their logits and the later ones change.
    const noFront = await new KvTokenModel(session, config).append(tokens, [spans[0]!, spans[2]!]);
    expect(Array.from(noFront[3]!)).toEqual(Array.from(all[3]!));
    expect(Array.from(noFront[4]!)).not.toEqual(Array.from(all[4]!));
    await session.dispose();
  });
});
