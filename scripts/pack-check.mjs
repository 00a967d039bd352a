#!/usr/bin/env node
// The packaging check: every publishable workspace package must pass publint, pack into a
// tarball, install from it into a fresh project outside the workspace, and load through
// both `import` and `require` with every runtime export its type declarations promise, and
// every README's `ts` examples must type-check against the tarballs with skipLibCheck off.
// Run after the packages are built (`npm run pack-check` does both).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { readmeExamples } from './readme-examples.mjs';
import { readWorkspace } from './workspace.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const problems = [];

function manifestProblems({ dir, manifest }) {
  const out = [];
  for (const field of ['exports', 'files', 'sideEffects', 'license', 'description']) {
    if (manifest[field] === undefined) out.push(`package.json has no "${field}"`);
  }
  for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE']) {
    if (!existsSync(join(dir, file))) out.push(`no ${file}`);
  }
  const license = join(dir, 'LICENSE');
  if (existsSync(license) && !readFileSync(license).equals(readFileSync(join(root, 'LICENSE')))) {
    out.push('its LICENSE differs from the repository LICENSE; copy the root LICENSE over it');
  }
  return out;
}

/** npm includes a package-folder LICENSE whatever `files` says; check the tarball has it. */
function tarballProblems(packed) {
  return packed.files.some((f) => f.path === 'LICENSE') ? [] : ['its tarball has no LICENSE'];
}

async function lint(pkg) {
  const { messages } = await publint({
    pkgDir: pkg.dir,
    level: 'warning',
    strict: true,
    pack: 'npm',
  });
  return messages.map(
    (m) => `publint ${m.type}: ${formatMessage(m, pkg.manifest, { color: false })}`,
  );
}

function pack(pkg, destination) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: pkg.dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const packed = JSON.parse(out)[0];
  return { path: join(destination, packed.filename), problems: tarballProblems(packed) };
}

/** Runtime names a declaration file exports (`export { a, b as c, type T }` and `export declare ...`). */
function declaredValueExports(dtsPath) {
  const text = readFileSync(dtsPath, 'utf8');
  const names = new Set();
  for (const [, list] of text.matchAll(/^export\s*\{([^}]*)\}/gm)) {
    for (const item of list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      if (item.startsWith('type ')) continue;
      names.add(item.split(/\s+as\s+/).pop());
    }
  }
  for (const [, name] of text.matchAll(
    /^export\s+declare\s+(?:const|let|var|function|class|enum)\s+(\w+)/gm,
  )) {
    names.add(name);
  }
  return [...names].sort();
}

/** Entry points of the exports map: subpath -> { types, isJson }. */
function entryPoints(pkg) {
  const entries = [];
  for (const [subpath, target] of Object.entries(pkg.manifest.exports)) {
    if (subpath === './package.json') continue;
    const types = typeof target === 'object' ? (target.import?.types ?? target.types) : undefined;
    const isJson = JSON.stringify(target).includes('.json');
    entries.push({
      specifier: pkg.manifest.name + subpath.slice(1),
      types: types && join(pkg.dir, types),
      isJson,
    });
  }
  return entries;
}

const LOAD_BOTH = `
const [specifier, isJson] = process.argv.slice(1);
const { createRequire } = await import('node:module');
const require = createRequire(process.cwd() + '/');
const esm = isJson === 'true' ? await import(specifier, { with: { type: 'json' } }) : await import(specifier);
const cjs = require(specifier);
const keys = (m) => Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort();
console.log(JSON.stringify({ esm: keys(esm), cjs: isJson === 'true' ? keys(esm) : keys(cjs) }));
`;

/**
 * Every README's `ts` examples, type-checked in the install project against the tarballs
 * as a user's project would see them: strict, and `skipLibCheck: false`, so declarations
 * that leak types users do not have fail here.
 */
