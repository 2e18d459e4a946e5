/**
 * Writes the per-environment parts of the HubSpot project from the templates in `config/`: the OAuth
 * redirect URL and `permittedUrls.fetch` in `src/app/app-hsmeta.json`, the admin server's address the
 * cards call (`src/app/cards/milepost-config.ts`), the cycle host object the cards appear on, and the
 * webhook subscriptions with their target URL (`src/app/webhooks/webhooks-hsmeta.json`). Run it before
 * `hs project upload`:
 *
 *   MILEPOST_PUBLIC_URL=https://milepost.example.com MILEPOST_CYCLE_OBJECT=tickets node scripts/configure.ts
 *
 * Plain Node (24 strips the types), no dependencies, so it runs before anything is installed.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the project is configured with. */
export interface MilepostProjectSettings {
  /** The admin server's public origin, e.g. `https://milepost.example.com` (no trailing slash needed). */
  publicUrl: string;
  /** The object a success cycle lives on: `tickets` (default), `deals` or a custom object id (`2-…`). */
  cycleObject: string;
  /** The company properties the journey reads: a change to one of them sends a webhook. */
  webhookProperties: string[];
}

/** The public URL used when `MILEPOST_PUBLIC_URL` is not set: the admin server in development. */
export const DEFAULT_PUBLIC_URL = 'http://localhost:4400';
/** The cycle host object used when `MILEPOST_CYCLE_OBJECT` is not set. */
export const DEFAULT_CYCLE_OBJECT = 'tickets';
/**
 * The company properties the default mapping reads for the `saas-lifecycle` template (a fact is read
 * from the property named like its key). A journey with other facts, or a mapping onto other
 * properties, lists its own in `MILEPOST_WEBHOOK_PROPERTIES`. Milepost's own output properties are left
 * out on purpose: every sync writes them, so subscribing to them would answer each sync with another.
 */
export const DEFAULT_WEBHOOK_PROPERTIES = [
  'contract_signed_date',
  'kickoff_date',
  'setup_complete',
  'trained_users',
  'active_users',
  'licensed_seats',
  'plan',
  'arr',
  'nps',
  'csat',
  'open_tickets',
  'churned',
  'renewal_date',
];
/** Where the admin server takes HubSpot's webhooks (`apps/admin/API.md`). */
export const WEBHOOKS_PATH = '/hubspot/webhooks';
/** The card metadata files whose `objectTypes` follow the cycle host object. */
export const CARD_META_FILES = ['journey-tab-hsmeta.json', 'journey-sidebar-hsmeta.json'];

// biome-ignore lint/suspicious/noTemplateCurlyInString: the template's literal placeholder, not an interpolation
const PLACEHOLDER = '${MILEPOST_PUBLIC_URL}';
const CYCLE_OBJECT_PATTERN = /^(tickets|deals|2-\d+)$/;
// HubSpot's internal property names: lower case letters, digits and underscores, starting with a letter.
const PROPERTY_NAME_PATTERN = /^[a-z][a-z0-9_]{0,99}$/;

/**
 * Checks and normalises the admin server's public URL. HubSpot only calls https URLs from `hubspot.fetch`
 * and only redirects to https after OAuth; plain http is accepted for a local admin server alone.
 */
export function normalizePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`MILEPOST_PUBLIC_URL is not a URL: "${value}"; use e.g. https://milepost.example.com`);
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
    throw new Error(`MILEPOST_PUBLIC_URL must be https (http only for localhost): "${value}"`);
  if (url.search || url.hash)
    throw new Error(`MILEPOST_PUBLIC_URL must not carry a query or fragment: "${value}"`);
  // The routes are appended to it, so a trailing slash would produce "//hubspot/…".
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** Reads the settings from the environment, with the development defaults. */
export function settingsFromEnvironment(environment: NodeJS.ProcessEnv): MilepostProjectSettings {
  const cycleObject = environment.MILEPOST_CYCLE_OBJECT || DEFAULT_CYCLE_OBJECT;
  if (!CYCLE_OBJECT_PATTERN.test(cycleObject))
    throw new Error(
      `MILEPOST_CYCLE_OBJECT must be tickets, deals or a custom object id like 2-12345: "${cycleObject}"`,
    );
  return {
    publicUrl: normalizePublicUrl(environment.MILEPOST_PUBLIC_URL || DEFAULT_PUBLIC_URL),
    cycleObject,
    webhookProperties: parseWebhookProperties(environment.MILEPOST_WEBHOOK_PROPERTIES),
  };
}

/** `MILEPOST_WEBHOOK_PROPERTIES` (comma or space separated internal names), or the defaults. */
export function parseWebhookProperties(value: string | undefined): string[] {
  if (!value?.trim()) return [...DEFAULT_WEBHOOK_PROPERTIES];
  const names = [...new Set(value.split(/[\s,]+/).filter(Boolean))];
  const bad = names.filter((name) => !PROPERTY_NAME_PATTERN.test(name));
  if (bad.length > 0)
    throw new Error(
      `MILEPOST_WEBHOOK_PROPERTIES must list HubSpot internal property names (like setup_complete): ${bad.map((name) => `"${name}"`).join(', ')}`,
    );
  return names;
}

const LINE_WIDTH = 110;

/**
 * `JSON.stringify` with two-space indentation, then arrays of plain values put on one line when that
 * line fits: the layout Biome gives JSON, so running this script leaves a tree that lints clean.
 */
