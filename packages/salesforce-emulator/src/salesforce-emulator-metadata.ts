import {
  formatDateTime,
  metadataOfType,
  type OrgState,
  rebuildSchema,
  recordsOf,
  syncPermissionSetRecords,
} from './salesforce-emulator-org-state.js';
import {
  fieldHostObject,
  type SalesforceSchema,
  SUPPORTED_FIELD_TYPES,
} from './salesforce-emulator-schema.js';
import { type XmlObject, xmlBoolean, xmlList, xmlObject, xmlText } from './salesforce-emulator-xml.js';

/**
 * Metadata components: validation (the checks a real org makes for the types the adapter uses), staging
 * and commit. Problem texts quote real Salesforce messages where a public source shows them (see README).
 */

/** Types the emulator stores, with their Metadata API directory and suffix. */
export const METADATA_TYPES: Record<
  string,
  { directoryName: string; suffix: string; childXmlNames?: string[] }
> = {
  CustomObject: { directoryName: 'objects', suffix: 'object', childXmlNames: ['CustomField'] },
  CustomField: { directoryName: 'objects', suffix: 'object' },
  GlobalValueSet: { directoryName: 'globalValueSets', suffix: 'globalValueSet' },
  PathAssistant: { directoryName: 'pathAssistants', suffix: 'pathAssistant' },
  PathAssistantSettings: { directoryName: 'settings', suffix: 'settings' },
  Flow: { directoryName: 'flows', suffix: 'flow' },
  PermissionSet: { directoryName: 'permissionsets', suffix: 'permissionset' },
  LightningComponentBundle: { directoryName: 'lwc', suffix: '' },
};

/** One problem with a component. */
export interface MetadataProblem {
  statusCode: string;
  message: string;
  fields?: string[];
}

/** A copy-on-write view of an org's metadata used while a call or deploy is validated. */
export interface MetadataStage {
  org: OrgState;
  metadata: Map<string, Map<string, XmlObject>>;
  pathEnabled: boolean;
  schema?: SalesforceSchema;
  deletedFields: string[];
  deletedObjects: string[];
  renamedFields: Array<{ from: string; to: string }>;
}

const STANDARD_OBJECTS = new Set([
  'account',
  'contact',
  'task',
  'activity',
  'user',
  'event',
  'opportunity',
  'lead',
  'case',
]);
const CUSTOM_NAME = /^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*__c$/;
const LWC_TARGETS = new Set([
  'lightning__RecordPage',
  'lightning__AppPage',
  'lightning__HomePage',
  'lightning__FlowScreen',
  'lightning__Tab',
  'lightning__UtilityBar',
  'lightning__RecordAction',
  'lightningCommunity__Page',
  'lightningCommunity__Default',
]);

/** Starts a stage from the org's current metadata. */
export function createStage(org: OrgState): MetadataStage {
  const metadata = new Map<string, Map<string, XmlObject>>();
  for (const [type, components] of org.metadata) metadata.set(type, new Map(components));
  return {
    org,
    metadata,
    pathEnabled: org.pathEnabled,
    deletedFields: [],
    deletedObjects: [],
    renamedFields: [],
  };
}

function stagedOfType(stage: MetadataStage, type: string): Map<string, XmlObject> {
  let components = stage.metadata.get(type);
  if (!components) {
    components = new Map();
    stage.metadata.set(type, components);
  }
  return components;
}

/** The schema the staged metadata would produce. */
export function stageSchema(stage: MetadataStage): SalesforceSchema {
  if (!stage.schema) {
    const shadow: OrgState = { ...stage.org, metadata: stage.metadata, accessCache: new Map() };
    rebuildSchema(shadow);
    stage.schema = shadow.schema;
  }
  return stage.schema;
}

/** Strips SOAP attributes (`@_type`) and the XML namespace from a parsed component. */
export function cleanComponent(raw: unknown): XmlObject {
  const source = xmlObject(raw);
  const clean: XmlObject = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('@_')) continue;
    clean[key] = value;
  }
  return clean;
}

/** Reads a component (or undefined) from the stage. */
export function stagedComponent(stage: MetadataStage, type: string, fullName: string): XmlObject | undefined {
  return stage.metadata.get(type)?.get(fullName.toLowerCase());
}

function problem(
  message: string,
  statusCode = 'FIELD_INTEGRITY_EXCEPTION',
  fields?: string[],
): MetadataProblem {
  return { statusCode, message, ...(fields ? { fields } : {}) };
}

