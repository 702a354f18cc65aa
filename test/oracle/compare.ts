// Tells an equal answer, an explained difference and a bug apart, and tallies them for the run's summary.
import { differences, type DifferentialInput } from '../../src/plugins/pod/phase/differences.js';
import { outcome, sameOutcome, type ExpectedOutcome } from '../../src/plugins/pod/phase/flyte-model.js';
import type { RowId } from '../../src/plugins/pod/phase/table.js';
import type { PluginState } from '../../src/domain/phase-info.js';
import type { Answer } from './oracle.js';
import { releaseFor } from './release.js';
import { versionVerdict, type VersionVerdict } from './versions.js';

/**
 * One pair of answers the documented entries allow for an input: kubetasks answers `kubetasks` and the oracle
 * `flyte`. `ids` names the entries, in order: at most one deliberate difference (docs/compatibility.md), then the
 * release differences (tools/flyte-oracle/README.md) that carry the catalogue's answer to v1.14.0's.
 */
export interface AllowedPair {
  readonly ids: ReadonlyArray<string>;
  readonly kubetasks: ExpectedOutcome;
  readonly flyte: ExpectedOutcome;
  /** Whether some Flyte side in the chain came from flyte-model.ts rather than a model of the entry's own. */
  readonly flyteModel: boolean;
}

/**
 * Every pair the entries allow for an input. Each starts from an entry's own model, never from an answer: a
 * deliberate difference gives kubetasks' answer and the catalogue's; where none makes kubetasks differ, a release
 * difference's `from` is what both kubetasks and the catalogue answer. The release differences whose `from` is the
 * catalogue answer reached so far then take it to v1.14.0's.
 */
export const allowedPairs = (input: DifferentialInput): ReadonlyArray<AllowedPair> => {
  const releases = releaseFor(input);
  const starts: AllowedPair[] = [];
  for (const d of differences) {
    if (d.applies === undefined || d.expected === undefined || !d.applies(input)) continue;
    const e = d.expected(input);
    starts.push({ ids: [d.id], kubetasks: e.kubetasks, flyte: e.flyte, flyteModel: d.flyteModel === true });
  }
  // Without a deliberate difference here, kubetasks answers what the catalogue does: each release difference's own
  // model of the catalogue's answer is then kubetasks' answer too.
  if (starts.every((s) => sameOutcome(s.kubetasks, s.flyte))) {
    for (const r of releases) {
      starts.push({ ids: [], kubetasks: r.from, flyte: r.from, flyteModel: r.flyteModel });
    }
  }
  const pairs: AllowedPair[] = [];
  for (const start of starts) {
    let flyte = start.flyte;
    const ids = [...start.ids];
    let flyteModel = start.flyteModel;
    for (const r of releases) {
      if (!sameOutcome(r.from, flyte) || sameOutcome(r.from, r.to)) continue;
      flyte = r.to;
      ids.push(r.id);
      flyteModel ||= r.flyteModel;
    }
    if (ids.length === 0 || sameOutcome(start.kubetasks, flyte)) continue;
    if (pairs.some((p) => sameOutcome(p.kubetasks, start.kubetasks) && sameOutcome(p.flyte, flyte))) continue;
    pairs.push({ ids, kubetasks: start.kubetasks, flyte, flyteModel });
  }
  return pairs;
};

export type Verdict =
  | { readonly tag: 'equal' }
  | { readonly tag: 'explained'; readonly ids: ReadonlyArray<string>; readonly flyteModel: boolean }
  | { readonly tag: 'unexplained' }
  /** The answers agree, but an entry says kubetasks deliberately answers otherwise here: the difference was lost. */
  | { readonly tag: 'lost'; readonly ids: ReadonlyArray<string> };

export const outcomeOf = (a: Answer): ExpectedOutcome => outcome(a.phase, a.code, a.kind, a.cleanup);

/** The compared part of an answer: phase, error code, error kind and the cleanup flag. */
export const sameAnswer = (a: Answer, b: Answer): boolean => sameOutcome(outcomeOf(a), outcomeOf(b));

/**
 * kubetasks' answer `k` and the oracle's `f` for one input: equal, or explained when some allowed pair is exactly
 * (k, f). Equal answers are still wrong when an entry expects kubetasks to differ from exactly this Flyte answer.
 */
export const verdict = (input: DifferentialInput, k: Answer, f: Answer): Verdict =>
  verdictWith(allowedPairs(input), k, f);

