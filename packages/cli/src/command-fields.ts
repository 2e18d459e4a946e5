/**
 * `milepost fields` and `milepost mapping check`: what a CRM's live fields are, and whether a mapping
 * fits them, before a sync finds out record by record.
 */
import {
  type CrmField,
  checkMapping,
  type Mapping,
  type MappingIssue,
  type MappingTarget,
  MilepostError,
} from '@milepost/core';
import type { Command } from 'commander';
import { CliExit, EXIT_CODES } from './cli-errors.js';
import { type CliIo, line, paint } from './cli-io.js';
import { type AdapterFactory, createAdapterFromEnvironment, TARGET_HELP, targetOf } from './command-crm.js';
import { journeyAndMappingFrom, readMappings } from './command-journeys.js';

/** Enum options shown per field before the list is cut short (`--json` has them all). */
const OPTIONS_SHOWN = 8;

/** Reads the mapping for `target` from a mapping file alone (no journey to check it against). */
async function mappingFile(file: string, target: MappingTarget): Promise<Mapping> {
  const mapping = (await readMappings(file)).find((candidate) => candidate.target === target);
  if (!mapping)
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: `${file} has no mapping with target ${target}; check its "target" (or pass the matching --target)`,
    });
  return mapping;
}

function describeType(field: CrmField): string {
  if (field.type !== 'enum') return field.type;
  const values = (field.options ?? []).map((option) => option.value);
  const shown = values.slice(0, OPTIONS_SHOWN).join(', ');
  return `enum: ${shown || '(no options)'}${values.length > OPTIONS_SHOWN ? `, … ${values.length - OPTIONS_SHOWN} more` : ''}`;
}

function printFields(io: CliIo, fields: readonly CrmField[]): void {
  const objects = [...new Set(fields.map((field) => field.object))];
  for (const [index, object] of objects.entries()) {
    const onObject = fields
      .filter((field) => field.object === object)
      .sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    if (index > 0) line(io.stdout);
    line(io.stdout, paint(io.stdout, 'bold', `${object} (${onObject.length} fields)`));
    const nameWidth = Math.min(40, Math.max(...onObject.map((field) => field.name.length)));
    const labelWidth = Math.min(32, Math.max(...onObject.map((field) => field.label.length)));
    for (const field of onObject) {
      const managed = field.managed ? paint(io.stdout, 'cyan', '  [Milepost]') : '';
      line(
        io.stdout,
        `  ${field.name.padEnd(nameWidth)}  ${field.label.padEnd(labelWidth)}  ${describeType(field)}${managed}`,
      );
    }
  }
}

function printIssues(io: CliIo, issues: readonly MappingIssue[]): void {
  for (const issue of issues) {
    const sign = issue.severity === 'error' ? paint(io.stdout, 'red', '✗') : paint(io.stdout, 'yellow', '!');
    line(io.stdout, `${sign} ${issue.message}`);
  }
  const errors = issues.filter((issue) => issue.severity === 'error').length;
  const warnings = issues.length - errors;
  line(
    io.stdout,
    issues.length === 0
      ? `${paint(io.stdout, 'green', '✓')} the mapping fits the CRM's fields`
      : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${errors ? ': fix the errors before syncing' : ''}`,
  );
}

/** Registers `fields` and `mapping check`. */
export function registerFieldCommands(
  program: Command,
  io: CliIo,
  createAdapter: AdapterFactory = createAdapterFromEnvironment,
): void {
  program
    .command('fields')
    .description(
      "list the CRM's live fields of the customer record object and the cycle object, grouped by object",
    )
    .requiredOption('--target <crm>', TARGET_HELP)
    .option('--mapping <file>', 'mapping file: its object and cycle object are the ones listed')
    .option('--json', 'machine-readable output (every field with its options)')
    .action(async (options: { target: string; mapping?: string; json?: boolean }) => {
      const target = targetOf(options.target);
      const mapping = options.mapping ? await mappingFile(options.mapping, target) : undefined;
      const adapter = await createAdapter(target, io.env);
      const fields = await adapter.describeFields(mapping);
      if (options.json) line(io.stdout, JSON.stringify(fields, null, 2));
      else printFields(io, fields);
    });

  const mappingCommand = program
    .command('mapping')
    .description('work with mapping files (journey facts and outputs → CRM fields)');
  mappingCommand
    .command('check')
    .description(
      "check a mapping against the CRM's live fields: fields exist, types fit, enum values have options; exit 1 on errors",
    )
    .requiredOption('--target <crm>', TARGET_HELP)
    .option('--journey <file>', 'journey file')
    .option('--template <name>', 'a bundled template instead of a journey file')
    .requiredOption('--mapping <file>', 'mapping file to check')
    .option('--json', 'machine-readable output: { ok, issues }')
    .action(
      async (options: {
        target: string;
        journey?: string;
        template?: string;
        mapping: string;
        json?: boolean;
      }) => {
        const target = targetOf(options.target);
        const { journey, mapping } = await journeyAndMappingFrom(options, target);
        // journeyAndMappingFrom returns a mapping whenever --mapping is given.
        const checked = mapping!;
        const adapter = await createAdapter(target, io.env);
        const issues = checkMapping(journey, checked, await adapter.describeFields(checked));
        const ok = !issues.some((issue) => issue.severity === 'error');
        if (options.json) line(io.stdout, JSON.stringify({ ok, issues }, null, 2));
        else printIssues(io, issues);
        if (!ok) throw new CliExit(EXIT_CODES.failure);
      },
    );
}