function validateCustomObject(stage: MetadataStage, component: XmlObject): MetadataProblem[] {
  const name = xmlText(component.fullName);
  if (STANDARD_OBJECTS.has(name.toLowerCase())) return [];
  const problems: MetadataProblem[] = [];
  if (!CUSTOM_NAME.test(name)) {
    problems.push(
      problem(
        `The object name ${name} is invalid: custom object names must end with __c, start with a letter and contain only letters, digits and single underscores.`,
        'INVALID_NAME',
      ),
    );
  }
  if (xmlText(component.label) === '')
    problems.push(
      problem('Must specify a non-empty label for the CustomObject', 'FIELD_INTEGRITY_EXCEPTION', ['label']),
    );
  if (xmlText(component.pluralLabel) === '' && xmlText(component.label) !== '') {
    problems.push(
      problem('Must specify a non-empty plural label for the CustomObject', 'FIELD_INTEGRITY_EXCEPTION', [
        'pluralLabel',
      ]),
    );
  }
  const nameField = xmlObject(component.nameField);
  if (xmlText(component.label) !== '') {
    if (xmlText(nameField.label) === '')
      problems.push(
        problem('Must specify a name field label for the CustomObject', 'FIELD_INTEGRITY_EXCEPTION', [
          'nameField',
        ]),
      );
    const nameType = xmlText(nameField.type);
    if (nameType !== 'Text' && nameType !== 'AutoNumber') {
      problems.push(
        problem(`nameField type must be Text or AutoNumber, not '${nameType}'`, 'FIELD_INTEGRITY_EXCEPTION', [
          'nameField',
        ]),
      );
    }
    if (nameType === 'AutoNumber' && xmlText(nameField.displayFormat) === '') {
      problems.push(
        problem(
          'An Auto Number name field needs a displayFormat such as A-{0000}',
          'FIELD_INTEGRITY_EXCEPTION',
          ['nameField'],
        ),
      );
    }
  }
  const sharingModel = xmlText(component.sharingModel);
  if (
    sharingModel &&
    !['Private', 'Read', 'ReadWrite', 'ReadWriteTransfer', 'FullAccess', 'ControlledByParent'].includes(
      sharingModel,
    )
  ) {
    problems.push(
      problem(
        `sharingModel: bad value for restricted picklist field: ${sharingModel}`,
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      ),
    );
  }
  if (sharingModel === 'ControlledByParent') {
    const hasMasterDetail = [...stagedOfType(stage, 'CustomField').values()].some(
      (field) =>
        xmlText(field.fullName).toLowerCase().startsWith(`${name.toLowerCase()}.`) &&
        xmlText(field.type) === 'MasterDetail',
    );
    const inlineMasterDetail = xmlList(component.fields).some(
      (field) => xmlText(xmlObject(field).type) === 'MasterDetail',
    );
    if (!hasMasterDetail && !inlineMasterDetail) {
      problems.push(
        problem(
          'Cannot set sharingModel to ControlledByParent on a CustomObject without a MasterDetail relationship field',
          'FIELD_INTEGRITY_EXCEPTION',
          ['sharingModel'],
        ),
      );
    }
  }
  return problems;
}

function validatePicklistValues(values: unknown[], restricted: boolean, key: string): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  if (values.length === 0)
    problems.push(problem(`${key} must have at least one value`, 'FIELD_INTEGRITY_EXCEPTION'));
  // Research §4: restricted picklists and global value sets hold at most 1,000 values, inactive included.
  if (restricted && values.length > 1000) {
    problems.push(
      problem(
        `${key} has ${values.length} values; a restricted picklist can have at most 1,000 values, active and inactive combined`,
        'FIELD_INTEGRITY_EXCEPTION',
      ),
    );
  }
  const seen = new Set<string>();
  for (const raw of values) {
    const value = xmlText(xmlObject(raw).fullName);
    if (value === '')
      problems.push(problem(`${key} has a value without a fullName`, 'FIELD_INTEGRITY_EXCEPTION'));
    if (value.length > 255)
      problems.push(
        problem(`Picklist value ${value.slice(0, 40)}… is longer than 255 characters`, 'STRING_TOO_LONG'),
      );
    if (seen.has(value.toLowerCase()))
      problems.push(problem(`Duplicate picklist value: ${value}`, 'DUPLICATE_VALUE'));
    seen.add(value.toLowerCase());
  }
  return problems;
}

