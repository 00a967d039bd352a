import { describe, expect, it } from 'vitest';
import { isActllmError, type Action } from '@actllm/core';
import { buildScene } from '@actllm/descriptor';
import * as api from '../src/index.js';
import { object, readmeEpisode } from './fixtures.js';
import { domainTokenizer } from './helpers.js';

/** The code of the typed error `f` throws (or rejects with), 'no error' when it returns. */
async function errorCode(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    return isActllmError(e) ? e.code : `untyped ${String(e)}`;
  }
  return 'no error';
}

const bad = (v: unknown) => v as never;
const ARG = 'DIALOGUE_INVALID_ARGUMENT';
const OPT = 'DIALOGUE_INVALID_OPTIONS';
const CONV = 'DIALOGUE_INVALID_CONVERSATION';
const ACTION = 'DIALOGUE_INVALID_ACTION';
const EPISODE = 'DIALOGUE_INVALID_EPISODE';
const TOK = 'DIALOGUE_INVALID_TOKENIZER';
const ID = 'DIALOGUE_UNKNOWN_TOKEN_ID';

const tokenizer = domainTokenizer();
const scene = buildScene([object('a', 'bowl', 'green', { x: 0.7, y: 0.2, theta: 0 })]);
const act: Action = {
  kind: 'pick_place',
  from: { x: 0.1, y: 0.1, theta: 0 },
  to: { x: 0.2, y: 0.2, theta: 0 },
};
const turn = api.assistantTurn(0, scene, scene, act);
const conv = api.conversation([
  api.systemTurn(),
  api.instructionTurn('Stack all the blocks, then stop.'),
  api.userTurn(0, {}),
  turn,
]);
const rendered = api.renderConversation(conv, tokenizer);
const grammar = api.buildAssistantGrammar(tokenizer, { shapes: ['bowl'], colors: ['green'] });
const record = readmeEpisode();
const names = { shapes: ['bowl'], colors: ['green'] };

