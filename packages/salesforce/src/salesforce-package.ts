/**
 * The SFDX package generator: a journey (and optional mapping) becomes typed metadata components
 * (`@salesforce/types`), rendered as a source-format Salesforce DX project for admins, or as a Metadata
 * API zip for `deploy`. Layout and XML shapes follow research §2.1–§2.9.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Journey, Mapping } from '@milepost/core';
import type {
  CustomField,
  CustomObject,
  CustomValue,
  Flow,
  FlowDecision,
  FlowFormula,
  FlowRecordCreate,
  FlowRule,
  FlowStart,
  GlobalValueSet,
  PathAssistant,
  PathAssistantSettings,
  PathAssistantStep,
  PermissionSet,
  PermissionSetFieldPermissions,
} from '@salesforce/types/metadata';
import { zipSync } from 'fflate';
import {
  SALESFORCE_API_VERSION,
  SALESFORCE_LIMITS,
  SALESFORCE_MANAGED_MARKER,
  SALESFORCE_NAMES,
  SALESFORCE_SLA_LABELS,
} from './salesforce-api.js';
import { escapeXml, renderMetadataXml, type XmlNode } from './salesforce-xml.js';

/** Typed metadata with every element optional (the vendor types mark list elements required). */
export type MetadataSpec<T> = {
  [K in keyof T]?: NonNullable<T[K]> extends ReadonlyArray<infer Item>
    ? Item extends object
      ? Array<MetadataSpec<Item>>
      : Item[]
    : NonNullable<T[K]> extends object
      ? MetadataSpec<NonNullable<T[K]>>
      : T[K];
};

/** The metadata types the package holds (package.xml type names). */
export type SalesforceMetadataType =
  | 'CustomObject'
  | 'CustomField'
  | 'GlobalValueSet'
  | 'PathAssistant'
  | 'Settings'
  | 'Flow'
  | 'PermissionSet'
  | 'LightningComponentBundle';

/** One component of the package. */
export interface SalesforceComponent {
  type: SalesforceMetadataType;
  /** Metadata API full name (`Account.Milepost_Stage__c`, `Milepost_Stage`, `PathAssistant`, …). */
  fullName: string;
  /** Root element of its file. */
  root: string;
  /** Its elements (rendered in schema order). For a CustomField, `fullName` is the bare field name. */
  body: XmlNode;
}

/** A file of the generated project. */
export interface SalesforcePackageFile {
  path: string;
  content: string;
}

/** Where a journey output is written on Account: a field Milepost creates, or one the mapping adopts. */
export interface SalesforceOutputField {
  field: string;
  /** The mapping points at an existing field: used as it is, never created or changed. */
  adopt: boolean;
  /** Journey value → CRM value (mapping `values`), for adopted enum fields. */
  values?: Readonly<Record<string, string>>;
}

/** The package for one journey: its components and what sync needs to know about them. */
export interface SalesforcePackageModel {
  journey: Journey;
  mapping?: Mapping;
  components: SalesforceComponent[];
  /** Journey output → Account field. */
  accountOutputs: Record<string, SalesforceOutputField>;
  /** Journey fact key → Account field holding it. */
  factFields: Record<string, string>;
  /** Stage key → tasks the generated Flow creates on entry (`cycle:task` short keys). */
  flowTasks: Record<string, string[]>;
  /** Files of the Lightning Web Component (paths relative to `lwc/`). */
  lightningFiles: SalesforcePackageFile[];
}

const N = SALESFORCE_NAMES;

