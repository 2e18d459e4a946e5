import { describe, expect, it } from 'vitest';
import { analyzeSnapshots } from './analytics.js';
import { compileJourney } from './engine.js';
import { engineTestJourney } from './engine-test-journey.js';
import { escapeHtml, renderReportHtml } from './report-html.js';
import { formatCount, formatShare, renderReportText } from './report-text.js';
import { generateSampleRecords } from './sample-records.js';

const NOW = '2026-06-30';
const journey = engineTestJourney({ name: 'Lifecycle <B&C>' });
const compiled = compileJourney(journey);
const analytics = analyzeSnapshots(
  compiled,
  generateSampleRecords(journey, { count: 2000, seed: 2, now: NOW }),
  NOW,
);

describe('renderReportText', () => {
  it('has every section with aligned numbers', () => {
    const text = renderReportText(analytics);
    for (const heading of [
      'Funnel',
      'Reached by persona',
      'Reached by segment',
      'Time in stage',
      'Churn by stage',
      'Designed vs observed path',
      'Journey versions',
    ]) {
      expect(text).toContain(heading);
    }
    expect(text).toContain('2,000 customers as of 2026-06-30');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-1234)).toBe('-1,234');
    expect(formatShare(0.4567)).toBe('45.7%');
    expect(formatShare(null)).toBe('—');
  });
});

describe('renderReportHtml', () => {
  const html = renderReportHtml(journey, analytics);

  it('is one self-contained, script-free file', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|@import|url\(|https?:\/\//i);
    expect(html).toContain('<style>');
  });

  it('draws every chart as inline SVG with a title, a description and a table fallback', () => {
    expect(html.match(/<svg role="img"/g)).toHaveLength(4);
    expect(html.match(/<title id="chart-\d-title">/g)).toHaveLength(4);
    expect(html.match(/<table>/g)!.length).toBeGreaterThanOrEqual(6);
    for (const heading of [
      'Funnel',
      'Time in stage',
      'Churn by stage',
      'Designed vs observed path',
      'Journey versions',
    ]) {
      expect(html).toContain(`>${heading}</h2>`);
    }
    expect(html).toContain('<html lang="en">');
  });

  it('escapes journey text', () => {
    expect(html).toContain('<h1>Lifecycle &lt;B&amp;C&gt;</h1>');
    expect(escapeHtml(`"<'&>"`)).toBe('&quot;&lt;&#39;&amp;&gt;&quot;');
  });
});
