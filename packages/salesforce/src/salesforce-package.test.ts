import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadTemplate } from '@milepost/core';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { unzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { SALESFORCE_API_VERSION } from './salesforce-api.js';
import {
  salesforceFieldName,
  salesforceMetadataZip,
  salesforcePackageModel,
  salesforceProjectFiles,
} from './salesforce-package.js';
import { listProjectFiles } from './salesforce-project-writer.js';

const APP = fileURLToPath(new URL('../../../apps/salesforce-package/', import.meta.url));

/**
 * XSD sequences of the v65 Metadata WSDL for the elements the package writes, and the elements each
 * type requires (research §2.3–§2.8). Written independently of the generator, so a generator that
 * drops or misplaces an element fails here.
 */
const SCHEMA: Record<string, { sequence: string[]; required: string[] }> = {
  CustomField: {
    sequence: [
      'fullName',
      'caseSensitive',
      'defaultValue',
      'deleteConstraint',
      'description',
      'externalId',
      'inlineHelpText',
      'label',
      'length',
      'precision',
      'referenceTo',
      'relationshipLabel',
      'relationshipName',
      'relationshipOrder',
      'reparentableMasterDetail',
      'required',
      'scale',
      'trackHistory',
      'type',
      'unique',
      'valueSet',
      'visibleLines',
      'writeRequiresMasterRead',
    ],
    required: ['fullName', 'label', 'type'],
  },
  CustomObject: {
    sequence: [
      'fullName',
      'deploymentStatus',
      'description',
      'enableActivities',
      'enableBulkApi',
      'enableFeeds',
      'enableHistory',
      'enableReports',
      'enableSearch',
      'enableSharing',
      'enableStreamingApi',
      'fields',
      'label',
      'nameField',
      'pluralLabel',
      'sharingModel',
    ],
    required: ['deploymentStatus', 'label', 'nameField', 'pluralLabel', 'sharingModel'],
  },
  nameField: { sequence: ['displayFormat', 'label', 'type'], required: ['label', 'type'] },
  valueSet: {
    sequence: ['controllingField', 'restricted', 'valueSetDefinition', 'valueSetName'],
    required: [],
  },
  GlobalValueSet: {
    sequence: ['fullName', 'customValue', 'description', 'masterLabel', 'sorted'],
    required: ['customValue', 'masterLabel', 'sorted'],
  },
  customValue: {
    sequence: ['fullName', 'color', 'default', 'description', 'isActive', 'label'],
    required: ['fullName', 'default'],
  },
  PathAssistant: {
    sequence: [
      'fullName',
      'active',
      'entityName',
      'fieldName',
      'masterLabel',
      'pathAssistantSteps',
      'recordTypeName',
    ],
    required: ['active', 'entityName', 'fieldName', 'masterLabel', 'recordTypeName'],
  },
  pathAssistantSteps: {
    sequence: ['fieldNames', 'info', 'picklistValueName'],
    required: ['picklistValueName'],
  },
  PathAssistantSettings: {
    sequence: ['fullName', 'canOverrideAutoPathCollapseWithUserPref', 'pathAssistantEnabled'],
    required: ['pathAssistantEnabled'],
  },
  PermissionSet: {
    sequence: [
      'fullName',
      'description',
      'fieldPermissions',
      'hasActivationRequired',
      'label',
      'objectPermissions',
    ],
    required: ['label'],
  },
  fieldPermissions: { sequence: ['editable', 'field', 'readable'], required: ['editable', 'field'] },
  objectPermissions: {
    sequence: [
      'allowCreate',
      'allowDelete',
      'allowEdit',
      'allowRead',
      'modifyAllRecords',
      'object',
      'viewAllFields',
      'viewAllRecords',
    ],
    required: [
      'allowCreate',
      'allowDelete',
      'allowEdit',
      'allowRead',
      'modifyAllRecords',
      'object',
      'viewAllRecords',
    ],
  },
  Flow: {
    sequence: [
      'fullName',
      'apiVersion',
      'decisions',
      'description',
      'environments',
      'formulas',
      'interviewLabel',
      'label',
      'processMetadataValues',
      'processType',
      'recordCreates',
      'start',
      'status',
    ],
    required: ['label', 'processType', 'start', 'status'],
  },
  decisions: {
    sequence: [
      'name',
      'label',
      'locationX',
      'locationY',
      'defaultConnector',
      'defaultConnectorLabel',
      'rules',
    ],
    required: ['name', 'label', 'locationX', 'locationY'],
  },
  rules: {
    sequence: ['name', 'conditionLogic', 'conditions', 'connector', 'label'],
    required: ['name', 'conditionLogic', 'conditions', 'label'],
  },
  conditions: {
    sequence: ['leftValueReference', 'operator', 'rightValue'],
    required: ['leftValueReference', 'operator'],
  },
  recordCreates: {
    sequence: [
      'name',
      'label',
      'locationX',
      'locationY',
      'connector',
      'faultConnector',
      'inputAssignments',
      'object',
      'storeOutputAutomatically',
    ],
    required: ['name', 'label', 'locationX', 'locationY', 'object'],
  },
  inputAssignments: { sequence: ['field', 'value'], required: ['field', 'value'] },
  formulas: { sequence: ['name', 'dataType', 'expression'], required: ['name', 'dataType', 'expression'] },
  start: {
    sequence: [
      'locationX',
      'locationY',
      'connector',
      'doesRequireRecordChangedToMeetCriteria',
      'filterLogic',
      'filters',
      'object',
      'recordTriggerType',
      'triggerType',
    ],
    required: ['locationX', 'locationY', 'object', 'recordTriggerType', 'triggerType'],
  },
  filters: { sequence: ['field', 'operator', 'value'], required: ['field', 'operator'] },
  Package: { sequence: ['fullName', 'types', 'version'], required: ['types', 'version'] },
  types: { sequence: ['members', 'name'], required: ['members', 'name'] },
};

type Ordered = Array<Record<string, unknown>>;

const orderedParser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, parseTagValue: false });

