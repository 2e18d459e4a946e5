// Benchmark of the journey engine and analytics, on the compiled build (`pnpm build` first).
//
//   node bench/run.js [template name or journey file] [--sizes 10000,100000,1000000] [--now 2026-06-30]
//                     [--dist path/to/index.js]   (another build, e.g. a copy of the previous one)
//
// Records are generated before timing. Evaluation is one pass over the records on one core;
// analytics is a second pass that evaluates and aggregates (funnel, time in stage, churn, paths).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const distPath = option('--dist', undefined);
const core = await import(distPath ? pathToFileURL(resolve(distPath)).href : '../dist/index.js');
const positional = args.filter((arg, index) => !arg.startsWith('--') && !args[index - 1]?.startsWith('--'));
const target = positional[0] ?? 'saas-lifecycle';
const sizes = option('--sizes', '10000,100000,1000000').split(',').map(Number);
const now = option('--now', '2026-06-30');
const acmePath = fileURLToPath(new URL('../src/__fixtures__/acme.yaml', import.meta.url));

async function resolveJourney() {
  if (existsSync(target)) return { journey: (await core.loadJourney(target)).journey, source: target };
  if (typeof core.loadTemplate === 'function') {
    try {
      const loaded = await core.loadTemplate(target);
      return { journey: loaded.journey ?? loaded, source: `template ${target}` };
    } catch (error) {
      console.warn(`template "${target}" not loadable (${error.message}); using acme.yaml`);
    }
  } else {
    console.warn(`no loadTemplate export yet; using src/__fixtures__/acme.yaml instead of "${target}"`);
  }
  return { journey: (await core.loadJourney(acmePath)).journey, source: 'src/__fixtures__/acme.yaml' };
}

const mebibytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const peakRss = () => process.resourceUsage().maxRSS * 1024;
const rate = (count, milliseconds) => Math.round(count / (milliseconds / 1000)).toLocaleString('en-US');

const { journey, source } = await resolveJourney();
const compiled = core.compileJourney(journey);
console.log(
  `journey: ${journey.key} v${journey.version} (${source}); ${journey.stages.length} stages, ${compiled.milestones.length} milestones, ${compiled.cycles.length} SuccessCycles`,
);
console.log(`node ${process.version}, now ${now}, build ${distPath ?? 'dist/index.js'}\n`);
console.log('records    generate   evaluate        eval/s   analytics  analytics/s   heap used  peak RSS');

// Records are generated in chunks of at most 50,000 before each chunk is timed, and dropped after:
// 1,000,000 snapshot objects with histories do not fit in 1 GiB, while the engine and the
// analytics collector stream (the CLI reads JSONL line by line the same way).
const CHUNK = 50_000;
const rows = [];
for (const size of sizes) {
  const collector = core.createAnalyticsCollector(compiled, { now });
  const records = core.generateSampleRecords(journey, { count: size, seed: 42, now });
  let generateMs = 0;
  let evaluateMs = 0;
  let analyticsMs = 0;
  let checksum = 0;
  let warmedUp = false;
  for (let done = 0; done < size; done += CHUNK) {
    let started = performance.now();
    const chunk = [];
    for (let index = 0; index < Math.min(CHUNK, size - done); index++) chunk.push(records.next().value);
    generateMs += performance.now() - started;
    if (!warmedUp) {
      // Warm up the JIT on a slice; not counted.
      for (let index = 0; index < Math.min(chunk.length, 20_000); index++) {
        core.evaluate(compiled, chunk[index], now);
        core.evaluate(compiled, chunk[index], now, { tasks: false });
      }
      warmedUp = true;
    }
    started = performance.now();
    for (let index = 0; index < chunk.length; index++)
      checksum += core.evaluate(compiled, chunk[index], now).tasks.length;
    evaluateMs += performance.now() - started;
    started = performance.now();
    for (let index = 0; index < chunk.length; index++) {
      const record = chunk[index];
      collector.add(record, core.evaluate(compiled, record, now, { tasks: false }));
    }
    analyticsMs += performance.now() - started;
  }
  let started = performance.now();
  const analytics = collector.result();
  analyticsMs += performance.now() - started;
  started = performance.now();
  let stageOnly = 0;
  const sample = core.generateSampleRecords(journey, { count: Math.min(size, CHUNK), seed: 7, now });
  const sampleRecords = [...sample];
  started = performance.now();
  for (const record of sampleRecords)
    stageOnly += core.evaluate(compiled, record, now, { tasks: false }).daysInStage;
  const stageOnlyMs = performance.now() - started;
  // Every field read: evaluate and serialise the whole state (what `milepost evaluate --json` and
  // any caller that reads all of it pay), on the same sample.
  let serialisedLength = 0;
  started = performance.now();
  for (const record of sampleRecords)
    serialisedLength += JSON.stringify(core.evaluate(compiled, record, now)).length;
  const allFieldsMs = performance.now() - started;
  const heap = process.memoryUsage().heapUsed;
  const row = {
    size,
    generateMs,
    evaluateMs,
    analyticsMs,
    heap,
    peak: peakRss(),
    checksum,
    stageOnly,
    stageOnlyRate: rate(sampleRecords.length, stageOnlyMs),
    serialisedLength,
    allFieldsRate: rate(sampleRecords.length, allFieldsMs),
    sla: analytics.sla,
  };
  rows.push(row);
  console.log(
    `${size.toLocaleString('en-US').padStart(9)}  ${`${(generateMs / 1000).toFixed(2)} s`.padStart(8)}  ${`${(evaluateMs / 1000).toFixed(3)} s`.padStart(9)}  ${rate(size, evaluateMs).padStart(12)}  ${`${(analyticsMs / 1000).toFixed(3)} s`.padStart(10)}  ${rate(size, analyticsMs).padStart(11)}  ${mebibytes(heap).padStart(10)}  ${mebibytes(row.peak).padStart(8)}`,
  );
  globalThis.gc?.();
}
console.log(
  `\nevaluation without tasks ({ tasks: false }, stage/milestones/SLA only), last size: ${rows.at(-1).stageOnlyRate} records/s`,
);
console.log(
  `evaluation with every field read (evaluate + JSON.stringify(state)), last size: ${rows.at(-1).allFieldsRate} records/s`,
);
const final = rows.at(-1);
console.log(`SLA of the last run: ${JSON.stringify(final.sla)}`);

if (rows.length > 1) {
  const first = rows[0];
  console.log('\ngrowth (time per record relative to the smallest run; 1.00 = linear):');
  for (const row of rows.slice(1)) {
    const perRecord = (ms, size) => ms / size;
    console.log(
      `  ${row.size.toLocaleString('en-US')}: evaluate ×${(perRecord(row.evaluateMs, row.size) / perRecord(first.evaluateMs, first.size)).toFixed(2)}, analytics ×${(perRecord(row.analyticsMs, row.size) / perRecord(first.analyticsMs, first.size)).toFixed(2)}`,
    );
  }
}
const last = rows.at(-1);
console.log(
  `\ntargets: ≥ 500,000 evaluations/s → ${rate(last.size, last.evaluateMs)}; analytics of ${last.size.toLocaleString('en-US')} < 5 s → ${(last.analyticsMs / 1000).toFixed(2)} s; peak RSS < 1 GiB → ${mebibytes(last.peak)}`,
);
