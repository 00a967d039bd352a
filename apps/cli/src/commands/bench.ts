import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { agentLatency } from '../agent-latency.js';
import { checkPlan } from './eval.js';
import { COMMON, required, type CommandDef } from '../command.js';
import { choice, integer, list, text } from '../config.js';
import { CliError, usage } from '../errors.js';
import { duration, note, printResult, table, type Cell } from '../output.js';
import { checkWritable, requireDir, writeJsonAtomic } from '../paths.js';
import { POLICY_SPECS } from '../policy-agent.js';

/** One benchmark: where it runs, and the figures the table shows from its JSON. */
interface Benchmark {
  readonly name: string;
  /** The script (`package/path`) or `actllm` for one measured in process. */
  readonly source: string;
  /** `[label, dotted path into the benchmark's JSON]`. */
  readonly headline: readonly (readonly [string, string])[];
  /** Checks its inputs (before any benchmark runs) and returns what runs it. */
  prepare(o: Record<string, unknown>): { args: string[]; run: () => Promise<unknown> };
}

/** One benchmark's part of the collected JSON. */
interface BenchEntry {
  readonly name: string;
  readonly source: string;
  readonly args: readonly string[];
  readonly seconds: number;
  readonly result: unknown;
}

/** A package's benchmark script, run by node in the package's folder. */
function script(
  name: string,
  pkg: string,
  path: string,
  headline: Benchmark['headline'],
  args: (o: Record<string, unknown>) => string[] = () => [],
): Benchmark {
  return {
    name,
    source: `${pkg}/${path}`,
    headline,
    prepare(o) {
      const file = scriptPath(name, pkg, path);
      const given = args(o);
      return { args: given, run: () => runScript(name, file, given) };
    },
  };
}

const BENCHMARKS: readonly Benchmark[] = [
  script('descriptor', '@actllm/descriptor', 'bench/parse.bench.mjs', [
    ['strict parses/s', 'strict.ops_per_s'],
    ['tolerant parses/s', 'tolerant.ops_per_s'],
  ]),
  script('graph', '@actllm/graph', 'bench/bench.mjs', []),
  script('tabletop', '@actllm/tabletop', 'bench/bench.mjs', [
    ['env steps/s', 'envStepsPerSecond'],
    ['ms per reset', 'msPerReset'],
  ]),
  script('onnx-train', '@actllm/backend-onnx', 'bench/train.mjs', [
    ['GFLOP/s', 'backends.onnx.gflops'],
    ['of matmul peak', 'backends.onnx.peak_ratio'],
  ]),
  script('onnx-infer', '@actllm/backend-onnx', 'bench/infer.mjs', [
    ['prefill ms p50', 'backends.onnx.prefill_ms.p50'],
    ['decode step ms p50', 'backends.onnx.decode_step_ms.p50'],
  ]),
  script('tfjs', '@actllm/backend-tfjs', 'bench/bench.mjs', [
    ['train tokens/s', 'training.tokensPerSecond'],
    ['prefill ms p50', 'prefill.p50Ms'],
  ]),
  script(
    'policy',
    '@actllm/policy',
    'bench/bench.mjs',
    [
      ['trainer tokens/s', 'training.trainer_tokens_per_s'],
      ['trainer overhead', 'training.trainer_overhead'],
      ['agent ms p50', 'agent.accelerated.p50_ms'],
      ['plain ms p50', 'agent.plain.p50_ms'],
      ['same turns', 'agent.same_turns'],
    ],
    (o) => [
      '--backend',
      `@actllm/backend-${String(o['backend'])}`,
      '--preset',
      String(o['preset']),
    ],
  ),
  {
    name: 'agent',
    source: 'actllm',
    headline: [
      ['ms p50', 'accelerated.p50_ms'],
      ['ms p95', 'accelerated.p95_ms'],
      ['plain ms p50', 'plain.p50_ms'],
      ['plain ms p95', 'plain.p95_ms'],
      ['same turns', 'same_turns'],
    ],
    prepare(o) {
      const checkpoint = required<string>(
        o,
        'checkpoint',
        '--checkpoint (for the agent benchmark)',
      );
      requireDir(checkpoint, '--checkpoint', 'pass the --out folder of actllm train');
      const tasks = (o['tasks'] as string[] | undefined) ?? null;
      checkPlan(['L1'], tasks);
      const plan = { tasks, episodes: o['episodes'] as number, seed: o['seed'] as number };
      return { args: [], run: () => agentLatency(checkpoint, o, plan) };
    },
  },
];

const NAMES = BENCHMARKS.map((b) => b.name);
const require = createRequire(import.meta.url);

/**
 * The script's path in the package's folder. The scripts are in the repository, not in the
 * published packages, so outside a clone they are absent.
 */
