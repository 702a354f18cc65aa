// The real-cluster adapter against a real kube-apiserver + etcd: every port operation, error reason and watch end.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { fc } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_REQUESTS_IN_FLIGHT,
  makeKubernetesCluster,
  type KubernetesCluster,
} from '../../src/adapters/kubernetes/index.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import { Informer } from '../../src/app/informer.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { isRetryable, OPTIMISTIC_LOCK_MESSAGE, type ApiError } from '../../src/domain/api-error.js';
import type { WatchEvent, WatchStream } from '../../src/ports/cluster.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { crdFilePaths } from '../crds/crd-dir.js';

// The operators' CRDs, from the directory KUBETASKS_CRD_DIR names (CI: ../shared/crds beside the clone).
const crdFiles = crdFilePaths();

let plane: ControlPlane;
let k: KubernetesCluster;

beforeAll(async () => {
  plane = await startControlPlane({ crdFiles });
  k = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
});

afterAll(async () => {
  k?.close();
  await plane?.stop();
});

// ---- helpers ----

const ok = async <A>(te: TE.TaskEither<ApiError, A>): Promise<A> => {
  const r = await te();
  if (E.isLeft(r))
    throw new Error(`expected success, got ${r.left.reason} (${r.left.code}): ${r.left.message}`);
  return r.right;
};

const fails = async <A>(te: TE.TaskEither<ApiError, A>): Promise<ApiError> => {
  const r = await te();
  if (E.isRight(r)) throw new Error(`expected a failure, got ${JSON.stringify(r.right).slice(0, 300)}`);
  return r.left;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let nsCounter = 0;
const newNamespace = async (prefix: string): Promise<string> => {
  const name = `${prefix}-${Date.now().toString(36)}-${nsCounter++}`;
  await ok(k.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  return name;
};

const configMap = (namespace: string, name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data: { k: 'v' },
  ...extra,
});

const pod = (namespace: string, name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36' }], restartPolicy: 'Never', ...spec },
});

const rayJob = (namespace: string, name: string, metadata: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'ray.io/v1',
  kind: 'RayJob',
  metadata: { name, namespace, ...metadata },
  spec: { entrypoint: 'python main.py' },
});

const cmKind = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const podKind = { apiVersion: 'v1', kind: 'Pod' } as const;
const rayKind = { apiVersion: 'ray.io/v1', kind: 'RayJob' } as const;

/** The next `n` events, failing after `ms` without them. Stops early only when the stream ends. */
const take = async (stream: WatchStream, n: number, ms = 15_000): Promise<WatchEvent[]> => {
  const out: WatchEvent[] = [];
  const it = stream[Symbol.asyncIterator]();
  const deadline = Date.now() + ms;
  while (out.length < n) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      it.next(),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    if (r === 'timeout')
      throw new Error(
        `only ${out.length} of ${n} events within ${ms} ms: ${out.map((e) => e.type).join(',')}`,
      );
    if (r.done === true) break;
    out.push(r.value);
  }
  return out;
};

/** Reads until the stream ends; the result says how it ended (a throw would be a bug: ends must be clean). */
const drain = async (stream: WatchStream, ms: number): Promise<{ events: WatchEvent[]; ended: boolean }> => {
  const events: WatchEvent[] = [];
  const it = stream[Symbol.asyncIterator]();
  const deadline = Date.now() + ms;
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      it.next(),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    if (r === 'timeout') return { events, ended: false };
    if (r.done === true) return { events, ended: true };
    events.push(r.value);
  }
};

const nameOf = (e: WatchEvent): string => ('object' in e ? (e.object.metadata?.name ?? '') : '');

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

// ---- configuration ----

describe('configuration', () => {
  it('loads a kubeconfig file: server, context and default namespace', async () => {
    expect(k.server).toBe(plane.server);
    expect(k.contextName).toBe('kubetasks-test');
    expect(k.defaultNamespace).toBe('default');
    const ns = await ok(k.get({ apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'default' }));
    expect(ns.metadata?.name).toBe('default');
  });

  it('reads $KUBECONFIG when no file is given', async () => {
    const saved = process.env['KUBECONFIG'];
    process.env['KUBECONFIG'] = plane.kubeconfigPath;
    try {
      const c = makeKubernetesCluster();
      expect(c.server).toBe(plane.server);
      expect(
        (await ok(c.get({ apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'default' }))).kind,
      ).toBe('Namespace');
      c.close();
    } finally {
      if (saved === undefined) delete process.env['KUBECONFIG'];
      else process.env['KUBECONFIG'] = saved;
    }
  });

  it('takes kubeconfig text, a context, and a context namespace', async () => {
    const text = fs
      .readFileSync(plane.kubeconfigPath, 'utf8')
      .replace('namespace: default', 'namespace: team-a');
    const c = makeKubernetesCluster({ kubeconfig: text, context: 'kubetasks-test' });
    expect(c.defaultNamespace).toBe('team-a');
    expect(await ok(c.serves(podKind))).toBe(true);
    c.close();
    expect(() => makeKubernetesCluster({ kubeconfig: text, context: 'nope' })).toThrow(/no context "nope"/);
  });

  it('refuses missing or contradictory configuration up front', () => {
    expect(() => makeKubernetesCluster({ inCluster: true, kubeconfigPath: plane.kubeconfigPath })).toThrow(
      /at most one/,
    );
    const saved = {
      host: process.env['KUBERNETES_SERVICE_HOST'],
      kc: process.env['KUBECONFIG'],
      home: process.env['HOME'],
    };
    const emptyHome = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetasks-home-'));
    try {
      delete process.env['KUBERNETES_SERVICE_HOST'];
      expect(() => makeKubernetesCluster({ inCluster: true })).toThrow(/KUBERNETES_SERVICE_HOST/);
      delete process.env['KUBECONFIG'];
      process.env['HOME'] = emptyHome;
      expect(() => makeKubernetesCluster()).toThrow(/no kubeconfig/);
    } finally {
      for (const [key, value] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBECONFIG', saved.kc],
        ['HOME', saved.home],
      ] as const) {
        if (value === undefined) Reflect.deleteProperty(process.env, key);
        else process.env[key] = value;
      }
      fs.rmSync(emptyHome, { recursive: true, force: true });
    }
  });

  it('reports a bad token as Unauthorized, an untrusted or unreachable server, and a user without a role as Forbidden', async () => {
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    // JSON is YAML: a kubeconfig with a bearer token the server does not know.
    const badToken = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'c', cluster: { server: plane.server, 'certificate-authority-data': b64(plane.caPem) } },
      ],
      users: [{ name: 'u', user: { token: 'not-a-valid-token' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    });
    const anonymous = makeKubernetesCluster({ kubeconfig: badToken });
    const unauthorized = await fails(anonymous.get({ ...podKind, namespace: 'default', name: 'x' }));
    expect(unauthorized).toMatchObject({ reason: 'Unauthorized', code: 401 });
    anonymous.close();

    // A CA that did not sign the server's certificate: a configuration error, not worth retrying.
    const wrongCa = badToken.replace(b64(plane.caPem), b64(plane.adminCertPem));
    const untrusted = makeKubernetesCluster({ kubeconfig: wrongCa });
    const tls = await fails(untrusted.get({ ...podKind, namespace: 'default', name: 'x' }));
    expect(tls).toMatchObject({ reason: 'Unknown', code: 500 });
    expect(tls.message).toMatch(/certificate|verify/i);
    expect(isRetryable(tls)).toBe(false);
    untrusted.close();
    // Nothing listening: transient, so callers back off and retry.
    const closedPort = badToken.replace(plane.server, 'https://127.0.0.1:1');
    const nobody = makeKubernetesCluster({ kubeconfig: closedPort });
    const refused = await fails(nobody.get({ ...podKind, namespace: 'default', name: 'x' }));
    expect(refused).toMatchObject({ reason: 'ServiceUnavailable', code: 503 });
    expect(refused.message).toMatch(/ECONNREFUSED/);
    expect(isRetryable(refused)).toBe(true);
    nobody.close();

    const alice = await plane.mintUser('alice', ['kubetasks:nobody']);
    const asAlice = makeKubernetesCluster({ kubeconfigPath: alice.kubeconfigPath });
    // Discovery is public (system:discovery), so the refusal comes from the object request itself.
    const forbidden = await fails(asAlice.list(podKind, { namespace: 'default' }));
    expect(forbidden).toMatchObject({ reason: 'Forbidden', code: 403, details: { kind: 'pods' } });
    expect(forbidden.message).toMatch(/^pods is forbidden: User "alice" cannot list resource "pods"/);
    asAlice.close();
  });
});

