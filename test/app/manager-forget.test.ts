// Forgetting a settled task is for good: an answer that comes after (its pod seen gone first) reconciles nothing.
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
  it('a DELETE answered after its pod was seen gone and the task forgotten stores nothing for it', async () => {
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
    // The pod's DELETE takes effect at once, but its answer is held (a slow response): the watch sees the pod go,
    // the task settles and is forgotten, and only then does the answer come.
    let release: (() => void) | undefined;
    let deletes = 0;
    const cluster: ClusterPort = {
      ...memory,
      delete: (ref, options) => async () => {
        deletes++;
        const r = await memory.delete(ref, options)();
        await new Promise<void>((resolve) => (release = resolve));
        return r;
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
    for (let i = 0; i < 600 && !(await m.forget('t1')); i++) await clock.sleep(100)();
    forgotten = true;
    release?.();
    expect(m.state('t1')).toBeUndefined();
    expect(release).toBeDefined();
    await clock.sleep(60_000)();
    await m.idle();
    expect(deletes).toBe(1);
    const pods = await memory.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: 'default' })();
    expect(E.isRight(pods) && pods.right.items.length).toBe(0);
    expect(putsAfterForget).toEqual([]);
    expect(records.size()).toBe(0);
    await m.stop();
    await kubelet.stop();
    memory.close();
    clock.dispose();
  });
});
