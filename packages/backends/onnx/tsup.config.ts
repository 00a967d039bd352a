import { packageBuild } from '../../../tsup.base.js';

// import.meta.url in the CommonJS build (used to find onnxruntime-node's CUDA provider).
export default packageBuild({ shims: true });
