/** Object ids look like `obj0`, `obj1`, ... (spawn order). */
const OBJECT_ID = /^obj\d+$/;

/**
 * Every object id a goal mentions, in first-seen order. Goals are plain JSON, so this works
 * for every family without each one listing its objects: the runner uses it to tell a wrong
 * object from a right one, the dynamic schedule to aim at the objects that matter.
 */
export function goalIds(goal: unknown): string[] {
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      if (OBJECT_ID.test(v)) out.add(v);
    } else if (Array.isArray(v)) {
      for (const x of v) visit(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const x of Object.values(v)) visit(x);
    }
  };
  visit(goal);
  return [...out];
}
