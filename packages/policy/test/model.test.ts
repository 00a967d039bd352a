import { Rng, createTensor, isActllmError, type Tensor } from '@actllm/core';
import {
  buildTrainingStep,
  initParameters,
  initTrainingState,
  run,
  runTrainingStep,
} from '@actllm/graph';
import { describe, expect, it } from 'vitest';
import { POLICY_NAMES, buildPolicyGraph, presetConfig } from '../src/index.js';

const VOCAB = 40;
const SEQ = 34;
/** Where the tiny preset's visual tokens sit: a top image (16 tokens), then a front one (8). */
const TOP = 2;
const FRONT = 18;

type Config = ReturnType<typeof presetConfig>;

/**
 * A synthetic batch for the tiny preset: two text tokens, then every sample's top image at
 * positions 2..17, sample 0's front image at 18..25 (the others show none), then the segments.
 * One before/after pair per sample.
 */
function batch(config: Config, size: number, seed: number): Record<string, Tensor> {
  const rng = new Rng(seed);
  const ids = BigInt64Array.from({ length: size * SEQ }, () => BigInt(rng.int(0, VOCAB)));
  const targets = BigInt64Array.from({ length: size * SEQ }, (_, i) =>
    (i + 1) % SEQ === 0 ? -100n : BigInt((Number(ids[i + 1]) * 7) % VOCAB),
  );
  const splice = {
    top: { index: new BigInt64Array(size * SEQ), mask: new Float32Array(size * SEQ) },
    front: { index: new BigInt64Array(size * SEQ), mask: new Float32Array(size * SEQ) },
  };
  for (let b = 0; b < size; b++) {
    for (let j = 0; j < 16; j++) {
      splice.top.index[b * SEQ + TOP + j] = BigInt(b * 16 + j);
      splice.top.mask[b * SEQ + TOP + j] = 1;
    }
  }
  for (let j = 0; j < 8; j++) {
    splice.front.index[FRONT + j] = BigInt(j);
    splice.front.mask[FRONT + j] = 1;
  }
  const images = { top: size, front: 1 };
  const segment = (from: number, to: number) =>
    createTensor(
      'float32',
      [size, SEQ],
      Float32Array.from({ length: size * SEQ }, (_, i) =>
        i % SEQ >= from && i % SEQ < to ? 1 : 0,
      ),
    );
  const feeds: Record<string, Tensor> = {
    [POLICY_NAMES.ids]: createTensor('int64', [size, SEQ], ids),
    [POLICY_NAMES.positions]: createTensor(
      'int64',
      [SEQ],
      BigInt64Array.from({ length: SEQ }, (_, i) => BigInt(i)),
    ),
    [POLICY_NAMES.targets]: createTensor('int64', [size, SEQ], targets),
    [POLICY_NAMES.mask('scene')]: segment(26, 29),
    [POLICY_NAMES.mask('next')]: segment(29, 32),
    [POLICY_NAMES.mask('act')]: segment(32, 34),
    [POLICY_NAMES.actionBins]: createTensor(
      'int64',
      [size, 6],
      BigInt64Array.from({ length: size * 6 }, (_, i) =>
        BigInt(i % 3 === 2 ? rng.int(0, 24) : rng.int(0, 100)),
      ),
    ),
    [POLICY_NAMES.idmWeight]: createTensor('float32', [size], new Float32Array(size).fill(1)),
  };
  for (const [view, { height, width }] of Object.entries(config.encoder.views)) {
    const pixels = (n: number[]) =>
      createTensor(
        'float32',
        n,
        Float32Array.from({ length: n.reduce((a, c) => a * c, 1) }, () => rng.float(-1, 1)),
      );
    const v = view as keyof typeof splice;
    feeds[POLICY_NAMES.pixels(view)] = pixels([images[v], height, width, 3]);
    feeds[POLICY_NAMES.visualIndex(view)] = createTensor('int64', [size, SEQ], splice[v].index);
    feeds[POLICY_NAMES.visualMask(view)] = createTensor('float32', [size, SEQ], splice[v].mask);
    feeds[POLICY_NAMES.before(view)] = pixels([size, height, width, 3]);
    feeds[POLICY_NAMES.after(view)] = pixels([size, height, width, 3]);
  }
  return feeds;
}

function only(
  graph: { inputs: readonly { name: string }[] },
  feeds: Record<string, Tensor>,
): Record<string, Tensor> {
  return Object.fromEntries(graph.inputs.map((i) => [i.name, feeds[i.name] as Tensor]));
}

/** Rows `[from, to)` of sample 0 of a [batch, seq, vocab] tensor, as plain numbers. */
function rows(t: Tensor, from: number, to: number): number[] {
  const v = t.shape[2] as number;
  return Array.from((t.data as Float32Array).subarray(from * v, to * v));
}

const value = (out: Record<string, Tensor>, name: string) => Number(out[name]!.data[0]);

