// The oracle can fail: every planted bug in the pod phase mapping must leave some generated pod unexplained.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import type { PhaseContext } from '../../src/domain/plugin.js';
import type { PhaseInfo } from '../../src/domain/phase-info.js';
import type { DifferentialInput } from '../../src/plugins/pod/phase/differences.js';
import type { PluginState } from '../../src/domain/phase-info.js';
import { judge } from './compare.js';
import { arbDifferentialInput } from './inputs.js';
import { copySources, mutants, plant, type Mutant } from './mutants.js';
import { answerOf, oracleBinary, startOracle, type Answer, type Oracle } from './oracle.js';
import { commitSeed } from '../support/seed.js';
import { arbObservationSequence, withPreviousStates, type ObservationSequence } from './versions.js';

const PODS = Number(process.env['KUBETASKS_MUTANT_PODS'] ?? 2_000);
const SEQUENCES = Number(process.env['KUBETASKS_MUTANT_SEQUENCES'] ?? 300);
const SEED =
  Number(process.env['KUBETASKS_ORACLE_SEED'] ?? commitSeed('oracle-mutants') ?? Date.now() % 2_147_483_647) |
  0;

type GetTaskPhase = (ctx: PhaseContext, resource: unknown) => PhaseInfo;

/** The mapping of a copy of the sources, with `mutant` planted (none: the copy as it is). */
const loadCopy = async (mutant: Mutant | undefined): Promise<{ get: GetTaskPhase; remove: () => void }> => {
  const copy = copySources();
  if (mutant !== undefined) plant(copy, mutant);
  const mod = (await import(pathToFileURL(join(copy.phaseDir, 'classify.ts')).href)) as {
    getPodTaskPhase: GetTaskPhase;
  };
  return { get: mod.getPodTaskPhase, remove: copy.remove };
};

/** How many inputs the verdict cannot explain with `get` as kubetasks' mapping. */
const unexplainedWith = (
  get: GetTaskPhase,
  inputs: ReadonlyArray<DifferentialInput>,
  flyte: ReadonlyArray<Answer>,
): number =>
  inputs.reduce((n, x, i) => {
    const f = flyte[i];
    if (f === undefined) throw new Error(`no oracle answer for input ${i}`);
    const k = answerOf(get({ now: x.now, config: x.config }, x.resource));
    return judge(x, undefined, k, f).bad ? n + 1 : n;
  }, 0);

/**
 * How many observations of the sequences the verdict cannot explain with `get` as kubetasks' mapping: the plugin
 * states come from `get`'s own answers, so the oracle is asked again for each mapping.
 */
const unexplainedInSequences = async (
  oracle: Oracle,
  get: GetTaskPhase,
  sequences: ReadonlyArray<ObservationSequence>,
): Promise<number> => {
  const ask = (x: DifferentialInput, previous: PluginState | undefined): Answer =>
    answerOf(
      get({ now: x.now, config: x.config, ...(previous === undefined ? {} : { previous }) }, x.resource),
    );
  const observed = sequences.flatMap((s) => withPreviousStates(s.steps, ask));
  const flyte = await oracle.ask(
    observed.map(({ input: x, previous }) => ({
      pod: x.resource,
      now: x.now,
      config: x.config,
      ...(previous === undefined ? {} : { previous }),
    })),
  );
  return observed.reduce((n, { input: x, previous }, i) => {
    const f = flyte[i];
    if (f === undefined) throw new Error(`no oracle answer for observation ${i}`);
    return judge(x, previous, ask(x, previous), f).bad ? n + 1 : n;
  }, 0);
};

describe('planted bugs in the pod phase mapping (test/oracle/mutants.ts)', () => {
  let oracle: Oracle;
  let inputs: ReadonlyArray<DifferentialInput>;
  let flyte: ReadonlyArray<Answer>;
  let sequences: ReadonlyArray<ObservationSequence>;
  beforeAll(async () => {
    oracle = startOracle(oracleBinary());
    inputs = fc.sample(arbDifferentialInput, { seed: SEED, numRuns: PODS });
    sequences = fc.sample(arbObservationSequence, { seed: SEED, numRuns: SEQUENCES });
    flyte = await oracle.ask(inputs.map((x) => ({ pod: x.resource, now: x.now, config: x.config })));
  });
  afterAll(async () => {
    await oracle.close();
  });

  it('the unmutated copy leaves nothing unexplained (the harness itself is sound)', async () => {
    const { get, remove } = await loadCopy(undefined);
    try {
      expect(unexplainedWith(get, inputs, flyte)).toBe(0);
      expect(await unexplainedInSequences(oracle, get, sequences)).toBe(0);
    } finally {
      remove();
    }
  });

  it(`every mutant leaves some of ${PODS} generated pods or ${SEQUENCES} sequences unexplained`, async () => {
    const results: Array<{ readonly id: string; readonly unexplained: number }> = [];
    for (const m of mutants) {
      const { get, remove } = await loadCopy(m);
      try {
        const pods = unexplainedWith(get, inputs, flyte);
        results.push({
          id: m.id,
          unexplained: pods + (await unexplainedInSequences(oracle, get, sequences)),
        });
      } finally {
        remove();
      }
    }
    const caught = results.filter((r) => r.unexplained > 0);
    console.log(
      [
        `flyte oracle mutants: seed ${SEED}, ${PODS} pods and ${SEQUENCES} pod sequences each`,
        ...results.map(
          (r) => `  ${r.id}: ${r.unexplained} unexplained${r.unexplained > 0 ? '' : ' (SURVIVED)'}`,
        ),
        `mutants caught: ${caught.length}/${results.length}`,
      ].join('\n'),
    );
    expect(results.length).toBeGreaterThanOrEqual(10);
    expect(results.filter((r) => r.unexplained === 0).map((r) => r.id)).toEqual([]);
  });
});
