// The in-memory cluster adapter (`kubetasks/adapters/memory`): an embedded API server and a fault-injecting wrapper.
/**
 * An in-memory Kubernetes API server behind the cluster port, and `withFaults` to inject errors, latency and
 * dropped watches into any cluster port: for tests, simulations and runs without a cluster.
 *
 * @module kubetasks/adapters/memory
 */
export { makeMemoryCluster, type MemoryCluster, type MemoryClusterOptions } from './cluster.js';
export type { CustomKind } from './kinds.js';
export { taskExecutionKind } from './kinds.js';
export {
  faultVerbs,
  withFaults,
  type FaultOptions,
  type FaultRecord,
  type FaultRule,
  type FaultVerb,
  type FaultyCluster,
  type InjectedError,
} from './faults.js';
export { makePrng, type Prng } from './prng.js';
// For fault rules that inject a Status error of one's own (a quota message, say), not only a reason.
export { statusError } from '../../domain/api-error.js';
