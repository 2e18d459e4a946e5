// Benchmark: sync N companies against the HubSpot emulator at a Professional portal's real rate limit
// (190 requests per 10 s, enforced with 429s), and the naive per-record baseline through
// @hubspot/api-client. Run after `pnpm --filter @milepost/hubspot build`:
//   node bench/hubspot-sync.bench.js [companies=20000] [naive=1000]
import { cpus } from 'node:os';
import { Client } from '@hubspot/api-client';
import { compileJourney, evaluate, generateSampleRecords, loadTemplate } from '@milepost/core';
import { createHubSpotEmulator } from '@milepost/hubspot-emulator';
import { createHubSpotAdapter } from '../dist/index.js';

const companies = Number(process.argv[2] ?? 20_000);
const naiveCompanies = Number(process.argv[3] ?? 1_000);
const NOW = new Date('2026-07-15T12:00:00Z');
const journey = loadTemplate('saas-lifecycle');
const rateLimit = { requests: 190, windowSeconds: 10 };

function factProperties(record) {
  return Object.fromEntries(Object.entries(record.facts).map(([key, value]) => [key, String(value)]));
}

async function setUp(count) {
  const emulator = await createHubSpotEmulator({ rateLimits: true });
  const portal = emulator.portal(emulator.defaultHubId);
  const headers = { authorization: `Bearer ${emulator.defaultToken}`, 'content-type': 'application/json' };
  // The customer's own fields, named like the journey's facts (the default mapping).
  const types = {
    number: ['number', 'number'],
    currency: ['number', 'number'],
    date: ['date', 'date'],
    boolean: ['bool', 'booleancheckbox'],
    enum: ['enumeration', 'select'],
    string: ['string', 'text'],
  };
  const inputs = journey.facts.map((fact) => ({
    name: fact.key,
    label: fact.label ?? fact.key,
    type: types[fact.type][0],
    fieldType: types[fact.type][1],
    groupName: 'companyinformation',
    ...(fact.values
      ? {
          options: fact.values.map((value, index) => ({
            label: value,
            value,
            displayOrder: index,
            hidden: false,
          })),
        }
      : {}),
  }));
  await fetch(`${emulator.url}/crm/v3/properties/companies/batch/create`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ inputs }),
  });
  const records = [...generateSampleRecords(journey, { count, seed: 20_000, now: NOW })];
  const ids = portal.loadObjects(
    'companies',
    records.map((record, index) => ({ name: `Company ${index + 1}`, ...factProperties(record) })),
  );
  return { emulator, portal, records, ids };
}

function byEndpoint(emulator) {
  return emulator.requests.countByEndpoint();
}

const machine = `${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, Node ${process.version}`;
console.log(
  `# HubSpot sync benchmark\nmachine: ${machine}\ncommand: node bench/hubspot-sync.bench.js ${companies} ${naiveCompanies}\n`,
);

