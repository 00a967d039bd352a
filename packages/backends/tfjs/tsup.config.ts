import { packageBuild } from '../../../tsup.base.js';

// shims: the CJS build needs import.meta.url to resolve optional peer dependencies.
export default packageBuild({ shims: true });