function validateCustomField(
  stage: MetadataStage,
  component: XmlObject,
  existing: XmlObject | undefined,
): MetadataProblem[] {
  const fullName = xmlText(component.fullName);
  const dot = fullName.indexOf('.');
  if (dot <= 0)
    return [problem(`The fullName ${fullName} must be Object.Field__c`, 'INVALID_CROSS_REFERENCE_KEY')];
  const objectName = fullName.slice(0, dot);
  const fieldName = fullName.slice(dot + 1);
  const problems: MetadataProblem[] = [];
  if (!fieldName.endsWith('__c')) {
    return [
      problem(
        'fullName must end with: __c or __kav or __x or __b or __e or __p or __mdt or __dll or __dlm',
        'FIELD_INTEGRITY_EXCEPTION',
        ['fullName'],
      ),
    ];
  }
  if (!CUSTOM_NAME.test(fieldName))
    problems.push(problem(`The field name ${fieldName} is invalid`, 'INVALID_NAME'));
  const schema = stageSchema(stage);
  const host = schema.objects.get(fieldHostObject(objectName).toLowerCase());
  if (!host || host.historyOf) {
    return [
      problem(
        `In field: fullName - no CustomObject named ${objectName} found`,
        'INVALID_CROSS_REFERENCE_KEY',
        ['fullName'],
      ),
    ];
  }
  if (xmlText(component.label) === '')
    problems.push(
      problem('Must specify a non-empty label for the CustomField', 'FIELD_INTEGRITY_EXCEPTION', ['label']),
    );
  const type = xmlText(component.type);
  if (!SUPPORTED_FIELD_TYPES.has(type)) {
    problems.push(
      problem(
        `type: bad value for restricted picklist field: ${type || '(empty)'}`,
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        ['type'],
      ),
    );
    return problems;
  }
  if (
    existing &&
    xmlText(existing.type) !== type &&
    (xmlText(existing.type) === 'MasterDetail' || type === 'MasterDetail')
  ) {
    problems.push(
      problem(
        `Cannot change the type of ${fullName} from ${xmlText(existing.type)} to ${type}`,
        'FIELD_INTEGRITY_EXCEPTION',
        ['type'],
      ),
    );
  }
  if (type === 'Text' || type === 'EncryptedText') {
    const length = Number(xmlText(component.length));
    if (!Number.isInteger(length) || length < 1 || length > 255)
      problems.push(problem('Length must be between 1 and 255', 'FIELD_INTEGRITY_EXCEPTION', ['length']));
  }
  if (type === 'LongTextArea' || type === 'Html') {
    const length = Number(xmlText(component.length));
    if (!Number.isInteger(length) || length < 256 || length > 131072)
      problems.push(
        problem('Length must be between 256 and 131,072', 'FIELD_INTEGRITY_EXCEPTION', ['length']),
      );
    if (xmlText(component.visibleLines) === '')
      problems.push(
        problem('Must specify visibleLines for a long text area', 'FIELD_INTEGRITY_EXCEPTION', [
          'visibleLines',
        ]),
      );
  }
  if (type === 'Number' || type === 'Currency' || type === 'Percent') {
    const precision = Number(xmlText(component.precision) || 18);
    const scale = Number(xmlText(component.scale) || 0);
    if (!Number.isInteger(precision) || precision < 1 || precision > 18)
      problems.push(
        problem('Precision must be between 1 and 18', 'FIELD_INTEGRITY_EXCEPTION', ['precision']),
      );
    if (!Number.isInteger(scale) || scale < 0 || scale > precision)
      problems.push(
        problem('Scale must be between 0 and the precision', 'FIELD_INTEGRITY_EXCEPTION', ['scale']),
      );
  }
  if (type === 'Checkbox') {
    const defaultValue = xmlText(component.defaultValue);
    if (defaultValue !== 'true' && defaultValue !== 'false') {
      problems.push(
        problem('Checkbox fields require a defaultValue of true or false', 'FIELD_INTEGRITY_EXCEPTION', [
          'defaultValue',
        ]),
      );
    }
    if (xmlBoolean(component.required))
      problems.push(
        problem('A checkbox field cannot be required', 'FIELD_INTEGRITY_EXCEPTION', ['required']),
      );
  }
  if (type === 'Picklist' || type === 'MultiselectPicklist') {
    const valueSet = xmlObject(component.valueSet);
    const valueSetName = xmlText(valueSet.valueSetName);
    const definition = valueSet.valueSetDefinition;
    if (valueSetName === '' && definition === undefined) {
      problems.push(
        problem(
          'You must specify either picklist, globalPicklist, or valueSet',
          'FIELD_INTEGRITY_EXCEPTION',
          ['valueSet'],
        ),
      );
    } else if (valueSetName !== '') {
      if (!stagedComponent(stage, 'GlobalValueSet', valueSetName)) {
        problems.push(
          problem(
            `In field: valueSetName - no GlobalValueSet named ${valueSetName} found`,
            'INVALID_CROSS_REFERENCE_KEY',
            ['valueSet'],
          ),
        );
      }
    } else {
      problems.push(
        ...validatePicklistValues(
          xmlList(xmlObject(definition).value),
          xmlBoolean(valueSet.restricted),
          `Picklist ${fieldName}`,
        ),
      );
    }
  }
  if (xmlBoolean(component.externalId) && !['Text', 'Number', 'Email', 'AutoNumber'].includes(type)) {
    problems.push(
      problem(
        'Only Text, Number, Email and Auto Number fields can be External IDs',
        'FIELD_INTEGRITY_EXCEPTION',
        ['externalId'],
      ),
    );
  }
  if (type === 'Lookup' || type === 'MasterDetail') {
    const referenceTo = xmlText(component.referenceTo);
    if (!referenceTo || !schema.objects.has(referenceTo.toLowerCase())) {
      problems.push(
        problem(
          `referenceTo value of '${referenceTo}' does not resolve to a valid sObject type`,
          'FIELD_INTEGRITY_EXCEPTION',
          ['referenceTo'],
        ),
      );
    }
    if (xmlText(component.relationshipName) === '') {
      problems.push(
        problem('Must specify a relationshipName for a relationship field', 'FIELD_INTEGRITY_EXCEPTION', [
          'relationshipName',
        ]),
      );
    }
    if (type === 'MasterDetail') {
      if (!host.custom)
        problems.push(
          problem(
            `A MasterDetail field cannot be created on the standard object ${host.name}`,
            'FIELD_INTEGRITY_EXCEPTION',
            ['type'],
          ),
        );
      const others = [...stagedOfType(stage, 'CustomField').values()].filter(
        (field) =>
          xmlText(field.type) === 'MasterDetail' &&
          xmlText(field.fullName).toLowerCase().startsWith(`${objectName.toLowerCase()}.`) &&
          xmlText(field.fullName).toLowerCase() !== fullName.toLowerCase(),
      );
      if (others.length >= 2)
        problems.push(
          problem(
            'A custom object can have at most 2 MasterDetail relationships',
            'FIELD_INTEGRITY_EXCEPTION',
            ['type'],
          ),
        );
    }
  }
  if (xmlBoolean(component.trackHistory) && !host.enableHistory) {
    problems.push(
      problem(
        `Field history tracking is not enabled for ${host.name}; set enableHistory on the object first`,
        'FIELD_INTEGRITY_EXCEPTION',
        ['trackHistory'],
      ),
    );
  }
  return problems;
}

