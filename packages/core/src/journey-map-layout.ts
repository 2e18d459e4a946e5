/**
 * The layout of the journey map picture: every text box and shape with its position, computed
 * without a DOM so it is pure, deterministic and testable. `journey-map-svg.ts` only paints it.
 *
 * Stages are columns (in journey order, or in a persona's path order); lanes are rows (success,
 * touchpoints, milestones, pain points, opportunities, handoffs). Columns have one width and text
 * wraps inside them; lanes take the height of their tallest cell, so nothing overlaps.
 */
import { knownValuesHint } from './diagnostics.js';
import { MilepostError } from './errors.js';
import type { Journey, Milestone, Persona, Stage, Touchpoint } from './journey-schema.js';

/** Options of {@link layoutJourneyMap} and `renderJourneyMapSvg`. */
export interface JourneyMapOptions {
  /** Only this persona's path (in path order) and the milestones that apply to it. */
  persona?: string;
  /** Draw the journey name, description and persona above the map (default true). */
  title?: boolean;
}

/** A rectangle in map coordinates (pixels, origin top left). */
export interface MapBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What a text box is, for styling and tests. */
export type MapTextRole =
  | 'title'
  | 'description'
  | 'persona'
  | 'stage-name'
  | 'stage-meta'
  | 'lane-label'
  | 'lane-hint'
  | 'badge'
  | 'tag'
  | 'item'
  | 'item-title'
  | 'item-note'
  | 'legend';

/** A block of wrapped text: its lines, style, the box its ink occupies and the box it must stay in. */
export interface MapText {
  role: MapTextRole;
  /** Left/top of the block and its measured size (widest line × lines × line height). */
  box: MapBox;
  lines: string[];
  fontSize: number;
  lineHeight: number;
  bold: boolean;
  italic: boolean;
  color: string;
  /** `middle`: each line is centred in `box` (badges and tags). */
  anchor: 'start' | 'middle';
  /** The cell, header or area the text belongs to; the layout keeps `box` inside it. */
  within: MapBox;
}

/** A shape painted beneath the text. */
export type MapShape =
  | {
      kind: 'rect';
      box: MapBox;
      fill: string;
      stroke?: string;
      radius?: number;
    }
  | { kind: 'polygon'; points: Array<readonly [number, number]>; fill: string; stroke?: string }
  | { kind: 'circle'; cx: number; cy: number; r: number; fill: string; stroke?: string }
  /** A horizontal arrow from `x1` to the head at `x2`; a handoff's names its stage and the receiving team. */
  | { kind: 'arrow'; x1: number; x2: number; y: number; color: string; from?: string; to?: string };

/** The kinds of lane (row) a map can have, top to bottom. */
export const JOURNEY_MAP_LANES = [
  'success',
  'touchpoints',
  'milestones',
  'pain-points',
  'opportunities',
  'handoffs',
] as const;
/** A lane of the map. */
export type JourneyMapLane = (typeof JOURNEY_MAP_LANES)[number];

/** A stage column of the laid-out map. */
export interface MapStageColumn {
  key: string;
  name: string;
  /** The owning team's name, or "No owner". */
  team: string;
  /** The time frame in words ("14 days"), or "no time frame". */
  timeFrame: string;
  header: MapBox;
  column: MapBox;
}

/** Everything needed to paint the map. */
export interface JourneyMapLayout {
  width: number;
  height: number;
  /** The accessible name (`<title>`). */
  title: string;
  /** The text alternative (`<desc>`): stages, owners, time frames, milestones and handoffs in words. */
  description: string;
  /** A prefix for element ids, unique per journey and persona so two maps can share a page. */
  idPrefix: string;
  persona: Persona | undefined;
  stages: MapStageColumn[];
  lanes: Array<{ kind: JourneyMapLane; label: string; box: MapBox }>;
  /** The milestones drawn, per stage, and whether each exits its stage. */
  milestones: Array<{ stage: string; key: string; exit: boolean }>;
  handoffs: Array<{ stage: string; from: string; to: string; artifacts: string[] }>;
  shapes: MapShape[];
  texts: MapText[];
}

// ---------------------------------------------------------------------------------------------
// Text measurement. Advance widths of Helvetica (per 1000 em) for ASCII 32..126; the font stack
// falls back to wider faces (DejaVu Sans on a bare Linux is ~15% wider, ~25% in bold), so every width is scaled
// up by SAFETY: text may look a little loose, but never runs out of its box.

const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556,
  556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
  500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
  556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
  278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const SAFETY = 1.18;