// Milepost's sync.
{
  const { emulator, portal, ids } = await setUp(companies);
  const adapter = createHubSpotAdapter({
    accessToken: emulator.defaultToken,
    baseUrl: emulator.url,
    env: {},
  });
  await adapter.apply(journey, undefined, await adapter.plan(journey));
  emulator.requests.clear();
  const started = performance.now();
  const first = await adapter.sync(journey, undefined, { now: NOW });
  const seconds = (performance.now() - started) / 1000;
  const calls = byEndpoint(emulator);
  const throttled = emulator.requests.entries.filter((entry) => entry.status === 429).length;
  const companyReads = calls['GET /crm/objects/2026-09/companies'] ?? 0;
  const companyWrites = calls['POST /crm/objects/2026-09/companies/batch/update'] ?? 0;
  const minimum = Math.ceil(companies / 100) + Math.ceil(first.changed / 100);
  // A rolling window lets the first window's budget go at once; every later call waits its turn.
  const ideal =
    (Math.max(0, first.apiCalls - rateLimit.requests) / rateLimit.requests) * rateLimit.windowSeconds;
  // Lost updates: every company must hold the stage the engine computes from its facts.
  const compiled = compileJourney(journey);
  let lost = 0;
  for (const id of ids) {
    const company = portal.object('companies', id);
    const facts = {};
    for (const fact of journey.facts) {
      const raw = company.properties[fact.key];
      if (raw === undefined || raw === null || raw === '') continue;
      facts[fact.key] =
        fact.type === 'number' || fact.type === 'currency'
          ? Number(raw)
          : fact.type === 'boolean'
            ? raw === 'true'
            : raw;
    }
    const expected = evaluate(compiled, { id, facts }, NOW).stage;
    if (company.properties.milepost_stage !== expected) lost++;
  }
  emulator.requests.clear();
  const again = await adapter.sync(journey, undefined, { now: NOW });
  console.log('## Milepost sync');
  console.log(
    `companies: ${companies}, changed: ${first.changed}, tasks created: ${first.tasksCreated}, errors: ${first.errors.length}`,
  );
  console.log(`API calls: ${first.apiCalls} (429s answered and retried: ${throttled})`);
  console.log(
    `  company reads ${companyReads} + company writes ${companyWrites} = ${companyReads + companyWrites}; minimum ⌈N/100⌉ + ⌈changed/100⌉ = ${minimum}`,
  );
  for (const [endpoint, count] of Object.entries(calls)) console.log(`  ${endpoint}: ${count}`);
  console.log(
    `wall time: ${seconds.toFixed(1)} s; calls ÷ rate limit (${rateLimit.requests}/${rateLimit.windowSeconds} s): ${ideal.toFixed(1)} s; use of the limit: ${((ideal / seconds) * 100).toFixed(1)}%`,
  );
  console.log(`lost updates: ${lost}`);
  console.log(
    `second sync: ${again.writes} writes, ${again.apiCalls} calls (${Object.keys(byEndpoint(emulator)).join(', ')})`,
  );
  console.log(`peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB\n`);
  await emulator.close();
}

// The naive baseline: the same reads, then one update per changed company through @hubspot/api-client.
{
  const { emulator, records, ids } = await setUp(naiveCompanies);
  const adapter = createHubSpotAdapter({
    accessToken: emulator.defaultToken,
    baseUrl: emulator.url,
    env: {},
  });
  await adapter.apply(journey, undefined, await adapter.plan(journey));
  const client = new Client({
    accessToken: emulator.defaultToken,
    basePath: emulator.url,
    numberOfApiCallRetries: 6,
  });
  const compiled = compileJourney(journey);
  emulator.requests.clear();
  const started = performance.now();
  let updates = 0;
  let after;
  do {
    const page = await client.crm.companies.basicApi.getPage(
      100,
      after,
      journey.facts.map((fact) => fact.key),
    );
    for (const company of page.results) {
      const index = ids.indexOf(company.id);
      const state = evaluate(compiled, { id: company.id, facts: records[index].facts }, NOW);
      // One call per record, each retried by the client on 429 (10 s × attempt).
      await client.crm.companies.basicApi.update(company.id, {
        properties: {
          milepost_stage: state.stage,
          milepost_sla_status: state.sla,
          milepost_days_in_stage: String(state.daysInStage),
        },
      });
      updates++;
    }
    after = page.paging?.next?.after;
  } while (after);
  const seconds = (performance.now() - started) / 1000;
  const calls = emulator.requests.count();
  const perCompany = calls / naiveCompanies;
  console.log('## Naive baseline (per-record updates through @hubspot/api-client, company fields only)');
  console.log(
    `companies: ${naiveCompanies}, updates: ${updates}, API calls: ${calls} (${perCompany.toFixed(2)} per company), wall time ${seconds.toFixed(1)} s`,
  );
  console.log(
    `extrapolated to ${companies} companies: ${Math.round(perCompany * companies)} calls, ${((perCompany * companies) / (rateLimit.requests / rateLimit.windowSeconds) / 60).toFixed(1)} min at the rate limit`,
  );
  console.log(
    `calls ratio for company reads + writes (naive ÷ Milepost minimum): ${((perCompany * companies) / (Math.ceil(companies / 100) * 2)).toFixed(1)}×`,
  );
  await emulator.close();
}
