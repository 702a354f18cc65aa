// The decision table, case by case: realistic pod dumps in, the exact row, phase, code, kind and message out.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultPlatformConfig } from '../../../../src/domain/platform-config.js';
import { parseInstant } from '../../../../src/domain/time.js';
import { explainPodTaskPhase, getPodTaskPhase } from '../../../../src/plugins/pod/phase/classify.js';
import { isFailureRow, phaseTable, rows, type PhaseRow } from '../../../../src/plugins/pod/phase/table.js';
import { cases, configOf, type Case } from './cases.js';
import { MIN, T0, cond, pod } from './fixtures/pods.js';

const run = (c: Case) =>
  explainPodTaskPhase(
    {
      now: c.now ?? T0 + 10 * MIN,
      config: configOf(c),
      ...(c.previous === undefined ? {} : { previous: c.previous }),
    },
    c.resource,
  );

describe('pod phase mapping: table-driven cases', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { phaseInfo: pi, rows: fired, trace } = run(c);
    expect(fired.at(-1), trace.join('\n')).toBe(c.row);
    expect(pi.phase).toBe(c.phase);
    if (c.version !== undefined) expect(pi.version).toBe(c.version);
    if (c.code === undefined) {
      expect(pi.error).toBeUndefined();
    } else {
      expect(pi.error?.code).toBe(c.code);
      expect(pi.error?.kind).toBe(c.kind);
    }
    expect(pi.cleanupOnFailure).toBe(c.cleanup ?? false);
    if (c.reason !== undefined) expect(pi.reason).toBe(c.reason);
    if (typeof c.message === 'string') expect(pi.error?.message).toBe(c.message);
    else if (c.message !== undefined) expect(pi.error?.message).toMatch(c.message);
  });

  it('answers as the fired row says (phase, kind, cleanup, literal code)', () => {
    for (const c of cases) {
      const { phaseInfo: pi, rows: fired } = run(c);
      const row: PhaseRow = rows[fired.at(-1)!];
      expect(pi.phase, c.name).toBe(row.phase);
      if (isFailureRow(row)) {
        expect(pi.error?.kind, c.name).toBe(row.kind);
        expect(pi.cleanupOnFailure, c.name).toBe(row.cleanup);
        if ('literal' in row.code) expect(pi.error?.code, c.name).toBe(row.code.literal);
      } else if (c.previous === undefined) {
        expect(pi.version, c.name).toBe(row.version);
      }
    }
  });

  it('every row of the table is exercised by at least one case', () => {
    const covered = new Set(cases.map((c) => c.row));
    expect(phaseTable.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('getPodTaskPhase is the PhaseInfo of explainPodTaskPhase', () => {
    for (const c of cases) {
      const ctx = { now: c.now ?? T0 + 10 * MIN, config: configOf(c) };
      expect(getPodTaskPhase(ctx, c.resource)).toEqual(explainPodTaskPhase(ctx, c.resource).phaseInfo);
    }
  });

  it('explains in words: the pod, the evidence and the row', () => {
    const c = cases.find((x) => x.row === 'pending.waiting.image-pull-backoff.expired')!;
    const { trace } = run(c);
    expect(trace[0]).toBe('pod ml-team/r8f3a2c-train-0: phase Pending');
    expect(trace.some((l) => l.startsWith('image-pull-backoff-grace-period 3m0s: '))).toBe(true);
    expect(trace.at(-1)).toMatch(/^row pending\.waiting\.image-pull-backoff\.expired: /u);
  });

  it('says so when the evidence has no time (a condition without lastTransitionTime)', () => {
    const resource = pod({
      phase: 'Pending',
      conditions: [cond('PodScheduled', 'False', undefined, 'Unschedulable', '0/3 nodes are available')],
    });
    const { trace, rows: fired } = explainPodTaskPhase(
      { now: T0 + MIN, config: defaultPlatformConfig },
      resource,
    );
    expect(fired.at(-1)).toBe('pending.unscheduled');
    expect(trace).toContain('condition PodScheduled=False (Unschedulable) at no timestamp');
  });
});

describe('kubectl dumps in fixtures/', () => {
  const at = (s: string): number => {
    const t = parseInstant(s);
    if (t._tag === 'None') throw new Error(s);
    return t.value;
  };
  it.each([
    ['image-pull-backoff.json', '2026-03-02T10:01:00Z', 'pending.waiting.image-pull-backoff', 'Initializing'],
    [
      'image-pull-backoff.json',
      '2026-03-02T10:03:02Z',
      'pending.waiting.image-pull-backoff.expired',
      'RetryableFailure',
    ],
    ['oom-killed.yaml', '2026-03-02T10:08:00Z', 'primary.oom-killed', 'RetryableFailure'],
    ['preempted-with-events.json', '2026-03-02T10:15:00Z', 'failed.preempted', 'RetryableFailure'],
  ])('%s at %s: %s', (file, now, row, phase) => {
    const doc = parse(readFileSync(`test/plugins/pod/phase/fixtures/${file}`, 'utf8')) as Record<
      string,
      unknown
    >;
    const resource = Array.isArray(doc['items']) ? (doc['items'] as unknown[])[0] : doc;
    const { phaseInfo, rows: fired } = explainPodTaskPhase(
      { now: at(now), config: defaultPlatformConfig },
      resource,
    );
    expect([fired.at(-1), phaseInfo.phase]).toEqual([row, phase]);
  });
});
