/**
 * A progress line for long work, drawn on a terminal only (never in pipes, logs or `--json` output).
 */
import type { CliStream } from './cli-io.js';

/** A progress display. */
export interface Progress {
  /** Shows `done` of `total` (a bar when the total is known), with extra figures after it. */
  update(done: number, total?: number, figures?: string): void;
  /** Clears the line. */
  done(): void;
}

const BAR_WIDTH = 24;

/** Creates a progress line on `stream`, drawn at most every 100 ms. */
export function createProgress(stream: CliStream, label: string): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(done, total, figures) {
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      const count = done.toLocaleString('en-US');
      const bar =
        total && total > 0
          ? `[${'█'.repeat(Math.round((done / total) * BAR_WIDTH)).padEnd(BAR_WIDTH, '░')}] ${count}/${total.toLocaleString('en-US')}`
          : count;
      stream.write(`\r\u001b[2K${label} ${bar}${figures ? `  ${figures}` : ''}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\u001b[2K');
    },
  };
}
