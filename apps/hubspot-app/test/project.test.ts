import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { translate } from '@hubspot/project-parsing-lib/translate';
import { afterEach, describe, expect, it } from 'vitest';
import { checkProject, DOCUMENTED_SCOPES, isAllowedUrl } from '../scripts/check-project.ts';

const projectDir = join(import.meta.dirname, '..');
const repositoryDir = join(projectDir, '..', '..');

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

interface AppMeta {
  config: { auth: { requiredScopes: string[]; optionalScopes: string[] } };
}

describe('the HubSpot project, offline', () => {
  it('translates with @hubspot/project-parsing-lib (validation skipped) into the app, one card per location and the webhooks', async () => {
    const { intermediateRepresentation, skippedHsMetaFiles } = await translate(
      { projectSourceDir: join(projectDir, 'src'), platformVersion: '2026.03' },
      { skipValidation: true },
    );
    expect(skippedHsMetaFiles).toEqual([]);
    const nodes = intermediateRepresentation.intermediateNodesIndexedByUid;
    expect(Object.fromEntries(Object.values(nodes).map((node) => [node.uid, node.componentType]))).toEqual({
      milepost_app: 'APPLICATION',
      milepost_journey_tab: 'CARD',
      milepost_journey_sidebar: 'CARD',
      milepost_webhooks: 'WEBHOOKS',
    });
    expect(nodes.milepost_journey_tab?.componentDeps.app).toBe('milepost_app');
    expect(nodes.milepost_webhooks?.componentDeps.app).toBe('milepost_app');
    expect(nodes.milepost_webhooks?.metaFilePath).toBe('app/webhooks/webhooks-hsmeta.json');
    expect(nodes.milepost_journey_sidebar?.metaFilePath).toBe('app/cards/journey-sidebar-hsmeta.json');
  });

  it('passes our own checks of the component files', async () => {
    expect(await checkProject(projectDir)).toEqual([]);
  });

  it('asks for every scope the HubSpot adapter checks at preflight (HUBSPOT_REQUIRED_SCOPES), and workflows as optional', async () => {
    // Read from the adapter's source: the app has no dependency on @milepost/hubspot, and the two lists must not drift.
    const source = await readFile(
      join(repositoryDir, 'packages', 'hubspot', 'src', 'hubspot-describe.ts'),
      'utf8',
    );
    const block = /export const HUBSPOT_REQUIRED_SCOPES = \{([\s\S]*?)\} as const;/.exec(source)?.[1];
    expect(block, 'HUBSPOT_REQUIRED_SCOPES not found in the adapter').toBeDefined();
    const adapterScopes = [...(block ?? '').matchAll(/'([^']+)'/g)].map((match) => match[1]);
    expect(adapterScopes.length).toBeGreaterThan(0);
    const meta = await readJson<AppMeta>(join(projectDir, 'src', 'app', 'app-hsmeta.json'));
    expect(meta.config.auth.requiredScopes).toEqual(expect.arrayContaining(adapterScopes));
    expect(meta.config.auth.optionalScopes).toEqual(['automation']);
    for (const scope of meta.config.auth.requiredScopes) expect(DOCUMENTED_SCOPES).toContain(scope);
  });

  it('ships the cards with the ui-extensions and React versions the tests run against', async () => {
    const app = await readJson<{ devDependencies: Record<string, string> }>(join(projectDir, 'package.json'));
    const cards = await readJson<{ dependencies: Record<string, string> }>(
      join(projectDir, 'src', 'app', 'cards', 'package.json'),
    );
    expect(cards.dependencies).toEqual({
      '@hubspot/ui-extensions': app.devDependencies['@hubspot/ui-extensions'],
      react: app.devDependencies.react,
    });
  });
});

describe('isAllowedUrl', () => {
  it('accepts https and local http only', () => {
    expect(isAllowedUrl('https://cs.example.com')).toBe(true);
    expect(isAllowedUrl('http://localhost:4400')).toBe(true);
    expect(isAllowedUrl('http://cs.example.com')).toBe(false);
    expect(isAllowedUrl('ftp://localhost')).toBe(false);
    expect(isAllowedUrl('cs.example.com')).toBe(false);
  });
});