const BOLD_FACTOR = 1.17;

function characterWidth(codePoint: number): number {
  if (codePoint >= 32 && codePoint <= 126) return ASCII_WIDTHS[codePoint - 32] ?? 600;
  // Accented Latin, Greek, Cyrillic: about as wide as the widest Latin capitals.
  if (codePoint < 0x2000) return 722;
  // Punctuation, arrows and symbols (→, —, …) are drawn about one em wide in most fonts.
  if (codePoint < 0x2e80) return 1000;
  // CJK, full-width forms and emoji.
  return codePoint > 0xffff ? 1250 : 1000;
}

/** The approximate width in pixels of one line of text, erring on the wide side. */
export function measureText(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const character of text) units += characterWidth(character.codePointAt(0) ?? 0);
  return (units / 1000) * fontSize * SAFETY * (bold ? BOLD_FACTOR : 1);
}

/**
 * Wraps text into lines no wider than `width`: greedily by words, breaking a word that is wider
 * than a line by characters. Line breaks in the text start new lines; blank text gives no lines.
 */
export function wrapText(text: string, width: number, fontSize: number, bold = false): string[] {
  const fits = (candidate: string) => measureText(candidate, fontSize, bold) <= width;
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    const words = paragraph.split(/\s+/).filter((word) => word.length > 0);
    let current = '';
    for (const word of words) {
      const candidate = current ? `${current} ${word}` : word;
      if (fits(candidate)) {
        current = candidate;
        continue;
      }
      if (current) lines.push(current);
      current = '';
      // A word longer than the line (a URL, a long compound) is cut where it must be.
      let piece = '';
      for (const character of word) {
        if (piece && !fits(piece + character)) {
          lines.push(piece);
          piece = '';
        }
        piece += character;
      }
      current = piece;
    }
    if (current) lines.push(current);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Style. Every text colour meets WCAG AA (4.5:1) on the surface it sits on: #1a1a1a and #4d5560
// on white, the lane tint and the channel tints; white and #e8eef6 on the stage blue.

const COLOR = {
  text: '#1a1a1a',
  muted: '#4d5560',
  border: '#c4ccd6',
  lane: '#f2f4f7',
  card: '#ffffff',
  stage: '#1d4e89',
  stageText: '#ffffff',
  stageMeta: '#e8eef6',
  exit: '#1d4e89',
  pain: '#a4262c',
  opportunity: '#2f6f3e',
  arrow: '#1a1a1a',
};

/** Light tint (fill) and dark hue (border) per touchpoint channel; the badge names the channel in text. */
const CHANNEL_COLORS: Record<string, readonly [string, string]> = {
  email: ['#dbeafe', '#2563eb'],
  call: ['#dcfce7', '#15803d'],
  meeting: ['#ede9fe', '#6d28d9'],
  'in-app': ['#cffafe', '#0e7490'],
  webinar: ['#fce7f3', '#be185d'],
  training: ['#fef3c7', '#b45309'],
  support: ['#fee2e2', '#b91c1c'],
  survey: ['#e0e7ff', '#4338ca'],
  event: ['#ffedd5', '#c2410c'],
  community: ['#ecfccb', '#4d7c0f'],
  document: ['#f1f5f9', '#475569'],
  web: ['#e0f2fe', '#0369a1'],
  chat: ['#fae8ff', '#a21caf'],
  other: ['#e5e7eb', '#4b5563'],
};

interface TextStyle {
  size: number;
  lineHeight: number;
  bold?: boolean;
  italic?: boolean;
  color: string;
}

const STYLE = {
  title: { size: 22, lineHeight: 28, bold: true, color: COLOR.text },
  description: { size: 13, lineHeight: 18, color: COLOR.muted },
  persona: { size: 13, lineHeight: 18, bold: true, color: COLOR.text },
  stageName: { size: 15, lineHeight: 19, bold: true, color: COLOR.stageText },
  stageMeta: { size: 12, lineHeight: 16, color: COLOR.stageMeta },
  laneLabel: { size: 13, lineHeight: 17, bold: true, color: COLOR.text },
  laneHint: { size: 11.5, lineHeight: 15, color: COLOR.muted },
  badge: { size: 10, lineHeight: 16, bold: true, color: COLOR.text },
  tag: { size: 9.5, lineHeight: 15, bold: true, color: COLOR.stageText },
  item: { size: 12.5, lineHeight: 16, color: COLOR.text },
  itemTitle: { size: 13, lineHeight: 17, bold: true, color: COLOR.text },
  itemBody: { size: 12, lineHeight: 16, color: COLOR.muted },
  itemNote: { size: 11.5, lineHeight: 15, italic: true, color: COLOR.muted },
  legend: { size: 12, lineHeight: 16, color: COLOR.text },
} satisfies Record<string, TextStyle>;

const MARGIN = 32;
const LABEL_WIDTH = 150;
const LABEL_GAP = 12;
const COLUMN_WIDTH = 280;
const GUTTER = 44;
const CELL_PADDING = 12;
const CARD_INSET = 6;
const LANE_GAP = 4;
const CHEVRON = 14;
const MARKER_COLUMN = 18;
const BADGE_HEIGHT = 16;
const EXIT_TAG = 'EXITS STAGE';
// One badge width for every channel, so names line up down a column.
const BADGE_WIDTH = Math.ceil(
  Math.max(...Object.keys(CHANNEL_COLORS).map((channel) => measureText(channel, STYLE.badge.size, true))) +
    12,
);

// ---------------------------------------------------------------------------------------------
// Fragments: content laid out relative to (0, 0), moved into place once lane heights are known.

interface Fragment {
  height: number;
  shapes: MapShape[];
  texts: MapText[];
}

function textBlock(
  role: MapTextRole,
  text: string,
  x: number,
  y: number,
  width: number,
  style: TextStyle,
  anchor: 'start' | 'middle' = 'start',
): MapText | undefined {
  const bold = style.bold === true;
  const lines = wrapText(text, width, style.size, bold);
  if (lines.length === 0) return undefined;
  const inkWidth = Math.max(...lines.map((line) => measureText(line, style.size, bold)));
  const box = {
    x: anchor === 'middle' ? x + (width - inkWidth) / 2 : x,
    y,
    width: inkWidth,
    height: lines.length * style.lineHeight,
  };
  return {
    role,
    box,
    lines,
    fontSize: style.size,
    lineHeight: style.lineHeight,
    bold,
    italic: style.italic === true,
    color: style.color,
    anchor,
    within: box,
  };
}

/** Appends a text block at `y` and returns the y below it (unchanged for blank text). */
function addText(
  fragment: Fragment,
  role: MapTextRole,
  text: string,
  x: number,
  y: number,
  width: number,
  style: TextStyle,
): number {
  const block = textBlock(role, text, x, y, width, style);
  if (!block) return y;
  fragment.texts.push(block);
  return y + block.box.height;
}

function moveBox(box: MapBox, dx: number, dy: number): MapBox {
  return { x: box.x + dx, y: box.y + dy, width: box.width, height: box.height };
}

function moveShape(shape: MapShape, dx: number, dy: number): MapShape {
  switch (shape.kind) {
    case 'rect':
      return { ...shape, box: moveBox(shape.box, dx, dy) };
    case 'polygon':
      return { ...shape, points: shape.points.map(([x, y]) => [x + dx, y + dy] as const) };
    case 'circle':
      return { ...shape, cx: shape.cx + dx, cy: shape.cy + dy };
    case 'arrow':
      return { ...shape, x1: shape.x1 + dx, x2: shape.x2 + dx, y: shape.y + dy };
  }
}

/** Moves a fragment by (dx, dy) into `layout`, keeping its text inside `within`. */
function place(
  layout: { shapes: MapShape[]; texts: MapText[] },
  fragment: Fragment,
  dx: number,
  dy: number,
  within: MapBox,
) {
  for (const shape of fragment.shapes) layout.shapes.push(moveShape(shape, dx, dy));
  for (const text of fragment.texts) layout.texts.push({ ...text, box: moveBox(text.box, dx, dy), within });
}

const diamond = (cx: number, cy: number, radius: number, filled: boolean): MapShape => ({
  kind: 'polygon',
  points: [
    [cx, cy - radius],
    [cx + radius, cy],
    [cx, cy + radius],
    [cx - radius, cy],
  ],
  fill: filled ? COLOR.exit : COLOR.card,
  stroke: COLOR.exit,
});

const triangle = (cx: number, cy: number): MapShape => ({
  kind: 'polygon',
  points: [
    [cx, cy - 5],
    [cx + 5.5, cy + 4.5],
    [cx - 5.5, cy + 4.5],
  ],
  fill: COLOR.pain,
});

const badge = (channel: string, x: number, y: number): Fragment => {
  const [fill, stroke] = CHANNEL_COLORS[channel] ?? CHANNEL_COLORS.other ?? ['#e5e7eb', '#4b5563'];
  const label = textBlock('badge', channel, x, y, BADGE_WIDTH, STYLE.badge, 'middle');
  return {
    height: BADGE_HEIGHT,
    shapes: [
      { kind: 'rect', box: { x, y, width: BADGE_WIDTH, height: BADGE_HEIGHT }, fill, stroke, radius: 8 },
    ],
    texts: label ? [label] : [],
  };
};

function append(target: Fragment, source: Fragment): void {
  target.shapes.push(...source.shapes);
  target.texts.push(...source.texts);
}

// ---------------------------------------------------------------------------------------------
// Cells.

interface StageView {
  stage: Stage;
  milestones: Milestone[];
}

interface MapContext {
  journey: Journey;
  persona: Persona | undefined;
  teamName: (key: string | undefined) => string;
  personaName: (key: string) => string;
}

function touchpointCell(stage: Stage, width: number): Fragment {
  const fragment: Fragment = { height: 0, shapes: [], texts: [] };
  // Grouped by channel in order of first appearance, so the author's emphasis is kept.
  const groups = new Map<string, Touchpoint[]>();
  for (const touchpoint of stage.touchpoints ?? []) {
    const group = groups.get(touchpoint.channel) ?? [];
    group.push(touchpoint);
    groups.set(touchpoint.channel, group);
  }
  let y = 0;
  let first = true;
  for (const [channel, touchpoints] of groups) {
    if (!first) y += 6;
    first = false;
    for (const touchpoint of touchpoints) {
      append(fragment, badge(channel, 0, y));
      const bottom = addText(
        fragment,
        'item',
        touchpoint.name,
        BADGE_WIDTH + 8,
        y,
        width - BADGE_WIDTH - 8,
        STYLE.item,
      );
      y = Math.max(bottom, y + BADGE_HEIGHT) + 5;
    }
  }
  fragment.height = Math.max(0, y - 5);
  return fragment;
}

function milestoneCell(context: MapContext, view: StageView, width: number): Fragment {
  const fragment: Fragment = { height: 0, shapes: [], texts: [] };
  const exits = new Set(view.stage.exitWhen ?? []);
  const textX = MARKER_COLUMN;
  const textWidth = width - MARKER_COLUMN;
  let y = 0;
  view.milestones.forEach((milestone, index) => {
    if (index > 0) y += 12;
    const exit = exits.has(milestone.key);
    fragment.shapes.push(diamond(7, y + STYLE.itemTitle.lineHeight / 2, 6, exit));
    y = addText(fragment, 'item-title', milestone.name, textX, y, textWidth, STYLE.itemTitle);
    if (exit) {
      y += 3;
      const tagWidth = Math.ceil(measureText(EXIT_TAG, STYLE.tag.size, true) + 12);
      fragment.shapes.push({
        kind: 'rect',
        box: { x: textX, y, width: tagWidth, height: STYLE.tag.lineHeight },
        fill: COLOR.exit,
        radius: 3,
      });
      const tag = textBlock('tag', EXIT_TAG, textX, y, tagWidth, STYLE.tag, 'middle');
      if (tag) fragment.texts.push(tag);
      y += STYLE.tag.lineHeight;
    }
    if (milestone.success)
      y = addText(fragment, 'item', milestone.success, textX, y + 2, textWidth, STYLE.itemBody);
    // On the whole-journey map, say who a persona-specific milestone is for.
    if (!context.persona && milestone.personas) {
      const names = milestone.personas.map(context.personaName).join(', ');
      y = addText(fragment, 'item-note', `Only for ${names}`, textX, y + 2, textWidth, STYLE.itemNote);
    }
  });
  fragment.height = y;
  return fragment;
}

function listCell(items: readonly string[], width: number, marker: (cy: number) => MapShape): Fragment {
  const fragment: Fragment = { height: 0, shapes: [], texts: [] };
  let y = 0;
  items.forEach((item, index) => {
    if (index > 0) y += 8;
    fragment.shapes.push(marker(y + STYLE.item.lineHeight / 2));
    y = addText(fragment, 'item', item, MARKER_COLUMN, y, width - MARKER_COLUMN, STYLE.item);
  });
  fragment.height = y;
  return fragment;
}

function successCell(context: MapContext, stage: Stage, width: number): Fragment {
  const fragment: Fragment = { height: 0, shapes: [], texts: [] };
  const entries = stage.personaSuccess ?? {};
  if (context.persona) {
    const text = entries[context.persona.key];
    fragment.height = text ? addText(fragment, 'item', text, 0, 0, width, STYLE.item) : 0;
    return fragment;
  }
  let y = 0;
  // Journey persona order, so every column lists personas the same way; keys not declared as
  // personas are left out (validation reports them).
  for (const persona of context.journey.personas) {
    const text = entries[persona.key];
    if (!text) continue;
    if (y > 0) y += 8;
    y = addText(fragment, 'item-title', persona.name, 0, y, width, {
      ...STYLE.itemTitle,
      size: 12,
      lineHeight: 16,
    });
    y = addText(fragment, 'item', text, 0, y, width, STYLE.item);
  }
  fragment.height = y;
  return fragment;
}

function handoffCell(context: MapContext, stage: Stage, width: number): Fragment {
  const fragment: Fragment = { height: 0, shapes: [], texts: [] };
  const handoff = stage.handoff;
  if (!handoff) return fragment;
  const from = context.teamName(stage.owner);
  const to = context.teamName(handoff.to);
  // The arrow leaves this card and ends at the next card's edge, across the gutter.
  fragment.shapes.push({
    kind: 'arrow',
    x1: 0,
    x2: width + CELL_PADDING + GUTTER - 2,
    y: 7,
    color: COLOR.arrow,
    from: stage.key,
    to: handoff.to,
  });
  let y = addText(fragment, 'item-title', `${from} → ${to}`, 0, 20, width, STYLE.itemTitle);
  const artifacts = handoff.artifacts ?? [];
  if (artifacts.length) y = addText(fragment, 'item-note', 'Artifacts', 0, y + 4, width, STYLE.itemNote);
  for (const artifact of artifacts) {
    y += 3;
    fragment.shapes.push({
      kind: 'rect',
      box: { x: 3, y: y + STYLE.item.lineHeight / 2 - 2.5, width: 5, height: 5 },
      fill: COLOR.text,
    });
    y = addText(fragment, 'item', artifact, 14, y, width - 14, STYLE.item);
  }
  fragment.height = y;
  return fragment;
}

const LANE_TEXT: Record<JourneyMapLane, { label: string; hint: string }> = {
  success: { label: 'Customer success', hint: 'what success means to the customer' },
  touchpoints: { label: 'Touchpoints', hint: 'by channel' },
  milestones: { label: 'Milestones', hint: 'and their definition of success' },
  'pain-points': { label: 'Pain points', hint: 'where customers struggle' },
  opportunities: { label: 'Opportunities', hint: 'to improve the experience' },
  handoffs: { label: 'Handoff', hint: 'to the next team, with artifacts' },
};

// ---------------------------------------------------------------------------------------------

function days(value: number | undefined): string {
  if (value === undefined) return 'no time frame';
  return `${value} day${value === 1 ? '' : 's'}`;
}

/** Resolves the persona option and the stages it sees, in order. */
function stagesFor(
  journey: Journey,
  personaKey: string | undefined,
): { persona?: Persona; views: StageView[] } {
  if (personaKey === undefined) {
    return { views: journey.stages.map((stage) => ({ stage, milestones: stage.milestones ?? [] })) };
  }
  const persona = journey.personas.find((candidate) => candidate.key === personaKey);
  if (!persona) {
    const known = journey.personas.map((candidate) => candidate.key);
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: `journey "${journey.key}" has no persona "${personaKey}"${knownValuesHint(personaKey, known)}; draw the whole map by leaving the persona out`,
      details: { journey: journey.key, persona: personaKey, personas: known },
    });
  }
  const byKey = new Map(journey.stages.map((stage) => [stage.key, stage]));
  // A path naming a stage twice draws it once, where the persona first reaches it (as the engine does).
  const keys = [...new Set(persona.path ?? journey.stages.map((stage) => stage.key))];
  const views = keys
    .map((key) => byKey.get(key))
    .filter((stage): stage is Stage => stage !== undefined)
    .map((stage) => ({
      stage,
      milestones: (stage.milestones ?? []).filter(
        (milestone) => !milestone.personas || milestone.personas.includes(persona.key),
      ),
    }));
  return { persona, views };
}

