import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '@actllm/backend-onnx';
import type { Image } from '@actllm/core';
import {
  Tokenizer,
  appendTurn,
  buildAssistantGrammar,
  conversation,
  fromInstruction,
  parseAssistantText,
  renderConversation,
  systemTurn,
  userTurn,
} from '@actllm/dialogue';
import { imagesToTensor } from '@actllm/encoder';
import { createSession } from '@actllm/graph';
import {
  ActllmAgent,
  buildPolicyGraph,
  collate,
  decodeTurn,
  loadCheckpoint,
  maxObjectsFor,
  sceneSample,
  shrinkInstruction,
  shrinkViews,
  turnBudget,
  type TokenModel,
} from '@actllm/policy';
import { TabletopEnv } from '@actllm/tabletop';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sceneNames } from '../src/vocabulary.js';
import { actllm, errorLine, generateTiny, json, tempDir, trainTiny } from './helpers.js';

interface ExportConfig {
  model_type: string;
  num_hidden_layers: number;
  num_attention_heads: number;
  hidden_size: number;
  vocab_size: number;
  max_position_embeddings: number;
  image_token: string;
  image_token_index: number;
  tokens_per_image: Record<string, number>;
  vision: Record<string, { file: string; height: number; width: number; tokens: number }>;
  decoder: { file: string };
  lm: { layers: number; heads: number; dModel: number; maxLength: number };
  vocab: number;
}

/**
 * The exported decoder as a `TokenModel`, over a plain onnxruntime session: batch 1, the KV
 * cache kept between calls (present.{i} fed back as past_key_values.{i}), visual tokens
 * spliced in at `{ view, start, tokens }` spans of a chunk.
 */
