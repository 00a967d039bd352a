// Every README example runs as written, against the built packages as a user imports them,
// and prints what its comments say (see readme-examples.mjs). They run one after another in
// one process, in workspace order, as one program importing them in that order would: a
// backend an earlier example registers stays registered.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { afterAll, expect, it, vi } from 'vitest';
import { readmeExamples } from './readme-examples.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = join(root, 'scripts', '.readme-run');
const examples = readmeExamples(root);
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('finds the examples of every README that has one', () => {
  const names = new Set(examples.map((e) => e.name));
  for (const name of ['@actllm/core', '@actllm/graph', '@actllm/encoder', '@actllm/policy']) {
    expect(names.has(name), name).toBe(true);
  }
  for (const e of examples)
    expect(e.expected.length, `${e.name} example ${e.index}`).toBeGreaterThan(0);
});

it.each(examples.map((e) => [`${e.name} example ${e.index}`, e]))('%s', async (_label, e) => {
  mkdirSync(work, { recursive: true });
  const file = join(work, `${e.name.replace('@actllm/', '')}-${e.index}.ts`);
  writeFileSync(file, `export {};\n${e.code}`);
  const printed = [];
  const log = vi
    .spyOn(console, 'log')
    .mockImplementation((...args) => printed.push(format(...args)));
  try {
    await import(file);
  } finally {
    log.mockRestore();
  }
  expect(printed).toEqual(e.expected);
});
