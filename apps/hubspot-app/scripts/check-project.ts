/**
 * Offline checks of the HubSpot project, beyond what `@hubspot/project-parsing-lib` does without an
 * account (research: hubspot-api.md §4 — full schema validation needs `hs project validate` and a login).
 * The parsing library translates the project with validation skipped; then every component file is
 * checked here. Run: `node scripts/check-project.ts` (exit code 1 and one line per problem).
 */
import { access, readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProjectConfig, validateProjectConfig } from '@hubspot/project-parsing-lib/projects';
import { translate } from '@hubspot/project-parsing-lib/translate';
import { validateUid } from '@hubspot/project-parsing-lib/uid';
import { WEBHOOKS_PATH } from './configure.ts';

/** The platform version this project targets (research: hubspot-api.md §4, GA 2026-03-30). */
export const PLATFORM_VERSION = '2026.03';

/**
 * Every scope the app may ask for, each documented in the research notes (hubspot-api.md §1.11 "Scopes
 * needed", from the specs' `security` blocks): a scope outside this list is a typo or an unreviewed ask.
 */
export const DOCUMENTED_SCOPES = [
  'oauth',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.schemas.companies.read',
  'crm.schemas.companies.write',
  'tickets',
  'crm.schemas.tickets.write',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.schemas.deals.write',
  'crm.objects.custom.read',
  'crm.objects.custom.write',
  'crm.schemas.custom.read',
  'crm.schemas.custom.write',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.owners.read',
  'automation',
];

/** The card locations Milepost ships: one card file per location, as the platform requires. */
export const CARD_LOCATIONS = ['crm.record.tab', 'crm.record.sidebar'];

const TOP_LEVEL_FIELDS = ['uid', 'type', 'config'];

/** Company events the admin server needs besides property changes: a new customer, and one gone. */
export const REQUIRED_COMPANY_EVENTS = ['company.creation', 'company.deletion'];
/** Legacy CRM event types of the webhooks component (research: hubspot-api.md §1.9). */
const LEGACY_EVENT_PATTERN =
  /^(contact|company|deal|ticket)\.(creation|deletion|propertyChange|associationChange|merge|restore)$/;
const PROPERTY_NAME_PATTERN = /^[a-z][a-z0-9_]{0,99}$/;

interface ComponentFile {
  /** Relative to the source directory, e.g. `app/cards/journey-tab-hsmeta.json`. */
  path: string;
  content: { uid?: unknown; type?: unknown; config?: Record<string, unknown> };
}

async function findMetaFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('-hsmeta.json'))
    .filter((entry) => !entry.parentPath.split(/[\\/]/).includes('node_modules'))
    .map((entry) => join(entry.parentPath, entry.name));
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** True for an https URL, or an http one on localhost (a local admin server in development). */
export function isAllowedUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1'))
    );
  } catch {
    return false;
  }
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

function checkApp(file: ComponentFile, baseUrl: string | null, problems: string[]): void {
  const config = file.content.config ?? {};
  const auth = (config.auth ?? {}) as Record<string, unknown>;
  if (auth.type !== 'oauth') problems.push(`${file.path}: auth.type must be "oauth" (a marketplace app)`);
  const required = strings(auth.requiredScopes);
  const optional = strings(auth.optionalScopes);
  for (const scope of [...required, ...optional, ...strings(auth.conditionallyRequiredScopes)])
    if (!DOCUMENTED_SCOPES.includes(scope))
      problems.push(`${file.path}: scope "${scope}" is not a documented scope`);
  for (const scope of required)
    if (optional.includes(scope))
      problems.push(`${file.path}: scope "${scope}" is both required and optional`);
  const redirects = strings(auth.redirectUrls);
  if (redirects.length === 0) problems.push(`${file.path}: auth.redirectUrls is empty`);
  for (const url of redirects)
    if (!isAllowedUrl(url)) problems.push(`${file.path}: redirect URL "${url}" must be https or localhost`);
  const permitted = (config.permittedUrls ?? {}) as Record<string, unknown>;
  const fetchUrls = strings(permitted.fetch);
  for (const url of fetchUrls)
    if (!isAllowedUrl(url)) problems.push(`${file.path}: fetch URL "${url}" must be https or localhost`);
  if (baseUrl !== null && !fetchUrls.some((url) => baseUrl === url || baseUrl.startsWith(`${url}/`)))
    problems.push(`${file.path}: permittedUrls.fetch does not cover the cards' MILEPOST_BASE_URL ${baseUrl}`);
}

