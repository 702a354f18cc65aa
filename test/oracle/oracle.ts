// A client for the Flyte oracle binary: one long-lived process, pods streamed to it as NDJSON in batches.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ErrorKind, PhaseInfo, PluginState } from '../../src/domain/phase-info.js';
import { readPluginConfig } from '../../src/domain/plugin-config.js';
import { kfOperatorSection } from '../../src/plugins/kubeflow/common/config.js';
import type { Phase } from '../../src/domain/phase.js';
import type { PlatformConfig } from '../../src/domain/platform-config.js';
import type { Instant } from '../../src/domain/time.js';
import { FLYTE_ERROR } from '../../src/plugins/pod/phase/differences.js';

/** The part of an answer both sides give: what the differential test compares. */
export interface Answer {
  readonly phase: Phase;
  readonly version: number;
  readonly reason: string;
  readonly code?: string;
  readonly kind?: ErrorKind;
  readonly message?: string;
  readonly cleanup: boolean;
  /** Flyte returned an error (or panicked) instead of a phase: for an object that is not a pod. */
  readonly error?: string;
}

/** The code an oracle error answer is compared with: Flyte's Undefined phase with an error. */
export const ORACLE_ERROR = FLYTE_ERROR;

/**
 * The plugins the oracle answers for: Flyte's pod plugin (`pod`: its exported phase functions dispatched as the
 * plugin does; `pod-plugin`: the plugin's own GetTaskPhase, to check that dispatch), its three Kubeflow plugins,
 * Spark, Ray and Dask.
 */
export type OraclePlugin = 'pod' | 'pytorch' | 'tensorflow' | 'mpi' | 'spark' | 'ray' | 'dask' | 'pod-plugin';

export interface OracleRequest {
  /** The pod (pod plugin) or the custom resource (the others). */
  readonly pod: unknown;
  readonly now: Instant;
  readonly config: PlatformConfig;
  /** The plugin state kubetasks was handed for this observation (none: a first observation). */
  readonly previous?: PluginState;
  readonly plugin?: OraclePlugin;
}

interface OracleLine {
  readonly id?: number;
  readonly phase?: Phase;
  readonly version?: number;
  readonly reason?: string;
  readonly code?: string;
  readonly kind?: ErrorKind;
  readonly message?: string;
  readonly cleanup?: boolean;
  readonly error?: string;
}

