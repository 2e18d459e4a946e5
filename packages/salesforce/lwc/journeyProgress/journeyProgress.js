import { getRecord } from 'lightning/uiRecordApi';
import { getRelatedListRecords } from 'lightning/uiRelatedListApi';
import { api, LightningElement, wire } from 'lwc';
import JOURNEY from './journeyConfig';

const DAY = 86400000;
const SLA_LABELS = { 'on-track': 'On track', behind: 'Behind', stuck: 'Stuck' };
const TASK_FIELDS = ['OpenActivity.Subject', 'OpenActivity.ActivityDate', 'OpenActivity.IsTask'];

// A field of a record as Lightning Data Service returns it; `Account__r.Field__c` follows the relationship.
function fieldValue(record, path) {
  if (!record || !path) return null;
  let node = record;
  for (const part of path.split('.')) {
    const entry = node?.fields ? node.fields[part] : undefined;
    if (!entry) return null;
    node = entry.value;
  }
  return node === undefined ? null : node;
}

function today() {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}

/**
 * Journey progress for Account and Success Cycle record pages: the path, days in stage against the
 * time frame, milestones achieved and next, open and overdue tasks, who owns the moment and a pending
 * handoff. Everything it shows was written by Milepost's sync; it only reads.
 */
export default class JourneyProgress extends LightningElement {
  @api recordId;
  @api objectApiName;

  record;
  cycle;
  tasks = [];
  error;

  get isCycle() {
    return this.objectApiName === JOURNEY.fields.cycle.object;
  }

  get milestoneFields() {
    const fields = [];
    for (const stage of JOURNEY.stages)
      for (const milestone of stage.milestones) if (milestone.field) fields.push(milestone.field);
    return fields;
  }

  get recordFields() {
    const cycle = JOURNEY.fields.cycle;
    if (this.isCycle) {
      return this.cycleFieldNames
        .map((name) => `${cycle.object}.${name}`)
        .concat(this.milestoneFields.map((name) => `${cycle.object}.${cycle.accountRelationship}.${name}`));
    }
    const account = JOURNEY.fields.account;
    return [account.stage, account.sla, account.nextMilestone, ...this.milestoneFields]
      .filter(Boolean)
      .map((name) => `Account.${name}`);
  }

  get cycleFieldNames() {
    const cycle = JOURNEY.fields.cycle;
    return [
      cycle.stage,
      cycle.stageEnteredAt,
      cycle.daysInStage,
      cycle.sla,
      cycle.owner,
      cycle.nextMilestone,
      cycle.handoff,
    ];
  }

  get cycleListFields() {
    return this.cycleFieldNames.map((name) => `${JOURNEY.fields.cycle.object}.${name}`);
  }

  get cycleRelatedList() {
    return JOURNEY.fields.cycle.relatedList;
  }

  get accountIdForCycles() {
    return this.isCycle ? undefined : this.recordId;
  }

  get taskParentId() {
    if (this.isCycle) return this.recordId;
    return this.cycle ? this.cycle.id : undefined;
  }

  get taskFields() {
    return TASK_FIELDS;
  }

  @wire(getRecord, { recordId: '$recordId', optionalFields: '$recordFields' })
  wiredRecord({ data, error }) {
    if (data) {
      this.record = data;
      if (this.isCycle) this.cycle = data;
      this.error = undefined;
    } else if (error) {
      this.error = error;
    }
  }

  @wire(getRelatedListRecords, {
    parentRecordId: '$accountIdForCycles',
    relatedListId: '$cycleRelatedList',
    fields: '$cycleListFields',
  })
  wiredCycles({ data }) {
    const first = data?.records ? data.records[0] : undefined;
    if (first && first.apiName === JOURNEY.fields.cycle.object) this.cycle = first;
  }

  @wire(getRelatedListRecords, {
    parentRecordId: '$taskParentId',
    relatedListId: 'OpenActivities',
    fields: '$taskFields',
  })
  wiredTasks({ data }) {
    if (data?.records)
      this.tasks = data.records.filter((record) => record.apiName !== JOURNEY.fields.cycle.object);
  }

  get stageKey() {
    const fromCycle = fieldValue(this.cycle, JOURNEY.fields.cycle.stage);
    return fromCycle || fieldValue(this.record, JOURNEY.fields.account.stage) || null;
  }

