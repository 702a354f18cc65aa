// The public test kit (`kubetasks/testing`): fast-check arbitraries for the domain's inputs.
export * from './arbitraries.js';
