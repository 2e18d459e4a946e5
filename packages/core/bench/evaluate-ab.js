// A/B comparison of `evaluate` between two builds on the same records, interleaved in one process
// so both see the same machine load (the VM is shared; single runs of run.js swing by ±40 %).
//
//   node bench/evaluate-ab.js [--baseline path/to/other/dist/index.js] [--count 50000] [--rounds 7]
//
// Records are generated once by the current build (same generator, seed 42, now 2026-06-30, as
// run.js) and each build evaluates every record once per round; rounds alternate between builds.
// Rates are given by wall time and by process CPU time (which leaves out time spent waiting for a
// core while other engineers' tests run); the best and the median of the rounds are printed.
import { pathToFileURL } from 'node:url';
import * as current from '../dist/index.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const count = Number(option('--count', '50000'));
const rounds = Number(option('--rounds', '7'));
const baselinePath = option('--baseline', undefined);
const tasks = option('--tasks', 'true') !== 'false';
const now = '2026-06-30';

const builds = [{ name: 'current', core: current }];
if (baselinePath) builds.push({ name: 'baseline', core: await import(pathToFileURL(baselinePath).href) });

const journey = current.loadTemplate('saas-lifecycle');
const records = [...current.generateSampleRecords(journey, { count, seed: 42, now })];
const options = tasks ? undefined : { tasks: false };
for (const build of builds) {
  build.compiled = build.core.compileJourney(journey);
  build.wall = [];
  build.cpu = [];
  for (let index = 0; index < Math.min(count, 20_000); index++)
    build.core.evaluate(build.compiled, records[index], now, options);
}

const cpuMicros = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};
let checksum = 0;
for (let round = 0; round < rounds; round++) {
  for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
    const { core, compiled } = build;
    const cpuStart = cpuMicros();
    const started = performance.now();
    for (let index = 0; index < records.length; index++)
      checksum += core.evaluate(compiled, records[index], now, options).tasks.length;
    build.wall.push(records.length / ((performance.now() - started) / 1000));
    build.cpu.push(records.length / ((cpuMicros() - cpuStart) / 1e6));
  }
}
const summary = (rates) => {
  const sorted = [...rates].sort((left, right) => left - right);
  const format = (rate) => Math.round(rate).toLocaleString('en-US');
  return `best ${format(sorted.at(-1))}, median ${format(sorted[Math.floor(sorted.length / 2)])}`;
};
console.log(`${count} records, ${rounds} rounds, tasks ${tasks} (checksum ${checksum})`);
for (const build of builds) {
  console.log(`${build.name.padEnd(9)} wall: ${summary(build.wall)} /s; cpu: ${summary(build.cpu)} /s`);
  console.log(
    `          rounds (cpu): ${build.cpu.map((rate) => Math.round(rate).toLocaleString('en-US')).join(', ')}`,
  );
}
