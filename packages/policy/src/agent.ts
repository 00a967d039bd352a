import {
  Rng,
  type Action,
  type Agent,
  type Image,
  type Instruction,
  type Observation,
  type ObjectState,
  type Tensor,
  type TensorMap,
  type ViewName,
} from '@actllm/core';
import { createSession, type GraphSession, type GraphSessionOptions } from '@actllm/graph';
import { inferAction, toCompact, type SceneDescriptor } from '@actllm/descriptor';
import {
  appendTurn,
  assistantTurn,
  buildAssistantGrammar,
  conversation,
  fromInstruction,
  parseAssistantText,
  renderConversation,
  systemTurn,
  userTurn,
  type AssistantGrammar,
  type Conversation,
  type RenderedConversation,
  type Tokenizer,
} from '@actllm/dialogue';
import { encoderNames, imagesToTensor, tokensPerView } from '@actllm/encoder';
import { POLICY_NAMES, buildVisualGraph, hasLanguageModel } from './model.js';
import {
  CELL_FIELDS,
  hasCellLoss,
  sceneFromCells,
  type CellField,
  type CellLogits,
  type CellReadingOptions,
} from './cells.js';
import type { GroundingConfig, PolicyConfig } from './config.js';
import { buildDecoderGraph } from './decoder.js';
import { decodeTurn, type DecodeResult } from './decode.js';
import { KvTokenModel, type VisualSpan } from './kv-model.js';
import { PolicyError } from './errors.js';
import { shrinkInstruction, shrinkViews } from './batch.js';
import { describeAssets } from './assets.js';

/**
 * How a disagreement between the action the model wrote and the transition it predicted
 * (`inferAction(scene, next)`) is resolved: keep the action, take the action the transition
 * implies, or sample the turn again (seeded) up to `maxResamples` times, keeping the first
 * consistent one.
 */
export type ConsistencyRule = 'trust_action' | 'trust_transition' | 'resample';

export type ConsistencyOutcome =
  'agreed' | 'kept_action' | 'used_transition' | 'resampled' | 'no_transition';

/**
 * The longest assistant turn the agent reserves context for: two scenes of at most
 * `maxObjects` objects (about 10 tokens each), the action and the markers.
 */
export function turnBudget(maxObjects: number): number {
  return 2 * (maxObjects * 10 + 3) + 16;
}

/**
 * The most objects per predicted scene (at most `wanted`, default 12) whose turn fits in
 * half of a model of `maxLength` positions: the agent's default `maxObjects`.
 */
export function maxObjectsFor(maxLength: number, wanted = 12): number {
  let n = Math.max(1, wanted);
  while (n > 1 && turnBudget(n) >= maxLength / 2) n--;
  return n;
}

export interface AgentOptions {
  /** Shape and colour names the scenes may use (the output grammar). */
  readonly shapes: Iterable<string>;
  readonly colors: Iterable<string>;
  /** User turns that keep their images (default 1), as in training. */
  readonly imageTurns?: number;
  /**
   * Keep earlier turns in the conversation (default true). `false` is the no-history
   * ablation: each step sees the instruction and the current views only, as a model
   * trained with `stepSamples(..., { history: false })`.
   */
  readonly history?: boolean;
  /** At most this many objects per predicted scene (default 12, fewer when the model is short: `maxObjectsFor`); bounds a turn's length. */
  readonly maxObjects?: number;
  readonly rule?: ConsistencyRule;
  readonly maxResamples?: number;
  /** Seeds resampling. */
  readonly seed?: number;
  /** Reuse the KV cache of the unchanged prefix from one step to the next (default true). */
  readonly reusePrefix?: boolean;
  /** Append tokens the grammar forces as one chunk (default true). */
  readonly forcedChunks?: boolean;
  /** Verify drafts copied from the conversation in one pass (default true; greedy only). */
  readonly drafts?: boolean;
  /**
   * Where each turn's `scene` comes from (the observation model): `'cells'` reads it from the
   * grounded view's per-cell heads (`sceneFromCells`) and the decoder writes `next` and the
   * action after it; `'decoder'` (default) has the language model write the scene too; a
   * function is an external observation model (the simulator's truth gives an upper bound).
   */
  readonly observer?: Observer;
  /**
   * Write the instruction's prompt assets out as what the observer reads in them (default
   * false), for a model trained on `stepSamples(..., { describeAssets: true })`. Needs the
   * `'cells'` observer or a function.
   */
  readonly describeAssets?: boolean;
  /** Where the encoder and decoder run (graph's front door options). */
  readonly session?: GraphSessionOptions;
}

