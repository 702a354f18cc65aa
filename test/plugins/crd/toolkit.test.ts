// The CRD toolkit: the pod-template metadata policy (on every shipped CRD plugin), the reader, related pods, the guard.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import { loadTaskExecution } from '../../../src/app/inputs.js';
import type { KubeObject } from '../../../src/domain/kubernetes.js';
import { MANAGED_LABEL, taskPodMetadata } from '../../../src/domain/object-metadata.js';
import { defaultPlatformConfig } from '../../../src/domain/platform-config.js';
import type { BuildContext } from '../../../src/domain/plugin.js';
import type { TaskExecution } from '../../../src/domain/task.js';
import {
  guardBuild,
  podsQuery,
  podTemplate,
  readConditions,
  readResource,
  renamePrimary,
} from '../../../src/plugins/crd/index.js';
import { builtInPlugins } from '../../../src/plugins/index.js';

const examples = (dir: string): ReadonlyArray<TaskExecution> =>
  readdirSync(join('examples', dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => {
      const file = join('examples', dir, f);
      const r = loadTaskExecution(file, readFileSync(file, 'utf8'));
      return E.isRight(r) ? [r.right] : [];
    });

const withExecutionMetadata = (te: TaskExecution, annotations: Record<string, string>): BuildContext => ({
  task: {
    ...te,
    execution: {
      ...te.execution,
      labels: { ...te.execution.labels, team: 'exec' },
      annotations: { ...te.execution.annotations, ...annotations },
    },
  },
  config: {
    ...defaultPlatformConfig,
    plugins: {
      ...defaultPlatformConfig.plugins,
      k8s: {
        ...defaultPlatformConfig.plugins.k8s,
        'default-annotations': { 'kubetasks.dev/run-duration': '1h', note: 'default' },
      },
    },
  },
});

/** Every annotation map and every pod-template metadata inside a manifest's spec. */
const templatesIn = (
  u: unknown,
  out: Array<Record<string, unknown>> = [],
): Array<Record<string, unknown>> => {
  if (Array.isArray(u)) for (const x of u) templatesIn(x, out);
  else if (typeof u === 'object' && u !== null) {
    const o = u as Record<string, unknown>;
    if (typeof o['metadata'] === 'object' && typeof o['spec'] === 'object') {
      out.push(o['metadata'] as Record<string, unknown>);
    }
    for (const v of Object.values(o)) templatesIn(v, out);
  }
  return out;
};

describe('the pod-template metadata policy, on every shipped CRD plugin', () => {
  const dirs: Record<string, string> = {
    spark: 'spark',
    pytorch: 'kubeflow',
    tensorflow: 'kubeflow',
    mpi: 'kubeflow',
    ray: 'ray',
    dask: 'dask',
    'batch-job': 'job',
  };
  const cases = builtInPlugins.flatMap((plugin) => {
    const dir = dirs[plugin.id];
    if (dir === undefined) return [];
    return examples(dir)
      .filter((te) => te.task.type === plugin.id)
      .map((te) => [`${plugin.id}: ${te.task.id.name}`, plugin, te] as const);
  });

  it('has an example of every CRD plugin', () => {
    expect(new Set(cases.map(([, p]) => p.id))).toEqual(new Set(Object.keys(dirs)));
  });

  it.each(cases)(
    '%s: templates carry the managed label and the execution metadata, no kubetasks.dev/ annotation',
    (_name, plugin, te) => {
      const ctx = withExecutionMetadata(te, { 'kubetasks.dev/scenario': 'oom', owner: 'exec' });
      const built = plugin.buildResource(ctx);
      expect(E.isRight(built)).toBe(true);
      if (E.isLeft(built)) return;
      const templates = templatesIn((built.right as KubeObject & { spec?: unknown }).spec);
      expect(templates.length).toBeGreaterThan(0);
      for (const meta of templates) {
        const labels = (meta['labels'] ?? {}) as Record<string, string>;
        const annotations = (meta['annotations'] ?? {}) as Record<string, string>;
        expect(labels[MANAGED_LABEL]).toBe('true');
        expect(labels['team']).toBe('exec');
        expect(Object.keys(annotations).filter((k) => k.startsWith('kubetasks.dev/'))).toEqual([]);
        // The submitter of a RayJob is kubetasks' own pod: it gets the policy's metadata and nothing else.
        expect(annotations['owner']).toBe('exec');
      }
    },
  );
});

describe('taskPodMetadata and podTemplate', () => {
  const ctx = withExecutionMetadata(examples('ray')[0]!, {
    'kubetasks.dev/scenario': 'oom',
    a: 'exec',
  });
  const key = fc.stringMatching(/^[a-z]{1,3}$/);
  const map = fc.dictionary(key, fc.string({ maxLength: 3 }), { maxKeys: 4 });

  test.prop([map, map])(
    'the execution wins over the pod, the pod over config defaults',
    (labels, annotations) => {
      const m = taskPodMetadata(ctx, { labels, annotations });
      expect(m.labels['team']).toBe('exec');
      expect(m.labels[MANAGED_LABEL]).toBe('true');
      expect(m.annotations['a']).toBe('exec');
      for (const [k, v] of Object.entries(annotations))
        if (k !== 'a' && k !== 'note') expect(m.annotations[k]).toBe(v);
      expect(Object.keys(m.annotations).some((k) => k.startsWith('kubetasks.dev/'))).toBe(false);
    },
  );

  it("keeps the operator's own annotations last and leaves out empty maps", () => {
    const t = podTemplate(
      ctx,
      { annotations: { primary_container_name: 'x' } },
      { containers: [] },
      {
        primary_container_name: 'ray-head',
      },
    );
    expect(t.metadata.annotations?.['primary_container_name']).toBe('ray-head');
    const config = {
      ...defaultPlatformConfig,
      plugins: {
        ...defaultPlatformConfig.plugins,
        k8s: { ...defaultPlatformConfig.plugins.k8s, 'default-annotations': {} },
      },
    };
    const execution = { ...ctx.task.execution, annotations: { 'kubetasks.dev/scenario': 'oom' } };
    const bare = podTemplate({ config, task: { ...ctx.task, execution } }, {}, { containers: [] });
    expect(bare.metadata.annotations).toBeUndefined();
  });
});

describe('readResource', () => {
  it('reads identity, spec and status; another kind or group is none', () => {
    const r = readResource(
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'j', namespace: 'ns', uid: 'u', creationTimestamp: '2026-01-01T00:00:00Z' },
        spec: { parallelism: 2 },
        status: { conditions: [{ type: 'Complete', status: 'True' }, 'junk'] },
      },
      { kind: 'Job', group: 'batch' },
    );
    expect(O.isSome(r)).toBe(true);
    if (O.isNone(r)) return;
    expect(r.value).toMatchObject({ name: 'j', namespace: 'ns', uid: 'u', hasStatus: true });
    expect(r.value.creationTimestamp).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(readConditions(r.value.status)).toEqual([
      { type: 'Complete', status: 'True', reason: '', message: '', lastTransitionTime: undefined, index: 0 },
    ]);
    expect(O.isNone(readResource({ kind: 'Pod' }, { kind: 'Job' }))).toBe(true);
    expect(
      O.isNone(readResource({ apiVersion: 'example.com/v1', kind: 'Job' }, { kind: 'Job', group: 'batch' })),
    ).toBe(true);
    expect(O.isSome(readResource({ metadata: {} }, { kind: 'Job', group: 'batch' }))).toBe(true);
  });

  test.prop([fc.anything()])('is total', (u) => {
    expect(() => readResource(u, { kind: 'Job' })).not.toThrow();
  });

  it('reads lastUpdateTime when asked and there is no transition time', () => {
    const status = {
      conditions: [{ type: 'Running', status: 'True', lastUpdateTime: '2026-01-01T00:00:00Z' }],
    };
    expect(readConditions(status)[0]?.lastTransitionTime).toBeUndefined();
    expect(readConditions(status, { orUpdateTime: true })[0]?.lastTransitionTime).toBe(
      Date.parse('2026-01-01T00:00:00Z'),
    );
  });
});

