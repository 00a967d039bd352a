// The shipped checkpoint (checkpoints/default): it loads, stays within 25 MB, and its L1
// static success on the fixed CI episodes is at least the value recorded in its README
// minus 5 points. Runs the built CLI, as a user would.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '@actllm/policy';

const root = join(import.meta.dirname, '..');
const dir = join(root, 'checkpoints', 'default');
/** The README line the test reads: "... CI episodes (...): **12.3%**". */
const RECORDED = /CI episodes[^:\n]*:\s*\*\*([\d.]+)%\*\*/;

describe('the shipped default checkpoint', () => {
  it('loads and is at most 25 MB', async () => {
    const bytes = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(25 * 1024 * 1024);
    const ckpt = await loadCheckpoint(dir);
    expect(Object.keys(ckpt.weights).length).toBeGreaterThan(0);
  });

  it('keeps its recorded L1 static success on the CI episodes, within 5 points', () => {
    const recorded = RECORDED.exec(readFileSync(join(dir, 'README.md'), 'utf8'));
    expect(recorded, 'checkpoints/default/README.md records the CI figure').not.toBeNull();
    const args = ['eval', '--checkpoint', dir, '--levels', 'L1', '--modes', 'static'];
    const run = spawnSync(
      process.execPath,
      [join(root, 'apps/cli/dist/cli.js'), ...args, '--episodes', '4', '--seed', '2026', '--json'],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.episodes).toBe(52);
    expect(100 * result.overall.static.rate).toBeGreaterThanOrEqual(Number(recorded[1]) - 5);
  }, 600_000);
});
