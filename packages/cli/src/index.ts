export { EXIT_CODES } from './cli-errors.js';
export type { CliIo, CliStream } from './cli-io.js';
export { createProgram, runCli } from './program.js';
export { renderJourneyText } from './render-journey-text.js';
