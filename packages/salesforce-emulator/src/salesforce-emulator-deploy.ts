import { unzipSync } from 'fflate';
import {
  cleanComponent,
  commitStage,
  createStage,
  type MetadataStage,
  putComponent,
  stagedComponent,
  validateComponent,
} from './salesforce-emulator-metadata.js';
import { formatDateTime, nextId, type OrgState } from './salesforce-emulator-org-state.js';
import {
  parseXml,
  type XmlObject,
  xmlBoolean,
  xmlList,
  xmlObject,
  xmlText,
} from './salesforce-emulator-xml.js';

/**
 * `deploy` of a Metadata API format zip (package.xml plus type folders), as research §1.2/§2.1 describe.
 * The deploy runs at once; checkDeployStatus reports it done on the first poll.
 */

/** One DeployMessage (component success or failure). */
export interface DeployMessage {
  changed: boolean;
  componentType: string;
  created: boolean;
  createdDate: string;
  deleted: boolean;
  fileName: string;
  fullName: string;
  success: boolean;
  problem?: string;
  problemType?: 'Error' | 'Warning';
}

/** A DeployResult as checkDeployStatus returns it. */
export interface SalesforceDeployResult {
  id: string;
  checkOnly: boolean;
  completedDate: string;
  createdBy: string;
  createdByName: string;
  createdDate: string;
  details: { componentSuccesses: DeployMessage[]; componentFailures: DeployMessage[] };
  done: boolean;
  ignoreWarnings: boolean;
  lastModifiedDate: string;
  numberComponentErrors: number;
  numberComponentsDeployed: number;
  numberComponentsTotal: number;
  numberTestErrors: number;
  numberTestsCompleted: number;
  numberTestsTotal: number;
  rollbackOnError: boolean;
  runTestsEnabled: boolean;
  startDate: string;
  status: 'Succeeded' | 'SucceededPartial' | 'Failed';
  success: boolean;
  errorMessage?: string;
  errorStatusCode?: string;
}

const deployStore = new WeakMap<OrgState, Map<string, SalesforceDeployResult>>();

/** All deploys of an org, by ID. */
export function deployResults(org: OrgState): Map<string, SalesforceDeployResult> {
  let results = deployStore.get(org);
  if (!results) {
    results = new Map();
    deployStore.set(org, results);
  }
  return results;
}

/** package.xml type names to the stored type, in dependency order. */
const DEPLOY_ORDER: Array<{ packageType: string; storeType: string }> = [
  { packageType: 'Settings', storeType: 'PathAssistantSettings' },
  { packageType: 'GlobalValueSet', storeType: 'GlobalValueSet' },
  { packageType: 'CustomObject', storeType: 'CustomObject' },
  { packageType: 'CustomField', storeType: 'CustomField' },
  { packageType: 'PermissionSet', storeType: 'PermissionSet' },
  { packageType: 'PathAssistant', storeType: 'PathAssistant' },
  { packageType: 'Flow', storeType: 'Flow' },
  { packageType: 'LightningComponentBundle', storeType: 'LightningComponentBundle' },
];

interface Candidate {
  packageType: string;
  storeType: string;
  fullName: string;
  fileName: string;
  component?: XmlObject;
  /** What validation sees (a CustomObject with its inline fields, e.g. for ControlledByParent). */
  validationComponent?: XmlObject;
  parseProblem?: string;
}

const FOLDERS: Record<string, { packageType: string; suffix: string }> = {
  globalValueSets: { packageType: 'GlobalValueSet', suffix: '.globalValueSet' },
  pathAssistants: { packageType: 'PathAssistant', suffix: '.pathAssistant' },
  flows: { packageType: 'Flow', suffix: '.flow' },
  permissionsets: { packageType: 'PermissionSet', suffix: '.permissionset' },
};

function rootElement(text: string): XmlObject {
  const parsed = parseXml(text);
  const key = Object.keys(parsed).find((name) => !name.startsWith('?'));
  if (!key) throw new Error('no root element');
  return cleanComponent(parsed[key]);
}

