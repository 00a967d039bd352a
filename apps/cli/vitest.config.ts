import { packageTests } from '../../vitest.base.js';

// The tests run the built bin (dist/cli.js), which test/setup.ts builds when it is stale.
// Each test starts `actllm` processes, so the files run one after another.
export default packageTests({ globalSetup: ['./test/setup.ts'], fileParallelism: false });
