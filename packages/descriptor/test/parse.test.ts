import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildScene,
  canonicalizeScene,
  parseScene,
  toCompact,
  toJson,
  type ParseResult,
} from '../src/index.js';
import { scene } from './arbitraries.js';

const codes = (r: ParseResult): string[] => r.problems.map((p) => p.code);
const compact =
  '<scene_v1> <obj> block red <x_12> <y_40> </obj> <obj> bowl green <x_70> <y_80> <t_3> </obj> </scene>';

describe('strict parsing', () => {
  it('reads a valid compact scene', () => {
    const r = parseScene(compact);
    expect(r.ok).toBe(true);
    expect(r.scene?.objects).toHaveLength(2);
    expect(r.scene?.objects[0]).toEqual({ object: 'block', color: 'red', x: 0.125, y: 0.405 });
  });

  it('fails with positions, and no scene, on any problem', () => {
    const r = parseScene('<scene_v1> <obj> block red <x_12> </obj> </scene>');
    expect(r.ok).toBe(false);
    expect(r.scene).toBeNull();
    expect(r.problems).toEqual([
      {
        code: 'missing_field',
        message: 'Object without y; it was dropped.',
        offset: 11,
        length: 29,
        line: 1,
        column: 12,
      },
    ]);
  });

  it('reports line and column of a JSON error', () => {
    const r = parseScene(
      '{\n  "version": 1,\n  "objects": [\n    { "object": "block" "color": "red" }\n  ]\n}',
    );
    expect(r.problems).toEqual([
      expect.objectContaining({
        code: 'invalid_json',
        line: 4,
        column: 25,
        message: "Invalid JSON: expected ',' or '}' here.",
      }),
    ]);
  });

  it('reports schema problems at the key they concern', () => {
    const text =
      '{"version":1,"objects":[{"object":"block","color":"red","x":1.5,"y":0.2,"size":3}]}';
    const r = parseScene(text);
    expect(codes(r)).toEqual(['invalid_value', 'unknown_field']);
    const [invalid, unknown] = r.problems;
    expect(text.slice(invalid?.offset, (invalid?.offset ?? 0) + (invalid?.length ?? 0))).toBe(
      '"x"',
    );
    expect(text.slice(unknown?.offset, (unknown?.offset ?? 0) + (unknown?.length ?? 0))).toBe(
      '"size"',
    );
  });

  it('checks the version and the scene fields', () => {
    expect(codes(parseScene('{"version":2,"objects":[]}'))).toEqual(['unsupported_version']);
    expect(codes(parseScene('{"objects":[],"extra":1}'))).toEqual([
      'missing_field',
      'unknown_field',
    ]);
    expect(codes(parseScene('{"version":1,"objects":{}}'))).toEqual(['invalid_value']);
    expect(codes(parseScene('{"version":1}'))).toEqual(['missing_field']);
    expect(codes(parseScene('<scene_v9> </scene>'))).toEqual(['unsupported_version']);
    expect(codes(parseScene('   '))).toEqual(['empty_input']);
    expect(codes(parseScene(42 as unknown as string))).toEqual(['invalid_value']);
  });

  it('rejects out-of-range bins, out-of-order fields, repeats and junk', () => {
    expect(
      codes(parseScene('<scene_v1> <obj> block red <x_3> <y_3> </obj> </scene>', { bins: 3 })),
    ).toEqual(['missing_field', 'invalid_value', 'invalid_value']);
    expect(codes(parseScene('<scene_v1> <obj> block red <y_3> <x_3> </obj> </scene>'))).toEqual([
      'unexpected_token',
    ]);
    expect(
      codes(parseScene('<scene_v1> <obj> block red <x_3> <x_4> <y_3> </obj> </scene>')),
    ).toEqual(['duplicate_field']);
    expect(
      codes(parseScene('<scene_v1> <obj> block red <x_3> <y_3> <z_1> </obj> </scene> thanks')),
    ).toEqual(['unexpected_token', 'unexpected_token']);
    expect(
      codes(parseScene('<scene_v1> <obj> block red green <x_3> <y_3> <id> </obj> </scene>')),
    ).toEqual(['unexpected_token', 'missing_field']);
    expect(codes(parseScene('<scene_v1> <obj> block red! <x_3> <y_3> </obj> </scene>'))).toEqual([
      'missing_field',
      'invalid_value',
    ]);
    expect(codes(parseScene('<scene_v1> <obj> block red <x_03> <y_3> </obj> </scene>'))).toEqual([
      'missing_field',
      'unexpected_token',
    ]);
  });
});

