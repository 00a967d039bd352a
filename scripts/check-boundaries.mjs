#!/usr/bin/env node
// The package boundary check (the package table of docs/architecture.md). It fails on:
// - an internal dependency that the architecture does not allow (direction of the arrows);
// - a dependency cycle between workspace packages;
// - an import of another package's `src/`, of a subpath its `exports` map does not offer,
//   or of an internal package the importer does not declare as a dependency;
// - a relative import that leaves the package's own folder.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWorkspace } from './workspace.mjs';

/** Which internal packages each package may depend on: the arrows of docs/architecture.md. */
export const ALLOWED_DEPENDENCIES = {
  '@actllm/core': [],
  '@actllm/graph': ['@actllm/core'],
  '@actllm/tabletop': ['@actllm/core'],
  '@actllm/encoder': ['@actllm/core', '@actllm/graph'],
  '@actllm/descriptor': ['@actllm/core'],
  '@actllm/dialogue': ['@actllm/core', '@actllm/descriptor'],
  '@actllm/policy': [
    '@actllm/core',
    '@actllm/graph',
    '@actllm/encoder',
    '@actllm/descriptor',
    '@actllm/dialogue',
  ],
  '@actllm/backend-tfjs': ['@actllm/core', '@actllm/graph'],
  '@actllm/backend-onnx': ['@actllm/core', '@actllm/graph'],
  '@actllm/cli': '*',
};

const DEPENDENCY_FIELDS = [
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
  'devDependencies',
];
const SOURCE_FOLDERS = ['src', 'test', 'bench'];
const SOURCE_FILE = /\.(?:[cm]?[jt]s|tsx)$/;
// import/export ... from '...', import('...'), require('...'), import '...'
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;

function internalDependencies(manifest, names) {
  const deps = new Set();
  for (const field of DEPENDENCY_FIELDS) {
    for (const dep of Object.keys(manifest[field] ?? {})) if (names.has(dep)) deps.add(dep);
  }
  return [...deps];
}

function checkDirections(packages, names) {
  const problems = [];
  for (const { manifest } of packages) {
    const allowed = ALLOWED_DEPENDENCIES[manifest.name];
    if (allowed === undefined) {
      problems.push(
        `${manifest.name}: not in the package table; add it to ALLOWED_DEPENDENCIES in scripts/check-boundaries.mjs and to docs/architecture.md.`,
      );
      continue;
    }
    if (allowed === '*') continue;
    for (const dep of internalDependencies(manifest, names)) {
      if (!allowed.includes(dep)) {
        problems.push(
          `${manifest.name} depends on ${dep}, which breaks the dependency direction (allowed: ${allowed.join(', ') || 'nothing of ours'}).`,
        );
      }
    }
  }
  return problems;
}

function findCycles(packages, names) {
  const graph = new Map(
    packages.map(({ manifest }) => [manifest.name, internalDependencies(manifest, names)]),
  );
  const state = new Map(); // name -> 'visiting' | 'done'
  const cycles = [];
  const visit = (name, path) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      cycles.push(`dependency cycle: ${[...path.slice(path.indexOf(name)), name].join(' -> ')}`);
      return;
    }
    state.set(name, 'visiting');
    for (const dep of graph.get(name) ?? []) visit(dep, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of graph.keys()) visit(name, []);
  return cycles;
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (SOURCE_FILE.test(entry.name)) yield path;
  }
}

function exportedSubpaths(manifest) {
  const exportsField = manifest.exports;
  if (exportsField === undefined) return null; // no map: anything goes, as Node itself allows
  if (
    typeof exportsField === 'string' ||
    !Object.keys(exportsField).some((k) => k.startsWith('.'))
  ) {
    return new Set(['.']);
  }
  return new Set(Object.keys(exportsField));
}

function checkImport(file, specifier, pkg, byName) {
  const where = relative(process.cwd(), file);
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(file), specifier);
    if (target !== pkg.dir && !target.startsWith(pkg.dir + sep)) {
      return `${where}: relative import "${specifier}" leaves ${pkg.manifest.name}; import the other package by name.`;
    }
    return undefined;
  }
  const match = /^(@actllm\/[^/]+)(\/.*)?$/.exec(specifier);
  if (!match) return undefined;
  const [, name, rest = ''] = match;
  const target = byName.get(name);
  if (!target) return undefined; // a published @actllm package outside this workspace
  if (rest === '/src' || rest.startsWith('/src/')) {
    return `${where}: imports "${specifier}", the src/ of another package; import "${name}" (its public exports) instead.`;
  }
  if (name !== pkg.manifest.name && !internalDependencies(pkg.manifest, new Set([name])).length) {
    return `${where}: imports ${name}, which ${pkg.manifest.name} does not declare in package.json.`;
  }
  const subpaths = exportedSubpaths(target.manifest);
  if (subpaths && !subpaths.has(`.${rest}`)) {
    return `${where}: imports "${specifier}", which ${name}'s exports map does not offer (${[...subpaths].join(', ')}).`;
  }
  return undefined;
}

function checkImports(packages) {
  const byName = new Map(packages.map((p) => [p.manifest.name, p]));
  const problems = [];
  for (const pkg of packages) {
    for (const folder of SOURCE_FOLDERS) {
      const dir = join(pkg.dir, folder);
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
      for (const file of sourceFiles(dir)) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(SPECIFIER)) {
          const problem = checkImport(file, m[2], pkg, byName);
          if (problem) problems.push(problem);
        }
      }
    }
  }
  return problems;
}

/** Every boundary violation in the workspace at `root`; empty when all is well. */
export function checkBoundaries(root) {
  const packages = readWorkspace(root);
  const names = new Set(packages.map((p) => p.manifest.name));
  return [
    ...checkDirections(packages, names),
    ...findCycles(packages, names),
    ...checkImports(packages),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkBoundaries(root);
  if (problems.length > 0) {
    console.error(
      `Package boundary check failed (the package table is in scripts/check-boundaries.mjs and docs/architecture.md):\n- ${problems.join('\n- ')}`,
    );
    process.exit(1);
  }
  console.log(`Package boundaries OK (${readWorkspace(root).length} packages).`);
}
