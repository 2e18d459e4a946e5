import { type XmlObject, xmlBoolean, xmlList, xmlObject, xmlText } from './salesforce-emulator-xml.js';

/** REST describe field types used by the emulator. */
export type SalesforceFieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'boolean'
  | 'double'
  | 'int'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'picklist'
  | 'multipicklist'
  | 'reference'
  | 'email'
  | 'phone'
  | 'url';

/** One picklist entry as describe returns it. */
export interface SalesforcePicklistEntry {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
}

/** A field of an sObject (standard or built from CustomField metadata). */
export interface SalesforceFieldDefinition {
  name: string;
  label: string;
  type: SalesforceFieldType;
  length: number;
  precision: number;
  scale: number;
  custom: boolean;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  defaultValue: string | number | boolean | null;
  externalId: boolean;
  unique: boolean;
  picklistValues: SalesforcePicklistEntry[];
  restrictedPicklist: boolean;
  valueSetName?: string;
  referenceTo: string[];
  relationshipName?: string;
  masterDetail: boolean;
  trackHistory: boolean;
  /** Visible without field-level security: standard fields, required fields, master-detail fields. */
  alwaysVisible: boolean;
  autoNumberFormat?: string;
  calculated: boolean;
  inlineHelpText?: string;
}

/** An sObject type. */
export interface SalesforceObjectDefinition {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
  enableActivities: boolean;
  enableHistory: boolean;
  /** Name of the `<Object>History` / `<Object>__History` sObject when history is tracked. */
  historyObjectName?: string;
  /** For history sObjects: the object whose history they hold, and the parent id field. */
  historyOf?: { object: string; parentField: string };
  fields: Map<string, SalesforceFieldDefinition>;
  autoNumberCounter?: number;
}

/** The whole schema of one org: objects by lower-case name and by key prefix. */
export interface SalesforceSchema {
  objects: Map<string, SalesforceObjectDefinition>;
  byKeyPrefix: Map<string, SalesforceObjectDefinition>;
}

type FieldSeed = Partial<SalesforceFieldDefinition> & { name: string; type: SalesforceFieldType };

function field(seed: FieldSeed): SalesforceFieldDefinition {
  const type = seed.type;
  return {
    label: seed.name.replace(/__c$/, '').replace(/_/g, ' '),
    length:
      type === 'string' || type === 'picklist'
        ? 255
        : type === 'textarea'
          ? 32000
          : type === 'id' || type === 'reference'
            ? 18
            : 0,
    precision: type === 'double' || type === 'currency' || type === 'percent' ? 18 : 0,
    scale: 0,
    custom: false,
    nillable: true,
    createable: true,
    updateable: true,
    defaultedOnCreate: false,
    defaultValue: null,
    externalId: false,
    unique: false,
    picklistValues: [],
    restrictedPicklist: false,
    referenceTo: [],
    masterDetail: false,
    trackHistory: false,
    alwaysVisible: true,
    calculated: false,
    ...seed,
  };
}

function picklist(values: string[], defaultValue?: string): SalesforcePicklistEntry[] {
  return values.map((value) => ({ value, label: value, active: true, defaultValue: value === defaultValue }));
}

const SYSTEM_FIELDS = (): FieldSeed[] => [
  {
    name: 'Id',
    type: 'id',
    label: 'Record ID',
    nillable: false,
    createable: false,
    updateable: false,
    defaultedOnCreate: true,
  },
  {
    name: 'IsDeleted',
    type: 'boolean',
    label: 'Deleted',
    nillable: false,
    createable: false,
    updateable: false,
    defaultedOnCreate: true,
  },
  {
    name: 'CreatedDate',
    type: 'datetime',
    label: 'Created Date',
    nillable: false,
    createable: false,
    updateable: false,
    defaultedOnCreate: true,
  },
  {
    name: 'CreatedById',
    type: 'reference',
    label: 'Created By ID',
    referenceTo: ['User'],
    relationshipName: 'CreatedBy',
    nillable: false,
    createable: false,
    updateable: false,
    defaultedOnCreate: true,
  },
  {
    name: 'LastModifiedDate',
    type: 'datetime',
    label: 'Last Modified Date',
    nillable: false,
    createable: false,
    updateable: false,
    defaultedOnCreate: true,
  },
  {
    name: 'LastModifiedById',
    type: 'reference',
    label: 'Last Modified By ID',
    referenceTo: ['User'],
    relationshipName: 'LastModifiedBy',
    nillable: false,
    createable: false,
    updateable: false,
    defaultedOnCreate: true,
  },
  {
    name: 'SystemModstamp',
    type: 'datetime',
    label: 'System Modstamp',
    nillable: false,
    createable: false,
    updateable: false,
    defaultedOnCreate: true,
  },
];