/** verdict with the input's allowed pairs computed once (the discrimination check asks many answers per input). */
export const verdictWith = (pairs: ReadonlyArray<AllowedPair>, k: Answer, f: Answer): Verdict => {
  const mine = outcomeOf(k);
  const theirs = outcomeOf(f);
  if (sameOutcome(mine, theirs)) {
    const lost = pairs.find((p) => sameOutcome(p.flyte, theirs) && !sameOutcome(p.kubetasks, mine));
    return lost === undefined ? { tag: 'equal' } : { tag: 'lost', ids: lost.ids };
  }
  const pair = pairs.find((p) => sameOutcome(p.kubetasks, mine) && sameOutcome(p.flyte, theirs));
  return pair === undefined
    ? { tag: 'unexplained' }
    : { tag: 'explained', ids: pair.ids, flyteModel: pair.flyteModel };
};

/** Counts of one compared field beyond the outcome (reason, version). */
export interface FieldTally {
  equal: number;
  /** Differs because the answers already differ (reason: an explained outcome; version: the phase or reason). */
  follows: number;
  explained: number;
  unexplained: number;
}

const newFieldTally = (): FieldTally => ({ equal: 0, follows: 0, explained: 0, unexplained: 0 });

export interface Tally {
  compared: number;
  /** Observations that came with a previous plugin state (the second and later of a sequence). */
  withPrevious: number;
  readonly reason: FieldTally;
  readonly version: FieldTally;
  equal: number;
  explained: number;
  /** Explained only through flyte-model.ts on the Flyte side (see AllowedPair.flyteModel). */
  explainedByModel: number;
  unexplained: number;
  lost: number;
  readonly byId: Map<string, number>;
  /** Equal outcomes whose message text still differs (reported, not compared). */
  textDiffers: number;
  /** Inputs decided per decision-table row (the last row that fired). */
  readonly byRow: Map<RowId, number>;
}

export const newTally = (): Tally => ({
  compared: 0,
  withPrevious: 0,
  reason: newFieldTally(),
  version: newFieldTally(),
  equal: 0,
  explained: 0,
  explainedByModel: 0,
  unexplained: 0,
  lost: 0,
  byId: new Map(),
  textDiffers: 0,
  byRow: new Map(),
});

export type ReasonVerdict =
  | { readonly tag: 'equal' }
  | { readonly tag: 'follows' }
  | { readonly tag: 'explained'; readonly ids: ReadonlyArray<string> }
  | { readonly tag: 'unexplained'; readonly why: string };

/**
 * The reasons: equal; different where the outcomes differ and an entry explains that; or, where the outcomes agree,
 * exactly the pair a reason entry names (a deliberate difference's `reasons`, a release difference's `reasons`).
 */
export const reasonVerdict = (input: DifferentialInput, k: Answer, f: Answer, v: Verdict): ReasonVerdict => {
  const checked = reasonCheck(input, k, f);
  if (checked.mismatches.length > 0) return { tag: 'unexplained', why: checked.mismatches.join('\n') };
  if (k.reason === f.reason) return { tag: 'equal' };
  if (v.tag !== 'equal') return { tag: 'follows' };
  if (checked.ids.length > 0) return { tag: 'explained', ids: checked.ids };
  const release = releaseFor(input).filter((r) => r.reasons?.from === k.reason && r.reasons.to === f.reason);
  if (release.length > 0) return { tag: 'explained', ids: release.map((r) => r.id) };
  return {
    tag: 'unexplained',
    why: `reasons differ with no entry for the pair: ${JSON.stringify({ kubetasks: k.reason, flyte: f.reason })}`,
  };
};

/** Every compared field of one observation: the outcome, the reason and the version. */
export interface Judgement {
  readonly outcome: Verdict;
  readonly reason: ReasonVerdict;
  readonly version: VersionVerdict;
  /** Whether any field is unexplained (or a deliberate difference was lost). */
  readonly bad: boolean;
  /** What is wrong, for the failure message. */
  readonly why: ReadonlyArray<string>;
}

