import { Rng, createTensor, isActllmError, type Tensor } from '@actllm/core';
import {
  buildTrainingStep,
  initParameters,
  initTrainingState,
  run,
  runTrainingStep,
} from '@actllm/graph';
import { describe, expect, it } from 'vitest';
import { POLICY_NAMES, buildPolicyGraph, presetConfig, slotLayout } from '../src/index.js';

const VOCAB = 40;
const SEQ = 24;
const IMAGES = 1;

/** A synthetic batch for the tiny preset: image slots at the start, segments after. */
function batch(
  config: ReturnType<typeof presetConfig>,
  size: number,
  seed: number,
): Record<string, Tensor> {
  const rng = new Rng(seed);
  const layout = slotLayout(config, IMAGES);
  const ids = BigInt64Array.from({ length: size * SEQ }, () => BigInt(rng.int(0, VOCAB)));
  const targets = BigInt64Array.from({ length: size * SEQ }, (_, i) =>
    (i + 1) % SEQ === 0 ? -100n : BigInt((Number(ids[i + 1]) * 7) % VOCAB),
  );
  const placement = new Float32Array(size * SEQ * layout.slots);
  // The first `slots` positions of each sample hold the visual tokens, in slot order.
  for (let b = 0; b < size; b++)
    for (let s = 0; s < Math.min(layout.slots, SEQ - 8); s++)
      placement[(b * SEQ + s) * layout.slots + s] = 1;
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
    [POLICY_NAMES.placement]: createTensor('float32', [size, SEQ, layout.slots], placement),
    [POLICY_NAMES.mask('scene')]: segment(16, 19),
    [POLICY_NAMES.mask('next')]: segment(19, 22),
    [POLICY_NAMES.mask('act')]: segment(22, 24),
    [POLICY_NAMES.actionBins]: createTensor(
      'int64',
      [size, 6],
      BigInt64Array.from({ length: size * 6 }, (_, i) =>
        BigInt(i % 3 === 2 ? rng.int(0, 24) : rng.int(0, 100)),
      ),
    ),
  };
  for (const [view, { height, width }] of Object.entries(config.encoder.views)) {
    const pixels = (n: number[]) =>
      createTensor(
        'float32',
        n,
        Float32Array.from({ length: n.reduce((a, c) => a * c, 1) }, () => rng.float(-1, 1)),
      );
    feeds[POLICY_NAMES.pixels(view)] = pixels([size, IMAGES, height, width, 3]);
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

describe('the policy graph', () => {
  it('lays slots out view by view, image by image', () => {
    const layout = slotLayout(presetConfig('tiny', VOCAB), 2);
    expect(layout.tokensPerView).toEqual({ top: 16, front: 8 });
    expect(layout.slots).toBe(48);
    expect([layout.offset('top', 1), layout.offset('front', 0), layout.offset('front', 1)]).toEqual(
      [16, 32, 40],
    );
  });

  it('computes every loss term, and their weighted sum', () => {
    const config = presetConfig('tiny', VOCAB);
    const graph = buildPolicyGraph(config, { imagesPerView: IMAGES });
    const out = run(graph, { ...only(graph, batch(config, 2, 1)), ...initParameters(graph, 1) });
    const v = (n: string) => Number(out[n]!.data[0]);
    for (const t of ['obs', 'fwd', 'act', 'ac'] as const)
      expect(v(POLICY_NAMES.term(t))).toBeGreaterThan(0);
    const w = config.losses;
    const sum =
      w.obs * v('loss.obs') + w.fwd * v('loss.fwd') + w.act * v('loss.act') + w.ac * v('loss.ac');
    expect(v(POLICY_NAMES.loss)).toBeCloseTo(sum, 4);
    expect(out[POLICY_NAMES.logits]!.shape).toEqual([2, SEQ, VOCAB]);
  });

  it('leaves a term out of the graph, with its inputs, when its weight is 0', () => {
    const noAc = buildPolicyGraph(presetConfig('tiny', VOCAB, { ac: 0 }), {
      imagesPerView: IMAGES,
    });
    const names = noAc.inputs.map((i) => i.name);
    expect(names.some((n) => n.startsWith('idm.'))).toBe(false);
    expect(noAc.parameters.some((p) => p.name.startsWith('idm.'))).toBe(false);
    expect(noAc.outputs.map((o) => o.name)).not.toContain('loss.ac');
    const actOnly = buildPolicyGraph(presetConfig('tiny', VOCAB, { obs: 0, fwd: 0, ac: 0 }), {
      imagesPerView: IMAGES,
    });
    expect(actOnly.inputs.map((i) => i.name)).not.toContain('mask.scene');
  });

  it('visual tokens reach the logits only at positions that hold them', () => {
    const config = presetConfig('tiny', VOCAB, { ac: 0 });
    const graph = buildPolicyGraph(config, { imagesPerView: IMAGES });
    const weights = initParameters(graph, 2);
    const feeds = only(graph, batch(config, 1, 3));
    const noImages = {
      ...feeds,
      [POLICY_NAMES.placement]: createTensor(
        'float32',
        feeds[POLICY_NAMES.placement]!.shape,
        new Float32Array(feeds[POLICY_NAMES.placement]!.data.length),
      ),
    };
    const a = run(graph, { ...feeds, ...weights }).logits!.data;
    const b = run(graph, { ...noImages, ...weights }).logits!.data;
    expect(a).not.toEqual(b);
  });

  it('trains: one AdamW graph over all four losses, and the loss falls', () => {
    const config = presetConfig('tiny', VOCAB);
    const graph = buildPolicyGraph(config, { imagesPerView: IMAGES });
    const terms = ['obs', 'fwd', 'act', 'ac'].map((t) => `loss.${t}`);
    const step = buildTrainingStep(graph, POLICY_NAMES.loss, undefined, { report: terms });
    expect(step.reported).toEqual(['loss', 'optim.grad_norm', ...terms]);
    let state = initTrainingState(step, initParameters(graph, 4));
    const feeds = only(graph, batch(config, 2, 5));
    const losses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = runTrainingStep(step, state, feeds, 3e-3);
      state = r.state;
      losses.push(r.loss);
    }
    expect(losses[7]!).toBeLessThan(losses[0]! * 0.9);
  }, 60_000);

  it('refuses configurations that cannot build', () => {
    const code = (e: unknown) => isActllmError(e, 'POLICY_INVALID_CONFIG');
    expect(() => presetConfig('huge' as never, VOCAB)).toThrow(expect.toSatisfy(code));
    expect(() => presetConfig('tiny', VOCAB, { obs: 0, fwd: 0, act: 0, ac: 0 })).toThrow(
      /At least one/,
    );
    expect(() => presetConfig('tiny', VOCAB, { ac: -1 })).toThrow(/losses.ac/);
    const tiny = presetConfig('tiny', VOCAB);
    expect(() =>
      buildPolicyGraph({ ...tiny, encoder: { ...tiny.encoder, outDim: 16 } }, { imagesPerView: 1 }),
    ).toThrow(/outDim/);
  });
});
