import type { Node, TensorRef } from '@actllm/graph';
import type { ProductForm } from './kernels/matmul.js';
import type { RuntimeName } from './runtime.js';

/**
 * Fusion planning for tfjs' fused matMul: a Transpose that swaps the last two axes folds
 * into the product's transposeA/transposeB (the backward pass is full of them), and a bias
 * Add after the product (and a Relu after that) fold into its epilogue. Only float32
 * products whose intermediate results nobody else reads are fused.
 *
 * The epilogue is fused on the native runtimes only: tfjs-backend-wasm 4.22's _FusedMatMul
 * returns wrong values with a bias unless both operands are plain 2-D matrices (found by
 * the parity suite), and the cpu backend runs a fused epilogue as a separate add anyway.
 */

function fusesEpilogue(runtime: RuntimeName): boolean {
  return runtime === 'tensorflow' || runtime === 'tensorflow-gpu';
}

export interface Fusion {
  /** a, b and, when an Add was folded, the bias. */
  readonly inputs: readonly string[];
  readonly output: string;
  readonly form: ProductForm;
}

export interface FusionPlan {
  /** The chain's last node maps to its fusion; the nodes folded into it map to 'skip'. */
  readonly byNode: ReadonlyMap<string, Fusion | 'skip'>;
}

interface FuseOptions {
  readonly runtime: RuntimeName;
  readonly referenceOps: ReadonlySet<string>;
  readonly types: ReadonlyMap<string, TensorRef>;
}

function isSwapLast(node: Node): boolean {
  const perm = node.attributes['perm'];
  if (!Array.isArray(perm) || perm.length < 2) return false;
  const r = perm.length;
  return (perm as number[]).every((p, i) =>
    i === r - 2 ? p === r - 1 : i === r - 1 ? p === r - 2 : p === i,
  );
}

function sameShape(a: TensorRef | undefined, b: TensorRef | undefined): boolean {
  return (
    !!a && !!b && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])
  );
}

class Uses {
  readonly count = new Map<string, number>();
  readonly readers = new Map<string, Node>();
  constructor(nodes: readonly Node[], wanted: readonly string[]) {
    for (const node of nodes) {
      for (const name of node.inputs) {
        this.count.set(name, (this.count.get(name) ?? 0) + 1);
        this.readers.set(name, node);
      }
    }
    for (const name of wanted) this.count.set(name, (this.count.get(name) ?? 0) + 1);
  }
  /** The one node that reads `name`, when exactly one node (and no output) does. */
  only(name: string): Node | undefined {
    return this.count.get(name) === 1 ? this.readers.get(name) : undefined;
  }
}

/** The constant integers of `name`, when a Constant node makes it. */
function constantInts(producer: ReadonlyMap<string, Node>, name: string): number[] | undefined {
  const node = producer.get(name);
  const value = node?.op === 'Constant' ? node.attributes['value'] : undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value) || !('data' in value))
    return undefined;
  return Array.from(value.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/**
 * A ReduceSum (keepdims 0) over exactly the batch axes of a product whose operands share
 * those batch axes: the weight gradients of batched products. It folds into the product
 * as one 2-D product (see `sumBatch`).
 */
function batchSumReader(
  mm: Node,
  a: string,
  b: string,
  uses: Uses,
  producer: ReadonlyMap<string, Node>,
  options: FuseOptions,
): Node | undefined {
  const out = mm.outputs[0] as string;
  const rs = uses.only(out);
  if (!rs || rs.op !== 'ReduceSum' || rs.inputs[0] !== out || options.referenceOps.has('ReduceSum'))
    return undefined;
  if ((rs.attributes['keepdims'] ?? 1) !== 0) return undefined;
  const [ta, tb, to] = [options.types.get(a), options.types.get(b), options.types.get(out)];
  if (!ta || !tb || !to || to.shape.length < 3) return undefined;
  const rank = to.shape.length;
  const batch = to.shape.slice(0, -2);
  if (!batch.every((d) => typeof d === 'number')) return undefined;
  if (ta.shape.length !== rank || tb.shape.length !== rank) return undefined;
  if (!batch.every((d, i) => ta.shape[i] === d && tb.shape[i] === d)) return undefined;
  const axes = constantInts(producer, rs.inputs[1] ?? '');
  if (!axes || axes.length !== rank - 2) return undefined;
  const norm = axes.map((x) => (x < 0 ? x + rank : x)).sort((x, y) => x - y);
  return norm.every((x, i) => x === i) ? rs : undefined;
}

export function planFusions(
  nodes: readonly Node[],
  wanted: readonly string[],
  options: FuseOptions,
): FusionPlan {
  const byNode = new Map<string, Fusion | 'skip'>();
  const producer = new Map<string, Node>();
  for (const node of nodes) for (const o of node.outputs) producer.set(o, node);
  const uses = new Uses(nodes, wanted);
  const allowed = (op: string): boolean => !options.referenceOps.has(op);
  for (const mm of nodes) {
    const out = mm.outputs[0] as string;
    if (mm.op !== 'MatMul' || !allowed('MatMul') || options.types.get(out)?.dtype !== 'float32')
      continue;
    const folded: string[] = [];
    const operands = mm.inputs.slice(0, 2).map((name) => {
      const t = producer.get(name);
      if (!t || t.op !== 'Transpose' || !allowed('Transpose') || !isSwapLast(t))
        return { name, trans: false };
      if (uses.only(name) !== mm || byNode.has(t.name)) return { name, trans: false };
      folded.push(t.name);
      return { name: t.inputs[0] as string, trans: true };
    });
    const [a, b] = operands as [{ name: string; trans: boolean }, { name: string; trans: boolean }];
    let last: Node = mm;
    let bias: string | undefined;
    let activation: ProductForm['activation'] = 'linear';
    const add = uses.only(out);
    const other = add?.inputs.find((n) => n !== out);
    if (
      fusesEpilogue(options.runtime) &&
      add &&
      add.op === 'Add' &&
      allowed('Add') &&
      other &&
      !byNode.has(add.name)
    ) {
      if (sameShape(options.types.get(add.outputs[0] as string), options.types.get(out))) {
        bias = other;
        last = add;
        const relu = uses.only(add.outputs[0] as string);
        if (relu && relu.op === 'Relu' && allowed('Relu')) {
          activation = 'relu';
          last = relu;
        }
      }
    }
    const sum =
      bias === undefined ? batchSumReader(mm, a.name, b.name, uses, producer, options) : undefined;
    if (sum) {
      for (const name of [...folded, mm.name]) byNode.set(name, 'skip');
      byNode.set(sum.name, {
        inputs: [a.name, b.name],
        output: sum.outputs[0] as string,
        form: { transposeA: a.trans, transposeB: b.trans, activation, sumBatch: true },
      });
      continue;
    }
    if (folded.length === 0 && bias === undefined) continue;
    const chain =
      bias === undefined ? [...folded, mm.name] : [...folded, mm.name, (add as Node).name];
    for (const name of chain) if (name !== last.name) byNode.set(name, 'skip');
    byNode.set(last.name, {
      inputs: bias === undefined ? [a.name, b.name] : [a.name, b.name, bias],
      output: last.outputs[0] as string,
      form: { transposeA: a.trans, transposeB: b.trans, activation },
    });
  }
  return { byNode };
}
