import { formatCsv, parseCsv } from './salesforce-emulator-csv.js';
import { SalesforceApiError } from './salesforce-emulator-errors.js';
import {
  findObject,
  formatDateTime,
  nextId,
  type OrgState,
  recordsWithValue,
} from './salesforce-emulator-org-state.js';
import {
  createRecord,
  createWriteContext,
  deleteRecord,
  updateRecord,
  type WriteResult,
} from './salesforce-emulator-records.js';
import type { RestEnvironment, RestRequest, RestResponse } from './salesforce-emulator-rest.js';
import { runSoql } from './salesforce-emulator-soql.js';

/**
 * Bulk API 2.0 ingest and query jobs (research §1.4). Jobs are processed when they are closed
 * (UploadComplete) and report JobComplete on the next poll. The last results page of a query job sends
 * `Sforce-Locator: null`, which jsforce needs to stop paging.
 */

interface IngestJob {
  kind: 'ingest';
  id: string;
  object: string;
  operation: string;
  externalIdFieldName?: string;
  state: string;
  createdById: string;
  createdDate: string;
  systemModstamp: string;
  lineEnding: string;
  columnDelimiter: string;
  apiVersion: number;
  data: string;
  successful: { header: string[]; rows: unknown[][] };
  failed: { header: string[]; rows: unknown[][] };
  unprocessed: string;
  numberRecordsProcessed: number;
  numberRecordsFailed: number;
  errorMessage?: string;
}

interface QueryJob {
  kind: 'query';
  id: string;
  object: string;
  operation: string;
  query: string;
  state: string;
  createdById: string;
  createdDate: string;
  systemModstamp: string;
  lineEnding: string;
  columnDelimiter: string;
  apiVersion: number;
  columns: string[];
  rows: unknown[][];
  numberRecordsProcessed: number;
  completeOnNextCheck: boolean;
}

const jobStore = new WeakMap<OrgState, Map<string, IngestJob | QueryJob>>();

function jobs(org: OrgState): Map<string, IngestJob | QueryJob> {
  let store = jobStore.get(org);
  if (!store) {
    store = new Map();
    jobStore.set(org, store);
  }
  return store;
}

const DELIMITERS: Record<string, string> = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
};

function bulkError(status: number, errorCode: string, message: string): SalesforceApiError {
  return new SalesforceApiError(status, errorCode, message);
}

function ingestInfo(job: IngestJob, detailed: boolean): Record<string, unknown> {
  const info: Record<string, unknown> = {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: job.createdDate,
    systemModstamp: job.systemModstamp,
    state: job.state,
    ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: job.apiVersion,
    contentUrl: `services/data/v${job.apiVersion.toFixed(1)}/jobs/ingest/${job.id}/batches`,
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
  if (detailed) {
    Object.assign(info, {
      jobType: 'V2Ingest',
      numberRecordsProcessed: job.numberRecordsProcessed,
      numberRecordsFailed: job.numberRecordsFailed,
      retries: 0,
      totalProcessingTime: 0,
      apiActiveProcessingTime: 0,
      apexProcessingTime: 0,
      ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
    });
  }
  return info;
}

function queryInfo(job: QueryJob): Record<string, unknown> {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: job.createdDate,
    systemModstamp: job.systemModstamp,
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: job.apiVersion,
    jobType: 'V2Query',
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
    numberRecordsProcessed: job.numberRecordsProcessed,
    retries: 0,
    totalProcessingTime: 0,
  };
}

