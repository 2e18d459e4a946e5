/**
 * Analytics over many customers: the stage funnel, time in stage against the time frame, churn by
 * stage, the designed path against the observed one ("current vs ideal journey") and the journey
 * versions records were computed with. Research: stage-level conversion and churn on the CRM's own
 * history is something no CS platform offers (`shared/research/cs-landscape.md` §1 item 6); Planhat
 * StatesLogs and HubSpot's stage-calculated properties are the closest (§2.5, [S88]).
 *
 * The collector streams: memory does not grow with the number of records (day histograms per stage,
 * counters per group, a map of distinct deviations), so 1,000,000 records fit in a few megabytes.
 */
import { type CompiledJourney, evaluate, type JourneyState } from './engine.js';
import { formatUtcDay, parseUtcDay, toUtcDay } from './engine-dates.js';
import type { RecordSnapshot } from './snapshot.js';

/** One stage of a funnel. */
export interface FunnelStage {
  stage: string;
  name: string;
  /** Customers who reached the stage (it is in their history or it is their stage). */
  reached: number;
  /** Customers in the stage now. */
  current: number;
  /** Share of those who reached this stage that reached the next one; null for the last stage. */
  conversion: number | null;
}

/** Time spent in one stage. */
export interface StageTime {
  stage: string;
  name: string;
  expectedDays: number | null;
  /** Stays measured: finished stays from the history plus the ongoing stays of active customers. */
  stays: number;
  /** Median days per stay. */
  medianDays: number | null;
  /** 90th percentile of days per stay. */
  p90Days: number | null;
  /** Share of stays longer than the time frame. */
  overTimeFrame: number | null;
  /** Active (not churned) customers in the stage now, by SLA status. */
  onTrack: number;
  behind: number;
  stuck: number;
}

/** Churn in one stage. */
export interface StageChurn {
  stage: string;
  name: string;
  /** Customers who churned while in this stage. */
  count: number;
  /** The summed value fact of those customers. */
  value: number;
  /** Churned ÷ reached. */
  rate: number;
}

/** One kind of departure from the designed path. */
export interface PathDeviation {
  kind: 'skip' | 'backward' | 'off-path' | 'late-start';
  from: string | null;
  to: string;
  count: number;
  /** `onboarding → renewal (skipped adoption)`. */
  description: string;
}

/** Everything the analytics found. */
export interface JourneyAnalytics {
  journey: { key: string; name: string; version: number };
  /** The day the states were computed for (`YYYY-MM-DD`). */
  asOf: string | null;
  records: number;
  stages: Array<{ key: string; name: string; expectedDays: number | null }>;
  funnel: {
    overall: FunnelStage[];
    byPersona: Record<string, FunnelStage[]>;
    bySegment: Record<string, FunnelStage[]>;
  };
  timeInStage: StageTime[];
  sla: { onTrack: number; behind: number; stuck: number };
  churn: {
    /** The boolean fact read, or null when the journey names none and none looks like churn. */
    fact: string | null;
    valueFact: string | null;
    count: number;
    value: number;
    byStage: StageChurn[];
  };
  paths: {
    /** Customers with at least one stage. */
    observed: number;
    /** Customers whose stages follow the designed order exactly (no skip, no backward move). */
    followingDesign: number;
    /** followingDesign ÷ observed. */
    designedShare: number;
    /** Customers with at least one backward move, and the number of backward moves. */
    customersWithBackwardMoves: number;
    backwardMoves: number;
    /** How many times each stage was skipped. */
    skipped: Array<{ stage: string; name: string; count: number }>;
    /** The most common deviations, most frequent first. */
    deviations: PathDeviation[];
  };
  versions: {
    current: number;
    /** Records by the journey version their snapshot says they were computed with (`unknown` when absent). */
    byVersion: Array<{ version: number | 'unknown'; count: number }>;
    /** Records computed with an older version than the current one. */
    outdated: number;
  };
}

/** Options of {@link createAnalyticsCollector}. */
export interface AnalyticsOptions {
  /** How many deviations to list (default 10). */
  topDeviations?: number;
  /** The day the states were computed for, shown in reports. */
  now?: Date | string | number;
}

