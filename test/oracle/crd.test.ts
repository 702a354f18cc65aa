// kubetasks' Spark, Ray and Dask phase mappings against Flyte v1.14.0's own plugins, with planted bugs.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import type { Plugin } from '../../src/domain/plugin.js';
import { daskPlugin } from '../../src/plugins/dask/plugin.js';
import { rayPlugin } from '../../src/plugins/ray/plugin.js';
import { sparkPlugin } from '../../src/plugins/spark/plugin.js';
import { commitSeed } from '../support/seed.js';
import { arbCrdInput, arbCrdSequence, CRD_MODELS, type CrdPlugin } from './crd.js';
import { copySources, crdMutants, plant, type Mutant } from './mutants.js';
import { oracleBinary, startOracle, type Oracle } from './oracle.js';
import { compare, everyBranch, mutantReport, summary, type MutantResult } from './resource-verdict.js';

const SINGLES = Number(process.env['KUBETASKS_ORACLE_CRD_RUNS'] ?? 2_000);
const SEQUENCES = Number(process.env['KUBETASKS_ORACLE_CRD_SEQUENCES'] ?? 300);
const MUTANT_INPUTS = Number(process.env['KUBETASKS_MUTANT_CRD_INPUTS'] ?? 500);
const SEED = Number(
  process.env['KUBETASKS_ORACLE_SEED'] ?? commitSeed('oracle-crd') ?? Date.now() % 2_147_483_647,
);

type GetTaskPhase = Plugin['getTaskPhase'];

/** The Flyte code each plugin is compared with, for the reports. */
const SOURCE = "flyteplugins v1.14.0, the plugin's own GetTaskPhase";

const PLUGINS: Readonly<Record<CrdPlugin, Plugin>> = { spark: sparkPlugin, ray: rayPlugin, dask: daskPlugin };

/** The file of a source copy that exports each plugin, and its export name. */
const COPY_MODULES: Readonly<Record<CrdPlugin, readonly [string, string]>> = {
  spark: ['src/plugins/spark/plugin.ts', 'sparkPlugin'],
  ray: ['src/plugins/ray/plugin.ts', 'rayPlugin'],
  dask: ['src/plugins/dask/plugin.ts', 'daskPlugin'],
};

/** The entries each plugin's generated inputs must reach, so a generator that stops reaching one fails. */
const MUST_REACH: Readonly<Record<CrdPlugin, ReadonlyArray<string>>> = {
  spark: [
    'S12/submission-failed-while-the-operator-retries',
    'S13/suspend-and-resume',
    'S14/transitional-states-name-themselves',
  ],
  ray: [
    'R4/validation-failed-retrying-waiting',
    'R6/grace-period-is-a-system-retry',
    'R7/complete-is-not-always-success',
  ],
  dask: ['D9/unknown-status-names-itself'],
};

const pluginOfMutant = (m: Mutant): CrdPlugin => {
  const p = (['spark', 'ray', 'dask'] as const).find((id) => m.under === `src/plugins/${id}`);
  if (p === undefined) throw new Error(`mutant ${m.id} is not under a CRD plugin's folder`);
  return p;
};

const mutantGet = async (m: Mutant): Promise<{ get: GetTaskPhase; remove: () => void }> => {
  const copy = copySources();
  plant(copy, m);
  const [file, name] = COPY_MODULES[pluginOfMutant(m)];
  const mod = (await import(pathToFileURL(join(copy.root, file)).href)) as Record<string, Plugin>;
  const plugin = mod[name];
  if (plugin === undefined) throw new Error(`${file} exports no ${name}`);
  return { get: plugin.getTaskPhase, remove: copy.remove };
};

describe("Spark, Ray and Dask against Flyte v1.14.0's plugins (tools/flyte-oracle, through the plugin registry)", () => {
  let oracle: Oracle;
  beforeAll(() => {
    oracle = startOracle(oracleBinary());
  });
  afterAll(async () => {
    await oracle.close();
  });

  (['spark', 'ray', 'dask'] as const).forEach((plugin, n) => {
    it(`${plugin}: ${SINGLES} generated resources and ${SEQUENCES} sequences, every answer equal or an exact entry`, async () => {
      const singles = fc.sample(arbCrdInput(plugin), { seed: SEED + n, numRuns: SINGLES });
      const sequences = fc.sample(arbCrdSequence(plugin), { seed: SEED + n, numRuns: SEQUENCES });
      const t = await compare(
        oracle,
        plugin,
        CRD_MODELS[plugin],
        PLUGINS[plugin].getTaskPhase,
        singles,
        sequences,
      );
      console.log(summary(`${plugin} (${SOURCE})`, SEED, t));
      expect(t.problems, t.problems.join('\n\n')).toEqual([]);
      expect(t.wrongAccepted).toBe(0);
      expect(t.compared).toBeGreaterThanOrEqual(SINGLES);
      expect(t.withPrevious).toBeGreaterThan(0);
      expect(t.equal).toBeGreaterThan(t.compared / 5);
      for (const id of MUST_REACH[plugin]) expect(t.byId.get(id) ?? 0, id).toBeGreaterThan(0);
    });
  });

  it(`every planted bug in the Spark, Ray and Dask mappings leaves some of ${MUTANT_INPUTS} inputs (and one of each branch) unexplained`, async () => {
    const results: MutantResult[] = [];
    for (const m of crdMutants) {
      const plugin = pluginOfMutant(m);
      const { get, remove } = await mutantGet(m);
      try {
        const singles = everyBranch(
          CRD_MODELS[plugin],
          fc.sample(arbCrdInput(plugin), { seed: SEED, numRuns: MUTANT_INPUTS }),
          fc.sample(arbCrdInput(plugin), { seed: SEED + 1, numRuns: SINGLES }),
        );
        const sequences = fc.sample(arbCrdSequence(plugin), { seed: SEED, numRuns: MUTANT_INPUTS / 5 });
        results.push({
          id: m.id,
          unexplained: (await compare(oracle, plugin, CRD_MODELS[plugin], get, singles, sequences))
            .unexplained,
        });
      } finally {
        remove();
      }
    }
    console.log(
      mutantReport(
        `flyte oracle CRD mutants: seed ${SEED}, ${MUTANT_INPUTS} resources and ${MUTANT_INPUTS / 5} sequences each`,
        'crd',
        results,
      ),
    );
    expect(results.filter((r) => r.unexplained === 0).map((r) => r.id)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(9);
  });
});