// ---- discovery ----

describe('discovery', () => {
  it('resolves built-in and custom kinds: plural, scope, status subresource', async () => {
    expect(await ok(k.discover(podKind))).toEqual(
      O.some({ ...podKind, plural: 'pods', namespaced: true, statusSubresource: true }),
    );
    expect(await ok(k.discover(cmKind))).toEqual(
      O.some({ ...cmKind, plural: 'configmaps', namespaced: true, statusSubresource: false }),
    );
    expect(await ok(k.discover({ apiVersion: 'v1', kind: 'Node' }))).toEqual(
      O.some({ apiVersion: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, statusSubresource: true }),
    );
    expect(await ok(k.discover(rayKind))).toEqual(
      O.some({ ...rayKind, plural: 'rayjobs', namespaced: true, statusSubresource: true }),
    );
    expect(await ok(k.discover({ apiVersion: 'batch/v1', kind: 'Job' }))).toEqual(
      O.some({
        apiVersion: 'batch/v1',
        kind: 'Job',
        plural: 'jobs',
        namespaced: true,
        statusSubresource: true,
      }),
    );
  });

  it('answers none for kinds, versions and groups that are not served, and refuses calls on them', async () => {
    expect(await ok(k.discover({ apiVersion: 'v1', kind: 'Nope' }))).toEqual(O.none);
    expect(await ok(k.discover({ apiVersion: 'ray.io/v9', kind: 'RayJob' }))).toEqual(O.none);
    expect(await ok(k.discover({ apiVersion: 'example.com/v1', kind: 'Widget' }))).toEqual(O.none);
    expect(await ok(k.discover({ apiVersion: 'not a version', kind: 'Pod' }))).toEqual(O.none);
    expect(await ok(k.serves({ apiVersion: 'example.com/v1', kind: 'Widget' }))).toBe(false);
    const err = await fails(
      k.get({ apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'default', name: 'w' }),
    );
    expect(err).toMatchObject({
      reason: 'NotFound',
      code: 404,
      message: 'the server could not find the requested resource',
    });
    expect(await fails(k.watch({ apiVersion: 'v1', kind: 'Nope' }))).toMatchObject({ reason: 'NotFound' });
  });

  it('caches what it found and finds a CRD installed after start-up', async () => {
    await ok(k.discover(podKind));
    const before = k.stats().discoveryRequests;
    for (let i = 0; i < 5; i++) await ok(k.discover(podKind));
    await ok(k.get({ apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'default' }));
    expect(k.stats().discoveryRequests).toBe(before);

    const widget = { apiVersion: 'example.com/v1', kind: 'Widget' };
    expect(await ok(k.serves(widget))).toBe(false);
    await ok(
      k.create({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          ],
        },
      }),
    );
    const deadline = Date.now() + 20_000;
    while (!(await ok(k.serves(widget))) && Date.now() < deadline) await sleep(200);
    expect(await ok(k.discover(widget))).toEqual(
      O.some({ ...widget, plural: 'widgets', namespaced: true, statusSubresource: false }),
    );
    // The first request to a fresh CRD may meet 429 "storage is (re)initializing"; the adapter retries it.
    const w = await ok(k.create({ ...widget, metadata: { name: 'w1', namespace: 'default' }, size: 3 }));
    expect(w).toMatchObject({ ...widget, size: 3, metadata: { name: 'w1', namespace: 'default' } });
  });
});

// ---- reads and writes ----

