/**
 * `milepost export salesforce`: the journey as a Salesforce DX project that admins deploy themselves
 * (`sf project deploy start`). `plan|apply|sync|status --target salesforce` live in command-crm.ts,
 * with `createSalesforceAdapterFromEnvironment` below as the Salesforce factory.
 */
import { resolve } from 'node:path';
import { type MilepostAdapter, MilepostError } from '@milepost/core';
import type { Command } from 'commander';
import { type CliIo, line, paint } from './cli-io.js';
import { journeyAndMappingFrom } from './command-journeys.js';

interface ExportOptions {
  journey?: string;
  template?: string;
  mapping?: string;
  out: string;
  json?: boolean;
}

/** The Salesforce adapter configured from `SF_INSTANCE_URL`/`SF_ACCESS_TOKEN` or `SF_CLIENT_ID`/`SF_CLIENT_SECRET`. */
export async function createSalesforceAdapterFromEnvironment(
  env: NodeJS.ProcessEnv,
): Promise<MilepostAdapter> {
  const { createSalesforceAdapter } = await import('@milepost/salesforce');
  return createSalesforceAdapter({ env });
}

/** Registers `export salesforce`. */
export function registerSalesforceCommands(program: Command, io: CliIo): void {
  const exportCommand =
    program.commands.find((command) => command.name() === 'export') ??
    program.command('export').description('write the journey as a CRM package to deploy yourself');
  exportCommand
    .command('salesforce')
    .description(
      'write a Salesforce DX project (Success Cycle object, Path, Flow, permission set, Lightning component) for the journey',
    )
    .option('--journey <file>', 'journey file')
    .option('--template <name>', 'a bundled template instead of a journey file')
    .option('--mapping <file>', 'mapping file (journey facts and outputs → Salesforce fields)')
    .requiredOption(
      '--out <dir>',
      'the folder to write the project to (its force-app/main/default is replaced)',
    )
    .option('--json', 'machine-readable output')
    .action(async (options: ExportOptions) => {
      if (!options.journey && !options.template)
        throw new MilepostError({
          code: 'INVALID_INPUT',
          message: 'name the journey: --journey FILE, or --template NAME (see `milepost templates`)',
        });
      const { journey, mapping } = await journeyAndMappingFrom(options, 'salesforce');
      const { salesforcePackageModel, salesforceProjectFiles, writeSalesforceProject } = await import(
        '@milepost/salesforce'
      );
      const directory = resolve(io.cwd, options.out);
      const files = salesforceProjectFiles(salesforcePackageModel(journey, mapping));
      await writeSalesforceProject(directory, files).catch((cause: NodeJS.ErrnoException) => {
        throw new MilepostError({
          code: 'INVALID_INPUT',
          message: `cannot write to ${directory}: ${cause.message}`,
          cause,
        });
      });
      if (options.json) {
        line(io.stdout, JSON.stringify({ directory, files: files.map((file) => file.path) }));
        return;
      }
      line(
        io.stdout,
        `${paint(io.stdout, 'green', '✓')} wrote ${files.length} files for "${journey.name}" to ${directory}`,
      );
      line(
        io.stdout,
        paint(
          io.stdout,
          'dim',
          `  deploy: cd ${options.out} && sf project deploy start --target-org YOUR_ORG, then assign the "Milepost Journey" permission set`,
        ),
      );
    });
}
