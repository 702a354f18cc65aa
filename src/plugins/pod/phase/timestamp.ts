// Kubernetes timestamps read fast (the canonical form by arithmetic, else by parseInstant), and the later of two.
import { parseInstant, type Instant } from '../../../domain/time.js';

// The phase mapping reads every container's timestamps on every watch event, and the memo behind parseInstant is
// too small for a cluster's worth of distinct seconds. Kubernetes writes one form only (second precision, UTC): read
// it digit by digit with no regex, Date or Option. Values that are not plainly valid (Feb 30, hour 24, offsets,
// fractions) go to parseInstant, so the answer is always the one it gives.

// Everything below stays in small integers (`| 0` divisions, no Math.floor): V8 then compiles `%` and `/` as integer
// instructions rather than calls on doubles.

/** The two-digit number at `i`, or -1 when either character is not a digit (each character is read once). */
const two = (s: string, i: number): number => {
  const hi = s.charCodeAt(i) - 48;
  const lo = s.charCodeAt(i + 1) - 48;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : -1;
};

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date, year 0 to 9999 (Howard Hinnant's days_from_civil). */
const daysFromCivil = (year: number, month: number, day: number): number => {
  // Shifting the year by one 400-year era keeps every quotient non-negative, so `| 0` truncation is floor.
  const y = (month <= 2 ? year - 1 : year) + 400;
  const era = (y / 400) | 0;
  const yoe = y - era * 400;
  const doy = (((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) | 0) + day - 1;
  const doe = yoe * 365 + ((yoe / 4) | 0) - ((yoe / 100) | 0) + doy;
  return (era - 1) * 146_097 + doe - 719_468;
};

/** The canonical form's instant, or NaN when the string is not plainly a valid one. */
const canonical = (s: string): number => {
  if (
    s.length !== 20 ||
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 90 // Z
  )
    return NaN;
  const century = two(s, 0);
  const yy = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1) return NaN;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  const year = century * 100 + yy;
  const monthDays = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > monthDays) return NaN;
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000;
};

/** parseInstant without the Option: the instant of a Kubernetes timestamp, undefined for anything else. */
export const instantOf = (u: unknown): Instant | undefined => {
  if (typeof u !== 'string') return undefined;
  const fast = canonical(u);
  if (!Number.isNaN(fast)) return fast;
  const slow = parseInstant(u);
  return slow._tag === 'Some' ? slow.value : undefined;
};

/** The later of two optional instants. */
export const later = (a: Instant | undefined, b: Instant | undefined): Instant | undefined =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);
