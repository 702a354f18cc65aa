// The Spark plugin: a `spark` task runs as a spark-operator SparkApplication; its phase comes from the application and its driver pod.
import type { Plugin } from '../../domain/plugin.js';
import { buildSparkApplication, buildSparkIdentity, SPARK_API_VERSION, SPARK_KIND } from './build.js';
import { POD_NAME_PREFIX_MAX } from './conf.js';
import { sparkConfigSection } from './config.js';
import {
  explainSparkPhase,
  getSparkTaskPhase,
  isSparkTerminal,
  sparkCompletionTime,
  sparkRelatedResources,
} from './phase.js';

export const sparkPlugin: Plugin = {
  id: 'spark',
  taskTypes: ['spark'],
  watches: { apiVersion: SPARK_API_VERSION, kind: SPARK_KIND },
  // The name is also Spark's executor pod name prefix, which Spark limits to 47 characters.
  properties: {
    disableInjectOwnerReferences: false,
    disableInjectFinalizer: false,
    disableDeleteResourceOnFinalize: false,
    generatedNameMaxLength: POD_NAME_PREFIX_MAX,
  },
  buildIdentityResource: buildSparkIdentity,
  buildResource: buildSparkApplication,
  getTaskPhase: getSparkTaskPhase,
  explainTaskPhase: explainSparkPhase,
  isTerminal: isSparkTerminal,
  completionTime: sparkCompletionTime,
  customResource: { plural: 'sparkapplications', statusSubresource: true },
  relatedKinds: [{ apiVersion: 'v1', kind: 'Pod' }],
  relatedResources: sparkRelatedResources,
  configSection: sparkConfigSection,
};
