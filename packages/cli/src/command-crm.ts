/**
 * `milepost plan|apply|sync|status --target hubspot|salesforce`: the same four verbs for every CRM,
 * through core's adapter contract.
 */
import { createInterface } from 'node:readline/promises';
import type { Journey, Mapping, MappingTarget, MilepostAdapter, Plan } from '@milepost/core';
import { MilepostError, type PlanTextRole, renderPlanText } from '@milepost/core';
import type { Command } from 'commander';
import { CliExit, EXIT_CODES } from './cli-errors.js';
import { type CliIo, line, paint } from './cli-io.js';
import { createProgress } from './cli-progress.js';
import { journeyAndMappingFrom } from './command-journeys.js';
import { createSalesforceAdapterFromEnvironment } from './command-salesforce.js';
import { renderStateText } from './render-state-text.js';

/** Creates the adapter of a target from the environment (`HUBSPOT_*`, `SF_*`). */
export type AdapterFactory = (target: MappingTarget, env: NodeJS.ProcessEnv) => Promise<MilepostAdapter>;

/** The default factory: the real adapters, configured from the environment. */
export const createAdapterFromEnvironment: AdapterFactory = async (target, env) => {
  if (target === 'hubspot') {
    const { createHubSpotAdapter } = await import('@milepost/hubspot');
    return createHubSpotAdapter({ env });
  }
  return createSalesforceAdapterFromEnvironment(env);
};

/** The help of `--target`: the CRMs there are and where their credentials come from. */
export const TARGET_HELP =
  'hubspot or salesforce (credentials from HUBSPOT_ACCESS_TOKEN/HUBSPOT_BASE_URL or SF_INSTANCE_URL/SF_ACCESS_TOKEN)';

interface TargetOptions {
  target: string;
  journey?: string;
  template?: string;
  mapping?: string;
  json?: boolean;
}

/** A `--target` value as a CRM, or an INVALID_INPUT error naming the ones there are. */
export function targetOf(value: string): MappingTarget {
  if (value !== 'hubspot' && value !== 'salesforce')
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: `unknown --target "${value}"; use hubspot or salesforce`,
    });
  return value;
}

function printPlan(io: CliIo, plan: Plan): void {
  const colours = {
    note: 'yellow',
    create: 'green',
    update: 'yellow',
    delete: 'red',
    detail: 'dim',
    refused: 'red',
  } as const satisfies Record<PlanTextRole, string>;
  io.stdout.write(renderPlanText(plan, { style: (role, text) => paint(io.stdout, colours[role], text) }));
}

function planJson(plan: Plan) {
  return {
    changes: plan.changes.map((change) => ({
      action: change.action,
      id: change.resource.id,
      kind: change.resource.kind,
      summary: change.summary,
      ...(change.action === 'update' ? { attributes: change.attributes } : {}),
    })),
    refusals: plan.refusals,
    notes: plan.notes ?? [],
  };
}

async function confirm(io: CliIo, question: string): Promise<boolean> {
  if (!io.stdin?.isTTY) {
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: 'apply needs confirmation: run it in a terminal, or add --yes to apply without asking',
    });
  }
  const prompt = createInterface({ input: io.stdin, output: process.stderr });
  const answer = await prompt.question(question);
  prompt.close();
  return /^y(es)?$/i.test(answer.trim());
}

