import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTemplate } from '@milepost/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  configureProject,
  DEFAULT_PUBLIC_URL,
  DEFAULT_WEBHOOK_PROPERTIES,
  formatJson,
  normalizePublicUrl,
  parseWebhookProperties,
  renderAppMeta,
  renderWebhooksMeta,
  settingsFromEnvironment,
} from '../scripts/configure.ts';

const projectDir = join(import.meta.dirname, '..');

interface AppMeta {
  config: {
    auth: { redirectUrls: string[]; requiredScopes: string[]; optionalScopes: string[] };
    permittedUrls: { fetch: string[] };
  };
}

describe('settingsFromEnvironment', () => {
  it('defaults to the local admin server and tickets', () => {
    expect(settingsFromEnvironment({})).toEqual({
      publicUrl: DEFAULT_PUBLIC_URL,
      cycleObject: 'tickets',
      webhookProperties: DEFAULT_WEBHOOK_PROPERTIES,
    });
  });

  it('reads MILEPOST_PUBLIC_URL and MILEPOST_CYCLE_OBJECT', () => {
    expect(
      settingsFromEnvironment({
        MILEPOST_PUBLIC_URL: 'https://cs.example.com/',
        MILEPOST_CYCLE_OBJECT: 'deals',
      }),
    ).toMatchObject({ publicUrl: 'https://cs.example.com', cycleObject: 'deals' });
  });

  it('rejects an unknown cycle object', () => {
    expect(() => settingsFromEnvironment({ MILEPOST_CYCLE_OBJECT: 'contacts' })).toThrow(
      /MILEPOST_CYCLE_OBJECT/,
    );
  });
});

describe('webhook properties', () => {
  it('default to what the default mapping reads for the saas-lifecycle template (one property per fact key)', () => {
    expect(DEFAULT_WEBHOOK_PROPERTIES).toEqual(loadTemplate('saas-lifecycle').facts.map((fact) => fact.key));
  });

  it('read MILEPOST_WEBHOOK_PROPERTIES, comma or space separated, once each', () => {
    expect(parseWebhookProperties(' plan_tier, annualrevenue  nps_score,plan_tier ')).toEqual([
      'plan_tier',
      'annualrevenue',
      'nps_score',
    ]);
    expect(settingsFromEnvironment({ MILEPOST_WEBHOOK_PROPERTIES: 'nps_score' }).webhookProperties).toEqual([
      'nps_score',
    ]);
    expect(parseWebhookProperties('')).toEqual(DEFAULT_WEBHOOK_PROPERTIES);
  });

  it('reject what is not an internal property name', () => {
    expect(() => parseWebhookProperties('nps, Plan Tier')).toThrow(/"Plan".*"Tier"/);
    expect(() => parseWebhookProperties('a;drop')).toThrow(/MILEPOST_WEBHOOK_PROPERTIES/);
  });
});

describe('renderWebhooksMeta', () => {
  it('points the subscriptions at the admin server and adds one propertyChange per property', async () => {
    const template = await readFile(join(projectDir, 'config', 'webhooks-hsmeta.template.json'), 'utf8');
    const meta = JSON.parse(
      renderWebhooksMeta(template, {
        publicUrl: 'https://cs.example.com/milepost',
        cycleObject: 'tickets',
        webhookProperties: ['plan_tier', 'nps_score'],
      }),
    ) as {
      type: string;
      config: {
        settings: { targetUrl: string };
        subscriptions: { legacyCrmObjects: Array<{ subscriptionType: string; propertyName?: string }> };
      };
    };
    expect(meta.type).toBe('webhooks');
    expect(meta.config.settings.targetUrl).toBe('https://cs.example.com/milepost/hubspot/webhooks');
    const legacy = meta.config.subscriptions.legacyCrmObjects;
    expect(legacy.map((entry) => entry.subscriptionType)).toEqual(
      expect.arrayContaining(['company.creation', 'company.deletion']),
    );
    expect(legacy.filter((entry) => entry.subscriptionType === 'company.propertyChange')).toEqual([
      { subscriptionType: 'company.propertyChange', propertyName: 'plan_tier', active: true },
      { subscriptionType: 'company.propertyChange', propertyName: 'nps_score', active: true },
    ]);
    expect(JSON.stringify(meta)).not.toContain('MILEPOST_PUBLIC_URL');
  });
});

