/**
 * Analytics as plain text for terminals: aligned tables, no colour codes (pipe-friendly).
 */
import type { JourneyAnalytics } from './analytics.js';

/** `0.4567` → `45.7%`. */
export function formatShare(share: number | null): string {
  return share === null ? '—' : `${(share * 100).toFixed(1)}%`;
}

/** Thousands separators, no locale surprises: `1234567` → `1,234,567`. */
export function formatCount(value: number): string {
  const rounded = Math.round(value);
  return String(Math.abs(rounded))
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
    .replace(/^/, rounded < 0 ? '-' : '');
}

function table(headers: string[], rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** The analytics as a text report (funnel, time in stage, churn, path, versions). */
export function renderReportText(analytics: JourneyAnalytics): string {
  const out: string[] = [];
  const { journey } = analytics;
  out.push(
    `${journey.name} (${journey.key} v${journey.version}) — ${formatCount(analytics.records)} customers${analytics.asOf ? ` as of ${analytics.asOf}` : ''}`,
  );
  out.push('');
  out.push('Funnel');
  out.push(
    ...table(
      ['stage', 'reached', 'now in', 'to next'],
      analytics.funnel.overall.map((row) => [
        row.name,
        formatCount(row.reached),
        formatCount(row.current),
        formatShare(row.conversion),
      ]),
      new Set([1, 2, 3]),
    ),
  );
  for (const [title, groups] of [
    ['persona', analytics.funnel.byPersona],
    ['segment', analytics.funnel.bySegment],
  ] as const) {
    const keys = Object.keys(groups);
    if (keys.length === 0) continue;
    out.push('');
    out.push(`Reached by ${title}`);
    out.push(
      ...table(
        [title, ...analytics.stages.map((stage) => stage.name)],
        keys.map((key) => [key, ...groups[key]!.map((row) => formatCount(row.reached))]),
        new Set(analytics.stages.map((_, index) => index + 1)),
      ),
    );
  }
  out.push('');
  out.push(
    `Time in stage (SLA now: ${formatCount(analytics.sla.onTrack)} on track, ${formatCount(analytics.sla.behind)} behind, ${formatCount(analytics.sla.stuck)} stuck)`,
  );
  out.push(
    ...table(
      ['stage', 'time frame', 'median', 'p90', 'over frame', 'on track', 'behind', 'stuck'],
      analytics.timeInStage.map((row) => [
        row.name,
        row.expectedDays === null ? '—' : `${row.expectedDays} d`,
        row.medianDays === null ? '—' : `${row.medianDays} d`,
        row.p90Days === null ? '—' : `${row.p90Days} d`,
        formatShare(row.overTimeFrame),
        formatCount(row.onTrack),
        formatCount(row.behind),
        formatCount(row.stuck),
      ]),
      new Set([1, 2, 3, 4, 5, 6, 7]),
    ),
  );
  out.push('');
  const churn = analytics.churn;
  if (churn.fact === null) out.push('Churn by stage: no churn fact (set analytics.churnFact in the journey)');
  else {
    out.push(
      `Churn by stage (${churn.fact}${churn.valueFact ? `, value: ${churn.valueFact}` : ''}): ${formatCount(churn.count)} customers, ${formatCount(churn.value)} value`,
    );
    out.push(
      ...table(
        ['stage', 'churned', 'value', 'rate'],
        churn.byStage.map((row) => [
          row.name,
          formatCount(row.count),
          formatCount(row.value),
          formatShare(row.rate),
        ]),
        new Set([1, 2, 3]),
      ),
    );
  }
  out.push('');
  const paths = analytics.paths;
  out.push(
    `Designed vs observed path: ${formatShare(paths.designedShare)} of ${formatCount(paths.observed)} follow the designed order; ${formatCount(paths.customersWithBackwardMoves)} moved backward (${formatCount(paths.backwardMoves)} moves)`,
  );
  if (paths.skipped.length > 0) {
    out.push(
      `Skipped stages: ${paths.skipped.map((item) => `${item.name} ${formatCount(item.count)}`).join(', ')}`,
    );
  }
  if (paths.deviations.length > 0) {
    out.push(
      ...table(
        ['most common deviations', 'customers'],
        paths.deviations.map((item) => [item.description, formatCount(item.count)]),
        new Set([1]),
      ),
    );
  }
  out.push('');
  out.push(
    `Journey versions: ${analytics.versions.byVersion.map((item) => `${item.version === 'unknown' ? 'unknown' : `v${item.version}`} ${formatCount(item.count)}`).join(', ') || 'none'}${analytics.versions.outdated > 0 ? ` (${formatCount(analytics.versions.outdated)} computed with an older version; run a migration)` : ''}`,
  );
  return `${out.join('\n')}\n`;
}
