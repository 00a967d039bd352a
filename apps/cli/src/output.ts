/**
 * Where a command writes. With `--json` a command prints exactly one JSON value on stdout
 * (its result) and draws no bars; otherwise tables and lines for people, bars on stderr.
 */
export interface Io {
  readonly json: boolean;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createIo(json: boolean): Io {
  return { json, stdout: process.stdout, stderr: process.stderr };
}

/** Prints a command's result: the JSON value with `--json`, else what `human` writes. */
export function printResult(io: Io, result: unknown, human: () => string): void {
  if (io.json) io.stdout.write(`${JSON.stringify(result)}\n`);
  else io.stdout.write(human().replace(/\n?$/, '\n'));
}

/** A note for people on stderr (nothing with `--json`, whose stdout stays one value). */
export function note(io: Io, message: string): void {
  if (!io.json) io.stderr.write(`${message}\n`);
}

/** Columns padded to their widest cell; numbers right-aligned. */
export type Cell = string | number | boolean | null | undefined;

export function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = [header, ...rows].map((r) => r.map((c) => (c === undefined ? '' : String(c))));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) =>
    rows.every((r) => typeof r[i] === 'number' || r[i] === undefined),
  );
  return cells
    .map((r) =>
      r
        .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key: value` lines with the keys aligned. */
export function fields(pairs: readonly (readonly [string, unknown])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${String(v)}`).join('\n');
}

/** Seconds as `1h02m03s`, `4m05s` or `6.1s`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m${rest}s` : `${m}m${rest}s`;
}
