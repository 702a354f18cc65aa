// The custom-resource oracle suites' shared judge (CRD and Kubeflow): both models, their entries, probes and a tally.
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { PluginState } from '../../src/domain/phase-info.js';
import type { PlatformConfig } from '../../src/domain/platform-config.js';
import type { PhaseContext, Plugin } from '../../src/domain/plugin.js';
import type { Instant } from '../../src/domain/time.js';
import { answerOf, ORACLE_ERROR, type Answer, type Oracle, type OraclePlugin } from './oracle.js';
import { RUNNING_VERSION_NOT_BUMPED, versionRule, withPreviousStates, type Observed } from './versions.js';

/** One observation of a custom resource: the resource, the clock and the platform config both plugins read. */
export interface ResourceInput {
  readonly resource: KubeObject;
  readonly now: Instant;
  readonly config: PlatformConfig;
}

/** The fields of an answer both sides must agree on; the version is judged by each side's own rule. */
export type Comparable = Omit<Answer, 'version' | 'message' | 'error'>;

/**
 * A decision of one model: the answer without its version, the branch that decided (entries match on branches),
 * and whether the plugin's version step ran (an error answer has none, and some of Flyte's early returns skip it).
 */
export interface Decided extends Comparable {
  readonly branch: string;
  readonly versionStep: boolean;
}

/** Flyte's decision when its plugin returns an error: compared as Undefined with ORACLE_ERROR, no version step. */
export const flyteError = (branch: string): Decided => ({
  phase: 'Undefined',
  reason: '',
  code: ORACLE_ERROR,
  cleanup: false,
  branch,
  versionStep: false,
});

/** An entry: a row of docs/compatibility.md (or a release difference) as a predicate on both models' decisions. */
export interface ResourceEntry<I, D extends Decided = Decided> {
  readonly id: string;
  readonly applies: (x: I, k: D, f: D) => boolean;
}

/** One plugin's models (kubetasks' documented behaviour and v1.14.0's) and the entries naming their differences. */
export interface ResourceModels<I, D extends Decided = Decided> {
  readonly flyte: (x: I) => D;
  readonly kubetasks: (x: I) => D;
  readonly entries: ReadonlyArray<ResourceEntry<I, D>>;
  /** What else in the input decides an answer (beyond the resource and the clock), for a problem's report. */
  readonly describe?: (x: I) => string;
}

/**
 * The sample, topped up with the first input of `pool` for each kubetasks branch the sample misses. A planted bug
 * changes one branch; a small seeded sample that never takes it lets the bug through whatever the code (one CRD
 * seed in a hundred drew no Ray job Complete with STOPPED), so the mutant runs take every branch the full run does.
 */
export const everyBranch = <I, D extends Decided>(
  models: ResourceModels<I, D>,
  sample: ReadonlyArray<I>,
  pool: ReadonlyArray<I>,
): ReadonlyArray<I> => {
  const seen = new Set(sample.map((x) => models.kubetasks(x).branch));
  const extra = pool.filter((x) => {
    const b = models.kubetasks(x).branch;
    if (seen.has(b)) return false;
    seen.add(b);
    return true;
  });
  return [...sample, ...extra];
};

/** Whether two answers agree on everything but the version. */
export const same = (a: Comparable, b: Comparable): boolean =>
  a.phase === b.phase &&
  a.reason === b.reason &&
  (a.code ?? '') === (b.code ?? '') &&
  (a.kind ?? '') === (b.kind ?? '') &&
  a.cleanup === b.cleanup;

export type ResourceVerdict =
  | { readonly tag: 'equal' }
  | { readonly tag: 'explained'; readonly ids: ReadonlyArray<string> }
  | { readonly tag: 'unexplained'; readonly why: string };

/**
 * kubetasks' answer must be its documented model's (with the catalogue's version rule from the state it was handed),
 * the oracle's must be v1.14.0's model (its plugin-level version rule where the plugin runs the step); where the
 * models differ, the entries that apply to that exact pair of decisions name the difference, and none applying is
 * unexplained.
 */