function collectCandidates(files: Map<string, string>): Candidate[] {
  const candidates: Candidate[] = [];
  const bundles = new Map<string, string[]>();
  for (const [path, text] of files) {
    const [folder = '', name = '', ...rest] = path.split('/');
    if (folder === 'lwc' && name) {
      const list = bundles.get(name) ?? [];
      list.push(rest.join('/'));
      bundles.set(name, list);
      continue;
    }
    if (rest.length > 0) continue;
    const parseFile = (): { component?: XmlObject; parseProblem?: string } => {
      try {
        return { component: rootElement(text) };
      } catch (error) {
        return {
          parseProblem: `Error parsing file: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    };
    if (folder === 'objects' && name.endsWith('.object')) {
      const objectName = name.slice(0, -'.object'.length);
      const parsed = parseFile();
      const object: XmlObject | undefined = parsed.component
        ? { ...parsed.component, fullName: objectName }
        : undefined;
      const fields = object ? xmlList(object.fields) : [];
      const validationComponent = object ? { ...object } : undefined;
      if (object) delete object.fields;
      candidates.push({
        packageType: 'CustomObject',
        storeType: 'CustomObject',
        fullName: objectName,
        fileName: path,
        ...(object && validationComponent ? { component: object, validationComponent } : {}),
        ...(parsed.parseProblem ? { parseProblem: parsed.parseProblem } : {}),
      });
      for (const raw of fields) {
        const field = { ...xmlObject(raw) };
        const fieldFullName = `${objectName}.${xmlText(field.fullName)}`;
        field.fullName = fieldFullName;
        candidates.push({
          packageType: 'CustomField',
          storeType: 'CustomField',
          fullName: fieldFullName,
          fileName: path,
          component: field,
        });
      }
      continue;
    }
    if (folder === 'settings' && name.endsWith('.settings')) {
      const settingsName = name.slice(0, -'.settings'.length);
      const parsed = parseFile();
      candidates.push({
        packageType: 'Settings',
        storeType: `${settingsName}Settings`,
        fullName: settingsName,
        fileName: path,
        ...(parsed.component ? { component: { ...parsed.component, fullName: settingsName } } : {}),
        ...(parsed.parseProblem ? { parseProblem: parsed.parseProblem } : {}),
      });
      continue;
    }
    const info = FOLDERS[folder];
    if (info && name.endsWith(info.suffix)) {
      const fullName = name.slice(0, -info.suffix.length);
      const parsed = parseFile();
      candidates.push({
        packageType: info.packageType,
        storeType: info.packageType,
        fullName,
        fileName: path,
        ...(parsed.component ? { component: { ...parsed.component, fullName } } : {}),
        ...(parsed.parseProblem ? { parseProblem: parsed.parseProblem } : {}),
      });
    }
  }
  for (const [name, bundleFiles] of bundles) {
    const metaPath = `lwc/${name}/${name}.js-meta.xml`;
    const metaText = files.get(metaPath);
    let component: XmlObject | undefined;
    let parseProblem: string | undefined;
    if (metaText === undefined)
      parseProblem = `No ${name}.js-meta.xml file found for the LightningComponentBundle ${name}`;
    else {
      try {
        component = { ...rootElement(metaText), fullName: name, __files: bundleFiles };
      } catch (error) {
        parseProblem = `Error parsing file: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    candidates.push({
      packageType: 'LightningComponentBundle',
      storeType: 'LightningComponentBundle',
      fullName: name,
      fileName: `lwc/${name}`,
      ...(component ? { component } : {}),
      ...(parseProblem ? { parseProblem } : {}),
    });
  }
  return candidates;
}

/** Runs a deploy and records its result; returns the AsyncResult id. */
export function startDeploy(org: OrgState, userId: string, zipBase64: string, options: XmlObject): string {
  const id = nextId(org, '0Af');
  const started = formatDateTime(org.now());
  const checkOnly = xmlBoolean(options.checkOnly);
  const rollbackOnError = xmlBoolean(options.rollbackOnError, true);
  const singlePackage = xmlBoolean(options.singlePackage);
  const successes: DeployMessage[] = [];
  const failures: DeployMessage[] = [];
  const message = (fields: Omit<DeployMessage, 'createdDate' | 'deleted'>): DeployMessage => ({
    ...fields,
    createdDate: started,
    deleted: false,
  });
  let stage: MetadataStage | undefined;
  let total = 0;
  try {
    const entries = unzipSync(new Uint8Array(Buffer.from(zipBase64, 'base64')));
    const decoder = new TextDecoder();
    let root = '';
    if (!entries['package.xml'] && !singlePackage) {
      const nested = Object.keys(entries).find((path) => /^[^/]+\/package\.xml$/.test(path));
      if (nested) root = nested.slice(0, -'package.xml'.length);
    }
    const files = new Map<string, string>();
    for (const [path, bytes] of Object.entries(entries)) {
      if (path.endsWith('/') || !path.startsWith(root)) continue;
      files.set(path.slice(root.length), decoder.decode(bytes));
    }
    const manifestText = files.get('package.xml');
    if (manifestText === undefined) {
      failures.push(
        message({
          changed: false,
          componentType: '',
          created: false,
          fileName: 'package.xml',
          fullName: 'package.xml',
          success: false,
          problem: 'No package.xml found',
          problemType: 'Error',
        }),
      );
    } else {
      const manifest = rootElement(manifestText);
      successes.push(
        message({
          changed: true,
          componentType: '',
          created: false,
          fileName: `${root}package.xml`,
          fullName: 'package.xml',
          success: true,
        }),
      );
      const candidates = collectCandidates(files);
      const selected: Candidate[] = [];
      for (const rawType of xmlList(manifest.types)) {
        const typeEntry = xmlObject(rawType);
        const typeName = xmlText(typeEntry.name);
        const order = DEPLOY_ORDER.find((entry) => entry.packageType === typeName);
        for (const member of xmlList(typeEntry.members).map(xmlText)) {
          if (!order) {
            failures.push(
              message({
                changed: false,
                componentType: typeName,
                created: false,
                fileName: `${root}package.xml`,
                fullName: member,
                success: false,
                problem: `The emulated org does not support deploying metadata of type ${typeName}`,
                problemType: 'Error',
              }),
            );
            continue;
          }
          const matches = candidates.filter(
            (candidate) =>
              candidate.packageType === typeName &&
              (member === '*' || candidate.fullName.toLowerCase() === member.toLowerCase()),
          );
          if (matches.length === 0 && member !== '*') {
            failures.push(
              message({
                changed: false,
                componentType: typeName,
                created: false,
                fileName: `${root}package.xml`,
                fullName: member,
                success: false,
                problem: `An object '${member}' of type ${typeName} was named in package.xml, but was not found in zipped directory`,
                problemType: 'Error',
              }),
            );
          }
          for (const match of matches) if (!selected.includes(match)) selected.push(match);
        }
      }
      selected.sort(
        (left, right) =>
          DEPLOY_ORDER.findIndex((entry) => entry.packageType === left.packageType) -
          DEPLOY_ORDER.findIndex((entry) => entry.packageType === right.packageType),
      );
      stage = createStage(org);
      for (const candidate of selected) {
        total++;
        const base = {
          componentType: candidate.packageType,
          fileName: `${root}${candidate.fileName}`,
          fullName: candidate.fullName,
        };
        if (!candidate.component) {
          failures.push(
            message({
              ...base,
              changed: false,
              created: false,
              success: false,
              problem: candidate.parseProblem ?? 'Unreadable file',
              problemType: 'Error',
            }),
          );
          continue;
        }
        if (candidate.packageType === 'Settings' && candidate.storeType !== 'PathAssistantSettings') {
          failures.push(
            message({
              ...base,
              changed: false,
              created: false,
              success: false,
              problem: `The emulated org does not support ${candidate.fullName} settings`,
              problemType: 'Error',
            }),
          );
          continue;
        }
        const existed = stagedComponent(stage, candidate.storeType, candidate.fullName) !== undefined;
        const problems = validateComponent(
          stage,
          candidate.storeType,
          candidate.validationComponent ?? candidate.component,
        );
        if (problems.length > 0) {
          for (const problem of problems) {
            failures.push(
              message({
                ...base,
                changed: false,
                created: false,
                success: false,
                problem: problem.message,
                problemType: 'Error',
              }),
            );
          }
          continue;
        }
        putComponent(stage, candidate.storeType, candidate.component);
        successes.push(message({ ...base, changed: existed, created: !existed, success: true }));
      }
    }
  } catch (error) {
    failures.push(
      message({
        changed: false,
        componentType: '',
        created: false,
        fileName: 'package.xml',
        fullName: 'package.xml',
        success: false,
        problem: `Error reading the zip file: ${error instanceof Error ? error.message : String(error)}`,
        problemType: 'Error',
      }),
    );
  }
  const deployedCount = successes.filter(
    (entry) => entry.fullName !== 'package.xml' || entry.componentType !== '',
  ).length;
  const failed = failures.length > 0;
  const commit = stage !== undefined && !checkOnly && (!failed || !rollbackOnError) && deployedCount > 0;
  if (commit && stage) commitStage(stage);
  const status: SalesforceDeployResult['status'] = !failed
    ? 'Succeeded'
    : !rollbackOnError && deployedCount > 0
      ? 'SucceededPartial'
      : 'Failed';
  const completed = formatDateTime(org.now());
  const user = org.records.get('user')?.get(userId);
  const result: SalesforceDeployResult = {
    id,
    checkOnly,
    completedDate: completed,
    createdBy: userId,
    createdByName: String(user?.Name ?? 'Integration User'),
    createdDate: started,
    details: { componentSuccesses: successes, componentFailures: failures },
    done: true,
    ignoreWarnings: xmlBoolean(options.ignoreWarnings),
    lastModifiedDate: completed,
    numberComponentErrors: failures.length,
    numberComponentsDeployed: status === 'Failed' ? 0 : deployedCount,
    numberComponentsTotal: Math.max(total, deployedCount + failures.length),
    numberTestErrors: 0,
    numberTestsCompleted: 0,
    numberTestsTotal: 0,
    rollbackOnError,
    runTestsEnabled: false,
    startDate: started,
    status,
    success: status !== 'Failed',
  };
  deployResults(org).set(id, result);
  return id;
}
