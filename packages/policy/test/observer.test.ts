import type { Observation } from '@actllm/core';
import { buildScene } from '@actllm/descriptor';
import { initParameters, referenceBackend } from '@actllm/graph';
import { describe, expect, it } from 'vitest';
import {
  ActllmAgent,
  CELL_FIELDS,
  POLICY_NAMES,
  PolicyTrainer,
  buildPolicyGraph,
  describeAssets,
  presetConfig,
  sceneFromCells,
  stepSamples,
  type CellLogits,
} from '../src/index.js';
import { AGENT_OPTIONS, COLORS, SHAPES, episode, observationsOf, tokenizer } from './fixtures.js';

// The observation model outside the decoder: the per-cell heads' reading, an external
// observer, prompt assets written out as descriptors, and the vision stage that trains the
// cell heads alone.

const config = presetConfig('tiny', tokenizer);
const record = episode();
const shapes = SHAPES;
const colors = COLORS;
const base = AGENT_OPTIONS;

const observations = (): Observation[] => observationsOf(record);

/** Cell logits of tiny's top view (4 x 4 cells) naming the objects given by cell, `<pad>` elsewhere. */
function logitsNaming(
  given: Readonly<Record<number, readonly [string, string, number, number]>>,
): CellLogits {
  const vocab = config.vocab;
  const cells = Array.from({ length: 16 }, (_, c) => given[c] ?? null);
  const out = Object.fromEntries(
    CELL_FIELDS.map((f) => [f, new Float32Array(cells.length * vocab)]),
  ) as unknown as Record<(typeof CELL_FIELDS)[number], Float32Array>;
  cells.forEach((cell, c) => {
    const set = (field: (typeof CELL_FIELDS)[number], token: string) => {
      out[field][c * vocab + (tokenizer.id(token) as number)] = 10;
    };
    if (cell === null) return set('shape', '<pad>');
    const [shape, color, x, y] = cell;
    set('shape', shape);
    set('color', color);
    set('x', `<x_${x}>`);
    set('y', `<y_${y}>`);
    set('theta', '<t_0>');
  });
  return out;
}

describe('sceneFromCells', () => {
  it('reads one object per occupied cell, in the descriptor order', () => {
    const scene = sceneFromCells(
      logitsNaming({ 4: ['bowl', 'green', 20, 80], 14: ['block', 'red', 70, 10] }),
      tokenizer,
      config,
      { shapes, colors, maxObjects: 3 },
    );
    expect(scene.objects.map((o) => [o.object, o.color, o.x, o.y])).toEqual([
      ['block', 'red', 0.705, 0.105],
      ['bowl', 'green', 0.205, 0.805],
    ]);
  });

  it('keeps the most certain objects when there are more than maxObjects', () => {
    const logits = logitsNaming({ 4: ['bowl', 'green', 20, 80], 14: ['block', 'red', 70, 10] });
    // The bowl's cell is less sure it holds an object.
    (logits.shape as Float32Array)[4 * config.vocab + tokenizer.padId] = 9;
    const scene = sceneFromCells(logits, tokenizer, config, { shapes, colors, maxObjects: 1 });
    expect(scene.objects.map((o) => o.object)).toEqual(['block']);
  });

  it('refuses names the tokenizer does not have', () => {
    expect(() =>
      sceneFromCells(logitsNaming({}), tokenizer, config, {
        shapes: ['dodecahedron'],
        colors,
        maxObjects: 3,
      }),
    ).toThrow(/no shape token/);
  });
});

describe('describeAssets', () => {
  it('writes each asset out as its descriptor and leaves no image', () => {
    const described = describeAssets(record.instruction, (asset) => buildScene(asset.objects), 100);
    expect(described.assets).toBeUndefined();
    expect(described.text).toBe(
      'Put the <scene_v1> <obj> block red <x_31> <y_64> <t_0> </obj> </scene> into the <scene_v1> <obj> bowl green <x_70> <y_30> <t_0> </obj> </scene> .',
    );
    expect(() =>
      describeAssets({ text: 'Put the {cup} there.' }, () => buildScene([]), 100),
    ).toThrow(/no asset "cup"/);
  });

  it('gives training samples without prompt images', () => {
    const withImages = stepSamples(record, tokenizer, config);
    const described = stepSamples(record, tokenizer, config, { describeAssets: true });
    const instructionImages = (s: (typeof withImages)[number]) =>
      s.rendered.images.filter((i) => i.source.turn === 'instruction').length;
    expect(instructionImages(withImages[0]!)).toBe(2);
    expect(instructionImages(described[0]!)).toBe(0);
    expect(described[0]!.rendered.unknownWords).toEqual([]);
  });
});

