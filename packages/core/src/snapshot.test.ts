import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MilepostError } from './errors.js';
import {
  assertNoSnapshotErrors,
  formatSnapshotError,
  parseCsvRows,
  parseSnapshots,
  parseSnapshotsCsv,
  parseSnapshotsJsonl,
  readSnapshotFile,
  snapshotToJsonLine,
} from './snapshot.js';

describe('JSONL snapshots', () => {
  it('parses every field of the contract', () => {
    const line = {
      id: 'acct-1',
      persona: 'smb',
      segment: 'mid-market',
      facts: { active_users: 3, plan: 'pro', churned: false, kickoff_date: null, tags: ['a', 'b'] },
      stage: 'onboarding',
      stageEnteredAt: '2026-01-05T09:00:00Z',
      history: [
        { stage: 'adoption', enteredAt: '2026-01-05' },
        { stage: 'onboarding', enteredAt: '2026-01-01' },
      ],
      milestones: { 'kickoff-held': '2026-01-03' },
      tasks: { 'j:c:acct-1:t': 'done' },
      cycleStart: '2026-01-01',
      journeyVersion: 2,
    };
    const result = parseSnapshotsJsonl(`${JSON.stringify(line)}\n\n# a comment\n{"id": 7}\n`, 'in.jsonl');
    expect(result.errors).toEqual([]);
    expect(result.records).toHaveLength(2);
    // History is sorted oldest first.
    expect(result.records[0]!.history!.map((entry) => entry.stage)).toEqual(['onboarding', 'adoption']);
    expect(result.records[1]).toEqual({ id: '7', facts: {} });
    expect(JSON.parse(snapshotToJsonLine(result.records[1]!))).toEqual({ id: '7', facts: {} });
  });

  it('names the file, the line and the field, and says how to fix it', () => {
    const text = [
      '{"id": "a", "facts": {}}',
      '{"id": "b", "fact": {"x": 1}}',
      '{"id": "c", "history": [{"stage": "onboarding", "enteredAt": "05/01/2026"}]}',
      '{"id": "d", "tasks": {"t": "finished"}}',
      'not json',
      '[1, 2]',
      '{"facts": {"nested": {"a": 1}}}',
    ].join('\n');
    const { records, errors } = parseSnapshotsJsonl(text, 'records.jsonl');
    expect(records.map((record) => record.id)).toEqual(['a']);
    const lines = errors.map(formatSnapshotError);
    expect(lines[0]).toMatch(/^records\.jsonl:2: unknown field "fact"; a snapshot has id, .*facts/);
    expect(lines).toContain(
      'records.jsonl:3: history[0].enteredAt: must be an ISO 8601 date such as "2026-01-31" or "2026-01-31T09:00:00Z"',
    );
    expect(lines).toContain('records.jsonl:4: tasks.t: must be one of "open", "done"');
    expect(lines.some((message) => message.startsWith('records.jsonl:5: not valid JSON'))).toBe(true);
    expect(
      lines.some((message) => message.startsWith('records.jsonl:6: each line holds one JSON object')),
    ).toBe(true);
    expect(lines.some((message) => message.startsWith('records.jsonl:7: id: is required'))).toBe(true);
    expect(lines.some((message) => message.startsWith('records.jsonl:7: facts.nested:'))).toBe(true);
    expect(() => assertNoSnapshotErrors(errors)).toThrow(MilepostError);
    try {
      assertNoSnapshotErrors(errors);
    } catch (error) {
      expect((error as MilepostError).code).toBe('INVALID_RECORD');
    }
  });
});

describe('CSV snapshots', () => {
  it('splits quoted cells with commas, quotes and newlines', () => {
    expect(parseCsvRows('a,b\r\n"x,1","say ""hi""\nthere"\n')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x,1', 'say "hi"\nthere'] },
    ]);
  });

  it('reads facts., milestones. and tasks. columns and history as JSON', () => {
    const text = [
      'id,persona,stage,stageEnteredAt,facts.active_users,facts.plan,facts.churned,facts.zip,milestones.kickoff-held,tasks.t1,history',
      'a1,smb,onboarding,2026-01-02,7,pro,false,01234,2026-01-03,done,"[{""stage"":""onboarding"",""enteredAt"":""2026-01-02""}]"',
      'a2,,,,,,,,,,',
    ].join('\n');
    const { records, errors } = parseSnapshots(text, { file: 'x.csv' });
    expect(errors).toEqual([]);
    expect(records[0]).toEqual({
      id: 'a1',
      persona: 'smb',
      stage: 'onboarding',
      stageEnteredAt: '2026-01-02',
      facts: { active_users: 7, plan: 'pro', churned: false, zip: '01234' },
      milestones: { 'kickoff-held': '2026-01-03' },
      tasks: { t1: 'done' },
      history: [{ stage: 'onboarding', enteredAt: '2026-01-02' }],
    });
    expect(records[1]).toEqual({ id: 'a2', facts: {} });
  });

  it('reports unknown columns, ragged rows and bad values with their line', () => {
    expect(parseSnapshotsCsv('id,fact.x\n1,2', 'r.csv').errors[0]).toMatchObject({
      line: 1,
      field: 'fact.x',
    });
    const { errors } = parseSnapshotsCsv('id,stageEnteredAt,history\n1,yesterday,\n2\n3,,[oops', 'r.csv');
    expect(errors.map(formatSnapshotError)).toEqual([
      'r.csv:2: stageEnteredAt: must be an ISO 8601 date such as "2026-01-31" or "2026-01-31T09:00:00Z"',
      'r.csv:3: has 1 cells but the header has 3; quote cells that contain commas',
      'r.csv:4: history: must be a JSON array such as [{"stage":"onboarding","enteredAt":"2026-01-05"}]',
    ]);
  });
});

describe('readSnapshotFile', () => {
  it('streams JSONL lines with their numbers, and fails clearly on a missing file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'milepost-snapshots-'));
    const path = join(directory, 'r.jsonl');
    writeFileSync(path, '{"id":"a"}\n\n{"id":""}\n');
    const results = [];
    for await (const result of readSnapshotFile(path)) results.push(result);
    expect(results[0]).toEqual({ line: 1, record: { id: 'a', facts: {} } });
    expect(results[1]?.line).toBe(3);
    expect(results[1]?.errors?.[0]?.field).toBe('id');
    const missing = readSnapshotFile(join(directory, 'none.jsonl'));
    await expect(missing.next()).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
