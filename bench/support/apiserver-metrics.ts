// The API server's own request counters (apiserver_request_total from /metrics), keyed by verb and resource.
import { adminRequest, type ControlPlane } from '../../test/cluster/control-plane.js';

/** Request counts by `VERB resource[/subresource]`, e.g. `PATCH pods/status`, `LIST pods`; codes are summed. */
export type RequestCounts = ReadonlyMap<string, number>;

const labelPattern = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The key a request is counted under; requests to non-resource paths (discovery, /metrics) share one bucket. */
export const requestKey = (verb: string, resource: string, subresource = '', group = ''): string =>
  resource === ''
    ? `${verb} (non-resource)`
    : `${verb} ${group === '' ? '' : `${group}/`}${resource}${subresource === '' ? '' : `/${subresource}`}`;

const samples = (
  exposition: string,
  metric: string,
): Array<{ readonly labels: Map<string, string>; readonly value: number }> => {
  const out: Array<{ readonly labels: Map<string, string>; readonly value: number }> = [];
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const close = line.lastIndexOf('}');
    const value = Number(line.slice(close + 1).trim());
    const labels = new Map<string, string>();
    for (const m of line.slice(0, close).matchAll(labelPattern)) labels.set(m[1] ?? '', m[2] ?? '');
    if (Number.isFinite(value)) out.push({ labels, value });
  }
  return out;
};

const keyOf = (labels: Map<string, string>, withCode: boolean): string => {
  const key = requestKey(
    labels.get('verb') ?? '?',
    labels.get('resource') ?? '',
    labels.get('subresource') ?? '',
    labels.get('group') ?? '',
  );
  return withCode ? `${key} ${labels.get('code') ?? '?'}` : key;
};

const sumBy = (
  exposition: string,
  metric: string,
  key: (labels: Map<string, string>) => string,
): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const { labels, value } of samples(exposition, metric)) {
    const k = key(labels);
    counts.set(k, (counts.get(k) ?? 0) + value);
  }
  return counts;
};

/** Sums the apiserver_request_total samples of a Prometheus text exposition by requestKey. */
export const parseRequestCounts = (exposition: string): RequestCounts =>
  sumBy(exposition, 'apiserver_request_total', (l) => keyOf(l, false));

/** The same counts with the HTTP status code appended to the key (`WATCH pods 200`). */
export const parseRequestCountsByCode = (exposition: string): RequestCounts =>
  sumBy(exposition, 'apiserver_request_total', (l) => keyOf(l, true));

/** Seconds the server spent answering, summed by requestKey (apiserver_request_duration_seconds_sum). */
export const parseRequestSeconds = (exposition: string): RequestCounts =>
  sumBy(exposition, 'apiserver_request_duration_seconds_sum', (l) => keyOf(l, false));

export interface RequestMetrics {
  readonly counts: RequestCounts;
  readonly countsByCode: RequestCounts;
  readonly seconds: RequestCounts;
}

/** The plane's counters now (the scrape itself is a non-resource GET, counted in the next scrape). */
export const scrapeRequestMetrics = async (plane: ControlPlane): Promise<RequestMetrics> => {
  const res = await adminRequest(plane, { method: 'GET', path: '/metrics' });
  if (res.status !== 200) throw new Error(`GET /metrics: HTTP ${res.status}: ${res.body.slice(0, 200)}`);
  return {
    counts: parseRequestCounts(res.body),
    countsByCode: parseRequestCountsByCode(res.body),
    seconds: parseRequestSeconds(res.body),
  };
};

/** after − before, keeping only keys that moved. */
export const countsDelta = (after: RequestCounts, before: RequestCounts): Map<string, number> => {
  const d = new Map<string, number>();
  for (const [k, v] of after) {
    const n = v - (before.get(k) ?? 0);
    if (n !== 0) d.set(k, n);
  }
  return d;
};

/** a − b per key (the manager's share: the run's delta minus the kubelet's own count). */
export const subtractCounts = (a: RequestCounts, b: RequestCounts): Map<string, number> => {
  const d = new Map<string, number>();
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const n = (a.get(k) ?? 0) - (b.get(k) ?? 0);
    if (n !== 0) d.set(k, n);
  }
  return d;
};

/** Only the keys of one resource (with its subresources), e.g. `pods`; a trailing status code may follow. */
export const forResource = (counts: RequestCounts, resource: string): Map<string, number> =>
  new Map(
    [...counts].filter(([k]) => {
      const target = k.split(' ')[1] ?? '';
      return target === resource || target.startsWith(`${resource}/`);
    }),
  );