function describe(context: MapContext, views: readonly StageView[]): string {
  const { journey, persona } = context;
  const parts: string[] = [];
  parts.push(
    `Customer journey map of ${journey.name}${persona ? ` for persona ${persona.name}` : ''}, ${views.length} stage${views.length === 1 ? '' : 's'} from left to right.`,
  );
  views.forEach(({ stage, milestones }, index) => {
    const milestoneText = milestones.length
      ? ` Milestones: ${milestones.map((milestone) => milestone.name).join(', ')}.`
      : '';
    const handoff = stage.handoff
      ? ` Hands off to ${context.teamName(stage.handoff.to)}${stage.handoff.artifacts?.length ? ` with ${stage.handoff.artifacts.join(', ')}` : ''}.`
      : '';
    parts.push(
      `Stage ${index + 1}, ${stage.name}: owned by ${context.teamName(stage.owner)}, ${days(stage.expectedDays)}.${milestoneText}${handoff}`,
    );
  });
  return parts.join(' ');
}

/** The journey name, its description and the persona (or the list of personas), above the map. */
function titleFragment(context: MapContext, contentWidth: number): Fragment {
  const { journey, persona } = context;
  const header: Fragment = { height: 0, shapes: [], texts: [] };
  // Long descriptions read badly across a wide map; keep them to a comfortable measure.
  const measure = Math.min(contentWidth, 900);
  let headerY = addText(header, 'title', journey.name, 0, 0, contentWidth, STYLE.title);
  if (journey.description)
    headerY = addText(header, 'description', journey.description, 0, headerY + 6, measure, STYLE.description);
  if (persona) {
    headerY = addText(header, 'persona', `Persona: ${persona.name}`, 0, headerY + 10, measure, STYLE.persona);
    if (persona.success)
      headerY = addText(
        header,
        'description',
        `Success: ${persona.success}`,
        0,
        headerY,
        measure,
        STYLE.description,
      );
  } else if (journey.personas.length) {
    headerY = addText(
      header,
      'description',
      `Personas: ${journey.personas.map((item) => item.name).join(', ')} (all stages and milestones shown)`,
      0,
      headerY + 10,
      measure,
      STYLE.description,
    );
  }
  header.height = headerY;
  return header;
}

