import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCaptured } from './cli-test-support.js';

const fixtures = new URL('../../core/src/__fixtures__/', import.meta.url).pathname;

const run = (args: string[], options?: { color?: boolean; cwd?: string }) => runCaptured(args, options);

describe('milepost validate', () => {
  test('a valid file exits 0 and names what it holds', async () => {
    const result = await run(['validate', join(fixtures, 'acme.yaml')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('✓ valid: journey acme-post-sale v1 (1 warning)\n');
    expect(result.stderr).toContain('warning: stages[1]: stage "adoption" has no milestone');
  });

  test('an invalid file exits 1 with file:line:column errors on stderr', async () => {
    const result = await run(['validate', join(fixtures, 'bad/unknown-owner-team.yaml')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'unknown-owner-team.yaml:26:12: stages[0].owner: unknown team "onbording" (known: sales, onboarding, cs; did you mean "onboarding"?)',
    );
    expect(result.stderr).toContain('1 error, 1 warning in 1 file');
  });

  test('--json prints diagnostics as data', async () => {
    const result = await run(['validate', '--json', join(fixtures, 'bad/unknown-owner-team.yaml')]);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.valid).toBe(false);
    expect(parsed.diagnostics[0]).toMatchObject({
      severity: 'error',
      line: 26,
      column: 12,
      path: 'stages[0].owner',
    });
  });

  test('--strict fails on warnings', async () => {
    expect((await run(['validate', '--strict', join(fixtures, 'acme.yaml')])).code).toBe(1);
  });

  test('colour only when the stream takes it', async () => {
    const plain = await run(['validate', join(fixtures, 'bad/unknown-owner-team.yaml')]);
    const coloured = await run(['validate', join(fixtures, 'bad/unknown-owner-team.yaml')], { color: true });
    expect(plain.stderr).not.toContain('\u001b[');
    expect(coloured.stderr).toContain('\u001b[');
  });
});

describe('templates, init, show', () => {
  test('templates lists the five bundled templates', async () => {
    const result = await run(['templates', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).map((template: { name: string }) => template.name)).toEqual([
      'saas-lifecycle',
      'post-sale',
      'customer-lifecycle',
      'pre-sale',
      'yearly-successcycles',
    ]);
  });

  test('init writes a template and refuses to overwrite without --force', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'milepost-init-'));
    const first = await run(['init', '--template', 'post-sale', '--out', 'journey.yaml'], { cwd: directory });
    expect(first.code).toBe(0);
    const written = await readFile(join(directory, 'journey.yaml'), 'utf8');
    expect(written).toContain('kind: Journey');
    await writeFile(join(directory, 'journey.yaml'), 'mine');
    const second = await run(['init', '--template', 'post-sale', '--out', 'journey.yaml'], {
      cwd: directory,
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      'journey.yaml already exists; choose another --out or add --force to overwrite it',
    );
    expect(await readFile(join(directory, 'journey.yaml'), 'utf8')).toBe('mine');
    expect(
      (await run(['init', '--template', 'post-sale', '--out', 'journey.yaml', '--force'], { cwd: directory }))
        .code,
    ).toBe(0);
    expect(await readFile(join(directory, 'journey.yaml'), 'utf8')).toBe(written);
  });

  test('init with an unknown template suggests the right one', async () => {
    const result = await run(['init', '--template', 'post-sales']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('did you mean "post-sale"?');
  });

  test('show draws the map: stages in order, owners, time frames, touchpoints, milestones, handoffs', async () => {
    const result = await run(['show', join(fixtures, 'acme.yaml')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(' 1 Onboarding ─ owner Onboarding · 30 days');
    expect(result.stdout).toContain('Touchpoint   ✉ Welcome email (email, Onboarding)');
    expect(result.stdout).toContain(
      'Milestone    ◆ Five active users — Active users at least 5 and plan is not trial [smb only] ⇥ completes the stage',
    );
    expect(result.stdout).toContain(
      '↓ handoff Onboarding → Customer Success: Onboarding plan, Health summary',
    );
    expect(result.stdout).toContain(' 2 Adoption ─ owner Customer Success · 60 days');
    expect(result.stdout).toContain('☐ Schedule the kick-off call (Onboarding, day 3, call) !');
  });

  test("show --persona hides milestones that are not the persona's", async () => {
    const result = await run(['show', join(fixtures, 'acme.yaml'), '--persona', 'enterprise']);
    expect(result.stdout).not.toContain('Five active users —');
    expect(result.stdout).toContain('Kick-off held');
  });

  test('show --format mermaid and json', async () => {
    const mermaid = await run(['show', join(fixtures, 'acme.yaml'), '--format', 'mermaid']);
    expect(mermaid.stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid.stdout).toContain('s0 -->|"handoff to Customer Success"| s1');
    const json = await run(['show', join(fixtures, 'acme.yaml'), '--format', 'json']);
    expect(JSON.parse(json.stdout).key).toBe('acme-post-sale');
    const bad = await run(['show', join(fixtures, 'acme.yaml'), '--format', 'svg']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown --format "svg"; use text, mermaid or json');
  });

  test('every template validates and shows', async () => {
    const names = JSON.parse((await run(['templates', '--json'])).stdout).map(
      (template: { name: string }) => template.name,
    );
    for (const name of names) {
      const result = await run(['show', '--template', name]);
      expect(result.code, name).toBe(0);
      expect(result.stdout, name).toMatch(/ 1 \S/);
    }
  });
});

describe('diff and schema', () => {
  test('diff reports renames, moves, time frames and criteria; exit 2 when there are changes', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'milepost-diff-'));
    const acme = await readFile(join(fixtures, 'acme.yaml'), 'utf8');
    const changed = acme
      .replace('version: 1', 'version: 2')
      .replace('    name: Onboarding\n', '    name: Getting started\n')
      .replace('expectedDays: 30', 'expectedDays: 45')
      .replace('value: 5 }', 'value: 10 }');
    await writeFile(join(directory, 'new.yaml'), changed);
    const result = await run(['diff', join(fixtures, 'acme.yaml'), join(directory, 'new.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(
      [
        '4 changes from acme-post-sale v1 to acme-post-sale v2:',
        '  ~ version 1 → 2',
        '  ~ stage "onboarding" renamed: "Onboarding" → "Getting started"',
        '  ~ stage "onboarding" time frame: 30 days → 45 days',
        '  ~ milestone "five-users" criteria: Active users at least 5 and plan is not trial → Active users at least 10 and plan is not trial',
        '',
      ].join('\n'),
    );
    const same = await run(['diff', join(fixtures, 'acme.yaml'), join(fixtures, 'acme.yaml')]);
    expect(same.code).toBe(0);
    expect(same.stdout).toBe('No changes.\n');
  });

  test('schema prints a JSON Schema editors can use', async () => {
    const result = await run(['schema']);
    const schema = JSON.parse(result.stdout);
    expect(schema.$schema).toContain('json-schema.org');
    expect(schema.properties.stages.type).toBe('array');
    expect(schema.required).toEqual(
      expect.arrayContaining(['apiVersion', 'kind', 'key', 'name', 'version', 'stages']),
    );
  });
});

describe('help and usage', () => {
  test('--help on every command, exit 0', async () => {
    for (const command of [
      'validate',
      'templates',
      'init',
      'show',
      'diff',
      'schema',
      'evaluate',
      'report',
      'sample-records',
      'demo',
    ]) {
      const result = await run([command, '--help']);
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toContain(`Usage: milepost ${command}`);
    }
    const root = await run(['--help']);
    expect(root.stdout).toContain('Exit codes:');
  });

  test('an unknown option is a usage error, exit 2', async () => {
    const result = await run(['validate', '--nope', 'x.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--nope'");
  });
});

describe('demo', () => {
  test('applies the journey to a local HubSpot, syncs 300 companies, and a second sync writes nothing', async () => {
    const result = await run(['demo', '--now', '2026-11-22']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('a second plan finds 0 changes');
    expect(result.stdout).toMatch(
      /first sync: {2}300 companies, 300 changed, \d+ tasks created, \d+ API calls, 0 errors/,
    );
    expect(result.stdout).toMatch(/second sync: 300 companies, 0 changed, 0 writes/);
    expect(result.stdout).toContain('Next       ');
  }, 60_000);
});
