// The dask plugin's phase mapping: the jobStatus table, the job-runner pod, links, GC helpers and the laws.
import { fc, test } from '@fast-check/vitest';
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/domain/kubernetes.js';
import { isTerminal } from '../../../src/domain/phase.js';
import { pluginStateOf, type PhaseInfo, type PluginState } from '../../../src/domain/phase-info.js';
import type { PhaseContext } from '../../../src/domain/plugin.js';
import {
  daskJobCompletionTime,
  daskRelatedResources,
  getDaskTaskPhase,
  isDaskJobTerminal,
} from '../../../src/plugins/dask/phase.js';
import { arbDaskJob, arbDaskJobStatusSequence, arbDaskRunnerPod } from '../../../src/testing/index.js';
import { daskConfig } from './fixtures.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const RUNNER = 'r1-a-0-runner';

const job = (status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'kubernetes.dask.org/v1',
  kind: 'DaskJob',
  metadata: { name: 'r1-a-0', namespace: 'ns', uid: 'u1', creationTimestamp: iso(T0) },
  ...(status === undefined ? {} : { status }),
});

const ctx = (extra: Partial<PhaseContext> = {}): PhaseContext => ({
  now: T0 + 60_000,
  config: daskConfig(),
  ...extra,
});

const runnerPod = (status: Record<string, unknown>, name = RUNNER): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'ns',
    creationTimestamp: iso(T0),
    labels: { 'dask.org/component': 'job-runner' },
    annotations: { primary_container_name: 'job-runner' },
  },
  spec: { containers: [{ name: 'job-runner', image: 'etl' }] },
  status,
});

const exited = (code: number, reason = 'Error') => ({
  phase: code === 0 ? 'Succeeded' : 'Failed',
  containerStatuses: [
    {
      name: 'job-runner',
      ready: false,
      state: { terminated: { exitCode: code, reason, finishedAt: iso(T0) } },
    },
  ],
});

describe('the jobStatus table', () => {
  const base = { jobRunnerPodName: RUNNER, clusterName: 'r1-a-0' };
  const rows: ReadonlyArray<{
    readonly status: Record<string, unknown> | undefined;
    readonly phase: PhaseInfo['phase'];
    readonly reason?: string;
    readonly code?: string;
  }> = [
    { status: undefined, phase: 'Initializing', reason: 'unknown' },
    { status: { jobStatus: '' }, phase: 'Initializing', reason: 'unknown' },
    { status: { jobStatus: 'JobCreated', ...base }, phase: 'Initializing', reason: 'job created' },
    { status: { jobStatus: 'ClusterCreated', ...base }, phase: 'Initializing', reason: 'cluster created' },
    { status: { jobStatus: 'Running', ...base }, phase: 'Running', reason: '' },
    { status: { jobStatus: 'Successful', ...base }, phase: 'Success' },
    { status: { jobStatus: 'Failed', ...base }, phase: 'RetryableFailure', code: 'DownstreamSystemError' },
    {
      status: { jobStatus: 'Cancelled', ...base },
      phase: 'Running',
      reason: 'unknown job status "Cancelled"',
    },
  ];
  it.each(rows)('$status → $phase', ({ status, phase, reason, code }) => {
    const pi = getDaskTaskPhase(ctx(), job(status));
    expect(pi.phase).toBe(phase);
    if (reason !== undefined) expect(pi.reason).toBe(reason);
    expect(pi.error?.code).toBe(code);
  });

  it('says what is known of a failure even without the runner pod (Flyte bug 15)', () => {
    const pi = getDaskTaskPhase(
      ctx(),
      job({ jobStatus: 'Failed', jobRunnerPodName: RUNNER, clusterName: 'r1-a-0', endTime: iso(T0) }),
    );
    expect(pi.error?.message).toBe(
      `Dask job r1-a-0 failed: the job runner pod ${RUNNER} is gone; cluster r1-a-0, started unknown, ended 2026-03-01T10:00:00Z`,
    );
    expect(pi.error?.kind).toBe('USER');
  });
});

