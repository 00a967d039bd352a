/** The layers library: one definition of every model building block. */
export {
  embeddingLayer,
  layerNormLayer,
  linear,
  norm,
  rmsNormLayer,
  sharedParameter,
} from './linear.js';
export type { LinearOptions, NormKind } from './linear.js';
export { multiHeadAttention } from './attention.js';
export type { AttentionConfig, AttentionOptions, AttentionResult, KvCache } from './attention.js';
export { mlp, transformerBlock, transformerStack } from './block.js';
export type { BlockResult, StackOptions, StackResult, TransformerConfig } from './block.js';
export {
  kvCacheFeeds,
  kvDecoder,
  kvDecoderFeeds,
  kvNames,
  kvStepFeeds,
  transformerLm,
} from './lm.js';
export type { LmConfig } from './lm.js';
