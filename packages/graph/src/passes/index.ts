import type { Graph } from '../ir.js';
import { eliminateCommonSubexpressions } from './cse.js';
import { eliminateDeadCode } from './dce.js';
import { foldConstants } from './fold.js';

export { eliminateCommonSubexpressions, eliminateDeadCode, foldConstants };
export type { FoldOptions } from './fold.js';

/** Constant folding, then CSE, then dead-code elimination. */
export function optimize(graph: Graph): Graph {
  return eliminateDeadCode(eliminateCommonSubexpressions(foldConstants(graph)));
}