function checkWebhooks(file: ComponentFile, baseUrl: string | null, problems: string[]): void {
  const config = file.content.config ?? {};
  if (file.path !== 'app/webhooks/webhooks-hsmeta.json')
    problems.push(`${file.path}: the webhooks component belongs in app/webhooks/webhooks-hsmeta.json`);
  const settings = (config.settings ?? {}) as Record<string, unknown>;
  const targetUrl = settings.targetUrl;
  if (!isAllowedUrl(targetUrl))
    problems.push(`${file.path}: settings.targetUrl "${String(targetUrl)}" must be https or localhost`);
  else if (baseUrl !== null && targetUrl !== `${baseUrl}${WEBHOOKS_PATH}`)
    problems.push(
      `${file.path}: settings.targetUrl must be the admin server's ${baseUrl}${WEBHOOKS_PATH}, not ${String(targetUrl)}`,
    );
  const concurrency = settings.maxConcurrentRequests;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && (concurrency as number) > 0))
    problems.push(`${file.path}: settings.maxConcurrentRequests must be a positive whole number`);
  const subscriptions = (config.subscriptions ?? {}) as Record<string, unknown>;
  const legacy = Array.isArray(subscriptions.legacyCrmObjects)
    ? (subscriptions.legacyCrmObjects as Array<Record<string, unknown>>)
    : [];
  const seen = new Set<string>();
  for (const [index, subscription] of legacy.entries()) {
    const where = `${file.path}: legacyCrmObjects[${index}]`;
    const type = subscription.subscriptionType;
    if (typeof type !== 'string' || !LEGACY_EVENT_PATTERN.test(type)) {
      problems.push(`${where}: "${String(type)}" is not a CRM event type such as company.propertyChange`);
      continue;
    }
    if (typeof subscription.active !== 'boolean') problems.push(`${where}: active must be true or false`);
    const property = subscription.propertyName;
    if (type.endsWith('.propertyChange')) {
      if (typeof property !== 'string' || !PROPERTY_NAME_PATTERN.test(property))
        problems.push(`${where}: a propertyChange needs an internal propertyName`);
    } else if (property !== undefined) {
      problems.push(`${where}: only a propertyChange names a property`);
    }
    const key = `${type}:${String(property ?? '')}`;
    if (seen.has(key)) problems.push(`${where}: ${type} ${String(property ?? '')} is subscribed twice`);
    seen.add(key);
  }
  const active = legacy.filter((subscription) => subscription.active === true);
  for (const event of REQUIRED_COMPANY_EVENTS)
    if (!active.some((subscription) => subscription.subscriptionType === event))
      problems.push(`${file.path}: no active ${event} subscription`);
  if (!active.some((subscription) => subscription.subscriptionType === 'company.propertyChange'))
    problems.push(`${file.path}: no active company.propertyChange subscription; syncs would never start`);
}

async function checkCard(file: ComponentFile, sourceDir: string, problems: string[]): Promise<void> {
  const config = file.content.config ?? {};
  if (!file.path.startsWith('app/cards/')) problems.push(`${file.path}: a card belongs in app/cards/`);
  if (typeof config.name !== 'string' || !config.name) problems.push(`${file.path}: config.name is missing`);
  if (!CARD_LOCATIONS.includes(config.location as string))
    problems.push(
      `${file.path}: location "${String(config.location)}" is not one of ${CARD_LOCATIONS.join(', ')}`,
    );
  const objectTypes = strings(config.objectTypes);
  if (!objectTypes.includes('companies')) problems.push(`${file.path}: objectTypes must include companies`);
  if (objectTypes.length < 2) problems.push(`${file.path}: objectTypes must include the cycle host object`);
  const entrypoint = config.entrypoint;
  if (typeof entrypoint !== 'string' || !entrypoint.startsWith('/app/cards/')) {
    problems.push(`${file.path}: entrypoint must be a path under /app/cards/`);
    return;
  }
  const entryFile = join(sourceDir, entrypoint);
  if (!(await exists(entryFile))) {
    problems.push(`${file.path}: entrypoint ${entrypoint} does not exist`);
    return;
  }
  // The entry renders for the location its card declares; a tab entry wired to a sidebar card gets
  // the wrong extension API.
  const source = await readFile(entryFile, 'utf8');
  if (!source.includes(`hubspot.extend<'${String(config.location)}'>`))
    problems.push(`${file.path}: ${entrypoint} does not call hubspot.extend<'${String(config.location)}'>`);
}

