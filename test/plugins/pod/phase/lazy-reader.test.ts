// The lazy reader changes no answer: the pod mapping, its trace and the GC helpers equal the eager ones on any value.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as O from 'fp-ts/lib/Option.js';
import type { PluginState } from '../../../../src/domain/phase-info.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../../../src/domain/platform-config.js';
import type { PhaseContext } from '../../../../src/domain/plugin.js';
import { formatInstant, parseInstant } from '../../../../src/domain/time.js';
import { explainPodTaskPhase, getPodTaskPhase } from '../../../../src/plugins/pod/phase/classify.js';
import { isPodTerminal, podCompletionTime } from '../../../../src/plugins/pod/phase/gc.js';
import { readPod } from '../../../../src/plugins/pod/phase/pod-view.js';
import { primaryContainerName, primaryContainerNameOf } from '../../../../src/plugins/pod/phase/primary.js';
import { instantOf, later } from '../../../../src/plugins/pod/phase/timestamp.js';
import { arbTaskExecution } from '../../../../src/testing/arbitraries.js';
import {
  arbGarbagePod,
  arbPod,
  arbPodObservation,
  arbWaitingObservation,
} from '../../../../src/testing/pod-arbitraries.js';
import { arbOracleConfig } from '../../../oracle/inputs.js';
import * as eager from './reference/eager-classify.js';
import * as eagerGc from './reference/eager-gc.js';

// -------------------------------------------------------------------------------------
// inputs: realistic pods, pods with any one part replaced by anything, and anything
// -------------------------------------------------------------------------------------

type Path = ReadonlyArray<string | number>;

/** Every path into a JSON value (the value itself included). */
const pathsOf = (u: unknown, at: Path = []): Path[] => {
  if (Array.isArray(u)) return [at, ...u.flatMap((x, i) => pathsOf(x, [...at, i]))];
  if (typeof u === 'object' && u !== null)
    return [at, ...Object.entries(u).flatMap(([k, v]) => pathsOf(v, [...at, k]))];
  return [at];
};

/** A copy of `u` with the value at `path` replaced (undefined deletes an object key). */
const replaceAt = (u: unknown, path: Path, value: unknown): unknown => {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(u)) return u.map((x: unknown, i) => (i === head ? replaceAt(x, rest, value) : x));
  if (typeof u !== 'object' || u === null) return u;
  const key = String(head);
  const entries = Object.entries(u as Record<string, unknown>);
  if (rest.length === 0 && value === undefined) return Object.fromEntries(entries.filter(([k]) => k !== key));
  return Object.fromEntries([
    ...entries.filter(([k]) => k !== key),
    [key, replaceAt((u as Record<string, unknown>)[key], rest, value)],
  ]);
};

/** Values a field may wrongly hold, including near-miss timestamps and names the mapping looks for. */
const arbJunk: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    undefined,
    null,
    '',
    0,
    -1,
    137,
    Number.NaN,
    Infinity,
    [],
    {},
    'Ready',
    'False',
    'True',
    'OOMKilled',
    'Failed',
    'Running',
    '2026-02-30T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01t00:00:00z',
    '2026-01-01T00:00:00.5Z',
    '2026-01-01T00:00:00+02:00',
  ),
);

/** A realistic pod with one part (anywhere in it) replaced by junk or removed: the garbage a buggy writer makes. */
const arbMutatedPod: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.oneof(
      arbPod,
      arbPodObservation.map((o) => o.pod),
    ),
    fc.nat(),
    arbJunk,
    fc.nat({ max: 2 }),
  )
  .chain(([pod, i, junk, more]) => {
    const paths = pathsOf(pod);
    const once = replaceAt(pod, paths[i % paths.length] ?? [], junk);
    if (more === 0) return fc.constant(once);
    // A second mutation, so that garbage in two places (say, a status and a condition) is tried together.
    return fc.tuple(fc.nat(), arbJunk).map(([j, junk2]) => {
      const paths2 = pathsOf(once);
      return replaceAt(once, paths2[j % paths2.length] ?? [], junk2);
    });
  });

/**
 * Pods assembled from parts of several realistic ones: any phase with any mix of their statuses, conditions and
 * primary annotation, so that combinations one lifecycle never produces (a Running pod whose regular containers all
 * exited 0 while an init container still runs) are tried too.
 */
const arbRecombinedPod: fc.Arbitrary<unknown> = fc
  .array(
    arbPodObservation.map((o) => o.pod),
    { minLength: 2, maxLength: 4 },
  )
  .chain((pods) => {
    const statuses = pods.flatMap((p) => [
      ...(p.status?.containerStatuses ?? []),
      ...(p.status?.initContainerStatuses ?? []),
    ]);
    const conditions = pods.flatMap((p) => p.status?.conditions ?? []);
    const names = statuses.map((c) => c.name);
    const some = <A>(xs: ReadonlyArray<A>) =>
      fc.shuffledSubarray([...xs], { maxLength: Math.min(3, xs.length) });
    return fc
      .record({
        base: fc.constantFrom(...pods),
        phase: fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed', undefined),
        reason: fc.constantFrom(undefined, '', 'Evicted', 'Shutdown'),
        regular: some(statuses),
        init: some(statuses),
        ephemeral: some(statuses),
        conditions: some(conditions),
        primary: fc.option(fc.constantFrom('', ...names), { nil: undefined, freq: 2 }),
      })
      .map((r) => ({
        ...r.base,
        metadata: {
          ...r.base.metadata,
          annotations: r.primary === undefined ? {} : { primary_container_name: r.primary },
        },
        status: {
          ...r.base.status,
          phase: r.phase,
          reason: r.reason,
          containerStatuses: r.regular,
          initContainerStatuses: r.init,
          ephemeralContainerStatuses: r.ephemeral,
          conditions: r.conditions,
        },
      }));
  });

