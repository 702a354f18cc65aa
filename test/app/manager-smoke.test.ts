// First light: the manager runs a pod task to the end on the in-memory cluster with the simulated kubelet.
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { Manager } from '../../src/app/manager.js';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { startKubelet } from '../../src/adapters/kubelet/index.js';
import { makeMemoryCluster } from '../../src/adapters/memory/index.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import type { TaskExecution } from '../../src/domain/task.js';

const task = (scenario: string): TaskExecution => ({
  task: {
    id: { name: 'hello' },
    type: 'container',
    container: { image: 'busybox:1.36', command: ['echo', 'hi'] },
  },
  execution: {
    id: { run: 'r1', action: 'hello' },
    namespace: 'default',
    annotations: { 'kubetasks.dev/scenario': scenario },
  },
});

describe('manager smoke', () => {
  it.each(['succeed', 'exit:3', 'oom'])('runs a %s pod to its end', async (scenario) => {
    const clock = makeVirtualClock({ auto: true });
    const cluster = makeMemoryCluster({ clock });
    const kubelet = startKubelet({ cluster, clock });
    await kubelet.ready();
    const registry = builtInRegistry();
    if (E.isLeft(registry)) throw new Error('registry');
    const config = {
      ...defaultPlatformConfig,
      plugins: { k8s: { ...defaultPlatformConfig.plugins.k8s, 'inject-finalizer': true } },
    };
    const manager = new Manager({ cluster, clock, registry: registry.right, config });
    const phases: string[] = [];
    manager.subscribe((u) => phases.push(`${u.attempt}:${u.phaseInfo.phase}`));
    await manager.start();
    expect(manager.submit('t1', task(scenario))).toEqual(E.right(undefined));
    const final = await manager.awaitFinal('t1');
    await manager.idle();
    console.log(scenario, phases.join(' '), final.error);
    expect(final.phase).toBe(scenario === 'succeed' ? 'Success' : 'PermanentFailure');
    await manager.stop();
    await kubelet.stop();
    cluster.close();
    clock.dispose();
  });
});
