import { describe, expect, it } from 'vitest';
import { issueLines, lineCount, lineStartOffset, positionOffset } from './editor-lines.js';

describe('editor lines', () => {
  const source = 'apiVersion: milepost/v1\nkind: Journey\n\nkey: onboarding';

  it('counts lines and finds where each starts, clamped to the text', () => {
    expect(lineCount('')).toBe(1);
    expect(lineCount(source)).toBe(4);
    expect(lineStartOffset(source, 1)).toBe(0);
    expect(lineStartOffset(source, 2)).toBe(24);
    expect(source.slice(lineStartOffset(source, 4))).toBe('key: onboarding');
    expect(lineStartOffset(source, 99)).toBe(source.lastIndexOf('\n') + 1);
  });

  it('places a column inside its line', () => {
    expect(source.slice(positionOffset(source, 2, 7), positionOffset(source, 2, 7) + 7)).toBe('Journey');
    expect(positionOffset(source, 2, 500)).toBe(source.indexOf('\n', 24));
  });

  it('keeps the worst severity per line', () => {
    const lines = issueLines([
      { path: 'a', message: 'w', line: 3, severity: 'warning' },
      { path: 'b', message: 'e', line: 3 },
      { path: 'c', message: 'w', line: 5, severity: 'warning' },
      { path: 'd', message: 'no line' },
    ]);
    expect([...lines]).toEqual([
      [3, 'error'],
      [5, 'warning'],
    ]);
  });
});
