import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { listBackends, resolveBackend } from '@actllm/core';
import { loadInstalledBackends } from '../backends.js';
import { COMMON, type CommandDef } from '../command.js';
import { fields, printResult, table } from '../output.js';

const PACKAGES = [
  '@actllm/cli',
  '@actllm/core',
  '@actllm/graph',
  '@actllm/descriptor',
  '@actllm/dialogue',
  '@actllm/encoder',
  '@actllm/tabletop',
  '@actllm/policy',
  '@actllm/backend-onnx',
  '@actllm/backend-tfjs',
];

const require = createRequire(import.meta.url);

/** A package's version from its package.json (resolved from `from`), or null when absent. */
function versionOf(name: string, from = require): string | null {
  try {
    const path = from.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** onnxruntime-node is the onnx backend's dependency: resolve it from there. */
function onnxruntimeVersion(): string | null {
  try {
    return versionOf(
      'onnxruntime-node',
      createRequire(require.resolve('@actllm/backend-onnx/package.json')),
    );
  } catch {
    return null;
  }
}

export const info: CommandDef = {
  name: 'info',
  summary: 'show versions, backends (and whether each can train), onnxruntime and CUDA, Node, CPUs',
  specs: [...COMMON],
  examples: `
Examples:
  $ actllm info
  $ actllm info --json | jq '.backends[] | select(.train)'`,
  async run(_o, io) {
    const absent = await loadInstalledBackends();
    const backends: {
      name: string;
      priority: number;
      infer: boolean;
      train: boolean;
      devices: string[];
      usable: boolean;
      error?: string;
    }[] = [];
    for (const b of listBackends()) {
      // Initializing tells whether the backend actually loads here (a native runtime may not).
      let usable = true;
      let error: string | undefined;
      try {
        await resolveBackend({ names: [b.name] });
      } catch (e) {
        usable = false;
        error = (e as Error).message;
      }
      backends.push({
        name: b.name,
        priority: b.priority,
        infer: b.capabilities.infer,
        train: b.capabilities.train,
        devices: [...b.capabilities.devices],
        usable,
        ...(error ? { error } : {}),
      });
    }
    let cuda = false;
    try {
      cuda = (await import('@actllm/backend-onnx')).cudaInstalled();
    } catch {
      cuda = false;
    }
    const result = {
      command: 'info',
      packages: Object.fromEntries(PACKAGES.map((p) => [p, versionOf(p)])),
      backends,
      notInstalled: absent,
      onnxruntime: { version: onnxruntimeVersion(), cuda },
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: availableParallelism?.() ?? cpus().length,
    };
    printResult(io, result, () =>
      [
        table(
          ['package', 'version'],
          Object.entries(result.packages).map(([p, v]) => [p, v ?? 'not installed']),
        ),
        '',
        table(
          ['backend', 'priority', 'infer', 'train', 'devices', 'status'],
          [
            ...backends.map((b) => [
              b.name,
              b.priority,
              b.infer ? 'yes' : 'no',
              b.train ? 'yes' : 'no',
              b.devices.join(','),
              b.usable ? 'ok' : `failed: ${b.error ?? ''}`,
            ]),
            ...absent.map((n) => [n, '', '', '', '', 'not installed']),
          ],
        ),
        '',
        fields([
          ['onnxruntime-node', result.onnxruntime.version ?? 'not installed'],
          [
            'CUDA provider',
            cuda
              ? 'installed'
              : 'not installed (CPU only; ONNXRUNTIME_NODE_INSTALL=cuda12 adds it)',
          ],
          ['node', result.node],
          ['platform', result.platform],
          ['cpus', result.cpus],
        ]),
      ].join('\n'),
    );
  },
};
