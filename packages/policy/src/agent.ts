import {
  Rng,
  type Action,
  type Agent,
  type Image,
  type Instruction,
  type Observation,
  type Tensor,
  type TensorMap,
  type ViewName,
} from '@actllm/core';
import { createSession, type GraphSession, type GraphSessionOptions } from '@actllm/graph';
import { inferAction, type SceneDescriptor } from '@actllm/descriptor';
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
import { buildVisualGraph } from './model.js';
import type { PolicyConfig } from './config.js';
import { buildDecoderGraph } from './decoder.js';
import { decodeTurn, type DecodeResult } from './decode.js';
import { KvTokenModel, type VisualSpan } from './kv-model.js';
import { PolicyError } from './errors.js';
import { shrinkInstruction, shrinkViews } from './batch.js';

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
  /** Where the encoder and decoder run (graph's front door options). */
  readonly session?: GraphSessionOptions;
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
  /** Context left to the conversation: the model's length less the longest turn. */
  readonly #context: number;
  readonly #visual = new WeakMap<Image, Float32Array>();
  #rng: Rng;
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
  ) {
    this.#config = config;
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
    const maxObjects = options.maxObjects ?? maxObjectsFor(config.lm.maxLength);
    const grammar = buildAssistantGrammar(tokenizer, {
      shapes: options.shapes,
      colors: options.colors,
      maxObjects,
    });
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
    return new ActllmAgent(config, tokenizer, grammar, encoders, decoder, options, budget);
  }

  /** The trace of the current episode, one entry per step. */
  get trace(): readonly StepTrace[] {
    return this.#trace;
  }

  reset(instruction: Instruction): void {
    // Only the views the encoder takes, at its sizes (once, so later steps reuse the prefix).
    const shown = shrinkInstruction(instruction, this.#config);
    this.#conversation = conversation<Image>([systemTurn(), fromInstruction(shown)]);
    this.#start = this.#conversation;
    this.#trace = [];
    this.#rng = new Rng(this.#options.seed);
    if (!this.#options.reusePrefix) this.#forget();
  }

  async act(observation: Observation): Promise<Action> {
    if (!this.#conversation) {
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        'Call reset(instruction) before act(observation).',
      );
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
    const { reused, first } = await this.#prefill(rendered);
    const prompt = this.#model.length;
    let decoded = await this.#decode(first, 0);
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
          decoded = await this.#decode(first, 1);
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

  /** Runs the rendered prompt after the longest prefix the cache already holds. */
  async #prefill(
    rendered: RenderedConversation<Image>,
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
        tokens: await this.#visualTokens(slot.image, slot.source.view),
      });
    }
    const rows = await this.#model.append(ids.slice(keep), visual);
    this.#cachedIds = [...ids];
    this.#cachedImages = slotAt;
    return { reused: keep, first: rows[rows.length - 1] as Float32Array };
  }

  async #decode(first: Float32Array, temperature: number): Promise<DecodeResult> {
    return decodeTurn(this.#model, this.#grammar, first, {
      temperature,
      rng: this.#rng,
      forcedChunks: this.#options.forcedChunks,
      drafts: this.#options.drafts,
      context: this.#cachedIds,
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

  async #visualTokens(image: Image, view: ViewName): Promise<Float32Array> {
    const known = this.#visual.get(image);
    if (known) return known;
    const session = this.#encoders.get(view);
    const size = this.#config.encoder.views[view];
    if (!session || !size)
      throw new PolicyError('POLICY_INVALID_BATCH', `The encoder has no view ${view}.`);
    const names = encoderNames(view);
    const out = await session.run({ [names.pixels]: imagesToTensor([image], size) });
    const tokens = (out[names.tokens] as Tensor).data as Float32Array;
    this.#visual.set(image, tokens);
    return tokens;
  }

  async dispose(): Promise<void> {
    for (const s of this.#encoders.values()) await s.dispose();
    await this.#decoder.dispose();
  }
}
