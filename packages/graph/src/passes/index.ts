import type { Graph } from '../ir.js';
import { eliminateCommonSubexpressions } from './cse.js';
import { eliminateDeadCode } from './dce.js';
import { foldConstants } from './fold.js';
import { eliminateIdentities } from './identity.js';

export { eliminateCommonSubexpressions, eliminateDeadCode, eliminateIdentities, foldConstants };
export type { FoldOptions } from './fold.js';

/** Constant folding, then CSE, then Identity and dead-code elimination. */
export function optimize(graph: Graph): Graph {
  return eliminateDeadCode(
    eliminateIdentities(eliminateCommonSubexpressions(foldConstants(graph))),
  );
}