export const resourceVerdict = <I, D extends Decided>(
  models: ResourceModels<I, D>,
  x: I,
  previous: PluginState | undefined,
  k: Answer,
  f: Answer,
): ResourceVerdict => {
  const km = models.kubetasks(x);
  const fm = models.flyte(x);
  const kv = versionRule('catalogue', 0, km.phase, km.reason, previous);
  const fPlugin = fm.versionStep ? versionRule('v1.14.0', 0, fm.phase, fm.reason, previous, false) : 0;
  // The task sees Flyte's answer raised by the plugin manager's floor, except an error (no phase at all).
  const fv =
    fm.code === ORACLE_ERROR ? 0 : Math.max(fPlugin, previous?.phase === fm.phase ? previous.version : 0);
  if (!same(k, km) || k.version !== kv) {
    return {
      tag: 'unexplained',
      why: `kubetasks answered ${JSON.stringify(k)}, its documented behaviour is ${JSON.stringify({ ...km, version: kv })}`,
    };
  }
  if (!same(f, fm) || f.version !== fPlugin) {
    return {
      tag: 'unexplained',
      why: `the oracle answered ${JSON.stringify(f)}, the v1.14.0 model says ${JSON.stringify({ ...fm, version: fPlugin })}`,
    };
  }
  if (same(km, fm) && kv === fv) return { tag: 'equal' };
  const ids = models.entries.filter((e) => e.applies(x, km, fm)).map((e) => e.id);
  if (ids.length === 0 && same(km, fm) && km.phase === 'Running') {
    // Only the version differs, in Running: v1.14.0's MaybeUpdatePhaseVersion never bumps Running.
    return { tag: 'explained', ids: [RUNNING_VERSION_NOT_BUMPED] };
  }
  return ids.length === 0
    ? { tag: 'unexplained', why: `no entry covers ${JSON.stringify({ kubetasks: km, flyte: fm })}` }
    : { tag: 'explained', ids };
};

/** The phase context kubetasks' plugin is called with: no related resources (Flyte v1.14.0 reads none). */
export const resourceContext = (x: ResourceInput, previous: PluginState | undefined): PhaseContext => ({
  now: x.now,
  config: x.config,
  ...(previous === undefined ? {} : { previous }),
});

type GetTaskPhase = Plugin['getTaskPhase'];

/** kubetasks' answer through `get` for one observation and the state it was handed. */
export const answerWith =
  (get: GetTaskPhase) =>
  (x: ResourceInput, previous: PluginState | undefined): Answer =>
    answerOf(get(resourceContext(x, previous), x.resource));

/** Wrong Flyte answers to try in place of the oracle's: the verdict must reject each. */
export const probesFor = (f: Answer): ReadonlyArray<Answer> => [
  ...(['Undefined', 'Queued', 'Initializing', 'WaitingForResources', 'Running', 'Success'] as const)
    .filter((phase) => phase !== f.phase)
    .map((phase) => ({ phase, version: f.version, reason: f.reason, cleanup: false })),
  {
    phase: 'RetryableFailure',
    version: 0,
    reason: '',
    code: f.code ?? 'DownstreamSystemError',
    kind: f.kind === 'USER' ? 'SYSTEM' : 'USER',
    cleanup: false,
  },
  { ...f, version: f.version + 1 },
  { ...f, reason: `${f.reason}!` },
  { ...f, cleanup: !f.cleanup },
];

/** How the observations of one plugin were judged. */
export interface Tally {
  compared: number;
  /** Wrong answers (probesFor) the verdict accepted in place of the oracle's: must stay 0. */
  wrongAccepted: number;
  withPrevious: number;
  equal: number;
  explained: number;
  unexplained: number;
  readonly byId: Map<string, number>;
  /** The first few unexplained observations, each with both answers and its input. */
  readonly problems: string[];
}

/**
 * Both answers for every observation of one plugin (the singles alone, the sequences each with the state `get`
 * stored after the observation before), judged by `models` and tallied.
 */
