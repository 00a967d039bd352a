// Reads the npm workspace: every package folder matched by the root package.json's
// `workspaces` globs (only the `dir/*` form is used here), with its manifest.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** @returns {{ dir: string, manifest: Record<string, any> }[]} */
export function readWorkspace(root) {
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const packages = [];
  for (const pattern of rootManifest.workspaces ?? []) {
    if (!pattern.endsWith('/*'))
      throw new Error(`Unsupported workspace pattern ${pattern}: use "dir/*".`);
    const parent = join(root, pattern.slice(0, -2));
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      const dir = join(parent, entry.name);
      if (entry.isDirectory() && existsSync(join(dir, 'package.json'))) {
        packages.push({
          dir,
          manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')),
        });
      }
    }
  }
  return packages;
}
