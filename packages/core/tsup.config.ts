import { packageBuild } from '../../tsup.base.js';

// Two entries: the contracts (any JavaScript runtime) and `@actllm/core/node` (file helpers).
export default packageBuild({ entry: { index: 'src/index.ts', node: 'src/node/index.ts' } });
