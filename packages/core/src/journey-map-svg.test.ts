import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { MilepostError } from './errors.js';
import {
  type JourneyMapLayout,
  layoutJourneyMap,
  type MapBox,
  measureText,
  wrapText,
} from './journey-map-layout.js';
import { escapeXml, renderJourneyMapSvg } from './journey-map-svg.js';
import type { Journey } from './journey-schema.js';
import { loadTemplate, TEMPLATE_NAMES } from './templates.js';

const GOLDEN = fileURLToPath(new URL('./__fixtures__/saas-lifecycle.map.svg', import.meta.url));

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A minimal XML parser, strict enough to reject what browsers refuse in an SVG file: unbalanced or
 * misnested tags, unquoted or duplicate attributes, raw `<` or stray `&` in text and attributes.
 */
function parseXml(source: string): XmlElement {
  const entity = /^&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
  const checkText = (text: string, at: number) => {
    for (let index = text.indexOf('&'); index !== -1; index = text.indexOf('&', index + 1)) {
      if (!entity.test(text.slice(index))) throw new Error(`stray & at ${at + index}`);
    }
    if (text.includes('<')) throw new Error(`raw < at ${at}`);
  };
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let position = 0;
  while (position < source.length) {
    const open = source.indexOf('<', position);
    const text = source.slice(position, open === -1 ? source.length : open);
    checkText(text, position);
    const current = stack.at(-1);
    if (!current) throw new Error('no open element');
    current.text += text;
    if (open === -1) break;
    const close = source.indexOf('>', open);
    if (close === -1) throw new Error(`unterminated tag at ${open}`);
    const tag = source.slice(open + 1, close);
    position = close + 1;
    if (tag.startsWith('/')) {
      const element = stack.pop();
      if (!element || element.name !== tag.slice(1))
        throw new Error(`</${tag.slice(1)}> closes <${element?.name}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const name = body.split(/\s/, 1)[0] ?? '';
    if (!/^[A-Za-z][\w:-]*$/.test(name)) throw new Error(`bad tag name "${name}" at ${open}`);
    const element: XmlElement = { name, attributes: {}, children: [], text: '' };
    let rest = body.slice(name.length);
    while (rest.trim()) {
      const match = /^\s+([A-Za-z_:][\w:.-]*)="([^"]*)"/.exec(rest);
      if (!match?.[1] || match[2] === undefined)
        throw new Error(`bad attribute near "${rest.slice(0, 30)}" at ${open}`);
      if (match[1] in element.attributes) throw new Error(`duplicate attribute ${match[1]} at ${open}`);
      checkText(match[2], open);
      element.attributes[match[1]] = match[2];
      rest = rest.slice(match[0].length);
    }
    current.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)?.name}>`);
  if (root.children.length !== 1 || root.text.trim())
    throw new Error('a document has exactly one root element');
  const [svg] = root.children;
  if (!svg) throw new Error('no root');
  return svg;
}

function allElements(element: XmlElement): XmlElement[] {
  return [element, ...element.children.flatMap(allElements)];
}

/** The text of an element; wrapped lines (tspans) are joined by a space, as they were before wrapping. */
const textContent = (element: XmlElement): string =>
  element.children.length ? element.children.map(textContent).join(' ') : element.text;

const decodeXml = (text: string) =>
  text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');

/** Every template, on its own and for each of its personas. */
const CASES = TEMPLATE_NAMES.flatMap((name) => {
  const journey = loadTemplate(name);
  return [
    { label: name, name, persona: undefined as string | undefined },
    ...journey.personas.map((persona) => ({ label: `${name} / ${persona.key}`, name, persona: persona.key })),
  ];
});

function overlaps(first: MapBox, second: MapBox): boolean {
  const epsilon = 0.01;
  return (
    first.x + first.width > second.x + epsilon &&
    second.x + second.width > first.x + epsilon &&
    first.y + first.height > second.y + epsilon &&
    second.y + second.height > first.y + epsilon
  );
}

function inside(inner: MapBox, outer: MapBox): boolean {
  const epsilon = 0.01;
  return (
    inner.x >= outer.x - epsilon &&
    inner.y >= outer.y - epsilon &&
    inner.x + inner.width <= outer.x + outer.width + epsilon &&
    inner.y + inner.height <= outer.y + outer.height + epsilon
  );
}

function relativeLuminance(hex: string): number {
  const channel = (offset: number) => {
    const value = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

function contrast(foreground: string, background: string): number {
  const [light, dark] = [relativeLuminance(foreground), relativeLuminance(background)].sort((a, b) => b - a);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
}

/** The fill painted under a text box: the last shape whose bounds contain the box's centre. */
function backgroundOf(layout: JourneyMapLayout, box: MapBox): string {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  let fill = '#ffffff';
  for (const shape of layout.shapes) {
    let bounds: MapBox | undefined;
    if (shape.kind === 'rect') bounds = shape.box;
    if (shape.kind === 'polygon') {
      const xs = shape.points.map(([x]) => x);
      const ys = shape.points.map(([, y]) => y);
      bounds = {
        x: Math.min(...xs),
        y: Math.min(...ys),
        width: Math.max(...xs) - Math.min(...xs),
        height: Math.max(...ys) - Math.min(...ys),
      };
    }
    if (
      shape.kind !== 'arrow' &&
      bounds &&
      cx >= bounds.x &&
      cx <= bounds.x + bounds.width &&
      cy >= bounds.y &&
      cy <= bounds.y + bounds.height
    )
      fill = shape.fill;
  }
  return fill;
}

function journeyWith(overrides: Partial<Journey>): Journey {
  return { ...loadTemplate('saas-lifecycle'), ...overrides };
}

describe('renderJourneyMapSvg', () => {
  test.each(CASES)('$label is well-formed, accessible SVG', ({ name, persona }) => {
    const svg = parseXml(renderJourneyMapSvg(loadTemplate(name), { persona }));
    expect(svg.name).toBe('svg');
    expect(svg.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(svg.attributes.role).toBe('img');
    expect(svg.attributes['font-family']).toMatch(/^system-ui, .*sans-serif$/);
    const [titleId, descId] = (svg.attributes['aria-labelledby'] ?? '').split(' ');
    const title = svg.children[0];
    const desc = svg.children[1];
    expect(title?.name).toBe('title');
    expect(title?.attributes.id).toBe(titleId);
    expect(desc?.name).toBe('desc');
    expect(desc?.attributes.id).toBe(descId);
    expect(textContent(desc ?? svg).length).toBeGreaterThan(100);
    // Print-friendly: a white page under everything, the whole canvas.
    expect(svg.children[2]?.attributes).toMatchObject({
      width: svg.attributes.width,
      height: svg.attributes.height,
      fill: '#ffffff',
    });
  });

  test.each(TEMPLATE_NAMES)('%s: stage columns in order, each with its team and time frame', (name) => {
    const journey = loadTemplate(name);
    const layout = layoutJourneyMap(journey);
    const teams = new Map(journey.teams.map((team) => [team.key, team.name]));
    expect(layout.stages.map((stage) => stage.key)).toEqual(journey.stages.map((stage) => stage.key));
    const xs = layout.stages.map((stage) => stage.header.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(new Set(xs).size).toBe(xs.length);

    // And in the picture itself: stage names and their "team · N days" line, left to right.
    const texts = allElements(parseXml(renderJourneyMapSvg(journey))).filter(
      (element) => element.name === 'text',
    );
    let previousX = Number.NEGATIVE_INFINITY;
    for (const stage of journey.stages) {
      const meta = `${stage.owner ? teams.get(stage.owner) : 'No owner'} · ${stage.expectedDays === undefined ? 'no time frame' : `${stage.expectedDays} days`}`;
      const header = texts.find((element) => decodeXml(textContent(element)) === stage.name);
      const metaText = texts.find(
        (element) =>
          decodeXml(textContent(element)) === meta && element.attributes.x === header?.attributes.x,
      );
      expect(header, stage.name).toBeDefined();
      expect(metaText, meta).toBeDefined();
      const x = Number(header?.attributes.x);
      expect(x).toBeGreaterThan(previousX);
      previousX = x;
    }
  });

  test('the time frame reads "1 day", "14 days" or "no time frame"', () => {
    const base = loadTemplate('saas-lifecycle');
    const journey = journeyWith({
      stages: base.stages.map((stage, index) => ({
        ...stage,
        expectedDays: [1, 14, undefined, 365][index],
      })),
    });
    expect(layoutJourneyMap(journey).stages.map((stage) => stage.timeFrame)).toEqual([
      '1 day',
      '14 days',
      'no time frame',
      '365 days',
    ]);
  });

  test('a persona sees only its path, in path order, and the milestones that apply to it', () => {
    const smb = layoutJourneyMap(loadTemplate('saas-lifecycle'), { persona: 'smb' });
    expect(smb.stages.map((stage) => stage.key)).toEqual(['purchase', 'onboarding', 'customer-success']);
    const keys = smb.milestones.map((milestone) => milestone.key);
    expect(keys).toContain('broad-adoption-smb');
    expect(keys).not.toContain('kickoff-held');
    expect(keys).not.toContain('broad-adoption-enterprise');
    expect(keys).not.toContain('lead-qualified');
    const svg = renderJourneyMapSvg(loadTemplate('saas-lifecycle'), { persona: 'smb' });
    expect(svg).not.toContain('Kick-off held');
    expect(svg).not.toContain('Prospecting');
    expect(svg).toContain('Persona: SMB self-serve');

    // A path out of journey order is drawn in path order.
    const base = loadTemplate('saas-lifecycle');
    const reordered = journeyWith({
      personas: base.personas.map((persona) =>
        persona.key === 'smb' ? { ...persona, path: ['customer-success', 'purchase'] } : persona,
      ),
    });
    expect(layoutJourneyMap(reordered, { persona: 'smb' }).stages.map((stage) => stage.key)).toEqual([
      'customer-success',
      'purchase',
    ]);
  });

  test("a persona's own success text fills the success lane", () => {
    const journey = loadTemplate('customer-lifecycle');
    const persona = journey.personas[0];
    if (!persona) throw new Error('customer-lifecycle has personas');
    const layout = layoutJourneyMap(journey, { persona: persona.key });
    const lane = layout.lanes.find((candidate) => candidate.kind === 'success');
    expect(lane?.label).toBe(`Success for ${persona.name}`);
    const expected = journey.stages[0]?.personaSuccess?.[persona.key];
    if (!expected) throw new Error('the first stage has success text for the persona');
    const cellText = layout.texts
      .filter((text) => text.role === 'item' && lane && inside(text.box, lane.box))
      .map((text) => text.lines.join(' '));
    expect(cellText).toContain(expected);
    // Another persona's text is not shown.
    const other = journey.personas[1];
    const otherText = other ? journey.stages[0]?.personaSuccess?.[other.key] : undefined;
    if (otherText) expect(cellText).not.toContain(otherText);
  });

  test('an unknown persona is an INVALID_INPUT error naming the known ones', () => {
    const journey = loadTemplate('saas-lifecycle');
    let caught: unknown;
    try {
      renderJourneyMapSvg(journey, { persona: 'smbb' });
    } catch (error) {
      caught = error;
    }
    expect(MilepostError.isInstance(caught)).toBe(true);
    expect((caught as MilepostError).code).toBe('INVALID_INPUT');
    expect((caught as MilepostError).message).toBe(
      'journey "saas-lifecycle" has no persona "smbb" (known: smb, enterprise; did you mean "smb"?); draw the whole map by leaving the persona out',
    );
  });

  test.each(CASES)('$label: one handoff arrow per drawn stage with a handoff', ({ name, persona }) => {
    const journey = loadTemplate(name);
    const layout = layoutJourneyMap(journey, { persona });
    const drawn = new Set(layout.stages.map((stage) => stage.key));
    const expected = journey.stages.filter((stage) => drawn.has(stage.key) && stage.handoff);
    const arrows = layout.shapes.filter((shape) => shape.kind === 'arrow' && shape.from !== undefined);
    expect(arrows.map((arrow) => arrow.kind === 'arrow' && arrow.from)).toEqual(
      expected.map((stage) => stage.key),
    );
    expect(layout.handoffs.map((handoff) => handoff.stage)).toEqual(expected.map((stage) => stage.key));
    const svg = allElements(parseXml(renderJourneyMapSvg(journey, { persona })));
    expect(svg.filter((element) => element.attributes.class === 'handoff')).toHaveLength(expected.length);
    // Each arrow runs from its own column to the next column's edge.
    for (const arrow of arrows) {
      if (arrow.kind !== 'arrow') continue;
      const index = layout.stages.findIndex((stage) => stage.key === arrow.from);
      const column = layout.stages[index]?.column;
      const next = layout.stages[index + 1]?.column;
      expect(column && arrow.x1 >= column.x && arrow.x1 < column.x + column.width).toBe(true);
      if (next) expect(next.x - arrow.x2).toBeGreaterThanOrEqual(0);
      if (next) expect(next.x - arrow.x2).toBeLessThan(4);
    }
  });

  test('handoffs are labelled "Team → Team" with their artifacts', () => {
    const layout = layoutJourneyMap(loadTemplate('saas-lifecycle'));
    const onboarding = layout.handoffs.find((handoff) => handoff.stage === 'onboarding');
    expect(onboarding).toMatchObject({ from: 'Onboarding', to: 'Customer Success' });
    const titles = layout.texts
      .filter((text) => text.role === 'item-title')
      .map((text) => text.lines.join(' '));
    expect(titles).toContain('Onboarding → Customer Success');
    const items = layout.texts.filter((text) => text.role === 'item').map((text) => text.lines.join(' '));
    for (const artifact of onboarding?.artifacts ?? []) expect(items).toContain(artifact);
  });

  test('milestones that exit their stage are marked in words, not only by shape', () => {
    const layout = layoutJourneyMap(loadTemplate('saas-lifecycle'));
    const exits = layout.milestones.filter((milestone) => milestone.exit).map((milestone) => milestone.key);
    expect(exits).toEqual([
      'interest-shown',
      'contract-signed',
      'kickoff-held',
      'setup-done',
      'users-trained',
      'first-adoption',
    ]);
    // One tag per exit milestone plus the one in the legend.
    expect(layout.texts.filter((text) => text.role === 'tag')).toHaveLength(exits.length + 1);
    const labels = layout.lanes.map((lane) => lane.label);
    expect(labels).toEqual(['Touchpoints', 'Milestones', 'Pain points', 'Opportunities', 'Handoff']);
    expect(
      layout.texts.some(
        (text) => text.role === 'legend' && text.lines[0] === 'Milestone that exits the stage',
      ),
    ).toBe(true);
  });

  test('escapes <, & and quotes in every name, and drops characters XML forbids', () => {
    const base = loadTemplate('saas-lifecycle');
    const journey = journeyWith({
      name: 'Ops <b>&</b> "Care"',
      description: "Tom's <script>alert(1)</script> & co",
      teams: base.teams.map((team) =>
        team.key === 'sales' ? { ...team, name: 'Sales & "Deals" <EU>' } : team,
      ),
      stages: base.stages.map((stage, index) =>
        index === 0
          ? {
              ...stage,
              name: 'Prospecting <1> & "2"\u0007',
              painPoints: ['A < B && C > D'],
              touchpoints: [{ key: 'x', name: '<&>', channel: 'web' as const }],
            }
          : stage,
      ),
    });
    const source = renderJourneyMapSvg(journey);
    const svg = parseXml(source);
    expect(source).not.toContain('<b>');
    expect(source).not.toContain('<script>');
    expect(source).not.toContain('\u0007');
    const texts = allElements(svg).map((element) => decodeXml(textContent(element)));
    expect(texts).toContain('Ops <b>&</b> "Care"');
    expect(texts).toContain('Prospecting <1> & "2"');
    expect(texts).toContain('A < B && C > D');
    expect(texts).toContain('Marketing → Sales & "Deals" <EU>');
    expect(escapeXml(`<&"'>`)).toBe('&lt;&amp;&quot;&apos;&gt;');
  });

  test('the same journey gives byte-identical output', () => {
    const first = renderJourneyMapSvg(loadTemplate('customer-lifecycle'), { persona: 'startup' });
    const second = renderJourneyMapSvg(structuredClone(loadTemplate('customer-lifecycle')), {
      persona: 'startup',
    });
    expect(second).toBe(first);
    // No float noise in coordinates: at most two decimals everywhere.
    expect(first).not.toMatch(/\d\.\d{3,}/);
  });

  test('title: false leaves out the header but keeps the accessible name', () => {
    const journey = loadTemplate('saas-lifecycle');
    const layout = layoutJourneyMap(journey, { title: false });
    expect(layout.texts.some((text) => text.role === 'title' || text.role === 'description')).toBe(false);
    expect(layout.title).toBe('Journey map: SaaS customer success lifecycle');
    expect(layout.height).toBeLessThan(layoutJourneyMap(journey).height);
  });

  test('saas-lifecycle matches the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    const svg = renderJourneyMapSvg(loadTemplate('saas-lifecycle'));
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, svg);
    expect(svg === readFileSync(GOLDEN, 'utf8')).toBe(true);
  });
});

describe('layoutJourneyMap', () => {
  test.each(CASES)('$label: no text box overlaps another or leaves its cell', ({ name, persona }) => {
    const layout = layoutJourneyMap(loadTemplate(name), { persona });
    const canvas = { x: 0, y: 0, width: layout.width, height: layout.height };
    const texts = layout.texts;
    expect(texts.length).toBeGreaterThan(20);
    for (const text of texts) {
      expect(inside(text.box, text.within), `"${text.lines.join(' ')}" stays in its cell`).toBe(true);
      expect(inside(text.within, canvas), `"${text.lines.join(' ')}" is on the canvas`).toBe(true);
    }
    for (let first = 0; first < texts.length; first++) {
      for (let second = first + 1; second < texts.length; second++) {
        const a = texts[first];
        const b = texts[second];
        if (!a || !b) continue;
        expect(overlaps(a.box, b.box), `"${a.lines[0]}" overlaps "${b.lines[0]}"`).toBe(false);
      }
    }
    // Arrows cross gutters and cards, never text.
    for (const arrow of layout.shapes) {
      if (arrow.kind !== 'arrow') continue;
      const band = { x: arrow.x1, y: arrow.y - 5, width: arrow.x2 - arrow.x1, height: 10 };
      for (const text of texts)
        expect(overlaps(band, text.box), `arrow crosses "${text.lines[0]}"`).toBe(false);
    }
  });

  test.each(CASES)('$label: every text meets WCAG AA contrast on what is under it', ({ name, persona }) => {
    const layout = layoutJourneyMap(loadTemplate(name), { persona });
    for (const text of layout.texts) {
      const ratio = contrast(text.color, backgroundOf(layout, text.box));
      expect(ratio, `"${text.lines[0]}" (${text.color})`).toBeGreaterThanOrEqual(4.5);
    }
  });

  test('lanes fit their tallest cell, and columns share one width', () => {
    const layout = layoutJourneyMap(loadTemplate('saas-lifecycle'));
    for (const lane of layout.lanes) {
      const bottoms = layout.texts
        .filter((text) => inside(text.box, lane.box))
        .map((text) => text.box.y + text.box.height);
      // The tallest cell ends one padding and one inset above the lane's bottom edge.
      expect(lane.box.y + lane.box.height - Math.max(...bottoms)).toBeCloseTo(18, 5);
    }
    expect(new Set(layout.stages.map((stage) => stage.column.width)).size).toBe(1);
  });

  test('wrapText keeps every line within the width, breaking words longer than a line', () => {
    const text =
      'Onboarding https://example.com/a/very/long/path/that/cannot/fit/on/one/line and then some words';
    const lines = wrapText(text, 120, 12);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(measureText(line, 12)).toBeLessThanOrEqual(120);
    expect(lines.join('').replaceAll(' ', '')).toBe(text.replaceAll(' ', ''));
    expect(wrapText('first\nsecond', 500, 12)).toEqual(['first', 'second']);
    expect(wrapText('   ', 500, 12)).toEqual([]);
    // Bold and wide scripts measure wider.
    expect(measureText('Renewal', 12, true)).toBeGreaterThan(measureText('Renewal', 12));
    expect(measureText('更新', 12)).toBeGreaterThan(measureText('ab', 12));
  });
});
