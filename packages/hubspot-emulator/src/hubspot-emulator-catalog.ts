/**
 * HubSpot-defined object types, default properties, default pipelines and association types that every
 * portal starts with. Scopes come from the spec `security` blocks (research: hubspot-api.md §1.11);
 * association type ids from `AssociationTypes` of `@hubspot/api-client` (§1.4); default pipelines are
 * the ones a new HubSpot portal has ("Sales Pipeline" `default`, "Support Pipeline" `0`).
 */
import type {
  HubSpotObjectTypeInfo,
  HubSpotPipeline,
  HubSpotPropertyDefinition,
  HubSpotPropertyGroup,
  HubSpotPropertyOption,
} from './hubspot-emulator-types.js';

const commonDefaults = ['createdate', 'hs_lastmodifieddate', 'hs_object_id'];

/** The HubSpot-defined object types the emulator serves. */
export const STANDARD_OBJECT_TYPES: readonly HubSpotObjectTypeInfo[] = [
  {
    objectTypeId: '0-1',
    name: 'contacts',
    webhookName: 'contact',
    singularLabel: 'Contact',
    pluralLabel: 'Contacts',
    custom: false,
    hasPipelines: false,
    requiredProperties: [],
    searchableProperties: ['email', 'firstname', 'lastname'],
    defaultProperties: ['email', 'firstname', 'lastname', ...commonDefaults],
    readScopes: ['crm.objects.contacts.read'],
    writeScopes: ['crm.objects.contacts.write'],
    schemaReadScopes: ['crm.schemas.contacts.read', 'crm.objects.contacts.read'],
    schemaWriteScopes: ['crm.schemas.contacts.write'],
    createdDateProperty: 'createdate',
  },
  {
    objectTypeId: '0-2',
    name: 'companies',
    webhookName: 'company',
    singularLabel: 'Company',
    pluralLabel: 'Companies',
    custom: false,
    hasPipelines: false,
    requiredProperties: [],
    searchableProperties: ['name', 'domain', 'website', 'phone'],
    defaultProperties: ['name', 'domain', ...commonDefaults],
    readScopes: ['crm.objects.companies.read'],
    writeScopes: ['crm.objects.companies.write'],
    schemaReadScopes: ['crm.schemas.companies.read', 'crm.objects.companies.read'],
    schemaWriteScopes: ['crm.schemas.companies.write'],
    createdDateProperty: 'createdate',
  },
  {
    objectTypeId: '0-3',
    name: 'deals',
    webhookName: 'deal',
    singularLabel: 'Deal',
    pluralLabel: 'Deals',
    custom: false,
    hasPipelines: true,
    requiredProperties: [],
    searchableProperties: ['dealname'],
    defaultProperties: ['dealname', 'amount', 'closedate', 'pipeline', 'dealstage', ...commonDefaults],
    readScopes: ['crm.objects.deals.read'],
    writeScopes: ['crm.objects.deals.write'],
    schemaReadScopes: ['crm.schemas.deals.read', 'crm.objects.deals.read'],
    schemaWriteScopes: ['crm.schemas.deals.write'],
    pipelineProperty: 'pipeline',
    stageProperty: 'dealstage',
    createdDateProperty: 'createdate',
  },
  {
    objectTypeId: '0-5',
    name: 'tickets',
    webhookName: 'ticket',
    singularLabel: 'Ticket',
    pluralLabel: 'Tickets',
    custom: false,
    hasPipelines: true,
    requiredProperties: [],
    searchableProperties: ['subject', 'content'],
    defaultProperties: [
      'subject',
      'content',
      'hs_pipeline',
      'hs_pipeline_stage',
      'hs_ticket_category',
      'hs_ticket_priority',
      ...commonDefaults,
    ],
    readScopes: ['tickets', 'crm.objects.tickets.read'],
    writeScopes: ['tickets', 'crm.objects.tickets.write'],
    schemaReadScopes: ['tickets', 'crm.schemas.tickets.read'],
    schemaWriteScopes: ['tickets', 'crm.schemas.tickets.write'],
    pipelineProperty: 'hs_pipeline',
    stageProperty: 'hs_pipeline_stage',
    createdDateProperty: 'createdate',
  },
  {
    objectTypeId: '0-27',
    name: 'tasks',
    webhookName: 'object',
    singularLabel: 'Task',
    pluralLabel: 'Tasks',
    custom: false,
    hasPipelines: false,
    // hs_timestamp (the due date) is required on create (research §1.4).
    requiredProperties: ['hs_timestamp'],
    searchableProperties: ['hs_task_subject', 'hs_task_body'],
    defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    // The tasks spec asks for the contacts scopes, not a tasks scope (research §0.10).
    readScopes: ['crm.objects.contacts.read'],
    writeScopes: ['crm.objects.contacts.write'],
    schemaReadScopes: ['crm.objects.contacts.read'],
    schemaWriteScopes: ['crm.objects.contacts.write'],
    createdDateProperty: 'hs_createdate',
  },
];

