import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { restErrorBody, SalesforceApiError } from './salesforce-emulator-errors.js';
import { createFaultState, createRequestLog } from './salesforce-emulator-faults.js';
import { createOrgFacade } from './salesforce-emulator-org.js';
import {
  createOrgState,
  formatDateTime,
  type OrgState,
  rebuildSchema,
  type SalesforceFlowRun,
  type SalesforceRecord,
  syncPermissionSetRecords,
} from './salesforce-emulator-org-state.js';
import type { WriteContext } from './salesforce-emulator-records.js';
import { handleRestRequest, type RestResponse } from './salesforce-emulator-rest.js';
import { seedDemo } from './salesforce-emulator-seed.js';
import { handleMetadataCall, parseSoapEnvelope, soapFault } from './salesforce-emulator-soap.js';
import type {
  SalesforceEmulator,
  SalesforceEmulatorOptions,
  SalesforceFault,
  SalesforceOrgOptions,
} from './salesforce-emulator-types.js';
import type { XmlObject } from './salesforce-emulator-xml.js';

/** The first and last API versions the emulator answers (research §2.10). */
const MIN_API_VERSION = 31;
const MAX_API_VERSION = 68;
const DEFAULT_ORG_ID = '00D000000000001AAA';
const MAX_BODY_BYTES = 60 * 1024 * 1024;
const SOAP_WRITES = new Set([
  'createMetadata',
  'updateMetadata',
  'upsertMetadata',
  'deleteMetadata',
  'renameMetadata',
  'deploy',
]);

interface TokenInfo {
  orgId: string;
  userId: string;
}

interface PersistedState {
  version: 1;
  orgs: Array<{
    orgId: string;
    edition: OrgState['edition'];
    apiEnabled: boolean;
    pathEnabled: boolean;
    dailyApiLimit: number;
    apiUsage: number;
    podCode: string;
    idCounter: number;
    integrationUserId: string;
    metadata: Record<string, XmlObject[]>;
    customPrefixes: Array<[string, string]>;
    autoNumbers: Array<[string, number]>;
    records: Record<string, SalesforceRecord[]>;
    flowRuns: SalesforceFlowRun[];
  }>;
  tokens: Array<[string, TokenInfo]>;
  refreshTokens: Array<[string, TokenInfo]>;
}

function supportedVersion(version: string): boolean {
  const number = Number(version);
  return /^\d+\.0$/.test(version) && number >= MIN_API_VERSION && number <= MAX_API_VERSION;
}

function jsonResponse(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): undefined {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    ...(text ? { 'Content-Type': 'application/json;charset=UTF-8' } : {}),
    ...headers,
  });
  response.end(text);
  return undefined;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new SalesforceApiError(413, 'REQUEST_ENTITY_TOO_LARGE', 'The request body is too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const REST_WORDS = new Set([
  'sobjects',
  'describe',
  'composite',
  'query',
  'queryAll',
  'limits',
  'jobs',
  'ingest',
  'batches',
  'successfulResults',
  'failedResults',
  'unprocessedrecords',
  'results',
]);

