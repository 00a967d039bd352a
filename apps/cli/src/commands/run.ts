import { resolve } from 'node:path';
import type { Action, Agent, Observation, StepInfo } from '@actllm/core';
import { buildScene } from '@actllm/descriptor';
import { resolveFormat } from '@actllm/dialogue';
import type { StepTrace } from '@actllm/policy';
import {
  OracleAgent,
  RandomAgent,
  TabletopEnv,
  TabletopError,
  encodePng,
  getPartition,
  getTask,
  partitionTasks,
  runEpisode,
} from '@actllm/tabletop';
import { COMMON, required, type CommandDef } from '../command.js';
import { choice, integer, text, type Views } from '../config.js';
import {
  EPISODE_FILE,
  EPISODE_FORMAT,
  REPLAY_FILE,
  framePath,
  type EpisodeFile,
  type EpisodeStep,
} from '../episode-file.js';
import { MODES, intensityOf, type Mode } from '../eval-info.js';
import { checkOutputFolder, writeOutputFolder } from '../output-folder.js';
import { duration, fields, printResult, table } from '../output.js';
import { jsonText } from '../paths.js';
import type { AGENTS } from '../policy-agent.js';
import { POLICY_SPECS, createPolicyAgent, type PolicyAgent, AGENT_SPECS } from '../policy-agent.js';
import { replayGif } from '../replay.js';

interface Recorded {
  readonly observations: Observation[];
  readonly steps: { action: Action; info: StepInfo }[];
}

/**
 * The environment as `runEpisode` sees it, recording every observation (the first from
 * `reset`, one per `step`) and every action with its step info. Everything else is the
 * environment's own (methods bound to it, so its private state is reached).
 */
