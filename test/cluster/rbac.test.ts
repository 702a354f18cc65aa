// docs/rbac.yaml on a real kube-apiserver: a user bound only to that Role can run the plugin manager lifecycle.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { parseAllDocuments } from 'yaml';
import { Manager } from '../../src/app/manager.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import type { Kubelet } from '../../src/adapters/kubelet/index.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { Logger, LogFields } from '../../src/ports/logger.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { podsWithOurFinalizer, podTask, startFastKubelet, wallClockConfig } from './fixtures.js';
import { spyOn, type PortSpy } from './port-spy.js';

const NS = 'jobs-rbac';
const OTHER_NS = 'elsewhere';
const USER = 'kubetasks-runner';
let plane: ControlPlane | undefined;
let admin: KubernetesCluster | undefined;
let restricted: KubernetesCluster | undefined;
let spy: PortSpy | undefined;
let kubelet: Kubelet | undefined;
let manager: Manager | undefined;
const logged: Array<{ level: string; message: string; fields: LogFields }> = [];

const config = wallClockConfig();

const recordingLogger = (bound: LogFields = {}): Logger => {
  const at =
    (level: string) =>
    (message: string, fields: LogFields = {}): void => {
      logged.push({ level, message, fields: { ...bound, ...fields } });
    };
  return {
    debug: () => undefined,
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => recordingLogger({ ...bound, ...fields }),
  };
};

const task = (action: string, scenario: string) => podTask({ namespace: NS, run: 'rb', action, scenario });

const must = async (label: string, r: Promise<E.Either<{ message: string }, unknown>>): Promise<void> => {
  const x = await r;
  if (E.isLeft(x)) throw new Error(`${label}: ${x.left.message}`);
};

/** docs/rbac.yaml's Role and RoleBinding, moved to `namespace`, the binding's subject replaced by `user`. */
const rbacManifests = (namespace: string, user: string): KubeObject[] => {
  const docs = parseAllDocuments(readFileSync('docs/rbac.yaml', 'utf8')).map((d) => d.toJS() as KubeObject);
  const kinds = docs.map((d) => d.kind).sort();
  if (kinds.join(',') !== 'Role,RoleBinding') throw new Error(`docs/rbac.yaml holds ${kinds.join(',')}`);
  return docs.map((d) => ({
    ...d,
    metadata: { ...d.metadata, namespace },
    ...(d.kind === 'RoleBinding'
      ? { subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }] }
      : {}),
  }));
};

const ourFinalizers = (): Promise<string[]> => podsWithOurFinalizer(admin!, NS);
const forbidden = (): unknown[] => [
  ...(spy?.errors ?? []).filter((e) => e.reason === 'Forbidden' || /forbidden/i.test(e.message)),
  ...logged.filter((l) => /forbidden/i.test(`${l.message} ${JSON.stringify(l.fields)}`)),
];

beforeAll(async () => {
  plane = await startControlPlane();
  admin = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
  for (const name of [NS, OTHER_NS])
    await must(name, admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })());
  for (const m of rbacManifests(NS, USER)) await must(m.kind, admin.create(m)());
  const user = await plane.mintUser(USER, ['kubetasks-runners']);
  restricted = makeKubernetesCluster({ kubeconfigPath: user.kubeconfigPath });
  spy = spyOn(restricted);
  // The kubelet stands in for the node, which is not what the Role grants: it runs as the admin.
  kubelet = await startFastKubelet(admin, NS);
  const registry = builtInRegistry();
  if (E.isLeft(registry)) throw new Error('registry');
  // The Role is the pod plugin's: the platform enables only that plugin, so no other kind is watched.
  manager = new Manager({
    cluster: spy.port,
    clock: systemClock,
    registry: registry.right,
    config: { ...config, tasks: { 'task-plugins': { ...config.tasks['task-plugins'], enabled: ['pod'] } } },
    namespace: NS,
    logger: recordingLogger(),
  });
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  await kubelet?.stop();
  restricted?.close();
  admin?.close();
  await plane?.stop();
});

describe('the least-privilege Role of docs/rbac.yaml on a real kube-apiserver', () => {
  it('the minted user holds only what the Role grants: no pods in another namespace', async () => {
    const other = await restricted!.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: OTHER_NS })();
    expect(E.isLeft(other) && other.left.reason).toBe('Forbidden');
    const all = await restricted!.list({ apiVersion: 'v1', kind: 'Pod' })();
    expect(E.isLeft(all) && all.left.reason).toBe('Forbidden');
    const create = await restricted!.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'nope', namespace: NS },
    })();
    expect(E.isLeft(create) && create.left.reason).toBe('Forbidden');
    const own = await restricted!.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: NS })();
    expect(E.isRight(own)).toBe(true);
  });

  it.each([
    ['ok', 'succeed', 'Success', undefined],
    ['fails', 'exit:1', 'PermanentFailure', 'Error'],
  ] as const)(
    '%s: %s ends %s as the restricted user, with no Forbidden answer',
    async (action, scenario, phase, code) => {
      expect(manager!.submit(action, task(action, scenario))).toEqual(E.right(undefined));
      const final = await manager!.awaitFinal(action);
      await manager!.idle();
      expect(final.phase).toBe(phase);
      if (code !== undefined) expect(final.error?.code).toBe(code);
      expect(await ourFinalizers()).toEqual([]);
      expect(forbidden()).toEqual([]);
    },
  );

  it('aborts a running task as the restricted user, with no Forbidden answer', async () => {
    manager!.submit('stuck', task('stuck', 'stuck-pending'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    manager!.abort('stuck', 'test');
    const final = await manager!.awaitFinal('stuck');
    await manager!.idle();
    expect(final.phase).toBe('Aborted');
    expect(await ourFinalizers()).toEqual([]);
    expect(forbidden()).toEqual([]);
  });

  it('the manager actually went through the restricted identity', () => {
    expect([...spy!.creates.keys()].filter((k) => k.startsWith(`${NS}/`)).length).toBeGreaterThanOrEqual(3);
  });
});
