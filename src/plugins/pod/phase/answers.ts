// Answers built from decision-table rows (the row gives phase, version, kind, cleanup; the pod the rest), and traces.
import { formatInstant, type Instant } from '../../../domain/time.js';
import { undefinedPhase, type PhaseInfo, type TaskInfo } from '../../../domain/phase-info.js';
import {
  failureRow,
  progressRow,
  rowOf,
  type FailureRowId,
  type ProgressRowId,
  type RowId,
} from './table.js';

// -------------------------------------------------------------------------------------
// the trace
// -------------------------------------------------------------------------------------

/**
 * Collects the trace while a decision is made; local to one explain call. Deciders take `Tracer | undefined` and
 * write `tr?.note(...)`: optional chaining skips the argument when there is no tracer, so getPodTaskPhase (the hot
 * path of every watch event) builds no trace string, thunk or row list at all.
 */
export interface Tracer {
  readonly note: (line: string) => void;
  readonly fire: (id: RowId, detail?: string) => void;
  readonly lines: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<RowId>;
}

export const tracer = (): Tracer => {
  const lines: string[] = [];
  const rows: RowId[] = [];
  return {
    lines,
    rows,
    note: (line) => {
      lines.push(line);
    },
    fire: (id, detail) => {
      rows.push(id);
      lines.push(`row ${id}: ${rowOf(id).when}${detail === undefined ? '' : ` (${detail})`}`);
    },
  };
};

export const at = (i: Instant | undefined): string => (i === undefined ? 'no timestamp' : formatInstant(i));

// -------------------------------------------------------------------------------------
// answers
// -------------------------------------------------------------------------------------

// The PhaseInfo constructors of domain/phase-info.ts copy the task info and spread an optional error on every call.
// The answers below are the same values, built as one literal each and sharing the info built for this call (a fresh
// immutable value): this runs on every watch event. test/plugins/pod/phase/lazy-reader.test.ts holds the answers
// equal to those of the eager mapping built with the constructors. Every pod answer's info has occurredAt set, so
// the constructors' default for it never applied.

/** Dates the info at `t`; reportedAt follows when it only mirrored occurredAt (no PodCompleted time). */
export const dated = (info: TaskInfo, t: Instant | undefined): TaskInfo =>
  t === undefined
    ? info
    : info.reportedAt === info.occurredAt
      ? { ...info, occurredAt: t, reportedAt: t }
      : { ...info, occurredAt: t };

export const progress = (
  id: ProgressRowId,
  info: TaskInfo,
  reason: string,
  occurredAt?: Instant,
): PhaseInfo => {
  const row = progressRow(id);
  switch (row.phase) {
    case 'Queued':
    case 'Initializing':
      return {
        phase: row.phase,
        version: row.version,
        reason,
        cleanupOnFailure: false,
        info: dated(info, occurredAt),
      };
    case 'Running':
      return { phase: 'Running', version: row.version, reason, cleanupOnFailure: false, info };
    case 'Success':
      return { phase: 'Success', version: 0, reason: '', cleanupOnFailure: false, info };
    case 'Undefined':
      return reason === '' ? undefinedPhase : { ...undefinedPhase, reason };
  }
};

export const failure = (
  id: FailureRowId,
  computedCode: string,
  message: string,
  info: TaskInfo,
): PhaseInfo => {
  const row = failureRow(id);
  return {
    phase: row.phase,
    version: 0,
    reason: '',
    cleanupOnFailure: row.cleanup,
    info,
    error: { code: 'literal' in row.code ? row.code.literal : computedCode, kind: row.kind, message },
  };
};
