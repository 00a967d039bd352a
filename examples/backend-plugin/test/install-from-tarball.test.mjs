/* global URL, process */
// Installs the example plugin the way a user installs a third-party backend: from a packed
// tarball, next to the packed @actllm/core and @actllm/graph, in a project outside this
// repository. Then the plugin registers itself on import and runs graphs through the
// registry. Needs the packages built (`npm test` runs this after nx has built them).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work;

function pack(dir) {
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', work], {
    cwd: join(repo, dir),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return join(work, JSON.parse(out)[0].filename);
}

// Runs in the temporary project: only the installed packages are reachable from there.
const SCRIPT = `
import { listBackends, resolveBackend, isActllmError, createTensor } from '@actllm/core';
import { GraphBuilder, createSession, initParameters, run } from '@actllm/graph';
import { feedCheckCases, runFeedCheck, runParitySuite, tensorError } from '@actllm/graph/parity';
import { NAME } from 'actllm-backend-reference-example';

const g = new GraphBuilder('tiny');
const x = g.input('x', 'float32', ['batch', 2]);
const w = g.parameter('w', [2, 3], { kind: 'normal', std: 1 });
g.output(g.softmax(g.matmul(x, w), -1), 'p');
const graph = g.build();
const weights = initParameters(graph, 1);
const feeds = { x: createTensor('float32', [2, 2], Float32Array.from([1, -2, 0.5, 3])) };

const listed = listBackends().find((b) => b.name === NAME);
let byDefault;
try {
  byDefault = (await resolveBackend()).name;
} catch (e) {
  byDefault = isActllmError(e, 'BACKEND_UNAVAILABLE') ? 'unavailable' : String(e);
}
const { name, backend } = await resolveBackend({ names: [NAME], capability: 'train' });
const session = await createSession(graph, weights, { backend: NAME });
const out = await session.run(feeds);
const error = tensorError(out.p, run(graph, { ...feeds, ...weights }).p);
const parity = await runParitySuite(backend);
const checks = [];
for (const c of feedCheckCases()) checks.push(await runFeedCheck(backend, c));
console.log(JSON.stringify({
  priority: listed?.priority,
  byDefault,
  name,
  shape: out.p.shape,
  error,
  parity: { cases: parity.length, failed: parity.filter((r) => r.status !== 'pass').map((r) => r.name) },
  feedChecks: { cases: checks.length, codes: checks.map((r) => r.got), failed: checks.filter((r) => r.status !== 'pass').map((r) => r.name) },
}));
`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'actllm-plugin-'));
  const tarballs = ['packages/core', 'packages/graph', 'examples/backend-plugin'].map(pack);
  const project = join(work, 'project');
  mkdirSync(project);
  const dependencies = {
    '@actllm/core': `file:${tarballs[0]}`,
    '@actllm/graph': `file:${tarballs[1]}`,
    'actllm-backend-reference-example': `file:${tarballs[2]}`,
  };
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'plugin-user', private: true, type: 'module', dependencies }),
  );
  writeFileSync(join(project, 'main.mjs'), SCRIPT);
  execFileSync(
    npm,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
    ],
    { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] },
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

it('registers itself from an installed tarball and runs graphs through the registry', () => {
  const stdout = execFileSync(process.execPath, ['main.mjs'], {
    cwd: join(work, 'project'),
    encoding: 'utf8',
  });
  const result = JSON.parse(stdout);
  expect(result).toMatchObject({
    priority: -1,
    byDefault: 'unavailable',
    name: 'reference-example',
  });
  expect(result.shape).toEqual([2, 3]);
  expect(result.error).toBe(0);
  expect(result.parity.cases).toBeGreaterThan(100);
  expect(result.parity.failed).toEqual([]);
  // The same GRAPH_* codes as the onnx and tfjs backends' parity tests check.
  expect(result.feedChecks.cases).toBeGreaterThanOrEqual(20);
  expect(result.feedChecks.failed).toEqual([]);
  expect(result.feedChecks.codes).toContain('GRAPH_INVALID_FEED');
});
