import {
  GraphBuilder,
  kvNames,
  transformerStack,
  type Graph,
  type KvCache,
  type TensorRef,
} from '@actllm/graph';
import { validatePolicyConfig, type PolicyConfig } from './config.js';
import { POLICY_NAMES, embedSequence, outputHead, visualInputs } from './model.js';

/** Input names of the decoder graph besides the shared ones in `POLICY_NAMES`. */
export const DECODER_NAMES = {
  /** Bool [batch, 1, new, past + new]: true where a new token may attend. */
  mask: 'mask',
  /** Visual tokens of a view for the new positions, float32 [rows, dModel] (at least 1 row). */
  visual: (view: string) => `visual.${view}`,
  /** With the copy head: the token before each new position, int64 [batch, new]. */
  previous: 'previous_ids',
} as const;

/**
 * The policy's KV-cache decoder: one pass over `new` positions after `past` cached ones.
 * Inputs `ids` [batch, new], `positions` [new], `mask`, per view `visual.<view>` [rows,
 * dModel] (the encoder graph's tokens for the view's images among the new positions; a zero
 * row when there are none) with `visual_index.<view>` and `visual_mask.<view>` [batch, new],
 * and per layer `past_key_values.{l}.key/value`; outputs
 * `logits` [batch, new, vocab] and `present.{l}.key/value`. With `lm.copy` it also takes
 * `previous_ids` and the copy head's cache as one more entry, `past_key_values.{layers}`
 * (keys float32 [batch, 1, past, dModel]; values the tokens the positions offer, int64
 * [batch, 1, past, 1], -1 for a visual token), and its logits are the
 * mixture's log-probabilities. Its weights are the training graph's (`buildPolicyGraph`),
 * by name; the visual tokens come from `visionEncoder`.
 */
export function buildDecoderGraph(config: PolicyConfig): Graph {
  validatePolicyConfig(config);
  const { lm } = config;
  const g = new GraphBuilder('actllm_decoder');
  const ids = g.input(POLICY_NAMES.ids, 'int64', ['batch', 'new']);
  const positions = g.input(POLICY_NAMES.positions, 'int64', ['new']);
  const mask = g.input(DECODER_NAMES.mask, 'bool', ['batch', 1, 'new', 'past+new']);
  const rows = Object.fromEntries(
    Object.keys(config.encoder.views).map((v) => [
      v,
      g.input(DECODER_NAMES.visual(v), 'float32', [`rows.${v}`, lm.dModel]),
    ]),
  );
  const visual = visualInputs(g, config, rows, 'new');
  const dh = lm.dModel / lm.heads;
  const cache: KvCache[] = Array.from({ length: lm.layers }, (_, l) => ({
    key: g.input(kvNames(l).pastKey, 'float32', ['batch', lm.heads, 'past', dh]),
    value: g.input(kvNames(l).pastValue, 'float32', ['batch', lm.heads, 'past', dh]),
  }));
  const x = embedSequence(g, config, { ids, positions, visual });
  const stack = transformerStack(g, x, lm, { mask, positions, cache });
  stack.present.forEach((p, l) => {
    g.output(p.key, kvNames(l).presentKey);
    g.output(p.value, kvNames(l).presentValue);
  });
  const copy = lm.copy === true ? copyInputs(g, config) : undefined;
  const head = outputHead(
    g,
    config,
    stack.hidden,
    copy && { ids, visual, mask, previous: copy.previous, cache: copy.cache },
  );
  if (head.copy) {
    g.output(head.copy.key, kvNames(lm.layers).presentKey);
    g.output(head.copy.value, kvNames(lm.layers).presentValue);
  }
  g.output(head.logits, POLICY_NAMES.logits);
  return g.build();
}

/** The copy head's inputs: the previous tokens and its cache, after the layers' entries. */
function copyInputs(
  g: GraphBuilder,
  config: PolicyConfig,
): { previous: TensorRef; cache: KvCache } {
  const names = kvNames(config.lm.layers);
  return {
    previous: g.input(DECODER_NAMES.previous, 'int64', ['batch', 'new']),
    cache: {
      key: g.input(names.pastKey, 'float32', ['batch', 1, 'past', config.lm.dModel]),
      value: g.input(names.pastValue, 'int64', ['batch', 1, 'past', 1]),
    },
  };
}