function validateGlobalValueSet(component: XmlObject): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  if (xmlText(component.masterLabel) === '')
    problems.push(
      problem('Must specify a non-empty masterLabel for the GlobalValueSet', 'FIELD_INTEGRITY_EXCEPTION', [
        'masterLabel',
      ]),
    );
  problems.push(
    ...validatePicklistValues(
      xmlList(component.customValue),
      true,
      `GlobalValueSet ${xmlText(component.fullName)}`,
    ),
  );
  return problems;
}

function validatePermissionSet(stage: MetadataStage, component: XmlObject): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  if (xmlText(component.label) === '')
    problems.push(problem('Required field is missing: label', 'REQUIRED_FIELD_MISSING', ['label']));
  const schema = stageSchema(stage);
  for (const raw of xmlList(component.fieldPermissions)) {
    const permission = xmlObject(raw);
    const fieldFullName = xmlText(permission.field);
    const [objectName = '', fieldName = ''] = fieldFullName.split('.');
    const field = schema.objects
      .get(fieldHostObject(objectName).toLowerCase())
      ?.fields.get(fieldName.toLowerCase());
    if (!field) {
      problems.push(
        problem(
          `In field: field - no CustomField named ${fieldFullName} found`,
          'INVALID_CROSS_REFERENCE_KEY',
          ['field'],
        ),
      );
      continue;
    }
    // Required and master-detail fields get FLS implicitly; listing them fails the deploy (research §2.8).
    if (
      field.masterDetail ||
      (field.custom && !field.nillable && field.type !== 'boolean') ||
      (!field.custom && !field.nillable && field.createable)
    ) {
      problems.push(
        problem(`You cannot deploy to a required field: ${fieldFullName}`, 'FIELD_INTEGRITY_EXCEPTION', [
          'field',
        ]),
      );
    }
    if (xmlBoolean(permission.editable) && !xmlBoolean(permission.readable)) {
      problems.push(
        problem(
          `Permission Edit on ${fieldFullName} depends on permission(s): Read`,
          'FIELD_INTEGRITY_EXCEPTION',
          ['fieldPermissions'],
        ),
      );
    }
  }
  for (const raw of xmlList(component.objectPermissions)) {
    const objectName = xmlText(xmlObject(raw).object);
    if (!schema.objects.has(objectName.toLowerCase())) {
      problems.push(
        problem(
          `In field: object - no CustomObject named ${objectName} found`,
          'INVALID_CROSS_REFERENCE_KEY',
          ['object'],
        ),
      );
    }
  }
  return problems;
}

