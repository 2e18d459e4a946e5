/**
 * The `demo` seed: a SaaS customer base as a RevOps team would keep it in HubSpot — a `customer_data`
 * property group, 300 companies at different points of the customer lifecycle with property histories,
 * and 5 owners (CSMs and onboarding specialists). Deterministic: a seeded PRNG and a reference date.
 */
import { INDUSTRY_OPTIONS, options as optionList } from './hubspot-emulator-catalog.js';
import {
  addProperty,
  createRecord,
  type HubSpotPortalState,
  updateRecord,
} from './hubspot-emulator-portal-state.js';
import { buildProperty } from './hubspot-emulator-properties.js';
import { createSeededRandom, type SeededRandom } from './hubspot-emulator-random.js';
import type { HubSpotOwner } from './hubspot-emulator-types.js';

/** Lifecycle segments of the demo companies. */
export type HubSpotDemoSegment = 'just_signed' | 'onboarding' | 'adopted' | 'at_risk' | 'churned';

/** The facts the demo seed guarantees (exported so journeys and docs can rely on them). */
export const HUBSPOT_DEMO_SEED_FACTS = {
  propertyGroup: { name: 'customer_data', label: 'Customer data' },
  properties: [
    { name: 'active_users', label: 'Active users', type: 'number', fieldType: 'number' },
    { name: 'licensed_seats', label: 'Licensed seats', type: 'number', fieldType: 'number' },
    { name: 'trained_users', label: 'Trained users', type: 'number', fieldType: 'number' },
    { name: 'kickoff_date', label: 'Kickoff date', type: 'date', fieldType: 'date' },
    { name: 'contract_signed_date', label: 'Contract signed date', type: 'date', fieldType: 'date' },
    { name: 'setup_complete', label: 'Setup complete', type: 'bool', fieldType: 'booleancheckbox' },
    {
      name: 'plan_tier',
      label: 'Plan tier',
      type: 'enumeration',
      fieldType: 'select',
      options: ['trial', 'starter', 'professional', 'enterprise'],
    },
    { name: 'nps_score', label: 'NPS score', type: 'number', fieldType: 'number' },
    { name: 'csat_score', label: 'CSAT score', type: 'number', fieldType: 'number' },
    { name: 'open_support_tickets', label: 'Open support tickets', type: 'number', fieldType: 'number' },
    { name: 'churned', label: 'Churned', type: 'bool', fieldType: 'booleancheckbox' },
    { name: 'renewal_date', label: 'Renewal date', type: 'date', fieldType: 'date' },
  ],
  standardProperties: ['name', 'domain', 'industry', 'annualrevenue', 'hubspot_owner_id'],
  companies: 300,
  /** Companies per segment. */
  segments: { just_signed: 45, onboarding: 75, adopted: 135, at_risk: 24, churned: 21 } satisfies Record<
    HubSpotDemoSegment,
    number
  >,
  owners: [
    {
      id: '75000001',
      email: 'maya.lindqvist@milepost-demo.example',
      firstName: 'Maya',
      lastName: 'Lindqvist',
      role: 'Customer Success Manager',
    },
    {
      id: '75000002',
      email: 'tomas.herrera@milepost-demo.example',
      firstName: 'Tomás',
      lastName: 'Herrera',
      role: 'Onboarding Specialist',
    },
    {
      id: '75000003',
      email: 'priya.raman@milepost-demo.example',
      firstName: 'Priya',
      lastName: 'Raman',
      role: 'Customer Success Manager',
    },
    {
      id: '75000004',
      email: 'jonah.okafor@milepost-demo.example',
      firstName: 'Jonah',
      lastName: 'Okafor',
      role: 'Onboarding Specialist',
    },
    {
      id: '75000005',
      email: 'elena.petrova@milepost-demo.example',
      firstName: 'Elena',
      lastName: 'Petrova',
      role: 'Head of Customer Success',
    },
  ],
} as const;

