// Writes schema.json (the JSON Schema of a scene) from the built package: `npm run schema`.
// test/schema.test.ts fails when the committed file and the zod schema drift apart.
import { writeFileSync } from 'node:fs';
import { URL } from 'node:url';
import { sceneJsonSchema } from '../dist/index.js';

writeFileSync(
  new URL('../schema.json', import.meta.url),
  `${JSON.stringify(sceneJsonSchema(), null, 2)}\n`,
);
