import { describe, expect, it } from 'vitest';
import { isActllmError } from '@actllm/core';
import * as api from '../src/index.js';
import { MAX_SCENE_OBJECTS, type SceneDescriptor } from '../src/index.js';
import { objectState } from './arbitraries.js';

/** The code of the typed error `f` throws, 'untyped' for another error, 'no error' when it returns. */
function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isActllmError(e) ? e.code : `untyped ${String(e)}`;
  }
  return 'no error';
}

const scene: SceneDescriptor = api.buildScene([objectState('o1', 'block', 'red', 0.3, 0.6, 0)]);
const huge = { version: 1, objects: Array.from({ length: 100_000 }, () => scene.objects[0]) };
const states = Array.from({ length: MAX_SCENE_OBJECTS + 1 }, (_, i) =>
  objectState(`o${i}`, 'block', 'red', 0.5, 0.5, 0),
);
const ARG = 'DESCRIPTOR_INVALID_ARGUMENT';
const OPT = 'DESCRIPTOR_INVALID_OPTIONS';
const SCENE = 'DESCRIPTOR_INVALID_SCENE';
const OBJ = 'DESCRIPTOR_INVALID_OBJECT';
const bad = (v: unknown) => v as never;

// Every public function, fed wrong types, unknown option names and values, and hostile sizes.
const cases: Record<string, readonly (readonly [string, () => unknown, string])[]> = {
  buildScene: [
    ['undefined', () => api.buildScene(bad(undefined)), ARG],
    ['a string', () => api.buildScene(bad('objects')), ARG],
    ['an unknown frame', () => api.buildScene([], bad({ frame: 'side' })), OPT],
    ['a misspelt option', () => api.buildScene([], bad({ bin: 10 })), OPT],
    ['a non-boolean flag', () => api.buildScene([], bad({ size: 'yes' })), OPT],
    ['options that are an array', () => api.buildScene([], bad([])), OPT],
    [
      'a state without a pose',
      () => api.buildScene(bad([{ id: 'a', shape: 'b', color: 'c' }])),
      OBJ,
    ],
    ['a null state', () => api.buildScene(bad([null])), OBJ],
    ['a string pose', () => api.buildScene(bad([{ ...states[0], pose: 'here' }])), OBJ],
    [
      'a name of 10^5 characters',
      () => api.buildScene([{ ...states[0]!, shape: 'a'.repeat(1e5) }]),
      OBJ,
    ],
    ['more objects than a scene holds', () => api.buildScene(states), SCENE],
  ],
  canonicalizeScene: [
    ['null', () => api.canonicalizeScene(bad(null)), SCENE],
    ['an unknown option', () => api.canonicalizeScene(scene, bad({ indent: 2 })), OPT],
    ['string bins', () => api.canonicalizeScene(scene, bad({ bins: '100' })), OPT],
    ['10^5 objects', () => api.canonicalizeScene(bad(huge)), SCENE],
  ],
  compareObjects: [
    ['undefined', () => api.compareObjects(bad(undefined), scene.objects[0]!), ARG],
    ['a number', () => api.compareObjects(scene.objects[0]!, bad(1)), ARG],
  ],
  assertScene: [
    ['a string', () => api.assertScene('scene'), SCENE],
    ['10^5 objects', () => api.assertScene(huge), SCENE],
  ],
  validateScene: [
    ['a number', () => throwIfInvalid(api.validateScene(42)), SCENE],
    ['10^5 objects', () => throwIfInvalid(api.validateScene(huge)), SCENE],
  ],
  sceneJsonSchema: [['no input: it returns the schema', () => api.sceneJsonSchema(), 'no error']],
  toBin: [
    ['a string value', () => api.toBin(bad('0.5'), 10), ARG],
    ['zero bins', () => api.toBin(0.5, 0), OPT],
    ['a huge bin count', () => api.toBin(0.5, 1e9), OPT],
  ],
  fromBin: [
    ['a bin beyond the count', () => api.fromBin(10, 10), ARG],
    ['a fractional bin', () => api.fromBin(1.5, 10), ARG],
    ['a string bin', () => api.fromBin(bad('1'), 10), ARG],
  ],
  quantizeUnit: [['undefined', () => api.quantizeUnit(bad(undefined), 10), ARG]],
  toAngleBin: [
    ['a string', () => api.toAngleBin(bad('0'), 8), ARG],
    ['fractional bins', () => api.toAngleBin(0, 8.5), OPT],
  ],
  fromAngleBin: [['a negative bin', () => api.fromAngleBin(-1, 8), ARG]],
  quantizeAngle: [['null', () => api.quantizeAngle(bad(null), 8), ARG]],
  toJson: [
    ['an undefined scene', () => api.toJson(bad(undefined)), SCENE],
    ['a string indent', () => api.toJson(scene, bad({ indent: '  ' })), OPT],
    ['an indent JSON.stringify would cap', () => api.toJson(scene, { indent: 11 }), OPT],
    ['an unknown option', () => api.toJson(scene, bad({ pretty: true })), OPT],
    ['10^5 objects', () => api.toJson(bad(huge)), SCENE],
  ],
  toCompact: [
    ['a string', () => api.toCompact(bad('scene')), SCENE],
    ['an unknown option', () => api.toCompact(scene, bad({ bin: 10 })), OPT],
    ['10^5 objects', () => api.toCompact(bad(huge)), SCENE],
  ],
  binToken: [
    ['an unknown field', () => api.binToken(bad('z'), 1), ARG],
    ['a negative bin', () => api.binToken('x', -1), ARG],
    ['a bin past MAX_BINS', () => api.binToken('x', 1e9), ARG],
  ],
  viewToken: [['an unknown view', () => api.viewToken(bad('side')), ARG]],
  compactVocabulary: [
    ['a string', () => api.compactVocabulary(bad('100')), OPT],
    ['a huge bin count', () => api.compactVocabulary(1e9), OPT],
  ],
  detectFormat: [['a number', () => api.detectFormat(bad(42)), ARG]],
  parseScene: [
    ['an unknown mode', () => api.parseScene('', bad({ mode: 'lenient' })), OPT],
    ['an unknown format', () => api.parseScene('', bad({ format: 'yaml' })), OPT],
    ['a misspelt option', () => api.parseScene('', bad({ bin: 10 })), OPT],
    [
      'a number: reported, not thrown',
      () => throwIfProblem(api.parseScene(bad(42))),
      'invalid_value',
    ],
  ],
  inferAction: [
    ['undefined scenes', () => api.inferAction(bad(undefined), scene), SCENE],
    ['a negative tolerance', () => api.inferAction(scene, scene, { tolerance: -1 }), OPT],
    ['a NaN tolerance', () => api.inferAction(scene, scene, { tolerance: Number.NaN }), OPT],
    ['a misspelt option', () => api.inferAction(scene, scene, bad({ tolerence: 0.1 })), OPT],
    ['a push angle over pi', () => api.inferAction(scene, scene, { pushMaxAngle: 4 }), OPT],
    ['10^5 objects', () => api.inferAction(bad(huge), bad(huge)), SCENE],
  ],
  compare: [
    ['a null truth', () => api.compare(scene, bad(null)), SCENE],
    ['a negative distance', () => api.compare(scene, scene, { matchDistance: -1 }), OPT],
    ['an infinite cost', () => api.compare(scene, scene, { attributeCost: Infinity }), OPT],
    ['an unknown option', () => api.compare(scene, scene, bad({ threshold: 1 })), OPT],
    ['10^5 objects', () => api.compare(bad(huge), scene), SCENE],
  ],
};

function throwIfInvalid(result: api.SceneValidation): void {
  if (!result.ok) throw result.error;
}

/** parseScene reports instead of throwing: the first problem code stands for the error code. */
function throwIfProblem(result: api.ParseResult): void {
  const code = result.problems[0]?.code;
  if (code !== undefined) throw Object.assign(new api.DescriptorError(ARG, ''), { code });
}

describe('every public entry point refuses bad input with a typed error', () => {
  it('has a row for every exported function', () => {
    const functions = Object.entries(api)
      .filter(
        ([, v]) => typeof v === 'function' && !/^class\b/.test(Function.prototype.toString.call(v)),
      )
      .map(([k]) => k)
      .sort();
    expect(Object.keys(cases).sort()).toEqual(functions);
  });

  for (const [name, rows] of Object.entries(cases)) {
    it.each(rows.map((r) => [...r]))(`${name}: %s`, (_, f, code) => {
      expect(errorCode(f)).toBe(code);
    });
  }
});
