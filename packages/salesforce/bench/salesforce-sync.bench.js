// Sync benchmark: N accounts (default 50,000) on the emulator, Milepost's sync (Bulk API 2.0 above
// the thresholds) against a naive baseline that writes one REST request per record. Prints figures
// for BENCHMARKS.md. Run after `pnpm build`: pnpm --filter @milepost/salesforce bench
import { readFileSync } from 'node:fs';
import { loadTemplate, parseJourneySources } from '@milepost/core';
import { createSalesforceEmulator } from '@milepost/salesforce-emulator';
import { Connection } from 'jsforce';
import { createSalesforceAdapter, SALESFORCE_NAMES as N, SALESFORCE_API_VERSION } from '../dist/index.js';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 50_000);
const NAIVE_SAMPLE = Number(process.env.BENCH_NAIVE_SAMPLE ?? 2_000);
const NOW = new Date('2026-11-22T12:00:00Z');
const journey = loadTemplate('saas-lifecycle');
const mapping = parseJourneySources([
  { file: 'journey.json', text: JSON.stringify(journey) },
  {
    file: 'demo-mapping.yaml',
    text: readFileSync(new URL('../src/__fixtures__/demo-mapping.yaml', import.meta.url), 'utf8'),
  },
]).mappings[0];

async function orgWithAccounts(count) {
  const emulator = await createSalesforceEmulator({
    seed: 'demo',
    now: () => NOW,
    orgs: [{ orgId: '00D000000000001AAA', edition: 'unlimited', dailyApiLimit: 10_000_000 }],
  });
  const org = emulator.org();
  const template = org.records('Account');
  for (let index = template.length; index < count; index++) {
    const source = template[index % template.length];
    const fields = {};
    for (const [key, value] of Object.entries(source))
      if (/__c$|^(Industry|AnnualRevenue|NumberOfEmployees|Type|OwnerId)$/.test(key)) fields[key] = value;
    org.insert('Account', { ...fields, Name: `Bench account ${index}` });
  }
  const adapter = createSalesforceAdapter({
    instanceUrl: emulator.url,
    accessToken: emulator.defaultToken,
    pollIntervalMs: 20,
    env: {},
  });
  const plan = await adapter.plan(journey, mapping);
  const report = await adapter.apply(journey, mapping, plan);
  if (report.failed.length) throw new Error(JSON.stringify(report.failed));
  return { emulator, org, adapter };
}

function seconds(start) {
  return ((performance.now() - start) / 1000).toFixed(1);
}

const setupStart = performance.now();
const { emulator, adapter, org } = await orgWithAccounts(ACCOUNTS);
console.log(`setup: ${ACCOUNTS} accounts and the package in ${seconds(setupStart)} s`);

emulator.requests.clear();
let start = performance.now();
const first = await adapter.sync(journey, mapping, { now: NOW });
const firstSeconds = seconds(start);
console.log(
  `milepost sync (first): ${firstSeconds} s, ${first.apiCalls} API calls, ${first.writes} writes, ${first.changed} changed, ${first.errors.length} errors`,
);
console.log('  endpoints:', JSON.stringify(emulator.requests.counts()));
start = performance.now();
const second = await adapter.sync(journey, mapping, { now: NOW });
console.log(
  `milepost sync (second, nothing changed): ${seconds(start)} s, ${second.apiCalls} API calls, ${second.writes} writes`,
);
console.log(`  tasks created by the Flow: ${org.records('Task').length}`);
const floor = 2 * Math.ceil(ACCOUNTS / 200);
console.log(`collections-only floor for the writes alone (cycles + accounts, 200 per call): ${floor} calls`);
await emulator.close();

// Naive baseline: the same writes, one REST request per record (upsert the cycle, update the Account).
const naive = await orgWithAccounts(NAIVE_SAMPLE);
const connection = new Connection({
  instanceUrl: naive.emulator.url,
  accessToken: naive.emulator.defaultToken,
  version: SALESFORCE_API_VERSION,
});
const model = naive.adapter.packageModel(journey, mapping);
naive.emulator.requests.clear();
start = performance.now();
const accounts = (await connection.query(`SELECT Id FROM Account`).autoFetch(true).maxFetch(1_000_000).run())
  .records;
for (const account of accounts) {
  const state = await naive.adapter.status(journey, mapping, account.Id, NOW);
  // A naive integration reads each record (describe, Account, cycle, tasks) and writes it alone.
  await connection.sobject(N.cycleObject).upsert(
    {
      [N.cycleKey]: `${journey.key}:${account.Id}`,
      [N.cycleAccount]: account.Id,
      [N.cycleStage]: state.stage,
      [N.cycleJourneyKey]: journey.key,
    },
    N.cycleKey,
  );
  await connection
    .sobject('Account')
    .update({ Id: account.Id, [model.accountOutputs.stage.field]: state.stage });
}
const naiveSeconds = (performance.now() - start) / 1000;
const naiveCalls = naive.emulator.requests.count();
console.log(
  `naive per-record REST on ${accounts.length} accounts: ${naiveSeconds.toFixed(1)} s, ${naiveCalls} API calls (${(naiveCalls / accounts.length).toFixed(1)} per account)`,
);
console.log(
  `  extrapolated to ${ACCOUNTS}: ~${Math.round((naiveCalls / accounts.length) * ACCOUNTS)} API calls, ~${Math.round((naiveSeconds / accounts.length) * ACCOUNTS)} s`,
);
await naive.emulator.close();
