// The benchmark configuration and helpers shared by train.mjs and infer.mjs; the models
// themselves are @actllm/graph's layers library (transformerLm, kvDecoder).

/** The reference config: d_model 128, 4 layers, 4 heads, vocabulary 512, sequence 128. */
export const REFERENCE = { vocab: 512, dModel: 128, heads: 4, layers: 4, seq: 128, ff: 512 };

/**
 * Matmul FLOPs of one training step (forward + backward), the usual count: 6 per matmul
 * weight per token (2 forward, 4 backward), plus attention's two matmuls (QK^T and AV: 4 *
 * seq * d per token and layer forward, times 3 with the backward). Embedding lookups,
 * norms, softmax and element-wise work are not counted.
 */
export function trainingFlops(c, batch) {
  const perLayer = 4 * c.dModel * c.dModel + 2 * c.dModel * c.ff;
  const matmulParams = c.layers * perLayer + c.dModel * c.vocab;
  const tokens = batch * c.seq;
  return 6 * matmulParams * tokens + 12 * c.layers * batch * c.seq * c.seq * c.dModel;
}

/** Percentile (nearest rank) of a list of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Parses `--name value` and `--flag` arguments into an object of strings and booleans. */
export function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) args[key] = true;
    else {
      args[key] = value;
      i++;
    }
  }
  return args;
}

/**
 * Imports another backend package to compare with, given on the command line (`--compare
 * @actllm/backend-tfjs`): this package does not depend on it, so it is found at run time.
 * Returns the name it registered under, or why it could not be loaded.
 */
export async function loadCompared(specifier, listBackends) {
  const before = new Set(listBackends().map((b) => b.name));
  try {
    await import(specifier);
  } catch (error) {
    return {
      reason: `${specifier} is not importable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  }
  const added = listBackends().find((b) => !before.has(b.name));
  if (!added) return { reason: `${specifier} registered no new backend` };
  return { name: added.name };
}