function elementName(node: Record<string, unknown>): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text' && key !== '?xml');
}

/** Problems with element order and required elements, recursively, for the types in {@link SCHEMA}. */
function schemaProblems(name: string, children: Ordered, path = name): string[] {
  const problems: string[] = [];
  const rule = SCHEMA[name];
  const names = children.map(elementName).filter((child): child is string => child !== undefined);
  if (rule) {
    let last = -1;
    for (const child of names) {
      const index = rule.sequence.indexOf(child);
      if (index === -1) problems.push(`${path}: unexpected element <${child}>`);
      else if (index < last) problems.push(`${path}: <${child}> is out of schema order`);
      else last = index;
    }
    for (const required of rule.required)
      if (!names.includes(required)) problems.push(`${path}: missing required <${required}>`);
  }
  for (const child of children) {
    const childName = elementName(child);
    if (childName)
      problems.push(...schemaProblems(childName, child[childName] as Ordered, `${path}.${childName}`));
  }
  return problems;
}

function xmlProblems(text: string): string[] {
  const valid = XMLValidator.validate(text);
  if (valid !== true) return [`not well-formed: ${valid.err.msg} (line ${valid.err.line})`];
  const document = orderedParser.parse(text) as Ordered;
  const root = document.find((node) => elementName(node) !== undefined);
  if (!root) return ['no root element'];
  const rootName = elementName(root)!;
  const problems: string[] = [];
  if (
    (root[':@'] as Record<string, string> | undefined)?.['@_xmlns'] !==
    'http://soap.sforce.com/2006/04/metadata'
  )
    problems.push(`${rootName}: missing the Metadata namespace`);
  if (!SCHEMA[rootName] && rootName !== 'LightningComponentBundle')
    problems.push(`${rootName}: unknown root type`);
  return [...problems, ...schemaProblems(rootName, root[rootName] as Ordered)];
}

const journey = loadTemplate('saas-lifecycle');
const model = salesforcePackageModel(journey);
const files = salesforceProjectFiles(model);

