import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  civilFromDay,
  contractYear,
  contractYearStart,
  dayFromCivil,
  formatUtcDay,
  parseUtcDay,
  toUtcDay,
} from './engine-dates.js';

describe('UTC days', () => {
  it('round-trips day numbers and agrees with Date', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }), (day) => {
        const { year, month, day: dayOfMonth } = civilFromDay(day);
        expect(dayFromCivil(year, month, dayOfMonth)).toBe(day);
        const text = formatUtcDay(day);
        if (year >= 0 && year <= 9999) {
          expect(text).toBe(new Date(day * 86_400_000).toISOString().slice(0, 10));
          expect(parseUtcDay(text)).toBe(day);
        }
      }),
    );
  });

  it('parses dates, UTC date-times and offsets; rejects the rest', () => {
    expect(parseUtcDay('1970-01-02')).toBe(1);
    expect(parseUtcDay('2026-01-31T23:59:59Z')).toBe(parseUtcDay('2026-01-31'));
    expect(parseUtcDay('2026-01-31T23:30:00-05:00')).toBe(parseUtcDay('2026-02-01'));
    for (const bad of ['2026-02-30', '2026-13-01', '31/01/2026', '2026-01-31X', '', 20260131, null]) {
      expect(parseUtcDay(bad)).toBeNaN();
    }
    expect(toUtcDay(new Date('2026-01-31T10:00:00Z'))).toBe(parseUtcDay('2026-01-31'));
  });

  it('counts contract years from the anniversary', () => {
    const start = parseUtcDay('2024-02-29');
    expect(contractYear(start, parseUtcDay('2025-02-28'))).toBe(1);
    expect(contractYear(start, parseUtcDay('2025-03-01'))).toBe(2);
    expect(formatUtcDay(contractYearStart(start, 2))).toBe('2025-03-01');
    expect(formatUtcDay(contractYearStart(parseUtcDay('2025-01-15'), 3))).toBe('2027-01-15');
    expect(contractYear(start, parseUtcDay('2020-01-01'))).toBe(1);
  });
});