/** Accumulates analytics one record at a time. */
/** What the analytics read of an evaluated state (a stored state that keeps these is enough). */
export type AnalyzedState = Pick<JourneyState, 'stage' | 'stageEnteredAt' | 'daysInStage' | 'sla'>;

export interface AnalyticsCollector {
  /** Adds one record and the state evaluated from it. */
  add(snapshot: RecordSnapshot, state: AnalyzedState): void;
  /** The analytics so far. */
  result(): JourneyAnalytics;
}

// Days beyond this are pooled in the last histogram bucket (stays over ~11 years are noise).
const HISTOGRAM_DAYS = 4096;

interface GroupCounts {
  reached: Uint32Array;
  current: Uint32Array;
  /** Customers who reached a stage and also the one after it (conversion stays within 100%). */
  continued: Uint32Array;
}

function percentileOf(histogram: Uint32Array, total: number, fraction: number): number | null {
  if (total === 0) return null;
  // Nearest-rank percentile: the smallest day with at least `fraction` of the stays at or below it.
  const rank = Math.max(1, Math.ceil(fraction * total));
  let seen = 0;
  for (let day = 0; day < histogram.length; day++) {
    seen += histogram[day]!;
    if (seen >= rank) return day;
  }
  return histogram.length - 1;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === 1;
}