const OWNER_FIELD: FieldSeed = {
  name: 'OwnerId',
  type: 'reference',
  label: 'Owner ID',
  referenceTo: ['User'],
  relationshipName: 'Owner',
  nillable: false,
  defaultedOnCreate: true,
};

function objectDefinition(
  seed: Omit<Partial<SalesforceObjectDefinition>, 'fields'> & { name: string; keyPrefix: string },
  fields: FieldSeed[],
): SalesforceObjectDefinition {
  const map = new Map<string, SalesforceFieldDefinition>();
  for (const candidate of [...SYSTEM_FIELDS(), ...fields])
    map.set(candidate.name.toLowerCase(), field(candidate));
  return {
    label: seed.name,
    labelPlural: `${seed.name}s`,
    custom: false,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    enableActivities: false,
    enableHistory: false,
    ...seed,
    fields: map,
  };
}

/** Industry values of the standard Account.Industry picklist (unrestricted). */
export const ACCOUNT_INDUSTRIES = [
  'Agriculture',
  'Apparel',
  'Banking',
  'Biotechnology',
  'Chemicals',
  'Communications',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Environmental',
  'Finance',
  'Food & Beverage',
  'Government',
  'Healthcare',
  'Hospitality',
  'Insurance',
  'Machinery',
  'Manufacturing',
  'Media',
  'Not For Profit',
  'Recreation',
  'Retail',
  'Shipping',
  'Technology',
  'Telecommunications',
  'Transportation',
  'Utilities',
  'Other',
];

function historyObject(
  parent: string,
  keyPrefix: string,
  parentField: string,
  custom: boolean,
): SalesforceObjectDefinition {
  const name = custom ? parent.replace(/__c$/, '__History') : `${parent}History`;
  const definition = objectDefinition(
    {
      name,
      keyPrefix,
      label: `${parent} History`,
      labelPlural: `${parent} History`,
      createable: false,
      updateable: false,
      deletable: false,
      custom,
      historyOf: { object: parent, parentField },
    },
    [
      {
        name: parentField,
        type: 'reference',
        referenceTo: [parent],
        relationshipName: custom ? 'Parent' : parent,
        createable: false,
        updateable: false,
      },
      { name: 'Field', type: 'picklist', createable: false, updateable: false },
      { name: 'DataType', type: 'picklist', createable: false, updateable: false },
      { name: 'OldValue', type: 'string', createable: false, updateable: false },
      { name: 'NewValue', type: 'string', createable: false, updateable: false },
    ],
  );
  for (const name of ['lastmodifieddate', 'lastmodifiedbyid', 'systemmodstamp'])
    definition.fields.delete(name);
  return definition;
}