/** Locale-independent ordering, so generated files are identical on every machine. */
function byCodeUnit(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function words(key: string): string[] {
  return key.split(/[-_]+/).filter(Boolean);
}

/** A custom field API name from words: `Active_Users__c`, at most 40 characters before `__c`. */
export function salesforceFieldName(key: string, prefix = ''): string {
  const base = [prefix, ...words(key).map((word) => word.charAt(0).toUpperCase() + word.slice(1))]
    .filter(Boolean)
    .join('_')
    .replace(/[^A-Za-z0-9_]/g, '');
  let name = /^[A-Za-z]/.test(base) ? base : `F_${base}`;
  if (name.length > SALESFORCE_LIMITS.fieldNameLength) {
    const hash = createHash('sha1').update(key).digest('hex').slice(0, 4);
    name = `${name.slice(0, SALESFORCE_LIMITS.fieldNameLength - 5).replace(/_+$/, '')}_${hash}`;
  }
  return `${name.replace(/_+/g, '_')}__c`;
}

function label(text: string): string {
  return text.length <= SALESFORCE_LIMITS.labelLength
    ? text
    : `${text.slice(0, SALESFORCE_LIMITS.labelLength - 1).trimEnd()}…`;
}

function managed(what: string): string {
  return `${SALESFORCE_MANAGED_MARKER}: ${what}`;
}

/** The default Account fields of the journey outputs, overridden by the mapping's `outputs`. */
export function salesforceAccountOutputs(
  journey: Journey,
  mapping?: Mapping,
): Record<string, SalesforceOutputField> {
  const outputs: Record<string, SalesforceOutputField> = {
    stage: { field: N.accountStage, adopt: false },
    sla: { field: N.accountSla, adopt: false },
    nextMilestone: { field: N.accountNextMilestone, adopt: false },
  };
  for (const stage of journey.stages)
    for (const milestone of stage.milestones ?? [])
      outputs[`milestone.${milestone.key}`] = {
        field: salesforceFieldName(milestone.key, 'MP'),
        adopt: false,
      };
  for (const [output, target] of Object.entries(mapping?.outputs ?? {})) {
    if (target.object && target.object !== (mapping?.object ?? 'Account')) continue;
    outputs[output] = {
      field: target.field,
      adopt: true,
      ...(target.values ? { values: target.values } : {}),
    };
  }
  return outputs;
}

/** Journey fact → Account field: the mapping's, else the fact key as a custom field (`active_users` → `Active_Users__c`). */
export function salesforceFactFields(journey: Journey, mapping?: Mapping): Record<string, string> {
  return Object.fromEntries(
    journey.facts.map((fact) => [fact.key, mapping?.facts[fact.key]?.field ?? salesforceFieldName(fact.key)]),
  );
}

function field(spec: MetadataSpec<CustomField> & { fullName: string }): XmlNode {
  return spec as unknown as XmlNode;
}

function textField(name: string, fieldLabel: string, length: number, what: string): XmlNode {
  return field({
    fullName: name,
    description: managed(what),
    externalId: false,
    label: label(fieldLabel),
    length,
    required: false,
    trackHistory: false,
    type: 'Text',
    unique: false,
  });
}

function numberField(name: string, fieldLabel: string, precision: number, what: string): XmlNode {
  return field({
    fullName: name,
    description: managed(what),
    externalId: false,
    label: label(fieldLabel),
    precision,
    required: false,
    scale: 0,
    trackHistory: false,
    type: 'Number',
    unique: false,
  });
}

function dateField(name: string, fieldLabel: string, what: string): XmlNode {
  return field({
    fullName: name,
    description: managed(what),
    label: label(fieldLabel),
    required: false,
    trackHistory: false,
    type: 'Date',
  });
}

function picklistField(
  name: string,
  fieldLabel: string,
  valueSetName: string,
  what: string,
  trackHistory: boolean,
): XmlNode {
  return field({
    fullName: name,
    description: managed(what),
    label: label(fieldLabel),
    required: false,
    trackHistory,
    type: 'Picklist',
    valueSet: { restricted: true, valueSetName },
  });
}

/** Which SuccessCycles the generated Flow can create tasks for: stage-driven, for every customer. */
export function flowCycles(journey: Journey): NonNullable<Journey['successCycles']> {
  return (journey.successCycles ?? []).filter(
    (cycle) => cycle.basis === 'milestone' && !cycle.appliesTo?.personas && !cycle.appliesTo?.segments,
  );
}

function pathGuidance(journey: Journey, stage: Journey['stages'][number]): string {
  const team = (key: string | undefined) => journey.teams.find((entry) => entry.key === key)?.name ?? key;
  const head = `<p><b>Owner:</b> ${escapeXml(team(stage.owner) ?? 'not set')}${stage.expectedDays ? ` · <b>time frame:</b> ${stage.expectedDays} days` : ''}</p>`;
  const sections: string[] = [];
  const milestones = stage.milestones ?? [];
  if (milestones.length)
    sections.push(
      `<p><b>Milestones</b></p><ul>${milestones.map((milestone) => `<li>${escapeXml(milestone.name)}${milestone.success ? `: ${escapeXml(milestone.success)}` : ''}</li>`).join('')}</ul>`,
    );
  if (stage.touchpoints?.length)
    sections.push(
      `<p><b>Touchpoints:</b> ${stage.touchpoints.map((touchpoint) => escapeXml(touchpoint.name)).join(', ')}</p>`,
    );
  if (stage.handoff)
    sections.push(
      `<p><b>Handoff to ${escapeXml(team(stage.handoff.to) ?? stage.handoff.to)}:</b> ${escapeXml((stage.handoff.artifacts ?? []).join(', ') || stage.handoff.description || 'brief the next team')}</p>`,
    );
  // Path guidance holds at most 1,000 characters (research §2.6): the owner line always, then whole
  // sections while they fit, then as much of the description as is left.
  const limit = SALESFORCE_LIMITS.pathGuidanceLength;
  let body = head;
  const kept: string[] = [];
  for (const section of sections) {
    if (body.length + kept.join('').length + section.length <= limit) kept.push(section);
  }
  const room = limit - body.length - kept.join('').length - '<p></p>'.length;
  if (stage.description && room > 20) {
    const text = stage.description.trim();
    let cut = text;
    while (escapeXml(cut).length > room)
      cut = `${cut.slice(0, Math.max(0, cut.length - Math.max(10, escapeXml(cut).length - room)) - 1).trimEnd()}…`;
    body += `<p>${escapeXml(cut)}</p>`;
  }
  return body + kept.join('');
}

function taskPriority(priority: string | undefined): string {
  return priority === 'high' ? 'High' : priority === 'low' ? 'Low' : 'Normal';
}

function elementName(...parts: string[]): string {
  return parts
    .join('_')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 80);
}

