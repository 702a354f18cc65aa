// Time as a value: instants and durations are numbers handed in by callers; nothing here reads a clock.
import * as O from 'fp-ts/lib/Option.js';
import * as t from 'io-ts';

/** Milliseconds since the Unix epoch. Always passed in; the domain never asks for "now". */
export type Instant = number;

/** Milliseconds. */
export type Duration = number;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

// Timestamps repeat: every object written in the same second carries the same strings, and a watch loop parses
// them again on every event. Both directions keep a small table of recent answers (bounded; results are immutable
// values, so sharing them is invisible).
const MEMO_LIMIT = 512;
const parsed = new Map<string, O.Option<Instant>>();
const formatted = new Map<number, string>();

const remember = <K, V>(table: Map<K, V>, key: K, value: V): V => {
  if (table.size >= MEMO_LIMIT) table.clear();
  table.set(key, value);
  return value;
};

/** Parses an RFC 3339 timestamp as Kubernetes writes it; anything else is none (never "long ago"). */
export const parseInstant = (s: unknown): O.Option<Instant> => {
  if (typeof s !== 'string') return O.none;
  const known = parsed.get(s);
  if (known !== undefined) return known;
  if (!RFC3339.test(s)) return O.none;
  const ms = Date.parse(s);
  return remember(parsed, s, Number.isFinite(ms) ? O.some(ms) : O.none);
};

/** Formats an instant the way Kubernetes writes timestamps (second precision, UTC). */
export const formatInstant = (i: Instant): string => {
  const second = Math.floor(i / 1000);
  return (
    formatted.get(second) ??
    remember(formatted, second, new Date(second * 1000).toISOString().replace('.000Z', 'Z'))
  );
};

/** Formats an instant with millisecond precision, for logs and PhaseInfo output. */
export const formatInstantMillis = (i: Instant): string => new Date(i).toISOString();

// -------------------------------------------------------------------------------------
// durations in Go's notation ("3m", "1h30m", "500ms"), as Flyte's configuration writes them
// -------------------------------------------------------------------------------------

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION = /^([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)/;

/** Parses a Go duration string into milliseconds (sub-millisecond parts round up). "0" is zero. */
export const parseDuration = (s: string): O.Option<Duration> => {
  if (s === '0') return O.some(0);
  let rest = s;
  let total = 0;
  if (rest.length === 0) return O.none;
  while (rest.length > 0) {
    const m = DURATION.exec(rest);
    if (m === null) return O.none;
    const [all, num, unit] = m;
    total += Number(num) * (UNIT_MS[unit ?? ''] ?? NaN);
    rest = rest.slice(all.length);
  }
  return Number.isFinite(total) ? O.some(Math.ceil(total)) : O.none;
};

/** Formats milliseconds in Go's notation: 180000 → "3m0s", 500 → "500ms", 0 → "0s". */
export const formatDuration = (d: Duration): string => {
  if (d === 0) return '0s';
  const sign = d < 0 ? '-' : '';
  let ms = Math.abs(d);
  if (ms < 1000) return `${sign}${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const secs = ms / 1000;
  const sPart = `${Number.isInteger(secs) ? secs : secs.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${sign}${h}h${m}m${sPart}`;
  if (m > 0) return `${sign}${m}m${sPart}`;
  return `${sign}${sPart}`;
};

/** io-ts codec: a Go duration string ("3m", "1h30m", "10s") ⇄ milliseconds. */
export const DurationFromString = new t.Type<Duration, string, unknown>(
  'Duration',
  (u): u is Duration => typeof u === 'number' && Number.isFinite(u) && u >= 0,
  (u, c) => {
    if (typeof u === 'string') {
      const d = parseDuration(u);
      if (O.isSome(d)) return t.success(d.value);
    }
    return t.failure(u, c, 'a duration such as "30s", "3m" or "1h30m"');
  },
  formatDuration,
);