export const compare = async <I extends ResourceInput, D extends Decided>(
  oracle: Oracle,
  plugin: OraclePlugin,
  models: ResourceModels<I, D>,
  get: GetTaskPhase,
  singles: ReadonlyArray<I>,
  sequences: ReadonlyArray<ReadonlyArray<I>>,
): Promise<Tally> => {
  const ask = answerWith(get);
  const observed: ReadonlyArray<Observed<I>> = [
    ...singles.map((input) => ({ input })),
    ...sequences.flatMap((s) => withPreviousStates(s, ask)),
  ];
  const flyte = await oracle.ask(
    observed.map(({ input: x, previous }) => ({
      plugin,
      pod: x.resource,
      now: x.now,
      config: x.config,
      ...(previous === undefined ? {} : { previous }),
    })),
  );
  const t: Tally = {
    compared: 0,
    wrongAccepted: 0,
    withPrevious: 0,
    equal: 0,
    explained: 0,
    unexplained: 0,
    byId: new Map(),
    problems: [],
  };
  observed.forEach(({ input: x, previous }, i) => {
    const f = flyte[i];
    if (f === undefined) throw new Error(`no oracle answer for observation ${i}`);
    const k = ask(x, previous);
    const v = resourceVerdict(models, x, previous, k, f);
    t.wrongAccepted += probesFor(f).filter(
      (p) => resourceVerdict(models, x, previous, k, p).tag !== 'unexplained',
    ).length;
    t.compared += 1;
    if (previous !== undefined) t.withPrevious += 1;
    switch (v.tag) {
      case 'equal':
        t.equal += 1;
        return;
      case 'explained':
        t.explained += 1;
        for (const id of v.ids) t.byId.set(id, (t.byId.get(id) ?? 0) + 1);
        return;
      case 'unexplained':
        t.unexplained += 1;
        if (t.problems.length < 5) {
          t.problems.push(
            [
              v.why,
              `kubetasks: ${JSON.stringify(k)}`,
              `flyte:     ${JSON.stringify(f)}`,
              ...(previous === undefined ? [] : [`previous:  ${JSON.stringify(previous)}`]),
              `now: ${new Date(x.now).toISOString()}${models.describe === undefined ? '' : `, ${models.describe(x)}`}`,
              `resource: ${JSON.stringify(x.resource)}`,
            ].join('\n'),
          );
        }
    }
  });
  return t;
};

/** A tally's report: `title` names the plugin and the Flyte code it was compared with. */
export const summary = (title: string, seed: number, t: Tally): string =>
  [
    `flyte oracle, ${title}: seed ${seed} (replay: KUBETASKS_ORACLE_SEED=${seed} npm run test:oracle)`,
    `  compared:    ${t.compared} (with a previous plugin state: ${t.withPrevious})`,
    `  equal:       ${t.equal} (phase, code, kind, cleanup, reason, version)`,
    `  explained:   ${t.explained}`,
    `  explained per entry:`,
    ...[...t.byId.entries()].sort((a, b) => b[1] - a[1]).map(([id, n]) => `    ${id}: ${n}`),
    `  unexplained: ${t.unexplained}`,
    `  discrimination: answers other than the oracle's accepted: ${t.wrongAccepted}`,
  ].join('\n');

/** How many observations each planted bug left unexplained (0: it survived). */
export interface MutantResult {
  readonly id: string;
  readonly unexplained: number;
}

/** A mutant run's report: `heading` first, a line a mutant, then `<name> mutants caught: n/m`. */
export const mutantReport = (heading: string, name: string, results: ReadonlyArray<MutantResult>): string =>
  [
    heading,
    ...results.map((r) => `  ${r.id}: ${r.unexplained} unexplained${r.unexplained > 0 ? '' : ' (SURVIVED)'}`),
    `${name} mutants caught: ${results.filter((r) => r.unexplained > 0).length}/${results.length}`,
  ].join('\n');