describe('tolerant parsing', () => {
  it('keeps complete objects of truncated compact text', () => {
    const r = parseScene(compact.slice(0, 70), { mode: 'tolerant' });
    expect(r.ok).toBe(false);
    expect(r.scene?.objects).toEqual([{ object: 'block', color: 'red', x: 0.125, y: 0.405 }]);
    expect(codes(r)).toContain('unexpected_end');
  });

  it('skips prose around the scene and a missing </obj>', () => {
    const r = parseScene(`Sure! Here it is: ${compact.replace(' </obj>', '')} Hope this helps.`, {
      mode: 'tolerant',
    });
    expect(r.scene?.objects).toHaveLength(2);
    expect(codes(r)).toEqual(['unexpected_token', 'missing_field', 'unexpected_token']);
  });

  it('reads objects without a scene header, in any field order, first value wins', () => {
    const r = parseScene('<obj> block red <y_10> <x_20> <x_30> </obj>', { mode: 'tolerant' });
    expect(r.scene?.objects).toEqual([{ object: 'block', color: 'red', x: 0.205, y: 0.105 }]);
    expect(codes(r)).toEqual([
      'missing_field',
      'unexpected_token',
      'duplicate_field',
      'unexpected_end',
    ]);
  });

  it('recovers complete objects from truncated or wrapped JSON', () => {
    const json = toJson(
      {
        version: 1,
        objects: [
          { object: 'block', color: 'red', x: 0.1, y: 0.2 },
          { object: 'bowl', color: 'blue', x: 0.3, y: 0.4 },
        ],
      },
      { indent: 2 },
    );
    const cut = parseScene(json.slice(0, json.indexOf('"bowl"') + 3), { mode: 'tolerant' });
    expect(cut.scene?.objects).toEqual([{ object: 'block', color: 'red', x: 0.1, y: 0.2 }]);
    expect(codes(cut)).toEqual(['unexpected_end', 'unexpected_end']);
    const wrapped = parseScene('```json\n' + json + '\n```', { mode: 'tolerant' });
    expect(wrapped.format).toBe('json');
    expect(wrapped.scene?.objects).toHaveLength(2);
    const oneBad = parseScene(json.replace('"blue"', '"blue sky"'), { mode: 'tolerant' });
    expect(oneBad.scene?.objects).toHaveLength(1);
    expect(codes(oneBad)).toEqual(['invalid_value']);
  });

  it('returns an empty scene when nothing can be recovered', () => {
    const r = parseScene('no scene here', { mode: 'tolerant' });
    expect(r.scene).toEqual({ version: 1, objects: [] });
    expect(r.ok).toBe(false);
  });
});

/** Random strings, and valid serializations cut, spliced and mutated at random. */
const hostile = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .array(
      fc.constantFrom(
        '<scene_v1>',
        '</scene>',
        '<obj>',
        '</obj>',
        '<id>',
        '<x_1>',
        '<y_99>',
        '<t_5>',
        '<w_200>',
        'red',
        '{',
        '}',
        '[',
        ']',
        '"',
        ':',
        ',',
        '"x"',
        '1',
        'block',
        '\\',
        '<view_top>',
      ),
      { maxLength: 60 },
    )
    .map((t) => t.join(' ')),
  fc
    .tuple(scene, fc.boolean(), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
    .map(([s, asJson, a, b, insert]) => {
      const c = canonicalizeScene(s);
      const text = asJson ? toJson(c) : toCompact(c);
      const i = a % (text.length + 1);
      const j = Math.min(text.length, i + (b % 12));
      return text.slice(0, i) + insert + text.slice(j);
    }),
);

describe('never throws', () => {
  it('on 100,000 random and mutated strings, in both modes and every format', () => {
    const modes = ['strict', 'tolerant'] as const;
    const formats = ['auto', 'json', 'compact'] as const;
    let runs = 0;
    for (let chunk = 0; chunk < 4; chunk++) {
      fc.assert(
        fc.property(hostile, fc.nat(), (text, k) => {
          runs++;
          const mode = modes[k % 2] ?? 'strict';
          const r = parseScene(text, { mode, format: formats[k % 3] ?? 'auto' });
          expect(r.ok).toBe(r.problems.length === 0);
          for (const p of r.problems) {
            expect(p.offset).toBeGreaterThanOrEqual(0);
            expect(p.offset + p.length).toBeLessThanOrEqual(text.length);
          }
          if (mode === 'tolerant') expect(r.scene).not.toBeNull();
        }),
        { numRuns: 25_000, seed: 7000 + chunk },
      );
    }
    expect(runs).toBe(100_000);
  }, 60_000);

  it('on deeply nested and very long input', () => {
    for (const text of [
      '['.repeat(100_000),
      '{"a":'.repeat(50_000),
      '<obj> '.repeat(20_000),
      '"'.repeat(10_001),
    ]) {
      expect(() => parseScene(text, { mode: 'tolerant' })).not.toThrow();
    }
  });
});

describe('JSON syntax positions', () => {
  it('agree with JSON.parse on what is valid', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          fc.json().map((s) => s.slice(0, -1)),
          fc.string(),
        ),
        (text) => {
          let valid = true;
          try {
            JSON.parse(text);
          } catch {
            valid = false;
          }
          const r = parseScene(text, { format: 'json' });
          // In strict JSON mode these two codes come only from the syntax scanner.
          const syntaxProblem = codes(r).some(
            (c) => c === 'invalid_json' || c === 'unexpected_end',
          );
          expect(syntaxProblem).toBe(!valid && text.trim() !== '');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('the builder output parses back', () => {
  it('for a scene built from object states', () => {
    const s = buildScene([], {});
    expect(parseScene(toCompact(s)).scene).toEqual(s);
  });
});
