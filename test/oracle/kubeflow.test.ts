// kubetasks' PyTorch, TensorFlow and MPI phase mapping against Flyte v1.14.0's kfoperators, with planted bugs.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
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
  kubeflowModels,
  type KubeflowInput,
} from './kubeflow.js';
import { copySources, kubeflowMutants, plant } from './mutants.js';
import { oracleBinary, startOracle, type Oracle } from './oracle.js';
import {
  answerWith,
  compare,
  everyBranch,
  mutantReport,
  resourceVerdict,
  summary,
  type MutantResult,
} from './resource-verdict.js';

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
    const x: KubeflowInput = {
      resource: job,
      now: created + 60_000,
      config: defaultPlatformConfig,
      timeout: 60_000,
    };
    const [f] = await oracle.ask([{ plugin: 'pytorch', pod: job, now: x.now, config: x.config }]);
    if (f === undefined) throw new Error('no oracle answer');
    const k = answerWith(pytorchPlugin.getTaskPhase)(x, undefined);
    expect([k.phase, f.phase, f.reason]).toEqual(['Queued', 'Queued', 'JobCreated']);
    expect(resourceVerdict(kubeflowModels, x, undefined, k, f)).toEqual({
      tag: 'explained',
      ids: ['K1/suspended-and-unknown-types'],
    });
  });

  KUBEFLOW_PLUGINS.forEach(([kind, plugin], n) => {
    it(`${kind}: ${JOBS} generated jobs and ${SEQUENCES} sequences, every answer equal or an exact K entry`, async () => {
      // Each kind draws its own jobs (seed + its index).
      const singles = fc.sample(arbKubeflowInput(kind), { seed: SEED + n, numRuns: JOBS });
      const sequences = fc.sample(arbKubeflowSequence(kind), { seed: SEED + n, numRuns: SEQUENCES });
      const t = await compare(oracle, plugin, kubeflowModels, PLUGINS[kind].getTaskPhase, singles, sequences);
      console.log(summary(`${kind} (kfoperators v1.14.0, the plugin's own GetTaskPhase)`, SEED, t));
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
    const results: MutantResult[] = [];
    for (const m of kubeflowMutants) {
      let unexplained = 0;
      for (const [kind, plugin] of KUBEFLOW_PLUGINS) {
        const { get, remove } = await mutantGet(kind, m);
        try {
          const singles = everyBranch(
            kubeflowModels,
            fc.sample(arbKubeflowInput(kind), { seed: SEED, numRuns: MUTANT_JOBS }),
            fc.sample(arbKubeflowInput(kind), { seed: SEED + 1, numRuns: JOBS }),
          );
          const sequences = fc.sample(arbKubeflowSequence(kind), { seed: SEED, numRuns: MUTANT_JOBS / 5 });
          unexplained += (await compare(oracle, plugin, kubeflowModels, get, singles, sequences)).unexplained;
        } finally {
          remove();
        }
      }
      results.push({ id: m.id, unexplained });
    }
    console.log(
      mutantReport(
        `flyte oracle kubeflow mutants: seed ${SEED}, ${MUTANT_JOBS} jobs and ${MUTANT_JOBS / 5} sequences per kind`,
        'kubeflow',
        results,
      ),
    );
    expect(results.filter((r) => r.unexplained === 0).map((r) => r.id)).toEqual([]);
  });
});
