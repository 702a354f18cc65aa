// The cluster contract against the in-memory cluster, on a virtual clock in auto mode.
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster } from '../../src/adapters/memory/index.js';
import { clusterContract, contractKinds } from '../../src/testing/contract/index.js';

clusterContract('in-memory cluster', () => {
  const clock = makeVirtualClock({ auto: true });
  const cluster = makeMemoryCluster({ clock, kinds: contractKinds });
  return Promise.resolve({
    cluster,
    clock,
    cleanup: () => {
      cluster.close();
      clock.dispose();
      return Promise.resolve();
    },
  });
});
