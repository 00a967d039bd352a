/** The parity model is the layers library's language model. */
export { transformerLm } from '../layers/lm.js';
export type { LmConfig as TransformerConfig } from '../layers/lm.js';
