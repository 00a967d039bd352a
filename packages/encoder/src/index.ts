/**
 * @actllm/encoder: camera images to visual tokens. Preprocessing (resize, normalize),
 * seeded photometric augmentation, and a ViT-style patch encoder on the @actllm/graph IR.
 */
export { EncoderError } from './errors.js';
export type { EncoderErrorCode } from './errors.js';
export { MAX_TOKENS_PER_VIEW, blockPatch, tokensPerView, validateEncoderConfig } from './config.js';
export type { EncoderConfig, ViewSize } from './config.js';
export { DEFAULT_NORMALIZATION, imagesToTensor, resizeImage } from './preprocess.js';
export type { Normalization } from './preprocess.js';
export { augmentPixels, checkAugmentation } from './augment.js';
export type { Augmentation } from './augment.js';
export { encodeView, encoderNames, patchify, visionEncoder } from './vit.js';
