import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // worker.ts is the worker_threads entry of dataset generation: it must be a file of its own
  // next to index.js, which finds it relative to itself.
  entry: { index: 'src/index.ts', worker: 'src/dataset/worker.ts' },
  dts: { entry: { index: 'src/index.ts' } },
  // import.meta.url in the CommonJS build (used to find the worker).
  shims: true,
});