const prefixes = [
  'Acme',
  'Bluebird',
  'Cobalt',
  'Driftwood',
  'Ember',
  'Fjord',
  'Granite',
  'Harbor',
  'Indigo',
  'Juniper',
  'Kestrel',
  'Lumen',
  'Meridian',
  'Northwind',
  'Orchard',
  'Pinecrest',
  'Quartz',
  'Redwood',
  'Saffron',
  'Tidewater',
  'Umber',
  'Vantage',
  'Willow',
  'Xenon',
  'Yarrow',
  'Zephyr',
  'Alder',
  'Beacon',
  'Cascade',
  'Dune',
];
const suffixes = [
  'Analytics',
  'Logistics',
  'Health',
  'Labs',
  'Freight',
  'Robotics',
  'Studios',
  'Capital',
  'Foods',
  'Energy',
  'Learning',
  'Clinics',
  'Systems',
  'Retail',
  'Works',
];
const segmentIndustry: Record<string, string> = {
  Analytics: 'COMPUTER_SOFTWARE',
  Logistics: 'LOGISTICS_AND_SUPPLY_CHAIN',
  Health: 'HOSPITAL_HEALTH_CARE',
  Labs: 'INFORMATION_TECHNOLOGY_AND_SERVICES',
  Freight: 'LOGISTICS_AND_SUPPLY_CHAIN',
  Robotics: 'INFORMATION_TECHNOLOGY_AND_SERVICES',
  Studios: 'MARKETING_AND_ADVERTISING',
  Capital: 'FINANCIAL_SERVICES',
  Foods: 'RETAIL',
  Energy: 'CONSTRUCTION',
  Learning: 'EDUCATION_MANAGEMENT',
  Clinics: 'HOSPITAL_HEALTH_CARE',
  Systems: 'COMPUTER_SOFTWARE',
  Retail: 'RETAIL',
  Works: 'MANAGEMENT_CONSULTING',
};

const DAY = 86_400_000;

function shuffle<T>(random: SeededRandom, items: T[]): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = random.integer(0, index);
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
  return items;
}

const dateOnly = (milliseconds: number) =>
  new Date(Math.floor(milliseconds / DAY) * DAY).toISOString().slice(0, 10);

interface SeedEvent {
  at: number;
  values: Record<string, string>;
  source: string;
}

/** Options of {@link seedDemoPortal}. */
export interface HubSpotDemoSeedOptions {
  /** "Today" of the seeded data (epoch ms); the same seed and date give the same data. Defaults to today's UTC midnight. */
  referenceDate?: number;
  /** PRNG seed; default `milepost-demo`. */
  seed?: string;
}

