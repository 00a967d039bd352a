import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomicSync } from '@actllm/core/node';
import type { Tokenizer } from '@actllm/dialogue';
import type { GraphSessionOptions } from '@actllm/graph';
import {
  ActllmAgent,
  PRESETS,
  PolicyTrainer,
  loadCheckpoint,
  presetConfig,
  sceneSample,
  stepSamples,
  type PolicyConfig,
  type PresetName,
  type RunEvaluation,
  type RunProgress,
  type StepSample,
  type TrainOptions,
} from '@actllm/policy';
import {
  TabletopEnv,
  deriveSeed,
  evaluate,
  openDataset,
  partitionTasks,
  type TabletopDataset,
} from '@actllm/tabletop';
import { ParseCountingAgent } from '../agents.js';
import { BACKEND_SPECS } from '../policy-agent.js';
import { loadBackend, sessionOptions, type BackendName } from '../backends.js';
import { COMMON, required, type CommandDef } from '../command.js';
import { choice, integer, list, number, text, weights, type Views } from '../config.js';
import { usage } from '../errors.js';
import { duration, fields, note, printResult, table } from '../output.js';
import { checkWritable, makeDir, requireDir, writeJsonAtomic } from '../paths.js';
import { createBar } from '../progress.js';
import {
  TRAIN_LOG_FILE,
  TRAIN_SETTINGS_FILE,
  readTrainSettings,
  type TrainSettings,
} from '../train-settings.js';
import { buildVocabulary, sceneNames } from '../vocabulary.js';

const TERMS = ['obs', 'fwd', 'act', 'ac', 'cells'] as const;

/** Held-out episodes: a seeded choice of `floor(n * fraction)` of them (at most n - 1). */
function validationIds(ids: readonly string[], fraction: number, seed: number): Set<string> {
  const k = Math.min(Math.floor(ids.length * fraction), Math.max(0, ids.length - 1));
  const ranked = [...ids].sort(
    (a, b) => deriveSeed(seed, 'validation', a) - deriveSeed(seed, 'validation', b),
  );
  return new Set(ranked.slice(0, k));
}

interface Samples {
  train: StepSample[];
  validation: StepSample[];
  episodes: number;
  scenes: number;
  unknownWords: Set<string>;
}

async function buildSamples(
  datasets: readonly TabletopDataset[],
  settings: Omit<TrainSettings, 'format' | 'version'>,
  tokenizer: Tokenizer,
  config: PolicyConfig,
): Promise<Samples> {
  const out: Samples = {
    train: [],
    validation: [],
    episodes: 0,
    scenes: 0,
    unknownWords: new Set(),
  };
  const ids = datasets.flatMap((d, i) => d.manifest.episodes.map((e) => `${i}:${e.id}`));
  const held = validationIds(ids, settings.valFraction, settings.seed);
  datasets.forEach((dataset, i) => {
    for (const { summary, record } of dataset) {
      // --no-history: k = 0 images of earlier steps and no earlier text turns.
      const samples = stepSamples(record, tokenizer, config, {
        imageTurns: settings.history ? settings.imageTurns : 1,
        history: settings.history,
        describeAssets: settings.describeAssets === true,
      });
      for (const s of samples) for (const w of s.rendered.unknownWords) out.unknownWords.add(w);
      (held.has(`${i}:${summary.id}`) ? out.validation : out.train).push(...samples);
      out.episodes++;
    }
  });
  if (settings.scenes > 0) {
    const tasks = partitionTasks('train');
    const env = await TabletopEnv.create(settings.views ? { views: settings.views } : {});
    try {
      for (let i = 0; i < settings.scenes; i++) {
        const task = tasks[i % tasks.length] as string;
        const observation = env.reset({
          task,
          seed: deriveSeed(settings.seed, 'scene', i),
          partition: 'train',
        });
        // Scene-reading samples without the instruction: a few times shorter than a step.
        out.train.push(sceneSample(null, observation, tokenizer, config));
        out.scenes++;
      }
    } finally {
      env.close();
    }
  }
  return out;
}

/**
 * The step budget for `--minutes`: a throw-away trainer with the same options times ten
 * steps after one untimed warm-up step (graph and session set-up, first-batch caches), and
 * the minutes left after that probe, divided by the mean step time, give the steps of the
 * cosine schedule. The real run starts afresh from the seed, so the probe changes no
 * weight; `--minutes` still stops the run at the wall-clock limit if steps turn out slower
 * (evaluations included).
 */