/** Normalizes a REST path into an endpoint template for the request log. */
function restEndpoint(method: string, segments: string[]): string {
  const parts: string[] = [];
  segments.forEach((segment, index) => {
    const previous = segments[index - 1];
    if (REST_WORDS.has(segment) && !(previous === 'sobjects' && index === 1 && segments[0] === 'sobjects'))
      parts.push(segment);
    else if (previous === 'sobjects') parts.push('{sobject}');
    else if (segments[0] === 'sobjects' && index === 2)
      parts.push(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(segment) ? '{id}' : '{field}');
    else if (segments[0] === 'sobjects' && index === 3) parts.push('{value}');
    else if (segments[0] === 'composite' && index === 3) parts.push('{field}');
    else if (previous === 'query' || previous === 'queryAll') parts.push('{locator}');
    else if (previous === 'ingest' || previous === 'query') parts.push('{jobId}');
    else parts.push('{name}');
  });
  return `${method} /services/data/v{version}/${parts.join('/')}`;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function serializeOrg(org: OrgState): PersistedState['orgs'][number] {
  const metadata: Record<string, XmlObject[]> = {};
  for (const [type, components] of org.metadata) metadata[type] = [...components.values()];
  const records: Record<string, SalesforceRecord[]> = {};
  for (const [name, rows] of org.records) records[name] = [...rows.values()];
  return {
    orgId: org.orgId,
    edition: org.edition,
    apiEnabled: org.apiEnabled,
    pathEnabled: org.pathEnabled,
    dailyApiLimit: org.dailyApiLimit,
    apiUsage: org.apiUsage,
    podCode: org.podCode,
    idCounter: org.idCounter,
    integrationUserId: org.integrationUserId,
    metadata,
    customPrefixes: [...org.customPrefixes],
    autoNumbers: [...org.autoNumbers],
    records,
    flowRuns: org.flowRuns.slice(-1000),
  };
}

function restoreOrg(org: OrgState, saved: PersistedState['orgs'][number]): void {
  org.apiEnabled = saved.apiEnabled;
  org.pathEnabled = saved.pathEnabled;
  org.dailyApiLimit = saved.dailyApiLimit;
  org.apiUsage = saved.apiUsage;
  org.podCode = saved.podCode;
  org.idCounter = saved.idCounter;
  org.integrationUserId = saved.integrationUserId;
  org.metadata = new Map(
    Object.entries(saved.metadata).map(([type, components]) => [
      type,
      new Map(components.map((component) => [String(component.fullName).toLowerCase(), component])),
    ]),
  );
  org.customPrefixes = new Map(saved.customPrefixes);
  org.autoNumbers = new Map(saved.autoNumbers);
  org.records = new Map(
    Object.entries(saved.records).map(([name, rows]) => [
      name,
      new Map(rows.map((row) => [String(row.Id), row])),
    ]),
  );
  org.flowRuns = saved.flowRuns;
  rebuildSchema(org);
  syncPermissionSetRecords(org);
}

/**
 * Starts a stateful local Salesforce org server (Metadata SOAP API, REST, collections, SOQL, Bulk API 2.0,
 * OAuth, a Flow interpreter, fault injection and a request log). Tests use it through jsforce.
 */
export async function createSalesforceEmulator(
  options: SalesforceEmulatorOptions = {},
): Promise<SalesforceEmulator> {
  const now = options.now ?? (() => new Date());
  const orgOptions: SalesforceOrgOptions[] =
    options.orgs && options.orgs.length > 0
      ? options.orgs
      : [{ orgId: DEFAULT_ORG_ID, edition: 'enterprise' }];
  const orgs = new Map<string, OrgState>();
  const tokens = new Map<string, TokenInfo>();
  const refreshTokens = new Map<string, TokenInfo>();
  const authorizationCodes = new Map<string, TokenInfo>();
  const faults = createFaultState();
  const requests = createRequestLog();
  let saved: PersistedState | undefined;
  if (options.dataFile && existsSync(options.dataFile)) {
    saved = JSON.parse(readFileSync(options.dataFile, 'utf8')) as PersistedState;
    for (const [token, info] of saved.tokens) tokens.set(token, info);
    for (const [token, info] of saved.refreshTokens) refreshTokens.set(token, info);
  }
  const issueToken = (orgId: string, userId: string): string => {
    // Not JWT-shaped: jsforce refuses JWT access tokens for SOAP below v68 (research §1.1).
    const token = `${orgId}!AQ${randomBytes(24).toString('base64url')}`;
    tokens.set(token, { orgId, userId });
    return token;
  };
  const defaultTokens = new Map<string, string>();
  orgOptions.forEach((orgOption, index) => {
    const org = createOrgState({
      orgId: orgOption.orgId,
      edition: orgOption.edition,
      ...(orgOption.apiEnabled !== undefined ? { apiEnabled: orgOption.apiEnabled } : {}),
      ...(orgOption.pathEnabled !== undefined ? { pathEnabled: orgOption.pathEnabled } : {}),
      ...(orgOption.dailyApiLimit !== undefined ? { dailyApiLimit: orgOption.dailyApiLimit } : {}),
      orgNumber: index + 1,
      now,
    });
    const savedOrg = saved?.orgs.find((candidate) => candidate.orgId === orgOption.orgId);
    if (savedOrg) restoreOrg(org, savedOrg);
    else if ((orgOption.seed ?? options.seed ?? 'empty') === 'demo') seedDemo(org);
    orgs.set(org.orgId, org);
    for (const token of orgOption.tokens ?? [])
      tokens.set(token, { orgId: org.orgId, userId: org.integrationUserId });
    const existing = [...tokens].find(
      ([, info]) => info.orgId === org.orgId && info.userId === org.integrationUserId,
    )?.[0];
    defaultTokens.set(org.orgId, existing ?? issueToken(org.orgId, org.integrationUserId));
  });
  const defaultOrgId = orgOptions[0]?.orgId ?? DEFAULT_ORG_ID;
  const facades = new Map([...orgs].map(([orgId, org]) => [orgId, createOrgFacade(org)]));

  let saveTimer: NodeJS.Timeout | undefined;
  const save = async (): Promise<void> => {
    if (!options.dataFile) return;
    const state: PersistedState = {
      version: 1,
      orgs: [...orgs.values()].map(serializeOrg),
      tokens: [...tokens],
      refreshTokens: [...refreshTokens],
    };
    const temporary = `${options.dataFile}.tmp`;
    await writeFile(temporary, JSON.stringify(state));
    await rename(temporary, options.dataFile);
  };
  const scheduleSave = () => {
    if (!options.dataFile || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      void save();
    }, 1000);
    saveTimer.unref();
  };

  const authenticate = (token: string | undefined): { org: OrgState; info: TokenInfo } | undefined => {
    const info = token ? tokens.get(token) : undefined;
    const org = info ? orgs.get(info.orgId) : undefined;
    return org && info ? { org, info } : undefined;
  };
  const recordFaultFor =
    (org: OrgState): WriteContext['recordFault'] =>
    (operation, sobject, record) =>
      faults.takeRecordFailure(org.orgId, operation, sobject, record);

  /** Edition and daily limit checks shared by REST and SOAP; returns an error or counts the call. */
  const admit = (org: OrgState): SalesforceApiError | undefined => {
    if (!org.apiEnabled)
      return new SalesforceApiError(
        403,
        'API_DISABLED_FOR_ORG',
        'API is not enabled for this Organization or Partner',
      );
    if (org.apiUsage >= org.dailyApiLimit)
      return new SalesforceApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    org.apiUsage += 1;
    return undefined;
  };

  const injectedError = (fault: SalesforceFault): SalesforceApiError => {
    if (fault.type === 'request-limit')
      return new SalesforceApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    if (fault.type === 'http-error') {
      return new SalesforceApiError(
        fault.status,
        fault.errorCode ?? (fault.status >= 500 ? 'SERVER_UNAVAILABLE' : 'BAD_REQUEST'),
        fault.message ?? `Injected HTTP ${fault.status}`,
      );
    }
    return new SalesforceApiError(500, 'UNKNOWN_EXCEPTION', 'Injected fault');
  };

  const handleOAuth = (
    method: string,
    path: string,
    url: URL,
    body: string,
    response: ServerResponse,
    baseUrl: string,
    authorization: string,
  ): number => {
    const parameters = new URLSearchParams(body);
    for (const [key, value] of url.searchParams) if (!parameters.has(key)) parameters.set(key, value);
    const orgFor = (clientId: string | null) =>
      (clientId && orgs.get(clientId)) || (orgs.get(defaultOrgId) as OrgState);
    const tokenBody = (info: TokenInfo, withRefresh: boolean) => {
      const org = orgs.get(info.orgId) as OrgState;
      const accessToken = issueToken(info.orgId, info.userId);
      const result: Record<string, unknown> = {
        access_token: accessToken,
        instance_url: baseUrl,
        id: `${baseUrl}/id/${org.salesforceId}/${info.userId}`,
        token_type: 'Bearer',
        issued_at: String(now().getTime()),
        signature: randomBytes(32).toString('base64'),
        scope: 'api refresh_token',
      };
      if (withRefresh) {
        const refreshToken = `5Aep${randomBytes(40).toString('base64url')}`;
        refreshTokens.set(refreshToken, info);
        result.refresh_token = refreshToken;
      }
      scheduleSave();
      return result;
    };
    if (path === '/services/oauth2/authorize' && method === 'GET') {
      const redirect = parameters.get('redirect_uri');
      if (!redirect) {
        jsonResponse(response, 400, { error: 'invalid_request', error_description: 'missing redirect_uri' });
        return 400;
      }
      const org = orgFor(parameters.get('client_id'));
      const code = `aPr${randomBytes(24).toString('base64url')}`;
      authorizationCodes.set(code, { orgId: org.orgId, userId: org.integrationUserId });
      const target = new URL(redirect);
      target.searchParams.set('code', code);
      const state = parameters.get('state');
      if (state !== null) target.searchParams.set('state', state);
      response.writeHead(302, { Location: target.toString() });
      response.end();
      return 302;
    }
    if (path === '/services/oauth2/revoke') {
      const token = parameters.get('token') ?? '';
      tokens.delete(token);
      refreshTokens.delete(token);
      response.writeHead(200);
      response.end();
      return 200;
    }
    if (path === '/services/oauth2/userinfo') {
      // Salesforce takes the token as a Bearer header (and, for older clients, as a query parameter).
      const header = authorization;
      const bearer = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
      const found = authenticate(bearer || String(url.searchParams.get('access_token') ?? ''));
      if (!found) {
        jsonResponse(response, 401, [
          { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
        ]);
        return 401;
      }
      const user = found.org.records.get('user')?.get(found.info.userId);
      jsonResponse(response, 200, {
        user_id: found.info.userId,
        organization_id: found.org.salesforceId,
        preferred_username: user?.Username,
        name: user?.Name,
        email: user?.Email,
      });
      return 200;
    }
    if (path !== '/services/oauth2/token' || method !== 'POST') {
      jsonResponse(response, 404, [
        { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
      ]);
      return 404;
    }
    const grantType = parameters.get('grant_type');
    if (grantType === 'client_credentials') {
      if (!parameters.get('client_id') || !parameters.get('client_secret')) {
        jsonResponse(response, 400, {
          error: 'invalid_client',
          error_description: 'invalid client credentials',
        });
        return 400;
      }
      const org = orgFor(parameters.get('client_id'));
      jsonResponse(response, 200, tokenBody({ orgId: org.orgId, userId: org.integrationUserId }, false));
      return 200;
    }
    if (grantType === 'refresh_token' || grantType === 'authorization_code') {
      const store = grantType === 'refresh_token' ? refreshTokens : authorizationCodes;
      const key = parameters.get(grantType === 'refresh_token' ? 'refresh_token' : 'code') ?? '';
      const info = store.get(key);
      if (!info) {
        jsonResponse(response, 400, {
          error: 'invalid_grant',
          error_description:
            grantType === 'refresh_token' ? 'expired access/refresh token' : 'invalid authorization code',
        });
        return 400;
      }
      if (grantType === 'authorization_code') authorizationCodes.delete(key);
      jsonResponse(response, 200, tokenBody(info, grantType === 'authorization_code'));
      return 200;
    }
    if (grantType === 'password') {
      const username = (parameters.get('username') ?? '').toLowerCase();
      for (const org of orgs.values()) {
        const user = [...(org.records.get('user')?.values() ?? [])].find(
          (candidate) => String(candidate.Username).toLowerCase() === username,
        );
        if (user) {
          jsonResponse(response, 200, tokenBody({ orgId: org.orgId, userId: String(user.Id) }, false));
          return 200;
        }
      }
      jsonResponse(response, 400, { error: 'invalid_grant', error_description: 'authentication failure' });
      return 400;
    }
    jsonResponse(response, 400, {
      error: 'unsupported_grant_type',
      error_description: 'grant type not supported',
    });
    return 400;
  };

  const handleControl = (
    method: string,
    segments: string[],
    body: string,
    response: ServerResponse,
  ): undefined => {
    const parsed = (): Record<string, unknown> =>
      body.trim() ? (JSON.parse(body) as Record<string, unknown>) : {};
    const [area, id, sub, name] = segments;
    if (area === 'health') return jsonResponse(response, 200, { ok: true, orgs: [...orgs.keys()] });
    if (area === 'requests') {
      if (method === 'DELETE') {
        requests.clear();
        return jsonResponse(response, 204, undefined);
      }
      return jsonResponse(response, 200, { counts: requests.counts(), entries: requests.entries() });
    }
    if (area === 'faults') {
      if (method === 'POST')
        return jsonResponse(response, 201, { id: faults.add(parsed() as unknown as SalesforceFault) });
      if (method === 'DELETE' && id) return jsonResponse(response, faults.remove(id) ? 204 : 404, undefined);
      if (method === 'DELETE') {
        faults.clear();
        return jsonResponse(response, 204, undefined);
      }
      return jsonResponse(response, 200, { faults: faults.list(), crashed: faults.crashed });
    }
    if (area === 'tokens' && method === 'POST') {
      const input = parsed();
      const orgId = String(input.orgId ?? defaultOrgId);
      if (!orgs.has(orgId)) return jsonResponse(response, 404, { error: `Unknown org ${orgId}` });
      return jsonResponse(response, 201, {
        token: emulator.createToken(orgId, input.userId ? { userId: String(input.userId) } : {}),
      });
    }
    if (area === 'orgs' && id) {
      const facade = facades.get(id);
      if (!facade) return jsonResponse(response, 404, { error: `Unknown org ${id}` });
      if (sub === 'records' && name) return jsonResponse(response, 200, facade.records(name));
      if (sub === 'flow-runs') return jsonResponse(response, 200, facade.flowRuns());
      if (sub === 'history' && name) return jsonResponse(response, 200, facade.fieldHistory(name));
      if (sub === 'metadata' && name) return jsonResponse(response, 200, facade.metadata(name));
      if (sub === 'users') return jsonResponse(response, 200, facade.users());
      if (sub === 'api-usage' && method === 'POST') {
        facade.setApiUsage(Number(parsed().used ?? 0));
        return jsonResponse(response, 200, facade.apiUsage());
      }
      if (sub === 'api-usage') return jsonResponse(response, 200, facade.apiUsage());
    }
    return jsonResponse(response, 404, { error: 'Unknown control endpoint' });
  };

  const sendRest = (response: ServerResponse, org: OrgState | undefined, result: RestResponse): void => {
    const headers: Record<string, string> = { ...(result.headers ?? {}) };
    if (org) headers['Sforce-Limit-Info'] = `api-usage=${org.apiUsage}/${org.dailyApiLimit}`;
    if (result.text !== undefined) {
      response.writeHead(result.status, { 'Content-Type': result.contentType ?? 'text/plain', ...headers });
      response.end(result.text);
      return;
    }
    jsonResponse(response, result.status, result.body, headers);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://emulator.invalid');
    const path = url.pathname;
    const baseUrl = `http://${request.headers.host ?? 'localhost'}`;
    let endpoint = `${method} ${path}`;
    let status = 200;
    let orgId: string | undefined;
    if (path.startsWith('/__emulator/')) {
      const body = await readBody(request);
      try {
        handleControl(
          method,
          path
            .split('/')
            .slice(2)
            .filter((segment) => segment !== ''),
          body,
          response,
        );
      } catch (error) {
        jsonResponse(response, 400, { error: error instanceof Error ? error.message : String(error) });
      }
      return;
    }
    const log = () =>
      requests.record({
        at: formatDateTime(now()),
        method,
        path,
        endpoint,
        status,
        ...(orgId ? { orgId } : {}),
        durationMs: performance.now() - started,
      });
    const body = await readBody(request);
    const soapOperation = /<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(body)?.[1] ?? '';
    const isWrite = path.startsWith('/services/Soap/')
      ? SOAP_WRITES.has(soapOperation)
      : path.startsWith('/services/data/') && method !== 'GET' && method !== 'HEAD';
    if (faults.crashed || (isWrite && faults.countWrite())) {
      status = 0;
      endpoint = `CRASHED ${endpoint}`;
      log();
      request.socket.destroy();
      return;
    }
    const latency = faults.takeLatency(method, path, undefined);
    if (latency > 0) await sleep(latency);
    try {
      if (path.startsWith('/services/oauth2/')) {
        endpoint = `${method} ${path}`;
        status = handleOAuth(
          method,
          path,
          url,
          body,
          response,
          baseUrl,
          String(request.headers.authorization ?? ''),
        );
        log();
        return;
      }
      const soap = /^\/services\/Soap\/m\/(\d+\.\d+)$/.exec(path);
      if (soap && method === 'POST') {
        let operation = '';
        const fail = (error: SalesforceApiError) => {
          status = 500;
          response.writeHead(500, { 'Content-Type': 'text/xml;charset=UTF-8' });
          response.end(soapFault(error.errorCode, error.message));
        };
        try {
          const parsed = parseSoapEnvelope(body);
          operation = parsed.operation;
          endpoint = `SOAP ${operation}`;
          if (!supportedVersion(soap[1] ?? ''))
            throw new SalesforceApiError(
              500,
              'UNSUPPORTED_API_VERSION',
              `Invalid Api version specified on URL: ${soap[1]}`,
            );
          const found = authenticate(parsed.sessionId);
          const injected = faults.takeRequestFault(method, path, found?.org.orgId);
          if (injected) throw injectedError(injected);
          if (!found)
            throw new SalesforceApiError(
              500,
              'INVALID_SESSION_ID',
              'Invalid Session ID found in SessionHeader: Illegal Session',
            );
          orgId = found.org.orgId;
          const refused = admit(found.org);
          if (refused) throw refused;
          const xml = handleMetadataCall(found.org, found.info.userId, parsed);
          response.writeHead(200, { 'Content-Type': 'text/xml;charset=UTF-8' });
          response.end(xml);
          if (
            operation !== 'readMetadata' &&
            operation !== 'listMetadata' &&
            operation !== 'describeMetadata'
          )
            scheduleSave();
        } catch (error) {
          if (!(error instanceof SalesforceApiError)) throw error;
          fail(error);
        }
        log();
        return;
      }
      if (path === '/services/data' || path === '/services/data/') {
        endpoint = 'GET /services/data';
        const versions = [];
        for (let version = MIN_API_VERSION; version <= MAX_API_VERSION; version++) {
          versions.push({
            label: `API ${version}.0`,
            url: `/services/data/v${version}.0`,
            version: `${version}.0`,
          });
        }
        jsonResponse(response, 200, versions);
        log();
        return;
      }
      const rest = /^\/services\/data\/v(\d+\.\d+)(?:\/(.*))?$/.exec(path);
      if (!rest || !supportedVersion(rest[1] ?? '')) {
        status = 404;
        jsonResponse(response, 404, [
          { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
        ]);
        log();
        return;
      }
      const segments = (rest[2] ?? '')
        .split('/')
        .filter((segment) => segment !== '')
        .map(decodeURIComponent);
      endpoint = restEndpoint(method, segments);
      const authorization = request.headers.authorization ?? '';
      const token = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(authorization)?.[1]?.trim();
      const found = authenticate(token);
      let org: OrgState | undefined;
      try {
        const injected = faults.takeRequestFault(method, path, found?.org.orgId);
        if (injected) throw injectedError(injected);
        if (!found) throw new SalesforceApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
        org = found.org;
        orgId = org.orgId;
        const refused = admit(org);
        if (refused) throw refused;
        const result = handleRestRequest(
          { org, userId: found.info.userId, recordFault: recordFaultFor(org) },
          {
            method,
            segments,
            query: url.searchParams,
            headers: request.headers,
            rawBody: body,
            apiVersion: rest[1] ?? '63.0',
          },
        );
        status = result.status;
        sendRest(response, org, result);
        if (method !== 'GET') scheduleSave();
      } catch (error) {
        if (!(error instanceof SalesforceApiError)) throw error;
        status = error.status;
        const all = (
          error as SalesforceApiError & {
            all?: Array<{ statusCode: string; message: string; fields: string[] }>;
          }
        ).all;
        const errorBody =
          all && all.length > 1
            ? all.map((entry) => ({
                message: entry.message,
                errorCode: entry.statusCode,
                fields: entry.fields,
              }))
            : restErrorBody(error);
        sendRest(response, org, { status: error.status, body: errorBody });
      }
      log();
    } catch (error) {
      status = 500;
      if (!response.headersSent) {
        jsonResponse(response, 500, [
          { errorCode: 'UNKNOWN_EXCEPTION', message: error instanceof Error ? error.message : String(error) },
        ]);
      } else response.end();
      log();
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        jsonResponse(response, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: String(error) }]);
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  const emulator: SalesforceEmulator = {
    url,
    get defaultToken() {
      return defaultTokens.get(defaultOrgId) as string;
    },
    defaultOrgId,
    org(orgId = defaultOrgId) {
      const facade = facades.get(orgId);
      if (!facade) throw new Error(`Unknown org ${orgId}`);
      return facade;
    },
    requests,
    faults,
    createToken(orgId, tokenOptions = {}) {
      const org = orgs.get(orgId);
      if (!org) throw new Error(`Unknown org ${orgId}`);
      const userId = tokenOptions.userId ?? org.integrationUserId;
      if (!org.records.get('user')?.has(userId)) throw new Error(`Unknown user ${userId} in org ${orgId}`);
      return issueToken(orgId, userId);
    },
    save,
    async close() {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = undefined;
      await save();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  if (options.dataFile) await save();
  return emulator;
}