/** Every scope the emulator knows; the default portal's token holds all of them. */
export const ALL_SCOPES: readonly string[] = [
  ...new Set([
    ...STANDARD_OBJECT_TYPES.flatMap((info) => [
      ...info.readScopes,
      ...info.writeScopes,
      ...info.schemaReadScopes,
      ...info.schemaWriteScopes,
    ]),
    'crm.objects.custom.read',
    'crm.objects.custom.write',
    'crm.schemas.custom.read',
    'crm.schemas.custom.write',
    'crm.objects.owners.read',
    'automation',
    'oauth',
  ]),
];

/** Scopes of custom object types. */
export const CUSTOM_OBJECT_SCOPES = {
  read: ['crm.objects.custom.read'],
  write: ['crm.objects.custom.write'],
  schemaRead: ['crm.schemas.custom.read', 'crm.objects.custom.read'],
  schemaWrite: ['crm.schemas.custom.write'],
};

/** Builds an option list from values and labels. */
export function options(
  pairs: readonly (readonly [value: string, label: string])[],
): HubSpotPropertyOption[] {
  return pairs.map(([value, label], displayOrder) => ({
    label,
    value,
    description: '',
    displayOrder,
    hidden: false,
  }));
}

interface DefinitionInput {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  options?: HubSpotPropertyOption[];
  readOnlyValue?: boolean;
  hasUniqueValue?: boolean;
  externalOptions?: boolean;
  referencedObjectType?: string;
  calculated?: boolean;
  numberDisplayHint?: string;
}

/** A HubSpot-defined property definition. */
export function hubSpotDefinedProperty(input: DefinitionInput, now: string): HubSpotPropertyDefinition {
  return {
    name: input.name,
    label: input.label,
    type: input.type,
    fieldType: input.fieldType,
    groupName: input.groupName,
    description: '',
    options: input.options ?? [],
    displayOrder: -1,
    hidden: false,
    formField: false,
    hasUniqueValue: input.hasUniqueValue ?? false,
    hubspotDefined: true,
    calculated: input.calculated ?? false,
    externalOptions: input.externalOptions ?? false,
    archived: false,
    createdAt: now,
    updatedAt: now,
    ...(input.referencedObjectType ? { referencedObjectType: input.referencedObjectType } : {}),
    ...(input.numberDisplayHint ? { numberDisplayHint: input.numberDisplayHint } : {}),
    modificationMetadata: {
      archivable: false,
      readOnlyDefinition: true,
      readOnlyValue: input.readOnlyValue ?? false,
    },
  };
}

const lifecycleStages = options([
  ['subscriber', 'Subscriber'],
  ['lead', 'Lead'],
  ['marketingqualifiedlead', 'Marketing Qualified Lead'],
  ['salesqualifiedlead', 'Sales Qualified Lead'],
  ['opportunity', 'Opportunity'],
  ['customer', 'Customer'],
  ['evangelist', 'Evangelist'],
  ['other', 'Other'],
]);

