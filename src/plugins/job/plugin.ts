// The batch-job plugin: runs a task as a Kubernetes batch/v1 Job, so Kubernetes' own retry semantics apply.
import { defaultPluginProperties, type Plugin } from '../../domain/plugin.js';
import { podsQuery } from '../crd/index.js';
import { buildIdentityResource, buildResource } from './build.js';
import { jobConfigSection } from './config.js';
import { JOB_KIND, JOB_NAME_LABEL, JOB_NAME_MAX_LENGTH, JOB_TASK_TYPE, POD_KIND } from './names.js';
import { explainJobPhase, getJobTaskPhase, isJobTerminal, jobCompletionTime } from './phase.js';

/**
 * Task type `batch-job` → a batch/v1 Job whose pod template is the pod the pod plugin builds. Kubernetes retries
 * inside the Job (backoffLimit, podFailurePolicy, ...); the Job's pods are related resources, read from the watch
 * cache by the Job's uid, so a pending pod's trouble and a failed pod's detail reach the task's phase.
 */
export const jobPlugin: Plugin = {
  id: JOB_TASK_TYPE,
  taskTypes: [JOB_TASK_TYPE],
  watches: JOB_KIND,
  properties: { ...defaultPluginProperties, generatedNameMaxLength: JOB_NAME_MAX_LENGTH },
  buildIdentityResource,
  buildResource,
  getTaskPhase: getJobTaskPhase,
  explainTaskPhase: explainJobPhase,
  isTerminal: isJobTerminal,
  completionTime: jobCompletionTime,
  relatedKinds: [POD_KIND],
  relatedResources: (job) =>
    podsQuery(job, { labelSelector: { [JOB_NAME_LABEL]: job.metadata?.name ?? '' }, owned: true }),
  configSection: jobConfigSection,
};
