// The simulated kubelet retries writes an unavailable API server refused: bindings, status writes, deletions.
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { describe, expect, it } from 'vitest';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { startKubelet } from '../../src/adapters/kubelet/index.js';
import { makeMemoryCluster, withFaults, type FaultRule } from '../../src/adapters/memory/index.js';
import type { KubeObject, PodStatus } from '../../src/domain/kubernetes.js';
import type { ApiError } from '../../src/domain/api-error.js';

const POD = { apiVersion: 'v1', kind: 'Pod' } as const;

const ok = async <A>(t: TE.TaskEither<ApiError, A>): Promise<A> => {
  const r = await t();
  if (E.isLeft(r)) throw new Error(`${r.left.reason}: ${r.left.message}`);
  return r.right;
};

const pod = (name: string): KubeObject => ({
  ...POD,
  metadata: { name, namespace: 'default' },
  spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] },
});

describe('kubelet writes refused by an unavailable API server', () => {
  it.each<[string, FaultRule]>([
    ['binding', { verbs: ['bind'], times: 3, error: 'ServiceUnavailable' }],
    ['status write', { verbs: ['patchStatus'], times: 3, error: 'ServiceUnavailable' }],
    ['every write', { verbs: ['bind', 'patchStatus', 'delete'], times: 6, error: 'InternalError' }],
  ])('a refused %s is tried again until the pod succeeds', async (_label, rule) => {
    const clock = makeVirtualClock({ auto: true });
    const inner = makeMemoryCluster({ clock });
    const cluster = withFaults(inner, { seed: 1, clock, rules: [rule] });
    const kubelet = startKubelet({ cluster, clock, nodeName: 'n1' });
    await kubelet.ready();
    await ok(inner.create(pod('p')));
    await clock.sleep(60_000)();
    const got = await ok(inner.get({ ...POD, namespace: 'default', name: 'p' }));
    expect(((got['status'] ?? {}) as PodStatus).phase).toBe('Succeeded');
    expect(cluster.injected().length).toBeGreaterThan(0);
    await kubelet.stop();
    clock.dispose();
  });
});