/** The standard objects every emulated org has. */
export function createStandardObjects(): SalesforceObjectDefinition[] {
  const account = objectDefinition(
    {
      name: 'Account',
      keyPrefix: '001',
      labelPlural: 'Accounts',
      enableActivities: true,
      enableHistory: true,
      historyObjectName: 'AccountHistory',
    },
    [
      { name: 'Name', type: 'string', label: 'Account Name', nillable: false },
      { name: 'AccountNumber', type: 'string', label: 'Account Number', length: 40 },
      {
        name: 'Type',
        type: 'picklist',
        label: 'Account Type',
        picklistValues: picklist([
          'Prospect',
          'Customer - Direct',
          'Customer - Channel',
          'Channel Partner / Reseller',
          'Installation Partner',
          'Technology Partner',
          'Other',
        ]),
      },
      { name: 'Industry', type: 'picklist', picklistValues: picklist(ACCOUNT_INDUSTRIES) },
      { name: 'AnnualRevenue', type: 'currency', label: 'Annual Revenue', precision: 18, scale: 0 },
      { name: 'NumberOfEmployees', type: 'int', label: 'Employees', precision: 8 },
      { name: 'Website', type: 'url' },
      { name: 'Phone', type: 'phone', label: 'Account Phone', length: 40 },
      { name: 'Description', type: 'textarea', label: 'Account Description' },
      { name: 'BillingCity', type: 'string', label: 'Billing City', length: 40 },
      { name: 'BillingCountry', type: 'string', label: 'Billing Country', length: 80 },
      {
        name: 'ParentId',
        type: 'reference',
        label: 'Parent Account ID',
        referenceTo: ['Account'],
        relationshipName: 'Parent',
      },
      OWNER_FIELD,
    ],
  );
  const contact = objectDefinition(
    {
      name: 'Contact',
      keyPrefix: '003',
      labelPlural: 'Contacts',
      enableActivities: true,
      enableHistory: true,
      historyObjectName: 'ContactHistory',
    },
    [
      { name: 'FirstName', type: 'string', label: 'First Name', length: 40 },
      { name: 'LastName', type: 'string', label: 'Last Name', length: 80, nillable: false },
      {
        name: 'Name',
        type: 'string',
        label: 'Full Name',
        length: 121,
        createable: false,
        updateable: false,
        calculated: true,
      },
      { name: 'Email', type: 'email', length: 80 },
      { name: 'Phone', type: 'phone', label: 'Business Phone', length: 40 },
      { name: 'Title', type: 'string', length: 128 },
      {
        name: 'AccountId',
        type: 'reference',
        label: 'Account ID',
        referenceTo: ['Account'],
        relationshipName: 'Account',
      },
      OWNER_FIELD,
    ],
  );
  const task = objectDefinition({ name: 'Task', keyPrefix: '00T', labelPlural: 'Tasks' }, [
    { name: 'Subject', type: 'string', length: 255 },
    {
      name: 'Status',
      type: 'picklist',
      nillable: false,
      defaultedOnCreate: true,
      defaultValue: 'Not Started',
      picklistValues: picklist(
        ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
        'Not Started',
      ),
    },
    {
      name: 'Priority',
      type: 'picklist',
      nillable: false,
      defaultedOnCreate: true,
      defaultValue: 'Normal',
      picklistValues: picklist(['High', 'Normal', 'Low'], 'Normal'),
    },
    { name: 'ActivityDate', type: 'date', label: 'Due Date Only' },
    { name: 'Description', type: 'textarea', label: 'Description' },
    {
      name: 'WhatId',
      type: 'reference',
      label: 'Related To ID',
      referenceTo: ['Account'],
      relationshipName: 'What',
    },
    { name: 'WhoId', type: 'reference', label: 'Name ID', referenceTo: ['Contact'], relationshipName: 'Who' },
    {
      name: 'IsClosed',
      type: 'boolean',
      label: 'Closed',
      createable: false,
      updateable: false,
      nillable: false,
      calculated: true,
      defaultedOnCreate: true,
    },
    OWNER_FIELD,
  ]);
  const user = objectDefinition({ name: 'User', keyPrefix: '005', labelPlural: 'Users', deletable: false }, [
    { name: 'Username', type: 'string', length: 80, nillable: false, unique: true },
    { name: 'FirstName', type: 'string', label: 'First Name', length: 40 },
    { name: 'LastName', type: 'string', label: 'Last Name', length: 80, nillable: false },
    {
      name: 'Name',
      type: 'string',
      label: 'Full Name',
      length: 121,
      createable: false,
      updateable: false,
      calculated: true,
    },
    { name: 'Email', type: 'email', length: 128, nillable: false },
    { name: 'Alias', type: 'string', length: 8 },
    { name: 'Title', type: 'string', length: 80 },
    {
      name: 'IsActive',
      type: 'boolean',
      label: 'Active',
      nillable: false,
      defaultedOnCreate: true,
      defaultValue: true,
    },
    {
      name: 'UserType',
      type: 'picklist',
      label: 'User Type',
      createable: false,
      updateable: false,
      defaultedOnCreate: true,
      picklistValues: picklist(['Standard']),
    },
  ]);
  const permissionSet = objectDefinition(
    {
      name: 'PermissionSet',
      keyPrefix: '0PS',
      labelPlural: 'Permission Sets',
      createable: false,
      updateable: false,
      deletable: false,
    },
    [
      { name: 'Name', type: 'string', length: 80, createable: false, updateable: false },
      { name: 'Label', type: 'string', length: 80, createable: false, updateable: false },
      { name: 'Description', type: 'textarea', length: 255, createable: false, updateable: false },
      { name: 'IsOwnedByProfile', type: 'boolean', createable: false, updateable: false, nillable: false },
      { name: 'NamespacePrefix', type: 'string', length: 15, createable: false, updateable: false },
    ],
  );
  const assignment = objectDefinition(
    {
      name: 'PermissionSetAssignment',
      keyPrefix: '0Pa',
      labelPlural: 'Permission Set Assignments',
      updateable: false,
    },
    [
      {
        name: 'AssigneeId',
        type: 'reference',
        label: 'Assignee ID',
        referenceTo: ['User'],
        relationshipName: 'Assignee',
        nillable: false,
        updateable: false,
      },
      {
        name: 'PermissionSetId',
        type: 'reference',
        label: 'Permission Set ID',
        referenceTo: ['PermissionSet'],
        relationshipName: 'PermissionSet',
        nillable: false,
        updateable: false,
      },
    ],
  );
  const organization = objectDefinition(
    {
      name: 'Organization',
      keyPrefix: '00D',
      labelPlural: 'Organizations',
      createable: false,
      updateable: false,
      deletable: false,
    },
    [
      { name: 'Name', type: 'string', createable: false, updateable: false },
      { name: 'OrganizationType', type: 'picklist', label: 'Edition', createable: false, updateable: false },
      { name: 'IsSandbox', type: 'boolean', createable: false, updateable: false, nillable: false },
    ],
  );
  return [
    account,
    contact,
    task,
    user,
    permissionSet,
    assignment,
    organization,
    historyObject('Account', '017', 'AccountId', false),
    historyObject('Contact', '017', 'ContactId', false),
  ];
}

