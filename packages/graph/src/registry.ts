import { GraphError } from './errors.js';
import type { OpDef } from './op-def.js';
import { ELEMENTWISE_OPS } from './ops/elementwise.js';
import { GENERATOR_OPS } from './ops/generate.js';
import { LOGIC_OPS } from './ops/logic.js';
import { MATMUL_OPS } from './ops/matmul.js';
import { NN_OPS } from './ops/nn.js';
import { REDUCE_OPS } from './ops/reduce.js';
import { SHAPE_OPS } from './ops/shape.js';
import { SLICE_OPS } from './ops/slice.js';

/** The built-in ops, by family (one file per family under ops/). */
export const BUILTIN_OPS: readonly OpDef[] = [
  ...ELEMENTWISE_OPS,
  ...LOGIC_OPS,
  ...GENERATOR_OPS,
  ...REDUCE_OPS,
  ...SHAPE_OPS,
  ...SLICE_OPS,
  ...MATMUL_OPS,
  ...NN_OPS,
];

// Filled when this module loads, not by side-effect imports, so bundlers cannot drop ops.
const registry = new Map<string, OpDef>(BUILTIN_OPS.map((d) => [d.type, d]));

/** Adds an op (a third party can extend the set); replacing a built-in needs `replace`. */
export function registerOp(def: OpDef, options: { replace?: boolean } = {}): void {
  const d = def as Partial<OpDef> | null;
  if (
    typeof d?.type !== 'string' ||
    typeof d.infer !== 'function' ||
    typeof d.kernel !== 'function'
  ) {
    throw new GraphError(
      'GRAPH_INVALID_ARGUMENT',
      'registerOp needs an OpDef with a type, infer() and kernel().',
    );
  }
  if (registry.has(def.type) && options.replace !== true) {
    throw new GraphError(
      'GRAPH_INVALID',
      `Op ${def.type} is already registered; pass { replace: true } to override it.`,
    );
  }
  registry.set(def.type, def);
}

export function getOp(type: string): OpDef {
  const def = registry.get(type);
  if (!def) {
    throw new GraphError(
      'GRAPH_UNSUPPORTED_OP',
      `Op ${type} is not supported; the supported ops are: ${[...registry.keys()].sort().join(', ')}.`,
    );
  }
  return def;
}

export function hasOp(type: string): boolean {
  return registry.has(type);
}

/** Every registered op, sorted by type. */
export function listOps(): OpDef[] {
  return [...registry.values()].sort((a, b) => a.type.localeCompare(b.type));
}
