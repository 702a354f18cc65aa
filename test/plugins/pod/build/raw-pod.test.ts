// buildRawPod and the pod plugin's build functions: task shapes, overrides, legacy sidecars and errors with paths.
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { Container, PodSpec } from '../../../../src/domain/kubernetes.js';
import {
  annotatesPrimary,
  buildIdentityResource,
  buildPodIdentity,
  buildRawPod,
  buildResource,
  podTaskTypes,
  primaryContainerNameOf,
  primaryContainerOf,
} from '../../../../src/plugins/pod/build/index.js';
import { build, buildFails, ctxOf, MAIN, primaryOf, task } from './fixtures.js';

const pt = (spec: object, primaryContainerName: string | null = 'main', metadata?: object) => ({
  podTemplate: {
    spec: spec as PodSpec,
    ...(primaryContainerName === null ? {} : { primaryContainerName }),
    ...(metadata === undefined ? {} : { metadata }),
  },
});
const containers = (...cs: Array<Partial<Container> & { name: string }>) => ({ containers: cs });

describe('task shapes', () => {
  it('a container task: one container named after the execution, service links off, never restarted', () => {
    const pod = build(
      ctxOf(task({ container: { image: 'img', command: ['python'], args: ['-c', 'print(1)'] } })),
    );
    expect(pod.spec?.containers.map((c) => [c.name, c.image, c.command, c.args])).toEqual([
      [MAIN, 'img', ['python'], ['-c', 'print(1)']],
    ]);
    expect([pod.spec?.enableServiceLinks, pod.spec?.restartPolicy]).toEqual([false, 'Never']);
    expect(pod.metadata?.annotations).toEqual({ primary_container_name: MAIN });
    expect([pod.apiVersion, pod.kind]).toEqual(['v1', 'Pod']);
  });

  it.each<[string, number, boolean]>([
    ['container', 1, true],
    ['python', 1, true],
    ['raw-container', 1, false],
    ['sidecar', 1, true],
    ['sidecar', 2, true],
    ['container', 2, false],
  ])('the primary-container annotation for type %s with %i containers: %s', (type, n, expected) => {
    expect(annotatesPrimary(type, n)).toBe(expected);
    const cs = [
      { name: 'main', image: 'x' },
      { name: 'side', image: 'y' },
    ].slice(0, n);
    const pod = build(ctxOf(task({ type, ...pt(containers(...cs)) })));
    expect(pod.metadata?.annotations?.['primary_container_name']).toBe(expected ? 'main' : undefined);
  });

  it('a pod task with a container: the container fills in the template container of the primary name', () => {
    const pod = build(
      ctxOf(
        task({
          container: { image: 'trainer', args: ['train'] },
          ...pt(
            containers(
              { name: 'main', image: 'placeholder', workingDir: '/w' },
              { name: 'side', image: 'proxy' },
            ),
          ),
        }),
      ),
    );
    expect(pod.spec?.containers.map((c) => [c.name, c.image, c.workingDir, c.args])).toEqual([
      ['main', 'trainer', '/w', ['train']],
      ['side', 'proxy', undefined, undefined],
    ]);
  });

  it('a pod task with a container but no container of the primary name: the task container comes first', () => {
    const pod = build(
      ctxOf(
        task({ container: { image: 'trainer' }, ...pt(containers({ name: 'side', image: 'proxy' }), null) }),
      ),
    );
    expect(pod.spec?.containers.map((c) => c.name)).toEqual([MAIN, 'side']);
  });

  it('the config key primary_container_name names the primary when the pod template does not', () => {
    const pod = build(
      ctxOf(
        task({
          type: 'sidecar',
          config: { primary_container_name: 'b' },
          ...pt(containers({ name: 'a', image: 'x' }, { name: 'b', image: 'y' }), null),
        }),
      ),
    );
    expect(primaryContainerNameOf(pod)).toBe('b');
    expect(primaryContainerOf(pod)?.image).toBe('y');
  });

  it('legacy sidecar tasks (pod spec in custom) are built by the same rules', () => {
    const v0 = build(
      ctxOf(
        task({
          type: 'sidecar',
          custom: {
            podSpec: containers({ name: 'main', image: 'x' }),
            primaryContainerName: 'main',
            labels: { app: 'legacy' },
          },
        }),
      ),
    );
    expect([primaryOf(v0).name, v0.metadata?.labels, v0.spec?.enableServiceLinks]).toEqual([
      'main',
      { app: 'legacy' },
      false,
    ]);
    const v1 = build(
      ctxOf(
        task({
          type: 'sidecar',
          typeVersion: 1,
          custom: containers({ name: 'm', image: 'x' }),
          config: { primary_container_name: 'm' },
        }),
      ),
    );
    expect(primaryOf(v1).name).toBe('m');
  });
});