describe('create, get, update', () => {
  it('round-trips an object: the server fills uid, resourceVersion, creationTimestamp', async () => {
    const ns = await newNamespace('crud');
    const created = await ok(k.create(configMap(ns, 'a')));
    expect(created).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { k: 'v' } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(Date.parse(created.metadata?.creationTimestamp ?? '')).toBeGreaterThan(0);
    const got = await ok(k.get({ ...cmKind, namespace: ns, name: 'a' }));
    expect(got).toEqual(created);
    // Plain JSON only: timestamps stay strings, nothing is a class instance.
    expect(typeof got.metadata?.creationTimestamp).toBe('string');
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);

    const generated = await ok(
      k.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-', namespace: ns } }),
    );
    expect(generated.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);

    const nsObj = await ok(k.get({ apiVersion: 'v1', kind: 'Namespace', name: ns, namespace: 'ignored' }));
    expect(nsObj.metadata?.name).toBe(ns);
  });

  it('updates with optimistic concurrency: current version wins, stale version conflicts', async () => {
    const ns = await newNamespace('occ');
    const v1 = await ok(k.create(configMap(ns, 'a')));
    const v2 = await ok(k.update({ ...v1, data: { k: 'two' } }));
    expect(v2['data']).toEqual({ k: 'two' });
    expect(Number(v2.metadata?.resourceVersion)).toBeGreaterThan(Number(v1.metadata?.resourceVersion));
    const stale = await fails(k.update({ ...v1, data: { k: 'three' } }));
    expect(stale).toEqual({
      _tag: 'ApiError',
      reason: 'Conflict',
      code: 409,
      message: `Operation cannot be fulfilled on configmaps "a": ${OPTIMISTIC_LOCK_MESSAGE}`,
      details: { name: 'a', kind: 'configmaps' },
    });
    // Without a resourceVersion a built-in kind is overwritten unconditionally.
    const { resourceVersion: _rv, ...meta } = v1.metadata ?? {};
    const v3 = await ok(k.update({ ...v1, metadata: meta, data: { k: 'four' } }));
    expect(v3['data']).toEqual({ k: 'four' });
  });

  it('custom resources need a resourceVersion to update (the API server refuses unconditional updates)', async () => {
    const ns = await newNamespace('crupd');
    const job = await ok(k.create(rayJob(ns, 'j')));
    const updated = await ok(k.update({ ...job, metadata: { ...job.metadata, labels: { a: 'b' } } }));
    expect(updated.metadata?.labels).toEqual({ a: 'b' });
    const unconditional = await fails(k.update(rayJob(ns, 'j')));
    expect(unconditional).toMatchObject({
      reason: 'Invalid',
      code: 422,
      details: {
        name: 'j',
        group: 'ray.io',
        kind: 'rayjobs',
        causes: [{ field: 'metadata.resourceVersion' }],
      },
    });
  });

  it('decodes every error reason it can provoke, with the API server message and details', async () => {
    const ns = await newNamespace('errs');
    await ok(k.create(configMap(ns, 'a')));
    expect(await fails(k.create(configMap(ns, 'a')))).toEqual({
      _tag: 'ApiError',
      reason: 'AlreadyExists',
      code: 409,
      message: 'configmaps "a" already exists',
      details: { name: 'a', kind: 'configmaps' },
    });
    expect(await fails(k.get({ ...cmKind, namespace: ns, name: 'missing' }))).toEqual({
      _tag: 'ApiError',
      reason: 'NotFound',
      code: 404,
      message: 'configmaps "missing" not found',
      details: { name: 'missing', kind: 'configmaps' },
    });
    expect(await fails(k.get({ ...rayKind, namespace: ns, name: 'missing' }))).toMatchObject({
      reason: 'NotFound',
      message: 'rayjobs.ray.io "missing" not found',
      details: { name: 'missing', group: 'ray.io', kind: 'rayjobs' },
    });
    // Creating in a namespace that does not exist.
    expect(await fails(k.create(configMap('no-such-ns', 'a')))).toMatchObject({
      reason: 'NotFound',
      message: 'namespaces "no-such-ns" not found',
    });
    const invalid = await fails(k.create(configMap(ns, 'Bad_Name')));
    expect(invalid).toMatchObject({
      reason: 'Invalid',
      code: 422,
      details: { name: 'Bad_Name', kind: 'ConfigMap' },
    });
    expect(invalid.message).toMatch(
      /^ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name"/,
    );
    expect(invalid.details?.causes?.[0]).toMatchObject({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
    });
    // The CRD's OpenAPI schema is enforced: pytorchReplicaSpecs is required.
    const schema = await fails(
      k.create({
        apiVersion: 'kubeflow.org/v1',
        kind: 'PyTorchJob',
        metadata: { name: 'p', namespace: ns },
        spec: {},
      }),
    );
    expect(schema).toMatchObject({
      reason: 'Invalid',
      details: { group: 'kubeflow.org', kind: 'PyTorchJob' },
    });
    expect(await fails(k.list(podKind, { namespace: ns, labelSelector: 'a in' }))).toMatchObject({
      reason: 'BadRequest',
      code: 400,
    });
    expect(await fails(k.list(podKind, { namespace: ns, fieldSelector: 'spec.nope=x' }))).toEqual({
      _tag: 'ApiError',
      reason: 'BadRequest',
      code: 400,
      message: 'field label not supported: spec.nope',
    });
    expect(
      await fails(
        k.patch({ ...rayKind, namespace: ns, name: 'x' }, { type: 'strategic', body: { metadata: {} } }),
      ),
    ).toMatchObject({ reason: 'UnsupportedMediaType', code: 415 });
    expect(
      await fails(k.create(configMap(ns, 'huge', { data: { big: 'x'.repeat(3_300_000) } }))),
    ).toMatchObject({
      reason: 'RequestEntityTooLarge',
      code: 413,
    });
    // A namespaced object without a namespace is refused before anything is sent.
    expect(await fails(k.get({ ...cmKind, namespace: '', name: 'a' }))).toEqual({
      _tag: 'ApiError',
      reason: 'BadRequest',
      code: 400,
      message: 'the namespace of the object is required for configmaps',
    });
    // An update without a name goes to the collection, which has no PUT.
    expect(
      await fails(k.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns } })),
    ).toMatchObject({
      reason: 'MethodNotAllowed',
      code: 405,
      message: 'the server does not allow this method on the requested resource',
    });
    // Status is not a subresource of ConfigMap: the path itself is not served.
    expect(await fails(k.updateStatus(configMap(ns, 'a')))).toMatchObject({
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    });
  });
});

