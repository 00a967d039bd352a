import type { Graph, Node, TensorRef } from './ir.js';
import { GraphBuilder } from './builder.js';
import { GraphError } from './errors.js';
import { getOp } from './registry.js';
import { formatShape } from './shape.js';

/** A gradient graph: the loss, then one gradient output per `wrt` tensor. */
export interface GradGraph {
  readonly graph: Graph;
  readonly loss: string;
  /** Output name of the gradient of each `wrt` tensor. */
  readonly gradients: Readonly<Record<string, string>>;
}

export interface GradOptions {
  /** Keep the forward graph's outputs after the loss and the gradients (default false). */
  readonly keepOutputs?: boolean;
}

/** The output name of a tensor's gradient. */
export function gradName(name: string): string {
  return `${name}.grad`;
}

/**
 * Reverse-mode autodiff over the IR: returns a graph (same IR, same ops) that outputs the
 * loss and d(loss)/d(each `wrt`). Only float32 tensors carry gradients, so integer and
 * boolean paths are non-differentiable by construction.
 */
export function grad(
  graph: Graph,
  loss: string | TensorRef,
  wrt: readonly string[],
  options: GradOptions = {},
): GradGraph {
  const g = GraphBuilder.from(graph, { keepOutputs: false });
  const lossRef = g.ref(typeof loss === 'string' ? loss : loss.name);
  checkLoss(lossRef);
  for (const name of wrt) {
    if (g.ref(name).dtype !== 'float32') {
      throw new GraphError(
        'GRAPH_NOT_DIFFERENTIABLE',
        `Cannot differentiate with respect to ${name}: it is ${g.ref(name).dtype}; only float32 tensors have gradients.`,
      );
    }
  }
  const active = dependsOn(graph.nodes, wrt);
  const grads = new Map<string, TensorRef[]>();
  grads.set(lossRef.name, [g.constant(1, 'float32', lossRef.shape as number[])]);
  const path = graph.nodes.filter((n) => n.outputs.some((o) => active.has(o)));
  for (let i = path.length - 1; i >= 0; i--) backprop(g, path[i] as Node, grads, active);
  g.output(lossRef);
  const gradients: Record<string, string> = {};
  for (const name of wrt) {
    const total = sum(g, grads.get(name)) ?? g.zerosLike(g.ref(name));
    gradients[name] = g.output(total, gradName(name)).name;
  }
  if (options.keepOutputs === true) {
    for (const o of graph.outputs) if (o.name !== lossRef.name) g.output(g.ref(o.name));
  }
  return { graph: g.build(), loss: lossRef.name, gradients };
}

function checkLoss(loss: TensorRef): void {
  const scalar = loss.shape.every((d) => d === 1);
  if (loss.dtype !== 'float32' || !scalar) {
    throw new GraphError(
      'GRAPH_NOT_DIFFERENTIABLE',
      `The loss ${loss.name} must be a float32 scalar; it is ${loss.dtype}${formatShape(loss.shape)}. Reduce it first (g.reduceMean).`,
    );
  }
}

/** Names of float tensors that depend on a `wrt` tensor. */
function dependsOn(nodes: readonly Node[], wrt: readonly string[]): Set<string> {
  const active = new Set(wrt);
  for (const node of nodes) {
    if (node.inputs.some((i) => active.has(i))) for (const o of node.outputs) active.add(o);
  }
  return active;
}

function sum(g: GraphBuilder, parts: readonly TensorRef[] | undefined): TensorRef | undefined {
  if (!parts || parts.length === 0) return undefined;
  return parts.slice(1).reduce((acc, p) => g.add(acc, p), parts[0] as TensorRef);
}

function backprop(
  g: GraphBuilder,
  node: Node,
  grads: Map<string, TensorRef[]>,
  active: ReadonlySet<string>,
): void {
  const dOutputs = node.outputs.map((o) => sum(g, grads.get(o)));
  if (dOutputs.every((d) => d === undefined)) return;
  const inputs = node.inputs.map((n) => (n === '' ? undefined : g.ref(n)));
  const wanted = inputs.map((i) => i !== undefined && i.dtype === 'float32' && active.has(i.name));
  if (!wanted.some(Boolean)) return;
  const def = getOp(node.op);
  if (!def.grad) {
    throw new GraphError(
      'GRAPH_NOT_DIFFERENTIABLE',
      `${node.op} ${node.name} has no gradient rule, but the loss depends on its float input; stop the gradient before it or register a rule.`,
    );
  }
  const outputs = node.outputs.map((o) => g.ref(o));
  const dInputs = def.grad({ g, node, inputs, outputs, dOutputs });
  inputs.forEach((input, k) => {
    const d = dInputs[k];
    if (!input || !wanted[k] || !d) return;
    if (
      d.shape.length !== input.shape.length ||
      d.shape.some(
        (x, j) =>
          x !== input.shape[j] && typeof x === 'number' && typeof input.shape[j] === 'number',
      )
    ) {
      throw new GraphError(
        'GRAPH_INVALID',
        `The gradient rule of ${node.op} gave ${formatShape(d.shape)} for ${input.name} of shape ${formatShape(input.shape)}.`,
      );
    }
    const list = grads.get(input.name) ?? [];
    list.push(d);
    grads.set(input.name, list);
  });
}
