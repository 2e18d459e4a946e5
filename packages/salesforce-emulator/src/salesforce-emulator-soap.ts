import { deployResults, startDeploy } from './salesforce-emulator-deploy.js';
import { SalesforceApiError } from './salesforce-emulator-errors.js';
import {
  cleanComponent,
  commitStage,
  componentForRead,
  createStage,
  listComponents,
  METADATA_TYPES,
  type MetadataProblem,
  putComponent,
  removeComponent,
  renameComponent,
  stagedComponent,
  validateComponent,
} from './salesforce-emulator-metadata.js';
import type { OrgState } from './salesforce-emulator-org-state.js';
import {
  escapeXml,
  parseXml,
  toXml,
  type XmlObject,
  xmlBoolean,
  xmlList,
  xmlObject,
  xmlText,
} from './salesforce-emulator-xml.js';

/**
 * The Metadata SOAP endpoint (`POST /services/Soap/m/{version}`): envelope parsing, the CRUD calls,
 * list/describe, deploy and status calls, and SOAP faults (research §1.2, §1.6, §4).
 */

/** A parsed SOAP request. */
export interface SoapRequest {
  operation: string;
  payload: XmlObject;
  sessionId: string;
  allOrNone: boolean;
}

/** Parses a SOAP envelope; throws a client fault for malformed XML. */
export function parseSoapEnvelope(text: string): SoapRequest {
  let parsed: XmlObject;
  try {
    parsed = parseXml(text);
  } catch (error) {
    throw new SalesforceApiError(
      500,
      'INVALID_XML',
      `Unable to parse the SOAP request: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const envelope = xmlObject(parsed.Envelope);
  const header = xmlObject(envelope.Header);
  const body = xmlObject(envelope.Body);
  const operation = Object.keys(body).find((key) => !key.startsWith('@_')) ?? '';
  return {
    operation,
    payload: xmlObject(body[operation]),
    sessionId: xmlText(xmlObject(header.SessionHeader).sessionId),
    allOrNone: xmlBoolean(xmlObject(header.AllOrNoneHeader).allOrNone),
  };
}

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sf="http://soap.sforce.com/2006/04/metadata"><soapenv:Body>';
const ENVELOPE_CLOSE = '</soapenv:Body></soapenv:Envelope>';

/** A SOAP fault body (sent with HTTP 500, as Salesforce does). */
export function soapFault(errorCode: string, message: string): string {
  return `${ENVELOPE_OPEN}<soapenv:Fault><faultcode>sf:${errorCode}</faultcode><faultstring>${escapeXml(`${errorCode}: ${message}`)}</faultstring></soapenv:Fault>${ENVELOPE_CLOSE}`;
}

function soapResponse(operation: string, resultXml: string): string {
  return `${ENVELOPE_OPEN}<${operation}Response xmlns="http://soap.sforce.com/2006/04/metadata">${resultXml}</${operation}Response>${ENVELOPE_CLOSE}`;
}

/** CRUD calls take at most 10 components (research §0.3). */
const CRUD_LIMIT = 10;

function saveResult(
  fullName: string,
  problems: MetadataProblem[],
  created?: boolean,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (created !== undefined) result.created = created;
  if (problems.length > 0) {
    result.errors = problems.map((problem) => ({
      ...(problem.fields ? { fields: problem.fields } : {}),
      message: problem.message,
      statusCode: problem.statusCode,
    }));
  }
  result.fullName = fullName;
  result.success = problems.length === 0;
  return result;
}

function checkType(type: string): void {
  if (!METADATA_TYPES[type]) {
    throw new SalesforceApiError(
      500,
      'INVALID_TYPE',
      'This type of metadata is not available for this organization',
    );
  }
}

function checkLimit(count: number): void {
  if (count > CRUD_LIMIT) {
    throw new SalesforceApiError(
      500,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${CRUD_LIMIT} records in this operation`,
    );
  }
}

function writeComponents(org: OrgState, request: SoapRequest, mode: 'create' | 'update' | 'upsert'): string {
  const items = xmlList(request.payload.metadata).map((raw) => ({
    type: xmlText(xmlObject(raw)['@_type']),
    component: cleanComponent(raw),
  }));
  checkLimit(items.length);
  for (const item of items) checkType(item.type);
  const stage = createStage(org);
  const results: Array<Record<string, unknown>> = [];
  let anyFailure = false;
  for (const { type, component } of items) {
    const fullName = xmlText(component.fullName);
    const exists =
      stagedComponent(
        stage,
        type,
        type === 'CustomField' && fullName.toLowerCase().startsWith('task.')
          ? `Activity.${fullName.slice(5)}`
          : fullName,
      ) !== undefined;
    let problems: MetadataProblem[];
    if (mode === 'create' && exists) {
      problems = [
        {
          statusCode: 'DUPLICATE_DEVELOPER_NAME',
          message: `There is already a ${type} named ${fullName}.`,
          fields: ['fullName'],
        },
      ];
    } else if (mode === 'update' && !exists) {
      problems = [
        {
          statusCode: 'INVALID_CROSS_REFERENCE_KEY',
          message: `In field: fullName - no ${type} named ${fullName} found`,
          fields: ['fullName'],
        },
      ];
    } else {
      problems = validateComponent(stage, type, component);
    }
    if (problems.length === 0) putComponent(stage, type, component);
    else anyFailure = true;
    results.push(saveResult(fullName, problems, mode === 'upsert' ? !exists : undefined));
  }
  if (request.allOrNone && anyFailure) {
    return results
      .map((result) =>
        toXml(
          'result',
          result.success
            ? saveResult(
                String(result.fullName),
                [
                  {
                    statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                    message:
                      'Record rolled back because not all records were valid and the request was using AllOrNone header',
                  },
                ],
                mode === 'upsert' ? Boolean(result.created) : undefined,
              )
            : result,
        ),
      )
      .join('');
  }
  if (results.some((result) => result.success)) commitStage(stage);
  return results.map((result) => toXml('result', result)).join('');
}