describe('patch', () => {
  it('merge patch: maps merge, null deletes, lists are replaced; a resourceVersion makes it conditional', async () => {
    const ns = await newNamespace('merge');
    const cm = await ok(k.create(configMap(ns, 'a', { data: { x: '1', y: '2' } })));
    const patched = await ok(
      k.patch(
        { ...cmKind, namespace: ns, name: 'a' },
        { type: 'merge', body: { data: { x: null, z: '3' } } },
      ),
    );
    expect(patched['data']).toEqual({ y: '2', z: '3' });
    const stale = await fails(
      k.patch(
        { ...cmKind, namespace: ns, name: 'a' },
        {
          type: 'merge',
          body: { metadata: { resourceVersion: cm.metadata?.resourceVersion }, data: { w: '4' } },
        },
      ),
    );
    expect(stale).toMatchObject({ reason: 'Conflict', code: 409 });
    const job = await ok(k.create(rayJob(ns, 'j')));
    const labelled = await ok(
      k.patch(
        { ...rayKind, namespace: ns, name: 'j' },
        { type: 'merge', body: { metadata: { labels: { team: 'ml' } } } },
      ),
    );
    expect(labelled.metadata?.labels).toEqual({ team: 'ml' });
    expect(labelled.metadata?.generation).toBe(job.metadata?.generation);
  });

  it('strategic merge patch merges containers by name where a merge patch would replace the list', async () => {
    const ns = await newNamespace('smp');
    await ok(
      k.create(
        pod(ns, 'p', {
          containers: [
            { name: 'a', image: 'busybox:1.36' },
            { name: 'b', image: 'busybox:1.36' },
          ],
        }),
      ),
    );
    const ref = { ...podKind, namespace: ns, name: 'p' };
    const body = { spec: { containers: [{ name: 'b', image: 'busybox:1.37' }] } };
    const smp = await ok(k.patch(ref, { type: 'strategic', body }));
    expect(
      (smp['spec'] as { containers: { name: string; image: string }[] }).containers.map((c) => [
        c.name,
        c.image,
      ]),
    ).toEqual([
      ['a', 'busybox:1.36'],
      ['b', 'busybox:1.37'],
    ]);
    // The same body as a merge patch replaces the list, which pod validation forbids.
    expect(await fails(k.patch(ref, { type: 'merge', body }))).toMatchObject({
      reason: 'Invalid',
      code: 422,
    });
  });

  it('JSON patch applies operations in order; a failed test operation changes nothing', async () => {
    const ns = await newNamespace('jsonp');
    await ok(k.create(configMap(ns, 'a', { data: { x: '1' } })));
    const ref = { ...cmKind, namespace: ns, name: 'a' };
    const patched = await ok(
      k.patch(ref, {
        type: 'json',
        body: [
          { op: 'test', path: '/data/x', value: '1' },
          { op: 'add', path: '/data/y', value: '2' },
          { op: 'replace', path: '/data/x', value: '10' },
          { op: 'add', path: '/metadata/labels', value: { a: 'b' } },
        ],
      }),
    );
    expect(patched['data']).toEqual({ x: '10', y: '2' });
    expect(patched.metadata?.labels).toEqual({ a: 'b' });
    const failed = await fails(
      k.patch(ref, {
        type: 'json',
        body: [
          { op: 'add', path: '/data/z', value: '3' },
          { op: 'test', path: '/data/x', value: 'wrong' },
        ],
      }),
    );
    expect(failed.code).toBeGreaterThanOrEqual(400);
    expect(failed.code).toBeLessThan(500);
    expect((await ok(k.get(ref)))['data']).toEqual({ x: '10', y: '2' });
  });
});

describe('status subresource', () => {
  it('pods: status writes change only status, main writes ignore status', async () => {
    const ns = await newNamespace('status');
    const created = await ok(k.create(pod(ns, 'p', { nodeName: 'node-1' })));
    const ref = { ...podKind, namespace: ns, name: 'p' };
    const running = await ok(
      k.patchStatus(ref, {
        type: 'strategic',
        body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
      }),
    );
    expect(running['status']).toMatchObject({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
    });
    // Main-resource writes drop status changes ...
    const relabelled = await ok(
      k.update({
        ...running,
        metadata: { ...running.metadata, labels: { a: 'b' } },
        status: { phase: 'Failed' },
      }),
    );
    expect(relabelled.metadata?.labels).toEqual({ a: 'b' });
    expect((relabelled['status'] as { phase: string }).phase).toBe('Running');
    // ... and status writes drop spec changes.
    const viaStatus = await ok(
      k.updateStatus({
        ...relabelled,
        spec: { ...(relabelled['spec'] as object), activeDeadlineSeconds: 5 },
        status: { ...(relabelled['status'] as object), phase: 'Succeeded' },
      }),
    );
    expect((viaStatus['status'] as { phase: string }).phase).toBe('Succeeded');
    expect((viaStatus['spec'] as { activeDeadlineSeconds?: number }).activeDeadlineSeconds).toBeUndefined();
    expect(viaStatus.metadata?.uid).toBe(created.metadata?.uid);
  });

  it('custom resources: status is written through /status with merge or JSON patches', async () => {
    const ns = await newNamespace('crstatus');
    const created = await ok(k.create({ ...rayJob(ns, 'j'), status: { jobStatus: 'IGNORED' } }));
    expect(created['status']).toBeUndefined();
    const ref = { ...rayKind, namespace: ns, name: 'j' };
    const merged = await ok(
      k.patchStatus(ref, { type: 'merge', body: { status: { jobDeploymentStatus: 'Running' } } }),
    );
    // The CRD's schema defaults fill the rest of status.
    expect(merged['status']).toMatchObject({ jobDeploymentStatus: 'Running' });
    expect(merged['status']).not.toHaveProperty('jobStatus');
    const viaJson = await ok(
      k.patchStatus(ref, {
        type: 'json',
        body: [{ op: 'add', path: '/status/jobStatus', value: 'SUCCEEDED' }],
      }),
    );
    expect(viaJson['status']).toMatchObject({ jobDeploymentStatus: 'Running', jobStatus: 'SUCCEEDED' });
    expect(viaJson.metadata?.generation).toBe(created.metadata?.generation);
    const updated = await ok(k.updateStatus({ ...viaJson, status: { jobDeploymentStatus: 'Complete' } }));
    expect(updated['status']).toMatchObject({ jobDeploymentStatus: 'Complete' });
    expect(updated['status']).not.toHaveProperty('jobStatus');
    expect(await fails(k.updateStatus(viaJson))).toMatchObject({ reason: 'Conflict' });
  });
});