function validatePathAssistant(
  stage: MetadataStage,
  component: XmlObject,
  existing: XmlObject | undefined,
): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  if (!stage.pathEnabled) {
    problems.push(
      problem(
        'Path is not enabled in this org. Enable Path (PathAssistantSettings pathAssistantEnabled=true) before deploying a PathAssistant.',
        'FIELD_INTEGRITY_EXCEPTION',
      ),
    );
    return problems;
  }
  const entityName = xmlText(component.entityName);
  const fieldName = xmlText(component.fieldName);
  const recordTypeName = xmlText(component.recordTypeName);
  if (xmlText(component.masterLabel) === '')
    problems.push(
      problem('Must specify a non-empty masterLabel for the PathAssistant', 'FIELD_INTEGRITY_EXCEPTION', [
        'masterLabel',
      ]),
    );
  if (recordTypeName === '')
    problems.push(
      problem(
        'Must specify recordTypeName (use __MASTER__ when the object has no record types)',
        'FIELD_INTEGRITY_EXCEPTION',
        ['recordTypeName'],
      ),
    );
  if (
    existing &&
    (xmlText(existing.entityName) !== entityName || xmlText(existing.fieldName) !== fieldName)
  ) {
    problems.push(
      problem(
        'entityName and fieldName of an existing path are not updateable',
        'FIELD_INTEGRITY_EXCEPTION',
        ['entityName'],
      ),
    );
  }
  const object = stageSchema(stage).objects.get(entityName.toLowerCase());
  if (!object) {
    problems.push(
      problem(
        `In field: entityName - no CustomObject named ${entityName} found`,
        'INVALID_CROSS_REFERENCE_KEY',
        ['entityName'],
      ),
    );
    return problems;
  }
  const field = object.fields.get(fieldName.toLowerCase());
  if (field?.type !== 'picklist') {
    problems.push(
      problem(
        `In field: fieldName - no picklist field named ${entityName}.${fieldName} found`,
        'INVALID_CROSS_REFERENCE_KEY',
        ['fieldName'],
      ),
    );
    return problems;
  }
  const fullName = xmlText(component.fullName).toLowerCase();
  for (const [key, other] of stagedOfType(stage, 'PathAssistant')) {
    if (key === fullName) continue;
    if (
      xmlText(other.entityName).toLowerCase() === entityName.toLowerCase() &&
      xmlText(other.recordTypeName).toLowerCase() === recordTypeName.toLowerCase()
    ) {
      problems.push(
        problem(
          'Only one path can be created per record type for each object, including __Master__ record type.',
          'DUPLICATE_VALUE',
          ['recordTypeName'],
        ),
      );
    }
  }
  const allowed = new Set(field.picklistValues.map((entry) => entry.value));
  for (const raw of xmlList(component.pathAssistantSteps)) {
    const step = xmlObject(raw);
    const value = xmlText(step.picklistValueName);
    if (!allowed.has(value))
      problems.push(
        problem(
          `Picklist value: ${value} in picklist: ${field.name} not found`,
          'FIELD_INTEGRITY_EXCEPTION',
          ['picklistValueName'],
        ),
      );
    const keyFields = xmlList(step.fieldNames).map(xmlText);
    if (keyFields.length > 5)
      problems.push(
        problem(
          `The step ${value} has ${keyFields.length} key fields; a path step can have at most 5`,
          'FIELD_INTEGRITY_EXCEPTION',
          ['fieldNames'],
        ),
      );
    for (const keyField of keyFields) {
      if (!object.fields.has(keyField.toLowerCase())) {
        problems.push(
          problem(
            `In field: fieldNames - no field named ${entityName}.${keyField} found`,
            'INVALID_CROSS_REFERENCE_KEY',
            ['fieldNames'],
          ),
        );
      }
    }
    if (xmlText(step.info).length > 1000)
      problems.push(
        problem(`The guidance for step ${value} is longer than 1,000 characters`, 'STRING_TOO_LONG', [
          'info',
        ]),
      );
  }
  return problems;
}

const FLOW_OPERATORS = new Set([
  'EqualTo',
  'NotEqualTo',
  'GreaterThan',
  'GreaterThanOrEqualTo',
  'LessThan',
  'LessThanOrEqualTo',
  'IsNull',
  'IsChanged',
  'Contains',
  'StartsWith',
  'EndsWith',
]);