function buildFlow(journey: Journey): { flow: XmlNode; flowTasks: Record<string, string[]> } {
  const flowTasks: Record<string, string[]> = {};
  const team = (key: string) => journey.teams.find((entry) => entry.key === key)?.name ?? key;
  const formulas: Array<MetadataSpec<FlowFormula>> = [];
  const recordCreates: Array<MetadataSpec<FlowRecordCreate>> = [];
  const rules: Array<MetadataSpec<FlowRule>> = [];
  const dueFormulas = new Set<number>();
  let row = 0;
  journey.stages.forEach((stage, stageIndex) => {
    const tasks = flowCycles(journey).flatMap((cycle) =>
      (cycle.stages.find((entry) => entry.stage === stage.key)?.activities ?? []).flatMap((activity) =>
        activity.tasks.map((task) => ({ cycle, activity, task })),
      ),
    );
    if (tasks.length === 0) return;
    flowTasks[stage.key] = tasks.map(({ cycle, task }) => `${cycle.key}:${task.key}`);
    const names = tasks.map((_, index) => elementName('Create', `S${stageIndex + 1}`, `T${index + 1}`));
    rules.push({
      name: elementName('Entered', `S${stageIndex + 1}`),
      conditionLogic: 'and',
      conditions: [
        {
          leftValueReference: `$Record.${N.cycleStage}`,
          operator: 'EqualTo',
          rightValue: { stringValue: stage.key },
        },
        {
          leftValueReference: `$Record__Prior.${N.cycleStage}`,
          operator: 'NotEqualTo',
          rightValue: { stringValue: stage.key },
        },
      ],
      connector: { targetReference: names[0]! },
      label: label(`Entered ${stage.name}`),
    });
    tasks.forEach(({ cycle, activity, task }, index) => {
      row++;
      const keyFormula = elementName('Key', `S${stageIndex + 1}`, `T${index + 1}`);
      formulas.push({
        name: keyFormula,
        dataType: 'String',
        expression: `{!$Record.${N.cycleJourneyKey}} & ":${cycle.key}:" & {!$Record.${N.cycleAccount}} & ":${task.key}"`,
      });
      dueFormulas.add(task.dueDays);
      recordCreates.push({
        name: names[index]!,
        label: label(task.subject),
        locationX: 176 + stageIndex * 264,
        locationY: 134 + row * 120,
        connector: index + 1 < names.length ? { targetReference: names[index + 1]! } : undefined,
        inputAssignments: [
          { field: 'ActivityDate', value: { elementReference: `Due_In_${task.dueDays}_Days` } },
          {
            field: 'Description',
            value: {
              stringValue: `${journey.name} · ${cycle.name} · ${stage.name} · ${activity.name} · owned by ${team(task.owner)}`,
            },
          },
          { field: N.taskKey, value: { elementReference: keyFormula } },
          { field: 'OwnerId', value: { elementReference: `$Record.${N.cycleAccountRelationship}.OwnerId` } },
          { field: 'Priority', value: { stringValue: taskPriority(task.priority) } },
          { field: 'Status', value: { stringValue: 'Not Started' } },
          { field: 'Subject', value: { stringValue: task.subject.slice(0, 255) } },
          { field: 'WhatId', value: { elementReference: '$Record.Id' } },
        ],
        object: 'Task',
        storeOutputAutomatically: true,
      });
    });
  });
  for (const days of [...dueFormulas].sort((left, right) => left - right))
    formulas.push({ name: `Due_In_${days}_Days`, dataType: 'Date', expression: `TODAY() + ${days}` });
  formulas.sort((left, right) => byCodeUnit(String(left.name), String(right.name)));
  const decision: MetadataSpec<FlowDecision> = {
    name: 'Stage_Entered',
    label: 'Stage entered',
    locationX: 50,
    locationY: 134,
    defaultConnectorLabel: 'No stage with tasks',
    rules,
  };
  const start: MetadataSpec<FlowStart> = {
    locationX: 50,
    locationY: 0,
    connector: rules.length ? { targetReference: 'Stage_Entered' } : undefined,
    filterLogic: 'and',
    filters: [{ field: N.cycleStage, operator: 'IsNull', value: { booleanValue: false } }],
    object: N.cycleObject,
    recordTriggerType: 'CreateAndUpdate',
    triggerType: 'RecordAfterSave',
  };
  const flow: MetadataSpec<Flow> = {
    // The version is written as Salesforce writes it ("63.0"); the vendor type says number.
    apiVersion: SALESFORCE_API_VERSION as unknown as number,
    decisions: rules.length ? [decision] : undefined,
    description: managed(
      `creates each stage's SuccessCycle tasks once per stage entry of a ${N.cycleObject} record (journey ${journey.key} v${journey.version}).`,
    ),
    environments: ['Default'],
    formulas: formulas.length ? formulas : undefined,
    interviewLabel: `Milepost Stage Tasks {!$Flow.CurrentDateTime}`,
    label: 'Milepost Stage Tasks',
    processMetadataValues: [
      { name: 'BuilderType', value: { stringValue: 'LightningFlowBuilder' } },
      { name: 'CanvasMode', value: { stringValue: 'FREE_FORM_CANVAS' } },
      { name: 'OriginBuilderType', value: { stringValue: 'LightningFlowBuilder' } },
    ],
    processType: 'AutoLaunchedFlow',
    recordCreates: recordCreates.length ? recordCreates : undefined,
    start,
    status: 'Active',
  };
  // A Flow read back from an org is not the XML written, so plan compares this fingerprint instead.
  const content = createHash('sha256')
    .update(JSON.stringify({ ...flow, description: undefined }))
    .digest('hex');
  flow.description = `${flow.description} (fingerprint ${content.slice(0, 16)})`;
  return { flow: flow as unknown as XmlNode, flowTasks };
}