/** Builds the oracle when missing (scripts/flyte-oracle.sh) and returns its path; throws when it cannot. */
export const oracleBinary = (): string => {
  const fromEnv = process.env['FLYTE_ORACLE'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const out = execFileSync('bash', ['scripts/flyte-oracle.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = out
    .trim()
    .split('\n')
    .find((l) => l.startsWith('FLYTE_ORACLE='));
  if (line === undefined) throw new Error(`scripts/flyte-oracle.sh printed no FLYTE_ORACLE= line:\n${out}`);
  return line.slice('FLYTE_ORACLE='.length);
};

/** The k8s settings Flyte's phase functions read, in the oracle's request shape (milliseconds). */
export const configOfRequest = (config: PlatformConfig): Record<string, number> => {
  const k8s = config.plugins.k8s;
  return {
    'create-container-error-grace-period': k8s['create-container-error-grace-period'],
    'create-container-config-error-grace-period': k8s['create-container-config-error-grace-period'],
    'image-pull-backoff-grace-period': k8s['image-pull-backoff-grace-period'],
    'pod-pending-timeout': k8s['pod-pending-timeout'],
    'kf-operator-timeout': readPluginConfig(kfOperatorSection, config).timeout,
  };
};

export const requestLine = (id: number, r: OracleRequest): string =>
  JSON.stringify({
    id,
    ...(r.plugin === undefined || r.plugin === 'pod'
      ? { pod: r.pod }
      : r.plugin === 'pod-plugin'
        ? { plugin: r.plugin, pod: r.pod }
        : { plugin: r.plugin, resource: r.pod }),
    now: r.now,
    config: configOfRequest(r.config),
    ...(r.previous === undefined ? {} : { previous: r.previous }),
  });

/**
 * Errors Flyte's plugins return instead of a phase, for inputs kubetasks answers: a value of another kind (the type
 * assertion), a Kubeflow job the operator has not updated within the timeout, one with conditions but none True.
 * Each is compared as Undefined with ORACLE_ERROR; any other error means the oracle could not read the request.
 */
const FLYTE_ERRORS: ReadonlyArray<string> = [
  'not *v1.Pod',
  'failed to convert resource data type',
  "kubeflow operator hasn't updated",
  'found no current condition',
  // Ray v1.14.0 for a jobDeploymentStatus its switch does not know (R4).
  'unknown job deployment status',
];

export const answerOf = (pi: PhaseInfo): Answer => ({
  phase: pi.phase,
  version: pi.version,
  reason: pi.reason,
  ...(pi.error === undefined ? {} : { code: pi.error.code, kind: pi.error.kind, message: pi.error.message }),
  cleanup: pi.cleanupOnFailure,
});

const fromLine = (l: OracleLine): Answer => {
  // Flyte's error for a value its type assertion rejects is an answer (compared as Undefined with ORACLE_ERROR);
  // any other error means the oracle could not read the request.
  if (l.error !== undefined && FLYTE_ERRORS.some((e) => l.error?.includes(e) === true)) {
    return { phase: 'Undefined', version: 0, reason: '', code: ORACLE_ERROR, cleanup: false, error: l.error };
  }
  if (l.error !== undefined || l.phase === undefined) {
    throw new Error(`the oracle could not answer: ${l.error ?? JSON.stringify(l)}`);
  }
  return {
    phase: l.phase,
    version: l.version ?? 0,
    reason: l.reason ?? '',
    ...(l.code === undefined || l.code === '' ? {} : { code: l.code }),
    ...(l.kind === undefined ? {} : { kind: l.kind }),
    ...(l.message === undefined ? {} : { message: l.message }),
    cleanup: l.cleanup ?? false,
  };
};

/** One oracle process; `ask` sends a batch and resolves with its answers in order. */
export interface Oracle {
  readonly ask: (batch: ReadonlyArray<OracleRequest>) => Promise<ReadonlyArray<Answer>>;
  readonly close: () => Promise<void>;
}

export const startOracle = (binary: string): Oracle => {
  const child: ChildProcessWithoutNullStreams = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let pending: { readonly want: number; readonly got: Answer[]; readonly first: number } | undefined;
  let settle: { resolve: (a: Answer[]) => void; reject: (e: Error) => void } | undefined;
  let nextId = 0;
  let failure: Error | undefined;
  const fail = (e: Error): void => {
    failure = e;
    settle?.reject(e);
    settle = undefined;
  };
  child.on('exit', (code, signal) => {
    if (settle !== undefined) fail(new Error(`the oracle exited (${code ?? signal}) mid-batch:\n${stderr}`));
  });
  child.on('error', (e) => fail(e));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (pending === undefined || settle === undefined) return;
    try {
      const parsed = JSON.parse(line) as OracleLine;
      if (parsed.id !== pending.first + pending.got.length) {
        throw new Error(`the oracle answered id ${parsed.id} out of order`);
      }
      pending.got.push(fromLine(parsed));
    } catch (e) {
      fail(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (pending.got.length === pending.want) {
      const done = pending.got;
      pending = undefined;
      const s = settle;
      settle = undefined;
      s.resolve(done);
    }
  });
  return {
    ask: (batch) =>
      new Promise<Answer[]>((resolve, reject) => {
        if (failure !== undefined) return reject(failure);
        if (settle !== undefined) return reject(new Error('one batch at a time'));
        if (batch.length === 0) return resolve([]);
        const first = nextId;
        nextId += batch.length;
        pending = { want: batch.length, got: [], first };
        settle = { resolve, reject };
        child.stdin.write(`${batch.map((r, i) => requestLine(first + i, r)).join('\n')}\n`);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
};
