import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  SceneDescriptorSchema,
  assertScene,
  sceneJsonSchema,
  validateScene,
} from '../src/index.js';

describe('JSON Schema file', () => {
  it('equals z.toJSONSchema of the zod schema (regenerate with npm run schema)', () => {
    const file = JSON.parse(
      readFileSync(new URL('../schema.json', import.meta.url), 'utf8'),
    ) as unknown;
    expect(file).toEqual(z.toJSONSchema(SceneDescriptorSchema));
    expect(file).toEqual(sceneJsonSchema());
  });

  it('is exported by the package', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, unknown>;
      files: string[];
    };
    expect(pkg.exports['./schema.json']).toBe('./schema.json');
    expect(pkg.files).toContain('schema.json');
  });
});

describe('validateScene', () => {
  it('accepts a minimal scene and rejects unknown keys, bad names and out-of-range numbers', () => {
    expect(
      validateScene({ version: 1, objects: [{ object: 'block', color: 'red', x: 0, y: 1 }] }).ok,
    ).toBe(true);
    const bad = [
      { version: 2, objects: [] },
      { version: 1, objects: [{ object: 'block', color: 'red', x: 0.5, y: 0.5, z: 1 }] },
      { version: 1, objects: [{ object: 'two words', color: 'red', x: 0.5, y: 0.5 }] },
      { version: 1, objects: [{ object: '<obj>', color: 'red', x: 0.5, y: 0.5 }] },
      { version: 1, objects: [{ object: 'block', color: 'red', x: 1.01, y: 0.5 }] },
      { version: 1, objects: [{ object: 'block', color: 'red', x: 0.5, y: 0.5, theta: -Math.PI }] },
      { version: 1, objects: [{ object: 'block', color: 'red', x: 0.5, y: 0.5, view: 'side' }] },
      null,
    ];
    for (const value of bad) {
      const result = validateScene(value);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('DESCRIPTOR_INVALID_SCENE');
    }
  });

  it('assertScene throws a typed error whose message says where', () => {
    expect(() =>
      assertScene({ version: 1, objects: [{ object: 'block', color: 'red', x: 2, y: 0 }] }),
    ).toThrow(/objects\.0\.x/);
  });
});
