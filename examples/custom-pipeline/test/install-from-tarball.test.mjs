/* global URL, process */
// Runs the example the way a user runs their own pipeline: in a project outside this
// repository, with the @actllm packages installed from packed tarballs (as they would come
// from npm) and nothing else of the repository reachable. Needs the packages built
// (`npm test` runs this after nx has built them).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const example = fileURLToPath(new URL('../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// Every @actllm package the example needs: the four it imports (its package.json) and their
// own @actllm dependencies, which are not on the registry either, so they come as tarballs.
const PACKAGES = {
  '@actllm/core': 'packages/core',
  '@actllm/graph': 'packages/graph',
  '@actllm/encoder': 'packages/encoder',
  '@actllm/descriptor': 'packages/descriptor',
  '@actllm/dialogue': 'packages/dialogue',
  '@actllm/policy': 'packages/policy',
  '@actllm/tabletop': 'packages/tabletop',
  '@actllm/backend-onnx': 'packages/backends/onnx',
};

const manifest = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8'));
let work;

function pack(dir) {
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', work], {
    cwd: join(repo, dir),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return join(work, JSON.parse(out)[0].filename);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'actllm-custom-pipeline-'));
  const tarballs = Object.fromEntries(
    Object.entries(PACKAGES).map(([name, dir]) => [name, `file:${pack(dir)}`]),
  );
  const project = join(work, 'project');
  mkdirSync(project);
  // The example's own package.json, its dependencies pointed at the tarballs.
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'pipeline-user',
      private: true,
      type: 'module',
      dependencies: { ...manifest.dependencies, ...tarballs },
    }),
  );
  copyFileSync(join(example, 'index.mjs'), join(project, 'index.mjs'));
  // Install scripts run, as for a user; ONNXRUNTIME_NODE_INSTALL=skip keeps onnxruntime-node
  // from downloading its CUDA provider from outside the npm registry.
  execFileSync(
    npm,
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    {
      cwd: project,
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

it("declares every package index.mjs imports in the example's package.json", () => {
  const source = readFileSync(join(example, 'index.mjs'), 'utf8');
  const imported = new Set(
    [...source.matchAll(/^import\s+(?:[^'"]*?from\s+)?'([^']+)'/gm)]
      .map((m) => m[1])
      .filter((s) => !s.startsWith('node:')),
  );
  expect([...imported].sort()).toEqual(Object.keys(manifest.dependencies).sort());
  for (const version of Object.values(manifest.dependencies)) expect(version).toBe('0.0.0');
});

it('generates, trains, saves, loads and evaluates from the installed tarballs', () => {
  const stdout = execFileSync(process.execPath, ['index.mjs'], {
    cwd: join(work, 'project'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = stdout.trim().split('\n');
  const result = JSON.parse(lines[lines.length - 1]);
  expect(result.steps).toBeGreaterThan(1);
  expect(Number.isFinite(result.loss.first)).toBe(true);
  expect(Number.isFinite(result.loss.last)).toBe(true);
  expect(result.loss.last).toBeLessThan(result.loss.first);
  // One L1 episode per task, two tasks: the evaluation ran them all (an untrained-for-long
  // model fails them; only that the loop closes is checked).
  expect(result.evaluation.episodes).toBe(2);
  expect(result.evaluation.rate).toBeGreaterThanOrEqual(0);
  expect(result.evaluation.rate).toBeLessThanOrEqual(1);
  expect(result.firstTraceTextLength).toBeGreaterThan(0);
});