describe('the pod template override', () => {
  it('keeps the task container when the override does not define the primary, and adds its sidecars', () => {
    const pod = build(
      ctxOf(
        task(
          { container: { image: 'trainer' } },
          {
            overrides: {
              podTemplate: {
                spec: {
                  ...containers({ name: 'logger', image: 'fluentbit' }),
                  priorityClassName: 'high',
                },
              },
            },
          },
        ),
      ),
    );
    expect(pod.spec?.containers.map((c) => [c.name, c.image])).toEqual([
      [MAIN, 'trainer'],
      ['logger', 'fluentbit'],
    ]);
    expect(pod.spec?.priorityClassName).toBe('high');
  });

  it('replaces the primary container whole when it defines one of that name', () => {
    const pod = build(
      ctxOf(
        task(
          { ...pt(containers({ name: 'main', image: 'task', args: ['a'], workingDir: '/w' })) },
          {
            overrides: { podTemplate: { spec: containers({ name: 'main', image: 'override' }) } },
          },
        ),
      ),
    );
    expect(primaryOf(pod)).toMatchObject({ name: 'main', image: 'override' });
    expect(primaryOf(pod).args).toBeUndefined();
    expect(primaryOf(pod).workingDir).toBeUndefined();
  });

  it('may rename the primary container, and its labels win over the task ones', () => {
    const pod = build(
      ctxOf(
        task(
          {
            type: 'sidecar',
            ...pt(containers({ name: 'main', image: 'x' }), 'main', { labels: { a: 'task', b: 'task' } }),
          },
          {
            overrides: {
              podTemplate: {
                primaryContainerName: 'other',
                metadata: { labels: { b: 'override' } },
                spec: containers({ name: 'other', image: 'y' }),
              },
            },
          },
        ),
      ),
    );
    expect(pod.metadata?.labels).toEqual({ a: 'task', b: 'override' });
    expect(primaryContainerNameOf(pod)).toBe('other');
  });
});