describe('the job-runner pod', () => {
  it('is the related resource, by the name the operator reports', () => {
    expect(daskRelatedResources(job({ jobStatus: 'JobCreated', jobRunnerPodName: RUNNER }))).toEqual([
      { kind: { apiVersion: 'v1', kind: 'Pod' }, namespace: 'ns', name: RUNNER },
    ]);
    expect(daskRelatedResources(job())).toEqual([]);
  });

  it('explains a failed job by the runner exit code', () => {
    const pi = getDaskTaskPhase(
      ctx({ related: [runnerPod(exited(1))] }),
      job({ jobStatus: 'Failed', jobRunnerPodName: RUNNER }),
    );
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.code).toBe('Error');
    expect(pi.error?.message).toMatch(
      /^Dask job r1-a-0 failed\njob runner pod r1-a-0-runner: .*exit code \(1\)/s,
    );
  });

  it('explains an OOMKilled runner as OOMKilled', () => {
    const pi = getDaskTaskPhase(
      ctx({ related: [runnerPod(exited(137, 'OOMKilled'))] }),
      job({ jobStatus: 'Failed', jobRunnerPodName: RUNNER }),
    );
    expect(pi.error?.code).toBe('OOMKilled');
  });

  it('fails at once when the runner fails before the operator says so', () => {
    const pi = getDaskTaskPhase(
      ctx({ related: [runnerPod(exited(2))] }),
      job({ jobStatus: 'Running', jobRunnerPodName: RUNNER }),
    );
    expect(pi.phase).toBe('RetryableFailure');
  });

  it('gives log links and the log context of the runner', () => {
    const config = daskConfig({
      plugins: { dask: { logs: { 'kubernetes-enabled': true, 'kubernetes-url': 'http://k' } } },
    });
    const running = {
      phase: 'Running',
      containerStatuses: [{ name: 'job-runner', ready: true, state: { running: { startedAt: iso(T0) } } }],
    };
    const pi = getDaskTaskPhase(
      { ...ctx(), config, related: [runnerPod(running)] },
      job({ jobStatus: 'Running', jobRunnerPodName: RUNNER }),
    );
    expect(pi.info.logs.map((l) => l.uri)).toEqual([`http://k/#!/log/ns/${RUNNER}/pod?namespace=ns`]);
    expect(pi.info.logContext?.primaryPodName).toBe(RUNNER);
  });
});

describe('garbage collection helpers', () => {
  it.each([
    ['Successful', true],
    ['Failed', true],
    ['Running', false],
    ['', false],
  ])('%s is terminal: %s', (s, terminal) => {
    expect(isDaskJobTerminal(job({ jobStatus: s }))).toBe(terminal);
  });

  it('completes at endTime, else startTime, else creation', () => {
    expect(daskJobCompletionTime(job({ endTime: iso(T0 + 9000), startTime: iso(T0 + 1000) }))).toEqual(
      O.some(T0 + 9000),
    );
    expect(daskJobCompletionTime(job({ startTime: iso(T0 + 1000) }))).toEqual(O.some(T0 + 1000));
    expect(daskJobCompletionTime(job())).toEqual(O.some(T0));
    expect(daskJobCompletionTime(null)).toEqual(O.none);
  });
});

describe('laws', () => {
  const arbObserved = arbDaskJob.chain((r) =>
    fc.tuple(fc.constant(r), fc.array(arbDaskRunnerPod('job-runner'), { maxLength: 1 })),
  );
  const arbNow = fc.integer({ min: T0 - 86_400_000, max: T0 + 86_400_000 });

  test.prop([fc.anything(), arbNow])('total over any value', (u, now) => {
    expect(typeof getDaskTaskPhase({ now, config: daskConfig() }, u).phase).toBe('string');
  });

  test.prop([arbObserved, arbNow])(
    'deterministic, never Undefined, terminal status → terminal phase',
    ([r, pods], now) => {
      const c = { now, config: daskConfig(), related: pods as KubeObject[] };
      const a = getDaskTaskPhase(c, r);
      expect(a).toEqual(getDaskTaskPhase(c, r));
      expect(a.phase).not.toBe('Undefined');
      if (isDaskJobTerminal(r)) expect(isTerminal(a.phase)).toBe(true);
    },
  );

  test.prop([arbDaskJobStatusSequence])(
    'versions never decrease; terminal stays terminal',
    ({ observations }) => {
      let previous: PluginState | undefined;
      let seen = false;
      for (const o of observations) {
        const pi = getDaskTaskPhase(
          { now: o.now, config: daskConfig(), ...(previous === undefined ? {} : { previous }) },
          o.resource,
        );
        if (previous !== undefined && previous.phase === pi.phase) {
          expect(pi.version).toBeGreaterThanOrEqual(previous.version);
          if (previous.reason !== pi.reason) expect(pi.version).toBeGreaterThan(previous.version);
        }
        if (seen) expect(isTerminal(pi.phase)).toBe(true);
        seen = seen || isTerminal(pi.phase);
        previous = pluginStateOf(pi);
      }
    },
  );
});
