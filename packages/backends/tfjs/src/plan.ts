import * as tf from '@tensorflow/tfjs-core';
import { isActllmError, type Tensor } from '@actllm/core';
import { hasOp, type Graph, type Node, type TensorRef } from '@actllm/graph';
import { TfjsBackendError } from './errors.js';
import { toTf } from './convert.js';
import { KERNELS, type Kernel, type KernelSpec } from './kernels/index.js';
import { planFusions, type Fusion } from './fuse.js';
import { fusedProduct } from './kernels/matmul.js';
import { referenceKernel } from './reference.js';
import { tfjsBackendName, type RuntimeName } from './runtime.js';

/**
 * A compiled plan: the graph's nodes pruned to what the wanted outputs need, fused where
 * tfjs has a fused kernel, each bound to a kernel with its attributes and constant operands
 * resolved, and every intermediate given a slot that is freed right after its last use.
 * A session compiles once per set of outputs and then only runs the plan.
 */

interface Step {
  readonly label: string;
  readonly kernel: Kernel;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Slots whose last reader is this step (or that nobody reads). */
  readonly release: readonly number[];
}

export interface PlanOptions {
  readonly runtime: RuntimeName;
  readonly intMatMul: boolean;
  /** Ops forced onto the reference fallback (for testing the fallback, or to work around a runtime). */
  readonly referenceOps: ReadonlySet<string>;
  readonly types: ReadonlyMap<string, TensorRef>;
}

export interface Plan {
  readonly sources: ReadonlyMap<string, number>;
  readonly outputs: readonly { readonly name: string; readonly slot: number }[];
  /** Ops that run on the reference fallback in this plan. */
  readonly fallbacks: readonly string[];
  execute(feeds: ReadonlyMap<string, tf.Tensor>): Record<string, tf.Tensor>;
  dispose(): void;
}

const NONE = -1;

/** The nodes that `wanted` depends on, in graph order (graph nodes are topologically sorted). */
function neededNodes(graph: Graph, wanted: readonly string[]): Node[] {
  const sources = new Set([...graph.inputs, ...graph.parameters].map((r) => r.name));
  const needed = new Set(wanted);
  const keep = graph.nodes.map(() => false);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i] as Node;
    if (node.outputs.some((o) => needed.has(o) && !sources.has(o))) {
      keep[i] = true;
      for (const name of node.inputs) if (name !== '') needed.add(name);
    }
  }
  return graph.nodes.filter((_, i) => keep[i]);
}

function constantValue(node: Node): Tensor | undefined {
  const v = node.attributes['value'];
  return node.op === 'Constant' && typeof v === 'object' && !Array.isArray(v)
    ? (v as Tensor)
    : undefined;
}

