/**
 * Runs the CLI in-process with captured output, for tests.
 */
import type { CliIo } from './cli-io.js';
import { runCli } from './program.js';

/** Options of {@link runCaptured}. */
export interface RunCapturedOptions {
  /** Pretend the streams are a colour terminal. */
  color?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs `milepost <args>` and returns its exit code and what it wrote. */
export async function runCaptured(
  args: string[],
  options: RunCapturedOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const color = options.color ?? false;
  const io: CliIo = {
    stdout: { write: (text) => void out.push(text), color, isTTY: color },
    stderr: { write: (text) => void err.push(text), color, isTTY: color },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await runCli(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}
