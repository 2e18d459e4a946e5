import { commitStage, createStage, putComponent, validateComponent } from './salesforce-emulator-metadata.js';
import { addUser, findObject, formatDate, type OrgState } from './salesforce-emulator-org-state.js';
import { createSeededRandom, type SeededRandom } from './salesforce-emulator-random.js';
import { createRecord, createWriteContext } from './salesforce-emulator-records.js';
import { ACCOUNT_INDUSTRIES } from './salesforce-emulator-schema.js';
import type { XmlObject } from './salesforce-emulator-xml.js';

/**
 * The `demo` seed: Account custom fields as a customer's admin would have set them up (visible to the
 * integration user through the `Customer_Success_Fields` permission set), 5 CSM users and 300 Accounts
 * at different points of a SaaS customer lifecycle. Deterministic for a given reference date.
 */

/** Custom Account fields created by the demo seed (documented in the README). */
export const DEMO_ACCOUNT_FIELDS: XmlObject[] = [
  {
    fullName: 'Account.Active_Users__c',
    label: 'Active Users',
    type: 'Number',
    precision: '8',
    scale: '0',
    trackHistory: 'false',
  },
  {
    fullName: 'Account.Licensed_Seats__c',
    label: 'Licensed Seats',
    type: 'Number',
    precision: '8',
    scale: '0',
    trackHistory: 'false',
  },
  {
    fullName: 'Account.Trained_Users__c',
    label: 'Trained Users',
    type: 'Number',
    precision: '8',
    scale: '0',
    trackHistory: 'false',
  },
  { fullName: 'Account.Kickoff_Date__c', label: 'Kickoff Date', type: 'Date', trackHistory: 'true' },
  {
    fullName: 'Account.Contract_Signed_Date__c',
    label: 'Contract Signed Date',
    type: 'Date',
    trackHistory: 'false',
  },
  {
    fullName: 'Account.Setup_Complete__c',
    label: 'Setup Complete',
    type: 'Checkbox',
    defaultValue: 'false',
    trackHistory: 'true',
  },
  {
    fullName: 'Account.Plan__c',
    label: 'Plan',
    type: 'Picklist',
    trackHistory: 'true',
    valueSet: {
      restricted: 'true',
      valueSetDefinition: {
        sorted: 'false',
        value: ['Trial', 'Starter', 'Professional', 'Enterprise'].map((value) => ({
          fullName: value,
          default: 'false',
          label: value,
        })),
      },
    },
  },
  {
    fullName: 'Account.NPS__c',
    label: 'NPS',
    type: 'Number',
    precision: '3',
    scale: '0',
    trackHistory: 'false',
  },
  {
    fullName: 'Account.CSAT__c',
    label: 'CSAT',
    type: 'Number',
    precision: '3',
    scale: '1',
    trackHistory: 'false',
  },
  {
    fullName: 'Account.Open_Support_Tickets__c',
    label: 'Open Support Tickets',
    type: 'Number',
    precision: '5',
    scale: '0',
    trackHistory: 'false',
  },
  {
    fullName: 'Account.Churned__c',
    label: 'Churned',
    type: 'Checkbox',
    defaultValue: 'false',
    trackHistory: 'true',
  },
  { fullName: 'Account.Renewal_Date__c', label: 'Renewal Date', type: 'Date', trackHistory: 'false' },
];

/** Name of the permission set that makes the demo fields visible. */
export const DEMO_PERMISSION_SET = 'Customer_Success_Fields';

const CSMS = [
  { firstName: 'Maya', lastName: 'Okafor' },
  { firstName: 'Lukas', lastName: 'Brenner' },
  { firstName: 'Priya', lastName: 'Raman' },
  { firstName: 'Diego', lastName: 'Alvarez' },
  { firstName: 'Hannah', lastName: 'Lindqvist' },
];

const NAME_PREFIXES = [
  'Northwind',
  'Bluepeak',
  'Cedarline',
  'Brightwater',
  'Ironbark',
  'Silverleaf',
  'Redstone',
  'Oakhurst',
  'Clearfield',
  'Highmark',
  'Lakeshore',
  'Summit',
  'Granite',
  'Evergreen',
  'Harborview',
  'Pinecrest',
  'Riverbend',
  'Stonebridge',
  'Westbrook',
  'Goldcrest',
  'Maplewood',
  'Foxglove',
  'Aurora',
  'Meridian',
  'Keystone',
  'Lumen',
  'Copperfield',
  'Driftwood',
  'Falcon',
  'Juniper',
];
const NAME_SUFFIXES = [
  'Analytics',
  'Logistics',
  'Health',
  'Robotics',
  'Foods',
  'Capital',
  'Labs',
  'Energy',
  'Software',
  'Retail',
  'Systems',
  'Media',
  'Bio',
  'Freight',
  'Insurance',
  'Studios',
  'Networks',
  'Manufacturing',
  'Partners',
  'Learning',
];
const NAME_FORMS = ['', ' Inc.', ' GmbH', ' Ltd', ' Group', ' Co.'];