function validateFlow(stage: MetadataStage, component: XmlObject): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const schema = stageSchema(stage);
  if (xmlText(component.label) === '')
    problems.push(problem('Required field is missing: label', 'REQUIRED_FIELD_MISSING', ['label']));
  const status = xmlText(component.status) || 'Draft';
  if (!['Active', 'Draft', 'Obsolete', 'InvalidDraft'].includes(status))
    problems.push(
      problem(
        `status: bad value for restricted picklist field: ${status}`,
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      ),
    );
  const names = new Set<string>();
  for (const kind of [
    'decisions',
    'recordCreates',
    'recordUpdates',
    'assignments',
    'formulas',
    'variables',
    'constants',
    'recordLookups',
    'actionCalls',
    'screens',
    'loops',
  ]) {
    for (const raw of xmlList(component[kind])) {
      const name = xmlText(xmlObject(raw).name);
      if (names.has(name.toLowerCase()))
        problems.push(
          problem(
            `The element name "${name}" is used more than once in this flow.`,
            'DUPLICATE_DEVELOPER_NAME',
          ),
        );
      names.add(name.toLowerCase());
    }
  }
  const start = xmlObject(component.start);
  const triggerType = xmlText(start.triggerType);
  const startObject = schema.objects.get(xmlText(start.object).toLowerCase());
  if (
    triggerType === 'RecordAfterSave' ||
    triggerType === 'RecordBeforeSave' ||
    triggerType === 'RecordBeforeDelete'
  ) {
    if (!startObject)
      problems.push(
        problem(
          `The flow's start element references the object "${xmlText(start.object)}", which doesn't exist.`,
          'INVALID_CROSS_REFERENCE_KEY',
        ),
      );
    const recordTriggerType = xmlText(start.recordTriggerType);
    if (!['Create', 'Update', 'CreateAndUpdate', 'Delete'].includes(recordTriggerType)) {
      problems.push(
        problem(
          `recordTriggerType: bad value for restricted picklist field: ${recordTriggerType || '(empty)'}`,
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        ),
      );
    }
  }
  const checkField = (objectName: string, fieldName: string, where: string) => {
    const object = schema.objects.get(objectName.toLowerCase());
    if (object && !object.fields.has(fieldName.toLowerCase())) {
      problems.push(
        problem(
          `${where}: the field "${fieldName}" doesn't exist on the object "${object.name}".`,
          'INVALID_CROSS_REFERENCE_KEY',
        ),
      );
    }
  };
  for (const raw of xmlList(start.filters)) {
    const filter = xmlObject(raw);
    if (startObject) checkField(startObject.name, xmlText(filter.field), 'Start filter');
    if (!FLOW_OPERATORS.has(xmlText(filter.operator)))
      problems.push(
        problem(
          `operator: bad value for restricted picklist field: ${xmlText(filter.operator)}`,
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        ),
      );
  }
  const checkReference = (reference: string, where: string) => {
    const cleaned = reference.replace(/^\{!/, '').replace(/\}$/, '');
    const [head = '', field, ...rest] = cleaned.split('.');
    if ((head === '$Record' || head === '$Record__Prior') && field && rest.length === 0 && startObject)
      checkField(startObject.name, field, where);
    else if (!head.startsWith('$') && !names.has(head.toLowerCase())) {
      problems.push(
        problem(
          `${where}: the flow references "${reference}", which isn't a resource in this flow.`,
          'INVALID_CROSS_REFERENCE_KEY',
        ),
      );
    }
  };
  const checkValue = (raw: unknown, where: string) => {
    const reference = xmlText(xmlObject(raw).elementReference);
    if (reference) checkReference(reference, where);
  };
  for (const raw of xmlList(component.recordCreates)) {
    const element = xmlObject(raw);
    const name = xmlText(element.name);
    const objectName = xmlText(element.object);
    if (!schema.objects.has(objectName.toLowerCase()))
      problems.push(
        problem(`${name}: the object "${objectName}" doesn't exist.`, 'INVALID_CROSS_REFERENCE_KEY'),
      );
    for (const assignmentRaw of xmlList(element.inputAssignments)) {
      const assignment = xmlObject(assignmentRaw);
      checkField(objectName, xmlText(assignment.field), name);
      checkValue(assignment.value, name);
    }
  }
  for (const raw of xmlList(component.decisions)) {
    const decision = xmlObject(raw);
    for (const ruleRaw of xmlList(decision.rules)) {
      for (const conditionRaw of xmlList(xmlObject(ruleRaw).conditions)) {
        const condition = xmlObject(conditionRaw);
        checkReference(xmlText(condition.leftValueReference), xmlText(decision.name));
        checkValue(condition.rightValue, xmlText(decision.name));
        if (!FLOW_OPERATORS.has(xmlText(condition.operator)))
          problems.push(
            problem(
              `operator: bad value for restricted picklist field: ${xmlText(condition.operator)}`,
              'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            ),
          );
      }
    }
  }
  const connectors: Array<{ from: string; to: string }> = [];
  const collect = (from: string, connector: unknown) => {
    const to = xmlText(xmlObject(connector).targetReference);
    if (to) connectors.push({ from, to });
  };
  collect('start', start.connector);
  for (const kind of ['decisions', 'recordCreates', 'recordUpdates', 'assignments', 'recordLookups']) {
    for (const raw of xmlList(component[kind])) {
      const element = xmlObject(raw);
      const name = xmlText(element.name);
      collect(name, element.connector);
      collect(name, element.faultConnector);
      collect(name, element.defaultConnector);
      for (const rule of xmlList(element.rules)) collect(name, xmlObject(rule).connector);
    }
  }
  for (const { from, to } of connectors) {
    if (!names.has(to.toLowerCase()))
      problems.push(
        problem(
          `The element "${from}" connects to "${to}", which doesn't exist in this flow.`,
          'INVALID_CROSS_REFERENCE_KEY',
        ),
      );
  }
  return problems;
}

function validateLightningComponentBundle(component: XmlObject): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const files = xmlList(component.__files).map(xmlText);
  const name = xmlText(component.fullName);
  if (component.__files !== undefined && !files.includes(`${name}.js`)) {
    problems.push(problem(`The bundle ${name} has no ${name}.js file`, 'FIELD_INTEGRITY_EXCEPTION'));
  }
  const targets = xmlList(xmlObject(component.targets).target).map(xmlText);
  for (const target of targets) {
    if (!LWC_TARGETS.has(target))
      problems.push(problem(`Invalid target: ${target}`, 'FIELD_INTEGRITY_EXCEPTION', ['targets']));
  }
  if (targets.length > 0 && !xmlBoolean(component.isExposed)) {
    problems.push(
      problem('A component with targets must set isExposed to true', 'FIELD_INTEGRITY_EXCEPTION', [
        'isExposed',
      ]),
    );
  }
  return problems;
}

