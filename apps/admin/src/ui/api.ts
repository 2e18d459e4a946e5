/**
 * The one place the UI talks HTTP: same-origin credentials, the CSRF header on every non-GET
 * request, and the server's `{ error: { code, message, issues } }` body turned into {@link ApiError}.
 * Screens switch on `error.code`, never on message text.
 */
import type {
  Connection,
  CrmField,
  CustomerRow,
  Dashboard,
  Install,
  Issue,
  JourneyChange,
  JourneyDetail,
  JourneyStateJson,
  JourneySummary,
  JourneyTemplate,
  Mapping,
  MappingCheck,
  MappingDocument,
  NewConnection,
  PreflightReport,
  RevisionDiff,
  RevisionSummary,
  Run,
  Session,
  StoredPlan,
  ValidationResult,
} from './api-types.js';

/** Codes the UI produces itself, when there is no server error body to read. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE';

/** An error answered by the server (or the network), with the server's stable code. */
export class ApiError extends Error {
  /** The server's code (`INVALID_JOURNEY`, `UNAUTHENTICATED`, …) or a {@link ClientErrorCode}. */
  readonly code: string;
  /** The HTTP status; 0 when the request never got an answer. */
  readonly status: number;
  /** Field-level problems, with YAML line numbers when the input was YAML. */
  readonly issues: Issue[];

  constructor(code: string, message: string, status: number, issues: Issue[] = []) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.issues = issues;
  }
}

/** True for an {@link ApiError}, optionally of one code. */
export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeIssue(value: unknown): Issue | null {
  if (!isRecord(value) || typeof value.message !== 'string') return null;
  const issue: Issue = { path: typeof value.path === 'string' ? value.path : '', message: value.message };
  if (typeof value.line === 'number') issue.line = value.line;
  if (typeof value.column === 'number') issue.column = value.column;
  if (typeof value.file === 'string') issue.file = value.file;
  if (value.severity === 'error' || value.severity === 'warning') issue.severity = value.severity;
  return issue;
}

/** Decodes a list of issues, dropping entries that are not issues rather than failing on them. */
export function decodeIssues(value: unknown): Issue[] {
  if (!Array.isArray(value)) return [];
  return value.map(decodeIssue).filter((issue): issue is Issue => issue !== null);
}

/**
 * Turns an error answer into an {@link ApiError}. A body that is not the documented error shape (a
 * proxy's HTML page, an empty 502) still yields a usable message with the status in it.
 */
export function decodeApiError(status: number, body: unknown): ApiError {
  if (isRecord(body) && isRecord(body.error)) {
    const { code, message, issues } = body.error;
    if (typeof code === 'string' && typeof message === 'string')
      return new ApiError(code, message, status, decodeIssues(issues));
  }
  return new ApiError(
    'UNEXPECTED_RESPONSE',
    `The server answered ${status} without an explanation; check that the admin server is running and try again.`,
    status,
  );
}

/** Options of {@link request}. */
export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** Read the answer as text (SVG, YAML) rather than JSON. */
  text?: boolean;
  signal?: AbortSignal;
}

let csrfToken = '';
const unauthenticatedListeners = new Set<() => void>();

/** Remembers the CSRF token from `GET /api/session`; every later non-GET request carries it. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Calls `listener` whenever a request answers 401, so the app can show the sign-in form. */
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: options.text ? '*/*' : 'application/json' };
  if (method !== 'GET') headers['x-milepost-csrf'] = csrfToken;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(
      'NETWORK_ERROR',
      'The admin server could not be reached; check your network and that the server is running.',
      0,
    );
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * One request to the admin server. Resolves with the parsed answer (undefined for 204); rejects with
 * {@link ApiError}. A `CSRF_FAILED` answer refreshes the token once and retries, because the token
 * is bound to a cookie that signing in or a server restart can replace.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(path, options);
  if (response.status === 403 && (options.method ?? 'GET') !== 'GET') {
    const body = await readBody(response.clone());
    if (decodeApiError(403, body).code === 'CSRF_FAILED') {
      const session = await request<Session>('/api/session');
      setCsrfToken(session.csrfToken);
      response = await send(path, options);
    }
  }
  if (!response.ok) {
    const error = decodeApiError(response.status, await readBody(response));
    if (response.status === 401 && error.code !== 'INVALID_CREDENTIALS')
      for (const listener of unauthenticatedListeners) listener();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  if (options.text) return (await response.text()) as T;
  return (await readBody(response)) as T;
}

const segment = encodeURIComponent;

function query(parameters: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters))
    if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** URLs the browser opens itself (downloads, the OAuth install). */
export const urls = {
  journeySource: (key: string) => `/api/journeys/${segment(key)}/source.yaml`,
  mappingYaml: (key: string, connectionId: string) =>
    `/api/journeys/${segment(key)}/mappings/${segment(connectionId)}/mapping.yaml`,
  hubspotInstall: '/hubspot/install',
};

