import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBoundaries } from './check-boundaries.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let fixture;

/** A throwaway workspace: `packages` maps a folder to { manifest, files }. */
function makeWorkspace(packages) {
  fixture = mkdtempSync(join(tmpdir(), 'actllm-boundaries-'));
  writeFileSync(join(fixture, 'package.json'), JSON.stringify({ workspaces: ['packages/*'] }));
  for (const [folder, { manifest, files = {} }] of Object.entries(packages)) {
    const dir = join(fixture, 'packages', folder);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  }
  return fixture;
}

const core = {
  manifest: { name: '@actllm/core', exports: { '.': './dist/index.js' } },
  files: { 'src/index.ts': 'export const x = 1;\n' },
};

afterEach(() => {
  if (fixture) rmSync(fixture, { recursive: true, force: true });
  fixture = undefined;
});

describe('checkBoundaries', () => {
  it('passes on this repository', () => {
    expect(checkBoundaries(repoRoot)).toEqual([]);
  });

  it('passes on a well-formed fixture', () => {
    const root = makeWorkspace({
      core,
      descriptor: {
        manifest: { name: '@actllm/descriptor', dependencies: { '@actllm/core': '0.0.0' } },
        files: {
          'src/index.ts': "import { x } from '@actllm/core';\nimport { y } from './y.js';\n",
        },
      },
    });
    expect(checkBoundaries(root)).toEqual([]);
  });

  it("fails on an import of another package's src/", () => {
    const root = makeWorkspace({
      core,
      descriptor: {
        manifest: { name: '@actllm/descriptor', dependencies: { '@actllm/core': '0.0.0' } },
        files: { 'src/index.ts': "import { x } from '@actllm/core/src/geometry.js';\n" },
      },
    });
    expect(checkBoundaries(root)).toEqual([expect.stringContaining('the src/ of another package')]);
  });

  it('fails on a relative import into another package and on unexported subpaths', () => {
    const root = makeWorkspace({
      core,
      descriptor: {
        manifest: { name: '@actllm/descriptor', dependencies: { '@actllm/core': '0.0.0' } },
        files: {
          'test/a.test.ts':
            "import { x } from '../../core/src/index.js';\nconst y = await import('@actllm/core/dist/index.js');\n",
        },
      },
    });
    const problems = checkBoundaries(root);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('leaves @actllm/descriptor');
    expect(problems[1]).toContain('exports map does not offer');
  });

  it('fails on an import of an undeclared internal package', () => {
    const root = makeWorkspace({
      core,
      descriptor: {
        manifest: { name: '@actllm/descriptor' },
        files: { 'src/index.ts': "const c = require('@actllm/core');\n" },
      },
    });
    expect(checkBoundaries(root)).toEqual([expect.stringContaining('does not declare')]);
  });

  it('fails on a dependency against the direction of the architecture', () => {
    const root = makeWorkspace({
      core,
      tabletop: {
        manifest: {
          name: '@actllm/tabletop',
          dependencies: { '@actllm/core': '0.0.0', '@actllm/policy': '0.0.0' },
        },
      },
      policy: { manifest: { name: '@actllm/policy', dependencies: { '@actllm/core': '0.0.0' } } },
    });
    expect(checkBoundaries(root)).toEqual([
      expect.stringMatching(/@actllm\/tabletop depends on @actllm\/policy/),
    ]);
  });

  it('fails on a dependency cycle and on a package missing from the table', () => {
    const root = makeWorkspace({
      a: { manifest: { name: '@actllm/a', dependencies: { '@actllm/b': '0.0.0' } } },
      b: { manifest: { name: '@actllm/b', devDependencies: { '@actllm/a': '0.0.0' } } },
    });
    const problems = checkBoundaries(root);
    expect(problems).toContain('dependency cycle: @actllm/a -> @actllm/b -> @actllm/a');
    expect(problems.filter((p) => p.includes('not in the package table'))).toHaveLength(2);
  });
});
