import { packageTests } from '../../vitest.base.js';

// Physics episodes are CPU-bound: a few slow tests need more than vitest's 5 s default.
export default packageTests({ testTimeout: 60_000 });