/** Host numbers of small constants: the axes, shapes and pads kernels read. */
function hostNumbers(t: Tensor): number[] | undefined {
  if (t.data.length > 4096) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

class Slots {
  readonly ids = new Map<string, number>();
  id(name: string): number {
    if (name === '') return NONE;
    let s = this.ids.get(name);
    if (s === undefined) {
      s = this.ids.size;
      this.ids.set(name, s);
    }
    return s;
  }
}

function kernelFor(node: Node, spec: KernelSpec, options: PlanOptions): [Kernel, boolean] {
  const def = KERNELS[node.op];
  if (!def) {
    // An op a third party registered with @actllm/graph still runs, on its reference kernel.
    if (hasOp(node.op)) return [spec.reference, true];
    throw new TfjsBackendError(
      'TFJS_UNSUPPORTED_OP',
      `Node ${node.name} uses op ${node.op}, which neither this backend nor @actllm/graph knows; register it with registerOp().`,
    );
  }
  const backend = tfjsBackendName(options.runtime);
  const missing = def.tfKernels.some((k) => tf.getKernel(k, backend) === undefined);
  if (missing || options.referenceOps.has(node.op)) return [spec.reference, true];
  return [def.create(spec), false];
}

function fusedKernel(fusion: Fusion, runtime: RuntimeName): Kernel {
  return (inputs) => {
    const [a, b, bias] = inputs;
    return [fusedProduct(a as tf.Tensor, b as tf.Tensor, bias, fusion.form, runtime)];
  };
}

export function compilePlan(graph: Graph, wanted: readonly string[], options: PlanOptions): Plan {
  const nodes = neededNodes(graph, wanted);
  const slots = new Slots();
  const sources = new Map<string, number>();
  for (const ref of [...graph.inputs, ...graph.parameters])
    sources.set(ref.name, slots.id(ref.name));
  const hostConstants = new Map<string, number[]>();
  const constants: { slot: number; tensor: tf.Tensor }[] = [];
  const fusions = planFusions(nodes, wanted, options);
  const raw: Omit<Step, 'release'>[] = [];
  const fallbacks = new Set<string>();
  try {
    for (const node of nodes) {
      const value = constantValue(node);
      if (value) {
        const numbers = hostNumbers(value);
        if (numbers) hostConstants.set(node.outputs[0] as string, numbers);
        constants.push({
          slot: slots.id(node.outputs[0] as string),
          tensor: toTf(value, `Constant ${node.name}`),
        });
        continue;
      }
      const fusion = fusions.byNode.get(node.name);
      if (fusion === 'skip') continue;
      if (fusion) {
        raw.push({
          label: `fused MatMul ${node.name}`,
          kernel: fusedKernel(fusion, options.runtime),
          inputs: fusion.inputs.map((n) => slots.id(n)),
          outputs: [slots.id(fusion.output)],
        });
        continue;
      }
      const spec: KernelSpec = {
        node,
        attrs: node.attributes,
        constants: node.inputs.map((n) => hostConstants.get(n)),
        types: node.inputs.map((n) => options.types.get(n)),
        runtime: options.runtime,
        reference: referenceKernel(node),
        intMatMul: options.intMatMul,
      };
      const [kernel, isFallback] = kernelFor(node, spec, options);
      if (isFallback) fallbacks.add(node.op);
      raw.push({
        label: `${node.op} ${node.name}`,
        kernel,
        inputs: node.inputs.map((n) => slots.id(n)),
        outputs: node.outputs.map((n) => slots.id(n)),
      });
    }
  } catch (error) {
    for (const c of constants) c.tensor.dispose();
    throw error;
  }
  for (const name of wanted) {
    if (!slots.ids.has(name)) {
      for (const c of constants) c.tensor.dispose();
      throw new TfjsBackendError(
        'TFJS_UNKNOWN_OUTPUT',
        `Graph ${graph.name} has no tensor named ${name}; ask for one of: ${graph.outputs.map((o) => o.name).join(', ')}.`,
      );
    }
  }
  const pinned = new Set([
    ...sources.values(),
    ...constants.map((c) => c.slot),
    ...wanted.map((n) => slots.id(n)),
  ]);
  const steps = withReleases(raw, pinned);
  const outputs = wanted.map((name) => ({ name, slot: slots.id(name) }));
  return makePlan(steps, sources, constants, outputs, slots.ids.size, [...fallbacks].sort());
}

/** Frees each intermediate at its last reader, and outputs nobody reads right away. */
function withReleases(raw: readonly Omit<Step, 'release'>[], pinned: ReadonlySet<number>): Step[] {
  const last = new Map<number, number>();
  raw.forEach((step, i) => {
    for (const s of step.outputs) if (s !== NONE) last.set(s, i);
    for (const s of step.inputs) if (s !== NONE) last.set(s, i);
  });
  const release: number[][] = raw.map(() => []);
  for (const [slot, i] of last) if (!pinned.has(slot)) release[i]?.push(slot);
  return raw.map((step, i) => ({ ...step, release: release[i] ?? [] }));
}

function makePlan(
  steps: readonly Step[],
  sources: ReadonlyMap<string, number>,
  constants: readonly { slot: number; tensor: tf.Tensor }[],
  outputs: readonly { name: string; slot: number }[],
  slotCount: number,
  fallbacks: readonly string[],
): Plan {
  const borrowed = new Set([...sources.values(), ...constants.map((c) => c.slot)]);
  return {
    sources,
    outputs,
    fallbacks,
    execute(feeds) {
      return tf.tidy(() => {
        const env = new Array<tf.Tensor | undefined>(slotCount);
        for (const [name, slot] of sources) env[slot] = feeds.get(name);
        for (const c of constants) env[c.slot] = c.tensor;
        for (const step of steps) runStep(step, env);
        // Feeds and constants outlive the run: hand out copies (cheap, they share data).
        const out: Record<string, tf.Tensor> = {};
        for (const o of outputs) {
          const t = env[o.slot] as tf.Tensor;
          out[o.name] = borrowed.has(o.slot) ? tf.clone(t) : t;
        }
        return out;
      });
    },
    dispose() {
      for (const c of constants) c.tensor.dispose();
    },
  };
}

function runStep(step: Step, env: (tf.Tensor | undefined)[]): void {
  const inputs = step.inputs.map((s) => (s === NONE ? undefined : env[s]));
  let outs: tf.Tensor[];
  try {
    outs = step.kernel(inputs);
  } catch (error) {
    if (isActllmError(error)) throw error;
    throw new TfjsBackendError(
      'TFJS_RUNTIME',
      `${step.label} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  step.outputs.forEach((slot, i) => {
    let t = outs[i];
    if (!t) return;
    // A kernel may hand back one of its inputs; the slot then needs its own handle.
    if (inputs.includes(t)) t = tf.clone(t);
    if (slot === NONE) t.dispose();
    else env[slot] = t;
  });
  for (const slot of step.release) {
    env[slot]?.dispose();
    env[slot] = undefined;
  }
}
