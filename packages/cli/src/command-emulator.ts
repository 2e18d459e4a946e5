/**
 * `milepost emulator hubspot|salesforce`: a local, stateful stand-in for the vendor, for demos and
 * for pointing the CLI or the vendor's own client at without a real account.
 */
import { MilepostError } from '@milepost/core';
import type { Command } from 'commander';
import { type CliIo, line } from './cli-io.js';

interface EmulatorOptions {
  port?: string;
  seed: string;
  data?: string;
  token?: string;
}

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

function portOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: `--port must be a port number (0-65535), not "${value}"`,
    });
  return port;
}

function seedOf(value: string): 'demo' | 'empty' {
  if (value !== 'demo' && value !== 'empty')
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: `--seed must be "demo" or "empty", not "${value}"`,
    });
  return value;
}

/** Registers `milepost emulator`. `wait` is injectable so tests can stop the emulator. */
export function registerEmulatorCommand(
  program: Command,
  io: CliIo,
  wait: () => Promise<void> = untilStopped,
): void {
  const emulator = program
    .command('emulator')
    .description('run a local emulator of HubSpot or Salesforce (prints the environment lines to use it)');
  const common = (command: Command) =>
    command
      .option('--port <n>', 'port to listen on (default: a free one)')
      .option('--seed <seed>', 'demo (a realistic customer base) or empty', 'demo')
      .option('--data <file>', 'keep the state in this JSON file so it survives restarts')
      .option('--token <token>', 'use this access token instead of a generated one');

  common(
    emulator
      .command('hubspot')
      .description('a local HubSpot: prints HUBSPOT_BASE_URL and HUBSPOT_ACCESS_TOKEN'),
  ).action(async (options: EmulatorOptions) => {
    const { runHubSpotEmulatorStandalone } = await import('@milepost/hubspot-emulator');
    const running = await runHubSpotEmulatorStandalone({
      port: portOf(options.port),
      seed: seedOf(options.seed),
      dataFile: options.data,
      token: options.token,
      log: (text) => line(io.stdout, text),
    });
    line(io.stderr, 'HubSpot emulator running; Ctrl-C stops it.');
    await wait();
    await running.close();
  });

  common(
    emulator
      .command('salesforce')
      .description('a local Salesforce org: prints SF_INSTANCE_URL and SF_ACCESS_TOKEN'),
  ).action(async (options: EmulatorOptions) => {
    const { runSalesforceEmulatorStandalone } = await import('@milepost/salesforce-emulator');
    const running = await runSalesforceEmulatorStandalone({
      port: portOf(options.port),
      seed: seedOf(options.seed),
      dataFile: options.data,
      token: options.token,
      log: (text) => line(io.stdout, text),
    });
    line(io.stderr, 'Salesforce emulator running; Ctrl-C stops it.');
    await wait();
    await running.close();
  });
}