  get hasStage() {
    return Boolean(this.stageKey);
  }

  get stage() {
    return JOURNEY.stages.find((stage) => stage.key === this.stageKey);
  }

  get title() {
    return this.stage ? `${JOURNEY.name}: ${this.stage.name}` : JOURNEY.name;
  }

  get steps() {
    return JOURNEY.stages.map((stage) => ({ key: stage.key, label: stage.name }));
  }

  get daysInStage() {
    const stored = fieldValue(this.cycle, JOURNEY.fields.cycle.daysInStage);
    if (stored !== null && stored !== undefined) return Number(stored);
    const entered = fieldValue(this.cycle, JOURNEY.fields.cycle.stageEnteredAt);
    return entered ? Math.max(0, Math.round((today() - Date.parse(entered)) / DAY)) : null;
  }

  get timeFrameText() {
    const days = this.daysInStage;
    const expected = this.stage ? this.stage.expectedDays : null;
    if (days === null) return expected ? `Time frame: ${expected} days` : 'No time frame';
    return expected ? `Day ${days} of ${expected}` : `Day ${days}`;
  }

  get overTimeFrame() {
    const expected = this.stage ? this.stage.expectedDays : null;
    return Boolean(expected && this.daysInStage !== null && this.daysInStage > expected);
  }

  get timeFrameClass() {
    return this.overTimeFrame ? 'time-frame slds-text-color_error' : 'time-frame';
  }

  get sla() {
    return (
      fieldValue(this.cycle, JOURNEY.fields.cycle.sla) || fieldValue(this.record, JOURNEY.fields.account.sla)
    );
  }

  get slaLabel() {
    return SLA_LABELS[this.sla] || 'Not evaluated yet';
  }

  get slaClass() {
    return `sla-badge sla-${this.sla || 'unknown'}`;
  }

  get owner() {
    return (
      fieldValue(this.cycle, JOURNEY.fields.cycle.owner) ||
      (this.stage ? this.stage.owner : null) ||
      'No owning team'
    );
  }

  get handoff() {
    return fieldValue(this.cycle, JOURNEY.fields.cycle.handoff);
  }

  milestoneDate(field) {
    if (!field) return null;
    if (this.isCycle) return fieldValue(this.record, `${JOURNEY.fields.cycle.accountRelationship}.${field}`);
    return fieldValue(this.record, field);
  }

  get milestones() {
    const stage = this.stage;
    if (!stage) return [];
    return stage.milestones.map((milestone) => {
      const achievedAt = this.milestoneDate(milestone.field);
      return {
        key: milestone.key,
        achieved: Boolean(achievedAt),
        text: achievedAt ? `${milestone.name} (achieved ${achievedAt})` : milestone.name,
        className: achievedAt ? 'milestone milestone-achieved' : 'milestone milestone-pending',
      };
    });
  }

  get achievedCount() {
    return this.milestones.filter((milestone) => milestone.achieved).length;
  }

  get milestoneCount() {
    return this.milestones.length;
  }

  get nextMilestone() {
    return (
      fieldValue(this.cycle, JOURNEY.fields.cycle.nextMilestone) ||
      fieldValue(this.record, JOURNEY.fields.account.nextMilestone) ||
      'Every milestone of this stage is achieved'
    );
  }

  get taskRows() {
    const now = today();
    return this.tasks.map((task) => {
      const due = fieldValue(task, 'ActivityDate');
      const overdue = Boolean(due && Date.parse(due) < now);
      return {
        id: task.id,
        subject: fieldValue(task, 'Subject'),
        due: due || 'no due date',
        overdue,
        className: overdue ? 'task task-overdue slds-text-color_error' : 'task',
      };
    });
  }

  get openTaskCount() {
    return this.taskRows.length;
  }

  get overdueTaskCount() {
    return this.taskRows.filter((task) => task.overdue).length;
  }

  get taskSummary() {
    return `${this.openTaskCount} open task${this.openTaskCount === 1 ? '' : 's'}, ${this.overdueTaskCount} overdue`;
  }

  get errorText() {
    const body = this.error?.body;
    return (
      body?.message || 'The journey fields could not be read: check the Milepost Journey permission set.'
    );
  }
}
