import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

// The README's example must run as written (against the sources) and print what it says.
it('runs the README example', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const dir = mkdtempSync(join(import.meta.dirname, '.readme-'));
  const file = join(dir, 'example.ts');
  const source = fileURLToPath(new URL('../src/index.ts', import.meta.url));
  writeFileSync(file, code!.replace("'@actllm/policy'", JSON.stringify(source)));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import(file);
    expect(log.mock.calls).toEqual([
      [48],
      [['logits', 'loss.obs', 'loss.fwd', 'loss.act', 'loss.ac', 'loss']],
      [6, true],
      [false],
    ]);
  } finally {
    log.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
});
