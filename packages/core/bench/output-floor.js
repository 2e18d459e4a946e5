// What the full `JourneyState` costs to build before any evaluation: the floor under `evaluate`'s
// rate with this output contract. Interleaved rounds in one process, by process CPU time:
//
//   node bench/output-floor.js [--count 20000] [--rounds 6]
//
// - evaluate: the real `evaluate()` (full state, tasks included);
// - evaluate without tasks: `evaluate(…, { tasks: false })`;
// - the same two on 256 records that stay in the CPU cache;
// - copy only: a fresh state of the same shape per record, copied field by field from that record's
//   precomputed state (every object and array allocated, no evaluation);
// - copy only, states in cache: the same, copying one of 64 states that stay in the CPU cache, so
//   what is left is allocating and filling the objects;
// - copy + task map keys: the same plus `Object.keys` of the record's task statuses, the least any
//   evaluation must read of them;
// - task map: three ways of reading a record's task statuses alone (enumerating its keys, or
//   probing it once per task with the short keys).
// The records are the benchmark's (`generateSampleRecords`, seed 42, now 2026-06-30, saas-lifecycle).
import * as core from '../dist/index.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const count = Number(option('--count', '20000'));
const rounds = Number(option('--rounds', '6'));
const now = '2026-06-30';
const journey = core.loadTemplate('saas-lifecycle');
const compiled = core.compileJourney(journey);
const records = [...core.generateSampleRecords(journey, { count, seed: 42, now })];
const states = records.map((record) => core.evaluate(compiled, record, now));
// The short status keys (`cycle:task`) of the journey's tasks, as the engine looks them up.
const shortKeys = compiled.cycles.flatMap((cycle) => cycle.statusKeysByStage.flat());

const copyProgress = (leaf) => ({
  fact: leaf.fact,
  label: leaf.label,
  op: leaf.op,
  target: leaf.target,
  current: leaf.current,
  met: leaf.met,
  text: leaf.text,
});
const copyTask = (task) => ({
  key: task.key,
  cycle: task.cycle,
  activity: task.activity,
  task: task.task,
  stage: task.stage,
  subject: task.subject,
  owner: task.owner,
  type: task.type,
  priority: task.priority,
  due: task.due,
  status: task.status,
});
/** A fresh state of the same shape as `state`, nothing shared but strings. */
function copyState(state) {
  const milestones = { ...compiled.milestoneTemplate };
  for (const key in state.milestones) {
    const milestone = state.milestones[key];
    milestones[key] = {
      status: milestone.status,
      achievedAt: milestone.achievedAt,
      recorded: milestone.recorded,
    };
  }
  const next = state.nextMilestone;
  const tasks = [];
  for (const task of state.tasks) tasks.push(copyTask(task));
  const nextTask = state.next.nextTask;
  return {
    id: state.id,
    journey: state.journey,
    journeyVersion: state.journeyVersion,
    persona: state.persona,
    segment: state.segment,
    stage: state.stage,
    stageName: state.stageName,
    stageSource: state.stageSource,
    crmStage: state.crmStage,
    stageChanged: state.stageChanged,
    stageEnteredAt: state.stageEnteredAt,
    daysInStage: state.daysInStage,
    expectedDays: state.expectedDays,
    sla: state.sla,
    daysSinceProgress: state.daysSinceProgress,
    stageDone: state.stageDone,
    complete: state.complete,
    milestones,
    nextMilestone: next
      ? {
          key: next.key,
          name: next.name,
          stage: next.stage,
          criteria: next.criteria,
          criteriaText: next.criteriaText,
          progress: next.progress.map(copyProgress),
          text: next.text,
        }
      : null,
    owner: state.owner,
    ownerName: state.ownerName,
    handoff: state.handoff ? { ...state.handoff, artifacts: [...state.handoff.artifacts] } : null,
    cycles: state.cycles.map((cycle) => ({
      key: cycle.key,
      name: cycle.name,
      basis: cycle.basis,
      year: cycle.year,
    })),
    tasks,
    whatsNext: state.whatsNext,
    next: {
      kind: state.next.kind,
      stage: state.next.stage,
      milestone: state.next.milestone,
      unmet: state.next.unmet.map(copyProgress),
      handoffTo: state.next.handoffTo,
      overdueTasks: state.next.overdueTasks,
      nextTask: nextTask
        ? { key: nextTask.key, subject: nextTask.subject, due: nextTask.due, status: nextTask.status }
        : null,
    },
    warnings: state.warnings.length > 0 ? [...state.warnings] : [],
  };
}

let sink = 0;
const variants = [
  ['evaluate', (index) => core.evaluate(compiled, records[index], now).tasks.length],
  [
    'evaluate without tasks',
    (index) => core.evaluate(compiled, records[index], now, { tasks: false }).daysInStage,
  ],
  ['evaluate, records in cache', (index) => core.evaluate(compiled, records[index & 255], now).tasks.length],
  [
    'without tasks, in cache',
    (index) => core.evaluate(compiled, records[index & 255], now, { tasks: false }).daysInStage,
  ],
  ['copy only', (index) => copyState(states[index]).tasks.length],
  ['copy only, states in cache', (index) => copyState(states[index & 63]).tasks.length],
  [
    'copy + task map keys',
    (index) => copyState(states[index]).tasks.length + Object.keys(records[index].tasks ?? {}).length,
  ],
  ['task map: Object.keys', (index) => Object.keys(records[index].tasks ?? {}).length],
  [
    'task map: for…in',
    (index) => {
      let keys = 0;
      for (const _ in records[index].tasks ?? {}) keys++;
      return keys;
    },
  ],
  [
    'task map: probe 24 short keys',
    (index) => {
      const statuses = records[index].tasks ?? {};
      let found = 0;
      for (let key = 0; key < shortKeys.length; key++) if (statuses[shortKeys[key]] !== undefined) found++;
      return found;
    },
  ],
].map(([name, run]) => ({ name, run, cpu: [] }));

const cpuMicros = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};
for (const variant of variants) for (let index = 0; index < count; index++) sink += variant.run(index);
for (let round = 0; round < rounds; round++) {
  for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
    const started = cpuMicros();
    for (let index = 0; index < count; index++) sink += variant.run(index);
    variant.cpu.push((cpuMicros() - started) / count);
  }
}
console.log(`${count} saas-lifecycle records, ${rounds} rounds, node ${process.version} (checksum ${sink})`);
console.log('variant                      µs/record (median, best)    records/s (median)');
for (const variant of variants) {
  const sorted = [...variant.cpu].sort((left, right) => left - right);
  const median = sorted[Math.floor(sorted.length / 2)];
  const perSecond = Math.round(1e6 / median).toLocaleString('en-US');
  const micros = `${median.toFixed(2).padStart(6)}, ${sorted[0].toFixed(2).padStart(6)}`;
  console.log(`${variant.name.padEnd(28)} ${micros}           ${perSecond.padStart(9)}`);
}