/** A subset of HubSpot's industry option list (the real one has ~150 values in the same style). */
export const INDUSTRY_OPTIONS = options([
  ['ACCOUNTING', 'Accounting'],
  ['BANKING', 'Banking'],
  ['COMPUTER_SOFTWARE', 'Computer Software'],
  ['CONSTRUCTION', 'Construction'],
  ['EDUCATION_MANAGEMENT', 'Education Management'],
  ['FINANCIAL_SERVICES', 'Financial Services'],
  ['HOSPITAL_HEALTH_CARE', 'Hospital & Health Care'],
  ['INFORMATION_TECHNOLOGY_AND_SERVICES', 'Information Technology and Services'],
  ['INSURANCE', 'Insurance'],
  ['INTERNET', 'Internet'],
  ['LOGISTICS_AND_SUPPLY_CHAIN', 'Logistics and Supply Chain'],
  ['MANAGEMENT_CONSULTING', 'Management Consulting'],
  ['MARKETING_AND_ADVERTISING', 'Marketing and Advertising'],
  ['NONPROFIT_ORGANIZATION_MANAGEMENT', 'Non-Profit Organization Management'],
  ['REAL_ESTATE', 'Real Estate'],
  ['RETAIL', 'Retail'],
  ['TELECOMMUNICATIONS', 'Telecommunications'],
]);

type Row = [name: string, label: string, type: string, fieldType: string, extra?: Partial<DefinitionInput>];

const ownerRow: Row = [
  'hubspot_owner_id',
  'Owner',
  'enumeration',
  'select',
  { externalOptions: true, referencedObjectType: 'OWNER' },
];
const commonRows = (createdDate: string): Row[] => [
  [createdDate, 'Create Date', 'datetime', 'date', { readOnlyValue: true }],
  ['hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', { readOnlyValue: true }],
  ['hs_object_id', 'Record ID', 'number', 'number', { readOnlyValue: true, hasUniqueValue: true }],
  ownerRow,
];