const LWC_SOURCE = fileURLToPath(new URL('../lwc/journeyProgress/', import.meta.url));

function readTree(directory: string): SalesforcePackageFile[] {
  const files: SalesforcePackageFile[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else
        files.push({
          path: relative(directory, full).split('\\').join('/'),
          content: readFileSync(full, 'utf8'),
        });
    }
  };
  walk(directory);
  return files;
}

function journeyConfigModule(journey: Journey, outputs: Record<string, SalesforceOutputField>): string {
  const team = (key: string | undefined) =>
    key ? (journey.teams.find((entry) => entry.key === key)?.name ?? key) : null;
  const config = {
    key: journey.key,
    name: journey.name,
    version: journey.version,
    stages: journey.stages.map((stage) => ({
      key: stage.key,
      name: stage.name,
      owner: team(stage.owner),
      expectedDays: stage.expectedDays ?? null,
      handoffTo: stage.handoff ? team(stage.handoff.to) : null,
      milestones: (stage.milestones ?? []).map((milestone) => ({
        key: milestone.key,
        name: milestone.name,
        field: outputs[`milestone.${milestone.key}`]?.field ?? null,
      })),
    })),
    fields: {
      account: {
        stage: outputs.stage?.field ?? null,
        sla: outputs.sla?.field ?? null,
        nextMilestone: outputs.nextMilestone?.field ?? null,
      },
      cycle: {
        object: N.cycleObject,
        relatedList: 'Success_Cycles__r',
        stage: N.cycleStage,
        stageEnteredAt: N.cycleStageEnteredAt,
        daysInStage: N.cycleDaysInStage,
        sla: N.cycleSla,
        owner: N.cycleOwnerTeam,
        nextMilestone: N.cycleNextMilestone,
        handoff: N.cycleHandoff,
        account: N.cycleAccount,
        accountRelationship: N.cycleAccountRelationship,
      },
    },
  };
  return `// Generated by Milepost from journey "${journey.key}" version ${journey.version}. Do not edit: regenerate.\nconst JOURNEY = ${JSON.stringify(config, null, 2)};\n\nexport default JOURNEY;\n`;
}

