// `render --with-metadata` shows exactly the object the plugin manager creates: compared on the in-memory cluster.
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster } from '../../src/adapters/memory/index.js';
import { loadPlatformConfig, loadTaskExecution } from '../../src/app/inputs.js';
import { Manager } from '../../src/app/manager.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import { runCli } from './spawn.js';

const TASK = 'examples/tasks/hello.yaml';
const CONFIG = 'examples/platform.yaml';

const must = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
  return r.right;
};

/** The pod the manager creates for the task file, read back from the in-memory cluster. */
const createdByManager = async (): Promise<KubeObject> => {
  const clock = makeVirtualClock({ auto: true });
  const config = must(loadPlatformConfig(CONFIG, readFileSync(CONFIG, 'utf8')));
  const te = must(loadTaskExecution(TASK, readFileSync(TASK, 'utf8')));
  const namespace = te.execution.namespace;
  const cluster = makeMemoryCluster({ clock, namespaces: [namespace] });
  const manager = new Manager({ cluster, clock, registry: must(builtInRegistry()), config });
  await manager.start();
  try {
    // The id `run` submits under: <run>-<action>.
    const taskId = `${te.execution.id.run}-${te.execution.id.action}`;
    const queued = new Promise<void>((resolve) =>
      manager.subscribe((u) => {
        if (u.phaseInfo.phase === 'Queued') resolve();
      }),
    );
    expect(manager.submit(taskId, te)).toEqual(E.right(undefined));
    await queued;
    const pods = must(await cluster.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace })());
    expect(pods.items).toHaveLength(1);
    return pods.items[0] as KubeObject;
  } finally {
    await manager.stop();
    cluster.close();
    clock.dispose();
  }
};

describe('render --with-metadata', () => {
  it('prints the metadata and spec the manager creates', async () => {
    const r = runCli(['render', TASK, '-c', CONFIG, '--with-metadata', '-o', 'json']);
    expect(r.code).toBe(0);
    const rendered = JSON.parse(r.stdout) as KubeObject & { spec: unknown };
    const created = (await createdByManager()) as KubeObject & { spec: unknown };
    const meta = (o: KubeObject) => {
      const { name, namespace, labels, annotations, ownerReferences, finalizers } = o.metadata ?? {};
      return { name, namespace, labels, annotations, ownerReferences, finalizers };
    };
    expect(meta(rendered)).toEqual(meta(created));
    expect(rendered.metadata?.labels?.['kubetasks.dev/managed']).toBe('true');
    expect(rendered.metadata?.annotations?.['kubetasks.dev/task-id']).toBe('r7f3a2-hello');
    // The server adds defaults to the spec, never removes: everything rendered is what was created.
    expect(created.spec).toMatchObject(rendered.spec as object);
  });
});