describe('the generated SFDX project', () => {
  test('apps/salesforce-package is exactly what the generator produces (run `pnpm --filter @milepost/salesforce generate:package`)', async () => {
    const onDisk = (await listProjectFiles(APP)).filter(
      (path) => !['package.json', 'README.md', 'biome.json'].includes(path),
    );
    expect(onDisk).toEqual(files.map((file) => file.path));
    for (const file of files)
      expect(await readFile(`${APP}${file.path}`, 'utf8'), file.path).toBe(file.content);
  });

  test('every metadata XML file is well-formed, in schema order and has the required elements', () => {
    const xmlFiles = files.filter((file) => file.path.endsWith('-meta.xml'));
    expect(xmlFiles.length).toBeGreaterThan(20);
    for (const file of xmlFiles) expect(xmlProblems(file.content), file.path).toEqual([]);
  });

  test('the checker catches a misplaced element and a missing one', () => {
    const field = files.find((file) =>
      file.path.endsWith('Success_Cycle__c/fields/Stage__c.field-meta.xml'),
    )!;
    const misplaced = field.content.replace(
      /( *<label>Stage<\/label>\n)([\s\S]*)(<\/CustomField>)/,
      '$2$1$3',
    );
    expect(xmlProblems(misplaced)).toContain('CustomField: <label> is out of schema order');
    const missing = field.content.replace(/ *<type>Picklist<\/type>\n/, '');
    expect(xmlProblems(missing)).toContain('CustomField: missing required <type>');
    const path = files.find((file) => file.path.endsWith('.pathAssistant-meta.xml'))!;
    expect(xmlProblems(path.content.replace(/<picklistValueName>[^<]*<\/picklistValueName>/, ''))).toContain(
      'PathAssistant.pathAssistantSteps: missing required <picklistValueName>',
    );
    expect(
      xmlProblems(
        '<CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><label>x</labl></CustomField>',
      )[0],
    ).toMatch(/not well-formed/);
  });

  test('sfdx-project.json and every XML use one API version', () => {
    const project = JSON.parse(files.find((file) => file.path === 'sfdx-project.json')!.content);
    expect(project.sourceApiVersion).toBe(SALESFORCE_API_VERSION);
    expect(project.packageDirectories).toEqual([{ path: 'force-app', default: true }]);
    const flow = files.find((file) => file.path.endsWith('.flow-meta.xml'))!;
    expect(flow.content).toContain(`<apiVersion>${SALESFORCE_API_VERSION}</apiVersion>`);
    const bundle = files.find((file) => file.path.endsWith('.js-meta.xml'))!;
    expect(bundle.content).toContain(`<apiVersion>${SALESFORCE_API_VERSION}</apiVersion>`);
    expect(files.find((file) => file.path === '.forceignore')!.content).toContain('**/__tests__/**');
  });

  test('the Path has one step per stage within the limits, and the settings enable Path', () => {
    const path = model.components.find((component) => component.type === 'PathAssistant')!;
    const steps = path.body.pathAssistantSteps as Array<{
      info: string;
      fieldNames: string[];
      picklistValueName: string;
    }>;
    expect(steps.map((step) => step.picklistValueName)).toEqual(journey.stages.map((stage) => stage.key));
    for (const step of steps) {
      expect(step.info.length).toBeLessThanOrEqual(1000);
      expect(step.fieldNames.length).toBeLessThanOrEqual(5);
    }
    expect(steps[2]!.info).toContain('Owner:</b> Onboarding');
    expect(
      model.components.find((component) => component.type === 'Settings')!.body.pathAssistantEnabled,
    ).toBe(true);
  });

  test('the Flow has one outcome per stage with tasks and creates each task with its key', () => {
    const flow = model.components.find((component) => component.type === 'Flow')!.body as {
      decisions: Array<{ rules: Array<{ conditions: unknown[] }> }>;
      recordCreates: unknown[];
      start: { triggerType: string; object: string };
    };
    const stagesWithTasks = new Set(
      (journey.successCycles ?? []).flatMap((cycle) => cycle.stages.map((stage) => stage.stage)),
    );
    expect(flow.decisions[0]!.rules).toHaveLength(stagesWithTasks.size);
    const taskCount = (journey.successCycles ?? []).flatMap((cycle) =>
      cycle.stages.flatMap((stage) => stage.activities.flatMap((activity) => activity.tasks)),
    ).length;
    expect(flow.recordCreates).toHaveLength(taskCount);
    expect(flow.start).toMatchObject({ triggerType: 'RecordAfterSave', object: 'Success_Cycle__c' });
    expect(model.flowTasks.onboarding).toContain('onboarding-program:send-welcome');
  });

  test('the permission set grants every added field except the master-detail, and the object', () => {
    const permissionSet = model.components.find((component) => component.type === 'PermissionSet')!.body as {
      fieldPermissions: Array<{ field: string }>;
      objectPermissions: Array<{ object: string }>;
    };
    const granted = permissionSet.fieldPermissions.map((permission) => permission.field);
    const fields = model.components
      .filter((component) => component.type === 'CustomField')
      .map((component) => component.fullName);
    expect(granted).toEqual(fields.filter((name) => name !== 'Success_Cycle__c.Account__c').sort());
    expect(permissionSet.objectPermissions[0]!.object).toBe('Success_Cycle__c');
  });

  test('a mapping that points an output at an existing field adopts it instead of creating one', () => {
    const adopted = salesforcePackageModel(journey, {
      apiVersion: 'milepost/v1',
      kind: 'Mapping',
      journey: journey.key,
      target: 'salesforce',
      facts: {},
      outputs: { stage: { field: 'CS_Stage__c' } },
    });
    const names = adopted.components.map((component) => component.fullName);
    expect(names).not.toContain('Account.Milepost_Stage__c');
    expect(adopted.accountOutputs.stage).toEqual({ field: 'CS_Stage__c', adopt: true });
  });

  test('field names fit Salesforce limits', () => {
    expect(salesforceFieldName('active_users')).toBe('Active_Users__c');
    const long = salesforceFieldName('a-very-long-milestone-key-that-goes-on-and-on-forever', 'MP');
    expect(long.length).toBeLessThanOrEqual(43);
    expect(long).toMatch(/^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*__c$/);
  });

  test('the Metadata API zip has package.xml at the root and fields inside their object files', () => {
    const entries = unzipSync(salesforceMetadataZip(model));
    const names = Object.keys(entries).sort();
    expect(names).toContain('package.xml');
    expect(names).toContain('objects/Account.object');
    expect(names).toContain('objects/Success_Cycle__c.object');
    expect(names).toContain('settings/PathAssistant.settings');
    expect(names).toContain('lwc/journeyProgress/journeyProgress.js');
    expect(names.some((name) => name.includes('__tests__'))).toBe(false);
    const manifest = new TextDecoder().decode(entries['package.xml']);
    expect(xmlProblems(manifest)).toEqual([]);
    expect(manifest).toContain('<members>Account.Milepost_Stage__c</members>');
    expect(xmlProblems(new TextDecoder().decode(entries['objects/Success_Cycle__c.object']))).toEqual([]);
  });
});
