// The simulated kubelet (`kubetasks/adapters/kubelet`): drives pods on any cluster port through scenario-chosen lifecycles.
/**
 * A simulated kubelet that runs pods on any cluster port through lifecycles chosen by annotations, so pod
 * tasks reach final phases without nodes.
 *
 * @module kubetasks/adapters/kubelet
 */
export { startKubelet, type Kubelet, type KubeletOptions } from './kubelet.js';
export {
  INIT_DURATION_ANNOTATION,
  PENDING_DURATION_ANNOTATION,
  RUN_DURATION_ANNOTATION,
  SCENARIO_ANNOTATION,
  SCENARIO_CONTAINER_ANNOTATION,
  parseScenario,
  planOf,
  scenarioTags,
  showScenario,
  type PodPlan,
  type Scenario,
  type ScenarioTag,
} from './scenarios.js';
export { makeClusterEventRecorder, type ClusterEventRecorderOptions } from './events.js';
export { normalizeImage } from './status.js';
