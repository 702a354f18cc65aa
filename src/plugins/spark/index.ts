// The Spark plugin and the pieces its tests, docs and simulated operator use.
export { sparkPlugin } from './plugin.js';
export {
  buildRolePod,
  buildSparkApplication,
  buildSparkIdentity,
  DEFAULT_SPARK_SERVICE_ACCOUNT,
  RESTART_POLICY,
  SPARK_API_VERSION,
  SPARK_KIND,
  SPARK_VERSION,
  type Role,
} from './build.js';
export {
  assembleSparkConf,
  DRIVER_CONTAINER,
  EXECUTOR_CONTAINER,
  POD_NAME_PREFIX_MAX,
  toggledFeature,
} from './conf.js';
export { DEFAULT_MIXED_LOGS, SparkConfig, sparkConfigSection, SparkFeature } from './config.js';
export { decodeSparkJob, type SparkJob } from './payload.js';
export {
  APP_NAME_LABEL,
  DRIVER_ROLE_LABEL,
  explainSparkTaskPhase,
  findDriverPod,
  getSparkTaskPhase,
  isSparkTerminal,
  renderSparkPhaseTable,
  rowOfState,
  sparkCompletionTime,
  sparkPhaseRows,
  sparkRelatedResources,
  type SparkPhaseRow,
  type SparkRowId,
} from './phase.js';
export { SPARK_DRIVER_UI, SPARK_HISTORY_UI, sparkTaskInfo } from './logs.js';
export {
  APPLICATION_STATES,
  EXECUTOR_STATES,
  LEGACY_APPLICATION_STATES,
  readSparkApplication,
  submissionRetriesLeft,
  type ApplicationState,
  type SparkApplicationView,
} from './status.js';
