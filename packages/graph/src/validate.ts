import { GraphError } from './errors.js';

/**
 * Argument checks shared by graph's public functions, so that a wrong type or a misspelt
 * option is a typed error naming the function, never a TypeError from deep inside it.
 */

/** True for an object shaped like a Graph (the arrays every function walks). */
function isGraphLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const g = value as Record<string, unknown>;
  return (
    typeof g['name'] === 'string' &&
    ['inputs', 'outputs', 'parameters', 'nodes'].every((k) => Array.isArray(g[k]))
  );
}

/** Refuses anything that is not a Graph (build one with GraphBuilder, or graphFromJSON). */
export function checkGraphArgument(value: unknown, fn: string): void {
  if (!isGraphLike(value)) {
    throw new GraphError(
      'GRAPH_INVALID_ARGUMENT',
      `${fn} needs a Graph (from GraphBuilder.build(), fromOnnx or graphFromJSON); got ${describeValue(value)}.`,
    );
  }
}

/** What each option accepts: a list of values, or a kind checked below. */
export type OptionSpec = Readonly<
  Record<string, readonly string[] | 'strings' | 'limits' | 'number' | 'boolean' | 'string'>
>;

/** Refuses unknown option names and values outside what `spec` allows. */
export function checkOptions(options: unknown, spec: OptionSpec, fn: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GraphError('GRAPH_INVALID_OPTION', `${fn} options must be an object.`);
  }
  for (const [name, value] of Object.entries(options)) {
    const allowed = spec[name];
    if (allowed === undefined) {
      throw new GraphError(
        'GRAPH_INVALID_OPTION',
        `${fn} has no option ${JSON.stringify(name)}; its options are ${Object.keys(spec).join(', ')}.`,
      );
    }
    if (value === undefined) continue;
    const why = optionProblem(value, allowed);
    if (why !== undefined) {
      throw new GraphError('GRAPH_INVALID_OPTION', `${fn} option ${name} ${why}.`);
    }
  }
}

function optionProblem(value: unknown, allowed: OptionSpec[string]): string | undefined {
  if (Array.isArray(allowed)) {
    return (allowed as readonly unknown[]).includes(value)
      ? undefined
      : `is ${JSON.stringify(value)}; use one of ${allowed.join(', ')}`;
  }
  switch (allowed) {
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? undefined
        : 'must be an array of tensor names';
    case 'string':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'number':
      return Number.isFinite(value) ? undefined : 'must be a finite number';
    case 'limits':
      return limitsProblem(value);
  }
  return undefined;
}

function limitsProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'must be an object';
  for (const [k, v] of Object.entries(value)) {
    if (k !== 'maxElements' && k !== 'maxBytes') return `has no field ${JSON.stringify(k)}`;
    if (!(Number.isSafeInteger(v) && (v as number) > 0)) {
      return `.${k} must be a positive integer`;
    }
  }
  return undefined;
}

/** A short description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: unknown } }).constructor;
    return typeof ctor?.name === 'string' ? ctor.name : 'an object';
  }
  return typeof value;
}
