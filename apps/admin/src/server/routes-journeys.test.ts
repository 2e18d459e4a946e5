import { readTemplate } from '@milepost/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestAdmin, type TestAdmin } from './admin-test-support.js';

const template = readTemplate('saas-lifecycle');

describe('journey routes', () => {
  let admin: TestAdmin;
  beforeEach(async () => {
    admin = await createTestAdmin();
    await admin.signIn();
  });
  afterEach(async () => {
    await admin.close();
  });

  it('lists the bundled templates', async () => {
    const response = await admin.request('GET', '/api/templates');
    expect(response.status).toBe(200);
    expect(response.body.map((entry: { key: string }) => entry.key)).toContain('saas-lifecycle');
    expect(response.body[0]).toEqual({
      key: expect.any(String),
      name: expect.any(String),
      description: expect.any(String),
      stages: expect.any(Number),
    });
  });

  it('imports a template, then lists and shows it with who and when', async () => {
    const created = await admin.request('POST', '/api/journeys', { template: 'saas-lifecycle' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      key: 'saas-lifecycle',
      revision: 1,
      updatedBy: 'admin@example.com',
    });
    expect(created.body.source).toBe(template);
    expect(created.body.journey.stages.length).toBeGreaterThan(3);

    const list = await admin.request('GET', '/api/journeys');
    expect(list.body).toEqual([
      expect.objectContaining({ key: 'saas-lifecycle', revision: 1, updatedBy: 'admin@example.com' }),
    ]);
    const again = await admin.request('POST', '/api/journeys', { source: template, fileName: 'copy.yaml' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
  });

  it('refuses an invalid file with every problem at its line, storing nothing', async () => {
    const broken = template.replace(/expectedDays: \d+/, 'expectedDays: soon');
    const line = broken.split('\n').findIndex((text) => text.includes('expectedDays: soon')) + 1;
    const response = await admin.request('POST', '/api/journeys', { source: broken, fileName: 'acme.yaml' });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('INVALID_JOURNEY');
    expect(response.body.error.issues).toContainEqual(
      expect.objectContaining({
        file: 'acme.yaml',
        line,
        severity: 'error',
        path: expect.stringContaining('expectedDays'),
      }),
    );
    expect(await admin.context.database.query('select * from journeys')).toHaveLength(0);
    expect(await admin.context.database.query('select * from journey_revisions')).toHaveLength(0);
  });

  it('answers 400 for bodies that are not JSON or miss fields', async () => {
    const notJson = await admin.request('POST', '/api/journeys', 'not json', {
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('BAD_REQUEST');
    const empty = await admin.request('POST', '/api/journeys', { source: '' });
    expect(empty.status).toBe(400);
    const folder = await admin.request('POST', '/api/journeys', { source: template, fileName: '../x.yaml' });
    expect(folder.body.error.issues[0].path).toBe('fileName');
    const unknownTemplate = await admin.request('POST', '/api/journeys', { template: 'nope' });
    expect(unknownTemplate.status).toBe(400);
    expect(unknownTemplate.body.error.message).toContain('unknown template "nope"');
  });

  it('validates without storing, with line numbers', async () => {
    const ok = await admin.request('POST', '/api/journeys/validate', { source: template });
    expect(ok.body.ok).toBe(true);
    const bad = await admin.request('POST', '/api/journeys/validate', {
      source: 'apiVersion: milepost/v1\nkind: Journey\n',
    });
    expect(bad.body.ok).toBe(false);
    expect(bad.body.issues[0]).toMatchObject({ severity: 'error', line: expect.any(Number) });
    const mapping = await admin.request('POST', '/api/journeys/validate', { source: '' });
    expect(mapping.body.ok).toBe(false);
    expect(await admin.context.database.query('select * from journeys')).toHaveLength(0);
  });

  it('keeps revisions, diffs any two, and makes no revision for an unchanged source', async () => {
    await admin.request('POST', '/api/journeys', { template: 'saas-lifecycle' });
    const edited = template.replace(/^version: \d+/m, 'version: 7');
    const saved = await admin.request('PUT', '/api/journeys/saas-lifecycle', {
      source: edited,
      message: 'bump',
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ revision: 2, version: 7 });
    const same = await admin.request('PUT', '/api/journeys/saas-lifecycle', { source: edited });
    expect(same.body.revision).toBe(2);

    const revisions = await admin.request('GET', '/api/journeys/saas-lifecycle/revisions');
    expect(revisions.body.map((entry: { revision: number }) => entry.revision)).toEqual([2, 1]);
    expect(revisions.body[0]).toMatchObject({ message: 'bump', createdBy: 'admin@example.com', version: 7 });

    const diff = await admin.request('GET', '/api/journeys/saas-lifecycle/diff?from=1&to=2');
    expect(diff.body.changes).toEqual([expect.objectContaining({ kind: 'version-changed', after: 7 })]);
    const one = await admin.request('GET', '/api/journeys/saas-lifecycle/revisions/1');
    expect(one.body.source).toBe(template);
    expect((await admin.request('GET', '/api/journeys/saas-lifecycle/revisions/9')).status).toBe(404);
    expect((await admin.request('GET', '/api/journeys/saas-lifecycle/diff?from=zero')).status).toBe(400);
  });

  it('refuses a revision whose key differs or whose source is invalid', async () => {
    await admin.request('POST', '/api/journeys', { template: 'saas-lifecycle' });
    const renamed = template.replace(/^key: saas-lifecycle/m, 'key: other');
    const response = await admin.request('PUT', '/api/journeys/saas-lifecycle', { source: renamed });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('keys do not change');
    const invalid = await admin.request('PUT', '/api/journeys/saas-lifecycle', { source: 'kind: Journey' });
    expect(invalid.status).toBe(422);
    expect((await admin.request('GET', '/api/journeys/saas-lifecycle/revisions')).body).toHaveLength(1);
    expect((await admin.request('PUT', '/api/journeys/missing', { source: template })).status).toBe(404);
  });

  it('compares a current map with an ideal one', async () => {
    await admin.request('POST', '/api/journeys', { template: 'saas-lifecycle' });
    const ideal = template
      .replace(/^key: saas-lifecycle/m, 'key: saas-ideal')
      .replace(/^version: \d+/m, 'version: 9');
    await admin.request('POST', '/api/journeys', { source: ideal });
    const response = await admin.request('GET', '/api/journeys/saas-lifecycle/compare/saas-ideal');
    expect(response.body.changes).toContainEqual(
      expect.objectContaining({ kind: 'version-changed', after: 9 }),
    );
  });

  it('draws the journey map as SVG, per persona, and downloads the source', async () => {
    const created = await admin.request('POST', '/api/journeys', { template: 'saas-lifecycle' });
    const map = await admin.request('GET', '/api/journeys/saas-lifecycle/map.svg');
    expect(map.status).toBe(200);
    expect(map.headers.get('content-type')).toContain('image/svg+xml');
    expect(map.text).toMatch(/^<svg[^>]+role="img"/);
    for (const stage of created.body.journey.stages) expect(map.text).toContain(stage.name);
    const persona = created.body.journey.personas[0].key;
    const forPersona = await admin.request('GET', `/api/journeys/saas-lifecycle/map.svg?persona=${persona}`);
    expect(forPersona.status).toBe(200);
    const unknown = await admin.request('GET', '/api/journeys/saas-lifecycle/map.svg?persona=martian');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('INVALID_INPUT');
    const source = await admin.request('GET', '/api/journeys/saas-lifecycle/source.yaml');
    expect(source.headers.get('content-disposition')).toBe('attachment; filename="saas-lifecycle.yaml"');
    expect(source.text).toBe(template);
  });

  it('deletes a journey', async () => {
    await admin.request('POST', '/api/journeys', { template: 'saas-lifecycle' });
    expect((await admin.request('DELETE', '/api/journeys/saas-lifecycle')).status).toBe(204);
    expect((await admin.request('GET', '/api/journeys/saas-lifecycle')).status).toBe(404);
    expect((await admin.request('DELETE', '/api/journeys/saas-lifecycle')).status).toBe(404);
  });

  it('requires sign-in for every journey route', async () => {
    const stranger = admin.client();
    for (const [method, path] of [
      ['GET', '/api/journeys'],
      ['GET', '/api/templates'],
      ['GET', '/api/journeys/saas-lifecycle/map.svg'],
      ['POST', '/api/journeys'],
    ] as const) {
      const response = await stranger.request(
        method,
        path,
        method === 'POST' ? { template: 'saas-lifecycle' } : undefined,
      );
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });
});
