/**
 * The journey file format (`apiVersion: milepost/v1`, `kind: Journey`): zod schemas and the
 * TypeScript types inferred from them. This shape is a contract that other tools read; new fields
 * are optional and existing keys keep their meaning.
 */
import { z } from 'zod';

const KEY_PATTERN = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

/** A stable identifier: lower case letters and digits, words joined by `-` or `_`. */
export const keySchema = z
  .string()
  .regex(KEY_PATTERN, 'use lower case letters and digits, words joined by "-" or "_" (e.g. "kickoff-held")')
  .max(60, 'a key is at most 60 characters');

const nameSchema = z.string().min(1, 'must not be empty').max(200);
const textSchema = z.string().max(5000);

/** The operators both CRMs can express natively. */
export const CRITERION_OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'notIn',
  'isSet',
  'isNotSet',
] as const;
/** A comparison operator of a criterion leaf. */
export type CriterionOperator = (typeof CRITERION_OPERATORS)[number];

/** A value a criterion compares a fact with. */
export type CriterionValue = string | number | boolean | Array<string | number>;

/** A leaf: one fact compared with a value. */
export interface FactCriterion {
  fact: string;
  op: CriterionOperator;
  value?: CriterionValue;
}
/** Structured success criteria: never strings, so both CRMs can translate them. */
export type Criteria = { all: Criteria[] } | { any: Criteria[] } | { not: Criteria } | FactCriterion;

const criterionValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number()])),
]);

/** Schema of {@link Criteria}. */
export const criteriaSchema: z.ZodType<Criteria> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(criteriaSchema).min(1, 'needs at least one criterion') }),
    z.strictObject({ any: z.array(criteriaSchema).min(1, 'needs at least one criterion') }),
    z.strictObject({ not: criteriaSchema }),
    z.strictObject({
      fact: keySchema,
      op: z.enum(CRITERION_OPERATORS),
      value: criterionValueSchema.optional(),
    }),
  ]),
);

/** The kinds of value a fact holds. */
export const FACT_TYPES = ['number', 'currency', 'date', 'boolean', 'enum', 'string'] as const;
/** A fact's value type. */
export type FactType = (typeof FACT_TYPES)[number];

export const teamSchema = z.strictObject({
  key: keySchema,
  name: nameSchema,
  description: textSchema.optional(),
});

export const personaSchema = z.strictObject({
  key: keySchema,
  name: nameSchema,
  description: textSchema.optional(),
  /** What success means for this persona, in the customer's words. */
  success: textSchema.optional(),
  /** The stages this persona goes through, in order; all stages when omitted. */
  path: z.array(keySchema).min(1, 'a path needs at least one stage').optional(),
});

export const factSchema = z.strictObject({
  key: keySchema,
  type: z.enum(FACT_TYPES),
  label: nameSchema.optional(),
  description: textSchema.optional(),
  /** The allowed values of an `enum` fact. */
  values: z.array(z.string().min(1)).min(1, 'an enum needs at least one value').optional(),
});

export const metricSchema = z.strictObject({
  key: keySchema,
  name: nameSchema,
  /** The fact that holds the metric's value. */
  fact: keySchema,
  description: textSchema.optional(),
  /** A target value, shown next to the metric. */
  target: z.number().optional(),
});

export const TOUCHPOINT_CHANNELS = [
  'email',
  'call',
  'meeting',
  'in-app',
  'webinar',
  'training',
  'support',
  'survey',
  'event',
  'community',
  'document',
  'web',
  'chat',
  'other',
] as const;

export const touchpointSchema = z.strictObject({
  key: keySchema,
  name: nameSchema,
  channel: z.enum(TOUCHPOINT_CHANNELS),
  owner: keySchema.optional(),
  description: textSchema.optional(),
});

export const milestoneSchema = z.strictObject({
  key: keySchema,
  name: nameSchema,
  description: textSchema.optional(),
  /** The clear definition of success, in words, shown to people. */
  success: textSchema.optional(),
  /** The personas this milestone applies to; all when omitted. */
  personas: z.array(keySchema).min(1).optional(),
  /** When the milestone is achieved; a milestone without criteria is recorded by hand. */
  criteria: criteriaSchema.optional(),
});

export const handoffSchema = z.strictObject({
  /** The team that takes over when the stage is done. */
  to: keySchema,
  artifacts: z.array(nameSchema).optional(),
  description: textSchema.optional(),
});

export const stageSchema = z.strictObject({
  key: keySchema,
  name: nameSchema,
  /** The team that owns the moment. */
  owner: keySchema.optional(),
  /** The expected time frame, in days. */
  expectedDays: z.number().optional(),
  description: textSchema.optional(),
  /** What success means at this stage, per persona key (the customer's view). */
  personaSuccess: z.record(z.string(), textSchema).optional(),
  touchpoints: z.array(touchpointSchema).optional(),
  milestones: z.array(milestoneSchema).optional(),
  /** Milestones that complete the stage. */
  exitWhen: z.array(keySchema).optional(),
  handoff: handoffSchema.optional(),
  painPoints: z.array(nameSchema).optional(),
  opportunities: z.array(nameSchema).optional(),
});

