/**
 * Exit codes, documented in the CLI's help and README, and the one place errors become output.
 */
import { MilepostError } from '@milepost/core';
import { type CliIo, line, paint } from './cli-io.js';

/** The CLI's exit codes. */
export const EXIT_CODES = {
  /** Success; for `plan`, nothing to change. */
  ok: 0,
  /** Invalid input or a failure; the message says which. */
  failure: 1,
  /** `plan`: there are changes; other commands: wrong usage (unknown option, missing argument). */
  changesOrUsage: 2,
} as const;

/** Thrown by commands to end with an exit code after they have written their output. */
export class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'CliExit';
  }
}

/** Prints an error the way people can act on; `--json` callers get `{ error: { code, message } }`. */
export function reportError(io: CliIo, error: unknown, json: boolean): number {
  const known = MilepostError.isInstance(error);
  const code = known ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    const details = known ? error.details : {};
    line(io.stdout, JSON.stringify({ error: { code, message, ...details } }));
  } else {
    line(io.stderr, `${paint(io.stderr, 'red', 'error')} ${message}`);
    if (!known && error instanceof Error && io.env.MILEPOST_DEBUG) line(io.stderr, error.stack ?? '');
  }
  return EXIT_CODES.failure;
}