/** Builds the package model of a journey. */
export function salesforcePackageModel(journey: Journey, mapping?: Mapping): SalesforcePackageModel {
  const accountOutputs = salesforceAccountOutputs(journey, mapping);
  const factFields = salesforceFactFields(journey, mapping);
  const components: SalesforceComponent[] = [];
  const add = (type: SalesforceMetadataType, fullName: string, root: string, body: XmlNode) =>
    components.push({ type, fullName, root, body });

  add('Settings', 'PathAssistant', 'PathAssistantSettings', {
    canOverrideAutoPathCollapseWithUserPref: false,
    pathAssistantEnabled: true,
  } satisfies MetadataSpec<PathAssistantSettings> as XmlNode);

  const stageValues: Array<MetadataSpec<CustomValue>> = journey.stages.map((stage, index) => ({
    fullName: stage.key,
    default: index === 0,
    label: stage.name.slice(0, 255),
  }));
  add('GlobalValueSet', N.stageValueSet, 'GlobalValueSet', {
    customValue: stageValues,
    description: managed(`the stages of the journey "${journey.name}"`),
    masterLabel: 'Milepost Stage',
    sorted: false,
  } satisfies MetadataSpec<GlobalValueSet> as unknown as XmlNode);
  add('GlobalValueSet', N.slaValueSet, 'GlobalValueSet', {
    customValue: Object.entries(SALESFORCE_SLA_LABELS).map(([value, text], index) => ({
      fullName: value,
      default: index === 0,
      label: text,
    })),
    description: managed('SLA status of a customer in its stage'),
    masterLabel: 'Milepost SLA Status',
    sorted: false,
  } satisfies MetadataSpec<GlobalValueSet> as unknown as XmlNode);

  add('CustomObject', N.cycleObject, 'CustomObject', {
    deploymentStatus: 'Deployed',
    description: managed('one customer going through one journey (a success cycle)'),
    enableActivities: true,
    enableBulkApi: true,
    enableHistory: true,
    enableReports: true,
    enableSearch: true,
    enableSharing: true,
    enableStreamingApi: true,
    label: 'Success Cycle',
    nameField: { displayFormat: 'SC-{00000}', label: 'Success Cycle Number', type: 'AutoNumber' },
    pluralLabel: 'Success Cycles',
    sharingModel: 'ControlledByParent',
  } satisfies MetadataSpec<CustomObject> as unknown as XmlNode);

  const cycleFields: XmlNode[] = [
    field({
      fullName: N.cycleAccount,
      description: managed('the customer'),
      label: 'Account',
      referenceTo: 'Account',
      relationshipLabel: 'Success Cycles',
      relationshipName: 'Success_Cycles',
      relationshipOrder: 0,
      reparentableMasterDetail: false,
      trackHistory: false,
      type: 'MasterDetail',
      writeRequiresMasterRead: false,
    }),
    picklistField(N.cycleStage, 'Stage', N.stageValueSet, 'the journey stage', true),
    dateField(N.cycleStageEnteredAt, 'Stage Entered At', 'when the current stage was entered'),
    numberField(N.cycleDaysInStage, 'Days In Stage', 6, 'days in the current stage'),
    picklistField(N.cycleSla, 'SLA Status', N.slaValueSet, 'on track, behind or stuck', true),
    textField(N.cycleJourneyKey, 'Journey Key', 80, 'the journey key'),
    numberField(
      N.cycleJourneyVersion,
      'Journey Version',
      6,
      'the journey version the stage was computed with',
    ),
    textField(N.cycleName, 'Cycle', 255, 'the SuccessCycles that apply'),
    field({
      fullName: N.cycleKey,
      caseSensitive: false,
      description: managed('journey key and Account ID, the external ID sync upserts by'),
      externalId: true,
      label: 'Cycle Key',
      length: 120,
      required: false,
      trackHistory: false,
      type: 'Text',
      unique: true,
    }),
    textField(N.cycleOwnerTeam, 'Owner Team', 80, 'the team that owns the moment'),
    textField(N.cycleNextMilestone, 'Next Milestone', 255, 'the next milestone and how far it is'),
    textField(N.cycleHandoff, 'Pending Handoff', 255, 'the team that takes over, when the stage is done'),
  ];
  for (const body of cycleFields)
    add('CustomField', `${N.cycleObject}.${String(body.fullName)}`, 'CustomField', body);

  const accountFields: XmlNode[] = [];
  const output = (key: string) => accountOutputs[key];
  if (output('stage') && !output('stage')!.adopt)
    accountFields.push(
      picklistField(
        output('stage')!.field,
        'Journey Stage',
        N.stageValueSet,
        'the current journey stage',
        true,
      ),
    );
  if (output('sla') && !output('sla')!.adopt)
    accountFields.push(
      picklistField(
        output('sla')!.field,
        'Journey SLA Status',
        N.slaValueSet,
        'SLA status in the current stage',
        false,
      ),
    );
  if (output('nextMilestone') && !output('nextMilestone')!.adopt)
    accountFields.push(
      textField(
        output('nextMilestone')!.field,
        'Next Milestone',
        255,
        'the next milestone and how far it is',
      ),
    );
  for (const stage of journey.stages) {
    for (const milestone of stage.milestones ?? []) {
      const target = output(`milestone.${milestone.key}`);
      if (target && !target.adopt)
        accountFields.push(
          dateField(target.field, `Milestone: ${milestone.name}`, `when "${milestone.name}" was achieved`),
        );
    }
  }
  for (const body of accountFields)
    add('CustomField', `Account.${String(body.fullName)}`, 'CustomField', body);
  add(
    'CustomField',
    `Activity.${N.taskKey}`,
    'CustomField',
    field({
      fullName: N.taskKey,
      caseSensitive: false,
      description: managed('journey:cycle:record:task, so each SuccessCycle task exists once'),
      externalId: true,
      label: 'Milepost Task Key',
      length: 255,
      required: false,
      trackHistory: false,
      type: 'Text',
      unique: false,
    }),
  );

  const fieldPermissions: Array<MetadataSpec<PermissionSetFieldPermissions>> = components
    .filter((component) => component.type === 'CustomField' && component.body.type !== 'MasterDetail')
    .map((component) => ({ editable: true, field: component.fullName, readable: true }))
    .sort((left, right) => byCodeUnit(String(left.field), String(right.field)));
  add('PermissionSet', N.permissionSet, 'PermissionSet', {
    description: managed(
      `access to the journey fields and the ${N.cycleObject} object; assign it to the integration user and to CSMs`,
    ),
    fieldPermissions,
    hasActivationRequired: false,
    label: 'Milepost Journey',
    objectPermissions: [
      {
        allowCreate: true,
        allowDelete: false,
        allowEdit: true,
        allowRead: true,
        modifyAllRecords: false,
        object: N.cycleObject,
        viewAllRecords: false,
      },
    ],
  } satisfies MetadataSpec<PermissionSet> as unknown as XmlNode);

  const steps: Array<MetadataSpec<PathAssistantStep>> = journey.stages.map((stage) => ({
    fieldNames: [
      N.cycleStageEnteredAt,
      N.cycleDaysInStage,
      N.cycleSla,
      N.cycleNextMilestone,
      N.cycleOwnerTeam,
    ].slice(0, SALESFORCE_LIMITS.pathKeyFields),
    info: pathGuidance(journey, stage),
    picklistValueName: stage.key,
  }));
  add('PathAssistant', N.path, 'PathAssistant', {
    active: true,
    entityName: N.cycleObject,
    fieldName: N.cycleStage,
    masterLabel: 'Success Cycle Journey',
    pathAssistantSteps: steps,
    recordTypeName: '__MASTER__',
  } satisfies MetadataSpec<PathAssistant> as unknown as XmlNode);

  const { flow, flowTasks } = buildFlow(journey);
  add('Flow', N.flow, 'Flow', flow);

  const lightningFiles = [
    ...readTree(LWC_SOURCE).filter((file) => !file.path.endsWith('.js-meta.xml')),
    { path: 'journeyConfig.js', content: journeyConfigModule(journey, accountOutputs) },
  ].sort((left, right) => byCodeUnit(left.path, right.path));
  const sourceHash = createHash('sha256');
  for (const file of lightningFiles) sourceHash.update(file.path).update('\0').update(file.content);
  add('LightningComponentBundle', N.lightningComponent, 'LightningComponentBundle', {
    apiVersion: SALESFORCE_API_VERSION,
    description: managed(
      `journey progress for Account and ${N.cycleObject} pages (source ${sourceHash.digest('hex').slice(0, 12)})`,
    ),
    isExposed: true,
    masterLabel: 'Journey Progress',
    targets: { target: ['lightning__RecordPage'] },
    targetConfigs: {
      targetConfig: {
        '@targets': 'lightning__RecordPage',
        objects: { object: ['Account', N.cycleObject] },
      },
    },
  });

  return { journey, mapping, components, accountOutputs, factFields, flowTasks, lightningFiles };
}