// Every public function, fed wrong types, unknown option names and values, and hostile sizes.
const cases: Record<string, readonly (readonly [string, () => unknown, string])[]> = {
  resolveFormat: [
    ['an unknown frame', () => api.resolveFormat(bad({ frame: 'side' })), OPT],
    ['a misspelt option', () => api.resolveFormat(bad({ bin: 10 })), OPT],
    ['a string size flag', () => api.resolveFormat(bad({ size: 'yes' })), OPT],
    ['huge bins', () => api.resolveFormat({ bins: 1e9 }), OPT],
  ],
  systemTurn: [['a number', () => api.systemTurn(bad(1)), ARG]],
  instructionTurn: [
    ['undefined text', () => api.instructionTurn(bad(undefined)), ARG],
    ['an asset without views', () => api.instructionTurn('a {x}', bad({ x: {} })), ARG],
  ],
  fromInstruction: [['null', () => api.fromInstruction(bad(null)), ARG]],
  userTurn: [
    ['a negative step', () => api.userTurn(-1, {}), ARG],
    ['a string view set', () => api.userTurn(0, bad('top')), ARG],
    ['a numeric note', () => api.userTurn(0, {}, bad(3)), ARG],
  ],
  assistantTurn: [
    ['an invalid scene', () => api.assistantTurn(0, bad({ objects: [] }), scene, act), CONV],
    ['an invalid action', () => api.assistantTurn(0, scene, scene, bad({ kind: 'fly' })), ACTION],
    ['a fractional step', () => api.assistantTurn(0.5, scene, scene, act), ARG],
  ],
  conversation: [
    ['a string', () => api.conversation(bad('turns')), ARG],
    ['a turn of no role', () => api.conversation(bad([{}])), CONV],
    ['a user turn without views', () => api.conversation(bad([{ role: 'user', step: 0 }])), CONV],
  ],
  conversationParts: [
    ['undefined', () => api.conversationParts(bad(undefined)), ARG],
    ['turns that are not an array', () => api.conversationParts(bad({ turns: 1 })), CONV],
  ],
  appendTurn: [
    ['no conversation', () => api.appendTurn(bad(null), turn), ARG],
    ['a turn that is a string', () => api.appendTurn(conv, bad('user')), CONV],
  ],
  actionToText: [
    ['undefined', () => api.actionToText(bad(undefined)), ACTION],
    ['a misspelt option', () => api.actionToText(act, bad({ bin: 10 })), OPT],
    ['huge rotation bins', () => api.actionToText(act, { rotationBins: 1e9 }), OPT],
  ],
  quantizeAction: [
    ['null', () => api.quantizeAction(bad(null)), ACTION],
    ['an unknown option', () => api.quantizeAction(act, bad({ frame: 'top' })), OPT],
  ],
  actionVocabulary: [
    ['an unknown option', () => api.actionVocabulary(bad({ bins: 10, x: 1 })), OPT],
  ],
  rotationToken: [
    ['a string', () => api.rotationToken(bad('1')), ARG],
    ['a bin past MAX_BINS', () => api.rotationToken(1e9), ARG],
  ],
  parseActionText: [
    ['a number: reported, not thrown', () => failed(api.parseActionText(bad(42))), 'parse failed'],
    [
      '10^6 tokens: reported',
      () => failed(api.parseActionText('<act> '.repeat(1e6))),
      'parse failed',
    ],
    ['a misspelt option', () => api.parseActionText('', bad({ bin: 10 })), OPT],
  ],
  assistantSegments: [
    ['a turn with a bad scene', () => api.assistantSegments({ ...turn, next: bad(1) }), CONV],
    ['an unknown option', () => api.assistantSegments(turn, bad({ maxTokens: 9 })), OPT],
  ],
  assistantText: [['undefined', () => api.assistantText(bad(undefined)), ARG]],
  parseAssistantText: [
    [
      'a number: reported, not thrown',
      () => failed(api.parseAssistantText(bad(42))),
      'parse failed',
    ],
    ['an unknown option', () => api.parseAssistantText('', bad({ shapes: [] })), OPT],
  ],
  wordsOf: [
    ['a string instead of texts', () => api.wordsOf(bad('text')), ARG],
    ['non-string texts', () => api.wordsOf(bad([1, 2])), ARG],
  ],
  buildTokenizer: [
    ['a misspelt option', () => api.buildTokenizer(bad({ text: ['a'] })), OPT],
    ['texts that are a string', () => api.buildTokenizer(bad({ texts: 'Rotate it.' })), ARG],
    ['numeric names', () => api.buildTokenizer(bad({ names: [7] })), ARG],
    ['huge bins', () => api.buildTokenizer({ bins: 1e9 }), OPT],
  ],
  keepsImages: [
    ['a string index', () => api.keepsImages(bad('0'), 2, 1), ARG],
    ['negative image turns', () => api.keepsImages(0, 2, -1), OPT],
  ],
  firstKeptStep: [
    ['lengths that are not an array', () => api.firstKeptStep(1, bad(3), 10), ARG],
    ['a NaN length', () => api.firstKeptStep(1, [Number.NaN], 10), ARG],
    ['zero max tokens', () => api.firstKeptStep(1, [1], 0), OPT],
  ],
  renderConversation: [
    ['no tokenizer', () => api.renderConversation(conv, bad(undefined)), ARG],
    [
      'a misspelt option',
      () => api.renderConversation(conv, tokenizer, bad({ imageTurn: 2 })),
      OPT,
    ],
    ['bins the tokenizer lacks', () => api.renderConversation(conv, tokenizer, { bins: 200 }), OPT],
    ['bins below the tokenizer', () => api.renderConversation(conv, tokenizer, { bins: 50 }), OPT],
    [
      'other rotation bins',
      () => api.renderConversation(conv, tokenizer, { rotationBins: 8 }),
      OPT,
    ],
    [
      '10^9 tokens per image',
      () => api.renderConversation(conv, tokenizer, { tokensPerImage: 1e9 }),
      OPT,
    ],
    [
      'a string prompt flag',
      () => api.renderConversation(conv, tokenizer, bad({ generationPrompt: 1 })),
      OPT,
    ],
  ],
  segmentMask: [
    ['an unknown label', () => api.segmentMask(rendered, bad('actions')), ARG],
    ['no label', () => api.segmentMask(rendered), ARG],
    ['no rendered conversation', () => api.segmentMask(bad({}), 'act'), ARG],
  ],
  episodeToConversation: [
    ['undefined', () => api.episodeToConversation(bad(undefined)), ARG],
    [
      'a record without steps',
      () => api.episodeToConversation(bad({ ...record, steps: 1 })),
      EPISODE,
    ],
    ['a render option', () => api.episodeToConversation(record, bad({ maxTokens: 10 })), OPT],
    ['an unknown view', () => api.episodeToConversation(record, bad({ views: ['side'] })), OPT],
    ['a note that is a string', () => api.episodeToConversation(record, bad({ note: 'hi' })), OPT],
  ],
  toTrainingDialogue: [
    ['a string record', () => api.toTrainingDialogue(bad('record'), tokenizer), ARG],
    ['no tokenizer', () => api.toTrainingDialogue(record, bad({})), ARG],
    [
      'an unknown option',
      () => api.toTrainingDialogue(record, tokenizer, bad({ shapes: [] })),
      OPT,
    ],
    ['bins that disagree', () => api.toTrainingDialogue(record, tokenizer, { bins: 64 }), OPT],
  ],
  buildAssistantGrammar: [
    ['no tokenizer', () => api.buildAssistantGrammar(bad(null), names), ARG],
    [
      'a string of shapes',
      () => api.buildAssistantGrammar(tokenizer, bad({ shapes: 'bowl', colors: ['green'] })),
      ARG,
    ],
    [
      'a misspelt option',
      () => api.buildAssistantGrammar(tokenizer, bad({ ...names, maxObject: 2 })),
      OPT,
    ],
    [
      'a huge maxObjects',
      () => api.buildAssistantGrammar(tokenizer, { ...names, maxObjects: 1e9 }),
      OPT,
    ],
    [
      'an unlimited maxObjects',
      () => api.buildAssistantGrammar(tokenizer, { ...names, maxObjects: Infinity }),
      OPT,
    ],
    ['bins that disagree', () => api.buildAssistantGrammar(tokenizer, { ...names, bins: 10 }), OPT],
  ],
  llavaImagePath: [
    ['a numeric id', () => api.llavaImagePath(bad(1), 'a.png'), ARG],
    ['a path outside', () => api.llavaImagePath('e', '../a.png'), EPISODE],
  ],
  llavaSample: [
    ['null', () => api.llavaSample(bad(null)), ARG],
    ['a render option', () => api.llavaSample(record, bad({ tokensPerImage: 2 })), OPT],
  ],
  toLlava: [
    ['a number of episodes', () => api.toLlava(bad(3), 'out'), ARG],
    ['no output folder', () => api.toLlava([], bad(undefined)), ARG],
    ['an episode without dir', () => api.toLlava([bad({ record })], 'out'), ARG],
    ['an unknown option', () => api.toLlava([], 'out', bad({ indent: 2 })), OPT],
  ],
};

