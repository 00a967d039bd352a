// The TypeScript examples of every package README, shared by the repository test that runs
// them (scripts/readme-examples.test.mjs) and by pack-check, which type-checks them against
// the packed tarballs. An example states what it prints: every `console.log(...)` line ends
// with `// <what it prints>`, in the order it prints.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWorkspace } from './workspace.mjs';

/**
 * What each `console.log(...)` of an example says it prints: the comment after the call's
 * closing `);` (the call may span lines, as Prettier wraps it). A call without one gives ''.
 */
function expectedOutputs(code) {
  const out = [];
  let at = code.indexOf('console.log(');
  while (at >= 0) {
    let depth = 0;
    let i = at + 'console.log'.length;
    for (; i < code.length; i++) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')' && --depth === 0) break;
    }
    const lineEnd = code.indexOf('\n', i);
    const rest = code.slice(i + 1, lineEnd < 0 ? undefined : lineEnd);
    out.push(/^;?\s*\/\/\s?(.*)$/.exec(rest)?.[1]?.trim() ?? '');
    at = code.indexOf('console.log(', i);
  }
  return out;
}

/**
 * `{ name, dir, index, code, expected }` for every ```ts block of every workspace package's
 * README, in package order. `expected` lists what its console.log calls say they print.
 */
export function readmeExamples(root) {
  const examples = [];
  for (const { dir, manifest } of readWorkspace(root)) {
    const file = join(dir, 'README.md');
    if (manifest.private === true || !existsSync(file)) continue;
    const readme = readFileSync(file, 'utf8');
    [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].forEach((m, index) => {
      const code = m[1];
      const expected = expectedOutputs(code);
      examples.push({ name: manifest.name, dir, index, code, expected });
    });
  }
  return examples;
}
