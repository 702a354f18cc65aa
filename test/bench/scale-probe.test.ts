// The scale bench's probe on the in-memory cluster: it counts the manager's calls as the API server would and
// timestamps each pod's steps (created, bound, running, terminal) in order, without changing what the manager sees.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { startKubelet } from '../../src/adapters/kubelet/index.js';
import { makeMemoryCluster } from '../../src/adapters/memory/index.js';
import { Manager } from '../../src/app/manager.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import { makeScaleProbe } from '../../bench/support/scale-measure.js';
import { podTask } from '../cluster/fixtures.js';

describe('scale probe', () => {
  it('counts the manager calls and sees every pod step in order', async () => {
    const clock = makeVirtualClock({ auto: true });
    const cluster = makeMemoryCluster({ clock, namespaces: ['p'] });
    const kubelet = startKubelet({ cluster, clock, durations: { pendingMs: 100, runMs: 100, initMs: 0 } });
    await kubelet.ready();
    const registry = builtInRegistry();
    if (E.isLeft(registry)) throw new Error('registry');
    const probe = makeScaleProbe(cluster);
    const manager = new Manager({
      cluster: probe.port,
      clock,
      registry: registry.right,
      config: {
        ...defaultPlatformConfig,
        plugins: { k8s: { ...defaultPlatformConfig.plugins.k8s, 'inject-finalizer': true } },
      },
    });
    await manager.start();
    const ids = ['a', 'b', 'c'];
    for (const id of ids)
      expect(
        manager.submit(
          id,
          podTask({ namespace: 'p', run: 'r', action: id, scenario: id === 'c' ? 'exit:1' : 'succeed' }),
        ),
      ).toEqual(E.right(undefined));
    const finals = await Promise.all(ids.map((id) => manager.awaitFinal(id)));
    await manager.idle();
    expect(finals.map((f) => f.phase)).toEqual(['Success', 'Success', 'PermanentFailure']);
    expect(probe.counts.get('POST pods')).toBe(3);
    expect(probe.counts.get('PATCH pods')).toBe(3);
    expect(probe.counts.get('GET pods')).toBeUndefined();
    for (const id of ids) {
      const m = probe.milestones.get(id);
      const t = probe.terminal.get(id);
      expect(m?.created, id).toBeDefined();
      expect(m?.bound, id).toBeGreaterThanOrEqual(m!.created!);
      expect(m?.running, id).toBeGreaterThanOrEqual(m!.bound!);
      expect(t?.arrivedAt, id).toBeGreaterThanOrEqual(m!.running!);
    }
    await manager.stop();
    await kubelet.stop();
    cluster.close();
    clock.dispose();
  });
});