/** Lifecycle segments and their share of the 300 demo accounts. */
export const DEMO_LIFECYCLE_SEGMENTS = [
  { segment: 'trial', share: 0.1 },
  { segment: 'just-signed', share: 0.15 },
  { segment: 'mid-onboarding', share: 0.2 },
  { segment: 'adopting', share: 0.22 },
  { segment: 'adopted', share: 0.18 },
  { segment: 'at-risk', share: 0.08 },
  { segment: 'churned', share: 0.07 },
] as const;

/** Creates the demo fields, permission set and CSM users (no accounts). Returns the CSM user IDs. */
export function seedDemoSchema(org: OrgState): string[] {
  const stage = createStage(org);
  for (const field of DEMO_ACCOUNT_FIELDS) {
    const problems = validateComponent(stage, 'CustomField', field);
    if (problems.length > 0)
      throw new Error(
        `Demo seed field ${String(field.fullName)}: ${problems.map((problem) => problem.message).join('; ')}`,
      );
    putComponent(stage, 'CustomField', field);
  }
  putComponent(stage, 'PermissionSet', {
    fullName: DEMO_PERMISSION_SET,
    description: 'Customer success fields on Account (set up by the customer admin)',
    fieldPermissions: DEMO_ACCOUNT_FIELDS.map((field) => ({
      editable: 'true',
      field: String(field.fullName),
      readable: 'true',
    })),
    hasActivationRequired: 'false',
    label: 'Customer Success Fields',
  });
  commitStage(stage);
  const csmIds = CSMS.map((csm) => addUser(org, { ...csm, title: 'Customer Success Manager' }));
  const context = createWriteContext(org, org.integrationUserId, { system: true });
  const permissionSet = [...(org.records.get('permissionset')?.values() ?? [])].find(
    (record) => record.Name === DEMO_PERMISSION_SET,
  );
  const assignments = findObject(org, 'PermissionSetAssignment');
  if (permissionSet && assignments) {
    for (const userId of [org.integrationUserId, ...csmIds]) {
      createRecord(context, assignments, { AssigneeId: userId, PermissionSetId: permissionSet.Id });
    }
  }
  return csmIds;
}

function addDays(reference: Date, days: number): string {
  return formatDate(new Date(reference.getTime() + days * 86400000));
}