/** `Type:fullName`, the identity of a component. */
export function componentKey(component: Pick<SalesforceComponent, 'type' | 'fullName'>): string {
  return `${component.type}:${component.fullName}`;
}

function objectOf(component: SalesforceComponent): string {
  return component.fullName.split('.')[0] ?? '';
}

function bareField(component: SalesforceComponent): string {
  return component.fullName.split('.')[1] ?? '';
}

function sourcePath(component: SalesforceComponent): string {
  switch (component.type) {
    case 'CustomObject':
      return `objects/${component.fullName}/${component.fullName}.object-meta.xml`;
    case 'CustomField':
      return `objects/${objectOf(component)}/fields/${bareField(component)}.field-meta.xml`;
    case 'GlobalValueSet':
      return `globalValueSets/${component.fullName}.globalValueSet-meta.xml`;
    case 'PathAssistant':
      return `pathAssistants/${component.fullName}.pathAssistant-meta.xml`;
    case 'Settings':
      return `settings/${component.fullName}.settings-meta.xml`;
    case 'Flow':
      return `flows/${component.fullName}.flow-meta.xml`;
    case 'PermissionSet':
      return `permissionsets/${component.fullName}.permissionset-meta.xml`;
    case 'LightningComponentBundle':
      return `lwc/${component.fullName}/${component.fullName}.js-meta.xml`;
  }
}

