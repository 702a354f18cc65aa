// kubetasks' PyTorch, TensorFlow and MPI phase mapping against Flyte v1.14.0's kfoperators, with planted bugs.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import type { PluginState } from '../../src/domain/phase-info.js';
import type { Plugin } from '../../src/domain/plugin.js';
import { mpiPlugin } from '../../src/plugins/kubeflow/mpi.js';
import { pytorchPlugin } from '../../src/plugins/kubeflow/pytorch.js';
import { tensorflowPlugin } from '../../src/plugins/kubeflow/tensorflow.js';
import { kubeflowJob, type KubeflowKindName } from '../../src/testing/kubeflow-arbitraries.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';
import { commitSeed } from '../support/seed.js';
import {
  arbKubeflowInput,
  arbKubeflowSequence,
  KUBEFLOW_PLUGINS,
  kubeflowContext,
  kubeflowVerdict,
  type KubeflowInput,
} from './kubeflow.js';
import { copySources, kubeflowMutants, plant } from './mutants.js';
import {
  answerOf,
  oracleBinary,
  startOracle,
  type Answer,
  type Oracle,
  type OraclePlugin,
} from './oracle.js';
import { withPreviousStates, type Observed } from './versions.js';

const JOBS = Number(process.env['KUBETASKS_ORACLE_KUBEFLOW_RUNS'] ?? 2_000);
const SEQUENCES = Number(process.env['KUBETASKS_ORACLE_KUBEFLOW_SEQUENCES'] ?? 300);
const MUTANT_JOBS = Number(process.env['KUBETASKS_MUTANT_KUBEFLOW_JOBS'] ?? 500);
const SEED = Number(
  process.env['KUBETASKS_ORACLE_SEED'] ?? commitSeed('oracle-kubeflow') ?? Date.now() % 2_147_483_647,
);

type GetTaskPhase = Plugin['getTaskPhase'];

const PLUGINS: Readonly<Record<KubeflowKindName, Plugin>> = {
  PyTorchJob: pytorchPlugin,
  TFJob: tensorflowPlugin,
  MPIJob: mpiPlugin,
};

/** The file of the copy that exports each kind's plugin, and its export name. */
const COPY_MODULES: Readonly<Record<KubeflowKindName, readonly [string, string]>> = {
  PyTorchJob: ['pytorch.ts', 'pytorchPlugin'],
  TFJob: ['tensorflow.ts', 'tensorflowPlugin'],
  MPIJob: ['mpi.ts', 'mpiPlugin'],
};

const answerWith =
  (get: GetTaskPhase) =>
  (x: KubeflowInput, previous: PluginState | undefined): Answer =>
    answerOf(get(kubeflowContext(x, previous), x.job));

/** Wrong Flyte answers to try in place of the oracle's: each must be rejected by the verdict. */
const probesFor = (f: Answer): ReadonlyArray<Answer> => [
  ...(['Undefined', 'Queued', 'WaitingForResources', 'Running', 'Success'] as const)
    .filter((phase) => phase !== f.phase)
    .map((phase) => ({ phase, version: f.version, reason: f.reason, cleanup: false })),
  {
    phase: 'RetryableFailure',
    version: 0,
    reason: '',
    code: 'DownstreamSystemError',
    kind: f.kind === 'USER' ? 'SYSTEM' : 'USER',
    cleanup: false,
  },
  { ...f, version: f.version + 1 },
  { ...f, reason: `${f.reason}!` },
];

interface KubeflowTally {
  compared: number;
  /** Wrong answers (probesFor) the verdict accepted in place of the oracle's: must stay 0. */
  wrongAccepted: number;
  withPrevious: number;
  equal: number;
  explained: number;
  unexplained: number;
  readonly byId: Map<string, number>;
  readonly problems: string[];
}

/** Both answers for every observation of one plugin, judged and tallied. */
const compare = async (
  oracle: Oracle,
  plugin: OraclePlugin,
  get: GetTaskPhase,
  singles: ReadonlyArray<KubeflowInput>,
  sequences: ReadonlyArray<ReadonlyArray<KubeflowInput>>,
): Promise<KubeflowTally> => {
  const ask = answerWith(get);
  const observed: ReadonlyArray<Observed<KubeflowInput>> = [
    ...singles.map((input) => ({ input })),
    ...sequences.flatMap((s) => withPreviousStates(s, ask)),
  ];
  const flyte = await oracle.ask(
    observed.map(({ input: x, previous }) => ({
      plugin,
      pod: x.job,
      now: x.now,
      config: x.config,
      ...(previous === undefined ? {} : { previous }),
    })),
  );
  const t: KubeflowTally = {
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
    const v = kubeflowVerdict(x, previous, k, f);
    t.wrongAccepted += probesFor(f).filter(
      (p) => kubeflowVerdict(x, previous, k, p).tag !== 'unexplained',
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
              `now: ${new Date(x.now).toISOString()}, kf-operator.timeout: ${x.timeout}`,
              `job: ${JSON.stringify(x.job)}`,
            ].join('\n'),
          );
        }
    }
  });
  return t;
};

