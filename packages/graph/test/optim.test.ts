import { describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  adamw,
  buildTrainingStep,
  initParameters,
  initTrainingState,
  run,
  runTrainingStep,
} from '../src/index.js';
import { caught } from './fixtures/errors.js';
import { t, values } from './fixtures/eval.js';

/** torch.optim.AdamW, one step, in plain numbers. */
function reference(
  p: number[],
  gr: number[],
  m: number[],
  v: number[],
  step: number,
  lr: number,
  wd: number,
  scale = 1,
) {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const t1 = step + 1;
  return p.map((pi, i) => {
    const gi = (gr[i] as number) * scale;
    const mi = b1 * (m[i] as number) + (1 - b1) * gi;
    const vi = b2 * (v[i] as number) + (1 - b2) * gi * gi;
    const upd = mi / (1 - b1 ** t1) / (Math.sqrt(vi / (1 - b2 ** t1)) + eps);
    return { p: pi - lr * (upd + wd * pi), m: mi, v: vi };
  });
}

function adamGraph(clipNorm?: number) {
  const g = new GraphBuilder('adam');
  const p = g.input('p', 'float32', [2, 2]);
  const b = g.input('b', 'float32', [2]);
  const slots = ['p', 'b'].map((n) => ({
    param: g.ref(n),
    grad: g.input(`${n}.g`, 'float32', g.ref(n).shape),
    m: g.input(`${n}.m`, 'float32', g.ref(n).shape),
    v: g.input(`${n}.v`, 'float32', g.ref(n).shape),
  }));
  const u = adamw(g, slots, {
    lr: g.input('lr', 'float32', []),
    step: g.input('step', 'int64', []),
    weightDecay: 0.1,
    ...(clipNorm ? { clipNorm } : {}),
  });
  g.output(u.params[0]!, 'p1');
  g.output(u.params[1]!, 'b1');
  g.output(u.m[0]!, 'pm');
  g.output(u.v[0]!, 'pv');
  g.output(u.step, 'step1');
  g.output(u.gradNorm, 'norm');
  void p;
  void b;
  return g.build();
}

const feeds = {
  p: t([2, 2], [1, -2, 3, 0.5]),
  b: t([2], [0.1, -0.1]),
  'p.g': t([2, 2], [0.3, -0.4, 1.2, 0]),
  'b.g': t([2], [2, -1]),
  'p.m': t([2, 2], [0.1, 0, -0.2, 0.05]),
  'p.v': t([2, 2], [0.01, 0.02, 0, 0.001]),
  'b.m': t([2], [0, 0]),
  'b.v': t([2], [0, 0]),
  lr: t([], [0.01]),
  step: t([], [3], 'int64'),
};

describe('adamw', () => {
  it('matches torch.optim.AdamW with bias correction and a decay mask (matrices only)', () => {
    const out = run(adamGraph(), feeds);
    const ref = reference(
      [1, -2, 3, 0.5],
      [0.3, -0.4, 1.2, 0],
      [0.1, 0, -0.2, 0.05],
      [0.01, 0.02, 0, 0.001],
      3,
      0.01,
      0.1,
    );
    values(out['p1']!).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!.p, 6));
    values(out['pm']!).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!.m, 6));
    values(out['pv']!).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!.v, 7));
    // The bias is a vector: no weight decay.
    const bref = reference([0.1, -0.1], [2, -1], [0, 0], [0, 0], 3, 0.01, 0);
    values(out['b1']!).forEach((v, i) => expect(v).toBeCloseTo(bref[i]!.p, 6));
    expect(values(out['step1']!)).toEqual([4]);
  });

  it('clips by the global norm of all gradients', () => {
    const out = run(adamGraph(1), feeds);
    const norm = Math.sqrt(0.09 + 0.16 + 1.44 + 4 + 1);
    expect(values(out['norm']!)[0]).toBeCloseTo(norm, 5);
    const ref = reference(
      [1, -2, 3, 0.5],
      [0.3, -0.4, 1.2, 0],
      [0.1, 0, -0.2, 0.05],
      [0.01, 0.02, 0, 0.001],
      3,
      0.01,
      0.1,
      1 / norm,
    );
    values(out['p1']!).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!.p, 6));
  });

  it('validates its options', () => {
    const g = new GraphBuilder();
    const lr = g.input('lr', 'float32', [1]);
    const step = g.input('step', 'int64', []);
    expect(caught(() => adamw(g, [], { lr, step })).message).toMatch(/lr must be a float32 scalar/);
  });
});

describe('buildTrainingStep', () => {
  it('wires params, moments and step from one step to the next', () => {
    const g = new GraphBuilder('lin');
    const x = g.input('x', 'float32', ['batch', 2]);
    const y = g.input('y', 'float32', ['batch', 1]);
    const w = g.parameter('w', [2, 1], { kind: 'zeros' });
    const d = g.sub(g.matmul(x, w), y);
    g.output(g.reduceMean(g.mul(d, d), undefined, false), 'loss');
    const forward = g.build();
    const step = buildTrainingStep(forward, 'loss', ['w'], { weightDecay: 0 });
    expect(step.graph.inputs.map((i) => i.name)).toEqual([
      'x',
      'y',
      'w',
      'optim.step',
      'optim.lr',
      'w.adam_m',
      'w.adam_v',
    ]);
    expect(step.updates).toEqual({
      w: 'w.next',
      'w.adam_m': 'w.adam_m.next',
      'w.adam_v': 'w.adam_v.next',
      'optim.step': 'optim.step.next',
    });
    let state = initTrainingState(step, initParameters(forward, 0));
    const batch = { x: t([4, 2], [1, 0, 0, 1, 1, 1, 2, 1]), y: t([4, 1], [2, -1, 1, 3]) };
    const losses: number[] = [];
    for (let i = 0; i < 300; i++) {
      const r = runTrainingStep(step, state, batch, 0.05);
      losses.push(r.loss);
      state = r.state;
    }
    expect(values(state['optim.step']!)).toEqual([300]);
    expect(losses[299]).toBeLessThan(1e-4);
    expect(values(state['w']!).map((v) => Number(v.toFixed(2)))).toEqual([2, -1]);
  });
});
