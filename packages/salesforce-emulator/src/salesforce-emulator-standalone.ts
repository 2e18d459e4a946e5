import { createSalesforceEmulator } from './salesforce-emulator.js';
import type { SalesforceEmulator } from './salesforce-emulator-types.js';

/** Options of the standalone emulator (`milepost emulator salesforce`). */
export interface SalesforceStandaloneOptions {
  /** TCP port; default 0 (a free one). */
  port?: number;
  /** Data to start with; default 'demo'. */
  seed?: 'demo' | 'empty';
  /** JSON file to load state from and save state to. */
  dataFile?: string;
  /** A fixed access token for the integration user (so scripts can keep it across restarts). */
  token?: string;
  /** Where to print the connection lines; default console.log. */
  log?: (line: string) => void;
}

/**
 * Runs the emulator with one Enterprise org (orgId `00D000000000001AAA`) and prints
 * `SF_INSTANCE_URL=<url>` and `SF_ACCESS_TOKEN=<token>` for its integration user.
 */
export async function runSalesforceEmulatorStandalone(
  options: SalesforceStandaloneOptions = {},
): Promise<SalesforceEmulator> {
  const log = options.log ?? ((line: string) => console.log(line));
  const emulator = await createSalesforceEmulator({
    ...(options.port !== undefined ? { port: options.port } : {}),
    seed: options.seed ?? 'demo',
    ...(options.dataFile ? { dataFile: options.dataFile } : {}),
    orgs: [
      {
        orgId: '00D000000000001AAA',
        edition: 'enterprise',
        pathEnabled: false,
        ...(options.token ? { tokens: [options.token] } : {}),
      },
    ],
  });
  log(`SF_INSTANCE_URL=${emulator.url}`);
  log(`SF_ACCESS_TOKEN=${options.token ?? emulator.defaultToken}`);
  return emulator;
}
