/**
 * Commands over customer records: evaluate, report, sample-records.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import {
  compileJourney,
  createAnalyticsCollector,
  evaluate,
  formatSnapshotError,
  generateSampleRecords,
  MilepostError,
  type RecordSnapshot,
  readSnapshotFile,
  renderReportHtml,
  renderReportText,
  snapshotToJsonLine,
  stateToJson,
} from '@milepost/core';
import type { Command } from 'commander';
import { CliExit, EXIT_CODES } from './cli-errors.js';
import { type CliIo, line, paint } from './cli-io.js';
import { createProgress } from './cli-progress.js';
import { journeyFrom } from './command-journeys.js';
import { renderStateText, SLA_STYLES } from './render-state-text.js';

interface RecordsOptions {
  journey?: string;
  template?: string;
  records: string;
  now?: string;
}

function nowFrom(option: string | undefined): Date {
  if (option === undefined) return new Date();
  const now = new Date(option);
  if (Number.isNaN(now.getTime()))
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: `--now "${option}" is not a date; use an ISO date such as 2026-11-22`,
    });
  return now;
}

/** Reads snapshot files, reporting bad lines on stderr and going on; returns whether any line was bad. */
async function forEachSnapshot(
  io: CliIo,
  file: string,
  visit: (snapshot: RecordSnapshot) => void,
): Promise<{ records: number; invalid: number }> {
  let records = 0;
  let invalid = 0;
  const progress = createProgress(io.stderr, 'records');
  for await (const result of readSnapshotFile(file)) {
    if ('errors' in result && result.errors) {
      invalid++;
      progress.done();
      for (const error of result.errors) line(io.stderr, paint(io.stderr, 'red', formatSnapshotError(error)));
      continue;
    }
    if ('record' in result && result.record) {
      records++;
      visit(result.record);
      if (records % 1000 === 0) progress.update(records);
    }
  }
  progress.done();
  return { records, invalid };
}

