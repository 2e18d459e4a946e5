import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTemplate } from '@milepost/core';
import { describe, expect, test } from 'vitest';
import { runCaptured } from './cli-test-support.js';

const run = (args: string[]) => runCaptured(args);

describe('sample-records, evaluate, report', () => {
  test('sample records are reproducible from a seed, and evaluate --json prints the contract fields', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'milepost-records-'));
    const file = join(directory, 'records.jsonl');
    const first = await run([
      'sample-records',
      '--template',
      'saas-lifecycle',
      '--count',
      '40',
      '--seed',
      '3',
    ]);
    const second = await run([
      'sample-records',
      '--template',
      'saas-lifecycle',
      '--count',
      '40',
      '--seed',
      '3',
    ]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(second.stdout);
    expect(first.stdout.trim().split('\n')).toHaveLength(40);
    await writeFile(file, first.stdout);

    const evaluated = await run([
      'evaluate',
      '--template',
      'saas-lifecycle',
      '--records',
      file,
      '--now',
      '2026-07-01',
      '--json',
    ]);
    expect(evaluated.code).toBe(0);
    const states = evaluated.stdout
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text));
    expect(states).toHaveLength(40);
    for (const state of states) {
      expect(Object.keys(state)).toEqual(
        expect.arrayContaining([
          'id',
          'stage',
          'daysInStage',
          'sla',
          'milestones',
          'nextMilestone',
          'owner',
          'tasks',
        ]),
      );
      expect(['on-track', 'behind', 'stuck']).toContain(state.sla);
      for (const task of state.tasks) expect(['open', 'done', 'overdue']).toContain(task.status);
    }

    const table = await run([
      'evaluate',
      '--template',
      'saas-lifecycle',
      '--records',
      file,
      '--now',
      '2026-07-01',
    ]);
    expect(table.stdout.split('\n')[0]).toMatch(/^record\s+stage\s+days\s+sla\s+next/);
    const one = await run([
      'evaluate',
      '--template',
      'saas-lifecycle',
      '--records',
      file,
      '--now',
      '2026-07-01',
      '--record',
      states[0].id,
    ]);
    expect(one.stdout).toContain(`Stage      ${states[0].stageName} since ${states[0].stageEnteredAt}`);
    expect(one.stdout).toContain(`Next       ${states[0].whatsNext}`);
  });

  test('a bad record line is reported with file, line and field, the others are still evaluated, exit 1', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'milepost-records-'));
    const file = join(directory, 'records.jsonl');
    await writeFile(
      file,
      [
        '{"id":"a","facts":{"active_users":3}}',
        '{"id":"b","facts":{},"stageEnteredAt":"yesterday"}',
        '{"id":"c","facts":{}}',
      ].join('\n'),
    );
    const result = await run([
      'evaluate',
      '--template',
      'saas-lifecycle',
      '--records',
      file,
      '--now',
      '2026-07-01',
      '--json',
    ]);
    expect(result.code).toBe(1);
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((text) => JSON.parse(text).id),
    ).toEqual(['a', 'c']);
    expect(result.stderr).toMatch(/records\.jsonl:2: stageEnteredAt: /);
    expect(result.stderr).toContain('1 invalid record line skipped; fix them and run again');
  });

  test('report --format html writes one self-contained file with the charts', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'milepost-report-'));
    const records = join(directory, 'records.jsonl');
    await writeFile(
      records,
      (await run(['sample-records', '--template', 'saas-lifecycle', '--count', '200'])).stdout,
    );
    const out = join(directory, 'report.html');
    const result = await run([
      'report',
      '--template',
      'saas-lifecycle',
      '--records',
      records,
      '--now',
      '2026-06-30',
      '--format',
      'html',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html.startsWith('<!doctype html>') || html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
    const json = await run([
      'report',
      '--template',
      'saas-lifecycle',
      '--records',
      records,
      '--now',
      '2026-06-30',
      '--format',
      'json',
    ]);
    expect(JSON.parse(json.stdout).funnel.overall.map((stage: { stage: string }) => stage.stage)).toEqual([
      'prospecting',
      'purchase',
      'onboarding',
      'customer-success',
    ]);
  });

  // Regression: `--journey FILE` was read as a journey key, so every journey file failed with
  // "has no journey <its own path>"; only --template worked.
  test('report, evaluate and sample-records read the journey from --journey FILE', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'milepost-records-file-'));
    const journeyFile = join(directory, 'journey.yaml');
    await writeFile(journeyFile, readTemplate('saas-lifecycle'));
    const sampled = await run(['sample-records', '--journey', journeyFile, '--count', '5', '--seed', '1']);
    expect(sampled.stderr).toBe('');
    expect(sampled.code).toBe(0);
    const records = join(directory, 'records.jsonl');
    await writeFile(records, sampled.stdout);
    const evaluated = await run(['evaluate', '--journey', journeyFile, '--records', records, '--json']);
    expect(evaluated.code).toBe(0);
    expect(evaluated.stdout.trim().split('\n')).toHaveLength(5);
    const report = await run(['report', '--journey', journeyFile, '--records', records, '--format', 'json']);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({ journey: { key: 'saas-lifecycle' }, records: 5 });
  });
});
