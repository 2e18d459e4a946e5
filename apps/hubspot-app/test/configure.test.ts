import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  configureProject,
  DEFAULT_PUBLIC_URL,
  formatJson,
  normalizePublicUrl,
  renderAppMeta,
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
    expect(settingsFromEnvironment({})).toEqual({ publicUrl: DEFAULT_PUBLIC_URL, cycleObject: 'tickets' });
  });

  it('reads MILEPOST_PUBLIC_URL and MILEPOST_CYCLE_OBJECT', () => {
    expect(
      settingsFromEnvironment({
        MILEPOST_PUBLIC_URL: 'https://cs.example.com/',
        MILEPOST_CYCLE_OBJECT: 'deals',
      }),
    ).toEqual({ publicUrl: 'https://cs.example.com', cycleObject: 'deals' });
  });

  it('rejects an unknown cycle object', () => {
    expect(() => settingsFromEnvironment({ MILEPOST_CYCLE_OBJECT: 'contacts' })).toThrow(
      /MILEPOST_CYCLE_OBJECT/,
    );
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
      renderAppMeta(template, { publicUrl: 'https://cs.example.com', cycleObject: 'deals' }),
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

    await configureProject(copy, { publicUrl: 'https://cs.example.com', cycleObject: '2-12345' });

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