/** Builds the field values of one demo account. */
export function demoAccountValues(
  random: SeededRandom,
  segment: string,
  reference: Date,
  name: string,
  ownerId: string,
): Record<string, unknown> {
  const seats = random.pick([10, 25, 50, 75, 100, 150, 250, 500, 1000]);
  const plan =
    segment === 'trial' ? 'Trial' : seats >= 250 ? 'Enterprise' : seats >= 75 ? 'Professional' : 'Starter';
  const revenuePerEmployee = random.integer(80, 400) * 1000;
  const employees = seats * random.integer(2, 12);
  const base: Record<string, unknown> = {
    Name: name,
    Industry: random.pick(ACCOUNT_INDUSTRIES.slice(0, -1)),
    AnnualRevenue: employees * revenuePerEmployee,
    NumberOfEmployees: employees,
    Type: segment === 'trial' ? 'Prospect' : 'Customer - Direct',
    OwnerId: ownerId,
    Plan__c: plan,
    Licensed_Seats__c: segment === 'trial' ? random.integer(3, 15) : seats,
    Churned__c: false,
    Setup_Complete__c: false,
    Active_Users__c: 0,
    Trained_Users__c: 0,
    Open_Support_Tickets__c: random.integer(0, 3),
  };
  const seatCount = Number(base.Licensed_Seats__c);
  const share = (low: number, high: number) => Math.round(seatCount * (low + random.next() * (high - low)));
  let signedDaysAgo = 0;
  switch (segment) {
    case 'trial':
      base.Active_Users__c = share(0.2, 0.9);
      break;
    case 'just-signed':
      signedDaysAgo = random.integer(1, 14);
      break;
    case 'mid-onboarding': {
      signedDaysAgo = random.integer(15, 60);
      base.Kickoff_Date__c = addDays(reference, -random.integer(3, signedDaysAgo - 7));
      base.Trained_Users__c = share(0.05, 0.4);
      base.Active_Users__c = share(0.05, 0.35);
      base.Open_Support_Tickets__c = random.integer(0, 5);
      break;
    }
    case 'adopting':
      signedDaysAgo = random.integer(61, 200);
      base.Kickoff_Date__c = addDays(reference, -signedDaysAgo + random.integer(5, 14));
      base.Setup_Complete__c = true;
      base.Trained_Users__c = share(0.5, 0.85);
      base.Active_Users__c = share(0.4, 0.75);
      base.NPS__c = random.integer(10, 50);
      base.CSAT__c = Math.round((3.6 + random.next() * 1.0) * 10) / 10;
      break;
    case 'adopted':
      signedDaysAgo = random.integer(200, 700);
      base.Kickoff_Date__c = addDays(reference, -signedDaysAgo + random.integer(5, 14));
      base.Setup_Complete__c = true;
      base.Trained_Users__c = share(0.85, 1);
      base.Active_Users__c = share(0.8, 1);
      base.NPS__c = random.integer(40, 80);
      base.CSAT__c = Math.round((4.2 + random.next() * 0.8) * 10) / 10;
      base.Open_Support_Tickets__c = random.integer(0, 2);
      break;
    case 'at-risk':
      signedDaysAgo = random.integer(270, 360);
      base.Kickoff_Date__c = addDays(reference, -signedDaysAgo + random.integer(10, 30));
      base.Setup_Complete__c = random.chance(0.5);
      base.Trained_Users__c = share(0.1, 0.4);
      base.Active_Users__c = share(0.05, 0.3);
      base.NPS__c = random.integer(-60, 0);
      base.CSAT__c = Math.round((2.0 + random.next() * 1.2) * 10) / 10;
      base.Open_Support_Tickets__c = random.integer(6, 20);
      break;
    default:
      signedDaysAgo = random.integer(380, 800);
      base.Kickoff_Date__c = addDays(reference, -signedDaysAgo + random.integer(5, 20));
      base.Setup_Complete__c = random.chance(0.6);
      base.Trained_Users__c = share(0.1, 0.5);
      base.Active_Users__c = 0;
      base.NPS__c = random.integer(-80, -10);
      base.CSAT__c = Math.round((1.5 + random.next() * 1.5) * 10) / 10;
      base.Churned__c = true;
      base.Open_Support_Tickets__c = 0;
  }
  if (signedDaysAgo > 0) {
    base.Contract_Signed_Date__c = addDays(reference, -signedDaysAgo);
    const termDays = plan === 'Enterprise' ? 730 : 365;
    // Churned accounts did not renew: their renewal date is the (past) end of the first term.
    let renewalInDays = termDays - signedDaysAgo;
    while (segment !== 'churned' && renewalInDays < 0) renewalInDays += termDays;
    base.Renewal_Date__c = addDays(reference, renewalInDays);
  }
  return base;
}

/** Deterministic unique company names. */
export function demoAccountNames(random: SeededRandom, count: number): string[] {
  const names = new Set<string>();
  while (names.size < count) {
    names.add(`${random.pick(NAME_PREFIXES)} ${random.pick(NAME_SUFFIXES)}${random.pick(NAME_FORMS)}`);
    if (names.size < count && random.chance(0.02))
      names.add(`${random.pick(NAME_PREFIXES)}-${random.pick(NAME_PREFIXES)} ${random.pick(NAME_SUFFIXES)}`);
  }
  return [...names].slice(0, count);
}

/** Seeds an org with the demo data set. `reference` defaults to today (UTC). */
export function seedDemo(
  org: OrgState,
  accountCount = 300,
  reference: Date = new Date(`${formatDate(org.now())}T00:00:00Z`),
): void {
  const csmIds = seedDemoSchema(org);
  const random = createSeededRandom('milepost-demo');
  const account = findObject(org, 'Account');
  if (!account) return;
  const names = demoAccountNames(random, accountCount);
  const segments: string[] = [];
  for (const { segment, share } of DEMO_LIFECYCLE_SEGMENTS) {
    for (let index = 0; index < Math.round(share * accountCount); index++) segments.push(segment);
  }
  while (segments.length < accountCount) segments.push('adopting');
  const context = createWriteContext(org, org.integrationUserId, { system: true });
  names.forEach((name, index) => {
    const segment = segments[index % segments.length] ?? 'adopting';
    const owner = csmIds[index % csmIds.length] ?? org.integrationUserId;
    const result = createRecord(context, account, demoAccountValues(random, segment, reference, name, owner));
    if (!result.success)
      throw new Error(`Demo seed account ${name}: ${result.errors.map((error) => error.message).join('; ')}`);
  });
}
