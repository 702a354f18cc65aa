// The cluster contract: one vitest suite that every cluster adapter (in-memory, real API server) must pass.
//
// vitest is imported at run time: it is an optional peer of kubetasks, needed only by code that calls
// `clusterContract` (from `kubetasks/testing`) inside a vitest run.
import { afterEach, beforeEach, describe } from 'vitest';
import { admissionContract } from './admission.js';
import { deletionContract } from './deletion.js';
import { kubeletContract } from './kubelet.js';
import { objectsContract } from './objects.js';
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
export { arbTaskId, stateStoreContract, type StateStoreUnderTest } from './state-store.js';
