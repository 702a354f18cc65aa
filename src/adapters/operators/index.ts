// Simulated operators for the custom resources of the built-in CRD plugins, and the runtime that drives them.
/**
 * Simulated operators for the custom resources of the built-in CRD plugins (Spark, Kubeflow, Ray, Dask, batch
 * Job), so those plugins run to a final phase without the real operators.
 *
 * @module kubetasks/adapters/operators
 */
export { scenarioAnnotations, SCENARIO_ROLE_ANNOTATION, type SimulatedOperator } from './operator.js';
export { startOperators, type Operators, type OperatorsOptions } from './runtime.js';

import { jobOperator } from './job.js';
import type { SimulatedOperator } from './operator.js';
import { kubeflowOperators } from './kubeflow.js';
import { sparkOperator } from './spark.js';
import { rayOperator } from './ray.js';
import { daskOperator } from './dask.js';

/** The simulated operators of the built-in CRD plugins; `kubetasks run` starts them beside the kubelet. */
export const builtInOperators: ReadonlyArray<SimulatedOperator> = [
  ...kubeflowOperators,
  sparkOperator,
  jobOperator,
  rayOperator,
  daskOperator,
];
