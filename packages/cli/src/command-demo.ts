/**
 * `milepost demo`: the whole product in one command, on the embedded defaults — a local HubSpot
 * seeded with 300 companies at different points of their journey, the saas-lifecycle journey
 * mapped onto their fields, planned, applied and synced, then where customers are and what's next.
 */
import { readFile } from 'node:fs/promises';
import { parseJourneySources, readTemplate } from '@milepost/core';
import type { Command } from 'commander';
import { type CliIo, line, paint } from './cli-io.js';
import { createProgress } from './cli-progress.js';
import { renderJourneyText } from './render-journey-text.js';
import { renderStateText } from './render-state-text.js';

const MAPPING = new URL('../demo/saas-lifecycle.hubspot.mapping.yaml', import.meta.url);

/** Registers `milepost demo`. `wait` resolves when a serving demo should stop (Ctrl-C by default). */
export function registerDemoCommand(program: Command, io: CliIo, wait?: () => Promise<void>): void {
  program
    .command('demo')
    .description(
      'the demo: a local HubSpot with 300 customers, the saas-lifecycle journey applied and synced, and what comes next',
    )
    .option('--now <date>', 'evaluate as of this date (default: today)')
    .option(
      '--serve',
      'keep the local HubSpot running afterwards (prints its environment lines; Ctrl-C stops it)',
    )
    .action(async (options: { now?: string; serve?: boolean }) => {
      const { createHubSpotEmulator } = await import('@milepost/hubspot-emulator');
      const { createHubSpotAdapter } = await import('@milepost/hubspot');
      const now = options.now ? new Date(options.now) : new Date();
      const heading = (text: string) => line(io.stdout, `\n${paint(io.stdout, 'bold', text)}`);

      const loaded = parseJourneySources([
        { file: 'saas-lifecycle.yaml', text: readTemplate('saas-lifecycle') },
        { file: 'saas-lifecycle.hubspot.mapping.yaml', text: await readFile(MAPPING, 'utf8') },
      ]);
      const journey = loaded.journeys[0]!;
      const mapping = loaded.mappings[0]!;
      heading('1. The journey (template saas-lifecycle)');
      io.stdout.write(renderJourneyText(journey, io.stdout));

      const emulator = await createHubSpotEmulator({ seed: 'demo' });
      try {
        heading(`2. A local HubSpot (Professional portal, 300 companies) at ${emulator.url}`);
        const adapter = createHubSpotAdapter({
          accessToken: emulator.defaultToken,
          baseUrl: emulator.url,
          env: {},
        });
        for (const check of (await adapter.preflight()).checks)
          line(
            io.stdout,
            `${check.ok ? paint(io.stdout, 'green', '✓') : paint(io.stdout, 'red', '✗')} ${check.name}: ${check.detail}`,
          );

        heading('3. Plan and apply: properties, a pipeline, workflows (created disabled)');
        const plan = await adapter.plan(journey, mapping);
        const kinds = new Map<string, number>();
        for (const change of plan.changes)
          kinds.set(change.resource.kind, (kinds.get(change.resource.kind) ?? 0) + 1);
        line(
          io.stdout,
          `plan: ${[...kinds].map(([kind, count]) => `${count} ${count === 1 ? kind : kind.replace(/y$/, 'ie')}${count === 1 ? '' : 's'}`).join(', ')} to create`,
        );
        const applyProgress = createProgress(io.stderr, 'applying');
        const applied = await adapter.apply(journey, mapping, plan, (event) =>
          applyProgress.update(event.index, event.total),
        );
        applyProgress.done();
        line(
          io.stdout,
          `${paint(io.stdout, 'green', '✓')} applied ${applied.applied.length} changes with ${applied.apiCalls} API calls; a second plan finds ${(await adapter.plan(journey, mapping)).changes.length} changes`,
        );

        heading('4. Sync: every company evaluated, only what changed written, tasks created once');
        const syncProgress = createProgress(io.stderr, 'syncing');
        const first = await adapter.sync(journey, mapping, {
          now,
          onProgress: (partial) => syncProgress.update(partial.records, 300, `${partial.apiCalls} API calls`),
        });
        syncProgress.done();
        line(
          io.stdout,
          `first sync:  ${first.records} companies, ${first.changed} changed, ${first.tasksCreated} tasks created, ${first.apiCalls} API calls, ${first.errors.length} errors`,
        );
        const second = await adapter.sync(journey, mapping, { now });
        line(
          io.stdout,
          `second sync: ${second.records} companies, ${second.changed} changed, ${second.writes} writes, ${second.apiCalls} API calls (reads only)`,
        );

        heading('5. Where customers are, as HubSpot now holds it');
        const portal = emulator.portal(emulator.defaultHubId);
        const companies = portal.objects('companies');
        const width = Math.max(...journey.stages.map((stage) => stage.name.length));
        for (const stage of journey.stages) {
          const inStage = companies.filter((company) => company.properties.milepost_stage === stage.key);
          const behind = inStage.filter(
            (company) => company.properties.milepost_sla_status !== 'on-track',
          ).length;
          const bar = '█'.repeat(Math.round((inStage.length / companies.length) * 40));
          line(
            io.stdout,
            `${stage.name.padEnd(width)}  ${paint(io.stdout, 'cyan', bar.padEnd(40))} ${String(inStage.length).padStart(4)}${behind ? paint(io.stdout, 'yellow', `  (${behind} behind or stuck)`) : ''}`,
          );
        }
        line(
          io.stdout,
          `${portal.objects('tickets').length} cycle records in pipeline "${journey.name}", ${portal.objects('tasks').length} tasks`,
        );

        heading('6. One customer, and what comes next');
        const example =
          companies.find((company) => company.properties.milepost_stage === 'onboarding') ?? companies[0];
        if (example)
          io.stdout.write(
            renderStateText(await adapter.status(journey, mapping, example.id, now), io.stdout),
          );

        line(
          io.stdout,
          `\nTry it yourself: \`milepost emulator hubspot\`, then \`milepost plan --target hubspot --template saas-lifecycle\`.`,
        );
        if (options.serve) {
          line(io.stdout, `HUBSPOT_BASE_URL=${emulator.url}`);
          line(io.stdout, `HUBSPOT_ACCESS_TOKEN=${emulator.defaultToken}`);
          line(io.stderr, 'The local HubSpot keeps running; Ctrl-C stops it.');
          await (wait ?? untilStopped)();
        }
      } finally {
        await emulator.close();
      }
    });
}

function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
