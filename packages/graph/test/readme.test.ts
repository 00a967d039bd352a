import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

// Every example in the README must run as written (against the sources instead of the
// package) and print what its comments say.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const expected: unknown[][][] = [
  [[['batch', 3]], ['w1.grad', [4, 16]], [true, 1], [true]],
  [[[1, 2]], ['GRAPH_INVALID_FEED'], [['loss', 'optim.grad_norm']]],
];

it('has the examples this test knows', () => {
  expect(blocks).toHaveLength(expected.length);
});

it.each(blocks.map((code, i) => [i, code] as const))('runs README example %i', async (i, code) => {
  const dir = mkdtempSync(join(import.meta.dirname, '.readme-'));
  const file = join(dir, 'example.ts');
  const source = fileURLToPath(new URL('../src/index.ts', import.meta.url));
  writeFileSync(file, code.replaceAll("'@actllm/graph'", JSON.stringify(source)));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import(file);
    expect(log.mock.calls).toEqual(expected[i]);
  } finally {
    log.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
});