describe('delete', () => {
  it('removes at once without finalizers; marks and keeps with them until the last one goes', async () => {
    const ns = await newNamespace('del');
    await ok(k.create(configMap(ns, 'plain')));
    expect(await ok(k.delete({ ...cmKind, namespace: ns, name: 'plain' }))).toEqual({ removed: true });
    expect(await fails(k.get({ ...cmKind, namespace: ns, name: 'plain' }))).toMatchObject({
      reason: 'NotFound',
    });
    expect(await fails(k.delete({ ...cmKind, namespace: ns, name: 'plain' }))).toMatchObject({
      reason: 'NotFound',
    });

    await ok(k.create(rayJob(ns, 'held', { finalizers: ['kubetasks.io/test'] })));
    const ref = { ...rayKind, namespace: ns, name: 'held' };
    const marked = await ok(k.delete(ref));
    expect(marked.removed).toBe(false);
    expect(marked.object?.metadata?.deletionTimestamp).toBeDefined();
    expect(marked.object?.metadata?.finalizers).toEqual(['kubetasks.io/test']);
    expect((await ok(k.get(ref))).metadata?.deletionTimestamp).toBeDefined();
    await ok(k.patch(ref, { type: 'json', body: [{ op: 'remove', path: '/metadata/finalizers' }] }));
    expect(await fails(k.get(ref))).toMatchObject({ reason: 'NotFound' });
  });

  it('pods: bound pods wait for their kubelet for the grace period; grace 0 removes them', async () => {
    const ns = await newNamespace('grace');
    await ok(k.create(pod(ns, 'unbound')));
    expect(await ok(k.delete({ ...podKind, namespace: ns, name: 'unbound' }))).toEqual({ removed: true });

    await ok(k.create(pod(ns, 'bound', { nodeName: 'node-1' })));
    const ref = { ...podKind, namespace: ns, name: 'bound' };
    const marked = await ok(k.delete(ref));
    expect(marked.removed).toBe(false);
    expect(marked.object?.metadata?.deletionGracePeriodSeconds).toBe(30);
    const shorter = await ok(k.delete(ref, { gracePeriodSeconds: 5 }));
    expect(shorter).toMatchObject({
      removed: false,
      object: { metadata: { deletionGracePeriodSeconds: 5 } },
    });
    expect(await ok(k.delete(ref, { gracePeriodSeconds: 0 }))).toEqual({ removed: true });
    expect(await fails(k.get(ref))).toMatchObject({ reason: 'NotFound' });
  });

  it('preconditions and propagation policies', async () => {
    const ns = await newNamespace('precond');
    const cm = await ok(k.create(configMap(ns, 'a')));
    const ref = { ...cmKind, namespace: ns, name: 'a' };
    const wrongUid = await fails(
      k.delete(ref, { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } }),
    );
    expect(wrongUid).toMatchObject({ reason: 'Conflict', code: 409 });
    expect(wrongUid.message).toMatch(
      /^Operation cannot be fulfilled on ConfigMap "a": the UID in the precondition \(0{8}-/,
    );
    const wrongRv = await fails(k.delete(ref, { preconditions: { resourceVersion: '1' } }));
    expect(wrongRv).toMatchObject({ reason: 'Conflict', code: 409 });
    expect(
      await ok(
        k.delete(ref, {
          preconditions: { uid: cm.metadata?.uid ?? '', resourceVersion: cm.metadata?.resourceVersion ?? '' },
          propagationPolicy: 'Background',
        }),
      ),
    ).toEqual({ removed: true });

    // Foreground deletion parks the object behind a finalizer that only the garbage collector removes.
    await ok(k.create(configMap(ns, 'fg')));
    const fgRef = { ...cmKind, namespace: ns, name: 'fg' };
    const fg = await ok(k.delete(fgRef, { propagationPolicy: 'Foreground' }));
    expect(fg).toMatchObject({
      removed: false,
      object: { metadata: { finalizers: ['foregroundDeletion'] } },
    });
    await ok(k.patch(fgRef, { type: 'merge', body: { metadata: { finalizers: null } } }));
    expect(await fails(k.get(fgRef))).toMatchObject({ reason: 'NotFound' });
  });
});

describe('bind', () => {
  it('assigns a pod to a node and sets PodScheduled; a second binding conflicts', async () => {
    const ns = await newNamespace('bind');
    await ok(k.create(pod(ns, 'p')));
    const ref = { ...podKind, namespace: ns, name: 'p' };
    await ok(k.bind(ref, 'node-7'));
    const bound = await ok(k.get(ref));
    expect((bound['spec'] as { nodeName: string }).nodeName).toBe('node-7');
    expect((bound['status'] as { conditions: { type: string; status: string }[] }).conditions).toContainEqual(
      expect.objectContaining({ type: 'PodScheduled', status: 'True' }),
    );
    expect(await fails(k.bind(ref, 'node-8'))).toMatchObject({ reason: 'Conflict', code: 409 });
    expect(await fails(k.bind({ ...ref, name: 'missing' }, 'node-7'))).toMatchObject({ reason: 'NotFound' });
  });
});