async function estimateSteps(
  config: PolicyConfig,
  tokenizer: Tokenizer,
  samples: readonly StepSample[],
  options: TrainOptions,
  minutes: number,
  started: number,
): Promise<{ steps: number; secondsPerStep: number }> {
  const probe = await PolicyTrainer.create(config, tokenizer, samples, {
    ...options,
    steps: 1_000_000,
  });
  try {
    await probe.trainStep();
    const timed = 10;
    const t0 = performance.now();
    for (let i = 0; i < timed; i++) await probe.trainStep();
    const secondsPerStep = (performance.now() - t0) / 1000 / timed;
    const left = minutes * 60 - (performance.now() - started) / 1000;
    return { steps: Math.max(1, Math.floor(left / secondsPerStep)), secondsPerStep };
  } finally {
    await probe.dispose();
  }
}

function readLog(dir: string): string[] {
  const path = join(dir, TRAIN_LOG_FILE);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

function round(v: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export const train: CommandDef = {
  name: 'train',
  summary: 'train the policy on datasets (and scene-reading samples) into a checkpoint folder',
  specs: [
    {
      flags: '--data <dirs>',
      description: 'dataset folders of actllm generate, comma-separated',
      kind: list,
    },
    {
      flags: '--scenes <n>',
      description: 'scene-reading samples from fresh train-task resets',
      kind: integer(0, 10_000_000),
      default: 0,
    },
    {
      flags: '--preset <name>',
      description: 'model size: tiny, default or base',
      kind: choice(['tiny', 'default', 'base'] as const),
      default: 'default',
    },
    {
      flags: '--no-rotary',
      description: 'model ablation: a learned position table instead of rotary positions',
    },
    {
      flags: '--no-copy',
      description: 'model ablation: no copy head (the model writes every token itself)',
    },
    ...BACKEND_SPECS,
    {
      flags: '--minutes <m>',
      description: 'train for this long (the step budget is estimated by timing)',
      kind: number(0.001),
    },
    {
      flags: '--steps <s>',
      description: 'optimizer steps (the cosine schedule length)',
      kind: integer(1),
    },
    {
      flags: '--batch-size <n>',
      description: 'samples per step',
      kind: integer(1, 65_536),
      default: 8,
    },
    { flags: '--lr <rate>', description: 'peak learning rate', kind: number(0), default: 2e-3 },
    {
      flags: '--warmup <steps>',
      description: 'linear warm-up steps',
      kind: integer(0),
      default: 100,
    },
    {
      flags: '--seed <n>',
      description: 'seeds weights, data order, validation split and scenes',
      kind: integer(0),
      default: 1,
    },
    {
      flags: '--out <dir>',
      description: 'checkpoint folder (written whole at every save)',
      kind: text,
    },
    {
      flags: '--resume <dir>',
      description: 'continue the training saved in a checkpoint folder',
      kind: text,
    },
    {
      flags: '--init <dir>',
      description:
        "start from a checkpoint's weights, tokenizer and model (an earlier stage's, e.g. a vision stage)",
      kind: text,
    },
    {
      flags: '--loss <weights>',
      description:
        'loss weights, e.g. obs=1,fwd=1,act=1,ac=0.5 (0 drops a term; cells defaults to obs; obs=0,fwd=0,act=0 is a vision stage)',
      kind: weights(TERMS),
    },
    {
      flags: '--image-turns <k>',
      description: 'user turns that keep their images',
      kind: integer(0, 1024),
      default: 1,
    },
    {
      flags: '--no-history',
      description: 'history ablation: no earlier images (k=0) nor text turns',
    },
    {
      flags: '--describe-assets',
      description:
        'write prompt assets as the descriptors of what they show (evaluate with --observer cells)',
    },
    {
      flags: '--augment <strengths>',
      description: 'photometric augmentation, e.g. brightness=0.05,noise=0.02',
      kind: weights(['brightness', 'contrast', 'saturation', 'noise']),
    },
    {
      flags: '--eval-every <n>',
      description: 'evaluate every n steps (and at the end)',
      kind: integer(1),
    },
    {
      flags: '--eval-episodes <e>',
      description: 'closed-loop L1 episodes per task at each evaluation (0: none)',
      kind: integer(0),
      default: 0,
    },
    {
      flags: '--val-fraction <f>',
      description: 'share of episodes held out for validation loss',
      kind: number(0, 0.9),
      default: 0.05,
    },
    {
      flags: '--checkpoint-every <n>',
      description: 'also save the checkpoint every n steps',
      kind: integer(1),
    },
    {
      flags: '--stop-after <n>',
      description: 'stop this run after n steps (the schedule keeps its length; --resume later)',
      kind: integer(1),
    },
    ...COMMON,
  ],
  examples: `
Examples:
  $ actllm train --data data/train --scenes 2000 --preset default --minutes 60 --out ckpt/run1
  $ actllm train --data data/a,data/b --preset tiny --steps 200 --batch-size 4 --eval-every 50 --eval-episodes 2 --out ckpt/tiny
  $ actllm train --resume ckpt/run1 --out ckpt/run1            # continue an interrupted run
  Ctrl-C stops after the current step and still writes the checkpoint.`,
  async run(o, io, _args, given) {
    const started = performance.now();
    const out = required<string>(o, 'out', '--out');
    const resumeDir = o['resume'] as string | undefined;
    checkWritable(out);
    const saved = resumeDir ? readTrainSettings(resumeDir) : undefined;
    if (resumeDir)
      requireDir(resumeDir, '--resume', 'pass a checkpoint folder written by actllm train');
    const data = (o['data'] as string[] | undefined) ?? saved?.data ?? [];
    // Scene-reading samples alone (a vision stage, say) need no dataset.
    if (data.length === 0 && !((o['scenes'] as number | undefined) ?? saved?.scenes))
      throw usage('--data is required (the dataset folders of actllm generate), or --scenes <n>.');
    if (!resumeDir && o['steps'] === undefined && o['minutes'] === undefined)
      throw usage('give --steps <s> or --minutes <m> (the length of the run).');
    const backend = o['backend'] as BackendName;
    await loadBackend(backend);
    const session: GraphSessionOptions = sessionOptions({
      backend,
      ...(o['device'] ? { device: o['device'] as string } : {}),
      ...(o['threads'] !== undefined ? { threads: o['threads'] as number } : {}),
    });

    for (const d of data) requireDir(d, '--data', 'pass the --out folder of actllm generate');
    const datasets = data.map((d) => openDataset(d));
    const dataPaths = data.map((d) => resolve(d));
    // Resuming: the saved sample settings, unless a flag gives another value.
    const fromFlag = <T>(key: string, fallback: T | undefined): T =>
      (given(key) || fallback === undefined ? o[key] : fallback) as T;
    const history = fromFlag<boolean>('history', saved?.history) !== false;
    const settings: Omit<TrainSettings, 'format' | 'version'> = {
      data: dataPaths,
      scenes: fromFlag<number>('scenes', saved?.scenes),
      imageTurns: history ? fromFlag<number>('imageTurns', saved?.imageTurns) : 1,
      history,
      describeAssets: fromFlag<boolean>('describeAssets', saved?.describeAssets) === true,
      valFraction: fromFlag<number>('valFraction', saved?.valFraction),
      seed: fromFlag<number>('seed', saved?.seed),
      tasks: datasets.length
        ? [...new Set(datasets.flatMap((d) => d.manifest.tasks))]
        : partitionTasks('train'),
      views: (datasets[0]?.manifest.views as Views | undefined) ?? null,
    };

    // The tokenizer and the model: the checkpoint's when resuming, else new ones.
    const checkpoint = resumeDir ? await loadCheckpoint(resumeDir) : undefined;
    const initDir = o['init'] as string | undefined;
    if (initDir && checkpoint)
      throw usage('--init starts a new run; --resume continues one. Pass one of them.');
    if (initDir) requireDir(initDir, '--init', 'pass the --out folder of an earlier actllm train');
    const init = initDir ? await loadCheckpoint(initDir) : undefined;
    let tokenizer: Tokenizer;
    let config: PolicyConfig;
    if (checkpoint) {
      tokenizer = checkpoint.tokenizer;
      config = checkpoint.config;
    } else if (init) {
      // The earlier stage's model and vocabulary, with this stage's loss weights.
      tokenizer = init.tokenizer;
      const losses = { ...PRESETS[o['preset'] as PresetName].losses, ...(o['loss'] ?? {}) };
      config = { ...init.config, losses };
    } else {
      const texts = datasets.flatMap((d) => [...d].map(({ record }) => record.instruction.text));
      tokenizer = await buildVocabulary(texts);
      const preset = presetConfig(o['preset'] as PresetName, tokenizer, o['loss'] ?? {});
      const lm = {
        ...preset.lm,
        ...(o['rotary'] === false ? { rotary: false } : {}),
        ...(o['copy'] === false ? { copy: false } : {}),
      };
      config = { ...preset, lm };
    }
    const samples = await buildSamples(datasets, settings, tokenizer, config);
    if (samples.unknownWords.size > 0)
      note(
        io,
        `note: ${samples.unknownWords.size} words of the data are not in the tokenizer: ${[...samples.unknownWords].slice(0, 8).join(', ')}`,
      );

    const augment = o['augment'] as TrainOptions['augment'] | undefined;
    const trainOptions: TrainOptions = {
      steps: (o['steps'] as number | undefined) ?? 1,
      batchSize: o['batchSize'] as number,
      lr: o['lr'] as number,
      warmup: o['warmup'] as number,
      seed: settings.seed,
      ...(augment && Object.keys(augment).length ? { augment } : {}),
      session,
    };
    const minutes = o['minutes'] as number | undefined;
    let estimate: { steps: number; secondsPerStep: number } | undefined;
    if (!checkpoint && o['steps'] === undefined && minutes !== undefined) {
      note(io, 'timing a few steps to size the schedule for --minutes ...');
      estimate = await estimateSteps(
        config,
        tokenizer,
        samples.train,
        trainOptions,
        minutes,
        started,
      );
    }
    const trainer = checkpoint
      ? await PolicyTrainer.resume(resumeDir as string, samples.train, session)
      : await PolicyTrainer.create(
          config,
          tokenizer,
          samples.train,
          { ...trainOptions, ...(estimate ? { steps: estimate.steps } : {}) },
          init?.weights,
        );

    // Closed-loop evaluation on L1 episodes of the tasks trained on.
    const evalEpisodes = o['evalEpisodes'] as number;
    const evalTasks = settings.tasks.filter((t) => partitionTasks('L1').includes(t));
    const evalEnv =
      evalEpisodes > 0 && evalTasks.length > 0
        ? await TabletopEnv.create(settings.views ? { views: settings.views } : {})
        : undefined;
    const closedLoop = evalEnv
      ? async (weights: Parameters<typeof ActllmAgent.create>[0]['weights']) => {
          const policy = await ActllmAgent.create(
            { config: trainer.config, tokenizer, weights },
            {
              ...sceneNames(),
              imageTurns: settings.history ? settings.imageTurns : 1,
              history: settings.history,
              ...(settings.describeAssets
                ? { describeAssets: true, observer: 'cells' as const }
                : {}),
              session,
            },
          );
          const agent = new ParseCountingAgent(policy);
          try {
            const report = await evaluate(agent, {
              partition: 'L1',
              tasks: evalTasks,
              episodesPerTask: evalEpisodes,
              seed: settings.seed,
              env: evalEnv,
            });
            return { success: report.levels['L1']?.rate ?? 0, parse_rate: round(agent.parseRate) };
          } finally {
            await policy.dispose();
          }
        }
      : undefined;

    const log: string[] = resumeDir ? readLog(resumeDir) : [];
    const controller = new AbortController();
    let stopped: 'done' | 'interrupted' | 'stop-after' | 'minutes' = 'done';
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      stopped = 'interrupted';
      controller.abort();
      note(io, '\nstopping after the current step (Ctrl-C again to quit at once) ...');
    };
    process.on('SIGINT', onSigint);
    const first = trainer.position.step;
    const stopAfter = o['stopAfter'] as number | undefined;
    const total = (estimate?.steps ?? trainOptions.steps) || 1;
    const active = TERMS.filter((t) => (trainer.config.losses[t] ?? 0) > 0);
    const bar = createBar(
      io,
      checkpoint ? Math.max(total, first + 1) : total,
      `train |{bar}| step {value}/{total} | loss {loss} ${active.map((t) => `${t} {${t}}`).join(' ')} | {tps} tok/s | ETA {remaining}{evaluation}`,
      {
        loss: '-',
        tps: '-',
        remaining: '-',
        evaluation: '',
        ...Object.fromEntries(active.map((t) => [t, '-'])),
      },
    );
    let lastEval: RunEvaluation | undefined;
    mkdirParent(out);
    let result;
    try {
      result = await trainer.run({
        ...(minutes !== undefined
          ? { minutes: Math.max(0.0001, minutes - (performance.now() - started) / 60000) }
          : {}),
        ...(samples.validation.length ? { validation: samples.validation } : {}),
        ...(o['evalEvery'] !== undefined ? { evaluateEvery: o['evalEvery'] as number } : {}),
        ...(closedLoop ? { evaluate: closedLoop } : {}),
        ...(o['checkpointEvery'] !== undefined
          ? { checkpointEvery: o['checkpointEvery'] as number }
          : {}),
        checkpointDir: out,
        signal: controller.signal,
        onProgress: (p: RunProgress) => {
          log.push(JSON.stringify({ type: 'progress', ...p }));
          bar.setTotal(p.steps);
          bar.update(p.step, {
            loss: p.loss.toFixed(3),
            tps: Math.round(p.tokensPerSecond),
            remaining: duration(p.eta),
            ...Object.fromEntries(active.map((t) => [t, (p.terms[t] ?? 0).toFixed(3)])),
          });
          if (
            stopAfter !== undefined &&
            p.step - first >= stopAfter &&
            !controller.signal.aborted
          ) {
            stopped = 'stop-after';
            controller.abort();
          }
        },
        onEvaluate: (e: RunEvaluation) => {
          lastEval = e;
          log.push(JSON.stringify({ type: 'evaluation', ...e }));
          const s = e.closedLoop?.['success'];
          bar.update(e.step, { evaluation: s === undefined ? '' : ` | L1 success ${s}` });
        },
      });
    } finally {
      bar.stop();
      process.off('SIGINT', onSigint);
      evalEnv?.close();
    }
    const position = trainer.position;
    await trainer.dispose();
    if (stopped === 'done' && position.step < (result.last?.steps ?? total)) stopped = 'minutes';
    // The checkpoint folder is written whole by each save; the log and settings go next to it.
    writeFileAtomicSync(join(out, TRAIN_LOG_FILE), log.map((l) => `${l}\n`).join(''));
    writeJsonAtomic(join(out, TRAIN_SETTINGS_FILE), {
      format: 'actllm-train-settings',
      version: 1,
      ...settings,
    } satisfies TrainSettings);

    const last = result.last;
    const summary = {
      command: 'train',
      out,
      resumed: resumeDir ?? null,
      backend,
      stopped,
      step: position.step,
      steps: last?.steps ?? total,
      stepsThisRun: result.steps,
      seconds: round(result.seconds, 1),
      ...(estimate
        ? { estimate: { steps: estimate.steps, secondsPerStep: round(estimate.secondsPerStep) } }
        : {}),
      samples: {
        train: samples.train.length,
        validation: samples.validation.length,
        episodes: samples.episodes,
        scenes: samples.scenes,
      },
      last: last
        ? {
            loss: round(last.loss),
            terms: Object.fromEntries(Object.entries(last.terms).map(([k, v]) => [k, round(v)])),
            gradNorm: round(last.gradNorm),
            lr: last.lr,
            tokensPerSecond: Math.round(last.tokensPerSecond),
          }
        : null,
      evaluation: lastEval ?? null,
    };
    printResult(io, summary, () => {
      const rows = last
        ? [
            [
              position.step,
              round(last.loss),
              ...active.map((t) => round(last.terms[t] ?? 0)),
              Math.round(last.tokensPerSecond),
            ],
          ]
        : [];
      return [
        fields([
          ['checkpoint', resolve(out)],
          [
            'stopped',
            `${stopped} at step ${position.step} of ${summary.steps} (${result.steps} this run, ${duration(result.seconds)})`,
          ],
          [
            'samples',
            `${samples.train.length} train (${samples.episodes} episodes' steps, ${samples.scenes} scenes), ${samples.validation.length} validation`,
          ],
          ...(estimate
            ? ([
                [
                  'budget',
                  `${estimate.steps} steps at ${estimate.secondsPerStep.toFixed(3)} s/step`,
                ],
              ] as const)
            : []),
          ...(lastEval?.validation
            ? ([['validation loss', pairs(lastEval.validation.loss)]] as const)
            : []),
          ...(lastEval?.closedLoop
            ? ([['closed loop (L1)', pairs(lastEval.closedLoop)]] as const)
            : []),
        ]),
        '',
        rows.length
          ? table(['step', 'loss', ...active, 'tok/s'], rows)
          : 'no step was run (the checkpoint had finished its schedule).',
      ].join('\n');
    });
  },
};

/** `a 0.1234, b 2` from a record of numbers. */
function pairs(values: Readonly<Record<string, number>>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} ${round(v)}`)
    .join(', ');
}

function mkdirParent(path: string): void {
  makeDir(dirname(resolve(path)));
}
