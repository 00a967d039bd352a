import { buildScene } from '@actllm/descriptor';
import {
  ActllmAgent,
  loadCheckpoint,
  maxObjectsFor,
  type AgentOptions,
  type ConsistencyRule,
  type Observer,
  type PolicyConfig,
} from '@actllm/policy';
import { ParseCountingAgent } from './agents.js';
import { BACKENDS, loadBackend, sessionOptions, type BackendName } from './backends.js';
import { choice, integer, text, views, type OptionSpec } from './config.js';
import { usage } from './errors.js';
import { requireDir } from './paths.js';
import { readTrainSettings, type TrainSettings } from './train-settings.js';
import { sceneNames } from './vocabulary.js';

/**
 * The policy of a checkpoint as the benchmark runs it: `loadCheckpoint`, then
 * `ActllmAgent.create` with the benchmark's shape and colour names, the checkpoint's history
 * policy (`actllm_train.json`) and the turn budget its context allows, behind a
 * `ParseCountingAgent` (a turn that does not decode is a refused action).
 */

export const RULES = ['trust_action', 'trust_transition', 'resample'] as const;

/**
 * Where a turn's scene comes from: the cell heads, the decoder, or the simulator's truth
 * (an upper bound that isolates perception; never a result of the policy).
 */
export const OBSERVERS = ['cells', 'decoder', 'truth'] as const;

/** Which agent a command runs: a checkpoint's policy or a baseline. */
export const AGENTS = ['actllm', 'oracle', 'random'] as const;

export const AGENT_SPECS: readonly OptionSpec[] = [
  {
    flags: '--checkpoint <dir>',
    description: 'checkpoint folder of actllm train (for --agent actllm)',
    kind: text,
  },
  {
    flags: '--agent <name>',
    description: 'actllm, oracle (upper bound) or random (lower bound)',
    kind: choice(AGENTS),
    default: 'actllm',
  },
];

/** Where a command's graphs run (train, and every command that runs a policy). */
export const BACKEND_SPECS: readonly OptionSpec[] = [
  {
    flags: '--backend <name>',
    description: 'onnx or tfjs',
    kind: choice(BACKENDS),
    default: 'onnx',
  },
  { flags: '--device <name>', description: 'cpu or cuda', kind: text },
  {
    flags: '--threads <n>',
    description: 'threads of the backend (0: its default)',
    kind: integer(0, 1024),
  },
];

/** The options of a command that runs a checkpoint's policy. */
export const POLICY_SPECS: readonly OptionSpec[] = [
  {
    flags: '--views <sizes>',
    description: "image sizes (default: the checkpoint's training data, else tabletop's)",
    kind: views,
  },
  ...BACKEND_SPECS,
  {
    flags: '--rule <rule>',
    description: 'action-consistency rule: trust_action, trust_transition or resample',
    kind: choice(RULES),
    default: 'trust_action',
  },
  {
    flags: '--observer <name>',
    description:
      "the scene's source: cells (the per-cell heads), decoder (the language model) or truth (the simulator's, an upper bound); default cells for a model trained with --describe-assets, else decoder",
    kind: choice(OBSERVERS),
  },
  {
    flags: '--max-objects <n>',
    description: 'most objects per predicted scene (default 12, less when the model is short)',
    kind: integer(1, 256),
  },
];

export interface PolicyAgent {
  /** The agent to run episodes with (decode failures counted, not thrown). */
  readonly agent: ParseCountingAgent;
  /** The policy itself, for its per-step `trace`. */
  readonly policy: ActllmAgent;
  readonly settings: TrainSettings | undefined;
  dispose(): Promise<void>;
}

/** The agent's decoding accelerations (`ActllmAgent` options), all on by default. */
export type Decoding = Pick<AgentOptions, 'reusePrefix' | 'forcedChunks' | 'drafts'>;

/**
 * Loads the checkpoint folder's policy with a command's `POLICY_SPECS` options (`decoding`:
 * the accelerations, all on by default).
 */
export async function createPolicyAgent(
  checkpoint: string,
  o: Record<string, unknown>,
  decoding: Decoding = {},
): Promise<PolicyAgent> {
  requireDir(checkpoint, '--checkpoint', 'pass the --out folder of actllm train');
  const settings = readTrainSettings(checkpoint);
  const backend = o['backend'] as BackendName;
  await loadBackend(backend);
  const model = await loadCheckpoint(checkpoint);
  const describeAssets = settings?.describeAssets === true;
  if (describeAssets && o['observer'] === 'decoder')
    throw usage(
      `${checkpoint} was trained with --describe-assets: its prompts need an observer that reads pictures; use --observer cells or truth.`,
    );
  const policy = await ActllmAgent.create(model, {
    ...sceneNames(),
    imageTurns: settings?.imageTurns ?? 1,
    history: settings?.history ?? true,
    maxObjects: maxObjectsFor(model.config.lm.maxLength, o['maxObjects'] as number | undefined),
    rule: o['rule'] as ConsistencyRule,
    observer: observerOf(
      (o['observer'] as (typeof OBSERVERS)[number] | undefined) ??
        (describeAssets ? 'cells' : 'decoder'),
      model.config,
    ),
    describeAssets,
    ...decoding,
    session: sessionOptions({
      backend,
      ...(o['device'] ? { device: o['device'] as string } : {}),
      ...(o['threads'] !== undefined ? { threads: o['threads'] as number } : {}),
    }),
  });
  return {
    agent: new ParseCountingAgent(policy),
    policy,
    settings,
    dispose: () => policy.dispose(),
  };
}

/** The agent's observer for `--observer`: truth reads the simulator's objects. */
function observerOf(name: (typeof OBSERVERS)[number], config: PolicyConfig): Observer {
  if (name !== 'truth') return name;
  const bins = config.inverseDynamics.bins;
  return (seen) => buildScene(seen.objects ?? [], { bins });
}
