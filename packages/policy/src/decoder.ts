import { GraphBuilder, kvNames, transformerStack, type Graph, type KvCache } from '@actllm/graph';
import { validatePolicyConfig, type PolicyConfig } from './config.js';
import { POLICY_NAMES, embedSequence, outputHead } from './model.js';

/** Input names of the decoder graph besides the shared ones in `POLICY_NAMES`. */
export const DECODER_NAMES = {
  /** Bool [batch, 1, new, past + new]: true where a new token may attend. */
  mask: 'mask',
  /** Visual tokens of the new positions' image slots, float32 [batch, slots, dModel]. */
  visual: 'visual',
} as const;

/**
 * The policy's KV-cache decoder: one pass over `new` positions after `past` cached ones.
 * Inputs `ids` [batch, new], `positions` [new], `mask`, `placement` [batch, new, slots] with
 * `visual` [batch, slots, dModel] (the encoder graph's tokens for the images among the new
 * positions; slots may be 0), and per layer `past_key_values.{l}.key/value`; outputs
 * `logits` [batch, new, vocab] and `present.{l}.key/value`. Its weights are the training
 * graph's (`buildPolicyGraph`), by name; the visual tokens come from `visionEncoder`.
 */
export function buildDecoderGraph(config: PolicyConfig): Graph {
  validatePolicyConfig(config);
  const { lm } = config;
  const g = new GraphBuilder('actllm_decoder');
  const ids = g.input(POLICY_NAMES.ids, 'int64', ['batch', 'new']);
  const positions = g.input(POLICY_NAMES.positions, 'int64', ['new']);
  const mask = g.input(DECODER_NAMES.mask, 'bool', ['batch', 1, 'new', 'past+new']);
  const placement = g.input(POLICY_NAMES.placement, 'float32', ['batch', 'new', 'slots']);
  const visual = g.input(DECODER_NAMES.visual, 'float32', ['batch', 'slots', lm.dModel]);
  const dh = lm.dModel / lm.heads;
  const cache: KvCache[] = Array.from({ length: lm.layers }, (_, l) => ({
    key: g.input(kvNames(l).pastKey, 'float32', ['batch', lm.heads, 'past', dh]),
    value: g.input(kvNames(l).pastValue, 'float32', ['batch', lm.heads, 'past', dh]),
  }));
  const x = embedSequence(g, config, { ids, positions, placement, visual });
  const stack = transformerStack(g, x, lm, { mask, positions, cache });
  stack.present.forEach((p, l) => {
    g.output(p.key, kvNames(l).presentKey);
    g.output(p.value, kvNames(l).presentValue);
  });
  g.output(outputHead(g, config, stack.hidden), POLICY_NAMES.logits);
  return g.build();
}