describe('podsQuery', () => {
  const r: KubeObject = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n', namespace: 'ns', uid: 'u' } };

  it('asks for the pods by name or labels, owned when asked', () => {
    expect(podsQuery(r, { labelSelector: { a: 'b' }, owned: true })).toEqual([
      { kind: { apiVersion: 'v1', kind: 'Pod' }, namespace: 'ns', labelSelector: { a: 'b' }, ownerUid: 'u' },
    ]);
    expect(podsQuery(r, { name: 'p' })).toEqual([
      { kind: { apiVersion: 'v1', kind: 'Pod' }, namespace: 'ns', name: 'p' },
    ]);
  });

  it('asks for nothing rather than for every pod of a namespace', () => {
    expect(podsQuery(r, {})).toEqual([]);
    expect(podsQuery(r, { name: '' })).toEqual([]);
    expect(podsQuery(r, { labelSelector: { a: '' } })).toEqual([]);
    expect(podsQuery({ ...r, metadata: { name: 'n' } }, { name: 'p' })).toEqual([]);
  });
});

describe('renamePrimary and guardBuild', () => {
  const raw = {
    labels: {},
    annotations: {},
    spec: { containers: [{ name: 'main' }, { name: 'side' }] },
    primaryContainerName: 'main',
  };

  it('renames the primary container; a clash or a missing primary is the task error', () => {
    const ok = renamePrimary(raw, 'op', 'the operator', (c) => ({ ...c, name: 'op' }));
    expect(E.isRight(ok) && ok.right.spec.containers.map((c) => c.name)).toEqual(['op', 'side']);
    expect(E.isRight(ok) && ok.right.primary.name).toBe('main');
    const clash = renamePrimary(raw, 'side', 'the operator', (c) => ({ ...c, name: 'side' }));
    expect(E.isLeft(clash) && clash.left.path).toEqual(['task', 'podTemplate', 'spec', 'containers']);
    const none = renamePrimary({ ...raw, primaryContainerName: 'gone' }, 'op', 'x', (c) => c);
    expect(E.isLeft(none) && none.left.path).toEqual(['task', 'container']);
  });

  it('turns a throw into FailedToBuildResource and passes values through', () => {
    const ctx = withExecutionMetadata(examples('ray')[0]!, {});
    const boom = guardBuild('the Widget', () => {
      throw new Error('bug');
    })(ctx);
    expect(boom).toEqual(
      E.left({
        _tag: 'BuildError',
        code: 'FailedToBuildResource',
        message: 'internal error while building the Widget: bug',
      }),
    );
    expect(guardBuild('the Widget', () => E.right(1))(ctx)).toEqual(E.right(1));
  });
});
