import { Rng } from '@actllm/core';
import { TabletopError } from '../errors.js';
import { deriveSeed } from '../seeds.js';

export const INTENSITIES = ['none', 'mild', 'strong'] as const;
export type Intensity = (typeof INTENSITIES)[number];

export const PERTURBATION_KINDS = [
  'displace',
  'add_distractor',
  'move_container',
  'knock_over',
] as const;
export type PerturbationKind = (typeof PERTURBATION_KINDS)[number];

/**
 * Chance of a perturbation after each step, and the most per episode. Capped at two so that
 * the step limit (oracle steps + 2) leaves a re-planning policy one step per perturbation.
 */
export const INTENSITY_SETTINGS: Readonly<
  Record<Intensity, { readonly chance: number; readonly max: number }>
> = {
  none: { chance: 0, max: 0 },
  mild: { chance: 0.35, max: 1 },
  strong: { chance: 0.75, max: 2 },
};

export function assertIntensity(value: unknown): Intensity {
  if (!INTENSITIES.includes(value as Intensity)) {
    throw new TabletopError(
      'TABLETOP_INVALID_OPTION',
      `dynamic must be one of ${INTENSITIES.join(', ')}; got ${String(value)}.`,
    );
  }
  return value as Intensity;
}

/**
 * Which perturbation follows each step: entry k - 1 for step k, `null` for none. Drawn from
 * the episode seed alone, so an episode is the same whatever the agent does. Nothing follows
 * the last step (the episode ends there, so the agent could not answer it).
 */
export function perturbationSchedule(
  seed: number,
  intensity: Intensity,
  maxSteps: number,
): (PerturbationKind | null)[] {
  const rng = new Rng(deriveSeed(seed, 'dynamic', intensity));
  const { chance, max } = INTENSITY_SETTINGS[intensity];
  let left = max;
  const out: (PerturbationKind | null)[] = [];
  for (let step = 1; step <= maxSteps; step++) {
    const due = step < maxSteps && left > 0 && rng.next() < chance;
    if (due) left -= 1;
    out.push(due ? rng.pick(PERTURBATION_KINDS) : null);
  }
  return out;
}