const SFDX_PROJECT = {
  packageDirectories: [{ path: 'force-app', default: true }],
  name: 'milepost-journey',
  namespace: '',
  sfdcLoginUrl: 'https://login.salesforce.com',
  sourceApiVersion: SALESFORCE_API_VERSION,
};

/** The source-format SFDX project (research §2.1): `sfdx-project.json`, `.forceignore`, `force-app/…`. */
export function salesforceProjectFiles(model: SalesforcePackageModel): SalesforcePackageFile[] {
  const files: SalesforcePackageFile[] = [
    { path: 'sfdx-project.json', content: `${JSON.stringify(SFDX_PROJECT, null, 2)}\n` },
    // Without `**/__tests__/**`, SDR packages the LWC Jest tests into the deploy (research §3.1).
    {
      path: '.forceignore',
      content:
        '# Files the Salesforce CLI never deploys\n**/__tests__/**\n**/jsconfig.json\n**/.eslintrc.json\n',
    },
    {
      path: 'jest.config.js',
      content:
        "const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');\n\nmodule.exports = { ...jestConfig, modulePathIgnorePatterns: ['<rootDir>/.localdevserver'] };\n",
    },
  ];
  const root = 'force-app/main/default';
  for (const component of model.components)
    files.push({
      path: `${root}/${sourcePath(component)}`,
      content: renderMetadataXml(component.root, component.body),
    });
  for (const file of model.lightningFiles)
    files.push({ path: `${root}/lwc/${N.lightningComponent}/${file.path}`, content: file.content });
  return files.sort((left, right) => byCodeUnit(left.path, right.path));
}