class OrtDecoder implements TokenModel {
  #cache: Record<string, ort.Tensor> = {};
  /** The tokens so far: the copy head reads the one before each new position. */
  #tokens: number[] = [];
  readonly #copy: boolean;
  get length(): number {
    return this.#tokens.length;
  }
  constructor(
    readonly session: ort.InferenceSession,
    readonly config: ExportConfig,
  ) {
    const dh = config.hidden_size / config.num_attention_heads;
    const empty = (dims: number[]) => new ort.Tensor('float32', new Float32Array(0), dims);
    for (let l = 0; l < config.num_hidden_layers; l++)
      for (const kind of ['key', 'value'])
        this.#cache[`past_key_values.${l}.${kind}`] = empty([1, config.num_attention_heads, 0, dh]);
    // The copy head's cache is one more entry: keys [1, 1, past, d], and as values the
    // token ids the positions offer, int64 [1, 1, past, 1].
    this.#copy = session.inputNames.includes('previous_ids');
    const c = config.num_hidden_layers;
    if (this.#copy) {
      this.#cache[`past_key_values.${c}.key`] = empty([1, 1, 0, config.hidden_size]);
      this.#cache[`past_key_values.${c}.value`] = new ort.Tensor(
        'int64',
        new BigInt64Array(0),
        [1, 1, 0, 1],
      );
    }
  }

  async append(
    tokens: readonly number[],
    spans: readonly { view: string; start: number; tokens: Float32Array }[] = [],
  ): Promise<Float32Array[]> {
    const n = tokens.length;
    const past = this.length;
    const d = this.config.hidden_size;
    const mask = new Uint8Array(n * (past + n));
    for (let i = 0; i < n; i++) for (let j = 0; j <= past + i; j++) mask[i * (past + n) + j] = 1;
    const feeds: Record<string, ort.Tensor> = {
      ...this.#cache,
      ids: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [1, n]),
      positions: new ort.Tensor(
        'int64',
        BigInt64Array.from({ length: n }, (_, i) => BigInt(past + i)),
        [n],
      ),
      mask: new ort.Tensor('bool', mask, [1, 1, n, past + n]),
    };
    for (const view of Object.keys(this.config.vision)) {
      const mine = spans.filter((s) => s.view === view);
      const count = mine.reduce((s, v) => s + v.tokens.length / d, 0);
      const rows = new Float32Array(Math.max(1, count) * d);
      const index = new BigInt64Array(n);
      const on = new Float32Array(n);
      let row = 0;
      for (const span of mine) {
        rows.set(span.tokens, row * d);
        for (let i = 0; i < span.tokens.length / d; i++) {
          index[span.start + i] = BigInt(row + i);
          on[span.start + i] = 1;
        }
        row += span.tokens.length / d;
      }
      feeds[`visual.${view}`] = new ort.Tensor('float32', rows, [Math.max(1, count), d]);
      feeds[`visual_index.${view}`] = new ort.Tensor('int64', index, [1, n]);
      feeds[`visual_mask.${view}`] = new ort.Tensor('float32', on, [1, n]);
    }
    if (this.#copy) {
      const before = [this.#tokens[past - 1] ?? tokens[0]!, ...tokens.slice(0, -1)];
      feeds['previous_ids'] = new ort.Tensor('int64', BigInt64Array.from(before, BigInt), [1, n]);
    }
    const out = await this.session.run(feeds);
    this.#tokens.push(...tokens);
    for (let l = 0; l < this.config.num_hidden_layers + (this.#copy ? 1 : 0); l++)
      for (const kind of ['key', 'value'])
        this.#cache[`past_key_values.${l}.${kind}`] = out[`present.${l}.${kind}`] as ort.Tensor;
    const logits = (out['logits'] as ort.Tensor).data as Float32Array;
    const vocab = this.config.vocab_size;
    return Array.from({ length: n }, (_, i) => logits.slice(i * vocab, (i + 1) * vocab));
  }
}

describe('actllm export', () => {
  let dir: string;
  let ckpt: string;
  let out: string;
  beforeAll(() => {
    dir = tempDir();
    const data = join(dir, 'data');
    ckpt = join(dir, 'ckpt');
    out = join(dir, 'export');
    generateTiny(data, 'visual_manipulation', 1);
    // `tiny` has rotary positions and the copy head, as every preset: the export carries both.
    trainTiny(data, ckpt, 3, ['--scenes', '4']);
    const e = actllm(['export', '--checkpoint', ckpt, '--out', out, '--json']);
    expect(e.status, e.stderr).toBe(0);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the transformers.js layout with the fields loaders read', async () => {
    const files = readdirSync(out, { recursive: true }).map(String).sort();
    expect(files).toEqual([
      'config.json',
      'onnx',
      'onnx/decoder_model_merged.onnx',
      'onnx/vision_encoder_front.onnx',
      'onnx/vision_encoder_top.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const model = await loadCheckpoint(ckpt);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as ExportConfig;
    const { lm } = model.config;
    expect(config).toMatchObject({
      model_type: 'actllm',
      num_hidden_layers: lm.layers,
      num_attention_heads: lm.heads,
      hidden_size: lm.dModel,
      vocab_size: model.config.vocab,
      max_position_embeddings: lm.maxLength,
      image_token: '<image>',
      image_token_index: model.tokenizer.id('<image>'),
      lm,
      vocab: model.config.vocab,
    });
    expect(lm).toMatchObject({ rotary: true, copy: true });
    expect(config.vision['top']).toMatchObject({
      file: 'onnx/vision_encoder_top.onnx',
      ...model.config.encoder.views['top'],
    });
    const tokenizer = Tokenizer.fromHuggingFace(
      JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')),
    );
    expect(tokenizer.size).toBe(model.tokenizer.size);
    const tc = JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8')) as object;
    expect(tc).toMatchObject(model.tokenizer.huggingFaceConfig());
    const decoder = await ort.InferenceSession.create(join(out, config.decoder.file));
    const kv = Array.from({ length: lm.layers }, (_, l) => [
      `past_key_values.${l}.key`,
      `past_key_values.${l}.value`,
    ]).flat();
    expect(decoder.inputNames).toEqual(expect.arrayContaining(['ids', 'positions', 'mask', ...kv]));
    expect(decoder.outputNames).toEqual(
      expect.arrayContaining(['logits', ...kv.map((n) => n.replace('past_key_values', 'present'))]),
    );
    await decoder.release();
  });

  it("plain onnxruntime reproduces the agent's greedy first action", async () => {
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as ExportConfig;
    const tokenizer = Tokenizer.fromHuggingFace(
      JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')),
    );
    const env = await TabletopEnv.create({
      views: { top: { width: 32, height: 32 }, front: { width: 32, height: 32 } },
    });
    const observation = env.reset({ seed: 11, task: 'visual_manipulation', partition: 'L1' });
    env.close();
    const maxObjects = maxObjectsFor(config.max_position_embeddings);

    // The agent, as actllm eval and run build it.
    const agent = await ActllmAgent.create(await loadCheckpoint(ckpt), {
      ...sceneNames(),
      maxObjects,
      session: { backend: 'onnx' },
    });
    agent.reset(observation.instruction);
    const action = await agent.act(observation);
    const agentText = agent.trace[0]?.text;
    await agent.dispose();

    // The export alone: the prompt as the agent renders it, at the encoder's sizes.
    const model = await loadCheckpoint(ckpt);
    const instruction = shrinkInstruction(observation.instruction, model.config);
    const dialogue = appendTurn(
      conversation<Image>([systemTurn(), fromInstruction(instruction)]),
      userTurn(observation.step, shrinkViews(observation.views, model.config)),
    );
    const rendered = renderConversation(dialogue, tokenizer, {
      imageTurns: 1,
      tokensPerImage: config.tokens_per_image,
      maxTokens: config.max_position_embeddings - turnBudget(maxObjects),
      generationPrompt: true,
    });
    const vision = new Map<string, ort.InferenceSession>();
    for (const [view, v] of Object.entries(config.vision))
      vision.set(view, await ort.InferenceSession.create(join(out, v.file)));
    const spans = [];
    for (const slot of rendered.images) {
      const view = slot.source.view;
      const size = config.vision[view]!;
      const pixels = imagesToTensor([slot.image], size);
      const result = await vision.get(view)!.run({
        [`pixels.${view}`]: new ort.Tensor('float32', pixels.data, [...pixels.shape]),
      });
      const tokens = (result[`tokens.${view}`] as ort.Tensor).data as Float32Array;
      expect(tokens.length).toBe(size.tokens * config.hidden_size);
      spans.push({ view, start: slot.position, tokens });
    }
    const decoder = new OrtDecoder(
      await ort.InferenceSession.create(join(out, config.decoder.file)),
      config,
    );
    const prefill = await decoder.append(rendered.ids, spans);

    // The prompt's logits equal the training graph's (the policy's own visual tokens, the
    // grounding included) over the same first turn: the export is the model, not only its
    // greedy choice (a barely trained model picks the same tokens for many images).
    const sample = sceneSample(observation.instruction, observation, model.tokenizer, model.config);
    expect(sample.rendered.ids.slice(0, rendered.ids.length)).toEqual(rendered.ids);
    const training = await createSession(buildPolicyGraph(model.config), model.weights, {
      backend: 'onnx',
    });
    const reference = (
      await training.run(collate([sample], model.tokenizer, model.config), ['logits'])
    )['logits']!.data as Float32Array;
    await training.dispose();
    let worst = 0;
    prefill.forEach((row, i) =>
      row.forEach((v, k) => {
        const r = reference[i * config.vocab_size + k] as number;
        worst = Math.max(worst, Math.abs(v - r) / Math.max(1, Math.abs(r)));
      }),
    );
    expect(worst).toBeLessThan(1e-4);
    const grammar = buildAssistantGrammar(tokenizer, { ...sceneNames(), maxObjects });
    const decoded = await decodeTurn(decoder, grammar, prefill[prefill.length - 1]!, {
      drafts: false,
      maxTokens: config.max_position_embeddings,
    });
    const text = tokenizer.decode(decoded.ids);
    const parsed = parseAssistantText(text);
    expect(parsed.ok).toBe(true);
    expect(text).toBe(agentText);
    if (parsed.ok) expect(parsed.act).toEqual(action);
    await decoder.session.release();
    for (const s of vision.values()) await s.release();
  });

  it('refuses a missing checkpoint, a foreign folder and the checkpoint itself, writing nothing', () => {
    const target = join(dir, 'refused');
    const missing = actllm(['export', '--checkpoint', join(dir, 'nope'), '--out', target]);
    expect(missing.status).toBe(3);
    expect(errorLine(missing).code).toBe('CLI_INPUT_NOT_FOUND');
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(target)).toBe(false);
    const itself = actllm(['export', '--checkpoint', ckpt, '--out', ckpt]);
    expect(itself.status).toBe(2);
    expect(errorLine(itself).code).toBe('CLI_USAGE');
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'keep.txt'), 'x');
    const r = actllm(['export', '--checkpoint', ckpt, '--out', foreign]);
    expect(r.status).toBe(4);
    expect(errorLine(r).code).toBe('CLI_OUTPUT_NOT_WRITABLE');
    expect(readdirSync(foreign)).toEqual(['keep.txt']);
    // An earlier export is replaced whole.
    const again = json<{ files: { path: string }[] }>(
      actllm(['export', '--checkpoint', ckpt, '--out', out, '--json']),
    );
    expect(again.files.map((f) => f.path)).toContain('onnx/decoder_model_merged.onnx');
    const help = actllm(['export', '--help']);
    expect(help.stdout).toMatch(/Examples:\n {2}\$ actllm export --checkpoint/);
  });
});