function describeMetadataResult(): string {
  const metadataObjects = Object.entries(METADATA_TYPES)
    .filter(([type]) => type !== 'CustomField' && type !== 'PathAssistantSettings')
    .map(([xmlName, info]) => ({
      ...(info.childXmlNames ? { childXmlNames: info.childXmlNames } : {}),
      directoryName: info.directoryName,
      inFolder: false,
      metaFile: xmlName === 'LightningComponentBundle',
      ...(info.suffix ? { suffix: info.suffix } : {}),
      xmlName,
    }));
  metadataObjects.push({
    directoryName: 'settings',
    inFolder: false,
    metaFile: false,
    suffix: 'settings',
    xmlName: 'Settings',
  });
  return toXml('result', {
    metadataObjects,
    organizationNamespace: '',
    partialSaveAllowed: true,
    testRequired: false,
  });
}

/** Handles one Metadata SOAP call for an authenticated user; returns the response envelope. */
export function handleMetadataCall(org: OrgState, userId: string, request: SoapRequest): string {
  const { operation, payload } = request;
  switch (operation) {
    case 'createMetadata':
      return soapResponse(operation, writeComponents(org, request, 'create'));
    case 'updateMetadata':
      return soapResponse(operation, writeComponents(org, request, 'update'));
    case 'upsertMetadata':
      return soapResponse(operation, writeComponents(org, request, 'upsert'));
    case 'readMetadata': {
      const type = xmlText(payload.type);
      checkType(type);
      const fullNames = xmlList(payload.fullNames).map(xmlText);
      checkLimit(fullNames.length);
      const records = fullNames
        .map((fullName) => {
          const component = componentForRead(org, type, fullName);
          // Unknown names read as an empty record, not an error (research §0.12).
          return component ? toXml('records', component, { 'xsi:type': type }) : '<records/>';
        })
        .join('');
      return soapResponse(operation, `<result>${records}</result>`);
    }
    case 'deleteMetadata': {
      const type = xmlText(payload.type);
      checkType(type);
      const fullNames = xmlList(payload.fullNames).map(xmlText);
      checkLimit(fullNames.length);
      const stage = createStage(org);
      const results = fullNames.map((fullName) => {
        const removed = removeComponent(stage, type, fullName);
        return saveResult(
          fullName,
          removed
            ? []
            : [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `No ${type} named: ${fullName} found` }],
        );
      });
      if (results.some((result) => result.success)) commitStage(stage);
      return soapResponse(operation, results.map((result) => toXml('result', result)).join(''));
    }
    case 'renameMetadata': {
      const type = xmlText(payload.type);
      checkType(type);
      const from = xmlText(payload.oldFullName);
      const to = xmlText(payload.newFullName);
      const stage = createStage(org);
      const problems = renameComponent(stage, type, from, to);
      if (problems.length === 0) commitStage(stage);
      return soapResponse(operation, toXml('result', saveResult(to, problems)));
    }
    case 'listMetadata': {
      const queries = xmlList(payload.queries).map(xmlObject);
      if (queries.length > 3) {
        throw new SalesforceApiError(
          500,
          'INVALID_QUERY_LOCATOR',
          'listMetadata accepts at most 3 queries per call',
        );
      }
      const rows = queries.flatMap((query) => listComponents(org, xmlText(query.type)));
      return soapResponse(operation, rows.map((row) => toXml('result', row)).join(''));
    }
    case 'describeMetadata':
      return soapResponse(operation, describeMetadataResult());
    case 'deploy': {
      const id = startDeploy(org, userId, xmlText(payload.ZipFile), xmlObject(payload.DeployOptions));
      return soapResponse(operation, toXml('result', { done: false, id, state: 'Queued' }));
    }
    case 'checkDeployStatus': {
      const id = xmlText(payload.asyncProcessId);
      const result = deployResults(org).get(id);
      if (!result)
        throw new SalesforceApiError(500, 'INVALID_ID_FIELD', `Invalid or unknown deploy id: ${id}`);
      const includeDetails = xmlBoolean(payload.includeDetails);
      const { details, ...summary } = result;
      const output: Record<string, unknown> = { ...summary };
      if (includeDetails) {
        output.details = {
          ...(details.componentFailures.length > 0 ? { componentFailures: details.componentFailures } : {}),
          componentSuccesses: details.componentSuccesses,
          runTestResult: { numFailures: 0, numTestsRun: 0, totalTime: 0 },
        };
      }
      const ordered: Record<string, unknown> = {};
      for (const key of Object.keys(output).sort()) ordered[key] = output[key];
      return soapResponse(operation, toXml('result', ordered));
    }
    case 'checkStatus': {
      const id = xmlText(payload.asyncProcessId);
      if (!deployResults(org).has(id))
        throw new SalesforceApiError(500, 'INVALID_ID_FIELD', `Invalid or unknown async process id: ${id}`);
      return soapResponse(operation, toXml('result', { done: true, id, state: 'Completed' }));
    }
    case 'cancelDeploy': {
      const id = xmlText(payload.String ?? payload.id);
      return soapResponse(operation, toXml('result', { done: true, id }));
    }
    default:
      throw new SalesforceApiError(
        500,
        'INVALID_OPERATION',
        `The emulated Metadata API does not support the operation ${operation || '(none)'}`,
      );
  }
}
