import { TabletopError } from '../errors.js';
import type { TaskFamily } from './types.js';
import { visualManipulation } from './visual-manipulation.js';
import { sceneUnderstanding } from './scene-understanding.js';
import { rotate } from './rotate.js';
import { rearrange } from './rearrange.js';

const FAMILIES = new Map<string, TaskFamily>();

/** Adds a task family (part 2 registers the rest this way); a name can be taken only once. */
export function registerTask(family: TaskFamily): void {
  if (FAMILIES.has(family.name)) {
    throw new TabletopError(
      'TABLETOP_INVALID_OPTION',
      `A task family named "${family.name}" is already registered; pick another name.`,
    );
  }
  FAMILIES.set(family.name, family);
}

for (const f of [visualManipulation, sceneUnderstanding, rotate, rearrange] as TaskFamily[])
  registerTask(f);

/** Names of the registered task families, in registration order. */
export function listTasks(): string[] {
  return [...FAMILIES.keys()];
}

export function getTask(name: string): TaskFamily {
  const family = FAMILIES.get(name);
  if (!family) {
    throw new TabletopError(
      'TABLETOP_UNKNOWN_TASK',
      `Unknown task "${name}"; use one of ${listTasks().join(', ')}.`,
    );
  }
  return family;
}
