// The informer through an API server outage: it keeps trying, and resumes soon after the server is back.
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster } from '../../src/adapters/memory/index.js';
import { Informer } from '../../src/app/informer.js';
import { serviceUnavailable } from '../../src/domain/api-error.js';
import type { ClusterPort, WatchStream } from '../../src/ports/cluster.js';

const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' } as const;

/** What docs/deploying.md promises: the controller's caches follow the API server again within 5 s of its return. */
const RESUME_MS = 5_000;

// Each case advances virtual time in 100 ms steps after the outage: a fifth of the global runs (a soak raises them).
const runs = Math.max(10, Math.round((fc.readConfigureGlobal().numRuns ?? 100) / 5));

/** A port to `inner` that an outage cuts: open watches end, and lists and watches are refused until it is over. */
const outage = (inner: ClusterPort) => {
  let down = false;
  const open = new Set<WatchStream>();
  const port: ClusterPort = {
    ...inner,
    list: (gvk, selection) =>
      down ? TE.left(serviceUnavailable('connect ECONNREFUSED')) : inner.list(gvk, selection),
    watch: (gvk, options) =>
      down
        ? TE.left(serviceUnavailable('connect ECONNREFUSED'))
        : TE.map((w: WatchStream) => {
            open.add(w);
            return w;
          })(inner.watch(gvk, options)),
  };
  return {
    port,
    begin: () => {
      down = true;
      for (const w of open) w.stop();
      open.clear();
    },
    end: () => {
      down = false;
    },
  };
};

describe('the informer through an API server outage', () => {
  test.prop(
    [fc.integer({ min: 1_000, max: 180_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })],
    { numRuns: runs },
  )(
    'sees a change made after the server is back within one maximal back-off of its return',
    async (outageMs, entropy) => {
      const clock = makeVirtualClock();
      const memory = makeMemoryCluster({ clock, namespaces: ['ns'] });
      const cut = outage(memory);
      const informer = new Informer({ cluster: cut.port, clock, kind: CONFIG_MAP, random: () => entropy });
      try {
        await informer.start();
        cut.begin();
        await clock.advance(outageMs);
        cut.end();
        const back = clock.now();
        await memory.create({ ...CONFIG_MAP, metadata: { name: 'after', namespace: 'ns' } })();
        while (informer.get('ns', 'after') === undefined && clock.now() - back <= 60_000)
          await clock.advance(100);
        // Retries keep coming during the outage, never further apart than the back-off's cap: the first one after the
        // return watches (or lists) again, and the change is in the cache.
        expect(clock.now() - back).toBeLessThanOrEqual(RESUME_MS + 100);
        expect(informer.get('ns', 'after')).toBeDefined();
      } finally {
        const stopping = informer.stop();
        await clock.advance(60_000);
        await stopping;
        memory.close();
        clock.dispose();
      }
    },
  );
});
