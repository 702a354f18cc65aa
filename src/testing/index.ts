// The public test kit (`kubetasks/testing`): fast-check arbitraries for the domain's inputs.
export * from './arbitraries.js';
export * from './task-arbitraries.js';
export * from './contract/index.js';
export * from './pod-arbitraries.js';
