import { packageBuild } from '../../tsup.base.js';

// Two builds: the JavaScript of both entries together (the parity kit shares the main
// entry's chunk in ESM), and the parity kit's declarations on their own. Declarations of
// both entries in one pass would move the IR types into a shared chunk that index.d.ts
// re-exports without `type`, which scripts/pack-check.mjs reads as missing runtime exports.
export default [
  packageBuild({
    entry: { index: 'src/index.ts', parity: 'src/parity/index.ts' },
    dts: { entry: { index: 'src/index.ts' } },
  }),
  packageBuild({ entry: { parity: 'src/parity/index.ts' }, dts: { only: true }, clean: false }),
];