/** A collector for a compiled journey; call `add` for every record, then `result`. */
export function createAnalyticsCollector(
  compiled: CompiledJourney,
  options: AnalyticsOptions = {},
): AnalyticsCollector {
  const stages = compiled.stages;
  const count = stages.length;
  const journey = compiled.journey;
  const churnFact =
    journey.analytics?.churnFact ??
    journey.facts.find((fact) => fact.type === 'boolean' && fact.key.includes('churn'))?.key ??
    null;
  const valueFact =
    journey.analytics?.valueFact ?? journey.facts.find((fact) => fact.type === 'currency')?.key ?? null;

  const newGroup = (): GroupCounts => ({
    reached: new Uint32Array(count),
    current: new Uint32Array(count),
    continued: new Uint32Array(count),
  });
  const overall = newGroup();
  const byPersona = new Map<string, GroupCounts>();
  const bySegment = new Map<string, GroupCounts>();
  const histograms = stages.map(() => new Uint32Array(HISTOGRAM_DAYS));
  const stayCounts = new Uint32Array(count);
  const overFrame = new Uint32Array(count);
  const slaCounts = {
    onTrack: new Uint32Array(count),
    behind: new Uint32Array(count),
    stuck: new Uint32Array(count),
  };
  const churnCounts = new Uint32Array(count);
  const churnValues = new Float64Array(count);
  const skipped = new Uint32Array(count);
  const deviations = new Map<string, PathDeviation>();
  const versions = new Map<number | 'unknown', number>();
  // Marks of the stages one record reached, reused across records (generation counter, no clearing).
  const reachedMark = new Uint32Array(count);
  let generation = 0;
  let records = 0;
  let observed = 0;
  let followingDesign = 0;
  let customersWithBackwardMoves = 0;
  let backwardMoves = 0;

  const recordStay = (stageIndex: number, days: number) => {
    const clamped = days < 0 ? 0 : days >= HISTOGRAM_DAYS ? HISTOGRAM_DAYS - 1 : days;
    histograms[stageIndex]![clamped]!++;
    stayCounts[stageIndex]!++;
    const expected = stages[stageIndex]!.expectedDays;
    if (expected !== null && days > expected) overFrame[stageIndex]!++;
  };

  const deviation = (
    kind: PathDeviation['kind'],
    from: string | null,
    to: string,
    description: () => string,
  ) => {
    const key = `${kind}\u0000${from ?? ''}\u0000${to}`;
    const found = deviations.get(key);
    if (found) found.count++;
    else deviations.set(key, { kind, from, to, count: 1, description: description() });
  };

  const stageName = (key: string) => {
    const index = compiled.stageIndex.get(key);
    return index === undefined ? key : stages[index]!.name;
  };

  return {
    add(snapshot, state) {
      records++;
      generation++;
      const plan = (snapshot.persona && compiled.plans.get(snapshot.persona)) || compiled.defaultPlan;
      const churned = churnFact !== null && isTrue(snapshot.facts[churnFact]);
      const version = snapshot.journeyVersion ?? 'unknown';
      versions.set(version, (versions.get(version) ?? 0) + 1);

      // Walk the observed stages: history, then the state's stage when it differs from the last.
      const history = snapshot.history ?? [];
      let previousPosition = Number.NaN;
      let previousKey: string | null = null;
      let previousDay = Number.NaN;
      let previousIndex = -1;
      let deviated = false;
      let movedBack = false;
      let steps = 0;
      const visit = (stageKey: string, day: number) => {
        const index = compiled.stageIndex.get(stageKey);
        if (previousIndex >= 0 && !Number.isNaN(previousDay) && !Number.isNaN(day)) {
          recordStay(previousIndex, day - previousDay);
        }
        if (index === undefined) {
          previousIndex = -1;
          previousKey = stageKey;
          previousDay = day;
          return;
        }
        if (reachedMark[index] !== generation) reachedMark[index] = generation;
        const position = plan.positionOf[index]!;
        const from = previousKey;
        if (steps === 0) {
          if (position > 0) {
            deviated = true;
            for (let skippedPosition = 0; skippedPosition < position; skippedPosition++) {
              skipped[plan.path[skippedPosition]!.index]!++;
            }
            deviation('late-start', null, stageKey, () => `started at ${stageName(stageKey)}`);
          }
        } else if (position < 0) {
          deviated = true;
          deviation(
            'off-path',
            from,
            stageKey,
            () => `${stageName(from ?? '')} → ${stageName(stageKey)} (not on the path)`,
          );
        } else if (!Number.isNaN(previousPosition) && previousPosition >= 0) {
          if (position < previousPosition) {
            deviated = true;
            movedBack = true;
            backwardMoves++;
            deviation(
              'backward',
              from,
              stageKey,
              () => `${stageName(from ?? '')} → ${stageName(stageKey)} (backward)`,
            );
          } else if (position > previousPosition + 1) {
            deviated = true;
            const names: string[] = [];
            for (let skippedPosition = previousPosition + 1; skippedPosition < position; skippedPosition++) {
              const skippedStage = plan.path[skippedPosition]!;
              skipped[skippedStage.index]!++;
              names.push(skippedStage.name);
            }
            deviation(
              'skip',
              from,
              stageKey,
              () => `${stageName(from ?? '')} → ${stageName(stageKey)} (skipped ${names.join(', ')})`,
            );
          }
        }
        steps++;
        previousPosition = position;
        previousKey = stageKey;
        previousDay = day;
        previousIndex = index;
      };
      for (const entry of history) {
        if (entry.stage === previousKey) continue;
        visit(entry.stage, parseUtcDay(entry.enteredAt));
      }
      if (state.stage !== previousKey) visit(state.stage, parseUtcDay(state.stageEnteredAt));
      // The ongoing stay of an active customer counts as measured so far.
      const currentIndex = compiled.stageIndex.get(state.stage)!;
      if (!churned) {
        recordStay(currentIndex, state.daysInStage);
        if (state.sla === 'stuck') slaCounts.stuck[currentIndex]!++;
        else if (state.sla === 'behind') slaCounts.behind[currentIndex]!++;
        else slaCounts.onTrack[currentIndex]!++;
      } else {
        churnCounts[currentIndex]!++;
        if (valueFact !== null) {
          const value = Number(snapshot.facts[valueFact]);
          if (Number.isFinite(value)) churnValues[currentIndex]! += value;
        }
      }
      if (steps > 0) {
        observed++;
        if (!deviated) followingDesign++;
        if (movedBack) customersWithBackwardMoves++;
      }

      const groups: GroupCounts[] = [overall];
      if (snapshot.persona) {
        let group = byPersona.get(snapshot.persona);
        if (!group) {
          group = newGroup();
          byPersona.set(snapshot.persona, group);
        }
        groups.push(group);
      }
      if (snapshot.segment) {
        let group = bySegment.get(snapshot.segment);
        if (!group) {
          group = newGroup();
          bySegment.set(snapshot.segment, group);
        }
        groups.push(group);
      }
      for (const group of groups) {
        group.current[currentIndex]!++;
        for (let index = 0; index < count; index++) {
          if (reachedMark[index] !== generation) continue;
          group.reached[index]!++;
          if (index + 1 < count && reachedMark[index + 1] === generation) group.continued[index]!++;
        }
      }
    },

    result() {
      const funnelOf = (group: GroupCounts): FunnelStage[] =>
        stages.map((stage, index) => {
          const reached = group.reached[index]!;
          const last = index + 1 >= count;
          return {
            stage: stage.key,
            name: stage.name,
            reached,
            current: group.current[index]!,
            // Customers who skipped a stage count where they reached, not as conversions into it.
            conversion: last ? null : reached === 0 ? 0 : group.continued[index]! / reached,
          };
        });
      const sortedGroups = (groups: Map<string, GroupCounts>) =>
        Object.fromEntries([...groups.keys()].sort().map((key) => [key, funnelOf(groups.get(key)!)]));
      const timeInStage: StageTime[] = stages.map((stage, index) => {
        const stays = stayCounts[index]!;
        return {
          stage: stage.key,
          name: stage.name,
          expectedDays: stage.expectedDays,
          stays,
          medianDays: percentileOf(histograms[index]!, stays, 0.5),
          p90Days: percentileOf(histograms[index]!, stays, 0.9),
          overTimeFrame: stage.expectedDays === null || stays === 0 ? null : overFrame[index]! / stays,
          onTrack: slaCounts.onTrack[index]!,
          behind: slaCounts.behind[index]!,
          stuck: slaCounts.stuck[index]!,
        };
      });
      const sum = (array: Uint32Array) => array.reduce((total, value) => total + value, 0);
      const topDeviations = [...deviations.values()]
        .sort((left, right) => right.count - left.count || left.description.localeCompare(right.description))
        .slice(0, options.topDeviations ?? 10)
        .map((item) => ({ ...item }));
      const byVersion = [...versions.entries()]
        .sort(([left], [right]) => (left === 'unknown' ? 1 : right === 'unknown' ? -1 : left - right))
        .map(([version, total]) => ({ version, count: total }));
      const asOfDay = options.now === undefined ? Number.NaN : toUtcDay(options.now);
      return {
        journey: { key: compiled.key, name: journey.name, version: compiled.version },
        asOf: Number.isNaN(asOfDay) ? null : formatUtcDay(asOfDay),
        records,
        stages: stages.map((stage) => ({
          key: stage.key,
          name: stage.name,
          expectedDays: stage.expectedDays,
        })),
        funnel: {
          overall: funnelOf(overall),
          byPersona: sortedGroups(byPersona),
          bySegment: sortedGroups(bySegment),
        },
        timeInStage,
        sla: { onTrack: sum(slaCounts.onTrack), behind: sum(slaCounts.behind), stuck: sum(slaCounts.stuck) },
        churn: {
          fact: churnFact,
          valueFact,
          count: sum(churnCounts),
          value: churnValues.reduce((total, value) => total + value, 0),
          byStage: stages.map((stage, index) => ({
            stage: stage.key,
            name: stage.name,
            count: churnCounts[index]!,
            value: churnValues[index]!,
            rate: overall.reached[index]! === 0 ? 0 : churnCounts[index]! / overall.reached[index]!,
          })),
        },
        paths: {
          observed,
          followingDesign,
          designedShare: observed === 0 ? 0 : followingDesign / observed,
          customersWithBackwardMoves,
          backwardMoves,
          skipped: stages
            .map((stage, index) => ({ stage: stage.key, name: stage.name, count: skipped[index]! }))
            .filter((item) => item.count > 0),
          deviations: topDeviations,
        },
        versions: {
          current: compiled.version,
          byVersion,
          outdated: byVersion.reduce(
            (total, item) =>
              item.version !== 'unknown' && item.version < compiled.version ? total + item.count : total,
            0,
          ),
        },
      };
    },
  };
}

/** Evaluates every snapshot at `now` and returns the analytics (streams: any iterable works). */
export function analyzeSnapshots(
  compiled: CompiledJourney,
  snapshots: Iterable<RecordSnapshot>,
  now: Date | string | number,
  options: Omit<AnalyticsOptions, 'now'> = {},
): JourneyAnalytics {
  const collector = createAnalyticsCollector(compiled, { ...options, now });
  // Analytics never reads tasks, so they are not computed.
  for (const snapshot of snapshots)
    collector.add(snapshot, evaluate(compiled, snapshot, now, { tasks: false }));
  return collector.result();
}