/** Registers plan, apply, sync and status. */
export function registerCrmCommands(
  program: Command,
  io: CliIo,
  createAdapter: AdapterFactory = createAdapterFromEnvironment,
): void {
  const withTarget = (command: Command) =>
    command
      .requiredOption('--target <crm>', TARGET_HELP)
      .option('--journey <file>', 'journey file')
      .option('--template <name>', 'a bundled template instead of a journey file')
      .option('--mapping <file>', 'mapping file (journey facts and outputs → CRM fields)')
      .option('--json', 'machine-readable output');

  const open = async (
    options: TargetOptions,
  ): Promise<{ adapter: MilepostAdapter; journey: Journey; mapping?: Mapping }> => {
    const target = targetOf(options.target);
    const { journey, mapping } = await journeyAndMappingFrom(options, target);
    return { adapter: await createAdapter(target, io.env), journey, mapping };
  };

  withTarget(
    program
      .command('preflight')
      .description(
        'what the CRM account will and will not allow (scopes, tier, limits), before anything is written',
      ),
  ).action(async (options: TargetOptions) => {
    const adapter = await createAdapter(targetOf(options.target), io.env);
    const report = await adapter.preflight();
    if (options.json) line(io.stdout, JSON.stringify(report, null, 2));
    else {
      for (const check of report.checks) {
        line(
          io.stdout,
          `${check.ok ? paint(io.stdout, 'green', '✓') : paint(io.stdout, 'red', '✗')} ${check.name}: ${check.detail}`,
        );
      }
      line(
        io.stdout,
        report.ok ? 'Ready: plan and apply can proceed.' : 'Not ready: fix the checks marked ✗ first.',
      );
    }
    if (!report.ok) throw new CliExit(EXIT_CODES.failure);
  });

  withTarget(
    program
      .command('plan')
      .description(
        'show what apply would change in the CRM; exit 0 when nothing, 2 when something, 1 on error',
      ),
  ).action(async (options: TargetOptions) => {
    const { adapter, journey, mapping } = await open(options);
    const plan = await adapter.plan(journey, mapping);
    if (options.json) line(io.stdout, JSON.stringify(planJson(plan), null, 2));
    else printPlan(io, plan);
    if (plan.refusals.length) throw new CliExit(EXIT_CODES.failure);
    if (plan.changes.length) throw new CliExit(EXIT_CODES.changesOrUsage);
  });

  withTarget(
    program
      .command('apply')
      .description(
        'apply the plan to the CRM (asks first unless --yes); only what Milepost manages is changed',
      ),
  )
    .option('--yes', 'apply without asking')
    .action(async (options: TargetOptions & { yes?: boolean }) => {
      const { adapter, journey, mapping } = await open(options);
      const plan = await adapter.plan(journey, mapping);
      if (!options.json) printPlan(io, plan);
      if (plan.refusals.length)
        throw new MilepostError({
          code: 'UNSAFE_CHANGE',
          message: 'nothing applied: resolve the refused changes first',
          details: { refusals: plan.refusals },
        });
      if (plan.changes.length === 0) {
        if (options.json) line(io.stdout, JSON.stringify({ applied: 0, failed: [], apiCalls: 0 }));
        return;
      }
      if (
        !options.yes &&
        !(await confirm(
          io,
          `Apply ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'} to ${options.target}? [y/N] `,
        ))
      ) {
        line(io.stderr, 'Nothing applied.');
        throw new CliExit(EXIT_CODES.failure);
      }
      const progress = createProgress(io.stderr, 'applying');
      const report = await adapter.apply(journey, mapping, plan, (event) => {
        progress.update(event.index, event.total, event.change.summary);
        if (event.status === 'failed' && !options.json) {
          progress.done();
          line(io.stderr, `${paint(io.stderr, 'red', '✗')} ${event.change.summary}: ${event.error}`);
        }
      });
      progress.done();
      if (options.json)
        line(
          io.stdout,
          JSON.stringify({
            applied: report.applied.length,
            failed: report.failed.map((failure) => ({
              id: failure.change.resource.id,
              error: failure.error,
            })),
            apiCalls: report.apiCalls,
          }),
        );
      else
        line(
          io.stdout,
          `${paint(io.stdout, report.failed.length ? 'yellow' : 'green', report.failed.length ? '!' : '✓')} applied ${report.applied.length} of ${plan.changes.length} changes with ${report.apiCalls} API calls${report.failed.length ? `; ${report.failed.length} failed (run apply again to retry them)` : ''}`,
        );
      if (report.failed.length) throw new CliExit(EXIT_CODES.failure);
    });

  withTarget(
    program
      .command('sync')
      .description(
        'evaluate every customer record and write only what changed (cycle records, due tasks, journey fields)',
      ),
  )
    .option('--since <date>', 'only records modified since this date')
    .option('--now <date>', 'evaluate as of this date (default: now)')
    .action(async (options: TargetOptions & { since?: string; now?: string }) => {
      const { adapter, journey, mapping } = await open(options);
      const now = options.now ? new Date(options.now) : new Date();
      const since = options.since ? new Date(options.since) : undefined;
      if (Number.isNaN(now.getTime()) || (since && Number.isNaN(since.getTime())))
        throw new MilepostError({
          code: 'INVALID_INPUT',
          message: '--now and --since take ISO dates such as 2026-11-22',
        });
      const progress = createProgress(io.stderr, 'syncing');
      const summary = await adapter.sync(journey, mapping, {
        now,
        since,
        onProgress: (partial) =>
          progress.update(
            partial.records,
            undefined,
            `records · ${partial.writes} writes · ${partial.tasksCreated} tasks · ${partial.apiCalls} API calls · ${partial.errors.length} errors`,
          ),
      });
      progress.done();
      if (options.json) {
        for (const error of summary.errors) line(io.stdout, JSON.stringify({ error }));
        line(io.stdout, JSON.stringify(summary));
      } else {
        for (const error of summary.errors.slice(0, 50))
          line(io.stderr, `${paint(io.stderr, 'red', '✗')} ${error.record}: ${error.message}`);
        if (summary.errors.length > 50)
          line(io.stderr, `… and ${summary.errors.length - 50} more errors (use --json for all)`);
        line(
          io.stdout,
          `${summary.records} records, ${summary.changed} changed, ${summary.writes} writes, ${summary.tasksCreated} tasks created, ${summary.apiCalls} API calls, ${summary.errors.length} errors`,
        );
      }
      if (summary.errors.length) throw new CliExit(EXIT_CODES.failure);
    });

  withTarget(
    program
      .command('status')
      .description('one customer record: where it is on the journey and what comes next'),
  )
    .requiredOption('--record <id>', 'the CRM record id (HubSpot company id, Salesforce Account id)')
    .option('--now <date>', 'evaluate as of this date (default: now)')
    .action(async (options: TargetOptions & { record: string; now?: string }) => {
      const { adapter, journey, mapping } = await open(options);
      const state = await adapter.status(
        journey,
        mapping,
        options.record,
        options.now ? new Date(options.now) : new Date(),
      );
      const { stateToJson } = await import('@milepost/core');
      if (options.json) line(io.stdout, JSON.stringify(stateToJson(state)));
      else io.stdout.write(renderStateText(state, io.stdout));
    });
}
