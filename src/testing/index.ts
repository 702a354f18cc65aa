// The public test kit (`kubetasks/testing`): fast-check arbitraries for the domain's inputs, needing no test runner.
//
// Nothing here imports vitest, so a plugin author can use the arbitraries with fast-check alone (with any runner).
// The contract suites, which register vitest tests, are `kubetasks/testing/contract` (src/testing/contract/index.ts).
/**
 * fast-check arbitraries for tasks, configs, phases and the resources of every built-in plugin, for property
 * tests of plugins and of code built on kubetasks. Needs fast-check, not vitest.
 *
 * @module kubetasks/testing
 */
export * from './arbitraries.js';
export * from './task-arbitraries.js';
export { contractCustomResourceDefinitions, contractKinds, GADGET, WIDGET } from './contract/kinds.js';
export type { AdapterFactory, ContractAdapter } from './contract/support.js';
export * from './task-id-arbitraries.js';
export * from './pod-arbitraries.js';
export * from './spark-arbitraries.js';
export * from './job-arbitraries.js';
export * from './kubeflow-arbitraries.js';
export * from './ray-arbitraries.js';
export * from './dask-arbitraries.js';
export * from './json-arbitraries.js';
