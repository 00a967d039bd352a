import cliProgress from 'cli-progress';
import type { Io } from './output.js';

/** A progress bar on stderr; with `--json` it draws nothing. */
export interface Bar {
  update(value: number, payload?: Record<string, unknown>): void;
  /** Changes the total (e.g. when a budget is estimated after the start). */
  setTotal(total: number): void;
  stop(): void;
}

const SILENT: Bar = { update() {}, setTotal() {}, stop() {} };

/**
 * A bar with `format` (cli-progress tokens: `{bar}`, `{value}`, `{total}`, `{percentage}`,
 * `{eta_formatted}`, and the payload's keys). On a terminal it redraws in place; when stderr
 * is not a terminal (a scheduler's log file) it writes one plain line every 10 s and at the
 * end, so logs stay short.
 */
export function createBar(
  io: Io,
  total: number,
  format: string,
  payload: Record<string, unknown> = {},
): Bar {
  if (io.json) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      format,
      stream: io.stderr,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
      etaBuffer: 20,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, payload);
  return {
    update: (value, p) => bar.update(value, p ?? {}),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}
