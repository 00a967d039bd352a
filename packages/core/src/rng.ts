import { InvalidArgumentError } from './errors.js';
import { requireFinite } from './checks.js';

/**
 * A seeded pseudo-random generator: xoshiro128** 1.1 (Blackman and Vigna, 2018,
 * https://prng.di.unimi.it/), seeded through SplitMix64 as its authors recommend.
 * 128 bits of state, period 2^128 - 1, fast on 32-bit integer arithmetic.
 *
 * `fork()` hands out independent streams with the generator's jump function: the child
 * takes the current state and the parent jumps 2^64 draws ahead, so neither stream
 * overlaps the other for 2^64 draws.
 */

/** The four 32-bit words of the state, for checkpoints. */
export type RngState = readonly [number, number, number, number];

const MASK64 = (1n << 64n) - 1n;
const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b] as const;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** SplitMix64, to spread any integer seed over the 128-bit state. */
function seedState(seed: number): [number, number, number, number] {
  let x = BigInt.asUintN(64, BigInt(seed));
  const words: number[] = [];
  for (let i = 0; i < 2; i++) {
    x = (x + 0x9e3779b97f4a7c15n) & MASK64;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    z = z ^ (z >> 31n);
    words.push(Number(z & 0xffffffffn), Number(z >> 32n));
  }
  return words as [number, number, number, number];
}

export class Rng {
  #s: [number, number, number, number];

  /** @param seed any safe integer (negative seeds are taken modulo 2^64). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidArgumentError(`A seed must be a safe integer; got ${String(seed)}.`);
    }
    this.#s = seedState(seed);
  }

  /** Restores a generator from {@link Rng.state}. */
  static fromState(state: RngState): Rng {
    const valid =
      Array.isArray(state) &&
      state.length === 4 &&
      state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) &&
      state.some((w) => w !== 0);
    if (!valid) {
      throw new InvalidArgumentError(
        'An RNG state must be four unsigned 32-bit integers, not all zero (as returned by rng.state()).',
      );
    }
    const rng = new Rng(0);
    rng.#s = [state[0], state[1], state[2], state[3]];
    return rng;
  }

  /** A copy of the current state; `Rng.fromState(rng.state())` continues the same stream. */
  state(): RngState {
    return [this.#s[0], this.#s[1], this.#s[2], this.#s[3]];
  }

  /** The next raw output: a uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] = (s[2] ^ s[0]) >>> 0;
    s[3] = (s[3] ^ s[1]) >>> 0;
    s[1] = (s[1] ^ s[2]) >>> 0;
    s[0] = (s[0] ^ s[3]) >>> 0;
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform float in [min, max). */
  float(min: number, max: number): number {
    requireFinite(min, 'rng.float(min)');
    requireFinite(max, 'rng.float(max)');
    return min + (max - min) * this.next();
  }

  /** A uniform integer in [min, max) without modulo bias. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max <= min) {
      throw new InvalidArgumentError(
        `rng.int(min, max) needs integers with min < max; got (${min}, ${max}).`,
      );
    }
    const range = max - min;
    if (range > 0x100000000) {
      return min + Math.floor(this.next() * range);
    }
    // Rejection sampling: drop the top partial block of the 2^32 outputs.
    const limit = 0x100000000 - (0x100000000 % range);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return min + (x % range);
  }

  /** True with probability `p`. */
  bool(p = 0.5): boolean {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new InvalidArgumentError(
        `rng.bool(p) needs a probability in [0, 1]; got ${String(p)}.`,
      );
    }
    return this.next() < p;
  }

  /** A normal deviate (Box-Muller). */
  normal(mean = 0, std = 1): number {
    requireFinite(mean, 'rng.normal(mean)');
    requireFinite(std, 'rng.normal(std)');
    if (std < 0) throw new InvalidArgumentError(`rng.normal(std) must be >= 0; got ${std}.`);
    const u = 1 - this.next(); // (0, 1]: log(u) is finite
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly chosen element. */
  pick<T>(items: readonly T[]): T {
    if (!Array.isArray(items) || (items as readonly T[]).length === 0) {
      throw new InvalidArgumentError('rng.pick needs a non-empty array.');
    }
    return items[this.int(0, items.length)] as T;
  }

  /** A shuffled copy (Fisher-Yates); the input is left as it is. */
  shuffle<T>(items: readonly T[]): T[] {
    if (!Array.isArray(items)) throw new InvalidArgumentError('rng.shuffle needs an array.');
    const out = (items as readonly T[]).slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /**
   * An independent stream: the child continues from the current state and this generator
   * jumps 2^64 draws ahead. Forking is itself deterministic, so the same sequence of calls
   * gives the same streams.
   */
  fork(): Rng {
    const child = Rng.fromState(this.state());
    this.#jump();
    return child;
  }

  #jump(): void {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (const word of JUMP) {
      for (let b = 0; b < 32; b++) {
        if ((word >>> b) & 1) {
          s0 ^= this.#s[0];
          s1 ^= this.#s[1];
          s2 ^= this.#s[2];
          s3 ^= this.#s[3];
        }
        this.nextUint32();
      }
    }
    this.#s = [s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0];
  }
}
