/**
 * `milepost demo`: the first thing a new user runs.
 */
import { loadTemplate } from '@milepost/core';
import type { Command } from 'commander';
import { type CliIo, line, paint } from './cli-io.js';
import { renderJourneyText } from './render-journey-text.js';

/** Registers `milepost demo`. */
export function registerDemoCommand(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('run the demo: validate the bundled saas-lifecycle journey and show its map')
    .option('--template <name>', 'the template to demonstrate', 'saas-lifecycle')
    .action((options: { template: string }) => {
      const journey = loadTemplate(options.template);
      line(
        io.stdout,
        `${paint(io.stdout, 'green', '✓')} template ${options.template} is valid: ${journey.stages.length} stages, ${journey.stages.reduce((count, stage) => count + (stage.milestones?.length ?? 0), 0)} milestones, ${journey.successCycles?.length ?? 0} SuccessCycles`,
      );
      line(io.stdout);
      io.stdout.write(renderJourneyText(journey, io.stdout));
    });
}
