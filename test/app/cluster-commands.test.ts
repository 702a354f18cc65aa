// The interpreter's cluster calls: deletes guarded by the uid of the object the machine meant.
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster } from '../../src/adapters/memory/index.js';
import { applyAbort, deleteObject, type CommandPorts } from '../../src/app/cluster-commands.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';

const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'c' };
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' } };

const setUp = () => {
  const clock = makeVirtualClock({ auto: true });
  const cluster = makeMemoryCluster({ clock, namespaces: ['ns'] });
  const ports: CommandPorts = {
    cluster,
    clock,
    config: defaultPlatformConfig,
    cached: () => undefined,
    count: () => undefined,
  };
  /** The uid of the first object, then a newer object under the same name. */
  const replaced = async (): Promise<string> => {
    const first = await cluster.create(configMap)();
    if (E.isLeft(first)) throw new Error(first.left.message);
    await cluster.delete(ref)();
    await cluster.create(configMap)();
    return first.right.metadata?.uid ?? '';
  };
  const exists = async (): Promise<boolean> => E.isRight(await cluster.get(ref)());
  return { ports, replaced, exists, close: () => (cluster.close(), clock.dispose()) };
};

describe('deletes carry the uid precondition', () => {
  it('a delete meant for an older object leaves the newer one of the same name', async () => {
    const w = setUp();
    const oldUid = await w.replaced();
    const answer = await deleteObject(w.ports, ref, oldUid);
    expect(answer).toMatchObject({ _tag: 'DeleteAnswered', error: { reason: 'Conflict' } });
    expect(await w.exists()).toBe(true);
    w.close();
  });

  it('an abort by delete likewise, and passes the Conflict on (the machine counts the object meant as gone)', async () => {
    const w = setUp();
    const oldUid = await w.replaced();
    const answer = await applyAbort(w.ports, ref, { _tag: 'Delete' }, oldUid);
    expect(answer).toMatchObject({ _tag: 'AbortApplied', ref, error: { reason: 'Conflict' } });
    expect(await w.exists()).toBe(true);
    w.close();
  });
});
