// kubetasks' Spark, Ray and Dask phase mappings against Flyte v1.14.0's own plugins, with planted bugs.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import type { PluginState } from '../../src/domain/phase-info.js';
import type { Plugin } from '../../src/domain/plugin.js';
import { daskPlugin } from '../../src/plugins/dask/plugin.js';
import { rayPlugin } from '../../src/plugins/ray/plugin.js';
import { sparkPlugin } from '../../src/plugins/spark/plugin.js';
import { commitSeed } from '../support/seed.js';
import {
  arbCrdInput,
  arbCrdSequence,
  CRD_MODELS,
  crdContext,
  crdVerdict,
  type CrdInput,
  type CrdPlugin,
} from './crd.js';
import { copySources, crdMutants, plant, type Mutant } from './mutants.js';
import { answerOf, oracleBinary, startOracle, type Answer, type Oracle } from './oracle.js';
import { withPreviousStates, type Observed } from './versions.js';

const SINGLES = Number(process.env['KUBETASKS_ORACLE_CRD_RUNS'] ?? 2_000);
const SEQUENCES = Number(process.env['KUBETASKS_ORACLE_CRD_SEQUENCES'] ?? 300);
const MUTANT_INPUTS = Number(process.env['KUBETASKS_MUTANT_CRD_INPUTS'] ?? 500);
const SEED = Number(
  process.env['KUBETASKS_ORACLE_SEED'] ?? commitSeed('oracle-crd') ?? Date.now() % 2_147_483_647,
);

type GetTaskPhase = Plugin['getTaskPhase'];

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

const answerWith =
  (get: GetTaskPhase) =>
  (x: CrdInput, previous: PluginState | undefined): Answer =>
    answerOf(get(crdContext(x, previous), x.resource));

/** Wrong Flyte answers to try in place of the oracle's: each must be rejected by the verdict. */
const probesFor = (f: Answer): ReadonlyArray<Answer> => [
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

interface Tally {
  compared: number;
  wrongAccepted: number;
  withPrevious: number;
  equal: number;
  explained: number;
  unexplained: number;
  readonly byId: Map<string, number>;
  readonly problems: string[];
}

const compare = async (
  oracle: Oracle,
  plugin: CrdPlugin,
  get: GetTaskPhase,
  singles: ReadonlyArray<CrdInput>,
  sequences: ReadonlyArray<ReadonlyArray<CrdInput>>,
): Promise<Tally> => {
  const ask = answerWith(get);
  const models = CRD_MODELS[plugin];
  const observed: ReadonlyArray<Observed<CrdInput>> = [
    ...singles.map((input) => ({ input })),
    ...sequences.flatMap((s) => withPreviousStates(s, ask)),
  ];
  const flyte = await oracle.ask(
    observed.map(({ input: x, previous }) => ({
      plugin,
      pod: x.resource,
      now: x.now,
      config: crdContext(x, undefined).config,
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
    const v = crdVerdict(models, x, previous, k, f);
    t.wrongAccepted += probesFor(f).filter(
      (p) => crdVerdict(models, x, previous, k, p).tag !== 'unexplained',
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
              `resource: ${JSON.stringify(x.resource)}`,
            ].join('\n'),
          );
        }
    }
  });
  return t;
};

const summary = (plugin: CrdPlugin, t: Tally): string =>
  [
    `flyte oracle, ${plugin} (flyteplugins v1.14.0, the plugin's own GetTaskPhase): seed ${SEED} (replay: KUBETASKS_ORACLE_SEED=${SEED} npm run test:oracle)`,
    `  compared:    ${t.compared} (with a previous plugin state: ${t.withPrevious})`,
    `  equal:       ${t.equal} (phase, code, kind, cleanup, reason, version)`,
    `  explained:   ${t.explained}`,
    `  explained per entry:`,
    ...[...t.byId.entries()].sort((a, b) => b[1] - a[1]).map(([id, n]) => `    ${id}: ${n}`),
    `  unexplained: ${t.unexplained}`,
    `  discrimination: answers other than the oracle's accepted: ${t.wrongAccepted}`,
  ].join('\n');

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
      const t = await compare(oracle, plugin, PLUGINS[plugin].getTaskPhase, singles, sequences);
      console.log(summary(plugin, t));
      expect(t.problems, t.problems.join('\n\n')).toEqual([]);
      expect(t.wrongAccepted).toBe(0);
      expect(t.compared).toBeGreaterThanOrEqual(SINGLES);
      expect(t.withPrevious).toBeGreaterThan(0);
      expect(t.equal).toBeGreaterThan(t.compared / 5);
      for (const id of MUST_REACH[plugin]) expect(t.byId.get(id) ?? 0, id).toBeGreaterThan(0);
    });
  });

  it(`every planted bug in the Spark, Ray and Dask mappings leaves some of ${MUTANT_INPUTS} inputs unexplained`, async () => {
    const results: Array<{ readonly id: string; readonly unexplained: number }> = [];
    for (const m of crdMutants) {
      const plugin = pluginOfMutant(m);
      const { get, remove } = await mutantGet(m);
      try {
        const singles = fc.sample(arbCrdInput(plugin), { seed: SEED, numRuns: MUTANT_INPUTS });
        const sequences = fc.sample(arbCrdSequence(plugin), { seed: SEED, numRuns: MUTANT_INPUTS / 5 });
        results.push({
          id: m.id,
          unexplained: (await compare(oracle, plugin, get, singles, sequences)).unexplained,
        });
      } finally {
        remove();
      }
    }
    const caught = results.filter((r) => r.unexplained > 0);
    console.log(
      [
        `flyte oracle CRD mutants: seed ${SEED}, ${MUTANT_INPUTS} resources and ${MUTANT_INPUTS / 5} sequences each`,
        ...results.map(
          (r) => `  ${r.id}: ${r.unexplained} unexplained${r.unexplained > 0 ? '' : ' (SURVIVED)'}`,
        ),
        `crd mutants caught: ${caught.length}/${results.length}`,
      ].join('\n'),
    );
    expect(results.filter((r) => r.unexplained === 0).map((r) => r.id)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(9);
  });
});