describe('ActllmAgent observers', () => {
  const weights = initParameters(buildPolicyGraph(config), 5);

  it("'cells' starts each turn with the cell heads' reading and decodes the rest", async () => {
    const agent = await ActllmAgent.create(
      { config, tokenizer, weights },
      { ...base, observer: 'cells', describeAssets: true },
    );
    agent.reset(record.instruction);
    for (const o of observations()) await agent.act(o);
    for (const t of agent.trace) {
      expect(t.text).toMatch(/^<scene_v1>.*<\/act>/);
      // The scene's tokens were given, not decoded one by one.
      expect(t.forced).toBeGreaterThanOrEqual(2 + 7 * t.scene.objects.length);
    }
    await agent.dispose();
  }, 120_000);

  it('a function observer supplies the scene (the truth: an upper bound)', async () => {
    const seen: number[] = [];
    const agent = await ActllmAgent.create(
      { config, tokenizer, weights },
      {
        ...base,
        observer: (s) => {
          seen.push(s.objects?.length ?? -1);
          return buildScene(s.objects ?? []);
        },
        describeAssets: true,
      },
    );
    agent.reset(record.instruction);
    const frames = [...record.steps.map((s) => s.observation), record.final];
    for (const [step, f] of frames.entries())
      await agent.act({
        step,
        views: f.views,
        objects: f.objects,
        instruction: record.instruction,
      });
    expect(agent.trace.map((t) => t.scene)).toEqual(frames.map((f) => buildScene(f.objects)));
    // Two assets, then three steps.
    expect(seen).toEqual([1, 1, 3, 3, 3]);
    await agent.dispose();
  }, 120_000);

  it('refuses cells without cell heads and described assets without a reader', async () => {
    const plain = presetConfig('tiny', tokenizer.size);
    const w = initParameters(buildPolicyGraph(plain), 5);
    await expect(
      ActllmAgent.create({ config: plain, tokenizer, weights: w }, { ...base, observer: 'cells' }),
    ).rejects.toThrow(/no cell heads/);
    await expect(
      ActllmAgent.create({ config, tokenizer, weights }, { ...base, describeAssets: true }),
    ).rejects.toThrow(/describeAssets needs/);
  });
});

describe('vision stage', () => {
  const vision = { ...config, losses: { obs: 0, fwd: 0, act: 0, ac: 0, cells: 1 } };

  it('has no language model in its graph', () => {
    const graph = buildPolicyGraph(vision);
    const outputs = graph.outputs.map((o) => o.name);
    expect(outputs).toContain(POLICY_NAMES.term('cells'));
    expect(outputs).not.toContain(POLICY_NAMES.logits);
    expect(graph.inputs.map((i) => i.name)).not.toContain(POLICY_NAMES.ids);
  });

  it('trains the cell heads, and a later stage starts from its weights', async () => {
    const samples = stepSamples(record, tokenizer, vision);
    const trainer = await PolicyTrainer.create(vision, tokenizer, samples, {
      steps: 30,
      batchSize: 2,
      lr: 1e-2,
      warmup: 0,
      seed: 3,
      session: { backend: referenceBackend },
    });
    const first = await trainer.trainStep();
    let last = first;
    for (let i = 1; i < 30; i++) last = await trainer.trainStep();
    expect(last.terms['cells']).toBeLessThan(first.terms['cells']! * 0.7);
    expect((await trainer.validate(samples)).loss).toEqual({});
    const learned = await trainer.weights();
    await trainer.dispose();

    const next = await PolicyTrainer.create(
      config,
      tokenizer,
      samples,
      {
        steps: 1,
        batchSize: 2,
        seed: 4,
        session: { backend: referenceBackend },
      },
      learned,
    );
    const start = await next.weights();
    expect(start['cells.shape.w']).toEqual(learned['cells.shape.w']);
    expect(start['enc.patch.w']).toEqual(learned['enc.patch.w']);
    // The language model is not in the vision stage: it starts from the seed.
    expect(start['head.w']).toBeDefined();
    expect(learned['head.w']).toBeUndefined();
    await next.dispose();
  }, 120_000);
});