/** Class methods, with the same kinds of input. */
const methods: readonly (readonly [string, () => unknown, string])[] = [
  ['new Tokenizer of a misspelt field', () => new api.Tokenizer(bad({ word: ['a'] })), OPT],
  ['new Tokenizer of numeric words', () => new api.Tokenizer(bad({ words: [1] })), ARG],
  ['Tokenizer.id of a number', () => tokenizer.id(bad(1)), ARG],
  ['Tokenizer.token of a string id', () => tokenizer.token(bad('1')), ARG],
  ['Tokenizer.token past the end', () => tokenizer.token(1e9), ID],
  ['Tokenizer.token of 1.5', () => tokenizer.token(1.5), ID],
  ['Tokenizer.isSpecial of a string', () => tokenizer.isSpecial(bad('0')), ARG],
  ['Tokenizer.tokenize of null', () => tokenizer.tokenize(bad(null)), ARG],
  ['Tokenizer.encode of undefined', () => tokenizer.encode(bad(undefined)), ARG],
  ['Tokenizer.decode of a string', () => tokenizer.decode(bad('1 2')), ARG],
  [
    'Tokenizer.decode with a misspelt option',
    () => tokenizer.decode([1], bad({ skip: true })),
    OPT,
  ],
  ['Tokenizer.fromHuggingFace of a string', () => api.Tokenizer.fromHuggingFace('{}'), TOK],
  ['AssistantGrammar.next of a string state', () => grammar.next(bad('0'), 1), ARG],
  ['AssistantGrammar.allowedAt of NaN', () => grammar.allowedAt(Number.NaN), ARG],
  ['AssistantGrammar.run of a number', () => grammar.run(bad(3)), ARG],
  ['AssistantGrammar.accepts of ids with a string', () => grammar.accepts(bad(['1'])), ARG],
  ['AssistantGrammar.isFinal of undefined', () => grammar.isFinal(bad(undefined)), ARG],
  ['AssistantGrammar.allowed of null', () => grammar.allowed(bad(null)), ARG],
];

/** A parser reports instead of throwing: 'parse failed' stands for the error code. */
function failed(result: { readonly ok: boolean }): void {
  if (!result.ok) throw Object.assign(new api.DialogueError(ARG, ''), { code: 'parse failed' });
}

describe('every public entry point refuses bad input with a typed error', () => {
  it('has a row for every exported function', () => {
    const isClass = (v: unknown) => /^class\b/.test(Function.prototype.toString.call(v));
    const functions = Object.entries(api)
      .filter(([, v]) => typeof v === 'function' && !isClass(v))
      .map(([k]) => k)
      .sort();
    expect(Object.keys(cases).sort()).toEqual(functions);
  });

  for (const [name, rows] of Object.entries(cases)) {
    it.each(rows.map((r) => [...r]))(`${name}: %s`, async (_, f, code) => {
      expect(await errorCode(f)).toBe(code);
    });
  }

  it.each(methods.map((r) => [...r]))('%s', async (_, f, code) => {
    expect(await errorCode(f)).toBe(code);
  });
});