describe('checkProject on a broken copy', () => {
  let copy: string | undefined;
  afterEach(async () => {
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  async function brokenCopy(change: (dir: string) => Promise<void>): Promise<string[]> {
    copy = await mkdtemp(join(tmpdir(), 'milepost-hubspot-project-'));
    await cp(join(projectDir, 'hsproject.json'), join(copy, 'hsproject.json'));
    await cp(join(projectDir, 'src'), join(copy, 'src'), { recursive: true });
    await change(copy);
    return checkProject(copy);
  }

  async function editJson(
    path: string,
    edit: (value: { uid: string; config: Record<string, unknown> }) => void,
  ) {
    const value = await readJson<{ uid: string; config: Record<string, unknown> }>(path);
    edit(value);
    await writeFile(path, JSON.stringify(value));
  }

  it('finds a card whose entry file is missing', async () => {
    const problems = await brokenCopy((dir) =>
      editJson(join(dir, 'src', 'app', 'cards', 'journey-tab-hsmeta.json'), (meta) => {
        meta.config.entrypoint = '/app/cards/Missing.tsx';
      }),
    );
    expect(problems).toEqual([
      'app/cards/journey-tab-hsmeta.json: entrypoint /app/cards/Missing.tsx does not exist',
    ]);
  });

  it('finds an entry wired to the other location', async () => {
    const problems = await brokenCopy((dir) =>
      editJson(join(dir, 'src', 'app', 'cards', 'journey-tab-hsmeta.json'), (meta) => {
        meta.config.entrypoint = '/app/cards/JourneySidebar.tsx';
      }),
    );
    expect(problems).toEqual([
      "app/cards/journey-tab-hsmeta.json: /app/cards/JourneySidebar.tsx does not call hubspot.extend<'crm.record.tab'>",
    ]);
  });

  it('finds a duplicate uid', async () => {
    const problems = await brokenCopy((dir) =>
      editJson(join(dir, 'src', 'app', 'cards', 'journey-sidebar-hsmeta.json'), (meta) => {
        meta.uid = 'milepost_journey_tab';
      }),
    );
    expect(
      problems.some(
        (problem) => problem.startsWith('translate:') && problem.includes('milepost_journey_tab'),
      ),
    ).toBe(true);
    expect(problems).toContain(
      'app/cards/journey-tab-hsmeta.json: uid "milepost_journey_tab" is also used by app/cards/journey-sidebar-hsmeta.json',
    );
  });

  it('finds an undocumented scope, a plain-http fetch URL and a base URL outside permittedUrls', async () => {
    const problems = await brokenCopy((dir) =>
      editJson(join(dir, 'src', 'app', 'app-hsmeta.json'), (meta) => {
        const auth = meta.config.auth as { requiredScopes: string[] };
        auth.requiredScopes.push('crm.objects.everything.write');
        meta.config.permittedUrls = { fetch: ['http://cs.example.com'] };
      }),
    );
    expect(problems).toEqual([
      'app/app-hsmeta.json: scope "crm.objects.everything.write" is not a documented scope',
      'app/app-hsmeta.json: fetch URL "http://cs.example.com" must be https or localhost',
      "app/app-hsmeta.json: permittedUrls.fetch does not cover the cards' MILEPOST_BASE_URL http://localhost:4400",
    ]);
  });

  it('finds a component file outside a component directory', async () => {
    const problems = await brokenCopy(async (dir) => {
      await mkdir(join(dir, 'src', 'app', 'extras'));
      await writeFile(
        join(dir, 'src', 'app', 'extras', 'note-hsmeta.json'),
        JSON.stringify({ uid: 'note', type: 'card', config: {} }),
      );
    });
    expect(problems).toContain(
      'app/extras/note-hsmeta.json: not in a component directory, HubSpot would skip it',
    );
  });

  it('finds webhooks aimed elsewhere, a propertyChange without a property, and missing company events', async () => {
    const problems = await brokenCopy((dir) =>
      editJson(join(dir, 'src', 'app', 'webhooks', 'webhooks-hsmeta.json'), (meta) => {
        const config = meta.config as {
          settings: { targetUrl: string };
          subscriptions: { legacyCrmObjects: Array<Record<string, unknown>> };
        };
        config.settings.targetUrl = 'https://elsewhere.example.com/hooks';
        config.subscriptions.legacyCrmObjects = [
          { subscriptionType: 'company.propertyChange', active: true },
          { subscriptionType: 'company.explosion', active: true },
        ];
      }),
    );
    expect(problems).toEqual([
      "app/webhooks/webhooks-hsmeta.json: settings.targetUrl must be the admin server's http://localhost:4400/hubspot/webhooks, not https://elsewhere.example.com/hooks",
      'app/webhooks/webhooks-hsmeta.json: legacyCrmObjects[0]: a propertyChange needs an internal propertyName',
      'app/webhooks/webhooks-hsmeta.json: legacyCrmObjects[1]: "company.explosion" is not a CRM event type such as company.propertyChange',
      'app/webhooks/webhooks-hsmeta.json: no active company.creation subscription',
      'app/webhooks/webhooks-hsmeta.json: no active company.deletion subscription',
    ]);
  });

  it('finds a project without webhooks', async () => {
    const problems = await brokenCopy((dir) => rm(join(dir, 'src', 'app', 'webhooks'), { recursive: true }));
    expect(problems).toEqual(['the project must have exactly one webhooks component, found 0']);
  });

  it('rejects another platform version', async () => {
    const problems = await brokenCopy((dir) =>
      writeFile(
        join(dir, 'hsproject.json'),
        JSON.stringify({ name: 'milepost', srcDir: 'src', platformVersion: '2025.2' }),
      ),
    );
    expect(problems).toContain('hsproject.json: platformVersion is 2025.2, expected 2026.03');
  });
});