/** Every route of apps/admin/API.md the UI uses, typed. */
export const api = {
  session: () => request<Session>('/api/session'),
  setup: (email: string, password: string) =>
    request<{ user: { email: string } }>('/api/setup', { method: 'POST', body: { email, password } }),
  login: (email: string, password: string) =>
    request<{ user: { email: string } }>('/api/login', { method: 'POST', body: { email, password } }),
  logout: () => request<void>('/api/logout', { method: 'POST' }),

  templates: () => request<JourneyTemplate[]>('/api/templates'),
  journeys: () => request<JourneySummary[]>('/api/journeys'),
  importJourney: (source: string, fileName?: string) =>
    request<JourneyDetail>('/api/journeys', { method: 'POST', body: { source, fileName } }),
  createFromTemplate: (template: string) =>
    request<JourneyDetail>('/api/journeys', { method: 'POST', body: { template } }),
  validateJourney: (source: string, signal?: AbortSignal) =>
    request<ValidationResult>('/api/journeys/validate', {
      method: 'POST',
      body: { source },
      ...(signal ? { signal } : {}),
    }),
  journey: (key: string) => request<JourneyDetail>(`/api/journeys/${segment(key)}`),
  saveJourney: (key: string, source: string, message?: string) =>
    request<JourneyDetail>(`/api/journeys/${segment(key)}`, {
      method: 'PUT',
      body: message ? { source, message } : { source },
    }),
  deleteJourney: (key: string) => request<void>(`/api/journeys/${segment(key)}`, { method: 'DELETE' }),
  revisions: (key: string) => request<RevisionSummary[]>(`/api/journeys/${segment(key)}/revisions`),
  diff: (key: string, from: number, to?: number) =>
    request<RevisionDiff>(`/api/journeys/${segment(key)}/diff${query({ from, to })}`),
  compare: (key: string, otherKey: string) =>
    request<{ changes: JourneyChange[] }>(`/api/journeys/${segment(key)}/compare/${segment(otherKey)}`),
  mapSvg: (key: string, persona?: string) =>
    request<string>(`/api/journeys/${segment(key)}/map.svg${query({ persona })}`, { text: true }),

  connections: () => request<Connection[]>('/api/connections'),
  createConnection: (body: NewConnection) =>
    request<Connection>('/api/connections', { method: 'POST', body }),
  deleteConnection: (id: string) => request<void>(`/api/connections/${segment(id)}`, { method: 'DELETE' }),
  preflight: (id: string) => request<PreflightReport>(`/api/connections/${segment(id)}/preflight`),
  fields: (id: string) => request<CrmField[]>(`/api/connections/${segment(id)}/fields`),

  mapping: (key: string, connectionId: string) =>
    request<MappingDocument>(`/api/journeys/${segment(key)}/mappings/${segment(connectionId)}`),
  checkMapping: (key: string, connectionId: string, mapping: Mapping, signal?: AbortSignal) =>
    request<MappingCheck>(`/api/journeys/${segment(key)}/mappings/${segment(connectionId)}/check`, {
      method: 'POST',
      body: { mapping },
      ...(signal ? { signal } : {}),
    }),
  saveMapping: (key: string, connectionId: string, body: { mapping: Mapping } | { source: string }) =>
    request<MappingDocument>(`/api/journeys/${segment(key)}/mappings/${segment(connectionId)}`, {
      method: 'PUT',
      body,
    }),

  makePlan: (key: string, connectionId: string) =>
    request<StoredPlan>(`/api/journeys/${segment(key)}/plans`, { method: 'POST', body: { connectionId } }),
  applyPlan: (id: string) =>
    request<Run>(`/api/plans/${segment(id)}/apply`, { method: 'POST', body: { confirm: true } }),
  startSync: (key: string, connectionId: string) =>
    request<Run>(`/api/journeys/${segment(key)}/syncs`, { method: 'POST', body: { connectionId } }),
  runs: (journey?: string, connectionId?: string) =>
    request<Run[]>(`/api/runs${query({ journey, connectionId })}`),
  run: (id: string) => request<Run>(`/api/runs/${segment(id)}`),
  retryRun: (id: string) => request<Run>(`/api/runs/${segment(id)}/retry`, { method: 'POST' }),

  dashboard: (key: string, connectionId: string) =>
    request<Dashboard>(`/api/journeys/${segment(key)}/dashboard${query({ connectionId })}`),
  customers: (key: string, connectionId: string, searchText: string, signal?: AbortSignal) =>
    request<CustomerRow[]>(
      `/api/journeys/${segment(key)}/customers${query({ connectionId, query: searchText })}`,
      signal ? { signal } : {},
    ),
  customer: (key: string, connectionId: string, recordId: string) =>
    request<JourneyStateJson>(
      `/api/journeys/${segment(key)}/customers/${segment(recordId)}${query({ connectionId })}`,
    ),

  install: (hubId: string) => request<Install>(`/api/installs/${segment(hubId)}`),
};
