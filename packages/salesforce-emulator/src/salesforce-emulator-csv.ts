/**
 * CSV for Bulk API 2.0: RFC 4180 quoting, LF or CRLF line endings, comma (or another) delimiter.
 */

/** Parses CSV text into rows of cells. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let inQuotes = false;
  let index = 0;
  while (index < text.length) {
    const character = text.charAt(index);
    if (inQuotes) {
      if (character === '"') {
        if (text.charAt(index + 1) === '"') {
          cell += '"';
          index += 2;
          continue;
        }
        inQuotes = false;
        index++;
        continue;
      }
      cell += character;
      index++;
      continue;
    }
    if (character === '"') {
      inQuotes = true;
    } else if (character === delimiter) {
      row.push(cell);
      cell = '';
    } else if (character === '\n' || character === '\r') {
      row.push(cell);
      cell = '';
      rows.push(row);
      row = [];
      if (character === '\r' && text.charAt(index + 1) === '\n') index++;
    } else {
      cell += character;
    }
    index++;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((candidate) => !(candidate.length === 1 && candidate[0] === ''));
}

/** Quotes one cell the way Salesforce does (always quoted, doubled inner quotes). */
export function formatCsvCell(value: unknown): string {
  if (value === null || value === undefined) return '""';
  const text = typeof value === 'string' ? value : String(value);
  return `"${text.replace(/"/g, '""')}"`;
}

/** Serializes a header and rows. */
export function formatCsv(
  header: readonly string[],
  rows: ReadonlyArray<readonly unknown[]>,
  lineEnding = '\n',
): string {
  const lines = [header.map(formatCsvCell).join(',')];
  for (const row of rows) lines.push(row.map(formatCsvCell).join(','));
  return lines.join(lineEnding) + lineEnding;
}