/** Validates one component against the staged org. */
export function validateComponent(
  stage: MetadataStage,
  type: string,
  component: XmlObject,
): MetadataProblem[] {
  const fullName = xmlText(component.fullName);
  if (fullName === '')
    return [problem('Required field is missing: fullName', 'REQUIRED_FIELD_MISSING', ['fullName'])];
  const existing = stagedComponent(stage, type, fullName);
  switch (type) {
    case 'CustomObject':
      return validateCustomObject(stage, component);
    case 'CustomField':
      return validateCustomField(stage, component, existing);
    case 'GlobalValueSet':
      return validateGlobalValueSet(component);
    case 'PermissionSet':
      return validatePermissionSet(stage, component);
    case 'PathAssistant':
      return validatePathAssistant(stage, component, existing);
    case 'PathAssistantSettings':
      return fullName === 'PathAssistant'
        ? []
        : [problem(`Settings ${fullName} do not match PathAssistantSettings`, 'INVALID_CROSS_REFERENCE_KEY')];
    case 'Flow':
      return validateFlow(stage, component);
    case 'LightningComponentBundle':
      return validateLightningComponentBundle(component);
    default:
      return [
        problem(`This type of metadata is not available for this organization: ${type}`, 'INVALID_TYPE'),
      ];
  }
}

function canonicalFieldFullName(fullName: string): string {
  const [objectName = '', fieldName = ''] = fullName.split('.');
  return objectName.toLowerCase() === 'task' ? `Activity.${fieldName}` : `${objectName}.${fieldName}`;
}

/** Puts a (validated) component into the stage. CustomObject `fields` become CustomField components. */
export function putComponent(stage: MetadataStage, type: string, component: XmlObject): void {
  const now = formatDateTime(stage.org.now());
  const previous = stagedComponent(stage, type, xmlText(component.fullName));
  const stored: XmlObject = { ...component };
  let fullName = xmlText(component.fullName);
  if (type === 'CustomField') {
    fullName = canonicalFieldFullName(fullName);
    stored.fullName = fullName;
  }
  if (type === 'CustomObject') {
    const fields = xmlList(component.fields);
    delete stored.fields;
    for (const raw of fields) {
      const field = { ...xmlObject(raw) };
      field.fullName = `${fullName}.${xmlText(field.fullName)}`;
      putComponent(stage, 'CustomField', field);
    }
    if (STANDARD_OBJECTS.has(fullName.toLowerCase()) && !previous && xmlText(component.label) === '') {
      stage.schema = undefined;
      return;
    }
  }
  if (type === 'PathAssistantSettings') stage.pathEnabled = xmlBoolean(component.pathAssistantEnabled);
  const meta = xmlObject(previous?.__audit);
  stored.__audit = { createdDate: xmlText(meta.createdDate) || now, lastModifiedDate: now };
  stagedOfType(stage, type).set(fullName.toLowerCase(), stored);
  stage.schema = undefined;
}

/** Removes a component; deleting a CustomObject takes its fields with it. */
export function removeComponent(stage: MetadataStage, type: string, fullName: string): boolean {
  const components = stagedOfType(stage, type);
  const key = (type === 'CustomField' ? canonicalFieldFullName(fullName) : fullName).toLowerCase();
  if (!components.delete(key)) return false;
  if (type === 'CustomField') stage.deletedFields.push(key);
  if (type === 'CustomObject') {
    stage.deletedObjects.push(key);
    for (const fieldKey of [...stagedOfType(stage, 'CustomField').keys()]) {
      if (fieldKey.startsWith(`${key}.`)) stagedOfType(stage, 'CustomField').delete(fieldKey);
    }
  }
  if (type === 'PathAssistantSettings') stage.pathEnabled = false;
  stage.schema = undefined;
  return true;
}

/** Renames a CustomField or other component in the stage. */
export function renameComponent(
  stage: MetadataStage,
  type: string,
  from: string,
  to: string,
): MetadataProblem[] {
  const component = stagedComponent(
    stage,
    type,
    type === 'CustomField' ? canonicalFieldFullName(from) : from,
  );
  if (!component)
    return [
      problem(`In field: fullName - no ${type} named ${from} found`, 'INVALID_CROSS_REFERENCE_KEY', [
        'fullName',
      ]),
    ];
  if (stagedComponent(stage, type, type === 'CustomField' ? canonicalFieldFullName(to) : to)) {
    return [problem(`There is already a ${type} named ${to}`, 'DUPLICATE_DEVELOPER_NAME', ['fullName'])];
  }
  const renamed = { ...component, fullName: to };
  const problems = validateComponent(stage, type, renamed);
  if (problems.length > 0) return problems;
  stagedOfType(stage, type).delete(xmlText(component.fullName).toLowerCase());
  putComponent(stage, type, renamed);
  if (type === 'CustomField')
    stage.renamedFields.push({ from: canonicalFieldFullName(from), to: canonicalFieldFullName(to) });
  return [];
}