/** See `AgentOptions.observer`. */
export type Observer = 'cells' | 'decoder' | ((seen: Seen) => SceneDescriptor);

/** What an observer is shown: an observation, or a prompt asset. */
export interface Seen {
  readonly views: Readonly<Partial<Record<ViewName, Image>>>;
  /** The truth, where the caller has it (an external observer may read it; the agent never does). */
  readonly objects?: readonly ObjectState[];
}

/** What the encoder gives for one image: its visual tokens, and the cell heads' logits. */
interface Encoded {
  readonly tokens: Float32Array;
  readonly cells?: CellLogits;
}

/** What the agent did at one step. */
export interface StepTrace {
  readonly step: number;
  /** The assistant turn as decoded. */
  readonly text: string;
  readonly scene: SceneDescriptor;
  readonly next: SceneDescriptor;
  /** The action the model wrote, and the one returned after the consistency check. */
  readonly proposed: Action;
  readonly action: Action;
  readonly inferred?: Action;
  readonly consistency: ConsistencyOutcome;
  readonly latencyMs: number;
  /** Decoder passes, tokens the grammar forced, draft tokens kept, positions reused. */
  readonly passes: number;
  readonly forced: number;
  readonly accepted: number;
  readonly reused: number;
  readonly tokens: number;
}

/** Two actions agree when their kinds match and their poses are within `tolerance`. */
function agrees(a: Action, b: Action, tolerance: number): boolean {
  const near = (p: Action['from'], q: Action['from']) =>
    Math.abs(p.x - q.x) <= tolerance && Math.abs(p.y - q.y) <= tolerance;
  return a.kind === b.kind && near(a.from, b.from) && near(a.to, b.to);
}

/**
 * The ACTLLM policy as core's `Agent`: it keeps the conversation, renders it under the
 * history policy, decodes each assistant turn under the grammar with the KV cache of the
 * unchanged prefix reused, checks the action against the predicted transition, and
 * records a trace per step. It reads only the views and the instruction, never
 * `observation.objects`.
 */
export class ActllmAgent implements Agent {
  readonly name = 'actllm';
  readonly #config: PolicyConfig;
  readonly #tokenizer: Tokenizer;
  readonly #grammar: AssistantGrammar;
  readonly #encoders: ReadonlyMap<string, GraphSession>;
  readonly #decoder: GraphSession;
  readonly #model: KvTokenModel;
  readonly #options: Required<Omit<AgentOptions, 'shapes' | 'colors' | 'session' | 'maxObjects'>>;
  readonly #reading: CellReadingOptions;
  /** Context left to the conversation: the model's length less the longest turn. */
  readonly #context: number;
  readonly #visual = new WeakMap<Image, Encoded>();
  #rng: Rng;
  #instruction: Instruction | undefined;
  #conversation: Conversation<Image> | undefined;
  /** The system turn and instruction of the episode (the no-history base). */
  #start: Conversation<Image> | undefined;
  /** What the cache holds: the ids and, per position, the image whose tokens sit there. */
  #cachedIds: number[] = [];
  #cachedImages = new Map<number, Image>();
  #trace: StepTrace[] = [];