/** Judges kubetasks' answer `k` against the oracle's `f` for one observation made with plugin state `previous`. */
export const judge = (
  input: DifferentialInput,
  previous: PluginState | undefined,
  k: Answer,
  f: Answer,
): Judgement => {
  const outcome = verdict(input, k, f);
  const reason = reasonVerdict(input, k, f, outcome);
  const version = versionVerdict(input, previous, k, f);
  const why = [
    ...(outcome.tag === 'unexplained' ? ['outcome unexplained'] : []),
    ...(outcome.tag === 'lost' ? [`lost ${outcome.ids.join(', ')}`] : []),
    ...(reason.tag === 'unexplained' ? [`reason: ${reason.why}`] : []),
    ...(version.tag === 'unexplained' ? [`version: ${version.why}`] : []),
  ];
  return { outcome, reason, version, bad: why.length > 0, why };
};

const bump = (t: Tally, id: string): void => {
  t.byId.set(id, (t.byId.get(id) ?? 0) + 1);
};

export const count = (
  t: Tally,
  j: Judgement,
  k: Answer,
  f: Answer,
  row?: RowId,
  previous?: PluginState,
): void => {
  const v = j.outcome;
  t.compared += 1;
  if (previous !== undefined) t.withPrevious += 1;
  if (row !== undefined) t.byRow.set(row, (t.byRow.get(row) ?? 0) + 1);
  switch (j.reason.tag) {
    case 'explained':
      t.reason.explained += 1;
      for (const id of j.reason.ids) bump(t, `${id} (reason)`);
      break;
    default:
      t.reason[j.reason.tag] += 1;
  }
  switch (j.version.tag) {
    case 'explained':
      t.version.explained += 1;
      bump(t, `${j.version.id} (version)`);
      break;
    default:
      t.version[j.version.tag] += 1;
  }
  if (j.bad) t.unexplained += 1;
  switch (v.tag) {
    case 'equal':
      t.equal += 1;
      if ((k.message ?? '') !== (f.message ?? '')) t.textDiffers += 1;
      return;
    case 'explained':
      t.explained += 1;
      if (v.flyteModel) t.explainedByModel += 1;
      for (const id of v.ids) bump(t, id);
      return;
    case 'lost':
      t.lost += 1;
      return;
    case 'unexplained':
      return;
  }
};

const fieldLine = (f: FieldTally): string =>
  `equal ${f.equal}, explained ${f.explained}, follows an explained difference ${f.follows}, unexplained ${f.unexplained}`;

/** The run's summary; `rows` lists every decision-table row, so unreached rows show as 0. */
export const summary = (
  t: Tally,
  seed: number,
  rows?: ReadonlyArray<RowId>,
  title = 'flyte oracle',
): string => {
  const reached = rows?.filter((r) => (t.byRow.get(r) ?? 0) > 0).length;
  return [
    `${title}: seed ${seed} (replay: KUBETASKS_ORACLE_SEED=${seed} npm run test:oracle)`,
    `  compared:      ${t.compared} (with a previous plugin state: ${t.withPrevious})`,
    `  equal:         ${t.equal} (phase, code, kind, cleanup; of which the message text differs: ${t.textDiffers})`,
    `  explained:     ${t.explained} (of which only against flyte-model.ts: ${t.explainedByModel})`,
    `  reason:        ${fieldLine(t.reason)}`,
    `  version:       ${fieldLine(t.version)}`,
    `  explained per entry:`,
    ...[...t.byId.entries()].sort((a, b) => b[1] - a[1]).map(([id, n]) => `    ${id}: ${n}`),
    `  unexplained:   ${t.unexplained} (of which a deliberate difference lost: ${t.lost})`,
    ...(rows === undefined
      ? []
      : [
          `  decision-table rows reached: ${reached}/${rows.length}`,
          ...rows.map((r) => `    ${r}: ${t.byRow.get(r) ?? 0}`),
        ]),
  ].join('\n');
};

/**
 * The reason-text entries (Difference.reasons) that apply to an input, each checked exactly against both answers'
 * reasons: the ids that hold, and a line for each that does not.
 */
export const reasonCheck = (
  input: DifferentialInput,
  k: Answer,
  f: Answer,
): { readonly ids: ReadonlyArray<string>; readonly mismatches: ReadonlyArray<string> } => {
  const ids: string[] = [];
  const mismatches: string[] = [];
  for (const d of differences) {
    if (d.reasons === undefined || d.applies === undefined || !d.applies(input)) continue;
    const r = d.reasons(input);
    if (k.reason === r.kubetasks && f.reason === r.flyte) ids.push(d.id);
    else {
      mismatches.push(
        `${d.id}: expected reasons ${JSON.stringify(r)}, got ${JSON.stringify({ kubetasks: k.reason, flyte: f.reason })}`,
      );
    }
  }
  return { ids, mismatches };
};