function scriptPath(name: string, pkg: string, script: string): string {
  let dir = '';
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    // not installed: reported below as a missing script
  }
  const path = join(dir, script);
  if (dir === '' || !existsSync(path))
    throw new CliError(
      'CLI_INPUT_NOT_FOUND',
      `The ${name} benchmark (${pkg}/${script}) is not here: the benchmark scripts ship with the repository, not with the npm packages; run actllm bench in a clone after npm ci.`,
    );
  if (!existsSync(join(dir, 'dist')))
    throw new CliError(
      'CLI_INPUT_NOT_FOUND',
      `${pkg} is not built; run npx nx run-many -t build first.`,
    );
  return path;
}

/** Runs one script in its package folder and returns the JSON object it printed. */
function runScript(name: string, path: string, args: readonly string[]): Promise<unknown> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [path, ...args], {
      cwd: join(dirname(path), '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => fail(new CliError('CLI_FAILED', `${name}: ${e.message}`)));
    child.on('close', (code) => {
      const failed = (why: string) =>
        new CliError(
          'CLI_FAILED',
          `The ${name} benchmark ${why}: ${err.trim().split('\n').slice(-3).join(' | ') || 'no output'}`,
        );
      if (code !== 0) return fail(failed(`exited with code ${String(code)}`));
      try {
        done(JSON.parse(out.slice(out.indexOf('{'))));
      } catch {
        fail(failed('printed no JSON object'));
      }
    });
  });
}

function at(value: unknown, path: string): Cell {
  let v: unknown = value;
  for (const key of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[key];
  if (typeof v === 'number') return Number(v.toPrecision(4));
  return typeof v === 'string' || typeof v === 'boolean' ? v : undefined;
}

export const bench: CommandDef = {
  name: 'bench',
  args: '[names...]',
  summary: `run benchmarks and collect their JSON: the packages' scripts (in a clone) and the agent's step latency on a checkpoint (${NAMES.join(', ')})`,
  specs: [
    {
      flags: '--preset <name>',
      description: 'model size of the policy benchmark',
      kind: choice(['tiny', 'default', 'base']),
      default: 'default',
    },
    {
      flags: '--checkpoint <dir>',
      description: 'checkpoint folder whose policy the agent benchmark runs',
      kind: text,
    },
    {
      flags: '--episodes <n>',
      description: 'agent benchmark: L1 static episodes per task',
      kind: integer(1, 1000),
      default: 1,
    },
    {
      flags: '--tasks <list>',
      description: 'agent benchmark: only these L1 tasks (default: every one)',
      kind: list,
    },
    {
      flags: '--seed <n>',
      description: 'agent benchmark: evaluation seed (the episodes of actllm eval)',
      kind: integer(0),
      default: 2026,
    },
    {
      flags: '--out <file>',
      description: 'also write the collected JSON to this file',
      kind: text,
    },
    ...POLICY_SPECS,
    ...COMMON,
  ],
  examples: `
Examples:
  $ actllm bench policy --preset default --out bench/policy.json   # trainer overhead, agent latency
  $ actllm bench onnx-train onnx-infer tfjs --json
  $ actllm bench agent --checkpoint checkpoints/default --episodes 2   # the trained policy's step latency
  $ actllm bench                                                   # every benchmark but agent, one after another

The scripts are the repository's (packages/*/bench): run it in a clone after npm ci. They run
one at a time, each in its own process; compare ratios within one run on a shared machine.`,
  async run(o, io, args) {
    const unknown = args.filter((a) => !NAMES.includes(a));
    if (unknown.length > 0)
      throw usage(`Unknown benchmark ${unknown.join(', ')}; choose among ${NAMES.join(', ')}.`);
    const chosen = BENCHMARKS.filter((b) =>
      args.length === 0 ? b.name !== 'agent' : args.includes(b.name),
    );
    const out = o['out'] as string | undefined;
    if (out !== undefined) checkWritable(out);
    // Every input is checked before any benchmark runs.
    const prepared = chosen.map((b) => ({ b, ...b.prepare(o) }));
    const results: { b: Benchmark; entry: BenchEntry }[] = [];
    for (const { b, args: given, run } of prepared) {
      note(io, `bench ${b.name} ...`);
      const started = performance.now();
      const result = await run();
      const seconds = (performance.now() - started) / 1000;
      results.push({ b, entry: { name: b.name, source: b.source, args: given, seconds, result } });
    }
    const collected = {
      command: 'bench',
      node: process.version,
      benchmarks: results.map((r) => r.entry),
    };
    if (out !== undefined) writeJsonAtomic(out, collected);
    printResult(io, collected, () =>
      [
        table(
          ['benchmark', 'time', 'figure', 'value'],
          results.flatMap(({ b, entry }) => {
            const first = [entry.name, duration(entry.seconds)];
            if (b.headline.length === 0) return [[...first, '(see the JSON)', '']];
            return b.headline.map(([label, path], j) => [
              ...(j === 0 ? first : ['', '']),
              label,
              at(entry.result, path),
            ]);
          }),
        ),
        ...(out !== undefined ? ['', `JSON: ${out}`] : []),
      ].join('\n'),
    );
  },
};