describe('the policy graph', () => {
  it('takes each view as a gather: its images, the row each position takes and a mask', () => {
    const graph = buildPolicyGraph(presetConfig('tiny', VOCAB));
    const input = (name: string) => graph.inputs.find((i) => i.name === name);
    for (const view of ['top', 'front']) {
      const pixels = input(POLICY_NAMES.pixels(view))!;
      // The image count is left to the batch.
      expect(typeof pixels.shape[0]).toBe('string');
      expect(pixels.shape.slice(1)).toEqual(view === 'top' ? [32, 32, 3] : [16, 32, 3]);
      expect(input(POLICY_NAMES.visualIndex(view))).toMatchObject({
        dtype: 'int64',
        shape: ['batch', 'seq'],
      });
      expect(input(POLICY_NAMES.visualMask(view))).toMatchObject({
        dtype: 'float32',
        shape: ['batch', 'seq'],
      });
    }
    expect(input('placement')).toBeUndefined();
    expect(input(POLICY_NAMES.idmWeight)).toMatchObject({ dtype: 'float32', shape: ['pairs'] });
    expect(input(POLICY_NAMES.actionBins)).toMatchObject({ dtype: 'int64', shape: ['pairs', 6] });
    // The inverse-dynamics head keeps 8 features per visual token of both frames.
    const shape = (n: string) => graph.parameters.find((p) => p.name === n)?.shape;
    expect(shape('idm.top.cell.w')).toEqual([2 * 32, 8]);
    expect(shape('idm.front.cell.w')).toEqual([2 * 32, 8]);
    expect(shape('idm.fc.w')).toEqual([(16 + 8) * 8, 32]);
    const wide = presetConfig('tiny', VOCAB);
    const cells = buildPolicyGraph({
      ...wide,
      inverseDynamics: { ...wide.inverseDynamics, cell: 2 },
    }).parameters.find((p) => p.name === 'idm.fc.w')?.shape;
    expect(cells).toEqual([(16 + 8) * 2, 32]);
  });

  it('computes every loss term, and their weighted sum', () => {
    const config = presetConfig('tiny', VOCAB);
    const graph = buildPolicyGraph(config);
    const out = run(graph, { ...only(graph, batch(config, 2, 1)), ...initParameters(graph, 1) });
    for (const t of ['obs', 'fwd', 'act', 'ac'] as const)
      expect(value(out, POLICY_NAMES.term(t))).toBeGreaterThan(0);
    const w = config.losses;
    const sum =
      w.obs * value(out, 'loss.obs') +
      w.fwd * value(out, 'loss.fwd') +
      w.act * value(out, 'loss.act') +
      w.ac * value(out, 'loss.ac');
    expect(value(out, POLICY_NAMES.loss)).toBeCloseTo(sum, 4);
    expect(out[POLICY_NAMES.logits]!.shape).toEqual([2, SEQ, VOCAB]);
  });

  it('leaves a term out of the graph, with its inputs, when its weight is 0', () => {
    const noAc = buildPolicyGraph(presetConfig('tiny', VOCAB, { ac: 0 }));
    const names = noAc.inputs.map((i) => i.name);
    expect(names.some((n) => n.startsWith('idm.'))).toBe(false);
    expect(noAc.parameters.some((p) => p.name.startsWith('idm.'))).toBe(false);
    expect(noAc.outputs.map((o) => o.name)).not.toContain('loss.ac');
    const actOnly = buildPolicyGraph(presetConfig('tiny', VOCAB, { obs: 0, fwd: 0, ac: 0 }));
    expect(actOnly.inputs.map((i) => i.name)).not.toContain('mask.scene');
  });

  it('visual tokens reach the logits only at positions that hold them', () => {
    const config = presetConfig('tiny', VOCAB, { ac: 0 });
    const graph = buildPolicyGraph(config);
    const weights = initParameters(graph, 2);
    const feeds = only(graph, batch(config, 1, 3));
    const zero = (view: string) => {
      const name = POLICY_NAMES.visualMask(view);
      return { [name]: createTensor('float32', feeds[name]!.shape, new Float32Array(SEQ)) };
    };
    const logits = (f: Record<string, Tensor>) => run(graph, { ...f, ...weights }).logits!;
    const a = logits(feeds);
    const noImages = logits({ ...feeds, ...zero('top'), ...zero('front') });
    const noFront = logits({ ...feeds, ...zero('front') });
    // Before the first visual token, nothing changes; from it on, the logits do.
    expect(rows(noImages, 0, TOP)).toEqual(rows(a, 0, TOP));
    expect(rows(noImages, TOP, SEQ)).not.toEqual(rows(a, TOP, SEQ));
    // Without the front image, only the positions from the front slot on change.
    expect(rows(noFront, 0, FRONT)).toEqual(rows(a, 0, FRONT));
    expect(rows(noFront, FRONT, SEQ)).not.toEqual(rows(a, FRONT, SEQ));
    // Another front image changes the same positions.
    const { height, width } = config.encoder.views.front!;
    const other = createTensor(
      'float32',
      [1, height, width, 3],
      new Float32Array(height * width * 3).fill(0.5),
    );
    const swapped = logits({ ...feeds, [POLICY_NAMES.pixels('front')]: other });
    expect(rows(swapped, 0, FRONT)).toEqual(rows(a, 0, FRONT));
    expect(rows(swapped, FRONT, SEQ)).not.toEqual(rows(a, FRONT, SEQ));
  });

  it('runs one graph for any image count: a row no position takes changes nothing', () => {
    const config = presetConfig('tiny', VOCAB, { ac: 0 });
    const graph = buildPolicyGraph(config);
    const weights = initParameters(graph, 2);
    const feeds = only(graph, batch(config, 1, 3));
    const top = feeds[POLICY_NAMES.pixels('top')]!;
    // The view's image, then one more that no position takes.
    const data = new Float32Array(2 * top.data.length).fill(0.25);
    data.set(top.data as Float32Array);
    const twice = createTensor('float32', [2, ...top.shape.slice(1)], data);
    const a = run(graph, { ...feeds, ...weights });
    const b = run(graph, { ...feeds, [POLICY_NAMES.pixels('top')]: twice, ...weights });
    expect(Array.from(b.logits!.data as Float32Array)).toEqual(
      Array.from(a.logits!.data as Float32Array).map((v): unknown => expect.closeTo(v, 5)),
    );
  });

  it('weighs each inverse-dynamics pair: a pair of weight 0 does not count', () => {
    const config = presetConfig('tiny', VOCAB);
    const graph = buildPolicyGraph(config);
    const weights = initParameters(graph, 6);
    const feeds = only(graph, batch(config, 2, 7));
    const ac = (f: Record<string, Tensor>) =>
      value(run(graph, { ...f, ...weights }), POLICY_NAMES.term('ac'));
    const weight = (w: number[]) => ({
      [POLICY_NAMES.idmWeight]: createTensor('float32', [2], Float32Array.from(w)),
    });
    // The second pair's frames changed: only a loss that counts it changes.
    const name = POLICY_NAMES.after('top');
    const after = feeds[name]!;
    const changed = Float32Array.from(after.data as Float32Array);
    changed.fill(0.75, changed.length / 2);
    const moved = { ...feeds, [name]: createTensor('float32', after.shape, changed) };
    expect(ac({ ...moved, ...weight([1, 0]) })).toBeCloseTo(ac({ ...feeds, ...weight([1, 0]) }), 6);
    expect(ac({ ...moved, ...weight([1, 1]) })).not.toBeCloseTo(
      ac({ ...feeds, ...weight([1, 1]) }),
      6,
    );
    // The weighted mean: both pairs at weight 1 average the single-pair losses.
    const mean = (ac({ ...feeds, ...weight([1, 0]) }) + ac({ ...feeds, ...weight([0, 1]) })) / 2;
    expect(ac({ ...feeds, ...weight([1, 1]) })).toBeCloseTo(mean, 5);
    // No pair counts: the term is 0, not NaN.
    expect(ac({ ...feeds, ...weight([0, 0]) })).toBe(0);
  });

  it('trains: one AdamW graph over all four losses, and the loss falls', () => {
    const config = presetConfig('tiny', VOCAB);
    const graph = buildPolicyGraph(config);
    const terms = ['obs', 'fwd', 'act', 'ac'].map((t) => `loss.${t}`);
    const step = buildTrainingStep(graph, POLICY_NAMES.loss, undefined, { report: terms });
    expect(step.reported).toEqual(['loss', 'optim.grad_norm', ...terms]);
    let state = initTrainingState(step, initParameters(graph, 4));
    const feeds = only(graph, batch(config, 2, 5));
    const losses: number[] = [];
    const patch = state['enc.patch.w']!.data.slice();
    for (let i = 0; i < 8; i++) {
      const r = runTrainingStep(step, state, feeds, 3e-3);
      state = r.state;
      losses.push(r.loss);
    }
    expect(losses[7]!).toBeLessThan(losses[0]! * 0.9);
    // The gradient reaches the encoder through the gather.
    expect(state['enc.patch.w']!.data).not.toEqual(patch);
  }, 60_000);

  it('refuses configurations that cannot build', () => {
    const code = (e: unknown) => isActllmError(e, 'POLICY_INVALID_CONFIG');
    expect(() => presetConfig('huge' as never, VOCAB)).toThrow(expect.toSatisfy(code));
    expect(() => presetConfig('tiny', VOCAB, { obs: 0, fwd: 0, act: 0, ac: 0 })).toThrow(
      /At least one/,
    );
    expect(() => presetConfig('tiny', VOCAB, { ac: -1 })).toThrow(/losses.ac/);
    const tiny = presetConfig('tiny', VOCAB);
    expect(() => buildPolicyGraph({ ...tiny, encoder: { ...tiny.encoder, outDim: 16 } })).toThrow(
      /outDim/,
    );
    expect(() => buildPolicyGraph({ ...tiny, encoder: { ...tiny.encoder, merge: 3 } })).toThrow(
      expect.toSatisfy(code),
    );
    expect(() =>
      buildPolicyGraph({ ...tiny, inverseDynamics: { ...tiny.inverseDynamics, cell: 0 } }),
    ).toThrow(/inverseDynamics.cell/);
    expect(() => buildPolicyGraph({ ...tiny, lm: { ...tiny.lm, rotary: 'yes' as never } })).toThrow(
      /lm.rotary must be true or false/,
    );
  });
});
