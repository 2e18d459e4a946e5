// Benchmark: REST requests/s of the Salesforce emulator with 100,000 Accounts loaded.
// The emulator runs alone in a child process (one core); this process generates the load over
// keep-alive HTTP connections. Run with `pnpm --filter @milepost/salesforce-emulator bench` after a build.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

if (process.argv[2] === 'server') {
  const { createSalesforceEmulator } = await import(join(here, '..', 'dist', 'index.js'));
  const emulator = await createSalesforceEmulator({
    seed: 'demo',
    orgs: [{ orgId: 'bench', edition: 'enterprise', dailyApiLimit: 1_000_000_000 }],
  });
  const org = emulator.org();
  const started = performance.now();
  const plans = ['Trial', 'Starter', 'Professional', 'Enterprise'];
  const ids = org.records('Account').map((account) => account.Id);
  for (let index = ids.length; index < ACCOUNTS; index++) {
    ids.push(
      org.insert('Account', {
        Name: `Bench Account ${index}`,
        Plan__c: plans[index % 4],
        Licensed_Seats__c: index % 500,
        Active_Users__c: index % 300,
      }),
    );
  }
  const seedSeconds = (performance.now() - started) / 1000;
  process.send({ type: 'ready', url: emulator.url, token: emulator.defaultToken, ids, seedSeconds });
  process.on('message', async (message) => {
    if (message === 'stats') {
      process.send({
        type: 'stats',
        rss: process.memoryUsage().rss,
        maxRss: process.resourceUsage().maxRSS * 1024,
        accounts: org.records('Account').length,
      });
    } else if (message === 'stop') {
      await emulator.close();
      process.exit(0);
    }
  });
} else {
  if (!existsSync(join(here, '..', 'dist', 'index.js'))) {
    console.error('Build first: pnpm --filter @milepost/salesforce-emulator build');
    process.exit(1);
  }
  const child = fork(fileURLToPath(import.meta.url), ['server'], { stdio: 'inherit' });
  const next = (type) =>
    new Promise((resolve) =>
      child.once('message', (message) => (message.type === type ? resolve(message) : undefined)),
    );
  const ready = await next('ready');
  const url = new URL(ready.url);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const headers = { Authorization: `Bearer ${ready.token}`, 'Content-Type': 'application/json' };
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const randomId = () => ready.ids[Math.floor(random() * ready.ids.length)];
  const call = (method, path, body) =>
    new Promise((resolve, reject) => {
      const outgoing = request(
        { host: url.hostname, port: url.port, method, path, headers, agent },
        (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode < 400
              ? resolve(response.statusCode)
              : reject(new Error(`${method} ${path} -> ${response.statusCode}`)),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  const operations = {
    retrieve: () => call('GET', `/services/data/v63.0/sobjects/Account/${randomId()}`),
    queryById: () =>
      call(
        'GET',
        `/services/data/v63.0/query?q=${encodeURIComponent(`SELECT Id, Name, Plan__c, Owner.Name FROM Account WHERE Id = '${randomId()}'`)}`,
      ),
    querySelective: () =>
      call(
        'GET',
        `/services/data/v63.0/query?q=${encodeURIComponent("SELECT Id, Name, Active_Users__c FROM Account WHERE Plan__c = 'Enterprise' AND Active_Users__c > 100 LIMIT 20")}`,
      ),
    collectionUpdate: () =>
      call(
        'PATCH',
        '/services/data/v63.0/composite/sobjects',
        JSON.stringify({
          allOrNone: false,
          records: Array.from({ length: 25 }, () => ({
            attributes: { type: 'Account' },
            id: randomId(),
            Active_Users__c: Math.floor(random() * 300),
          })),
        }),
      ),
  };
  const mixes = {
    retrieve: [['retrieve', 1]],
    query: [
      ['queryById', 0.5],
      ['querySelective', 0.5],
    ],
    'collection-update (25 records/request)': [['collectionUpdate', 1]],
    'mixed 60% retrieve / 30% query / 10% collection-update': [
      ['retrieve', 0.6],
      ['queryById', 0.15],
      ['querySelective', 0.15],
      ['collectionUpdate', 0.1],
    ],
  };
  const pick = (mix) => {
    let roll = random();
    for (const [name, weight] of mix) {
      roll -= weight;
      if (roll <= 0) return operations[name];
    }
    return operations[mix[0][0]];
  };
  const run = async (mix, seconds = SECONDS) => {
    const end = performance.now() + seconds * 1000;
    let completed = 0;
    const latencies = [];
    const worker = async () => {
      while (performance.now() < end) {
        const started = performance.now();
        await pick(mix)();
        latencies.push(performance.now() - started);
        completed++;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      rps: completed / elapsed,
      p50: latencies[Math.floor(latencies.length * 0.5)],
      p99: latencies[Math.floor(latencies.length * 0.99)],
    };
  };
  console.log('# @milepost/salesforce-emulator benchmark');
  console.log(
    `machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, node ${process.version}`,
  );
  console.log(
    `command: pnpm --filter @milepost/salesforce-emulator bench (node bench/salesforce-emulator.bench.js; BENCH_ACCOUNTS=${ACCOUNTS} BENCH_SECONDS=${SECONDS} BENCH_CONCURRENCY=${CONCURRENCY})`,
  );
  console.log(
    `setup: emulator in one child process (single-threaded), ${ACCOUNTS} Accounts (demo seed + generated), loaded in ${ready.seedSeconds.toFixed(1)} s; load from this process over ${CONCURRENCY} keep-alive connections`,
  );
  // Warm-up (JIT, caches) before measuring.
  await run(mixes['mixed 60% retrieve / 30% query / 10% collection-update'], 1);
  for (const [name, mix] of Object.entries(mixes)) {
    const result = await run(mix);
    console.log(
      `${name.padEnd(58)} ${result.rps.toFixed(0).padStart(7)} requests/s   p50 ${result.p50.toFixed(1)} ms   p99 ${result.p99.toFixed(1)} ms`,
    );
  }
  child.send('stats');
  const stats = await next('stats');
  console.log(
    `accounts at end: ${stats.accounts}; emulator RSS now ${(stats.rss / 1048576).toFixed(0)} MB, peak RSS ${(stats.maxRss / 1048576).toFixed(0)} MB`,
  );
  child.send('stop');
  agent.destroy();
}