function typecheckReadmes(packages, project) {
  const dir = join(project, 'readme-examples');
  mkdirSync(dir);
  const files = [];
  const packed = new Set(packages.map((p) => p.manifest.name));
  for (const e of readmeExamples(root)) {
    if (!packed.has(e.name)) continue;
    const file = join(dir, `${e.name.replace('@actllm/', '')}-${e.index}.ts`);
    writeFileSync(file, `export {};\n${e.code}`);
    files.push(file);
  }
  if (files.length === 0) return [];
  const compilerOptions = {
    strict: true,
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    lib: ['ES2023'],
    noEmit: true,
    skipLibCheck: false,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
  };
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
  try {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return [];
  } catch (e) {
    return [
      `README examples do not type-check against the tarballs (skipLibCheck: false):\n${e.stdout}${e.stderr}`,
    ];
  }
}

// Two copies of core (the ESM and the CJS build) must share one backend registry.
const SHARED_REGISTRY = `
const { createRequire } = await import('node:module');
const esm = await import('@actllm/core');
const cjs = createRequire(process.cwd() + '/')('@actllm/core');
const backend = { capabilities: { infer: true, train: false, devices: ['cpu'] }, init: async () => {}, createSession: async () => { throw new Error('unused'); } };
esm.registerBackend('pack-check', backend, 1);
const resolved = await cjs.resolveBackend();
if (resolved.backend !== backend) throw new Error('the ESM and CJS builds of @actllm/core do not share the registry');
`;

function checkInstalled(pkg, project) {
  const out = [];
  for (const entry of entryPoints(pkg)) {
    let loaded;
    try {
      loaded = JSON.parse(
        execFileSync(
          'node',
          ['--input-type=module', '-e', LOAD_BOTH, entry.specifier, String(entry.isJson)],
          {
            cwd: project,
            encoding: 'utf8',
          },
        ),
      );
    } catch (e) {
      out.push(`${entry.specifier} does not load from the tarball: ${e.stderr || e.message}`);
      continue;
    }
    if (entry.isJson) continue;
    const declared = entry.types ? declaredValueExports(entry.types) : [];
    for (const [format, keys] of Object.entries(loaded)) {
      const missing = declared.filter((name) => !keys.includes(name));
      if (missing.length)
        out.push(`${entry.specifier} (${format}) lacks declared exports: ${missing.join(', ')}`);
      if (keys.length === 0) out.push(`${entry.specifier} (${format}) exports nothing`);
    }
    if (loaded.esm.join() !== loaded.cjs.join())
      out.push(`${entry.specifier}: ESM and CJS export different names`);
  }
  return out;
}

// `node scripts/pack-check.mjs [name ...]` checks only the named packages.
const only = process.argv.slice(2);
const packages = readWorkspace(root).filter(
  (p) => p.manifest.private !== true && (only.length === 0 || only.includes(p.manifest.name)),
);
const work = mkdtempSync(join(tmpdir(), 'actllm-pack-check-'));
try {
  const tarballs = [];
  for (const pkg of packages) {
    const found = [...manifestProblems(pkg), ...(await lint(pkg))];
    const packed = pack(pkg, work);
    problems.push(...[...found, ...packed.problems].map((p) => `${pkg.manifest.name}: ${p}`));
    tarballs.push(packed.path);
  }
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'pack-check', private: true, type: 'module' }),
  );
  // As a user installs offline: no .npmrc, the environment variable onnxruntime-node reads.
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  for (const pkg of packages) {
    problems.push(...checkInstalled(pkg, project).map((p) => `${pkg.manifest.name}: ${p}`));
  }
  problems.push(...typecheckReadmes(packages, project));
  if (packages.some((p) => p.manifest.name === '@actllm/core')) {
    try {
      execFileSync('node', ['--input-type=module', '-e', SHARED_REGISTRY], {
        cwd: project,
        stdio: 'pipe',
      });
    } catch (e) {
      problems.push(`@actllm/core: ${e.stderr || e.message}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`pack-check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(
  `pack-check OK: ${packages.map((p) => p.manifest.name).join(', ')} pack, install (ONNXRUNTIME_NODE_INSTALL=skip, no .npmrc) and load through import and require; their README examples type-check with skipLibCheck: false.`,
);