/** Names of standard objects whose fields Metadata may extend (Activity is the Task/Event parent). */
export const ACTIVITY_OBJECTS = new Set(['activity', 'task']);

/** Maps a CustomField's object name to the sObject that carries it. */
export function fieldHostObject(objectName: string): string {
  return objectName.toLowerCase() === 'activity' ? 'Task' : objectName;
}

const FIELD_TYPE_MAP: Record<string, SalesforceFieldType> = {
  Text: 'string',
  TextArea: 'textarea',
  LongTextArea: 'textarea',
  Html: 'textarea',
  Number: 'double',
  Currency: 'currency',
  Percent: 'percent',
  Checkbox: 'boolean',
  Date: 'date',
  DateTime: 'datetime',
  Picklist: 'picklist',
  MultiselectPicklist: 'multipicklist',
  Lookup: 'reference',
  MasterDetail: 'reference',
  Email: 'email',
  Phone: 'phone',
  Url: 'url',
  AutoNumber: 'string',
};

/** Metadata FieldType values the emulator understands. */
export const SUPPORTED_FIELD_TYPES = new Set(Object.keys(FIELD_TYPE_MAP));

/** Reads a GlobalValueSet's values. */
export function globalValueSetEntries(component: XmlObject): SalesforcePicklistEntry[] {
  return xmlList(component.customValue).map((raw) => {
    const value = xmlObject(raw);
    return {
      value: xmlText(value.fullName),
      label: xmlText(value.label) || xmlText(value.fullName),
      active: xmlText(value.isActive) !== 'false',
      defaultValue: xmlBoolean(value.default),
    };
  });
}