/** Makes a stage the org's metadata and applies data consequences (dropped fields, renamed fields). */
export function commitStage(stage: MetadataStage): void {
  const org = stage.org;
  const previousSchema = org.schema;
  org.metadata = stage.metadata;
  org.pathEnabled = stage.pathEnabled;
  for (const { from, to } of stage.renamedFields) {
    const [objectName = '', fromField = ''] = from.split('.');
    const toField = to.split('.')[1] ?? '';
    const object = previousSchema.objects.get(fieldHostObject(objectName).toLowerCase());
    const canonicalFrom = object?.fields.get(fromField.toLowerCase())?.name ?? fromField;
    for (const record of recordsOf(org, fieldHostObject(objectName)).values()) {
      if (canonicalFrom in record) {
        record[toField] = record[canonicalFrom];
        delete record[canonicalFrom];
      }
    }
  }
  for (const key of stage.deletedFields) {
    const [objectName = '', fieldName = ''] = key.split('.');
    const object = previousSchema.objects.get(fieldHostObject(objectName).toLowerCase());
    const canonical = object?.fields.get(fieldName)?.name;
    if (!canonical) continue;
    for (const record of recordsOf(org, object.name).values()) delete record[canonical];
  }
  for (const key of stage.deletedObjects) {
    org.records.delete(key);
    org.records.delete(key.replace(/__c$/, '__history'));
  }
  rebuildSchema(org);
  syncPermissionSetRecords(org);
}

/** Reads a component as readMetadata returns it (CustomObject with its fields). */
export function componentForRead(org: OrgState, type: string, fullName: string): XmlObject | undefined {
  const key = (type === 'CustomField' ? canonicalFieldFullName(fullName) : fullName).toLowerCase();
  const component = metadataOfType(org, type).get(key);
  if (!component) return undefined;
  const output: XmlObject = {};
  for (const [name, value] of Object.entries(component)) if (!name.startsWith('__')) output[name] = value;
  if (type === 'CustomObject') {
    const fields = [...metadataOfType(org, 'CustomField').values()]
      .filter((field) => xmlText(field.fullName).toLowerCase().startsWith(`${key}.`))
      .map((field) => {
        const copy: XmlObject = {};
        for (const [name, value] of Object.entries(field)) if (!name.startsWith('__')) copy[name] = value;
        copy.fullName = xmlText(field.fullName).split('.')[1] ?? '';
        return copy;
      });
    if (fields.length > 0) output.fields = fields;
  }
  return output;
}

/** FileProperties rows for listMetadata. */
export function listComponents(org: OrgState, type: string): Array<Record<string, unknown>> {
  const info = METADATA_TYPES[type];
  if (!info) return [];
  const userId = org.integrationUserId;
  const userName = 'Integration User';
  const rows: Array<Record<string, unknown>> = [];
  const standardObjects = type === 'CustomObject' ? ['Account', 'Contact', 'Task'] : [];
  for (const name of standardObjects) {
    if (metadataOfType(org, type).has(name.toLowerCase())) continue;
    rows.push({
      createdById: userId,
      createdByName: userName,
      createdDate: '1970-01-01T00:00:00.000Z',
      fileName: `objects/${name}.object`,
      fullName: name,
      id: '',
      lastModifiedById: userId,
      lastModifiedByName: userName,
      lastModifiedDate: '1970-01-01T00:00:00.000Z',
      manageableState: 'standard',
      type,
    });
  }
  let index = 0;
  for (const component of metadataOfType(org, type).values()) {
    index++;
    const fullName = xmlText(component.fullName);
    const audit = xmlObject(component.__audit);
    const fileName =
      type === 'CustomField'
        ? `objects/${fullName.split('.')[0]}.object`
        : type === 'PathAssistantSettings'
          ? 'settings/PathAssistant.settings'
          : type === 'LightningComponentBundle'
            ? `lwc/${fullName}`
            : `${info.directoryName}/${fullName}.${info.suffix}`;
    rows.push({
      createdById: userId,
      createdByName: userName,
      createdDate: (xmlText(audit.createdDate) || formatDateTime(org.now())).replace('+0000', 'Z'),
      fileName,
      fullName,
      id: `${type === 'CustomField' ? '00N' : '300'}${org.podCode}${String(index).padStart(10, '0')}`,
      lastModifiedById: userId,
      lastModifiedByName: userName,
      lastModifiedDate: (xmlText(audit.lastModifiedDate) || formatDateTime(org.now())).replace('+0000', 'Z'),
      manageableState: 'unmanaged',
      type,
    });
  }
  return rows;
}
