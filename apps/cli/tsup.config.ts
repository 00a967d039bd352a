import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // index: the programmatic entry (ESM, CommonJS, declarations); cli: the `actllm` bin.
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  dts: { entry: { index: 'src/index.ts' } },
  banner: { js: '#!/usr/bin/env node' },
  // import.meta.url in the CommonJS build (the package version is read relative to it).
  shims: true,
});