/** Registers evaluate, report and sample-records. */
export function registerRecordCommands(program: Command, io: CliIo): void {
  program
    .command('evaluate')
    .description(
      'where each customer is and what comes next: records (JSON Lines or CSV snapshots) → journey states',
    )
    .option('--journey <file>', 'journey file')
    .option('--template <name>', 'a bundled template instead of a journey file')
    .requiredOption(
      '--records <file>',
      'record snapshots: .jsonl (one JSON object per line) or .csv (facts.<key> columns)',
    )
    .option('--record <id>', 'show one record in detail')
    .option('--now <date>', 'evaluate as of this date (default: today)')
    .option('--json', 'one JSON object per record (JSON Lines)')
    .action(async (options: RecordsOptions & { record?: string; json?: boolean }) => {
      const journey = await journeyFrom(options.journey, {
        ...(options.template ? { template: options.template } : {}),
      });
      const compiled = compileJourney(journey);
      const now = nowFrom(options.now);
      let found = false;
      const widths = [14, 18, 12, 9, 40];
      if (!options.json && !options.record) {
        line(
          io.stdout,
          paint(
            io.stdout,
            'bold',
            ['record', 'stage', 'days', 'sla', 'next']
              .map((title, index) => title.padEnd(widths[index]!))
              .join(' '),
          ),
        );
      }
      const { invalid } = await forEachSnapshot(io, options.records, (snapshot) => {
        if (options.record !== undefined && snapshot.id !== options.record) return;
        const state = evaluate(compiled, snapshot, now);
        found = true;
        if (options.json) line(io.stdout, JSON.stringify(stateToJson(state)));
        else if (options.record !== undefined) io.stdout.write(renderStateText(state, io.stdout));
        else {
          const days = `${state.daysInStage}${state.expectedDays ? `/${state.expectedDays}` : ''}`;
          const cells = [state.id, state.stageName, days, state.sla, state.whatsNext];
          const text = cells
            .map((cell, index) => (index < cells.length - 1 ? cell.padEnd(widths[index]!) : cell))
            .join(' ');
          line(
            io.stdout,
            text.replace(
              state.sla.padEnd(widths[3]!),
              paint(io.stdout, SLA_STYLES[state.sla], state.sla.padEnd(widths[3]!)),
            ),
          );
        }
      });
      if (options.record !== undefined && !found)
        throw new MilepostError({
          code: 'INVALID_INPUT',
          message: `${options.records} has no record "${options.record}"`,
        });
      if (invalid > 0) {
        line(
          io.stderr,
          `${invalid} invalid record line${invalid === 1 ? '' : 's'} skipped; fix them and run again`,
        );
        throw new CliExit(EXIT_CODES.failure);
      }
    });

  program
    .command('report')
    .description(
      'journey analytics over many records: funnel, time in stage, churn by stage, designed vs observed path',
    )
    .option('--journey <file>', 'journey file')
    .option('--template <name>', 'a bundled template instead of a journey file')
    .requiredOption('--records <file>', 'record snapshots with histories (.jsonl or .csv)')
    .option('--format <format>', 'text, json or html (one self-contained file)', 'text')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--now <date>', 'compute as of this date (default: today)')
    .action(async (options: RecordsOptions & { format: string; out?: string }) => {
      if (!['text', 'json', 'html'].includes(options.format)) {
        throw new MilepostError({
          code: 'INVALID_INPUT',
          message: `unknown --format "${options.format}"; use text, json or html`,
        });
      }
      const journey = await journeyFrom(options.journey, {
        ...(options.template ? { template: options.template } : {}),
      });
      const compiled = compileJourney(journey);
      const now = nowFrom(options.now);
      const collector = createAnalyticsCollector(compiled, { now });
      const { invalid } = await forEachSnapshot(io, options.records, (snapshot) =>
        collector.add(snapshot, evaluate(compiled, snapshot, now)),
      );
      const analytics = collector.result();
      const text =
        options.format === 'html'
          ? renderReportHtml(journey, analytics)
          : options.format === 'json'
            ? `${JSON.stringify(analytics, null, 2)}\n`
            : renderReportText(analytics);
      if (options.out) {
        await writeFile(options.out, text);
        line(io.stderr, `${paint(io.stderr, 'green', '✓')} wrote ${options.out}`);
      } else io.stdout.write(text);
      if (invalid > 0) {
        line(
          io.stderr,
          `${invalid} invalid record line${invalid === 1 ? '' : 's'} left out of the report; fix them and run again`,
        );
        throw new CliExit(EXIT_CODES.failure);
      }
    });

  program
    .command('sample-records')
    .description('generate realistic record snapshots with histories (JSON Lines), reproducible from a seed')
    .option('--journey <file>', 'journey file')
    .option('--template <name>', 'a bundled template instead of a journey file')
    .requiredOption('--count <n>', 'how many records')
    .option('--seed <n>', 'random seed', '1')
    .option('--now <date>', '"today" of the generated histories')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(
      async (options: {
        journey?: string;
        template?: string;
        count: string;
        seed: string;
        now?: string;
        out?: string;
      }) => {
        const count = Number(options.count);
        const seed = Number(options.seed);
        if (!Number.isInteger(count) || count < 1)
          throw new MilepostError({
            code: 'INVALID_INPUT',
            message: `--count must be a whole number above 0, not "${options.count}"`,
          });
        if (!Number.isInteger(seed))
          throw new MilepostError({
            code: 'INVALID_INPUT',
            message: `--seed must be a whole number, not "${options.seed}"`,
          });
        const journey = await journeyFrom(options.journey, {
          ...(options.template ? { template: options.template } : {}),
        });
        const records = generateSampleRecords(journey, {
          count,
          seed,
          ...(options.now ? { now: nowFrom(options.now) } : {}),
        });
        if (!options.out) {
          for (const record of records) line(io.stdout, snapshotToJsonLine(record));
          return;
        }
        const stream = createWriteStream(options.out);
        const progress = createProgress(io.stderr, 'records');
        let written = 0;
        for (const record of records) {
          if (!stream.write(`${snapshotToJsonLine(record)}\n`))
            await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
          if (++written % 1000 === 0) progress.update(written, count);
        }
        await new Promise<void>((resolve, reject) =>
          stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
        progress.done();
        line(
          io.stderr,
          `${paint(io.stderr, 'green', '✓')} wrote ${count.toLocaleString('en-US')} records to ${options.out}`,
        );
      },
    );
}
