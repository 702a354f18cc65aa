// The batch-job phase mapping's decision table: one row per rule, in evaluation order, as docs/plugins/job.md shows it.

/** A row's id: what the Job (or its pods) showed that decided the phase. */
export type JobRowId =
  | 'input.not-a-job'
  | 'failed.backoff-limit'
  | 'failed.deadline'
  | 'failed.pod-failure-policy'
  | 'failed.max-failed-indexes'
  | 'failed.failed-indexes'
  | 'failed.other'
  | 'complete'
  | 'suspended'
  | 'pod.pending-failure'
  | 'running.pod-running'
  | 'running.between-pods'
  | 'pending.pod'
  | 'active.ready'
  | 'active.not-ready'
  | 'started.no-pods'
  | 'created';

/** One rule of the table: its id, when it applies, and the phase, code and error kind it answers. */
export interface JobRow {
  readonly id: JobRowId;
  readonly when: string;
  /** A phase name, or who decides it. */
  readonly phase: string;
  readonly code: string;
  readonly kind: string;
}

/** The decision table, in evaluation order; docs/plugins/job.md renders it and the tests cover every row. */
export const jobPhaseTable: ReadonlyArray<JobRow> = [
  { id: 'input.not-a-job', when: 'the value is not a batch Job', phase: 'Undefined', code: '', kind: '' },
  {
    id: 'failed.backoff-limit',
    when: 'Failed or FailureTarget True, reason BackoffLimitExceeded',
    phase: 'PermanentFailure',
    code: 'BackoffLimitExceeded',
    kind: "the last failed pod's (USER when none is seen)",
  },
  {
    id: 'failed.deadline',
    when: 'Failed or FailureTarget True, reason DeadlineExceeded',
    phase: 'PermanentFailure',
    code: 'DeadlineExceeded',
    kind: 'USER',
  },
  {
    id: 'failed.pod-failure-policy',
    when: 'Failed or FailureTarget True, reason PodFailurePolicy (a FailJob rule matched)',
    phase: 'PermanentFailure',
    code: 'PodFailurePolicy',
    kind: 'USER',
  },
  {
    id: 'failed.max-failed-indexes',
    when: 'Failed or FailureTarget True, reason MaxFailedIndexesExceeded',
    phase: 'PermanentFailure',
    code: 'MaxFailedIndexesExceeded',
    kind: 'USER',
  },
  {
    id: 'failed.failed-indexes',
    when: 'Failed or FailureTarget True, reason FailedIndexes (every index ended, some failed)',
    phase: 'PermanentFailure',
    code: 'FailedIndexes',
    kind: 'USER',
  },
  {
    id: 'failed.other',
    when: 'Failed or FailureTarget True, any other or no reason',
    phase: 'PermanentFailure',
    code: 'the reason, else JobFailed',
    kind: 'USER',
  },
  { id: 'complete', when: 'Complete or SuccessCriteriaMet True', phase: 'Success', code: '', kind: '' },
  {
    id: 'suspended',
    when: 'Suspended True, or spec.suspend (e.g. queued by Kueue)',
    phase: 'WaitingForResources',
    code: '',
    kind: '',
  },
  {
    id: 'pod.pending-failure',
    when: 'a pending pod of the Job is a failure for the pod plugin (bad image, config error, image pull back-off past grace, pod pending timeout): the Job controller never counts it',
    phase: 'the pod plugin decides',
    code: "the pod plugin's",
    kind: "the pod plugin's",
  },
  { id: 'running.pod-running', when: 'a pod of the Job is Running', phase: 'Running', code: '', kind: '' },
  {
    id: 'running.between-pods',
    when: 'no pod runs, but the Job has started (a pod ended, a counter moved, or Running was reported before)',
    phase: 'Running',
    code: '',
    kind: '',
  },
  {
    id: 'pending.pod',
    when: 'pods are seen, all pending',
    phase: "the latest pending pod's (Queued or Initializing)",
    code: '',
    kind: '',
  },
  { id: 'active.ready', when: 'no pod seen; status.ready > 0', phase: 'Running', code: '', kind: '' },
  {
    id: 'active.not-ready',
    when: 'no pod seen; status.active > 0, none ready',
    phase: 'Initializing',
    code: '',
    kind: '',
  },
  { id: 'started.no-pods', when: 'no pod seen; status.startTime set', phase: 'Queued', code: '', kind: '' },
  {
    id: 'created',
    when: 'no status yet (any unknown condition is ignored)',
    phase: 'Queued',
    code: '',
    kind: '',
  },
];
