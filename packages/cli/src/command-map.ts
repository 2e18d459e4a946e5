/**
 * `milepost map`: the journey map picture as SVG, the same drawing the admin app serves.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MilepostError, renderJourneyMapSvg } from '@milepost/core';
import type { Command } from 'commander';
import { type CliIo, line, paint } from './cli-io.js';
import { journeyFrom } from './command-journeys.js';

interface MapOptions {
  journey?: string;
  template?: string;
  persona?: string;
  out?: string;
  title: boolean;
}

/** Registers `milepost map`. */
export function registerMapCommand(program: Command, io: CliIo): void {
  program
    .command('map')
    .description(
      'draw the journey map as SVG: stages as columns with owner and time frame, lanes for touchpoints, milestones, pain points and opportunities, handoff arrows between teams',
    )
    .option('--journey <file>', 'journey file')
    .option('--template <name>', 'a bundled template instead of a journey file')
    .option('--persona <key>', "only this persona's path and the milestones that apply to it")
    .option('--out <file>', 'write the SVG to this file instead of stdout')
    .option('--no-title', 'leave out the journey name, description and persona above the map')
    .addHelpText(
      'after',
      '\nExamples:\n  milepost map --journey journey.yaml --out map.svg\n  milepost map --template saas-lifecycle --persona smb > smb.svg',
    )
    .action(async (options: MapOptions) => {
      if (!options.journey && !options.template)
        throw new MilepostError({
          code: 'INVALID_INPUT',
          message:
            'name the journey with --journey FILE, or a bundled template with --template NAME (see `milepost templates`)',
        });
      if (options.journey && options.template)
        throw new MilepostError({
          code: 'INVALID_INPUT',
          message: 'give either --journey FILE or --template NAME, not both',
        });
      // Only the template is passed on: journeyFrom reads its `journey` option as a journey key.
      const journey = await journeyFrom(options.journey, { template: options.template });
      const svg = renderJourneyMapSvg(journey, { persona: options.persona, title: options.title });
      if (!options.out) {
        io.stdout.write(svg);
        return;
      }
      await writeFile(resolve(io.cwd, options.out), svg);
      line(io.stderr, `${paint(io.stderr, 'green', '✓')} wrote ${options.out}`);
    });
}
