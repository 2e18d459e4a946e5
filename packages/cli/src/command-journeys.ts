/**
 * Commands about journey files: validate, templates, init, show, diff, schema.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  diffJourneys,
  formatDiagnostic,
  hasErrors,
  type Journey,
  journeyJsonSchema,
  listTemplates,
  loadJourney,
  loadJourneyFiles,
  loadTemplate,
  type Mapping,
  type MappingTarget,
  MilepostError,
  mappingJsonSchema,
  parseJourneySources,
  readTemplate,
  renderJourneyMermaid,
} from '@milepost/core';
import type { Command } from 'commander';
import { CliExit, EXIT_CODES } from './cli-errors.js';
import { type CliIo, line, paint } from './cli-io.js';
import { renderJourneyText } from './render-journey-text.js';

/** Loads the journey to work on: from a file (choosing by `--journey KEY` when it holds several) or a template. */
export async function journeyFrom(
  file: string | undefined,
  options: { template?: string; journey?: string },
): Promise<Journey> {
  if (options.template) return loadTemplate(options.template);
  if (!file)
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: 'name a journey file, or a bundled template with --template NAME (see `milepost templates`)',
    });
  const result = await loadJourneyFiles([file]);
  if (hasErrors(result.diagnostics)) {
    const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    throw new MilepostError({
      code: 'INVALID_FILE',
      message: `${file} is not valid (run \`milepost validate ${file}\`):\n${errors.map(formatDiagnostic).join('\n')}`,
      details: { diagnostics: errors },
    });
  }
  if (options.journey) {
    const chosen = result.journeys.find((journey) => journey.key === options.journey);
    if (!chosen)
      throw new MilepostError({
        code: 'INVALID_INPUT',
        message: `${file} has no journey "${options.journey}" (it has: ${result.journeys.map((journey) => journey.key).join(', ')})`,
      });
    return chosen;
  }
  return (await loadJourney(file)).journey;
}