export function formatJson(value: unknown): string {
  const expanded = JSON.stringify(value, null, 2);
  const collapsed = expanded.replace(
    /^( *)(.*)\[\n((?: *(?:"(?:[^"\\]|\\.)*"|-?[\d.eE+-]+|true|false|null),?\n)+) *\]/gm,
    (whole, indent: string, head: string, items: string) => {
      const line = `${indent}${head}[${items
        .split('\n')
        .map((item) => item.trim())
        .filter(Boolean)
        .join(' ')}]`;
      return line.length <= LINE_WIDTH ? line : whole;
    },
  );
  return `${collapsed}\n`;
}

/**
 * Scopes a cycle host object needs beyond the template's (which covers companies and tickets, the
 * adapter's `HUBSPOT_REQUIRED_SCOPES`): deals and custom objects have their own object and schema
 * scopes (research: hubspot-api.md §1.11).
 */
export function cycleObjectScopes(cycleObject: string): string[] {
  if (cycleObject === 'deals')
    return ['crm.objects.deals.read', 'crm.objects.deals.write', 'crm.schemas.deals.write'];
  if (cycleObject.startsWith('2-'))
    return ['crm.objects.custom.read', 'crm.objects.custom.write', 'crm.schemas.custom.write'];
  return [];
}

/**
 * Fills the app metadata template: every `${MILEPOST_PUBLIC_URL}` inside a string value becomes the URL,
 * and the cycle host object's scopes join the required ones.
 */
export function renderAppMeta(template: string, settings: MilepostProjectSettings): string {
  const filled = JSON.parse(template, (_key, value: unknown) =>
    typeof value === 'string' ? value.split(PLACEHOLDER).join(settings.publicUrl) : value,
  ) as { config: { auth: { requiredScopes: string[] } } };
  const required = filled.config.auth.requiredScopes;
  for (const scope of cycleObjectScopes(settings.cycleObject))
    if (!required.includes(scope)) required.push(scope);
  return formatJson(filled);
}

interface WebhooksMeta {
  config: {
    settings: { targetUrl: string };
    subscriptions: { legacyCrmObjects: Array<Record<string, unknown>> };
  };
}

/**
 * Fills the webhooks template: the target URL from the public URL, then one `company.propertyChange`
 * subscription per property the journey reads, after the template's own (creation, deletion, …).
 */
export function renderWebhooksMeta(template: string, settings: MilepostProjectSettings): string {
  const filled = JSON.parse(template, (_key, value: unknown) =>
    typeof value === 'string' ? value.split(PLACEHOLDER).join(settings.publicUrl) : value,
  ) as WebhooksMeta;
  const legacy = filled.config.subscriptions.legacyCrmObjects;
  for (const propertyName of settings.webhookProperties)
    legacy.push({ subscriptionType: 'company.propertyChange', propertyName, active: true });
  return formatJson(filled);
}

/** The config module the cards import; generated so that the bundle HubSpot builds carries the URL. */
export function renderCardConfig(publicUrl: string): string {
  return [
    '// Written by scripts/configure.ts from MILEPOST_PUBLIC_URL; run it again instead of editing this file.',
    '',
    '/** The Milepost admin server the cards call with `hubspot.fetch` (listed in `permittedUrls.fetch`). */',
    // Single quotes, as the formatter (Biome) writes them, so a configured tree lints clean.
    `export const MILEPOST_BASE_URL = '${publicUrl.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}';`,
    '',
  ].join('\n');
}

/** Sets a card's `objectTypes` to companies plus the cycle host object, keeping the rest of the file. */
export function renderCardMeta(cardMeta: string, cycleObject: string): string {
  const parsed = JSON.parse(cardMeta) as { config: { objectTypes: string[] } };
  parsed.config.objectTypes = ['companies', cycleObject];
  return formatJson(parsed);
}

/** Writes every configured file of the project in `projectDir`; returns the paths written. */
export async function configureProject(
  projectDir: string,
  settings: MilepostProjectSettings,
): Promise<string[]> {
  const template = await readFile(join(projectDir, 'config', 'app-hsmeta.template.json'), 'utf8');
  const webhooksTemplate = await readFile(
    join(projectDir, 'config', 'webhooks-hsmeta.template.json'),
    'utf8',
  );
  const written: Array<[string, string]> = [
    [join(projectDir, 'src', 'app', 'app-hsmeta.json'), renderAppMeta(template, settings)],
    [
      join(projectDir, 'src', 'app', 'webhooks', 'webhooks-hsmeta.json'),
      renderWebhooksMeta(webhooksTemplate, settings),
    ],
    [join(projectDir, 'src', 'app', 'cards', 'milepost-config.ts'), renderCardConfig(settings.publicUrl)],
  ];
  for (const file of CARD_META_FILES) {
    const path = join(projectDir, 'src', 'app', 'cards', file);
    written.push([path, renderCardMeta(await readFile(path, 'utf8'), settings.cycleObject)]);
  }
  await mkdir(join(projectDir, 'src', 'app', 'webhooks'), { recursive: true });
  for (const [path, content] of written) await writeFile(path, content);
  return written.map(([path]) => path);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const projectDir = resolve(fileURLToPath(import.meta.url), '..', '..');
  try {
    const settings = settingsFromEnvironment(process.env);
    const written = await configureProject(projectDir, settings);
    console.log(
      `Configured for ${settings.publicUrl} (cycle object: ${settings.cycleObject}; webhooks on ${settings.webhookProperties.length} company properties):`,
    );
    for (const path of written) console.log(`  ${path}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