function processIngestJob(environment: RestEnvironment, job: IngestJob): void {
  const { org } = environment;
  const object = findObject(org, job.object);
  const rows = parseCsv(job.data, DELIMITERS[job.columnDelimiter] ?? ',');
  const header = rows.shift() ?? [];
  job.successful = { header: ['sf__Id', 'sf__Created', ...header], rows: [] };
  job.failed = { header: ['sf__Id', 'sf__Error', ...header], rows: [] };
  if (!object) {
    job.state = 'Failed';
    job.errorMessage = `InvalidJob : Entity '${job.object}' is not supported by the Bulk API.`;
    return;
  }
  for (const row of rows) {
    const context = createWriteContext(
      org,
      environment.userId,
      environment.recordFault ? { recordFault: environment.recordFault } : {},
    );
    const values: Record<string, unknown> = {};
    header.forEach((column, index) => {
      const cell = row[index] ?? '';
      // Empty cells are left alone; `#N/A` sets a field to null (Bulk API 2.0 CSV rules).
      if (cell === '') return;
      values[column] = cell === '#N/A' ? null : cell;
    });
    const idKey = Object.keys(values).find((key) => key.toLowerCase() === 'id');
    const id = idKey ? String(values[idKey]) : '';
    if (idKey) delete values[idKey];
    let result: WriteResult;
    switch (job.operation) {
      case 'insert':
        result = createRecord(context, object, values);
        break;
      case 'update':
        result = id
          ? updateRecord(context, object, id, values)
          : {
              success: false,
              errors: [
                { statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] },
              ],
            };
        break;
      case 'delete':
      case 'hardDelete':
        result = deleteRecord(context, id, object);
        break;
      default: {
        const field = job.externalIdFieldName ?? 'Id';
        const key = Object.keys(values).find((name) => name.toLowerCase() === field.toLowerCase());
        const value = key ? values[key] : field.toLowerCase() === 'id' ? id : undefined;
        if (value === undefined || value === null) {
          result = {
            success: false,
            errors: [{ statusCode: 'MISSING_ARGUMENT', message: `${field} not specified`, fields: [field] }],
          };
          break;
        }
        const described = object.fields.get(field.toLowerCase());
        const matches = described ? recordsWithValue(org, object.name, described.name, value) : [];
        // As every upsert API does: a value more than one record holds updates none of them.
        if (matches.length > 1) {
          result = {
            success: false,
            errors: [
              {
                statusCode: 'DUPLICATE_EXTERNAL_ID',
                message: `${described!.label}: more than one record found for external id field: ${matches.map((match) => String(match.Id)).join(', ')}`,
                fields: [described!.name],
              },
            ],
          };
          break;
        }
        const match = matches[0];
        result = match
          ? updateRecord(context, object, String(match.Id), values)
          : createRecord(context, object, values);
      }
    }
    job.numberRecordsProcessed++;
    if (result.success) job.successful.rows.push([result.id, result.created, ...row]);
    else {
      job.numberRecordsFailed++;
      const error = result.errors
        .map((entry) => `${entry.statusCode}:${entry.message}:${entry.fields.join(',')} --`)
        .join(' ');
      job.failed.rows.push([result.id ?? '', error, ...row]);
    }
  }
  job.state = 'JobComplete';
}

function parseBody(request: RestRequest): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(request.rawBody || '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    throw bulkError(400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON');
  }
}

function csvResponse(text: string, headers: Record<string, string> = {}): RestResponse {
  return { status: 200, text, contentType: 'text/csv', headers };
}

