// Benchmark of the HubSpot emulator: requests/s with 100,000 companies loaded, for a read-heavy mix and a
// batch-write mix, plus the emulator's peak RSS. The emulator runs in a child process (one core, one event
// loop); this process generates the load over keep-alive connections. Run `pnpm build` first.
//
//   pnpm --filter @milepost/hubspot-emulator bench        (BENCH_SECONDS=8 BENCH_CONCURRENCY=32 by default)
import { fork } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const COMPANIES = 100_000;
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);

if (process.argv[2] === '--server') {
  const { createHubSpotEmulator } = await import('../dist/index.js');
  // Budgets off: the benchmark measures the emulator, not HubSpot's limits.
  const emulator = await createHubSpotEmulator({ rateLimits: false, requestLogLimit: 50_000 });
  const portal = emulator.portal(emulator.defaultHubId);
  const industries = ['COMPUTER_SOFTWARE', 'RETAIL', 'BANKING', 'INTERNET'];
  const ids = [];
  for (let start = 0; start < COMPANIES; start += 10_000) {
    const chunk = [];
    for (let index = start; index < start + 10_000; index++) {
      chunk.push({
        name: `Company ${index}`,
        domain: `company${index}.example`,
        industry: industries[index % 4],
        annualrevenue: String((index % 500) * 10_000),
        lifecyclestage: 'customer',
      });
    }
    ids.push(...portal.loadObjects('companies', chunk));
  }
  process.on('message', (message) => {
    if (message === 'rss')
      process.send?.({
        maxRssKilobytes: process.resourceUsage().maxRSS,
        requests: emulator.requests.count(),
        byEndpoint: emulator.requests.countByEndpoint(),
      });
    if (message === 'cpu') {
      const usage = process.cpuUsage();
      process.send?.({ cpuMicroseconds: usage.user + usage.system });
    }
    if (message === 'stop') void emulator.close().then(() => process.exit(0));
  });
  process.send?.({
    url: emulator.url,
    token: emulator.defaultToken,
    firstId: ids[0],
    lastId: ids[ids.length - 1],
  });
} else {
  const started = performance.now();
  const child = fork(fileURLToPath(import.meta.url), ['--server'], {
    stdio: 'inherit',
    execArgv: process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
  });
  const ask = (message) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      if (message) child.send(message);
    });
  const ready = await ask();
  const loadSeconds = (performance.now() - started) / 1000;
  const headers = { Authorization: `Bearer ${ready.token}`, 'Content-Type': 'application/json' };
  const first = Number(ready.firstId);
  const randomId = () => String(first + Math.floor(Math.random() * COMPANIES));
  const call = async (method, path, body) => {
    const response = await fetch(`${ready.url}${path}`, {
      method,
      headers,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    await response.arrayBuffer();
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}`);
  };

  const readMix = () => {
    const roll = Math.random();
    if (roll < 0.7)
      return call('GET', `/crm/v3/objects/companies/${randomId()}?properties=name,domain,industry`);
    if (roll < 0.85)
      return call('GET', `/crm/v3/objects/companies?limit=100&after=${randomId()}&properties=name`);
    // Search is capped at 5 req/s by HubSpot, so a realistic mix holds few; 0.25% ≈ 5/s at 2,000 req/s.
    if (roll < 0.9975)
      return call('POST', '/crm/v3/objects/companies/batch/read', {
        inputs: Array.from({ length: 100 }, () => ({ id: randomId() })),
        properties: ['name', 'domain'],
        propertiesWithHistory: [],
      });
    return call('POST', '/crm/v3/objects/companies/search', {
      filterGroups: [{ filters: [{ propertyName: 'industry', operator: 'EQ', value: 'RETAIL' }] }],
      properties: ['name'],
      limit: 100,
      after: '0',
    });
  };
  let created = 0;
  const writeMix = () => {
    const roll = Math.random();
    if (roll < 0.4) {
      const start = first + Math.floor(Math.random() * (COMPANIES - 100));
      return call('POST', '/crm/v3/objects/companies/batch/update', {
        inputs: Array.from({ length: 100 }, (_, index) => ({
          id: String(start + index),
          properties: { annualrevenue: String(Math.floor(Math.random() * 1e7)) },
        })),
      });
    }
    if (roll < 0.6) {
      created += 100;
      return call('POST', '/crm/v3/objects/companies/batch/create', {
        inputs: Array.from({ length: 100 }, (_, index) => ({
          properties: { name: `New ${created + index}`, lifecyclestage: 'lead' },
        })),
      });
    }
    if (roll < 0.8)
      return call('PATCH', `/crm/v3/objects/companies/${randomId()}`, {
        properties: { lifecyclestage: 'evangelist' },
      });
    return call('GET', `/crm/v3/objects/companies/${randomId()}?properties=name,annualrevenue`);
  };

  async function run(name, mix) {
    let count = 0;
    let errors = 0;
    const cpuBefore = (await ask('cpu')).cpuMicroseconds;
    const deadline = performance.now() + seconds * 1000;
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          try {
            await mix();
            count++;
          } catch {
            errors++;
          }
        }
      }),
    );
    const elapsed = (performance.now() - startedAt) / 1000;
    const cpuSeconds = ((await ask('cpu')).cpuMicroseconds - cpuBefore) / 1e6;
    // Emulator CPU use per wall second: near 1.0 means the emulator's core was saturated.
    const emulatorCore = Number((cpuSeconds / elapsed).toFixed(2));
    return {
      name,
      requests: count,
      errors,
      seconds: Number(elapsed.toFixed(2)),
      requestsPerSecond: Math.round(count / elapsed),
      emulatorCore,
      perCoreSecond: Math.round(count / cpuSeconds),
    };
  }

  // Warm up the JIT before measuring.
  await run('warm-up', readMix);
  const read = await run(
    'read-heavy (70% get by id, 15% list page of 100, 15% batch read of 100, 0.25% search)',
    readMix,
  );
  const write = await run(
    'batch-write (40% batch update of 100, 20% batch create of 100, 20% patch, 20% get)',
    writeMix,
  );
  const usage = await ask('rss');
  child.send('stop');
  const cpu = cpus();
  const report = [
    `machine: ${cpu[0]?.model ?? 'unknown'} × ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${process.platform}/${process.arch}`,
    `command: node bench/hubspot-emulator.bench.js (BENCH_SECONDS=${seconds}, BENCH_CONCURRENCY=${concurrency}); emulator in a child process, load from this one`,
    `loaded: ${COMPANIES.toLocaleString('en')} companies in ${loadSeconds.toFixed(1)} s (startup + loadObjects)`,
    ...[read, write].map(
      (result) =>
        `${result.name}: ${result.requestsPerSecond.toLocaleString('en')} requests/s (${result.requests.toLocaleString('en')} requests in ${result.seconds} s, ${result.errors} errors; emulator used ${result.emulatorCore} of a core = ${result.perCoreSecond.toLocaleString('en')} requests per emulator CPU-second)`,
    ),
    `emulator peak RSS: ${Math.round(usage.maxRssKilobytes / 1024)} MiB`,
  ];
  for (const line of report) console.log(line);
}