/** Applies the demo seed to a portal. */
export function seedDemoPortal(portal: HubSpotPortalState, options: HubSpotDemoSeedOptions = {}): void {
  const random = createSeededRandom(options.seed ?? 'milepost-demo');
  const today = options.referenceDate ?? Math.floor(portal.now() / DAY) * DAY;
  const companies = portal.stores.get('0-2');
  if (!companies) return;
  const createdAt = new Date(today - 900 * DAY).toISOString();

  portal.owners = HUBSPOT_DEMO_SEED_FACTS.owners.map(
    (owner, index): HubSpotOwner => ({
      id: owner.id,
      email: owner.email,
      firstName: owner.firstName,
      lastName: owner.lastName,
      userId: 9_000_001 + index,
      createdAt,
      updatedAt: createdAt,
      archived: false,
      teams: [{ id: '4100001', name: 'Customer Success', primary: true }],
    }),
  );

  const group = HUBSPOT_DEMO_SEED_FACTS.propertyGroup;
  companies.groups.set(group.name, {
    name: group.name,
    label: group.label,
    displayOrder: 1,
    archived: false,
  });
  HUBSPOT_DEMO_SEED_FACTS.properties.forEach((definition, displayOrder) => {
    if (companies.properties.has(definition.name)) return;
    const property = buildProperty(
      companies,
      {
        name: definition.name,
        label: definition.label,
        type: definition.type,
        fieldType: definition.fieldType,
        groupName: group.name,
        displayOrder,
        ...('options' in definition
          ? {
              options: optionList(
                definition.options.map((value) => [value, value[0]?.toUpperCase() + value.slice(1)] as const),
              ),
            }
          : {}),
      },
      createdAt,
    );
    addProperty(companies, property);
  });

  const names = shuffle(
    random,
    prefixes.flatMap((prefix) => suffixes.map((suffix) => [prefix, suffix] as const)),
  ).slice(0, HUBSPOT_DEMO_SEED_FACTS.companies);
  const segments = shuffle(
    random,
    Object.entries(HUBSPOT_DEMO_SEED_FACTS.segments).flatMap(([segment, count]) =>
      Array.from({ length: count }, () => segment as HubSpotDemoSegment),
    ),
  );
  const onboarders = ['75000002', '75000004'];
  const managers = ['75000001', '75000003', '75000005'];

  names.forEach(([prefix, suffix], index) => {
    const segment = segments[index] as HubSpotDemoSegment;
    const name = `${prefix} ${suffix}`;
    const domain = `${prefix.toLowerCase()}${suffix.toLowerCase()}.example`;
    const tier =
      segment === 'just_signed' && random.chance(0.3)
        ? 'trial'
        : random.pick(['starter', 'professional', 'professional', 'enterprise'] as const);
    const seats =
      tier === 'enterprise'
        ? random.integer(150, 600)
        : tier === 'professional'
          ? random.integer(40, 160)
          : random.integer(5, 40);
    const daysSinceSigned =
      segment === 'just_signed'
        ? random.integer(1, 20)
        : segment === 'onboarding'
          ? random.integer(25, 90)
          : segment === 'churned'
            ? random.integer(380, 800)
            : random.integer(120, 760);
    const signed = today - daysSinceSigned * DAY;
    const owner =
      segment === 'just_signed' || segment === 'onboarding' ? random.pick(onboarders) : random.pick(managers);
    const events: SeedEvent[] = [];
    const base: Record<string, string> = {
      name,
      domain,
      industry: segmentIndustry[suffix] ?? (INDUSTRY_OPTIONS[0]?.value as string),
      annualrevenue: String(random.integer(2, 400) * 250_000),
      hubspot_owner_id: owner,
      lifecyclestage: 'customer',
      contract_signed_date: dateOnly(signed),
      plan_tier: tier,
      licensed_seats: String(seats),
      active_users: '0',
      trained_users: '0',
      setup_complete: 'false',
      churned: 'false',
      open_support_tickets: '0',
      renewal_date: dateOnly(signed + 365 * DAY * Math.max(1, Math.ceil(daysSinceSigned / 365))),
    };
    // The company existed in the CRM as a prospect before the contract was signed.
    const created = signed - random.integer(20, 120) * DAY;
    events.push({
      at: created,
      values: {
        name,
        domain,
        industry: base.industry as string,
        annualrevenue: base.annualrevenue as string,
        hubspot_owner_id: owner,
        lifecyclestage: 'opportunity',
      },
      source: 'CRM_UI',
    });
    events.push({ at: signed, values: { ...base }, source: 'INTEGRATION' });
    if (segment !== 'just_signed') {
      const kickoff = signed + random.integer(5, 18) * DAY;
      const churnAt = segment === 'churned' ? today - random.integer(10, 200) * DAY : today;
      events.push({ at: kickoff, values: { kickoff_date: dateOnly(kickoff) }, source: 'CRM_UI' });
      const onboardingDays =
        segment === 'onboarding' ? Math.max(1, Math.floor((today - kickoff) / DAY)) : random.integer(30, 75);
      // Monthly usage syncs show the ramp-up over past months.
      const ramp = segment === 'onboarding' ? random.next() * 0.5 : 0.6 + random.next() * 0.35;
      const months = Math.min(24, Math.max(1, Math.floor((today - kickoff) / (30 * DAY))));
      for (let month = 1; month <= months; month++) {
        const at = kickoff + month * 30 * DAY;
        if (at >= churnAt) break;
        const progress = Math.min(1, (month * 30) / Math.max(onboardingDays, 30));
        let active = Math.round(seats * ramp * progress * (0.9 + random.next() * 0.1));
        if (segment === 'at_risk' && month > months - 3)
          active = Math.round(active * (0.35 + random.next() * 0.2));
        const values: Record<string, string> = {
          active_users: String(active),
          trained_users: String(Math.min(seats, Math.round(active * 1.1))),
        };
        if (month % 3 === 0) {
          values.nps_score = String(segment === 'at_risk' ? random.integer(-40, 10) : random.integer(10, 70));
          values.csat_score = String(segment === 'at_risk' ? random.integer(55, 72) : random.integer(78, 98));
        }
        values.open_support_tickets = String(
          segment === 'at_risk' ? random.integer(4, 12) : random.integer(0, 3),
        );
        events.push({ at, values, source: 'INTEGRATION' });
      }
      if (segment !== 'onboarding' || random.chance(0.35)) {
        const setupAt = kickoff + Math.min(onboardingDays, random.integer(14, 45)) * DAY;
        if (setupAt < today)
          events.push({ at: setupAt, values: { setup_complete: 'true' }, source: 'CRM_UI' });
      }
      if ((segment === 'adopted' || segment === 'at_risk') && tier !== 'enterprise' && random.chance(0.25)) {
        const upgradeAt = kickoff + random.integer(100, 300) * DAY;
        if (upgradeAt < today)
          events.push({
            at: upgradeAt,
            values: { plan_tier: tier === 'starter' ? 'professional' : 'enterprise' },
            source: 'CRM_UI',
          });
      }
      if (segment === 'churned') {
        events.push({
          at: churnAt,
          values: {
            churned: 'true',
            active_users: '0',
            lifecyclestage: 'other',
            renewal_date: dateOnly(churnAt),
          },
          source: 'CRM_UI',
        });
      }
    }
    events.sort((left, right) => left.at - right.at);
    const [first, ...rest] = events;
    if (!first) return;
    const record = createRecord(portal, companies, first.values, {
      trusted: true,
      silent: true,
      at: first.at,
      source: first.source,
    });
    for (const event of rest)
      updateRecord(portal, companies, record, event.values, {
        trusted: true,
        silent: true,
        at: Math.min(event.at, today),
        source: event.source,
      });
  });
}