const arbInput: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: arbRecombinedPod },
  { weight: 3, arbitrary: arbPodObservation.map((o) => o.pod) },
  { weight: 1, arbitrary: arbWaitingObservation.map((o) => o.pod) },
  { weight: 4, arbitrary: arbMutatedPod },
  { weight: 2, arbitrary: arbGarbagePod },
  { weight: 1, arbitrary: fc.jsonValue() },
);

/** Every variable a template may name, in odd spellings, unknown ones, and each built-in link, IDE link included. */
const ALL_VARIABLES: PlatformConfig['logs'] = {
  ...defaultPlatformConfig.logs,
  'kubernetes-enabled': true,
  'kubernetes-url': 'https://k8s.example.com',
  'cloudwatch-enabled': true,
  'cloudwatch-region': 'us-east-1',
  'cloudwatch-log-group': '/aws/prod',
  'stackdriver-enabled': true,
  'gcp-project': 'p',
  templates: [
    {
      'display-name': '{{ .podName }} {{$CONTAINERNAME}}',
      'template-uris': [
        'https://a.example.com/{{ .namespace }}/{{ .podUID }}/{{.containerId}}/{{ .logName }}/{{ .hostname }}/' +
          '{{ .nodeName }}?s={{ .podRFC3339StartTime }}&u={{ .podUnixStartTime }}&f={{ .podRFC3339FinishTime }}' +
          '&g={{ .podUnixFinishTime }}&x={{ .nope }}&y={{ .constructor }}&z={{ .toString }}',
        'https://b.example.com/{{ .taskID }}/{{ .taskVersion }}/{{ .taskProject }}/{{ .taskDomain }}/' +
          '{{ .taskRetryAttempt }}/{{ .nodeID }}/{{ .executionName }}/{{ .executionProject }}/' +
          '{{ .executionDomain }}/{{ .runName }}/{{ .actionName }}/{{ .generatedName }}/{{ .TASKID }}',
        'no placeholders',
      ],
    },
    {
      'display-name': 'VS Code',
      'template-uris': ['https://ide.example.com/{{ .podName }}'],
      'link-type': 'IDE' as const,
    },
  ],
};

const arbLogs: fc.Arbitrary<PlatformConfig['logs']> = fc.constantFrom(
  defaultPlatformConfig.logs,
  { ...defaultPlatformConfig.logs, 'kubernetes-enabled': true, 'kubernetes-url': 'https://k8s.example.com' },
  {
    ...defaultPlatformConfig.logs,
    templates: [
      {
        'display-name': 'VS Code',
        'template-uris': ['https://ide.example.com/{{ .podName }}/{{ .containerName }}'],
        'link-type': 'IDE' as const,
      },
      { 'display-name': 'none', 'template-uris': [] },
    ],
  },
  {
    ...defaultPlatformConfig.logs,
    templates: [
      {
        'display-name': 'Logs',
        'template-uris': ['https://logs.example.com/{{ .podName }}?from={{ .podUnixStartTime }}'],
      },
    ],
  },
  ALL_VARIABLES,
);

const arbContext: fc.Arbitrary<PhaseContext> = fc
  .record({
    now: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
    // The oracle's grace periods and pending timeouts (Flyte's defaults and 0 among them).
    base: arbOracleConfig,
    logs: arbLogs,
    task: fc.option(arbTaskExecution, { nil: undefined }),
    previous: fc.option(
      fc.record({
        phase: fc.constantFrom(
          'Queued' as const,
          'Initializing' as const,
          'Running' as const,
          'Undefined' as const,
          'RetryableFailure' as const,
        ),
        version: fc.nat({ max: 5 }),
        reason: fc.constantFrom('', 'Demistify Pending', 'x'),
      }),
      { nil: undefined },
    ),
  })
  .map(({ now, base, logs, task, previous }) => ({
    now,
    config: { ...base, logs },
    ...(task === undefined ? {} : { task }),
    ...(previous === undefined ? {} : { previous: previous satisfies PluginState }),
  }));

// -------------------------------------------------------------------------------------
// laws
// -------------------------------------------------------------------------------------