  private constructor(
    config: PolicyConfig,
    tokenizer: Tokenizer,
    grammar: AssistantGrammar,
    encoders: Map<string, GraphSession>,
    decoder: GraphSession,
    options: AgentOptions,
    turnBudget: number,
    reading: CellReadingOptions,
  ) {
    this.#config = config;
    this.#reading = reading;
    this.#context = config.lm.maxLength - turnBudget;
    this.#tokenizer = tokenizer;
    this.#grammar = grammar;
    this.#encoders = encoders;
    this.#decoder = decoder;
    this.#model = new KvTokenModel(decoder, config);
    this.#options = {
      imageTurns: options.imageTurns ?? 1,
      history: options.history ?? true,
      rule: options.rule ?? 'trust_action',
      maxResamples: options.maxResamples ?? 2,
      seed: options.seed ?? 0,
      reusePrefix: options.reusePrefix ?? true,
      forcedChunks: options.forcedChunks ?? true,
      drafts: options.drafts ?? true,
      observer: options.observer ?? 'decoder',
      describeAssets: options.describeAssets ?? false,
    };
    this.#rng = new Rng(this.#options.seed);
  }

  /** Loads the encoder (one session per view) and the decoder with a checkpoint's weights. */
  static async create(
    model: {
      readonly config: PolicyConfig;
      readonly tokenizer: Tokenizer;
      readonly weights: TensorMap;
    },
    options: AgentOptions,
  ): Promise<ActllmAgent> {
    const rule: unknown = options.rule ?? 'trust_action';
    if (!['trust_action', 'trust_transition', 'resample'].includes(rule as string)) {
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        `rule must be trust_action, trust_transition or resample; got ${String(rule)}.`,
      );
    }
    const { config, tokenizer, weights } = model;
    if (!hasLanguageModel(config)) {
      throw new PolicyError(
        'POLICY_INVALID_CHECKPOINT',
        'This model is a vision stage: no text loss (obs, fwd, act) was on, so it has no trained language model to act with. Train the policy from it (actllm train --init <this checkpoint>).',
      );
    }
    const observer: unknown = options.observer ?? 'decoder';
    if (typeof observer !== 'function' && observer !== 'cells' && observer !== 'decoder') {
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        `observer must be 'cells', 'decoder' or a function; got ${String(observer)}.`,
      );
    }
    if (options.describeAssets === true && observer === 'decoder') {
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        "describeAssets needs an observer that reads pictures: 'cells' or a function.",
      );
    }
    if (observer === 'cells' && !hasCellLoss(config)) {
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        "This model has no cell heads (no grounded view, or no observation loss); use observer 'decoder'.",
      );
    }
    const maxObjects = options.maxObjects ?? maxObjectsFor(config.lm.maxLength);
    const shapes = [...options.shapes];
    const colors = [...options.colors];
    const grammar = buildAssistantGrammar(tokenizer, { shapes, colors, maxObjects });
    const budget = turnBudget(maxObjects);
    if (budget >= config.lm.maxLength / 2) {
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        `maxObjects ${maxObjects} makes turns too long for a model of ${config.lm.maxLength} positions.`,
      );
    }
    const session = options.session ?? {};
    const encoders = new Map<string, GraphSession>();
    for (const view of Object.keys(config.encoder.views)) {
      encoders.set(view, await createSession(buildVisualGraph(config, view), weights, session));
    }
    const decoder = await createSession(buildDecoderGraph(config), weights, session);
    return new ActllmAgent(config, tokenizer, grammar, encoders, decoder, options, budget, {
      shapes,
      colors,
      maxObjects,
    });
  }

  /** The trace of the current episode, one entry per step. */
  get trace(): readonly StepTrace[] {
    return this.#trace;
  }

  reset(instruction: Instruction): void {
    // Only the views the encoder takes, at its sizes (once, so later steps reuse the prefix).
    this.#instruction = shrinkInstruction(instruction, this.#config);
    this.#conversation = undefined;
    this.#start = undefined;
    this.#trace = [];
    this.#rng = new Rng(this.#options.seed);
    if (!this.#options.reusePrefix) this.#forget();
  }

  async act(observation: Observation): Promise<Action> {
    if (!this.#instruction) {
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        'Call reset(instruction) before act(observation).',
      );
    }
    if (!this.#conversation) {
      const shown = this.#options.describeAssets
        ? await this.#describeAssets(this.#instruction)
        : this.#instruction;
      this.#conversation = conversation<Image>([systemTurn(), fromInstruction(shown)]);
      this.#start = this.#conversation;
    }
    const started = performance.now();
    const step = observation.step;
    const views = shrinkViews(observation.views, this.#config);
    const base = this.#options.history ? this.#conversation : (this.#start ?? this.#conversation);
    const withUser = appendTurn(base, userTurn(step, views));
    const rendered = renderConversation(withUser, this.#tokenizer, {
      imageTurns: this.#options.imageTurns,
      tokensPerImage: tokensPerView(this.#config.encoder),
      maxTokens: this.#context,
      generationPrompt: true,
    });
    if (!this.#options.reusePrefix) this.#forget();
    // The scene the observer read starts the turn; it runs in the prompt's pass.
    const prefix = await this.#observe(observation, views);
    const { reused, first } = await this.#prefill(rendered, prefix);
    const prompt = this.#model.length;
    let decoded = await this.#decode(first, 0, prefix);
    let parsed = this.#parse(decoded);
    const transition = inferAction(parsed.scene, parsed.next);
    const inferred = transition.status === 'action' ? transition.action : undefined;
    const tolerance = 2 / 100;
    let consistency: ConsistencyOutcome =
      inferred === undefined
        ? 'no_transition'
        : agrees(parsed.act, inferred, tolerance)
          ? 'agreed'
          : 'kept_action';
    let action = parsed.act;
    if (consistency === 'kept_action' && inferred) {
      if (this.#options.rule === 'trust_transition') {
        action = observation.endEffector === 'spatula' ? { ...inferred, kind: 'push' } : inferred;
        consistency = 'used_transition';
      } else if (this.#options.rule === 'resample') {
        for (let i = 0; i < this.#options.maxResamples; i++) {
          this.#rollback(prompt);
          decoded = await this.#decode(first, 1, prefix);
          const again = this.#parse(decoded);
          const t = inferAction(again.scene, again.next);
          if (t.status === 'action' && agrees(again.act, t.action, tolerance)) {
            parsed = again;
            action = again.act;
            consistency = 'resampled';
            break;
          }
        }
      }
    }
    const proposed = parsed.act;
    // The cache now also holds the decoded turn.
    for (const id of decoded.ids)
      if (this.#cachedIds.length < this.#model.length) this.#cachedIds.push(id);
    this.#conversation = appendTurn(
      withUser,
      assistantTurn(step, parsed.scene, parsed.next, action),
    );
    this.#trace.push({
      step,
      text: this.#tokenizer.decode(decoded.ids),
      scene: parsed.scene,
      next: parsed.next,
      proposed,
      action,
      ...(inferred ? { inferred } : {}),
      consistency,
      latencyMs: performance.now() - started,
      passes: decoded.passes,
      forced: decoded.forced,
      accepted: decoded.accepted,
      reused,
      tokens: decoded.ids.length,
    });
    return action;
  }

  /**
   * Runs the rendered prompt, and after it the turn's `prefix`, after the longest prefix the
   * cache already holds; `first` is the logits after the last token run.
   */
  async #prefill(
    rendered: RenderedConversation<Image>,
    prefix: readonly number[],
  ): Promise<{ reused: number; first: Float32Array }> {
    const ids = rendered.ids;
    const slotAt = new Map<number, Image>();
    for (const slot of rendered.images)
      for (let j = 0; j < slot.length; j++) slotAt.set(slot.position + j, slot.image);
    let keep = 0;
    while (
      keep < ids.length - 1 &&
      keep < this.#cachedIds.length &&
      ids[keep] === this.#cachedIds[keep] &&
      slotAt.get(keep) === this.#cachedImages.get(keep)
    ) {
      keep++;
    }
    // An image slot is never split between the cache and the new chunk.
    for (const slot of rendered.images)
      if (slot.position < keep && keep < slot.position + slot.length) keep = slot.position;
    this.#rollback(keep);
    const visual: VisualSpan[] = [];
    for (const slot of rendered.images) {
      if (slot.position < keep) continue;
      visual.push({
        view: slot.source.view,
        start: slot.position - keep,
        tokens: (await this.#encode(slot.image, slot.source.view)).tokens,
      });
    }
    const rows = await this.#model.append([...ids.slice(keep), ...prefix], visual);
    // The prefix's ids are added with the rest of the turn once it is decoded (act).
    this.#cachedIds = [...ids];
    this.#cachedImages = slotAt;
    return { reused: keep, first: rows[rows.length - 1] as Float32Array };
  }

  /** The tokens of the scene the observer read (none when the decoder writes it). */
  async #observe(observation: Observation, views: Observation['views']): Promise<number[]> {
    if (this.#options.observer === 'decoder') return [];
    const scene = await this.#read({ ...observation, views });
    return this.#tokenizer.encode(toCompact(scene, { bins: this.#config.inverseDynamics.bins }));
  }

  /** What the observer (cells or a function) reads in a picture. */
  async #read(seen: Seen): Promise<SceneDescriptor> {
    const observer = this.#options.observer;
    if (typeof observer === 'function') return observer(seen);
    const view = (this.#config.grounding as GroundingConfig).view as ViewName;
    const image = seen.views[view];
    if (!image)
      throw new PolicyError('POLICY_INVALID_BATCH', `The picture has no ${view} view to read.`);
    const { cells } = await this.#encode(image, view);
    return sceneFromCells(cells as CellLogits, this.#tokenizer, this.#config, this.#reading);
  }

  /** The instruction with its assets written out as the observer reads them. */
  async #describeAssets(instruction: Instruction): Promise<Instruction> {
    const read = new Map<string, SceneDescriptor>();
    for (const [name, asset] of Object.entries(instruction.assets ?? {}))
      read.set(name, await this.#read(asset));
    const bins = this.#config.inverseDynamics.bins;
    return describeAssets(instruction, (_, name) => read.get(name) as SceneDescriptor, bins);
  }

  async #decode(first: Float32Array, temperature: number, prefix: number[]): Promise<DecodeResult> {
    return decodeTurn(this.#model, this.#grammar, first, {
      prefix,
      temperature,
      rng: this.#rng,
      forcedChunks: this.#options.forcedChunks,
      drafts: this.#options.drafts,
      context: this.#cachedIds,
      prefixInModel: true,
      maxTokens: this.#config.lm.maxLength,
    });
  }

  #parse(decoded: DecodeResult): { scene: SceneDescriptor; next: SceneDescriptor; act: Action } {
    const parsed = parseAssistantText(this.#tokenizer.decode(decoded.ids));
    if (!parsed.ok) {
      throw new PolicyError(
        'POLICY_DECODE_FAILED',
        `The decoded turn does not parse (${parsed.part}: ${parsed.message}); the grammar and the tokenizer disagree.`,
      );
    }
    return parsed;
  }

  /** Cuts the cache (and what it is known to hold) back to `length` positions. */
  #rollback(length: number): void {
    this.#model.truncate(Math.min(length, this.#model.length));
    this.#cachedIds.length = Math.min(this.#cachedIds.length, length);
    for (const position of [...this.#cachedImages.keys()])
      if (position >= length) this.#cachedImages.delete(position);
  }

  #forget(): void {
    this.#rollback(0);
  }

  /** The encoder's output for an image, run once per image. */
  async #encode(image: Image, view: ViewName): Promise<Encoded> {
    const known = this.#visual.get(image);
    if (known) return known;
    const session = this.#encoders.get(view);
    const size = this.#config.encoder.views[view];
    if (!session || !size)
      throw new PolicyError('POLICY_INVALID_BATCH', `The encoder has no view ${view}.`);
    const names = encoderNames(view);
    const out = await session.run({ [names.pixels]: imagesToTensor([image], size) });
    const tokens = (out[names.tokens] as Tensor).data as Float32Array;
    const logits = (field: CellField) => out[POLICY_NAMES.cellLogits(field)]?.data as Float32Array;
    const cells = out[POLICY_NAMES.cellLogits('shape')]
      ? (Object.fromEntries(CELL_FIELDS.map((f) => [f, logits(f)])) as unknown as CellLogits)
      : undefined;
    const encoded: Encoded = cells ? { tokens, cells } : { tokens };
    this.#visual.set(image, encoded);
    return encoded;
  }

  async dispose(): Promise<void> {
    for (const s of this.#encoders.values()) await s.dispose();
    await this.#decoder.dispose();
  }
}