export const TASK_TYPES = ['todo', 'email', 'call', 'meeting'] as const;
export const TASK_PRIORITIES = ['low', 'medium', 'high'] as const;

export const taskSchema = z.strictObject({
  key: keySchema,
  subject: nameSchema,
  /** The team that does the task. */
  owner: keySchema,
  /** Days after the stage (or cycle) starts that the task is due. */
  dueDays: z.number().int('dueDays is a whole number of days').min(0, 'dueDays cannot be negative'),
  type: z.enum(TASK_TYPES).optional(),
  priority: z.enum(TASK_PRIORITIES).optional(),
  description: textSchema.optional(),
});

export const activitySchema = z.strictObject({
  key: keySchema,
  name: nameSchema,
  description: textSchema.optional(),
  tasks: z.array(taskSchema).min(1, 'an activity needs at least one task'),
});

export const cycleStageSchema = z.strictObject({
  /** The journey stage whose entry starts these activities. */
  stage: keySchema,
  activities: z.array(activitySchema).min(1, 'a cycle stage needs at least one activity'),
});

export const CYCLE_BASES = ['yearly', 'milestone', 'role'] as const;

export const successCycleSchema = z.strictObject({
  key: keySchema,
  name: nameSchema,
  description: textSchema.optional(),
  /** yearly: restarts each contract year; milestone: follows stages; role: follows the owning team. */
  basis: z.enum(CYCLE_BASES),
  /** For `role` cycles: the team whose moments this cycle follows. */
  role: keySchema.optional(),
  /** For `yearly` cycles: which contract year (1 = first year); every year when omitted. */
  year: z.number().int().min(1).optional(),
  appliesTo: z
    .strictObject({
      personas: z.array(keySchema).min(1).optional(),
      segments: z.array(z.string().min(1)).min(1).optional(),
    })
    .optional(),
  stages: z.array(cycleStageSchema).min(1, 'a SuccessCycle needs at least one stage'),
});

export const STAGE_POLICIES = ['derived', 'manual', 'hybrid'] as const;
/** How the current stage is decided. */
export type StagePolicy = (typeof STAGE_POLICIES)[number];

export const journeySchema = z.strictObject({
  apiVersion: z.literal('milepost/v1'),
  kind: z.literal('Journey'),
  key: keySchema,
  name: nameSchema,
  version: z.number().int('version is a whole number').min(1, 'version starts at 1'),
  description: textSchema.optional(),
  /** derived (default): criteria decide; manual: the CRM's stage is the truth; hybrid: manual moves, never behind. */
  stagePolicy: z.enum(STAGE_POLICIES).optional(),
  /** Days without milestone progress after which a customer is "stuck", as a multiple of the time frame (default 2). */
  stuckAfter: z.number().positive().optional(),
  teams: z.array(teamSchema).default([]),
  personas: z.array(personaSchema).default([]),
  facts: z.array(factSchema).default([]),
  metrics: z.array(metricSchema).optional(),
  stages: z.array(stageSchema).min(1, 'a journey needs at least one stage'),
  successCycles: z.array(successCycleSchema).optional(),
  /** Stages removed in this version, and the stage their customers move to. */
  removedStages: z.array(z.strictObject({ key: keySchema, movesTo: keySchema })).optional(),
  /** Facts that analytics read: a boolean fact marking churn and a currency fact for its value. */
  analytics: z.strictObject({ churnFact: keySchema.optional(), valueFact: keySchema.optional() }).optional(),
});

/** A journey: stages, touchpoints, milestones, personas, teams, handoffs and SuccessCycles. */
export type Journey = z.infer<typeof journeySchema>;
/** A stage of a journey. */
export type Stage = z.infer<typeof stageSchema>;
/** A milestone: a moment with a clear definition of success. */
export type Milestone = z.infer<typeof milestoneSchema>;
/** A touchpoint: an interaction with the customer. */
export type Touchpoint = z.infer<typeof touchpointSchema>;
/** A team that owns moments. */
export type Team = z.infer<typeof teamSchema>;
/** A persona with its own path and success definition. */
export type Persona = z.infer<typeof personaSchema>;
/** An input that criteria read, mapped onto a CRM field. */
export type Fact = z.infer<typeof factSchema>;
/** A metric shown with the journey. */
export type Metric = z.infer<typeof metricSchema>;
/** A handoff from a stage's owner to the next team. */
export type Handoff = z.infer<typeof handoffSchema>;
/** A SuccessCycle: stages → activities → tasks. */
export type SuccessCycle = z.infer<typeof successCycleSchema>;
/** The activities a SuccessCycle runs in one stage. */
export type CycleStage = z.infer<typeof cycleStageSchema>;
/** An activity of a SuccessCycle. */
export type Activity = z.infer<typeof activitySchema>;
/** A task of a SuccessCycle activity. */
export type CycleTask = z.infer<typeof taskSchema>;