const defaultRows: Record<string, { group: [string, string]; rows: Row[] }> = {
  '0-1': {
    group: ['contactinformation', 'Contact information'],
    rows: [
      ['email', 'Email', 'string', 'text', { hasUniqueValue: true }],
      ['firstname', 'First Name', 'string', 'text'],
      ['lastname', 'Last Name', 'string', 'text'],
      ['phone', 'Phone Number', 'string', 'phonenumber'],
      ['jobtitle', 'Job Title', 'string', 'text'],
      ['lifecyclestage', 'Lifecycle Stage', 'enumeration', 'radio', { options: lifecycleStages }],
      ...commonRows('createdate'),
    ],
  },
  '0-2': {
    group: ['companyinformation', 'Company information'],
    rows: [
      ['name', 'Company name', 'string', 'text'],
      ['domain', 'Company Domain Name', 'string', 'text'],
      ['website', 'Website URL', 'string', 'text'],
      ['industry', 'Industry', 'enumeration', 'select', { options: INDUSTRY_OPTIONS }],
      ['annualrevenue', 'Annual Revenue', 'number', 'number', { numberDisplayHint: 'currency' }],
      ['numberofemployees', 'Number of Employees', 'number', 'number'],
      ['city', 'City', 'string', 'text'],
      ['country', 'Country/Region', 'string', 'text'],
      ['phone', 'Phone Number', 'string', 'phonenumber'],
      ['description', 'Description', 'string', 'textarea'],
      ['lifecyclestage', 'Lifecycle Stage', 'enumeration', 'radio', { options: lifecycleStages }],
      [
        'type',
        'Type',
        'enumeration',
        'select',
        {
          options: options([
            ['PROSPECT', 'Prospect'],
            ['PARTNER', 'Partner'],
            ['RESELLER', 'Reseller'],
            ['VENDOR', 'Vendor'],
            ['OTHER', 'Other'],
          ]),
        },
      ],
      ...commonRows('createdate'),
    ],
  },
  '0-3': {
    group: ['dealinformation', 'Deal information'],
    rows: [
      ['dealname', 'Deal Name', 'string', 'text'],
      ['amount', 'Amount', 'number', 'number', { numberDisplayHint: 'currency' }],
      ['closedate', 'Close Date', 'datetime', 'date'],
      ['pipeline', 'Pipeline', 'enumeration', 'select', { externalOptions: true }],
      ['dealstage', 'Deal Stage', 'enumeration', 'radio', { externalOptions: true }],
      [
        'dealtype',
        'Deal Type',
        'enumeration',
        'radio',
        {
          options: options([
            ['newbusiness', 'New Business'],
            ['existingbusiness', 'Existing Business'],
          ]),
        },
      ],
      ['description', 'Deal Description', 'string', 'textarea'],
      ...commonRows('createdate'),
    ],
  },
  '0-5': {
    group: ['ticketinformation', 'Ticket information'],
    rows: [
      ['subject', 'Ticket name', 'string', 'text'],
      ['content', 'Ticket description', 'string', 'textarea'],
      ['hs_pipeline', 'Pipeline', 'enumeration', 'select', { externalOptions: true }],
      ['hs_pipeline_stage', 'Ticket status', 'enumeration', 'select', { externalOptions: true }],
      [
        'hs_ticket_priority',
        'Priority',
        'enumeration',
        'select',
        {
          options: options([
            ['LOW', 'Low'],
            ['MEDIUM', 'Medium'],
            ['HIGH', 'High'],
            ['URGENT', 'Urgent'],
          ]),
        },
      ],
      [
        'hs_ticket_category',
        'Category',
        'enumeration',
        'checkbox',
        {
          options: options([
            ['PRODUCT_ISSUE', 'Product issue'],
            ['BILLING_ISSUE', 'Billing issue'],
            ['FEATURE_REQUEST', 'Feature request'],
            ['GENERAL_INQUIRY', 'General inquiry'],
          ]),
        },
      ],
      ...commonRows('createdate'),
    ],
  },
  '0-27': {
    group: ['taskinformation', 'Task information'],
    rows: [
      ['hs_timestamp', 'Due date', 'datetime', 'date'],
      ['hs_task_subject', 'Task Title', 'string', 'text'],
      ['hs_task_body', 'Notes', 'string', 'html'],
      [
        'hs_task_status',
        'Task Status',
        'enumeration',
        'select',
        {
          options: options([
            ['NOT_STARTED', 'Not Started'],
            ['IN_PROGRESS', 'In Progress'],
            ['WAITING', 'Waiting'],
            ['COMPLETED', 'Completed'],
            ['DEFERRED', 'Deferred'],
          ]),
        },
      ],
      [
        'hs_task_priority',
        'Priority',
        'enumeration',
        'select',
        {
          options: options([
            ['NONE', 'None'],
            ['LOW', 'Low'],
            ['MEDIUM', 'Medium'],
            ['HIGH', 'High'],
          ]),
        },
      ],
      [
        'hs_task_type',
        'Task Type',
        'enumeration',
        'select',
        {
          options: options([
            ['EMAIL', 'Email'],
            ['CALL', 'Call'],
            ['TODO', 'To-do'],
            ['LINKED_IN', 'LinkedIn'],
          ]),
        },
      ],
      ['hs_task_reminders', 'Reminder', 'string', 'text'],
      ...commonRows('hs_createdate'),
    ],
  },
};

/** The HubSpot-defined groups and properties of a standard object type. */
export function defaultPropertiesOf(
  objectTypeId: string,
  now: string,
): { groups: HubSpotPropertyGroup[]; properties: HubSpotPropertyDefinition[] } {
  const entry = defaultRows[objectTypeId];
  if (!entry) return { groups: [], properties: [] };
  const [groupName, groupLabel] = entry.group;
  return {
    groups: [{ name: groupName, label: groupLabel, displayOrder: -1, archived: false }],
    properties: entry.rows.map(([name, label, type, fieldType, extra]) =>
      hubSpotDefinedProperty({ name, label, type, fieldType, groupName, ...extra }, now),
    ),
  };
}

/** The HubSpot-defined properties of a new custom object type. */
export function customObjectDefaultProperties(groupName: string, now: string): HubSpotPropertyDefinition[] {
  return [
    ['hs_createdate', 'Create Date', 'datetime', 'date', { readOnlyValue: true }],
    ['hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', { readOnlyValue: true }],
    ['hs_object_id', 'Record ID', 'number', 'number', { readOnlyValue: true, hasUniqueValue: true }],
    ['hs_pipeline', 'Pipeline', 'enumeration', 'select', { externalOptions: true }],
    ['hs_pipeline_stage', 'Pipeline stage', 'enumeration', 'select', { externalOptions: true }],
    ownerRow,
  ].map(([name, label, type, fieldType, extra]) =>
    hubSpotDefinedProperty(
      { name, label, type, fieldType, groupName, ...(extra as Partial<DefinitionInput>) } as DefinitionInput,
      now,
    ),
  );
}

