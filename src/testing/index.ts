// The public test kit (`kubetasks/testing`): fast-check arbitraries for the domain's inputs.
export * from './arbitraries.js';
export * from './task-arbitraries.js';
export * from './contract/index.js';
export * from './pod-arbitraries.js';
export * from './spark-arbitraries.js';
export * from './job-arbitraries.js';
export * from './kubeflow-arbitraries.js';
export * from './ray-arbitraries.js';
export * from './dask-arbitraries.js';
export * from './json-arbitraries.js';