describe('normalizePublicUrl', () => {
  it('keeps a path prefix and drops trailing slashes', () => {
    expect(normalizePublicUrl('https://example.com/milepost//')).toBe('https://example.com/milepost');
  });

  it('accepts http for localhost only', () => {
    expect(normalizePublicUrl('http://127.0.0.1:4400')).toBe('http://127.0.0.1:4400');
    expect(() => normalizePublicUrl('http://cs.example.com')).toThrow(/https/);
  });

  it('rejects what is not a URL, and queries', () => {
    expect(() => normalizePublicUrl('cs.example.com')).toThrow(/not a URL/);
    expect(() => normalizePublicUrl('https://cs.example.com/?a=1')).toThrow(/query/);
  });
});

describe('renderAppMeta', () => {
  it('fills every URL and adds the deal scopes when deals host the cycle', async () => {
    const template = await readFile(join(projectDir, 'config', 'app-hsmeta.template.json'), 'utf8');
    const meta = JSON.parse(
      renderAppMeta(template, {
        publicUrl: 'https://cs.example.com',
        cycleObject: 'deals',
        webhookProperties: [],
      }),
    ) as AppMeta;
    expect(meta.config.auth.redirectUrls).toEqual(['https://cs.example.com/hubspot/oauth/callback']);
    expect(meta.config.permittedUrls.fetch).toEqual(['https://cs.example.com']);
    expect(meta.config.auth.requiredScopes).toContain('crm.schemas.deals.write');
    expect(meta.config.auth.optionalScopes).toEqual(['automation']);
    expect(JSON.stringify(meta)).not.toContain('MILEPOST_PUBLIC_URL');
  });
});

describe('formatJson', () => {
  it('puts short arrays of plain values on one line and leaves long ones expanded', () => {
    const long = Array.from({ length: 12 }, (_, index) => `a-rather-long-scope-name-${index}`);
    const text = formatJson({ short: ['a', 1, true], empty: [], long, nested: [{ a: 1 }] });
    expect(text).toContain('"short": ["a", 1, true]');
    expect(text).toContain('"empty": []');
    expect(text).toContain('"long": [\n    "a-rather-long-scope-name-0",');
    expect(JSON.parse(text)).toEqual({ short: ['a', 1, true], empty: [], long, nested: [{ a: 1 }] });
  });
});

describe('configureProject', () => {
  let copy: string | undefined;
  afterEach(async () => {
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  it('writes the app metadata, the cards config module and the cards object types', async () => {
    copy = await mkdtemp(join(tmpdir(), 'milepost-hubspot-app-'));
    await cp(join(projectDir, 'config'), join(copy, 'config'), { recursive: true });
    await cp(join(projectDir, 'src'), join(copy, 'src'), { recursive: true });

    await rm(join(copy, 'src', 'app', 'webhooks'), { recursive: true });
    await configureProject(copy, {
      publicUrl: 'https://cs.example.com',
      cycleObject: '2-12345',
      webhookProperties: ['nps_score'],
    });

    const meta = JSON.parse(await readFile(join(copy, 'src', 'app', 'app-hsmeta.json'), 'utf8')) as AppMeta;
    expect(meta.config.permittedUrls.fetch).toEqual(['https://cs.example.com']);
    expect(meta.config.auth.requiredScopes).toContain('crm.objects.custom.read');
    const config = await readFile(join(copy, 'src', 'app', 'cards', 'milepost-config.ts'), 'utf8');
    expect(config).toContain("export const MILEPOST_BASE_URL = 'https://cs.example.com';");
    for (const card of ['journey-tab-hsmeta.json', 'journey-sidebar-hsmeta.json']) {
      const cardMeta = JSON.parse(await readFile(join(copy, 'src', 'app', 'cards', card), 'utf8')) as {
        config: { objectTypes: string[] };
      };
      expect(cardMeta.config.objectTypes).toEqual(['companies', '2-12345']);
    }
    const webhooks = await readFile(join(copy, 'src', 'app', 'webhooks', 'webhooks-hsmeta.json'), 'utf8');
    expect(webhooks).toContain('"targetUrl": "https://cs.example.com/hubspot/webhooks"');
    expect(webhooks).toContain('"propertyName": "nps_score"');
  });

  it('leaves the committed project as configuring it with the defaults writes it', async () => {
    copy = await mkdtemp(join(tmpdir(), 'milepost-hubspot-app-'));
    await cp(join(projectDir, 'config'), join(copy, 'config'), { recursive: true });
    await cp(join(projectDir, 'src'), join(copy, 'src'), { recursive: true });
    const written = await configureProject(copy, settingsFromEnvironment({}));
    for (const path of written) {
      const committed = join(projectDir, path.slice(copy.length + 1));
      expect(await readFile(path, 'utf8'), committed).toBe(await readFile(committed, 'utf8'));
    }
  });
});