/**
 * Checks the project in `projectDir` and returns the problems found, one sentence each; none means the
 * project translates and every component file passes the checks.
 */
export async function checkProject(projectDir: string): Promise<string[]> {
  const problems: string[] = [];
  const projectConfig = parseProjectConfig(projectDir);
  try {
    validateProjectConfig(projectConfig, projectDir);
  } catch (error) {
    return [`hsproject.json: ${error instanceof Error ? error.message : String(error)}`];
  }
  if (projectConfig.platformVersion !== PLATFORM_VERSION)
    problems.push(
      `hsproject.json: platformVersion is ${projectConfig.platformVersion}, expected ${PLATFORM_VERSION}`,
    );
  const sourceDir = join(projectDir, projectConfig.srcDir);

  try {
    const { intermediateRepresentation, skippedHsMetaFiles } = await translate(
      { projectSourceDir: sourceDir, platformVersion: projectConfig.platformVersion },
      { skipValidation: true },
    );
    for (const skipped of skippedHsMetaFiles)
      problems.push(`${skipped}: not in a component directory, HubSpot would skip it`);
    for (const node of Object.values(intermediateRepresentation.intermediateNodesIndexedByUid))
      if ((node.componentType === 'CARD' || node.componentType === 'WEBHOOKS') && !node.componentDeps.app)
        problems.push(`${node.metaFilePath}: the component is not attached to the app`);
  } catch (error) {
    // translate throws on duplicate uids and on a project without component files.
    problems.push(`translate: ${error instanceof Error ? error.message : String(error)}`);
  }

  const files: ComponentFile[] = [];
  for (const path of await findMetaFiles(sourceDir)) {
    const relativePath = relative(sourceDir, path).split('\\').join('/');
    try {
      files.push({ path: relativePath, content: JSON.parse(await readFile(path, 'utf8')) });
    } catch {
      problems.push(`${relativePath}: not valid JSON`);
    }
  }
  const seen = new Map<string, string>();
  for (const file of files) {
    for (const field of Object.keys(file.content))
      if (!TOP_LEVEL_FIELDS.includes(field))
        problems.push(`${file.path}: unexpected top-level field "${field}"`);
    const uid = file.content.uid;
    const uidProblem = typeof uid === 'string' ? validateUid(uid) : 'uid is missing';
    if (uidProblem) problems.push(`${file.path}: ${uidProblem}`);
    if (typeof uid === 'string') {
      const other = seen.get(uid);
      if (other) problems.push(`${file.path}: uid "${uid}" is also used by ${other}`);
      seen.set(uid, file.path);
    }
  }

  const apps = files.filter((file) => file.content.type === 'app');
  if (apps.length !== 1)
    problems.push(`the project must have exactly one app component, found ${apps.length}`);
  const configModule = join(sourceDir, 'app', 'cards', 'milepost-config.ts');
  const baseUrl = (await exists(configModule))
    ? (/MILEPOST_BASE_URL = '([^']*)'/.exec(await readFile(configModule, 'utf8'))?.[1] ?? null)
    : null;
  if (baseUrl === null) problems.push('app/cards/milepost-config.ts: MILEPOST_BASE_URL is missing');
  for (const app of apps) checkApp(app, baseUrl, problems);

  const webhooks = files.filter((file) => file.content.type === 'webhooks');
  if (webhooks.length !== 1)
    problems.push(`the project must have exactly one webhooks component, found ${webhooks.length}`);
  for (const file of webhooks) checkWebhooks(file, baseUrl, problems);

  const cards = files.filter((file) => file.content.type === 'card');
  for (const card of cards) await checkCard(card, sourceDir, problems);
  for (const location of CARD_LOCATIONS) {
    const count = cards.filter((card) => card.content.config?.location === location).length;
    if (count !== 1) problems.push(`expected one card in ${location}, found ${count}`);
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = await checkProject(resolve(fileURLToPath(import.meta.url), '..', '..'));
  for (const problem of problems) console.error(problem);
  if (problems.length) process.exitCode = 1;
  else console.log('The HubSpot project passes the offline checks.');
}
