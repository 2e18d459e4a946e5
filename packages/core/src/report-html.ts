/**
 * Analytics as ONE self-contained HTML file: inline CSS and inline SVG charts, no scripts, no
 * network, no external fonts. Every chart has a heading, a text alternative and a data table
 * beside it, and colours meet WCAG AA contrast on white.
 */
import type { JourneyAnalytics } from './analytics.js';
import type { Journey } from './journey-schema.js';
import { formatCount, formatShare } from './report-text.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

interface Bar {
  label: string;
  value: number;
  /** The text after the bar. */
  display: string;
  /** A second, lighter bar behind the first (e.g. p90 behind the median). */
  secondary?: number;
  /** A vertical marker (e.g. the time frame). */
  marker?: number | null;
  tone?: 'primary' | 'warning' | 'danger';
}

const COLORS = {
  primary: '#1d4e89',
  secondary: '#9bb8db',
  warning: '#8a5a00',
  danger: '#a4262c',
  marker: '#1a1a1a',
  text: '#1a1a1a',
  grid: '#d0d7de',
};

/** A horizontal bar chart as inline SVG with a title and description for screen readers. */
function barChart(id: string, title: string, description: string, bars: readonly Bar[]): string {
  const labelWidth = 210;
  const barArea = 360;
  const valueWidth = 170;
  const rowHeight = 30;
  const width = labelWidth + barArea + valueWidth;
  const height = Math.max(1, bars.length) * rowHeight + 12;
  const maximum = Math.max(1, ...bars.map((bar) => Math.max(bar.value, bar.secondary ?? 0, bar.marker ?? 0)));
  const scale = (value: number) => Math.max(0, (value / maximum) * barArea);
  const rows = bars.map((bar, index) => {
    const y = 6 + index * rowHeight;
    const parts = [
      `<text x="${labelWidth - 8}" y="${y + 19}" text-anchor="end">${escapeHtml(bar.label)}</text>`,
    ];
    if (bar.secondary !== undefined) {
      parts.push(
        `<rect x="${labelWidth}" y="${y + 4}" width="${scale(bar.secondary).toFixed(1)}" height="20" fill="${COLORS.secondary}" rx="2"/>`,
      );
    }
    parts.push(
      `<rect x="${labelWidth}" y="${y + 8}" width="${scale(bar.value).toFixed(1)}" height="12" fill="${COLORS[bar.tone ?? 'primary']}" rx="2"/>`,
    );
    if (bar.marker !== undefined && bar.marker !== null) {
      const x = labelWidth + scale(bar.marker);
      parts.push(
        `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y}" y2="${y + 28}" stroke="${COLORS.marker}" stroke-width="2" stroke-dasharray="3 2"/>`,
      );
    }
    parts.push(`<text x="${labelWidth + barArea + 8}" y="${y + 19}">${escapeHtml(bar.display)}</text>`);
    return parts.join('');
  });
  return `<svg role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" font-size="13" fill="${COLORS.text}">
<title id="${id}-title">${escapeHtml(title)}</title><desc id="${id}-desc">${escapeHtml(description)}</desc>
<line x1="${labelWidth}" x2="${labelWidth}" y1="0" y2="${height}" stroke="${COLORS.grid}"/>
${rows.join('\n')}
</svg>`;
}