/** Turns CustomField metadata into a field definition (values of a global value set resolved by the caller). */
export function fieldFromMetadata(
  fieldName: string,
  component: XmlObject,
  globalValueSets: (name: string) => XmlObject | undefined,
): SalesforceFieldDefinition {
  const metadataType = xmlText(component.type);
  const type = FIELD_TYPE_MAP[metadataType] ?? 'string';
  const required = xmlBoolean(component.required);
  const masterDetail = metadataType === 'MasterDetail';
  const valueSet = xmlObject(component.valueSet);
  const valueSetName = xmlText(valueSet.valueSetName) || undefined;
  let picklistValues: SalesforcePicklistEntry[] = [];
  if (valueSetName) {
    const set = globalValueSets(valueSetName);
    picklistValues = set ? globalValueSetEntries(set) : [];
  } else {
    const definition = xmlObject(valueSet.valueSetDefinition);
    picklistValues = xmlList(definition.value).map((raw) => {
      const value = xmlObject(raw);
      return {
        value: xmlText(value.fullName),
        label: xmlText(value.label) || xmlText(value.fullName),
        active: xmlText(value.isActive) !== 'false',
        defaultValue: xmlBoolean(value.default),
      };
    });
  }
  const relationshipName = xmlText(component.relationshipName);
  const isCheckbox = metadataType === 'Checkbox';
  const isAutoNumber = metadataType === 'AutoNumber';
  const precision = Number(
    xmlText(component.precision) || (type === 'double' || type === 'currency' || type === 'percent' ? 18 : 0),
  );
  const scale = Number(xmlText(component.scale) || 0);
  const lengthText = xmlText(component.length);
  const defaultPicklist = picklistValues.find((entry) => entry.defaultValue);
  return field({
    name: fieldName,
    label: xmlText(component.label) || fieldName,
    type,
    custom: true,
    length: lengthText
      ? Number(lengthText)
      : type === 'string'
        ? 255
        : type === 'textarea'
          ? metadataType === 'TextArea'
            ? 255
            : 32768
          : type === 'reference'
            ? 18
            : type === 'picklist' || type === 'multipicklist'
              ? 255
              : type === 'email'
                ? 80
                : type === 'phone'
                  ? 40
                  : type === 'url'
                    ? 255
                    : 0,
    precision,
    scale,
    nillable: !(required || masterDetail || isCheckbox),
    createable: !isAutoNumber,
    updateable: !isAutoNumber && !(masterDetail && !xmlBoolean(component.reparentableMasterDetail)),
    defaultedOnCreate: isCheckbox || isAutoNumber || Boolean(defaultPicklist),
    defaultValue: isCheckbox ? xmlBoolean(component.defaultValue) : (defaultPicklist?.value ?? null),
    externalId: xmlBoolean(component.externalId),
    unique: xmlBoolean(component.unique),
    picklistValues,
    restrictedPicklist: Boolean(valueSetName) || xmlBoolean(valueSet.restricted),
    ...(valueSetName ? { valueSetName } : {}),
    referenceTo: type === 'reference' ? [xmlText(component.referenceTo)] : [],
    ...(type === 'reference'
      ? { relationshipName: `${relationshipName || fieldName.replace(/__c$/, '')}__r` }
      : {}),
    masterDetail,
    trackHistory: xmlBoolean(component.trackHistory),
    alwaysVisible: required || masterDetail,
    ...(isAutoNumber ? { autoNumberFormat: xmlText(component.displayFormat) || 'A-{0000}' } : {}),
    ...(xmlText(component.inlineHelpText) ? { inlineHelpText: xmlText(component.inlineHelpText) } : {}),
  });
}

/** Builds a custom object's definition from CustomObject metadata (fields are added separately). */
export function customObjectFromMetadata(
  name: string,
  component: XmlObject,
  keyPrefix: string,
): SalesforceObjectDefinition {
  const nameField = xmlObject(component.nameField);
  const autoNumber = xmlText(nameField.type) === 'AutoNumber';
  const controlledByParent = xmlText(component.sharingModel) === 'ControlledByParent';
  const fields: FieldSeed[] = [
    {
      name: 'Name',
      type: 'string',
      label: xmlText(nameField.label) || 'Name',
      length: 80,
      nillable: autoNumber,
      createable: !autoNumber,
      updateable: !autoNumber,
      defaultedOnCreate: autoNumber,
      ...(autoNumber ? { autoNumberFormat: xmlText(nameField.displayFormat) || 'A-{0000}' } : {}),
    },
  ];
  if (!controlledByParent) fields.push(OWNER_FIELD);
  const enableHistory = xmlBoolean(component.enableHistory);
  return objectDefinition(
    {
      name,
      keyPrefix,
      custom: true,
      label: xmlText(component.label) || name,
      labelPlural: xmlText(component.pluralLabel) || xmlText(component.label) || name,
      enableActivities: xmlBoolean(component.enableActivities),
      enableHistory,
      ...(enableHistory ? { historyObjectName: name.replace(/__c$/, '__History') } : {}),
    },
    fields,
  );
}

/** Builds the history sObject for a custom object with history enabled. */
export function customHistoryObject(parent: string, keyPrefix: string): SalesforceObjectDefinition {
  return historyObject(parent, keyPrefix, 'ParentId', true);
}
