import {
  applyMask,
  linear,
  norm,
  type GraphBuilder,
  type KvCache,
  type TensorRef,
} from '@actllm/graph';
import type { PolicyConfig } from './config.js';

/**
 * The copy head (a pointer-generator over the context): one attention over the earlier
 * text positions whose values are the tokens themselves, one-hot, mixed with the output
 * head's distribution by a learned gate,
 * `p(v) = gate * softmax(logits)(v) + (1 - gate) * sum_j a_j [token_j = v]`.
 * Most of an assistant turn repeats its context (`next` repeats `scene`, the action's
 * coordinates are an object's in `scene`), and copying through the residual stream is
 * what a small decoder fails to learn on a CPU budget; here it is one attention pattern.
 * Keys also see the embedding of the token before theirs ("smeared" keys), so the
 * induction pattern "find where my token occurred, copy what followed" needs no earlier
 * layer to have learned it.
 *
 * Its cache, one more entry after the transformer's layers, holds the keys `[batch, 1,
 * past, dModel]` and, as values, the token each position offers, int64 `[batch, 1, past,
 * 1]` (-1 for a visual token). The one-hot rows are rebuilt from those ids in every pass:
 * caching them would move `past x vocab` floats in and out of each decoding step, several
 * times the transformer's own cache.
 */

/** What the copy head reads at the new positions. */
export interface CopyInputs {
  /** The final hidden states after `lnf`, [batch, new, dModel]. */
  readonly normed: TensorRef;
  /** The output head's logits, [batch, new, vocab]. */
  readonly logits: TensorRef;
  readonly ids: TensorRef;
  /** 1 where a new position holds text, 0 for a visual token (it offers nothing), [batch, new]. */
  readonly text: TensorRef;
  /** The embedding (`wte`) of the token before each new position, [batch, new, dModel]. */
  readonly previous: TensorRef;
  /** Bool [batch or 1, 1, new, past + new]: true where a new position may attend. */
  readonly mask: TensorRef;
  readonly cache?: KvCache;
}

/** The log-probabilities of the mixture, [batch, new, vocab], and the extended cache. */
export function copyHead(
  g: GraphBuilder,
  config: PolicyConfig,
  inputs: CopyInputs,
): { logProbs: TensorRef; present: KvCache } {
  const d = config.lm.dModel;
  const one = (t: TensorRef) => g.unsqueeze(t, [1]);
  const query = one(linear(g, inputs.normed, 'copy.q', d, d));
  let key = one(
    g.add(
      linear(g, inputs.normed, 'copy.k', d, d),
      linear(g, norm(g, 'layer', inputs.previous, 'copy.prevnorm', d), 'copy.prev', d, d, {
        bias: false,
      }),
    ),
  );
  // The token each position offers, [batch, 1, positions, 1]: -1 for a visual token.
  let offered = g.unsqueeze(g.where(g.less(0, inputs.text), inputs.ids, -1), [1, 3]);
  if (inputs.cache) {
    key = g.concat([inputs.cache.key, key], 2);
    offered = g.concat([inputs.cache.value, offered], 2);
  }
  const vocab = g.range(0, config.vocab, 1, 'int64');
  const value = g.cast(g.equal(offered, vocab), 'float32');
  const scores = g.mul(g.matmul(query, g.transpose(key, [0, 1, 3, 2])), 1 / Math.sqrt(d));
  // A key that offers nothing (a visual token) is masked like a future one.
  const offers = g.transpose(g.less(-1, offered), [0, 1, 3, 2]);
  const weights = g.softmax(applyMask(g, applyMask(g, scores, inputs.mask), offers), -1);
  const copied = g.squeeze(g.matmul(weights, value), [1]);
  const gate = g.sigmoid(linear(g, inputs.normed, 'copy.gate', d, 1));
  const mixed = g.add(g.mul(gate, g.softmax(inputs.logits, -1)), g.mul(g.sub(1, gate), copied));
  return { logProbs: g.log(g.add(mixed, 1e-9)), present: { key, value: offered } };
}
