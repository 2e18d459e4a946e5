/**
 * The journey map picture as one standalone SVG: stages as columns, lanes for touchpoints,
 * milestones, pain points, opportunities and handoffs, a legend and a header. Pure and
 * deterministic (the same journey gives the same bytes), so it can be cached, diffed and
 * golden-tested; the admin app serves it, exports it and prints it, the CLI writes it.
 */
import {
  type JourneyMapLayout,
  type JourneyMapOptions,
  layoutJourneyMap,
  type MapShape,
  type MapText,
} from './journey-map-layout.js';
import type { Journey } from './journey-schema.js';

export type { JourneyMapOptions } from './journey-map-layout.js';

/** System fonts only: the picture must render the same offline, in print and in a headless browser. */
const FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

/** Whether XML 1.0 allows a character (C0 controls but tab/newline/return, lone surrogates and U+FFFE/U+FFFF it does not). */
function allowedInXml(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    codePoint >= 0x10000
  );
}

/** Escapes text for XML element content and attribute values. */
export function escapeXml(text: string): string {
  // A forbidden character would make the whole file unreadable; in a name it carries no meaning.
  let allowed = '';
  for (const character of text) if (allowedInXml(character.codePointAt(0) ?? 0)) allowed += character;
  return allowed
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** Coordinates with at most two decimals and no `-0`, so output does not depend on float noise. */
function number(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return String(rounded === 0 ? 0 : rounded);
}

function shapeSvg(shape: MapShape): string {
  switch (shape.kind) {
    case 'rect': {
      const { x, y, width, height } = shape.box;
      const radius = shape.radius ? ` rx="${number(shape.radius)}"` : '';
      const stroke = shape.stroke ? ` stroke="${shape.stroke}"` : '';
      return `<rect x="${number(x)}" y="${number(y)}" width="${number(width)}" height="${number(height)}"${radius} fill="${shape.fill}"${stroke}/>`;
    }
    case 'polygon': {
      const points = shape.points.map(([x, y]) => `${number(x)},${number(y)}`).join(' ');
      const stroke = shape.stroke ? ` stroke="${shape.stroke}" stroke-width="1.5"` : '';
      return `<polygon points="${points}" fill="${shape.fill}"${stroke}/>`;
    }
    case 'circle': {
      const stroke = shape.stroke ? ` stroke="${shape.stroke}"` : '';
      return `<circle cx="${number(shape.cx)}" cy="${number(shape.cy)}" r="${number(shape.r)}" fill="${shape.fill}"${stroke}/>`;
    }
    case 'arrow': {
      // A path head rather than an SVG <marker>: markers render inconsistently in some PDF printers.
      const { x1, x2, y } = shape;
      const head = `M${number(x2)},${number(y)} L${number(x2 - 9)},${number(y - 5)} L${number(x2 - 9)},${number(y + 5)} Z`;
      const line = `<line x1="${number(x1)}" y1="${number(y)}" x2="${number(x2 - 8)}" y2="${number(y)}" stroke="${shape.color}" stroke-width="2"/><circle cx="${number(x1 + 3)}" cy="${number(y)}" r="3" fill="${shape.color}"/><path d="${head}" fill="${shape.color}"/>`;
      if (shape.from === undefined) return line;
      return `<g class="handoff" data-stage="${escapeXml(shape.from)}" data-to="${escapeXml(shape.to ?? '')}">${line}</g>`;
    }
  }
}

function textSvg(text: MapText): string {
  const { box, fontSize, lineHeight } = text;
  // The baseline sits so the line's ink is centred vertically in its line box.
  const baseline = (index: number) =>
    box.y + index * lineHeight + (lineHeight - fontSize) / 2 + fontSize * 0.8;
  const x = text.anchor === 'middle' ? box.x + box.width / 2 : box.x;
  const attributes = [
    `x="${number(x)}"`,
    `y="${number(baseline(0))}"`,
    `font-size="${number(fontSize)}"`,
    text.bold ? 'font-weight="700"' : '',
    text.italic ? 'font-style="italic"' : '',
    text.anchor === 'middle' ? 'text-anchor="middle"' : '',
    `fill="${text.color}"`,
  ].filter(Boolean);
  const content =
    text.lines.length === 1
      ? escapeXml(text.lines[0] ?? '')
      : text.lines
          .map(
            (line, index) =>
              `<tspan x="${number(x)}" y="${number(baseline(index))}">${escapeXml(line)}</tspan>`,
          )
          .join('');
  return `<text ${attributes.join(' ')}>${content}</text>`;
}

/** Paints a laid-out map as SVG text. */
function journeyMapLayoutSvg(layout: JourneyMapLayout): string {
  const { width, height, idPrefix } = layout;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${idPrefix}-title ${idPrefix}-desc" font-family="${FONT_STACK}" fill="#1a1a1a">`,
    `<title id="${idPrefix}-title">${escapeXml(layout.title)}</title>`,
    `<desc id="${idPrefix}-desc">${escapeXml(layout.description)}</desc>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...layout.shapes.map(shapeSvg),
    ...layout.texts.map(textSvg),
    '</svg>',
    '',
  ].join('\n');
}

/**
 * The journey map as a standalone, accessible SVG document (`role="img"` with `<title>` and
 * `<desc>`, system fonts, white background, lanes labelled in text). The same journey and options
 * always give byte-identical output.
 * @throws MilepostError `INVALID_INPUT` when `options.persona` is not a persona of the journey.
 */
export function renderJourneyMapSvg(journey: Journey, options: JourneyMapOptions = {}): string {
  return journeyMapLayoutSvg(layoutJourneyMap(journey, options));
}