describe('errors name the task-file field', () => {
  it.each<[string, ReturnType<typeof task>, ReadonlyArray<string | number>, RegExp]>([
    [
      'neither container nor pod template',
      task({ podTemplate: undefined as never, container: undefined as never }),
      ['task', 'container'],
      /needs a container or a podTemplate/,
    ],
    [
      'a pod template without a primary name',
      task(pt(containers({ name: 'a', image: 'x' }), null)),
      ['task', 'podTemplate', 'primaryContainerName'],
      /primary container/,
    ],
    [
      'a primary name no container has',
      task(pt(containers({ name: 'a', image: 'x' }), 'main')),
      ['task', 'podTemplate', 'primaryContainerName'],
      /not one of the pod's containers/,
    ],
    [
      'an override primary name no container has',
      task({}, { overrides: { podTemplate: { primaryContainerName: 'ghost', spec: {} } } }),
      ['execution', 'overrides', 'podTemplate', 'primaryContainerName'],
      /"ghost"/,
    ],
    [
      'a container name that is no DNS label',
      task(pt(containers({ name: 'Main', image: 'x' }), 'Main')),
      ['task', 'podTemplate', 'spec', 'containers', 0, 'name'],
      /DNS-1123 label/,
    ],
    [
      'two containers of one name',
      task(pt(containers({ name: 'main', image: 'x' }, { name: 'main', image: 'y' }))),
      ['task', 'podTemplate', 'spec', 'containers', 1, 'name'],
      /not already used/,
    ],
    [
      'an init container named like a container',
      task(
        pt({ ...containers({ name: 'main', image: 'x' }), initContainers: [{ name: 'main', image: 'y' }] }),
      ),
      ['task', 'podTemplate', 'spec', 'initContainers', 0, 'name'],
      /no regular container/,
    ],
    [
      'a misspelled toleration key',
      task(
        pt({ ...containers({ name: 'main', image: 'x' }), tolerations: [{ key: 'a', opertor: 'Exists' }] }),
      ),
      ['task', 'podTemplate', 'spec', 'tolerations', 0, 'opertor'],
      /unknown key \(did you mean "operator"\?\)/,
    ],
    [
      'a bad quantity',
      task(pt(containers({ name: 'main', image: 'x', resources: { limits: { cpu: 'lots' } } }))),
      ['task', 'podTemplate', 'spec', 'containers', 0, 'resources', 'limits', 'cpu'],
      /quantity/,
    ],
    [
      'an image with a trailing space',
      task({ container: { image: 'img ' } }),
      ['task', 'container', 'image'],
      /spaces/,
    ],
    [
      'a pod-template container without an image',
      task(pt(containers({ name: 'main' }))),
      ['task', 'podTemplate', 'spec', 'containers', 0, 'image'],
      /missing, expected a container image/,
    ],
    [
      'an invalid label',
      task(pt(containers({ name: 'main', image: 'x' }), 'main', { labels: { 'a b': 'c' } })),
      ['task', 'podTemplate', 'metadata', 'labels', 'a b'],
      /label key/,
    ],
    [
      'a legacy v1 sidecar without primary_container_name',
      task({ type: 'sidecar', typeVersion: 1, custom: containers({ name: 'm', image: 'x' }) }),
      ['task', 'config'],
      /primary_container_name/,
    ],
    [
      'a missing named base template',
      task({ metadata: { podTemplateName: 'nope' } }),
      ['task', 'metadata', 'podTemplateName'],
      /PodTemplate "nope" does not exist/,
    ],
    [
      'an invalid execution label',
      task({}, { labels: { ok: 'not ok' } }),
      ['execution', 'labels', 'ok'],
      /label value/,
    ],
  ])('%s', (_name, te, path, message) => {
    const e = buildFails(ctxOf(te));
    expect(e.path).toEqual(path);
    expect(e.message).toMatch(message);
  });
});

describe('the plugin functions', () => {
  it('serve the four pod task types', () => {
    expect(podTaskTypes).toEqual(['container', 'python', 'raw-container', 'sidecar']);
  });

  it('the identity resource is a Pod with kind "Pod" (Flyte writes "pod")', () => {
    const ctx = ctxOf(task());
    expect(buildPodIdentity(ctx)).toEqual(E.right({ apiVersion: 'v1', kind: 'Pod', metadata: {} }));
    expect(buildIdentityResource(ctx)).toEqual(E.right({ apiVersion: 'v1', kind: 'Pod', metadata: {} }));
    expect(E.map((o: { kind: string }) => o.kind)(buildResource(ctx))).toEqual(E.right('Pod'));
  });

  it('buildRawPod adds nothing from the platform', () => {
    const raw = buildRawPod(ctxOf(task({ container: { image: 'x', env: [{ name: 'A', value: '1' }] } })));
    expect(raw).toEqual(
      E.right({
        labels: {},
        annotations: {},
        primaryContainerName: MAIN,
        spec: { containers: [{ name: MAIN, image: 'x', env: [{ name: 'A', value: '1' }] }] },
      }),
    );
  });

  it('a VS Code task gets a readiness probe on port 6060, unless it has its own', () => {
    const pod = build(ctxOf(task({ container: { image: 'x', env: [{ name: '_F_E_VS', value: 'True' }] } })));
    expect(primaryOf(pod).readinessProbe).toEqual({
      httpGet: { path: '/', port: 6060 },
      initialDelaySeconds: 15,
      periodSeconds: 5,
      failureThreshold: 50,
    });
    const own = build(
      ctxOf(
        task(
          pt(
            containers({
              name: 'main',
              image: 'x',
              env: [{ name: '_F_E_VS', value: '1' }],
              readinessProbe: { exec: { command: ['true'] } },
            }),
          ),
        ),
      ),
    );
    expect(primaryOf(own).readinessProbe).toEqual({ exec: { command: ['true'] } });
    const off = build(ctxOf(task({ container: { image: 'x', env: [{ name: '_F_E_VS', value: 'no' }] } })));
    expect(primaryOf(off).readinessProbe).toBeUndefined();
  });
});
