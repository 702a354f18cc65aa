// Planted bugs in the pod phase mapping, applied to a copy of its sources: the oracle must catch every one.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * One planted bug: `find` must occur exactly once in `file` (under src/plugins/pod/phase), so a mutant can never
 * silently turn into a no-op when the code it patches changes.
 */
export interface Mutant {
  readonly id: string;
  readonly what: string;
  /** Under src/plugins/pod/phase, or under `under` (a directory of the repository) when set. */
  readonly file: string;
  readonly under?: string;
  readonly find: string;
  readonly replace: string;
}

export const mutants: ReadonlyArray<Mutant> = [
  {
    id: 'image-pull-backoff-always-system',
    what: 'every expired ImagePullBackOff is a SYSTEM failure, rate-limited or not',
    file: 'pending.ts',
    find: 'waitingMessage.includes(RATE_LIMITED)',
    replace: 'true',
  },
  {
    id: 'waiting-init-is-bogus',
    what: 'every waiting init container is a PermanentFailure with code Bogus',
    file: 'pending.ts',
    find: 'if (waiting !== undefined) return { pi: classifyWaiting(ctx, tr, c, waiting, info), anchor: since };',
    replace:
      'if (waiting !== undefined) return { pi: initContainerStatusesOf(pod).includes(waiting) ? ' +
      "failure('pending.waiting.invalid-image-name', 'Bogus', 'bogus', info) : " +
      'classifyWaiting(ctx, tr, c, waiting, info), anchor: since };',
  },
  {
    id: 'crash-loop-is-initializing',
    what: 'control: a container in CrashLoopBackOff while Pending is Initializing',
    file: 'pending.ts',
    find: "    case 'PodInitializing':\n",
    replace: "    case 'PodInitializing':\n    case 'CrashLoopBackOff':\n",
  },
  {
    id: 'primary-oom-not-decisive',
    what: "an OOM-killed primary no longer decides the task's outcome",
    file: 'started.ts',
    find: "      if (isOom(t)) {\n        tr?.fire('primary.oom-killed');",
    replace: "      if (isOom(t) && t === undefined) {\n        tr?.fire('primary.oom-killed');",
  },
  {
    id: 'pending-timeout-ignored',
    what: 'the pod pending timeout never fires',
    file: 'pending.ts',
    find: 'if (timeout <= 0) return pi;',
    replace: 'if (timeout <= 0 || timeout > 0) return pi;',
  },
  {
    id: 'node-shutdown-forgotten',
    what: 'NodeShutdown is an ordinary pod reason (USER)',
    file: 'reasons.ts',
    find: "  'NodeShutdown',\n",
    replace: '',
  },
  {
    id: 'disruption-target-ignored',
    what: 'the DisruptionTarget condition is ignored',
    file: 'started.ts',
    find: "conditionStatus(disruption) === 'True'",
    replace: "conditionStatus(disruption) === 'Never'",
  },
  {
    id: 'exit-137-not-sigkill',
    what: 'exit code 137 is not a SIGKILL',
    file: 'reasons.ts',
    find: 'new Set([137, 247])',
    replace: 'new Set([247])',
  },
  {
    id: 'oom-killed-success-is-success',
    what: 'a Succeeded pod with an OOM-killed container is a Success',
    file: 'started.ts',
    find: "  if (oom !== undefined) {\n    tr?.fire('succeeded.oom-killed'",
    replace: "  if (oom !== undefined && oom === null) {\n    tr?.fire('succeeded.oom-killed'",
  },
  {
    id: 'pod-reason-ignored',
    what: 'a pod-level reason (Evicted, DeadlineExceeded) is not the code',
    file: 'started.ts',
    find: "  if (podReason !== '') {",
    replace: "  if (podReason === '\\u0000') {",
  },
  {
    id: 'grace-counted-twice',
    what: 'grace periods last twice as long as configured',
    file: 'pending.ts',
    find: 'const expired = elapsed >= grace;',
    replace: 'const expired = elapsed >= 2 * grace;',
  },
  {
    id: 'invalid-image-name-is-initializing',
    what: 'InvalidImageName waits like ErrImagePull',
    file: 'pending.ts',
    find: "    case 'ErrImagePull':\n",
    replace: "    case 'InvalidImageName':\n    case 'ErrImagePull':\n",
  },
  {
    id: 'early-success-ignores-init-containers',
    what: 'a Running pod succeeds early while a native sidecar (restartable init container) still runs',
    file: 'started.ts',
    find: '    if (isPlainObject(c) && !terminatedSuccessfully(c)) return false;\n  }\n  return true;',
    replace: '    if (isPlainObject(c) && c === null) return false;\n  }\n  return true;',
  },
  {
    id: 'version-bumps-without-reason-change',
    what: 'the version is bumped on every observation in the same phase, whether the reason changed or not',
    file: 'phase-info.ts',
    under: 'src/domain',
    find: 'if (pi.version <= previous.version && pi.reason !== previous.reason)',
    replace: 'if (pi.version <= previous.version)',
  },
  {
    id: 'version-bumps-by-two',
    what: 'a changed reason bumps the version by two',
    file: 'phase-info.ts',
    under: 'src/domain',
    find: 'return withVersion(previous.version + 1)(pi);',
    replace: 'return withVersion(previous.version + 2)(pi);',
  },
  {
    id: 'version-floor-dropped',
    what: 'a version may go below the stored one within the same phase',
    file: 'phase-info.ts',
    under: 'src/domain',
    find: 'if (pi.version < previous.version) return withVersion(previous.version)(pi);',
    replace: '',
  },
  {
    id: 'crash-loop-reason-dropped',
    what: 'a crash-looping primary is reported as plain Running again',
    file: 'started.ts',
    find: ': crashLoopReason(nameOf(c), restartCountOf(c), messageOf(w));',
    replace: ": '';",
  },
];

