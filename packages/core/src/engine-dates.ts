/**
 * UTC-day arithmetic for the engine. Journeys reason in whole days ("due 3 days after the stage
 * starts", "30-day time frame"), so every date is reduced to a day number (days since 1970-01-01 in
 * UTC). Parsing is hand-written because it runs several times per evaluated record and
 * `Date.parse` dominates the cost at 500,000 evaluations per second.
 */

const MILLISECONDS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian civil date (Howard Hinnant's `days_from_civil`). */
export function dayFromCivil(year: number, month: number, day: number): number {
  const shiftedYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(shiftedYear / 400);
  const yearOfEra = shiftedYear - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function digit(text: string, index: number): number {
  const code = text.charCodeAt(index) - 48;
  return code >= 0 && code <= 9 ? code : Number.NaN;
}

// The day number of the first of each month of 1900–2199, so parsing a date in that range is two
// table reads instead of the divisions of `dayFromCivil` (it runs a dozen times per record).
const TABLE_FIRST_YEAR = 1900;
const TABLE_YEARS = 300;
const monthStartDays = new Int32Array(TABLE_YEARS * 12);
for (let index = 0; index < monthStartDays.length; index++) {
  monthStartDays[index] = dayFromCivil(TABLE_FIRST_YEAR + Math.floor(index / 12), (index % 12) + 1, 1);
}

/**
 * The UTC day number of an ISO 8601 date or date-time, or `NaN` when the value is not one.
 * `YYYY-MM-DD` and UTC date-times (`…Z`) take the fast path; offsets go through `Date.parse` so
 * `2026-01-31T23:30:00-05:00` counts as February 1st in UTC.
 */
export function parseUtcDay(value: unknown): number {
  if (typeof value !== 'string' || value.length < 10) return Number.NaN;
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return Number.NaN;
  const month = digit(value, 5) * 10 + digit(value, 6);
  const day = digit(value, 8) * 10 + digit(value, 9);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return Number.NaN;
  const year = digit(value, 0) * 1000 + digit(value, 1) * 100 + digit(value, 2) * 10 + digit(value, 3);
  if (value.length === 10) {
    // Reject impossible days such as 2026-02-30 without building a Date.
    if (day > 28 && day > daysInMonth(year, month)) return Number.NaN;
    const tableIndex = (year - TABLE_FIRST_YEAR) * 12 + month - 1;
    if (tableIndex >= 0 && tableIndex < monthStartDays.length) return monthStartDays[tableIndex]! + day - 1;
    return dayFromCivil(year, month, day);
  }
  if (value.charCodeAt(10) !== 84 /* T */) return Number.NaN;
  const last = value.charCodeAt(value.length - 1);
  if (last === 90 /* Z */) {
    if (Number.isNaN(Date.parse(value))) return Number.NaN;
    return dayFromCivil(year, month, day);
  }
  const milliseconds = Date.parse(value);
  return Number.isNaN(milliseconds) ? Number.NaN : Math.floor(milliseconds / MILLISECONDS_PER_DAY);
}

/** Days in a month of the proleptic Gregorian calendar (28 for February of a NaN year). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  // 31 for January, March, May, July, August, October and December; 30 for the others.
  return 30 + ((month + (month >> 3)) & 1);
}

/** The civil date of a day number (inverse of {@link dayFromCivil}). */
export function civilFromDay(dayNumber: number): { year: number; month: number; day: number } {
  const shifted = dayNumber + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthPrime = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthPrime + 2) / 5) + 1;
  const month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

// Contract years compare civil dates of two days per evaluated record; a civil date packed into
// one integer (year << 9 | month << 5 | day, 0 = not computed yet) is cached per day of 1900–2199,
// so no date object is built per record. Filled lazily: most programs only ever see a few years.
const CIVIL_FIRST_DAY = dayFromCivil(1900, 1, 1);
const civilPacked = new Int32Array(dayFromCivil(2200, 1, 1) - CIVIL_FIRST_DAY);

/** The civil date of a day number packed as `year << 9 | month << 5 | day` (years 0–9999). */
function packedCivil(dayNumber: number): number {
  const index = dayNumber - CIVIL_FIRST_DAY;
  if (index >= 0 && index < civilPacked.length && Number.isInteger(index)) {
    let packed = civilPacked[index]!;
    if (packed === 0) {
      const { year, month, day } = civilFromDay(dayNumber);
      packed = (year << 9) | (month << 5) | day;
      civilPacked[index] = packed;
    }
    return packed;
  }
  const { year, month, day } = civilFromDay(dayNumber);
  return year * 512 + ((month << 5) | day);
}

// Formatting allocates a string; the same few thousand days recur across millions of records, so
// the days of 1900–2199 are cached in an array indexed by day (a Map keyed by doubles is slower).
// The array is allocated at its full length up front (under 1 MiB): growing an empty array to that
// length makes V8 store it as a sparse dictionary, and every lookup becomes a hash probe.
const CACHE_FIRST_DAY = dayFromCivil(1900, 1, 1);
const CACHE_DAYS = dayFromCivil(2200, 1, 1) - CACHE_FIRST_DAY;
const formatted: Array<string | undefined> = new Array<string | undefined>(CACHE_DAYS).fill(undefined);

function formatDay(dayNumber: number): string {
  const { year, month, day } = civilFromDay(dayNumber);
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

/** `YYYY-MM-DD` of a UTC day number. */
export function formatUtcDay(dayNumber: number): string {
  const index = dayNumber - CACHE_FIRST_DAY;
  if (index >= 0 && index < CACHE_DAYS && Number.isInteger(index)) {
    let text = formatted[index];
    if (text === undefined) {
      text = formatDay(dayNumber);
      formatted[index] = text;
    }
    return text;
  }
  return formatDay(dayNumber);
}

/** The UTC day number of a `Date` or ISO string (`now` as callers pass it). */
export function toUtcDay(value: Date | string | number): number {
  if (typeof value === 'number') return Math.floor(value / MILLISECONDS_PER_DAY);
  if (typeof value === 'string') return parseUtcDay(value);
  return Math.floor(value.getTime() / MILLISECONDS_PER_DAY);
}

/**
 * The contract year (1 = the first year) that `day` falls in for a contract starting on `startDay`:
 * year n starts on the anniversary of the start date (Feb 29 anniversaries fall on Mar 1).
 */
export function contractYear(startDay: number, day: number): number {
  if (day < startDay) return 1;
  const start = packedCivil(startDay);
  const current = packedCivil(day);
  let years = Math.floor(current / 512) - Math.floor(start / 512);
  // The low 9 bits are month << 5 | day, which order like (month, day).
  if ((current & 511) < (start & 511)) years--;
  return Math.max(1, years + 1);
}

/** The first day of contract year `year` (1-based) for a contract starting on `startDay`. */
export function contractYearStart(startDay: number, year: number): number {
  const start = packedCivil(startDay);
  return dayFromCivil(Math.floor(start / 512) + year - 1, (start >> 5) & 15, 1) + (start & 31) - 1;
}