/** package.xml for some components (research §2.1). */
export function salesforcePackageXml(components: readonly SalesforceComponent[]): string {
  const byType = new Map<string, string[]>();
  for (const component of components) {
    const members = byType.get(component.type) ?? [];
    members.push(component.fullName);
    byType.set(component.type, members);
  }
  return renderMetadataXml('Package', {
    types: [...byType.keys()].sort().map((name) => ({ members: byType.get(name)!.sort(), name })),
    version: SALESFORCE_API_VERSION,
  });
}

/**
 * A Metadata API format zip of some components (all by default), `package.xml` at the root so it
 * deploys with `singlePackage: true` (research §1.2, §2.1): fields go inside their object's `.object` file.
 */
export function salesforceMetadataZip(model: SalesforcePackageModel, only?: ReadonlySet<string>): Uint8Array {
  const selected = model.components.filter((component) => !only || only.has(componentKey(component)));
  const encoder = new TextEncoder();
  const files: Record<string, Uint8Array> = { 'package.xml': encoder.encode(salesforcePackageXml(selected)) };
  const objects = new Map<string, { object?: XmlNode; fields: XmlNode[] }>();
  for (const component of selected) {
    if (component.type === 'CustomObject' || component.type === 'CustomField') {
      const name = objectOf(component);
      const entry = objects.get(name) ?? { fields: [] };
      if (component.type === 'CustomObject') entry.object = component.body;
      else entry.fields.push(component.body);
      objects.set(name, entry);
      continue;
    }
    if (component.type === 'LightningComponentBundle') {
      files[`lwc/${component.fullName}/${component.fullName}.js-meta.xml`] = encoder.encode(
        renderMetadataXml(component.root, component.body),
      );
      for (const file of model.lightningFiles)
        if (!file.path.startsWith('__tests__/'))
          files[`lwc/${component.fullName}/${file.path}`] = encoder.encode(file.content);
      continue;
    }
    const path = sourcePath(component).replace(/-meta\.xml$/, '');
    files[path] = encoder.encode(renderMetadataXml(component.root, component.body));
  }
  for (const [name, entry] of objects) {
    files[`objects/${name}.object`] = encoder.encode(
      renderMetadataXml('CustomObject', { ...(entry.object ?? {}), fields: entry.fields }),
    );
  }
  return zipSync(files, { level: 6, mtime: new Date('2026-01-01T00:00:00Z') });
}