/** The legend: a symbol and its meaning per entry, flowing onto more rows when the map is narrow. */
function legendFragment(contentWidth: number): Fragment {
  const legend: Fragment = { height: 0, shapes: [], texts: [] };
  let y = addText(legend, 'lane-label', 'Legend', 0, 0, contentWidth, STYLE.laneLabel) + 6;
  const tagWidth = Math.ceil(measureText(EXIT_TAG, STYLE.tag.size, true) + 12);
  const entries: Array<{ symbolWidth: number; draw: (x: number, y: number) => Fragment; text: string }> = [
    {
      symbolWidth: BADGE_WIDTH,
      draw: (x, top) => badge('email', x, top),
      text: 'Touchpoint and its channel',
    },
    {
      symbolWidth: 14 + 6 + tagWidth,
      draw: (x, top) => {
        const tag = textBlock('tag', EXIT_TAG, x + 20, top, tagWidth, STYLE.tag, 'middle');
        return {
          height: 16,
          shapes: [
            diamond(x + 7, top + 8, 6, true),
            {
              kind: 'rect',
              box: { x: x + 20, y: top + 0.5, width: tagWidth, height: 15 },
              fill: COLOR.exit,
              radius: 3,
            },
          ],
          texts: tag ? [{ ...tag, box: moveBox(tag.box, 0, 0.5) }] : [],
        };
      },
      text: 'Milestone that exits the stage',
    },
    {
      symbolWidth: 14,
      draw: (x, top) => ({ height: 16, shapes: [diamond(x + 7, top + 8, 6, false)], texts: [] }),
      text: 'Milestone',
    },
    {
      symbolWidth: 14,
      draw: (x, top) => ({ height: 16, shapes: [triangle(x + 7, top + 8)], texts: [] }),
      text: 'Pain point',
    },
    {
      symbolWidth: 14,
      draw: (x, top) => ({
        height: 16,
        shapes: [{ kind: 'circle', cx: x + 7, cy: top + 8, r: 5, fill: COLOR.opportunity }],
        texts: [],
      }),
      text: 'Opportunity',
    },
    {
      symbolWidth: 40,
      draw: (x, top) => ({
        height: 16,
        shapes: [{ kind: 'arrow', x1: x, x2: x + 40, y: top + 8, color: COLOR.arrow }],
        texts: [],
      }),
      text: 'Handoff to the next team',
    },
  ];
  let x = 0;
  for (const entry of entries) {
    const textWidth = measureText(entry.text, STYLE.legend.size);
    const entryWidth = entry.symbolWidth + 8 + textWidth;
    if (x > 0 && x + entryWidth > contentWidth) {
      x = 0;
      y += 24;
    }
    const symbol = entry.draw(x, y);
    append(legend, symbol);
    const label = textBlock(
      'legend',
      entry.text,
      x + entry.symbolWidth + 8,
      y,
      Math.ceil(textWidth) + 1,
      STYLE.legend,
    );
    if (label) legend.texts.push(label);
    x += entryWidth + 28;
  }
  legend.height = y + 16;
  return legend;
}

