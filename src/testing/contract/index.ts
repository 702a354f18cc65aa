// The contract suites (`kubetasks/testing/contract`): vitest suites every cluster adapter and state store must pass.
//
// This entry point imports vitest at load time: vitest is an optional peer dependency of kubetasks, needed only by
// code that imports this module inside a vitest run. The arbitraries (`kubetasks/testing`) need no test runner.
/**
 * The suites an implementation of the cluster port or the state store must pass: call `clusterContract` or
 * `stateStoreContract` in a vitest file. Needs vitest.
 *
 * @module kubetasks/testing/contract
 */
import { afterEach, beforeEach, describe } from 'vitest';
import { admissionContract } from './admission.js';
import { deletionContract } from './deletion.js';
import { kubeletContract } from './kubelet.js';
import { objectsContract } from './objects.js';
import { patchContract } from './patch.js';
import { selectorsContract } from './selectors.js';
import { statusContract } from './status.js';
import type { AdapterFactory, ContractAdapter } from './support.js';
import { watchContract } from './watch.js';

/**
 * Registers the contract suite under `describe(name)`. `makeAdapter` runs before every test; the adapter must
 * serve the built-in kinds and the contract's custom kinds (`contractKinds`). Tests create their own namespaces
 * (server-named), never rely on exact resourceVersion numbers, and use only behaviour kube-apiserver has, so the
 * same suite runs unchanged against a real API server.
 */
export const clusterContract = (name: string, makeAdapter: AdapterFactory): void => {
  describe(name, () => {
    let adapter: ContractAdapter | undefined;
    beforeEach(async () => {
      adapter = await makeAdapter();
    });
    afterEach(async () => {
      const a = adapter;
      adapter = undefined;
      await a?.cleanup();
    });
    const ctx = (): ContractAdapter => {
      if (adapter === undefined) throw new Error('clusterContract: no adapter (makeAdapter failed?)');
      return adapter;
    };
    objectsContract(ctx);
    patchContract(ctx);
    admissionContract(ctx);
    statusContract(ctx);
    deletionContract(ctx);
    selectorsContract(ctx);
    watchContract(ctx);
    kubeletContract(ctx);
  });
};

export { contractCustomResourceDefinitions, contractKinds, GADGET, WIDGET } from './kinds.js';
export type { AdapterFactory, ContractAdapter } from './support.js';
export { stateStoreContract, type StateStoreUnderTest } from './state-store.js';
export { arbTaskId } from '../task-id-arbitraries.js';
