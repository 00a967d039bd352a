import { isActllmError } from '@actllm/core';
import { buildTokenizer } from '../src/vocabulary.js';
import type { Tokenizer } from '../src/tokenizer.js';
import { COLORS, SHAPES, TEMPLATES } from './fixtures.js';

/** The code of the typed error `f` throws, 'untyped' for another error, 'no error' when it returns. */
export function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isActllmError(e) ? e.code : 'untyped';
  }
  return 'no error';
}

export async function asyncErrorCode(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    return isActllmError(e) ? e.code : 'untyped';
  }
  return 'no error';
}

/** The tokenizer of the synthetic domain, as the CLI would build it from the benchmark. */
export function domainTokenizer(): Tokenizer {
  return buildTokenizer({ texts: TEMPLATES, names: [...SHAPES, ...COLORS] });
}