/**
 * Lays out the journey map: header, stage columns, lanes, handoff arrows and legend, with every
 * text box measured and wrapped so none overlaps another or leaves its cell.
 * @throws MilepostError `INVALID_INPUT` when `options.persona` is not a persona of the journey.
 */
export function layoutJourneyMap(journey: Journey, options: JourneyMapOptions = {}): JourneyMapLayout {
  const { persona, views } = stagesFor(journey, options.persona);
  const teams = new Map(journey.teams.map((team) => [team.key, team.name]));
  const personas = new Map(journey.personas.map((item) => [item.key, item.name]));
  const context: MapContext = {
    journey,
    persona,
    teamName: (key) => (key ? (teams.get(key) ?? key) : 'No owner'),
    personaName: (key) => personas.get(key) ?? key,
  };
  const shapes: MapShape[] = [];
  const texts: MapText[] = [];
  const out = { shapes, texts };

  const columnCount = views.length;
  // Room after the last column for its chevron tip, or for its handoff arrow when it has one.
  const trailingGutter = views.at(-1)?.stage.handoff ? GUTTER : CHEVRON;
  const gridLeft = MARGIN;
  const columnsLeft = gridLeft + LABEL_WIDTH + LABEL_GAP;
  const columnX = (index: number) => columnsLeft + index * (COLUMN_WIDTH + GUTTER);
  const gridWidth =
    LABEL_WIDTH + LABEL_GAP + columnCount * COLUMN_WIDTH + (columnCount - 1) * GUTTER + trailingGutter;
  const width = Math.ceil(MARGIN * 2 + Math.max(gridWidth, 560));
  const contentWidth = width - MARGIN * 2;

  let y = MARGIN;
  if (options.title !== false) {
    const header = titleFragment(context, contentWidth);
    place(out, header, MARGIN, y, { x: MARGIN, y, width: contentWidth, height: header.height });
    y += header.height + 24;
  }

  // Stage headers: chevrons with the stage name, the owning team and the time frame.
  const headerTextX = CHEVRON + 8;
  const headerTextWidth = COLUMN_WIDTH - headerTextX - 10;
  const headerFragments = views.map(({ stage }) => {
    const fragment: Fragment = { height: 0, shapes: [], texts: [] };
    let bottom = addText(
      fragment,
      'stage-name',
      stage.name,
      headerTextX,
      10,
      headerTextWidth,
      STYLE.stageName,
    );
    bottom = addText(
      fragment,
      'stage-meta',
      `${context.teamName(stage.owner)} · ${days(stage.expectedDays)}`,
      headerTextX,
      bottom + 3,
      headerTextWidth,
      STYLE.stageMeta,
    );
    fragment.height = bottom + 10;
    return fragment;
  });
  const headerHeight = Math.max(0, ...headerFragments.map((fragment) => fragment.height));
  const labelTextWidth = LABEL_WIDTH - 8;
  const stageLabel: Fragment = { height: 0, shapes: [], texts: [] };
  const stageLabelBottom = addText(stageLabel, 'lane-label', 'Stage', 0, 0, labelTextWidth, STYLE.laneLabel);
  addText(
    stageLabel,
    'lane-hint',
    'owning team and time frame',
    0,
    stageLabelBottom,
    labelTextWidth,
    STYLE.laneHint,
  );
  place(out, stageLabel, gridLeft, y + 10, { x: gridLeft, y, width: LABEL_WIDTH, height: headerHeight });
  const stages: MapStageColumn[] = views.map(({ stage }, index) => {
    const x = columnX(index);
    const header = { x, y, width: COLUMN_WIDTH, height: headerHeight };
    // Every chevron but the first has a notch, so the row reads as one flow from left to right.
    shapes.push({
      kind: 'polygon',
      points: [
        [x, y],
        [x + COLUMN_WIDTH, y],
        [x + COLUMN_WIDTH + CHEVRON, y + headerHeight / 2],
        [x + COLUMN_WIDTH, y + headerHeight],
        [x, y + headerHeight],
        ...(index > 0 ? [[x + CHEVRON, y + headerHeight / 2] as const] : []),
      ],
      fill: COLOR.stage,
    });
    place(out, headerFragments[index] ?? { height: 0, shapes: [], texts: [] }, x, y, header);
    return {
      key: stage.key,
      name: stage.name,
      team: context.teamName(stage.owner),
      timeFrame: days(stage.expectedDays),
      header,
      column: header,
    };
  });
  y += headerHeight + 10;

  // Lanes: each as tall as its tallest cell; lanes empty in every column are left out.
  const contentWidthOfCell = COLUMN_WIDTH - CELL_PADDING * 2;
  const cellOf: Record<JourneyMapLane, (view: StageView) => Fragment> = {
    success: (view) => successCell(context, view.stage, contentWidthOfCell),
    touchpoints: (view) => touchpointCell(view.stage, contentWidthOfCell),
    milestones: (view) => milestoneCell(context, view, contentWidthOfCell),
    'pain-points': (view) =>
      listCell(view.stage.painPoints ?? [], contentWidthOfCell, (cy) => triangle(7, cy)),
    opportunities: (view) =>
      listCell(view.stage.opportunities ?? [], contentWidthOfCell, (cy) => ({
        kind: 'circle',
        cx: 7,
        cy,
        r: 5,
        fill: COLOR.opportunity,
      })),
    handoffs: (view) => handoffCell(context, view.stage, contentWidthOfCell),
  };
  const lanes: JourneyMapLayout['lanes'] = [];
  for (const lane of JOURNEY_MAP_LANES) {
    const cells = views.map(cellOf[lane]);
    if (cells.every((cell) => cell.height === 0)) continue;
    const laneText = LANE_TEXT[lane];
    const label = lane === 'success' && persona ? `Success for ${persona.name}` : laneText.label;
    const labelFragment: Fragment = { height: 0, shapes: [], texts: [] };
    const labelBottom = addText(labelFragment, 'lane-label', label, 0, 0, labelTextWidth, STYLE.laneLabel);
    labelFragment.height = addText(
      labelFragment,
      'lane-hint',
      laneText.hint,
      0,
      labelBottom,
      labelTextWidth,
      STYLE.laneHint,
    );
    const inner = Math.max(labelFragment.height, ...cells.map((cell) => cell.height));
    const laneHeight = inner + (CARD_INSET + CELL_PADDING) * 2;
    const box = { x: gridLeft, y, width: gridWidth, height: laneHeight };
    shapes.push({ kind: 'rect', box, fill: COLOR.lane });
    place(out, labelFragment, gridLeft + 8, y + CARD_INSET + CELL_PADDING, {
      x: gridLeft,
      y,
      width: LABEL_WIDTH,
      height: laneHeight,
    });
    cells.forEach((cell, index) => {
      const card = {
        x: columnX(index),
        y: y + CARD_INSET,
        width: COLUMN_WIDTH,
        height: laneHeight - CARD_INSET * 2,
      };
      shapes.push({ kind: 'rect', box: card, fill: COLOR.card, stroke: COLOR.border, radius: 6 });
      const content = {
        x: card.x + CELL_PADDING,
        y: card.y + CELL_PADDING,
        width: contentWidthOfCell,
        height: card.height - CELL_PADDING * 2,
      };
      place(out, cell, content.x, content.y, content);
    });
    lanes.push({ kind: lane, label, box });
    y += laneHeight + LANE_GAP;
  }
  const gridBottom = y - LANE_GAP;
  for (const stage of stages) stage.column = { ...stage.header, height: gridBottom - stage.header.y };

  const legend = legendFragment(contentWidth);
  const legendTop = gridBottom + 20;
  place(out, legend, MARGIN, legendTop, {
    x: MARGIN,
    y: legendTop,
    width: contentWidth,
    height: legend.height,
  });
  const height = Math.ceil(legendTop + legend.height + MARGIN);

  const handoffs = views
    .filter(({ stage }) => stage.handoff)
    .map(({ stage }) => ({
      stage: stage.key,
      from: context.teamName(stage.owner),
      to: context.teamName(stage.handoff?.to),
      artifacts: [...(stage.handoff?.artifacts ?? [])],
    }));
  const milestones = views.flatMap(({ stage, milestones: drawn }) =>
    drawn.map((milestone) => ({
      stage: stage.key,
      key: milestone.key,
      exit: (stage.exitWhen ?? []).includes(milestone.key),
    })),
  );
  const idPrefix = `milepost-map-${journey.key}${persona ? `-${persona.key}` : ''}`;
  return {
    width,
    height,
    title: `Journey map: ${journey.name}${persona ? ` (persona: ${persona.name})` : ''}`,
    description: describe(context, views),
    idPrefix,
    persona,
    stages,
    lanes,
    milestones,
    handoffs,
    shapes,
    texts,
  };
}
