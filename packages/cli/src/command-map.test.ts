import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTemplate, readTemplate, renderJourneyMapSvg } from '@milepost/core';
import { describe, expect, test } from 'vitest';
import { runCaptured } from './cli-test-support.js';

const fixtures = new URL('../../core/src/__fixtures__/', import.meta.url).pathname;

describe('milepost map', () => {
  test('prints the SVG of a journey file on stdout', async () => {
    const result = await runCaptured(['map', '--journey', join(fixtures, 'acme.yaml')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(result.stdout.trimEnd().endsWith('</svg>')).toBe(true);
    expect(result.stdout).toContain('role="img"');
  });

  test('draws exactly what core draws, persona and --no-title included', async () => {
    const result = await runCaptured([
      'map',
      '--template',
      'saas-lifecycle',
      '--persona',
      'smb',
      '--no-title',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      renderJourneyMapSvg(loadTemplate('saas-lifecycle'), { persona: 'smb', title: false }),
    );
  });

  test('--out writes the file relative to the working directory and says so on stderr', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'milepost-map-'));
    const journeyFile = join(directory, 'journey.yaml');
    await writeFile(journeyFile, readTemplate('saas-lifecycle'));
    const result = await runCaptured(
      ['map', '--journey', journeyFile, '--persona', 'enterprise', '--out', 'map.svg'],
      {
        cwd: directory,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('✓ wrote map.svg\n');
    const written = await readFile(join(directory, 'map.svg'), 'utf8');
    expect(written).toBe(renderJourneyMapSvg(loadTemplate('saas-lifecycle'), { persona: 'enterprise' }));
  });

  test('an unknown persona exits 1 and names the known ones', async () => {
    const result = await runCaptured(['map', '--template', 'saas-lifecycle', '--persona', 'enterprize']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'has no persona "enterprize" (known: smb, enterprise; did you mean "enterprise"?)',
    );
  });

  test('without a journey it exits 1 and says how to name one', async () => {
    const result = await runCaptured(['map']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'name the journey with --journey FILE, or a bundled template with --template NAME',
    );
  });

  test('--help documents the options', async () => {
    const result = await runCaptured(['map', '--help']);
    expect(result.code).toBe(0);
    for (const option of [
      '--journey <file>',
      '--template <name>',
      '--persona <key>',
      '--out <file>',
      '--no-title',
    ])
      expect(result.stdout).toContain(option);
    expect(result.stdout).toContain('milepost map --journey journey.yaml --out map.svg');
  });
});
