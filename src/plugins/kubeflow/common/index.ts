// The Kubeflow common pattern shared by the pytorch, tensorflow and mpi plugins.
export { kfOperatorSection, KfOperatorConfigC, type KfOperatorConfig } from './config.js';
export { generalPodName, KUBEFLOW_API_VERSION, type JobPlan, type KubeflowKind } from './kind.js';
export {
  fieldPath,
  groupOverrides,
  groupReplicas,
  jobPlan,
  planV1,
  replicasPath,
  requireWorkers,
  runPolicyOf,
} from './groups.js';
export * from './payload.js';
export {
  buildRolePod,
  DEFAULT_CONTAINER_ANNOTATION,
  replicaSpec,
  templateMetadata,
  type GroupOverrides,
  type ReplicaSpec,
} from './replica.js';
export {
  conditionPhase,
  getKubeflowTaskPhase,
  isKubeflowTerminal,
  JOB_CREATED_REASON,
  JOB_FAILED_CODE,
  JOB_SUSPENDED_REASON,
  kubeflowCompletionTime,
  OPERATOR_TIMEOUT_CODE,
} from './phase.js';
export { buildKubeflowResource, kubeflowPlugin, kubeflowRelatedResources, payloadVersion } from './plugin.js';
export {
  activeReplicas,
  CONDITION_TYPES,
  currentCondition,
  JOB_NAME_LABEL,
  JOB_ROLE_LABEL,
  newestFirst,
  OPERATOR_NAME_LABEL,
  readJob,
  REPLICA_INDEX_LABEL,
  REPLICA_TYPE_LABEL,
  terminalCondition,
  type JobCondition,
  type JobView,
  type ReplicaStatusView,
} from './status.js';
