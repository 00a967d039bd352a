import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Builds dist/cli.js when it is missing or older than a source file (nx test builds first). */
export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  const bin = join(root, 'dist', 'cli.js');
  const newest = Math.max(
    ...readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => statSync(join(e.parentPath, e.name)).mtimeMs),
  );
  if (!existsSync(bin) || statSync(bin).mtimeMs < newest)
    execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
}