function dataTable(caption: string, headers: string[], rows: string[][]): string {
  const head = headers
    .map((header, index) => `<th scope="col"${index > 0 ? ' class="num"' : ''}>${escapeHtml(header)}</th>`)
    .join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row
          .map((cell, index) =>
            index === 0
              ? `<th scope="row">${escapeHtml(cell)}</th>`
              : `<td class="num">${escapeHtml(cell)}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('\n');
  return `<details><summary>${escapeHtml(caption)} as a table</summary><table><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></details>`;
}

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1a1a1a; background: #f6f8fa; line-height: 1.5; }
main { max-width: 960px; margin: 0 auto; padding: 24px 20px 48px; }
header { margin-bottom: 8px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 0 0 8px; }
p.lead { margin: 0; color: #3d4852; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 16px 20px; margin-top: 16px; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; padding: 0; list-style: none; }
.kpis li { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 14px; min-width: 150px; }
.kpis strong { display: block; font-size: 1.4rem; }
.legend { font-size: 0.9rem; color: #3d4852; margin: 4px 0 8px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -1px; margin: 0 4px 0 12px; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; font-size: 0.92rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e1e4e8; text-align: left; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
details { margin-top: 8px; }
summary { cursor: pointer; color: #1d4e89; }
summary:focus-visible { outline: 2px solid #1d4e89; outline-offset: 2px; }
footer { margin-top: 24px; font-size: 0.85rem; color: #3d4852; }
`;

/**
 * The analytics as one self-contained HTML page: funnel, time in stage against the time frame,
 * churn by stage and path deviations, each as an SVG chart with a table fallback.
 */
export function renderReportHtml(journey: Journey, analytics: JourneyAnalytics): string {
  const funnel = analytics.funnel.overall;
  const total = analytics.records;
  const funnelChart = barChart(
    'chart-1',
    'Funnel: customers who reached each stage',
    funnel.map((row) => `${row.name}: ${row.reached} reached`).join('; '),
    funnel.map((row) => ({
      label: row.name,
      value: row.reached,
      display: `${formatCount(row.reached)}${row.conversion === null ? '' : ` · ${formatShare(row.conversion)} go on`}`,
    })),
  );
  const funnelTable = dataTable(
    'Funnel',
    ['Stage', 'Reached', 'In stage now', 'Conversion to next'],
    funnel.map((row) => [
      row.name,
      formatCount(row.reached),
      formatCount(row.current),
      formatShare(row.conversion),
    ]),
  );
  const groupTables = (['byPersona', 'bySegment'] as const)
    .map((kind) => {
      const groups = analytics.funnel[kind];
      const keys = Object.keys(groups);
      if (keys.length === 0) return '';
      const label = kind === 'byPersona' ? 'Persona' : 'Segment';
      return dataTable(
        `Reached by ${label.toLowerCase()}`,
        [label, ...analytics.stages.map((stage) => stage.name)],
        keys.map((key) => [
          journey.personas.find((persona) => persona.key === key)?.name ?? key,
          ...groups[key]!.map((row) => formatCount(row.reached)),
        ]),
      );
    })
    .join('\n');

  const times = analytics.timeInStage;
  const timeChart = barChart(
    'chart-2',
    'Time in stage: median and 90th percentile against the time frame',
    times
      .map(
        (row) =>
          `${row.name}: median ${row.medianDays ?? 'no data'} days, p90 ${row.p90Days ?? 'no data'} days, time frame ${row.expectedDays ?? 'none'}`,
      )
      .join('; '),
    times.map((row) => ({
      label: row.name,
      value: row.medianDays ?? 0,
      secondary: row.p90Days ?? 0,
      marker: row.expectedDays,
      tone: row.expectedDays !== null && (row.medianDays ?? 0) > row.expectedDays ? 'warning' : 'primary',
      display: row.medianDays === null ? 'no data' : `${row.medianDays} d · p90 ${row.p90Days} d`,
    })),
  );
  const timeTable = dataTable(
    'Time in stage',
    ['Stage', 'Time frame (days)', 'Median', 'p90', 'Over time frame', 'On track', 'Behind', 'Stuck'],
    times.map((row) => [
      row.name,
      row.expectedDays === null ? '—' : String(row.expectedDays),
      row.medianDays === null ? '—' : String(row.medianDays),
      row.p90Days === null ? '—' : String(row.p90Days),
      formatShare(row.overTimeFrame),
      formatCount(row.onTrack),
      formatCount(row.behind),
      formatCount(row.stuck),
    ]),
  );

  const churn = analytics.churn;
  const churnSection =
    churn.fact === null
      ? '<p>No churn fact: set <code>analytics.churnFact</code> (a boolean fact) in the journey.</p>'
      : `${barChart(
          'chart-3',
          'Churn by stage',
          churn.byStage.map((row) => `${row.name}: ${row.count} churned, value ${row.value}`).join('; '),
          churn.byStage.map((row) => ({
            label: row.name,
            value: row.count,
            tone: 'danger',
            display: `${formatCount(row.count)}${churn.valueFact ? ` · ${formatCount(row.value)}` : ''}`,
          })),
        )}
${dataTable(
  'Churn by stage',
  ['Stage', 'Churned', churn.valueFact ? `Value (${churn.valueFact})` : 'Value', 'Rate of reached'],
  churn.byStage.map((row) => [
    row.name,
    formatCount(row.count),
    formatCount(row.value),
    formatShare(row.rate),
  ]),
)}`;

  const paths = analytics.paths;
  const deviationSection =
    paths.deviations.length === 0
      ? '<p>Every customer followed the designed order.</p>'
      : `${barChart(
          'chart-4',
          'Most common deviations from the designed path',
          paths.deviations.map((item) => `${item.description}: ${item.count}`).join('; '),
          paths.deviations.map((item) => ({
            label: item.description.length > 25 ? `${item.description.slice(0, 24)}…` : item.description,
            value: item.count,
            tone: item.kind === 'backward' ? 'warning' : 'primary',
            display: formatCount(item.count),
          })),
        )}
${dataTable(
  'Deviations',
  ['Deviation', 'Customers'],
  paths.deviations.map((item) => [item.description, formatCount(item.count)]),
)}`;

  const versions = analytics.versions.byVersion
    .map(
      (item) => `${item.version === 'unknown' ? 'unknown' : `v${item.version}`}: ${formatCount(item.count)}`,
    )
    .join(', ');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(journey.name)} — journey report</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(journey.name)}</h1>
<p class="lead">Journey <code>${escapeHtml(analytics.journey.key)}</code> version ${analytics.journey.version} · ${formatCount(total)} customers${analytics.asOf ? ` · as of ${escapeHtml(analytics.asOf)}` : ''}</p>
</header>
<ul class="kpis" aria-label="Key figures">
<li><strong>${formatCount(analytics.sla.onTrack)}</strong> on track</li>
<li><strong>${formatCount(analytics.sla.behind)}</strong> behind</li>
<li><strong>${formatCount(analytics.sla.stuck)}</strong> stuck</li>
<li><strong>${formatCount(churn.count)}</strong> churned</li>
<li><strong>${formatShare(paths.designedShare)}</strong> follow the designed path</li>
</ul>
<section aria-labelledby="funnel-heading">
<h2 id="funnel-heading">Funnel</h2>
<p>How many customers reached each stage, and the share that went on to the next one.</p>
${funnelChart}
${funnelTable}
${groupTables}
</section>
<section aria-labelledby="time-heading">
<h2 id="time-heading">Time in stage</h2>
<p class="legend"><span class="swatch" style="background:${COLORS.primary}"></span>median<span class="swatch" style="background:${COLORS.secondary}"></span>90th percentile<span class="swatch" style="background:${COLORS.warning}"></span>median over the time frame<span class="swatch" style="border:2px dashed ${COLORS.marker}"></span>time frame</p>
${timeChart}
${timeTable}
</section>
<section aria-labelledby="churn-heading">
<h2 id="churn-heading">Churn by stage</h2>
${churnSection}
</section>
<section aria-labelledby="path-heading">
<h2 id="path-heading">Designed vs observed path</h2>
<p>${formatShare(paths.designedShare)} of ${formatCount(paths.observed)} customers followed the designed order. ${formatCount(paths.customersWithBackwardMoves)} moved backward (${formatCount(paths.backwardMoves)} moves)${paths.skipped.length > 0 ? `; skipped stages: ${paths.skipped.map((item) => `${escapeHtml(item.name)} (${formatCount(item.count)})`).join(', ')}` : ''}.</p>
${deviationSection}
</section>
<section aria-labelledby="versions-heading">
<h2 id="versions-heading">Journey versions</h2>
<p>Records by the version they were computed with: ${versions || 'none'}.${analytics.versions.outdated > 0 ? ` ${formatCount(analytics.versions.outdated)} were computed with an older version; migrate them.` : ''}</p>
</section>
<footer>Generated by Milepost. Self-contained: no scripts, no network.</footer>
</main>
</body>
</html>
`;
}