/** Registers the journey-file commands. */
export function registerJourneyCommands(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check journey and mapping files; exit 0 when valid, 1 when not')
    .argument('<files...>', 'YAML or JSON journey/mapping files (several journeys may share a file set)')
    .option('--json', 'print the result as JSON on stdout')
    .option('--strict', 'treat warnings as errors')
    .action(async (files: string[], options: { json?: boolean; strict?: boolean }) => {
      const result = await loadJourneyFiles(files.map((file) => file));
      const failed =
        hasErrors(result.diagnostics) || (options.strict === true && result.diagnostics.length > 0);
      if (options.json) {
        line(
          io.stdout,
          JSON.stringify(
            {
              valid: !failed,
              files,
              journeys: result.journeys.map((journey) => journey.key),
              mappings: result.mappings.map((mapping) => `${mapping.journey}:${mapping.target}`),
              diagnostics: result.diagnostics,
            },
            null,
            2,
          ),
        );
      } else {
        for (const diagnostic of result.diagnostics) {
          const text = formatDiagnostic(diagnostic);
          line(
            io.stderr,
            diagnostic.severity === 'error'
              ? paint(io.stderr, 'red', text)
              : paint(io.stderr, 'yellow', text),
          );
        }
        const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
        const warnings = result.diagnostics.length - errors;
        if (failed)
          line(
            io.stderr,
            `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}`,
          );
        else {
          const what = [
            ...result.journeys.map((journey) => `journey ${journey.key} v${journey.version}`),
            ...result.mappings.map((mapping) => `mapping ${mapping.journey} → ${mapping.target}`),
          ];
          line(
            io.stdout,
            `${paint(io.stdout, 'green', '✓')} valid: ${what.join(', ')}${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`,
          );
        }
      }
      if (failed) throw new CliExit(EXIT_CODES.failure);
    });

  program
    .command('templates')
    .description('list the bundled journey templates')
    .option('--json', 'print the list as JSON')
    .action((options: { json?: boolean }) => {
      const templates = listTemplates();
      if (options.json) {
        line(io.stdout, JSON.stringify(templates, null, 2));
        return;
      }
      const width = Math.max(...templates.map((template) => template.name.length));
      for (const template of templates) {
        line(io.stdout, `${paint(io.stdout, 'bold', template.name.padEnd(width))}  ${template.title}`);
        line(io.stdout, `${' '.repeat(width)}  ${paint(io.stdout, 'dim', template.stages.join(' → '))}`);
      }
      line(io.stdout);
      line(
        io.stdout,
        `Start one with: milepost init --template ${templates[0]?.name ?? 'NAME'} --out journey.yaml`,
      );
    });

  program
    .command('init')
    .description('write a journey file from a bundled template')
    .requiredOption('--template <name>', 'template name (see `milepost templates`)')
    .option('--out <file>', 'where to write it', 'journey.yaml')
    .option('--force', 'overwrite the file if it exists')
    .action(async (options: { template: string; out: string; force?: boolean }) => {
      const text = readTemplate(options.template);
      const target = resolve(io.cwd, options.out);
      const exists = await access(target).then(
        () => true,
        () => false,
      );
      if (exists && !options.force) {
        throw new MilepostError({
          code: 'INVALID_INPUT',
          message: `${options.out} already exists; choose another --out or add --force to overwrite it`,
        });
      }
      await writeFile(target, text);
      line(
        io.stdout,
        `${paint(io.stdout, 'green', '✓')} wrote ${options.out} from template ${options.template}`,
      );
      line(
        io.stdout,
        `Next: edit it, then run \`milepost validate ${options.out}\` and \`milepost show ${options.out}\`.`,
      );
    });

  program
    .command('show')
    .description(
      'show the journey map: stages in order with owner, time frame, touchpoints, milestones and handoffs',
    )
    .argument('[file]', 'journey file')
    .option('--template <name>', 'show a bundled template instead of a file')
    .option('--journey <key>', 'the journey to show when the file holds several')
    .option('--persona <key>', "only this persona's path and milestones")
    .option('--format <format>', 'text, mermaid or json', 'text')
    .action(
      async (
        file: string | undefined,
        options: { template?: string; journey?: string; persona?: string; format: string },
      ) => {
        const journey = await journeyFrom(file, options);
        if (options.persona && !journey.personas.some((persona) => persona.key === options.persona)) {
          throw new MilepostError({
            code: 'INVALID_INPUT',
            message: `journey "${journey.key}" has no persona "${options.persona}" (it has: ${journey.personas.map((persona) => persona.key).join(', ') || 'none'})`,
          });
        }
        if (options.format === 'json') line(io.stdout, JSON.stringify(journey, null, 2));
        else if (options.format === 'mermaid') io.stdout.write(renderJourneyMermaid(journey));
        else if (options.format === 'text')
          io.stdout.write(renderJourneyText(journey, io.stdout, { persona: options.persona }));
        else
          throw new MilepostError({
            code: 'INVALID_INPUT',
            message: `unknown --format "${options.format}"; use text, mermaid or json`,
          });
      },
    );

  program
    .command('diff')
    .description(
      'what changed between two journeys (two versions, or a current and an ideal map); exit 0 when none, 2 when some',
    )
    .argument('<old>', 'the earlier (or current) journey file')
    .argument('<new>', 'the later (or ideal) journey file')
    .option('--json', 'print the changes as JSON')
    .action(async (oldFile: string, newFile: string, options: { json?: boolean }) => {
      const before = await journeyFrom(oldFile, {});
      const after = await journeyFrom(newFile, {});
      const changes = diffJourneys(before, after);
      if (options.json) line(io.stdout, JSON.stringify({ changes }, null, 2));
      else if (changes.length === 0) line(io.stdout, 'No changes.');
      else {
        line(
          io.stdout,
          `${changes.length} change${changes.length === 1 ? '' : 's'} from ${before.key} v${before.version} to ${after.key} v${after.version}:`,
        );
        for (const change of changes) {
          const sign = change.kind.endsWith('added')
            ? paint(io.stdout, 'green', '+')
            : change.kind.endsWith('removed')
              ? paint(io.stdout, 'red', '-')
              : paint(io.stdout, 'yellow', '~');
          line(io.stdout, `  ${sign} ${change.summary}`);
        }
      }
      if (changes.length > 0) throw new CliExit(EXIT_CODES.changesOrUsage);
    });

  program
    .command('schema')
    .description('print the JSON Schema of journey files (or mapping files) for editor autocompletion')
    .option('--kind <kind>', 'journey or mapping', 'journey')
    .action((options: { kind: string }) => {
      if (options.kind !== 'journey' && options.kind !== 'mapping') {
        throw new MilepostError({
          code: 'INVALID_INPUT',
          message: `unknown --kind "${options.kind}"; use journey or mapping`,
        });
      }
      line(
        io.stdout,
        JSON.stringify(options.kind === 'journey' ? journeyJsonSchema() : mappingJsonSchema(), null, 2),
      );
    });
}

/**
 * The mappings of a mapping file, parsed with `journey` when given (so they are checked against it),
 * or a FILE_NOT_FOUND or INVALID_FILE error.
 */
export async function readMappings(file: string, journey?: Journey): Promise<Mapping[]> {
  const text = await readFile(file, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    throw new MilepostError({
      code: 'FILE_NOT_FOUND',
      message: `cannot read ${file}: ${cause.code === 'ENOENT' ? 'no such file' : cause.message}`,
      cause,
    });
  });
  // The journey is re-serialised so the mapping is checked against exactly the journey in use.
  const result = parseJourneySources([
    ...(journey ? [{ file: '<journey>', text: JSON.stringify(journey) }] : []),
    { file, text },
  ]);
  const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length)
    throw new MilepostError({
      code: 'INVALID_FILE',
      message: errors.map(formatDiagnostic).join('\n'),
      details: { diagnostics: errors },
    });
  return result.mappings;
}

/** The journey (from a file or a template) and, when given, its mapping for `target`, validated together. */
export async function journeyAndMappingFrom(
  options: { journey?: string; template?: string; mapping?: string },
  target: MappingTarget,
): Promise<{ journey: Journey; mapping?: Mapping }> {
  const journey = await journeyFrom(options.journey, {
    ...(options.template ? { template: options.template } : {}),
  });
  if (!options.mapping) return { journey };
  const mappings = await readMappings(options.mapping, journey);
  const mapping = mappings.find(
    (candidate) => candidate.journey === journey.key && candidate.target === target,
  );
  if (!mapping) {
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: `${options.mapping} has no mapping for journey "${journey.key}" and target ${target}; check its "journey" and "target"`,
    });
  }
  return { journey, mapping };
}
