/**
 * Where the CLI writes, and whether it may use colour: only on a terminal, and never with NO_COLOR.
 */
import { styleText } from 'node:util';

/** A destination for text, with its colour capability decided once. */
export interface CliStream {
  write(text: string): void;
  /** True when this stream is a terminal that accepts colour. */
  color: boolean;
  /** Columns of the terminal, or undefined when not a terminal. */
  columns?: number;
  /** True when this stream is a terminal (progress bars and prompts only there). */
  isTTY: boolean;
}

/** The CLI's standard streams and environment, injectable for tests. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function streamOf(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): CliStream {
  const isTTY = Boolean(stream.isTTY);
  const color = env.FORCE_COLOR
    ? env.FORCE_COLOR !== '0'
    : isTTY && !('NO_COLOR' in env) && env.TERM !== 'dumb';
  return { write: (text) => void stream.write(text), color, columns: stream.columns, isTTY };
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    stdout: streamOf(process.stdout, process.env),
    stderr: streamOf(process.stderr, process.env),
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

type Style = Parameters<typeof styleText>[0];

/** Paints text when the stream takes colour, and leaves it plain otherwise. */
export function paint(stream: Pick<CliStream, 'color'>, style: Style, text: string): string {
  return stream.color ? styleText(style, text, { validateStream: false }) : text;
}

/** Writes a line. */
export function line(stream: CliStream, text = ''): void {
  stream.write(`${text}\n`);
}