const summary = (kind: string, t: KubeflowTally): string =>
  [
    `flyte oracle, ${kind} (kfoperators v1.14.0, the plugin's own GetTaskPhase): seed ${SEED} (replay: KUBETASKS_ORACLE_SEED=${SEED} npm run test:oracle)`,
    `  compared:    ${t.compared} (with a previous plugin state: ${t.withPrevious})`,
    `  equal:       ${t.equal} (phase, code, kind, cleanup, reason, version)`,
    `  explained:   ${t.explained}`,
    `  explained per entry:`,
    ...[...t.byId.entries()].sort((a, b) => b[1] - a[1]).map(([id, n]) => `    ${id}: ${n}`),
    `  unexplained: ${t.unexplained}`,
    `  discrimination: answers other than the oracle's accepted: ${t.wrongAccepted}`,
  ].join('\n');

/** A kind's getTaskPhase from a copy of the sources with `mutant` planted. */
const mutantGet = async (
  kind: KubeflowKindName,
  mutant: (typeof kubeflowMutants)[number],
): Promise<{ get: GetTaskPhase; remove: () => void }> => {
  const copy = copySources();
  plant(copy, mutant);
  const [file, name] = COPY_MODULES[kind];
  const mod = (await import(pathToFileURL(join(copy.root, 'src/plugins/kubeflow', file)).href)) as Record<
    string,
    Plugin
  >;
  const plugin = mod[name];
  if (plugin === undefined) throw new Error(`${file} exports no ${name}`);
  return { get: plugin.getTaskPhase, remove: copy.remove };
};

describe("Kubeflow plugins against Flyte v1.14.0's own (tools/flyte-oracle, through the plugin registry)", () => {
  let oracle: Oracle;
  beforeAll(() => {
    oracle = startOracle(oracleBinary());
  });
  afterAll(async () => {
    await oracle.close();
  });

  it('an empty condition type (found by the oracle): Flyte reads it as Created, kubetasks as unknown (K1)', async () => {
    const created = Date.UTC(2026, 0, 1);
    const job = {
      ...kubeflowJob(
        'PyTorchJob',
        {
          conditions: [{ type: '', status: 'True', lastTransitionTime: '2026-01-01T00:00:10Z' }],
          startTime: '2026-01-01T00:00:10Z',
        },
        created,
      ),
    };
    const x: KubeflowInput = { job, now: created + 60_000, config: defaultPlatformConfig, timeout: 60_000 };
    const [f] = await oracle.ask([{ plugin: 'pytorch', pod: job, now: x.now, config: x.config }]);
    if (f === undefined) throw new Error('no oracle answer');
    const k = answerWith(pytorchPlugin.getTaskPhase)(x, undefined);
    expect([k.phase, f.phase, f.reason]).toEqual(['Queued', 'Queued', 'JobCreated']);
    expect(kubeflowVerdict(x, undefined, k, f)).toEqual({
      tag: 'explained',
      ids: ['K1/suspended-and-unknown-types'],
    });
  });

  KUBEFLOW_PLUGINS.forEach(([kind, plugin], n) => {
    it(`${kind}: ${JOBS} generated jobs and ${SEQUENCES} sequences, every answer equal or an exact K entry`, async () => {
      // Each kind draws its own jobs (seed + its index).
      const singles = fc.sample(arbKubeflowInput(kind), { seed: SEED + n, numRuns: JOBS });
      const sequences = fc.sample(arbKubeflowSequence(kind), { seed: SEED + n, numRuns: SEQUENCES });
      const t = await compare(oracle, plugin, PLUGINS[kind].getTaskPhase, singles, sequences);
      console.log(summary(kind, t));
      expect(t.problems, t.problems.join('\n\n')).toEqual([]);
      expect(t.wrongAccepted).toBe(0);
      expect(t.compared).toBeGreaterThanOrEqual(JOBS);
      expect(t.equal).toBeGreaterThan(t.compared / 4);
      // The generators reach the differences: each K row with a phase answer decides some job.
      for (const id of ['K1/suspended-and-unknown-types', 'K2/no-current-condition', 'K4/operator-timeout']) {
        expect(t.byId.get(id) ?? 0, id).toBeGreaterThan(0);
      }
    });
  });

  it(`every planted bug in the Kubeflow mapping leaves some of ${MUTANT_JOBS} jobs per kind unexplained`, async () => {
    const results: Array<{ readonly id: string; readonly unexplained: number }> = [];
    for (const m of kubeflowMutants) {
      let unexplained = 0;
      for (const [kind, plugin] of KUBEFLOW_PLUGINS) {
        const { get, remove } = await mutantGet(kind, m);
        try {
          const singles = fc.sample(arbKubeflowInput(kind), { seed: SEED, numRuns: MUTANT_JOBS });
          const sequences = fc.sample(arbKubeflowSequence(kind), { seed: SEED, numRuns: MUTANT_JOBS / 5 });
          unexplained += (await compare(oracle, plugin, get, singles, sequences)).unexplained;
        } finally {
          remove();
        }
      }
      results.push({ id: m.id, unexplained });
    }
    const caught = results.filter((r) => r.unexplained > 0);
    console.log(
      [
        `flyte oracle kubeflow mutants: seed ${SEED}, ${MUTANT_JOBS} jobs and ${MUTANT_JOBS / 5} sequences per kind`,
        ...results.map(
          (r) => `  ${r.id}: ${r.unexplained} unexplained${r.unexplained > 0 ? '' : ' (SURVIVED)'}`,
        ),
        `kubeflow mutants caught: ${caught.length}/${results.length}`,
      ].join('\n'),
    );
    expect(results.filter((r) => r.unexplained === 0).map((r) => r.id)).toEqual([]);
  });
});
