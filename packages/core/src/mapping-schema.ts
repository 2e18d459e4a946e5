/**
 * The mapping file format (`kind: Mapping`): which CRM field holds each journey fact, where each
 * journey output is written, and how enum values translate. Optional: without one, adapters use
 * their defaults (fact key = field name, outputs in fields Milepost creates).
 */
import { z } from 'zod';
import { keySchema } from './journey-schema.js';

/** The CRMs Milepost targets. */
export const MAPPING_TARGETS = ['hubspot', 'salesforce'] as const;
/** A CRM Milepost targets. */
export type MappingTarget = (typeof MAPPING_TARGETS)[number];

/**
 * The journey state outputs an adapter writes onto the customer record. Per-milestone achieved dates
 * are `milestone.<milestone key>`.
 */
export const JOURNEY_OUTPUTS = [
  'stage',
  'stageEnteredAt',
  'daysInStage',
  'sla',
  'nextMilestone',
  'owner',
  'journeyVersion',
  'cycle',
] as const;
/** A journey state output written onto the customer record. */
export type JourneyOutput = (typeof JOURNEY_OUTPUTS)[number] | `milestone.${string}`;

const fieldMappingSchema = z.strictObject({
  /** The CRM field's internal name (HubSpot property name, Salesforce field API name). */
  field: z.string().min(1, 'must name a CRM field'),
  /** The CRM object holding the field, when not the customer record (e.g. `companies`, `Account`). */
  object: z.string().min(1).optional(),
  /** Journey value → CRM value, for enums whose CRM options differ. */
  values: z.record(z.string(), z.string()).optional(),
});

/** One mapped field. */
export type FieldMapping = z.infer<typeof fieldMappingSchema>;

export const mappingSchema = z.strictObject({
  apiVersion: z.literal('milepost/v1'),
  kind: z.literal('Mapping'),
  /** The key of the journey this mapping is for. */
  journey: keySchema,
  target: z.enum(MAPPING_TARGETS),
  /** The customer record object (default: HubSpot `companies`, Salesforce `Account`). */
  object: z.string().min(1).optional(),
  /** Where each journey cycle lives (HubSpot: `tickets` by default, `deals`, or a custom object). */
  cycleObject: z.string().min(1).optional(),
  facts: z.record(keySchema, fieldMappingSchema).default({}),
  outputs: z.record(z.string(), fieldMappingSchema).default({}),
  /** Write an empty value over a CRM value when the journey has none (default false). */
  writeNulls: z.boolean().optional(),
});

/** A field mapping for one journey and one CRM. */
export type Mapping = z.infer<typeof mappingSchema>;