/** Handles `/jobs/ingest…` and `/jobs/query…`. */
export function handleBulkRequest(environment: RestEnvironment, request: RestRequest): RestResponse {
  const { org } = environment;
  const [, kind, jobId, action] = request.segments;
  const method = request.method;
  const apiVersion = Number(request.apiVersion);
  const now = formatDateTime(org.now());
  if (kind !== 'ingest' && kind !== 'query')
    throw bulkError(404, 'NOT_FOUND', 'The requested resource does not exist');
  if (!jobId) {
    if (method === 'GET') {
      const records = [...jobs(org).values()]
        .filter((job) => job.kind === kind)
        .map((job) => (job.kind === 'ingest' ? ingestInfo(job, false) : queryInfo(job)));
      return { status: 200, body: { done: true, records, nextRecordsUrl: null } };
    }
    if (method !== 'POST') throw bulkError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const body = parseBody(request);
    const lineEnding = String(body.lineEnding ?? 'LF');
    const columnDelimiter = String(body.columnDelimiter ?? 'COMMA');
    if (kind === 'ingest') {
      const objectName = String(body.object ?? '');
      const operation = String(body.operation ?? '');
      const object = findObject(org, objectName);
      if (!object)
        throw bulkError(400, 'INVALIDENTITY', `Entity '${objectName}' is not supported by the Bulk API.`);
      if (!['insert', 'update', 'upsert', 'delete', 'hardDelete'].includes(operation)) {
        throw bulkError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${operation}`);
      }
      if (operation === 'upsert' && !body.externalIdFieldName) {
        throw bulkError(
          400,
          'INVALIDJOB',
          'InvalidJob : External ID was blank for ' +
            object.name +
            '. An External ID must be specified for upsert.',
        );
      }
      const job: IngestJob = {
        kind: 'ingest',
        id: nextId(org, '750'),
        object: object.name,
        operation,
        ...(body.externalIdFieldName ? { externalIdFieldName: String(body.externalIdFieldName) } : {}),
        state: 'Open',
        createdById: environment.userId,
        createdDate: now,
        systemModstamp: now,
        lineEnding,
        columnDelimiter,
        apiVersion,
        data: '',
        successful: { header: [], rows: [] },
        failed: { header: [], rows: [] },
        unprocessed: '',
        numberRecordsProcessed: 0,
        numberRecordsFailed: 0,
      };
      jobs(org).set(job.id, job);
      return { status: 200, body: ingestInfo(job, false) };
    }
    const query = String(body.query ?? '');
    const operation = String(body.operation ?? 'query');
    const result = runSoql(org, environment.userId, query);
    const job: QueryJob = {
      kind: 'query',
      id: nextId(org, '750'),
      object: result.object.name,
      operation,
      query,
      state: 'UploadComplete',
      createdById: environment.userId,
      createdDate: now,
      systemModstamp: now,
      lineEnding,
      columnDelimiter,
      apiVersion,
      columns: result.columns,
      rows: result.rows.map((row) => result.projectFlat(row)),
      numberRecordsProcessed: result.rows.length,
      completeOnNextCheck: true,
    };
    jobs(org).set(job.id, job);
    return { status: 200, body: queryInfo(job) };
  }
  const job = jobs(org).get(jobId);
  if (!job || job.kind !== kind) throw bulkError(404, 'NOT_FOUND', 'The requested resource does not exist');
  if (job.kind === 'ingest') {
    if (action === 'batches' && method === 'PUT') {
      if (job.state !== 'Open')
        throw bulkError(409, 'INVALIDJOBSTATE', `Job ${job.id} is not open for uploads (state ${job.state})`);
      const data = request.rawBody;
      if (job.data !== '') {
        // Later uploads repeat the header row; keep one.
        const newline = data.indexOf('\n');
        job.data += newline >= 0 ? data.slice(newline + 1) : '';
      } else job.data = data;
      return { status: 201 };
    }
    if (action === 'successfulResults' && method === 'GET')
      return csvResponse(formatCsv(job.successful.header, job.successful.rows));
    if (action === 'failedResults' && method === 'GET')
      return csvResponse(formatCsv(job.failed.header, job.failed.rows));
    if (action === 'unprocessedrecords' && method === 'GET')
      return csvResponse(job.state === 'Aborted' ? job.data : `${job.data.split('\n')[0] ?? ''}\n`);
    if (action) throw bulkError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (method === 'GET') return { status: 200, body: ingestInfo(job, true) };
    if (method === 'DELETE') {
      jobs(org).delete(job.id);
      return { status: 204 };
    }
    if (method === 'PATCH') {
      const state = String(parseBody(request).state ?? '');
      if (state === 'UploadComplete') {
        if (job.state !== 'Open')
          throw bulkError(409, 'INVALIDJOBSTATE', `Job ${job.id} is not open (state ${job.state})`);
        job.state = 'UploadComplete';
        const info = ingestInfo(job, false);
        processIngestJob(environment, job);
        job.systemModstamp = formatDateTime(org.now());
        return { status: 200, body: info };
      }
      if (state === 'Aborted') {
        job.state = 'Aborted';
        return { status: 200, body: ingestInfo(job, false) };
      }
      throw bulkError(400, 'INVALIDJOBSTATE', `Invalid state: ${state}`);
    }
    throw bulkError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }
  if (action === 'results' && method === 'GET') {
    if (job.state !== 'JobComplete') throw bulkError(400, 'INVALIDJOBSTATE', `Job ${job.id} is not complete`);
    const offset = Number(Buffer.from(request.query.get('locator') ?? '', 'base64').toString() || 0);
    const maxRecords = Number(request.query.get('maxRecords') ?? 50000);
    const page = job.rows.slice(offset, offset + maxRecords);
    const nextOffset = offset + page.length;
    const locator =
      nextOffset < job.rows.length ? Buffer.from(String(nextOffset)).toString('base64') : 'null';
    const delimiter = DELIMITERS[job.columnDelimiter] ?? ',';
    let text = formatCsv(job.columns, page, job.lineEnding === 'CRLF' ? '\r\n' : '\n');
    if (delimiter !== ',') text = text.replace(/","/g, `"${delimiter}"`);
    return csvResponse(text, { 'Sforce-Locator': locator, 'Sforce-NumberOfRecords': String(page.length) });
  }
  if (action) throw bulkError(404, 'NOT_FOUND', 'The requested resource does not exist');
  if (method === 'GET') {
    if (job.completeOnNextCheck) {
      job.state = 'JobComplete';
      job.completeOnNextCheck = false;
    }
    return { status: 200, body: queryInfo(job) };
  }
  if (method === 'DELETE') {
    jobs(org).delete(job.id);
    return { status: 204 };
  }
  if (method === 'PATCH') {
    const state = String(parseBody(request).state ?? '');
    if (state !== 'Aborted') throw bulkError(400, 'INVALIDJOBSTATE', `Invalid state: ${state}`);
    job.state = 'Aborted';
    return { status: 200, body: queryInfo(job) };
  }
  throw bulkError(404, 'NOT_FOUND', 'The requested resource does not exist');
}
