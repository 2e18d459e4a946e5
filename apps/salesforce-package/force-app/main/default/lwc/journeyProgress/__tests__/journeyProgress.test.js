import JourneyProgress from 'c/journeyProgress';
import { getRecord } from 'lightning/uiRecordApi';
import { getRelatedListRecords } from 'lightning/uiRelatedListApi';
import { createElement } from 'lwc';
import JOURNEY from '../journeyConfig';

const CYCLE = JOURNEY.fields.cycle;
const ACCOUNT = JOURNEY.fields.account;
const SECOND = JOURNEY.stages[1] || JOURNEY.stages[0];

function field(value) {
  return { value, displayValue: value === null ? null : String(value) };
}

function cycleRecord(values) {
  const fields = {};
  for (const [name, value] of Object.entries(values)) fields[name] = field(value);
  return { apiName: CYCLE.object, id: 'a00000000000001AAA', fields };
}

function mount(objectApiName) {
  const element = createElement('c-journey-progress', { is: JourneyProgress });
  element.recordId = objectApiName === 'Account' ? '001000000000001AAA' : 'a00000000000001AAA';
  element.objectApiName = objectApiName;
  document.body.appendChild(element);
  return element;
}

function flush() {
  return Promise.resolve().then(() => Promise.resolve());
}

function isoDay(offset) {
  return new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
}

describe('c-journey-progress', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it('shows an empty state until sync has written a stage', async () => {
    const element = mount('Account');
    getRecord.emit({ apiName: 'Account', id: '001000000000001AAA', fields: {} });
    await flush();
    expect(element.shadowRoot.querySelector('.empty')).not.toBeNull();
    expect(element.shadowRoot.querySelector('lightning-progress-indicator')).toBeNull();
  });

  it('renders the path with every stage and the current one on an Account page', async () => {
    const element = mount('Account');
    const firstMilestone = SECOND.milestones[0];
    const accountFields = {
      [ACCOUNT.stage]: field(SECOND.key),
      [ACCOUNT.sla]: field('behind'),
      [ACCOUNT.nextMilestone]: field('Users trained — 2 of 5 now'),
    };
    if (firstMilestone?.field) accountFields[firstMilestone.field] = field('2026-11-01');
    getRecord.emit({ apiName: 'Account', id: '001000000000001AAA', fields: accountFields });
    getRelatedListRecords.emit({
      records: [
        cycleRecord({
          [CYCLE.stage]: SECOND.key,
          [CYCLE.daysInStage]: 12,
          [CYCLE.sla]: 'behind',
          [CYCLE.owner]: SECOND.owner,
          [CYCLE.nextMilestone]: 'Users trained — 2 of 5 now',
          [CYCLE.handoff]: null,
        }),
      ],
    });
    await flush();
    const indicator = element.shadowRoot.querySelector('lightning-progress-indicator');
    expect(indicator.currentStep).toBe(SECOND.key);
    expect(element.shadowRoot.querySelectorAll('lightning-progress-step')).toHaveLength(
      JOURNEY.stages.length,
    );
    expect(element.shadowRoot.querySelector('.time-frame').textContent).toBe(
      SECOND.expectedDays ? `Day 12 of ${SECOND.expectedDays}` : 'Day 12',
    );
    expect(element.shadowRoot.querySelector('.sla-badge').textContent).toBe('Behind');
    expect(element.shadowRoot.querySelector('.next-milestone').textContent).toBe(
      'Next: Users trained — 2 of 5 now',
    );
    const items = element.shadowRoot.querySelectorAll('.milestone');
    expect(items).toHaveLength(SECOND.milestones.length);
    if (firstMilestone?.field) {
      expect(element.shadowRoot.querySelectorAll('.milestone-achieved')).toHaveLength(1);
      expect(items[0].textContent).toBe(`${firstMilestone.name} (achieved 2026-11-01)`);
    }
  });

  it('counts open and overdue tasks and shows the owner and a pending handoff on a cycle page', async () => {
    const element = mount(CYCLE.object);
    getRecord.emit(
      cycleRecord({
        [CYCLE.stage]: SECOND.key,
        [CYCLE.stageEnteredAt]: isoDay(-3),
        [CYCLE.daysInStage]: null,
        [CYCLE.sla]: 'on-track',
        [CYCLE.owner]: 'Onboarding',
        [CYCLE.nextMilestone]: null,
        [CYCLE.handoff]: 'Customer Success',
      }),
    );
    getRelatedListRecords.emit({
      records: [
        {
          apiName: 'OpenActivity',
          id: '00T1',
          fields: { Subject: field('Send the welcome email'), ActivityDate: field(isoDay(-1)) },
        },
        {
          apiName: 'OpenActivity',
          id: '00T2',
          fields: { Subject: field('Hold the kick-off call'), ActivityDate: field(isoDay(5)) },
        },
      ],
    });
    await flush();
    expect(element.shadowRoot.querySelector('.task-summary').textContent).toBe('2 open tasks, 1 overdue');
    expect(element.shadowRoot.querySelectorAll('.task-overdue')).toHaveLength(1);
    expect(element.shadowRoot.querySelector('.owner').textContent).toBe('Owner: Onboarding');
    expect(element.shadowRoot.querySelector('.handoff').textContent).toBe(
      'Pending handoff: Customer Success',
    );
    expect(element.shadowRoot.querySelector('.time-frame').textContent).toBe(
      SECOND.expectedDays ? `Day 3 of ${SECOND.expectedDays}` : 'Day 3',
    );
  });

  it('says what to do when the fields cannot be read', async () => {
    const element = mount('Account');
    getRecord.error({ message: 'No access to Milepost_Stage__c' });
    await flush();
    expect(element.shadowRoot.querySelector('.error').textContent).toBe('No access to Milepost_Stage__c');
  });
});
