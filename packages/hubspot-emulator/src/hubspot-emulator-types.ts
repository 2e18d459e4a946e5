/**
 * The emulator's state shapes. They mirror HubSpot's wire shapes (research: hubspot-api.md §1.1–§1.8)
 * closely enough that handlers can answer with copies of them.
 */

/** A HubSpot subscription tier. Several APIs are tier-gated (custom objects: Enterprise; workflows: Professional). */
export type HubSpotTier = 'free' | 'starter' | 'professional' | 'enterprise';

/** One option of an enumeration property. */
export interface HubSpotPropertyOption {
  label: string;
  value: string;
  description: string;
  displayOrder: number;
  hidden: boolean;
}

/** A property definition, shaped like HubSpot's `Property`. */
export interface HubSpotPropertyDefinition {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description: string;
  options: HubSpotPropertyOption[];
  displayOrder: number;
  hidden: boolean;
  formField: boolean;
  hasUniqueValue: boolean;
  hubspotDefined: boolean;
  calculated: boolean;
  externalOptions: boolean;
  archived: boolean;
  archivedAt?: string;
  createdAt: string;
  updatedAt: string;
  referencedObjectType?: string;
  dataSensitivity?: string;
  numberDisplayHint?: string;
  textDisplayHint?: string;
  showCurrencySymbol?: boolean;
  calculationFormula?: string;
  modificationMetadata: {
    archivable: boolean;
    readOnlyDefinition: boolean;
    readOnlyValue: boolean;
    readOnlyOptions?: boolean;
  };
}

/** A property group. */
export interface HubSpotPropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

/** A pipeline stage. `metadata` values are strings, as in HubSpot. */
export interface HubSpotPipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  metadata: Record<string, string>;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  writePermissions: string;
}

/** A pipeline with its stages. */
export interface HubSpotPipeline {
  id: string;
  label: string;
  displayOrder: number;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  stages: HubSpotPipelineStage[];
}

/** One past value of a property. */
export interface HubSpotHistoryEntry {
  value: string;
  timestamp: string;
  sourceType: string;
  sourceId?: string;
}

/** A CRM record. Values are strings (or null once cleared), as HubSpot stores them. */
export interface HubSpotRecord {
  id: string;
  properties: Record<string, string | null>;
  /**
   * Past values, only for properties changed after creation (the first entry of each list is the value
   * set at creation); keeping it sparse is what lets 100,000 companies fit in memory.
   */
  history?: Record<string, HubSpotHistoryEntry[]>;
  createdSource: string;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/** What the emulator knows about one object type (standard or custom). */
export interface HubSpotObjectTypeInfo {
  objectTypeId: string;
  /** The plural path name (`companies`) or the custom object's name. */
  name: string;
  /** Used in webhook subscription types (`company.creation`); `object` for the generic family. */
  webhookName: string;
  singularLabel: string;
  pluralLabel: string;
  custom: boolean;
  hasPipelines: boolean;
  requiredProperties: string[];
  searchableProperties: string[];
  defaultProperties: string[];
  readScopes: string[];
  writeScopes: string[];
  schemaReadScopes: string[];
  schemaWriteScopes: string[];
  /** Properties that hold the pipeline and the stage (deals: pipeline/dealstage). */
  pipelineProperty?: string;
  stageProperty?: string;
  createdDateProperty: string;
}

/** An association between two records, with its types. */
export interface HubSpotAssociationType {
  associationCategory: 'HUBSPOT_DEFINED' | 'USER_DEFINED' | 'INTEGRATOR_DEFINED' | 'WORK';
  associationTypeId: number;
  label: string | null;
}

/** An association label definition between two object types. */
export interface HubSpotAssociationLabel {
  category: HubSpotAssociationType['associationCategory'];
  typeId: number;
  inverseTypeId: number;
  label: string | null;
  inverseLabel: string | null;
}

/** A custom object schema as stored. */
export interface HubSpotObjectSchema {
  id: string;
  objectTypeId: string;
  name: string;
  fullyQualifiedName: string;
  description?: string;
  labels: { singular: string; plural: string };
  primaryDisplayProperty?: string;
  secondaryDisplayProperties: string[];
  searchableProperties: string[];
  requiredProperties: string[];
  associatedObjects: string[];
  associations: { id: string; fromObjectTypeId: string; toObjectTypeId: string; name: string }[];
  allowsSensitiveProperties: boolean;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}

/** An owner (a user who can own records). */
export interface HubSpotOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  teams: { id: string; name: string; primary: boolean }[];
}

/** A workflow (automation v4 flow) as stored: the request body plus the fields HubSpot adds. */
export interface HubSpotFlow {
  id: string;
  revisionId: string;
  createdAt: string;
  updatedAt: string;
  body: Record<string, unknown>;
}

/** A webhook subscription of an app. */
export interface HubSpotWebhookSubscription {
  id: string;
  eventType: string;
  propertyName?: string;
  objectTypeId?: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A webhook event as HubSpot posts it. */
export interface HubSpotWebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  objectTypeId?: string;
  propertyName?: string;
  propertyValue?: string;
  changeSource: string;
  sourceId?: string;
}

/** One delivery attempt of a batch of webhook events. */
export interface HubSpotWebhookDelivery {
  appId: number;
  url: string;
  events: HubSpotWebhookEvent[];
  attempt: number;
  /** HTTP status of the target's answer; 0 when the connection failed. */
  status: number;
  at: string;
  headers: Record<string, string>;
  body: string;
}