/** The pipelines a new portal has. */
export function defaultPipelinesOf(objectTypeId: string, now: string): HubSpotPipeline[] {
  const stage = (id: string, label: string, displayOrder: number, metadata: Record<string, string>) => ({
    id,
    label,
    displayOrder,
    metadata,
    archived: false,
    createdAt: now,
    updatedAt: now,
    writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
  });
  if (objectTypeId === '0-3') {
    const deal = (id: string, label: string, order: number, probability: string) =>
      stage(id, label, order, {
        isClosed: String(probability === '1.0' || probability === '0.0'),
        probability,
      });
    return [
      {
        id: 'default',
        label: 'Sales Pipeline',
        displayOrder: 0,
        archived: false,
        createdAt: now,
        updatedAt: now,
        stages: [
          deal('appointmentscheduled', 'Appointment Scheduled', 0, '0.2'),
          deal('qualifiedtobuy', 'Qualified To Buy', 1, '0.4'),
          deal('presentationscheduled', 'Presentation Scheduled', 2, '0.6'),
          deal('decisionmakerboughtin', 'Decision Maker Bought-In', 3, '0.8'),
          deal('contractsent', 'Contract Sent', 4, '0.9'),
          deal('closedwon', 'Closed Won', 5, '1.0'),
          deal('closedlost', 'Closed Lost', 6, '0.0'),
        ],
      },
    ];
  }
  if (objectTypeId === '0-5') {
    return [
      {
        id: '0',
        label: 'Support Pipeline',
        displayOrder: 0,
        archived: false,
        createdAt: now,
        updatedAt: now,
        stages: [
          stage('1', 'New', 0, { ticketState: 'OPEN' }),
          stage('2', 'Waiting on contact', 1, { ticketState: 'OPEN' }),
          stage('3', 'Waiting on us', 2, { ticketState: 'OPEN' }),
          stage('4', 'Closed', 3, { ticketState: 'CLOSED' }),
        ],
      },
    ];
  }
  return [];
}

/**
 * HUBSPOT_DEFINED association types between standard objects: [from, to, unlabeled type id, primary type id?].
 * Values from the `AssociationTypes` enum exported by `@hubspot/api-client` 14.
 */
export const DEFAULT_ASSOCIATION_TYPES: readonly [
  from: string,
  to: string,
  typeId: number,
  primaryTypeId?: number,
][] = [
  ['0-1', '0-2', 279, 1],
  ['0-2', '0-1', 280, 2],
  ['0-3', '0-1', 3],
  ['0-1', '0-3', 4],
  ['0-3', '0-2', 341, 5],
  ['0-2', '0-3', 342, 6],
  ['0-1', '0-5', 15],
  ['0-5', '0-1', 16],
  ['0-5', '0-2', 339, 26],
  ['0-2', '0-5', 340, 25],
  ['0-3', '0-5', 27],
  ['0-5', '0-3', 28],
  ['0-27', '0-1', 204],
  ['0-1', '0-27', 203],
  ['0-27', '0-2', 192],
  ['0-2', '0-27', 191],
  ['0-27', '0-3', 216],
  ['0-3', '0-27', 215],
  ['0-27', '0-5', 230],
  ['0-5', '0-27', 229],
];

/** Pipelines allowed per tier for deals and tickets (HubSpot product catalog; not in the research file). */
export const PIPELINE_LIMITS: Record<string, number> = {
  free: 1,
  starter: 2,
  professional: 15,
  enterprise: 100,
};
/** Custom properties allowed per object type (the same on every tier in the limits API examples). */
export const CUSTOM_PROPERTY_LIMIT = 1000;
/** Custom object types allowed on Enterprise. */
export const CUSTOM_OBJECT_TYPE_LIMIT = 10;
