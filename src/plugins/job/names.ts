// The labels and annotations the Kubernetes Job controller puts on a Job's pods, and the plugin's own names.
/** The task type the batch-job plugin serves (Flyte has no plain Job plugin, so the name is kubetasks'). */
export const JOB_TASK_TYPE = 'batch-job';

export const JOB_KIND = { apiVersion: 'batch/v1', kind: 'Job' } as const;
export { POD_KIND } from '../crd/related-pods.js';

/** Pod label with the Job's name (since Kubernetes 1.27; the unprefixed `job-name` is the legacy twin). */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
/** Pod label with the Job's uid, the Job's selector (legacy twin `controller-uid`). */
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
/** Annotation (and, since 1.28, label) with an Indexed Job pod's completion index. */
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
/** Annotations of Indexed Job pods under backoffLimitPerIndex: failures of the index before this pod. */
export const INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';
export const INDEX_IGNORED_FAILURE_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count';
/** The env var the Job controller gives Indexed Job containers. */
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/**
 * The longest Job name the plugin generates: an Indexed Job's pod hostname is `<job>-<index>`, a DNS label of at
 * most 63 characters, and indexes go up to 99999 (`-99999` is 6 characters).
 */
export const JOB_NAME_MAX_LENGTH = 63 - '-99999'.length;