const REPO = resolve(import.meta.dirname, '../..');

/** A copy of src/domain and src/plugins in a fresh directory that resolves packages from the repo's. */
export interface SourceCopy {
  readonly root: string;
  /** The copied pod phase directory. */
  readonly phaseDir: string;
  readonly remove: () => void;
}

export const copySources = (): SourceCopy => {
  const root = mkdtempSync(join(tmpdir(), 'kubetasks-mutant-'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  cpSync(join(REPO, 'src/domain'), join(root, 'src/domain'), { recursive: true });
  cpSync(join(REPO, 'src/plugins'), join(root, 'src/plugins'), { recursive: true });
  const phaseDir = join(root, 'src/plugins/pod/phase');
  return { root, phaseDir, remove: () => rmSync(root, { recursive: true, force: true }) };
};

/** Plants a mutant in a copy; throws unless its pattern occurs exactly once. */
export const plant = (copy: SourceCopy, m: Mutant): void => {
  const path = m.under === undefined ? join(copy.phaseDir, m.file) : join(copy.root, m.under, m.file);
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(m.find);
  if (at < 0 || text.indexOf(m.find, at + 1) >= 0) {
    throw new Error(`mutant ${m.id}: the pattern must occur exactly once in ${m.file}`);
  }
  writeFileSync(path, text.slice(0, at) + m.replace + text.slice(at + m.find.length));
};

/** Planted bugs in the Kubeflow plugins' phase mapping (src/plugins/kubeflow/common): the oracle must catch each. */
export const kubeflowMutants: ReadonlyArray<Mutant> = [
  {
    id: 'kf-running-is-queued',
    what: 'control: a Running condition is reported as Queued',
    under: 'src/plugins/kubeflow/common',
    file: 'phase.ts',
    find: "    case 'Running':\n      return { why, pi: running(0, info) };",
    replace: "    case 'Running':\n      return { why, pi: queued(ctx.now, 0, JOB_CREATED_REASON, info) };",
  },
  {
    id: 'kf-suspended-is-queued',
    what: 'a Suspended job is Queued rather than WaitingForResources',
    under: 'src/plugins/kubeflow/common',
    file: 'phase.ts',
    find: '        pi: waitingForResources(',
    replace: '        pi: queued(',
  },
  {
    id: 'kf-timeout-ignored',
    what: 'the operator timeout never fires',
    under: 'src/plugins/kubeflow/common',
    file: 'phase.ts',
    find: 'ctx.now - created >= timeout',
    replace: 'ctx.now - created < 0',
  },
  {
    id: 'kf-failed-is-system',
    what: 'a Failed condition is a SYSTEM failure',
    under: 'src/plugins/kubeflow/common',
    file: 'phase.ts',
    find: ': { why, pi: retryableFailure(JOB_FAILED_CODE, failedMessage(terminal), info) };',
    replace: ': { why, pi: systemRetryableFailure(JOB_FAILED_CODE, failedMessage(terminal), info) };',
  },
  {
    id: 'kf-oldest-condition-first',
    what: 'the current condition is the oldest True one',
    under: 'src/plugins/kubeflow/common',
    file: 'status.ts',
    find: "  newestFirst(conditions).find((c) => c.status === 'True');\n\nconst isTerminalType",
    replace:
      "  [...newestFirst(conditions)].reverse().find((c) => c.status === 'True');\n\nconst isTerminalType",
  },
  {
    id: 'kf-restarting-reason-dropped',
    what: 'a Restarting job is plain Running again',
    under: 'src/plugins/kubeflow/common',
    file: 'phase.ts',
    find: "pi: running(0, info, current.reason === '' ? 'Restarting' : current.reason)",
    replace: 'pi: running(0, info)',
  },
];

/** Planted bugs in the Spark, Ray and Dask phase mappings: the CRD oracle must catch each. */
export const crdMutants: ReadonlyArray<Mutant> = [
  {
    id: 'spark-completed-is-running',
    what: 'control: a COMPLETED application is still Running',
    under: 'src/plugins/spark',
    file: 'phase.ts',
    find: "    case 'Success':\n      return success(info);",
    replace: "    case 'Success':\n      return running(0, info);",
  },
  {
    id: 'spark-submission-retries-ignored',
    what: 'a failed submission fails the task even while the operator retries',
    under: 'src/plugins/spark',
    file: 'phase.ts',
    find: "return submissionRetriesLeft(app) ? 'submission-failed.retrying' : 'submission-failed';",
    replace: "return 'submission-failed';",
  },
  {
    id: 'spark-suspended-is-running',
    what: 'a suspended application is reported as Running',
    under: 'src/plugins/spark',
    file: 'phase.ts',
    find: "    case 'SUSPENDED':\n      return 'suspended';",
    replace: "    case 'SUSPENDED':\n      return 'running';",
  },
  {
    id: 'ray-stopped-is-success',
    what: 'a Complete job whose Ray job was STOPPED succeeds',
    under: 'src/plugins/ray',
    file: 'phase.ts',
    find: "if (job.jobStatus === 'STOPPED') {",
    replace: "if (job.jobStatus === 'NEVER') {",
  },
  {
    id: 'ray-grace-period-is-user',
    what: "KubeRay's lost job status is the user's failure",
    under: 'src/plugins/ray',
    file: 'phase.ts',
    find: 'if (job.reason === GRACE_PERIOD_EXCEEDED) {',
    replace: "if (job.reason === 'never') {",
  },
  {
    id: 'ray-initializing-is-queued',
    what: 'control: a cluster being created is Queued',
    under: 'src/plugins/ray',
    file: 'phase.ts',
    find: "return initializing(created, 0, 'cluster is creating', info);",
    replace: "return queued(created, 0, 'cluster is creating', info);",
  },
  {
    id: 'dask-success-is-running',
    what: 'control: a Successful job is still Running',
    under: 'src/plugins/dask',
    file: 'phase.ts',
    find: "    case 'Successful':\n      return success(info);",
    replace: "    case 'Successful':\n      return running(0, info);",
  },
  {
    id: 'dask-cluster-created-reason',
    what: 'ClusterCreated is reported with another reason',
    under: 'src/plugins/dask',
    file: 'phase.ts',
    find: "return initializing(created, 0, 'cluster created', info);",
    replace: "return initializing(created, 0, 'cluster ready', info);",
  },
  {
    id: 'dask-version-step-skipped',
    what: 'the version step is skipped (a new reason in the same phase is not a new event)',
    under: 'src/plugins/dask',
    file: 'phase.ts',
    find: '  return bumpVersion(ctx.previous)(decided);',
    replace: '  return decided;',
  },
];