function recording(env: TabletopEnv, log: Recorded): TabletopEnv {
  return new Proxy(env, {
    get(target, key) {
      if (key === 'reset')
        return (options: Parameters<TabletopEnv['reset']>[0]) => {
          const observation = target.reset(options);
          log.observations.push(observation);
          return observation;
        };
      if (key === 'step')
        return (action: Action) => {
          const result = target.step(action);
          log.steps.push({ action, info: result.info });
          log.observations.push(result.observation);
          return result;
        };
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

/** The truth as the dialogue writes scenes (the descriptor a perfect model would read). */
function truthScene(observation: Observation) {
  const f = resolveFormat();
  return buildScene(observation.objects ?? [], {
    frame: f.frame,
    bins: f.bins,
    size: f.size,
    theta: f.theta,
  });
}

function checkEpisode(task: string, level: string): void {
  getTask(task);
  getPartition(level);
  if (!partitionTasks(level).includes(task))
    throw new TabletopError(
      'TABLETOP_TASK_NOT_IN_PARTITION',
      `task ${task} is not in level ${level}; pick one of ${partitionTasks(level).join(', ')}.`,
    );
}

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

/** `pick_place (0.31, 0.62) -> (0.70, 0.30)`. */
export function actionText(action: Action | null): string {
  if (!action) return '(no action: the turn did not decode)';
  const p = (q: Action['from']) => `(${q.x.toFixed(2)}, ${q.y.toFixed(2)})`;
  return `${action.kind} ${p(action.from)} -> ${p(action.to)}`;
}

export const runCommand: CommandDef = {
  name: 'run',
  summary: 'run one episode and write its frames, episode.json (with the trace) and replay.gif',
  specs: [
    ...AGENT_SPECS,
    { flags: '--task <family>', description: 'task family, e.g. visual_manipulation', kind: text },
    { flags: '--level <level>', description: 'L1, L2, L3, L4 or train', kind: text, default: 'L1' },
    {
      flags: '--seed <n>',
      description: "the episode's tabletop seed (eval_info.json per_episode[].seed replays one)",
      kind: integer(0),
      default: 1,
    },
    {
      flags: '--mode <mode>',
      description: 'static, mild or strong (dynamic perturbations)',
      kind: choice(MODES),
      default: 'static',
    },
    {
      flags: '--out <dir>',
      description: 'folder for frames/, episode.json and replay.gif (written whole)',
      kind: text,
    },
    ...POLICY_SPECS,
    ...COMMON,
  ],
  examples: `
Examples:
  $ actllm run --checkpoint ckpt/run1 --task visual_manipulation --level L1 --seed 3 --out runs/vm-3
  $ actllm run --agent oracle --task rotate --level L2 --mode strong --seed 7 --out runs/oracle-rotate
  $ actllm run --checkpoint ckpt/run1 --task twist --seed 12 --out runs/twist --json
  The folder gets frames/step_XXX_<view>.png, episode.json and replay.gif; an earlier run
  output there is replaced, any other non-empty folder is refused (exit 4).`,
  async run(o, io) {
    const agentName = o['agent'] as (typeof AGENTS)[number];
    const task = required<string>(o, 'task', '--task');
    const level = o['level'] as string;
    const mode = o['mode'] as Mode;
    const seed = o['seed'] as number;
    const out = required<string>(o, 'out', '--out');
    checkEpisode(task, level);
    checkOutputFolder(out, EPISODE_FILE, 'run');
    const checkpoint =
      agentName === 'actllm' ? required<string>(o, 'checkpoint', '--checkpoint') : undefined;

    let loaded: PolicyAgent | undefined;
    let agent: Agent;
    if (checkpoint) {
      loaded = await createPolicyAgent(checkpoint, o);
      agent = loaded.agent;
    } else {
      agent = agentName === 'oracle' ? new OracleAgent() : new RandomAgent(seed);
    }
    const viewSizes = (o['views'] as Views | undefined) ?? loaded?.settings?.views ?? null;
    const started = performance.now();
    const log: Recorded = { observations: [], steps: [] };
    const env = await TabletopEnv.create(viewSizes ? { views: viewSizes } : {});
    let result;
    let instruction = '';
    let traces: readonly StepTrace[] = [];
    try {
      result = await runEpisode(recording(env, log), agent, {
        task,
        partition: level,
        index: 0,
        seed,
        dynamic: intensityOf(mode),
      });
      instruction = log.observations[0]?.instruction.text ?? '';
      traces = loaded ? [...loaded.policy.trace] : [];
    } finally {
      env.close();
      await loaded?.dispose();
    }
    const seconds = (performance.now() - started) / 1000;

    // The folder: every frame, the replay and episode.json, written at once.
    const files = new Map<string, string | Uint8Array>();
    const frameFiles = log.observations.map((observation, step) => {
      const names: Record<string, string> = {};
      for (const [view, image] of Object.entries(observation.views)) {
        names[view] = framePath(step, view);
        files.set(names[view], encodePng(image));
      }
      return names;
    });
    const perStep: EpisodeStep[] = log.steps.map(({ action, info }, step) => {
      const trace = traces.find((t) => t.step === step);
      const decodeFailed = loaded !== undefined && trace === undefined;
      const perturbation: unknown = info['perturbation'];
      return {
        step,
        frames: frameFiles[step] ?? {},
        truth: truthScene(log.observations[step] as Observation),
        action: decodeFailed ? null : action,
        invalid: info.invalidAction
          ? typeof info['invalidReason'] === 'string'
            ? info['invalidReason']
            : info.invalidAction.code
          : null,
        picked: typeof info['picked'] === 'string' ? info['picked'] : null,
        ...(perturbation !== undefined && perturbation !== null ? { perturbation } : {}),
        ...(trace ? { trace } : {}),
        ...(decodeFailed ? { decode_failed: true } : {}),
      };
    });
    const first = log.observations[0];
    const episode: EpisodeFile = {
      format: EPISODE_FORMAT,
      version: 1,
      agent: agentName,
      checkpoint: checkpoint ?? null,
      task,
      level,
      mode,
      seed,
      instruction,
      views: Object.fromEntries(
        Object.entries(first?.views ?? {}).map(([v, im]) => [
          v,
          { width: im.width, height: im.height },
        ]),
      ),
      success: result.success,
      steps: result.steps,
      failure: result.cause,
      perturbations: result.perturbations,
      parse_failures: perStep.filter((s) => s.decode_failed).length,
      replay: REPLAY_FILE,
      per_step: perStep,
      final: { step: log.steps.length, frames: frameFiles[log.steps.length] ?? {} },
    };
    files.set(
      REPLAY_FILE,
      replayGif(
        log.observations.map((ob) => ob.views),
        perStep.map((s) => s.action),
      ),
    );
    files.set(EPISODE_FILE, jsonText(episode));
    writeOutputFolder(out, files);

    printResult(
      io,
      {
        command: 'run',
        out,
        agent: agentName,
        checkpoint: checkpoint ?? null,
        task,
        level,
        mode,
        seed,
        success: episode.success,
        steps: episode.steps,
        failure: episode.failure,
        parse_failures: episode.parse_failures,
        seconds: round(seconds, 1),
        files: files.size,
      },
      () => {
        const rows = perStep.map((s) => [
          s.step,
          actionText(s.action),
          s.trace?.consistency ?? (s.decode_failed ? 'decode_failed' : '-'),
          s.trace ? duration(s.trace.latencyMs / 1000) : '-',
        ]);
        return [
          fields([
            ['agent', checkpoint ? `${agentName} (${checkpoint})` : agentName],
            ['episode', `${task} ${level} ${mode}, seed ${seed}`],
            ['instruction', instruction],
            [
              'result',
              `${episode.success ? 'success' : `failure (${episode.failure})`} in ${episode.steps} step${episode.steps === 1 ? '' : 's'}, ${duration(seconds)}`,
            ],
            ['written', `${resolve(out)} (${files.size} files: frames/, episode.json, replay.gif)`],
          ]),
          '',
          table(['step', 'action', 'consistency', 'latency'], rows),
        ].join('\n');
      },
    );
  },
};
