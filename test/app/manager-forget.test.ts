// Forgetting a settled task waits for its last answers: a DELETE still out is answered, and retried if refused, first.
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { Manager } from '../../src/app/manager.js';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { startKubelet } from '../../src/adapters/kubelet/index.js';
import { makeMemoryCluster } from '../../src/adapters/memory/index.js';
import { makeMemoryStateStore } from '../../src/adapters/state-store/memory.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';
import type { TaskExecution } from '../../src/domain/task.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import type { ClusterPort } from '../../src/ports/cluster.js';
import type { StateStore } from '../../src/ports/state-store.js';

const task: TaskExecution = {
  task: { id: { name: 'hello' }, type: 'container', container: { image: 'busybox:1.36', command: ['true'] } },
  execution: {
    id: { run: 'r1', action: 'hello' },
    namespace: 'default',
    annotations: { 'kubetasks.dev/scenario': 'succeed' },
  },
};

describe('Manager.forget', () => {
  it.each([
    ['answered', false],
    ['refused once, then retried', true],
  ])(
    'a task whose pod DELETE is out is not forgotten until it is %s: the pod goes, nothing is stored after',
    async (_, refuse) => {
      const clock = makeVirtualClock({ auto: true });
      const memory = makeMemoryCluster({ clock });
      const kubelet = startKubelet({ cluster: memory, clock });
      await kubelet.ready();
      let forgotten = false;
      const putsAfterForget: string[] = [];
      const records = makeMemoryStateStore();
      const store: StateStore = {
        ...records,
        put: (record) => {
          if (forgotten) putsAfterForget.push(record.taskId);
          return records.put(record);
        },
      };
      // The pod's first DELETE waits at the "API server" until released (and is then refused, or carried out).
      let release: (() => void) | undefined;
      let sent: (() => void) | undefined;
      const deleting = new Promise<void>((resolve) => (sent = resolve));
      let deletes = 0;
      const cluster: ClusterPort = {
        ...memory,
        delete: (ref, options) => async () => {
          if (++deletes > 1) return memory.delete(ref, options)();
          sent?.();
          await new Promise<void>((r) => (release = r));
          return refuse
            ? E.left({
                _tag: 'ApiError' as const,
                reason: 'InternalError' as const,
                code: 500,
                message: 'etcd is busy',
              })
            : memory.delete(ref, options)();
        },
      };
      const registry = builtInRegistry();
      if (E.isLeft(registry)) throw new Error('registry');
      const config = {
        ...defaultPlatformConfig,
        plugins: {
          k8s: {
            ...defaultPlatformConfig.plugins.k8s,
            'inject-finalizer': true,
            'delete-resource-on-finalize': true,
          },
        },
      };
      const m = new Manager({ cluster, clock, registry: registry.right, config, store });
      await m.start();
      expect(m.submit('t1', task)).toEqual(E.right(undefined));
      expect((await m.awaitFinal('t1')).phase).toBe('Success');
      await deleting;
      // Its DELETE is out: kept.
      expect(await m.forget('t1')).toBe(false);
      release?.();
      for (let i = 0; i < 600 && !(await m.forget('t1')); i++) await clock.sleep(100)();
      forgotten = true;
      expect(m.state('t1')).toBeUndefined();
      await clock.sleep(60_000)();
      await m.idle();
      expect(deletes).toBe(refuse ? 2 : 1);
      const pods = await memory.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: 'default' })();
      expect(E.isRight(pods) && pods.right.items.length).toBe(0);
      expect(putsAfterForget).toEqual([]);
      expect(records.size()).toBe(0);
      await m.stop();
      await kubelet.stop();
      memory.close();
      clock.dispose();
    },
  );
});
