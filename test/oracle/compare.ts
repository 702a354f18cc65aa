// Tells an equal answer, an explained difference and a bug apart, and tallies them for the run's summary.
import { differences, type DifferentialInput } from '../../src/plugins/pod/phase/differences.js';
import { outcome, sameOutcome, type ExpectedOutcome } from '../../src/plugins/pod/phase/flyte-model.js';
import type { Answer } from './oracle.js';
import { toRelease } from './release.js';

export type Verdict =
  | { readonly tag: 'equal' }
  | { readonly tag: 'explained'; readonly ids: ReadonlyArray<string> }
  | { readonly tag: 'unexplained' };

const outcomeOf = (a: Answer): ExpectedOutcome => outcome(a.phase, a.code, a.kind, a.cleanup);

/** The compared part of an answer: phase, error code, error kind and the cleanup flag. */
export const sameAnswer = (a: Answer, b: Answer): boolean => sameOutcome(outcomeOf(a), outcomeOf(b));

/**
 * kubetasks' answer `k` and the oracle's `f` for one input. Equal, or explained: a documented difference takes
 * kubetasks' answer to the catalogue's Flyte answer (or none applies and they agree), and the oracle release's
 * documented changes take that to the oracle's answer.
 */
export const verdict = (input: DifferentialInput, k: Answer, f: Answer): Verdict => {
  if (sameAnswer(k, f)) return { tag: 'equal' };
  const mine = outcomeOf(k);
  const theirs = outcomeOf(f);
  const catalogue: Array<{ readonly ids: ReadonlyArray<string>; readonly flyte: ExpectedOutcome }> = [
    { ids: [], flyte: mine },
  ];
  for (const d of differences) {
    if (d.applies === undefined || d.expected === undefined || !d.applies(input)) continue;
    const e = d.expected(input);
    if (sameOutcome(e.kubetasks, mine)) catalogue.push({ ids: [d.id], flyte: e.flyte });
  }
  for (const c of catalogue) {
    const release = toRelease(input, c.flyte);
    if (sameOutcome(release.outcome, theirs)) return { tag: 'explained', ids: [...c.ids, ...release.ids] };
  }
  return { tag: 'unexplained' };
};

export interface Tally {
  compared: number;
  equal: number;
  explained: number;
  unexplained: number;
  readonly byId: Map<string, number>;
  /** Equal answers whose reason or message text still differs (reported, not failed on). */
  textDiffers: number;
}

export const newTally = (): Tally => ({
  compared: 0,
  equal: 0,
  explained: 0,
  unexplained: 0,
  byId: new Map(),
  textDiffers: 0,
});

export const count = (t: Tally, v: Verdict, k: Answer, f: Answer): void => {
  t.compared += 1;
  switch (v.tag) {
    case 'equal':
      t.equal += 1;
      if (k.reason !== f.reason || (k.message ?? '') !== (f.message ?? '')) t.textDiffers += 1;
      return;
    case 'explained':
      t.explained += 1;
      for (const id of v.ids) t.byId.set(id, (t.byId.get(id) ?? 0) + 1);
      return;
    case 'unexplained':
      t.unexplained += 1;
  }
};

export const summary = (t: Tally, seed: number): string =>
  [
    `flyte oracle: seed ${seed} (replay: KUBETASKS_ORACLE_SEED=${seed} npm run test:oracle)`,
    `  pods compared: ${t.compared}`,
    `  equal:         ${t.equal} (of which reason/message text differs: ${t.textDiffers})`,
    `  explained:     ${t.explained}`,
    ...[...t.byId.entries()].sort((a, b) => b[1] - a[1]).map(([id, n]) => `    ${id}: ${n}`),
    `  unexplained:   ${t.unexplained}`,
  ].join('\n');