describe('the lazy reader agrees with the eager one', () => {
  test.prop([arbInput, arbContext], { numRuns: 3000 })(
    'getPodTaskPhase gives the eager mapping’s answer, key for key',
    (u, ctx) => {
      expect(getPodTaskPhase(ctx, u)).toStrictEqual(eager.getPodTaskPhase(ctx, u));
    },
  );

  test.prop([arbInput, arbContext], { numRuns: 300 })(
    'explainPodTaskPhase gives the same answer, trace and rows',
    (u, ctx) => {
      expect(explainPodTaskPhase(ctx, u)).toStrictEqual(eager.explainPodTaskPhase(ctx, u));
    },
  );

  test.prop([fc.oneof(arbInput, fc.anything())])('the GC helpers and the primary name agree', (u) => {
    expect(isPodTerminal(u)).toBe(eagerGc.isPodTerminal(u));
    expect(podCompletionTime(u)).toStrictEqual(eagerGc.podCompletionTime(u));
    expect(primaryContainerName(u)).toBe(O.match(() => '', primaryContainerNameOf)(readPod(u)));
  });

  it('renders links and IDE readiness on the pods it is tried on', () => {
    // The law above is only as strong as its inputs: most of them must reach the link path, and both IDE answers.
    const config = { ...defaultPlatformConfig, logs: ALL_VARIABLES };
    const answers = fc
      .sample(arbInput, { seed: 11, numRuns: 500 })
      .map((u) => getPodTaskPhase({ now: 1_800_000_000_000, config }, u));
    const withLinks = answers.filter((a) => a.info.logs.length > 0);
    expect(withLinks.length).toBeGreaterThan(200);
    const ide = withLinks.map((a) => a.info.logs.find((l) => l.linkType === 'IDE')?.ready);
    expect(ide.filter((r) => r === true).length).toBeGreaterThan(0);
    expect(ide.filter((r) => r === false).length).toBeGreaterThan(0);
    const uris = withLinks.flatMap((a) => a.info.logs.map((l) => l.uri));
    // Rendered timestamps and the unknown variable left verbatim, on one link at least.
    expect(
      uris.some((u) => /^https:\/\/a\.example\.com\/.*\?s=\d{4}-.*&g=\d+&x=\{\{ \.nope \}\}/.test(u)),
    ).toBe(true);
  });

  it('reads a pod frozen by the watch cache', () => {
    const pod = fc.sample(arbPodObservation, { seed: 7, numRuns: 1 })[0]?.pod;
    const frozen = JSON.parse(JSON.stringify(pod), (_k, v: unknown) => Object.freeze(v)) as unknown;
    const ctx = { now: 1_800_000_000_000, config: defaultPlatformConfig };
    expect(getPodTaskPhase(ctx, frozen)).toStrictEqual(eager.getPodTaskPhase(ctx, frozen));
  });
});

// -------------------------------------------------------------------------------------
// timestamps
// -------------------------------------------------------------------------------------

const digits = (n: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

/** Strings of the canonical shape with any digits: invalid months, days, hours and leap days included. */
const arbCanonicalShape: fc.Arbitrary<string> = fc
  .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2))
  .map(([y, mo, d, h, mi, s]) => `${y}-${mo}-${d}T${h}:${mi}:${s}Z`);

const arbPlausible: fc.Arbitrary<string> = fc
  .record({
    y: fc.integer({ min: 0, max: 9999 }),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 25 }),
    mi: fc.integer({ min: 0, max: 60 }),
    s: fc.integer({ min: 0, max: 60 }),
  })
  .map(({ y, mo, d, h, mi, s }) => {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}Z`;
  });

const asUndefined = (u: unknown) => O.toUndefined(parseInstant(u));

describe('instantOf is parseInstant without the Option', () => {
  test.prop([fc.oneof(arbCanonicalShape, arbPlausible)], { numRuns: 2000 })(
    'on every string of the canonical shape',
    (s) => {
      expect(instantOf(s)).toBe(asUndefined(s));
    },
  );

  test.prop([fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_000 })])(
    'on every second Kubernetes can write, year 0 to 9999',
    (ms) => {
      const s = formatInstant(ms);
      expect(instantOf(s)).toBe(Math.floor(ms / 1000) * 1000);
      expect(instantOf(s)).toBe(asUndefined(s));
    },
  );

  test.prop([fc.oneof(fc.anything(), fc.string(), arbJunk)])('on anything else', (u) => {
    expect(instantOf(u)).toBe(asUndefined(u));
  });

  it.each([
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T23:59:59Z', Date.UTC(2000, 1, 29, 23, 59, 59)],
    ['1900-03-01T00:00:00Z', Date.UTC(1900, 2, 1)],
    ['1969-12-31T23:59:59Z', -1000],
    ['2026-02-30T00:00:00Z', Date.UTC(2026, 2, 2)],
    ['2026-01-01T24:00:00Z', Date.UTC(2026, 0, 2)],
  ])('%s', (s, ms) => {
    expect(instantOf(s)).toBe(ms);
  });

  test.prop([fc.option(fc.integer(), { nil: undefined }), fc.option(fc.integer(), { nil: undefined })])(
    'later is the greater defined instant',
    (a, b) => {
      const defined = [a, b].filter((x): x is number => x !== undefined);
      expect(later(a, b)).toBe(defined.length === 0 ? undefined : Math.max(...defined));
    },
  );
});