describe('list', () => {
  it('selects by labels and fields, one namespace or all, sorted, with apiVersion and kind on each item', async () => {
    const ns1 = await newNamespace('list-a');
    const ns2 = await newNamespace('list-b');
    for (const [ns, name, labels] of [
      [ns1, 'c', { app: 'x', tier: 'web' }],
      [ns1, 'a', { app: 'x' }],
      [ns1, 'b', { app: 'y' }],
      [ns2, 'a', { app: 'x', tier: 'db' }],
    ] as const) {
      await ok(k.create({ ...configMap(ns, name), metadata: { name, namespace: ns, labels } }));
    }
    const names = (l: { items: readonly KubeObject[] }): string[] =>
      l.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`);
    const one = await ok(k.list(cmKind, { namespace: ns1, labelSelector: 'app=x' }));
    expect(names(one)).toEqual([`${ns1}/a`, `${ns1}/c`]);
    expect(one.items.every((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap')).toBe(true);
    expect(one.resourceVersion).toMatch(/^\d+$/);
    const all = await ok(k.list(cmKind, { labelSelector: 'app=x,tier' }));
    expect(names(all)).toEqual([`${ns1}/c`, `${ns2}/a`]);
    expect(names(await ok(k.list(cmKind, { labelSelector: 'app in (x,y),!tier', namespace: ns1 })))).toEqual([
      `${ns1}/a`,
      `${ns1}/b`,
    ]);
    expect(
      names(await ok(k.list(cmKind, { fieldSelector: `metadata.name=a,metadata.namespace!=${ns1}` }))),
    ).toEqual(expect.arrayContaining([`${ns2}/a`]));

    await ok(k.create(pod(ns1, 'on-node', { nodeName: 'node-1' })));
    await ok(k.create(pod(ns1, 'pending')));
    expect(
      names(await ok(k.list(podKind, { namespace: ns1, fieldSelector: 'spec.nodeName=node-1' }))),
    ).toEqual([`${ns1}/on-node`]);
    expect(
      names(await ok(k.list(podKind, { namespace: ns1, fieldSelector: 'status.phase=Pending' }))),
    ).toEqual([`${ns1}/on-node`, `${ns1}/pending`]);
    const namespaces = await ok(k.list({ apiVersion: 'v1', kind: 'Namespace' }, { namespace: ns1 }));
    expect(namespaces.items.map((o) => o.metadata?.name)).toEqual(
      expect.arrayContaining([ns1, ns2, 'default']),
    );
    expect(namespaces.items.every((o) => o.kind === 'Namespace')).toBe(true);
  });
});

describe('list selectors (property)', () => {
  type Req =
    | { op: '=' | '!='; key: string; value: string }
    | { op: 'in' | 'notin'; key: string; values: string[] }
    | { op: 'exists' | '!exists'; key: string };
  const keys = ['a', 'b', 'c'] as const;
  const values = ['x', 'y'] as const;
  const reqArb: fc.Arbitrary<Req> = fc.oneof(
    fc.record({
      op: fc.constantFrom('=' as const, '!=' as const),
      key: fc.constantFrom(...keys),
      value: fc.constantFrom(...values),
    }),
    fc.record({
      op: fc.constantFrom('in' as const, 'notin' as const),
      key: fc.constantFrom(...keys),
      values: fc.uniqueArray(fc.constantFrom(...values), { minLength: 1 }),
    }),
    fc.record({ op: fc.constantFrom('exists' as const, '!exists' as const), key: fc.constantFrom(...keys) }),
  );
  const show = (r: Req): string => {
    switch (r.op) {
      case '=':
      case '!=':
        return `${r.key}${r.op}${r.value}`;
      case 'in':
      case 'notin':
        return `${r.key} ${r.op} (${r.values.join(',')})`;
      case 'exists':
        return r.key;
      case '!exists':
        return `!${r.key}`;
    }
  };
  const matches = (labels: Readonly<Record<string, string>>, r: Req): boolean => {
    const v = labels[r.key];
    switch (r.op) {
      case '=':
        return v === r.value;
      case '!=':
        return v !== r.value;
      case 'in':
        return v !== undefined && r.values.includes(v);
      case 'notin':
        return v === undefined || !r.values.includes(v);
      case 'exists':
        return v !== undefined;
      case '!exists':
        return v === undefined;
    }
  };

  it('a label selector lists exactly the objects it matches', async () => {
    const ns = await newNamespace('selprop');
    // Every labelling over keys a, b, c with values x, y or absent: 27 objects.
    const labellings: Record<string, string>[] = [];
    for (const a of [undefined, ...values])
      for (const b of [undefined, ...values])
        for (const c of [undefined, ...values])
          labellings.push(
            Object.fromEntries(Object.entries({ a, b, c }).filter(([, v]) => v !== undefined)) as Record<
              string,
              string
            >,
          );
    await Promise.all(
      labellings.map((labels, i) =>
        ok(k.create({ ...configMap(ns, `o${i}`), metadata: { name: `o${i}`, namespace: ns, labels } })),
      ),
    );
    let lists = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(reqArb, { minLength: 1, maxLength: 3 }), async (reqs) => {
        const listed = await ok(k.list(cmKind, { namespace: ns, labelSelector: reqs.map(show).join(',') }));
        lists++;
        const want = labellings
          .map((labels, i) => ({ labels, name: `o${i}` }))
          .filter(({ labels }) => reqs.every((r) => matches(labels, r)))
          .map(({ name }) => name)
          .sort();
        expect(listed.items.map((o) => o.metadata?.name)).toEqual(want);
      }),
      { numRuns: 60 },
    );
    expect(lists).toBe(60);
  });
});

// ---- watch ----

describe('watch', () => {
  it('from a list resourceVersion: ADDED, MODIFIED, DELETED in order, as plain objects', async () => {
    const ns = await newNamespace('watch');
    const listed = await ok(k.list(cmKind, { namespace: ns }));
    const stream = await ok(k.watch(cmKind, { namespace: ns, resourceVersion: listed.resourceVersion }));
    const created = await ok(k.create(configMap(ns, 'a')));
    const modified = await ok(
      k.patch({ ...cmKind, namespace: ns, name: 'a' }, { type: 'merge', body: { data: { k: '2' } } }),
    );
    await ok(k.delete({ ...cmKind, namespace: ns, name: 'a' }));
    const events = await take(stream, 3);
    stream.stop();
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    const rvs = events.map((e) => Number('object' in e ? e.object.metadata?.resourceVersion : NaN));
    expect(rvs[0]).toBe(Number(created.metadata?.resourceVersion));
    expect(rvs[1]).toBe(Number(modified.metadata?.resourceVersion));
    expect(rvs[2]).toBeGreaterThan(rvs[1] ?? Infinity);
    for (const e of events)
      expect('object' in e && e.object.kind === 'ConfigMap' && e.object.apiVersion === 'v1').toBe(true);
  });

  it('without a resourceVersion starts with ADDED for what exists; selectors turn leaving into DELETED', async () => {
    const ns = await newNamespace('watch-sel');
    await ok(
      k.create({ ...configMap(ns, 'in'), metadata: { name: 'in', namespace: ns, labels: { app: 'x' } } }),
    );
    await ok(
      k.create({ ...configMap(ns, 'out'), metadata: { name: 'out', namespace: ns, labels: { app: 'y' } } }),
    );
    const stream = await ok(k.watch(cmKind, { namespace: ns, labelSelector: 'app=x' }));
    const first = await take(stream, 1);
    expect(first.map((e) => [e.type, nameOf(e)])).toEqual([['ADDED', 'in']]);
    await ok(
      k.patch(
        { ...cmKind, namespace: ns, name: 'out' },
        { type: 'merge', body: { metadata: { labels: { app: 'x' } } } },
      ),
    );
    await ok(
      k.patch(
        { ...cmKind, namespace: ns, name: 'in' },
        { type: 'merge', body: { metadata: { labels: { app: 'z' } } } },
      ),
    );
    const next = await take(stream, 2);
    stream.stop();
    expect(next.map((e) => [e.type, nameOf(e)])).toEqual([
      ['ADDED', 'out'],
      ['DELETED', 'in'],
    ]);
  });

  it('sendInitialEvents: ADDED per object, then the initial-events-end BOOKMARK, then changes', async () => {
    const ns = await newNamespace('watch-list');
    for (const n of ['a', 'b']) await ok(k.create(configMap(ns, n)));
    const stream = await ok(k.watch(cmKind, { namespace: ns, sendInitialEvents: true }));
    const initial = await take(stream, 3);
    expect(initial.slice(0, 2).map((e) => [e.type, nameOf(e)])).toEqual(
      expect.arrayContaining([
        ['ADDED', 'a'],
        ['ADDED', 'b'],
      ]),
    );
    expect(initial[2]).toMatchObject({ type: 'BOOKMARK', initialEventsEnd: true });
    await ok(k.create(configMap(ns, 'c')));
    const after = await take(stream, 1);
    stream.stop();
    expect(after.map((e) => [e.type, nameOf(e)])).toEqual([['ADDED', 'c']]);
  });

  it('custom resources and field selectors; bad selectors are refused up front', async () => {
    const ns = await newNamespace('watch-cr');
    const stream = await ok(k.watch(rayKind, { namespace: ns, fieldSelector: 'metadata.name=j2' }));
    await ok(k.create(rayJob(ns, 'j1')));
    await ok(k.create(rayJob(ns, 'j2')));
    const events = await take(stream, 1);
    stream.stop();
    expect(events.map((e) => [e.type, nameOf(e)])).toEqual([['ADDED', 'j2']]);
    expect(events[0]).toMatchObject({ object: { apiVersion: 'ray.io/v1', kind: 'RayJob' } });
    expect(await fails(k.watch(podKind, { fieldSelector: 'spec.nope=1' }))).toMatchObject({
      reason: 'BadRequest',
      message: 'field label not supported: spec.nope',
    });
  });

  it('stop() ends the stream cleanly, at once, even while a read is pending, and is idempotent', async () => {
    const ns = await newNamespace('watch-stop');
    const stream = await ok(
      k.watch(cmKind, {
        namespace: ns,
        resourceVersion: (await ok(k.list(cmKind, { namespace: ns }))).resourceVersion,
      }),
    );
    const it_ = stream[Symbol.asyncIterator]();
    const pending = it_.next();
    const t0 = performance.now();
    stream.stop();
    stream.stop();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(performance.now() - t0).toBeLessThan(100);
    await expect(it_.next()).resolves.toEqual({ done: true, value: undefined });
    // A for-await loop over a stopped stream just finishes.
    let seen = 0;
    for await (const _ of stream) seen++;
    expect(seen).toBe(0);
  });

  it('a server-side timeout ends the stream cleanly', async () => {
    const short = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath, watchTimeoutSeconds: 2 });
    const ns = await newNamespace('watch-timeout');
    const rv = (await ok(short.list(cmKind, { namespace: ns }))).resourceVersion;
    const t0 = performance.now();
    const stream = await ok(
      short.watch(cmKind, { namespace: ns, resourceVersion: rv, allowBookmarks: true }),
    );
    const { events, ended } = await drain(stream, 15_000);
    const elapsed = performance.now() - t0;
    console.log(
      `server-side watch timeout (2-4 s asked): ended after ${Math.round(elapsed)} ms with ${events.map((e) => e.type).join(',') || 'no events'}`,
    );
    expect(ended).toBe(true);
    expect(elapsed).toBeGreaterThan(1_500);
    expect(elapsed).toBeLessThan(4_000 + 1_500);
    // Nothing changed, so at most progress bookmarks arrived.
    expect(events.every((e) => e.type === 'BOOKMARK')).toBe(true);
    short.close();
  });

  it('leaks no socket: stopped watches close their connections; plain requests reuse one', async () => {
    const ns = await newNamespace('watch-leak');
    const sockets = (): number =>
      process.getActiveResourcesInfo().filter((r) => r === 'TLSWrap' || r === 'TCPSocketWrap').length;
    const c = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
    await ok(c.list(cmKind, { namespace: ns }));
    const baseline = sockets();
    // The count sees watch connections: an open watch holds one more (idle keep-alive sockets are unref'd).
    const open = await ok(c.watch(cmKind, { namespace: ns }));
    expect(sockets()).toBe(baseline + 1);
    open.stop();
    for (let i = 0; i < 40; i++) {
      const stream = await ok(c.watch(cmKind, { namespace: ns }));
      if (i % 2 === 0) await ok(c.create(configMap(ns, `cm-${i}`)));
      if (i % 2 === 0) await take(stream, 1);
      stream.stop();
    }
    await sleep(200);
    const afterWatches = sockets();
    const before = c.stats();
    for (let i = 0; i < 50; i++) await ok(c.get({ ...cmKind, namespace: ns, name: 'cm-0' }));
    const after = c.stats();
    console.log(
      `sockets: ${baseline} before 40 watch start/stop cycles, ${afterWatches} after; 50 GETs opened ${after.connectionsOpened - before.connectionsOpened} connection(s)`,
    );
    expect(afterWatches).toBeLessThanOrEqual(baseline + 2);
    expect(after.connectionsOpened - before.connectionsOpened).toBeLessThanOrEqual(1);
    c.close();
    await sleep(100);
    expect(sockets()).toBeLessThan(afterWatches + 1);
  });

  it('caps plain requests in flight: by default at 64, and at the given number, with every request answered', async () => {
    const ns = await newNamespace('in-flight');
    const burst = async (c: KubernetesCluster, prefix: string, n: number): Promise<void> => {
      const created = await Promise.all(
        Array.from({ length: n }, (_, i) => c.create(configMap(ns, `${prefix}-${i}`))()),
      );
      expect(created.filter(E.isLeft)).toEqual([]);
    };
    const capped = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath, maxRequestsInFlight: 4 });
    const byDefault = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
    const uncapped = makeKubernetesCluster({
      kubeconfigPath: plane.kubeconfigPath,
      maxRequestsInFlight: Number.POSITIVE_INFINITY,
    });
    try {
      await burst(capped, 'capped', 40);
      await burst(byDefault, 'default', 200);
      await burst(uncapped, 'none', 200);
      const [c, d, u] = [capped.stats(), byDefault.stats(), uncapped.stats()];
      console.log(
        `peak in flight / connections: cap 4 ${c.peakRequestsInFlight}/${c.connectionsOpened}, ` +
          `default ${d.peakRequestsInFlight}/${d.connectionsOpened}, none ${u.peakRequestsInFlight}/${u.connectionsOpened}`,
      );
      expect(c.peakRequestsInFlight).toBe(4);
      expect(c.connectionsOpened).toBeLessThanOrEqual(4);
      expect(d.peakRequestsInFlight).toBe(DEFAULT_MAX_REQUESTS_IN_FLIGHT);
      expect(d.connectionsOpened).toBeLessThanOrEqual(DEFAULT_MAX_REQUESTS_IN_FLIGHT);
      expect(u.peakRequestsInFlight).toBeGreaterThan(DEFAULT_MAX_REQUESTS_IN_FLIGHT);
    } finally {
      for (const x of [capped, byDefault, uncapped]) x.close();
    }
  });

  it('measures request latency (keep-alive) against client-node typed calls (a TLS handshake per request)', async () => {
    const ns = await newNamespace('latency');
    await ok(k.create(configMap(ns, 'a')));
    const time = async (n: number, f: () => Promise<unknown>): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await f();
        out.push(performance.now() - t0);
      }
      return out.sort((a, b) => a - b);
    };
    const gets = await time(200, () => ok(k.get({ ...cmKind, namespace: ns, name: 'a' })));
    let i = 0;
    const creates = await time(100, () => ok(k.create(configMap(ns, `c-${i++}`))));
    const patches = await time(100, () =>
      ok(
        k.patch(
          { ...cmKind, namespace: ns, name: 'a' },
          { type: 'merge', body: { data: { n: String(i++) } } },
        ),
      ),
    );
    const { CoreV1Api, KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const typed = await time(100, () => core.readNamespacedConfigMap({ name: 'a', namespace: ns }));
    const show = (xs: number[]): string =>
      `p50 ${percentile(xs, 50).toFixed(2)} ms, p99 ${percentile(xs, 99).toFixed(2)} ms`;
    console.log(`adapter GET: ${show(gets)}; POST: ${show(creates)}; merge PATCH: ${show(patches)}`);
    console.log(`client-node CoreV1Api.readNamespacedConfigMap: ${show(typed)}`);
    expect(percentile(gets, 50)).toBeLessThan(percentile(typed, 50));
    expect(percentile(gets, 50)).toBeLessThan(50);
  });
});

// ---- restarts: last, because they disturb everything else ----

describe('API server restarts', () => {
  it('an open watch ends cleanly when the API server goes away; an old resourceVersion then gets 410', async () => {
    const ns = await newNamespace('restart');
    const rv = (await ok(k.list(cmKind, { namespace: ns }))).resourceVersion;
    const stream = await ok(k.watch(cmKind, { namespace: ns, resourceVersion: rv }));
    await ok(k.create(configMap(ns, 'before')));
    const first = await take(stream, 1);
    const lastRv =
      first[0] !== undefined && 'object' in first[0] ? (first[0].object.metadata?.resourceVersion ?? '') : '';
    expect(lastRv).not.toBe('');

    const draining = drain(stream, 60_000);
    const t0 = performance.now();
    const restarting = plane.restartApiServer();
    const { events, ended } = await draining;
    const endedAfter = performance.now() - t0;
    await restarting;
    const restartedAfter = performance.now() - t0;
    console.log(
      `apiserver restart: open watch ended after ${Math.round(endedAfter)} ms, server ready again after ${Math.round(restartedAfter)} ms`,
    );
    expect(ended).toBe(true);
    expect(events).toEqual([]);

    // Resuming from the last version seen works: the new watch cache starts at the current version.
    const t1 = performance.now();
    const resumed = await ok(k.watch(cmKind, { namespace: ns, resourceVersion: lastRv }));
    console.log(
      `re-watch from the last resourceVersion after the restart: ${Math.round(performance.now() - t1)} ms`,
    );
    await ok(k.create(configMap(ns, 'after')));
    const resumedEvents = await take(resumed, 1);
    resumed.stop();
    expect(resumedEvents.map((e) => e.type === 'ERROR' || [e.type, nameOf(e)])).toEqual(
      resumedEvents[0]?.type === 'ERROR' ? [true] : [['ADDED', 'after']],
    );

    // A version from before the new watch cache's window is too old: an ERROR event with code 410, then the end.
    const old = await ok(k.watch(cmKind, { namespace: ns, resourceVersion: '1' }));
    const { events: oldEvents, ended: oldEnded } = await drain(old, 15_000);
    expect(oldEnded).toBe(true);
    expect(oldEvents).toHaveLength(1);
    expect(oldEvents[0]).toMatchObject({ type: 'ERROR', error: { reason: 'Expired', code: 410 } });
    const expired = oldEvents[0]?.type === 'ERROR' ? oldEvents[0].error.message : '';
    expect(expired).toMatch(/^too old resource version: 1 \(\d+\)$/);
  });

  it('the informer over this adapter converges across a restart, without losing or inventing objects', async () => {
    const ns = await newNamespace('informer');
    for (let i = 0; i < 5; i++) await ok(k.create(configMap(ns, `pre-${i}`)));
    const informer = new Informer({
      cluster: k,
      clock: systemClock,
      kind: cmKind,
      selection: { namespace: ns },
    });
    await informer.start();
    expect(informer.size).toBe(5);
    const t0 = performance.now();
    await plane.restartApiServer();
    const restarted = performance.now();
    for (let i = 0; i < 5; i++) await ok(k.create(configMap(ns, `post-${i}`)));
    await ok(k.delete({ ...cmKind, namespace: ns, name: 'pre-0' }));
    await ok(k.delete({ ...cmKind, namespace: ns, name: 'post-0' }));
    const truth = await ok(k.list(cmKind, { namespace: ns }));
    const want = truth.items.map((o) => o.metadata?.name).sort();
    const deadline = Date.now() + 60_000;
    const have = (): (string | undefined)[] =>
      informer
        .list()
        .map((o) => o.metadata?.name)
        .sort();
    while (JSON.stringify(have()) !== JSON.stringify(want) && Date.now() < deadline) await sleep(100);
    console.log(
      `informer: restart took ${Math.round(restarted - t0)} ms; cache converged ${Math.round(performance.now() - restarted)} ms after the server was back (7 writes included)`,
    );
    await informer.stop();
    expect(have()).toEqual(want);
    expect(want).toHaveLength(8);
  });
});
