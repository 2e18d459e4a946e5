/**
 * The `milepost` program: every command, with `--help` everywhere and documented exit codes.
 */
import { Command, CommanderError } from 'commander';
import { CliExit, EXIT_CODES, reportError } from './cli-errors.js';
import { type CliIo, paint, processIo } from './cli-io.js';
import { registerCrmCommands } from './command-crm.js';
import { registerDemoCommand } from './command-demo.js';
import { registerEmulatorCommand } from './command-emulator.js';
import { registerFieldCommands } from './command-fields.js';
import { registerJourneyCommands } from './command-journeys.js';
import { registerMapCommand } from './command-map.js';
import { registerRecordCommands } from './command-records.js';
import { registerSalesforceCommands } from './command-salesforce.js';
import { VERSION } from './version.js';

const EXIT_CODE_HELP = `
Exit codes:
  0  success (plan and diff: nothing changed)
  1  invalid input or a failure; the message says what to do
  2  plan and diff: there are changes; otherwise: wrong usage

Environment:
  NO_COLOR=1        never colour the output (colour is only used on a terminal anyway)
  MILEPOST_DEBUG=1  print stack traces of unexpected errors
`;

/** Builds the program around the given streams. */
export function createProgram(io: CliIo): Command {
  const program = new Command('milepost')
    .description('Milepost: the customer success journey, executable inside your CRM.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(paint(io.stderr, 'red', text)),
    })
    .addHelpText('after', EXIT_CODE_HELP)
    .exitOverride();
  registerJourneyCommands(program, io);
  registerMapCommand(program, io);
  registerRecordCommands(program, io);
  registerCrmCommands(program, io);
  registerFieldCommands(program, io);
  registerEmulatorCommand(program, io);
  registerSalesforceCommands(program, io);
  registerDemoCommand(program, io);
  for (const command of program.commands) {
    command
      .exitOverride()
      .configureOutput(program.configureOutput())
      .showHelpAfterError('(add --help for usage)');
  }
  return program;
}

/** Runs the CLI and returns its exit code (never calls process.exit). */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = createProgram(io);
  const json = argv.includes('--json');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CliExit) return error.exitCode;
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return EXIT_CODES.ok;
      return EXIT_CODES.changesOrUsage;
    }
    return reportError(io, error, json);
  }
}
