// The laws of pod construction, as properties over generated task executions, platform configs and templates.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { Pod as PodModel } from 'kubernetes-models/v1/Pod';
import type { Container, Pod, PodSpec } from '../../../../src/domain/kubernetes.js';
import {
  dns1123LabelError,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelValue,
  isQualifiedName,
} from '../../../../src/domain/names.js';
import { addObjectMetadata } from '../../../../src/domain/object-metadata.js';
import { defaultPluginProperties, type BuildContext } from '../../../../src/domain/plugin.js';
import * as Q from '../../../../src/domain/quantity.js';
import type { TaskExecution } from '../../../../src/domain/task.js';
import {
  applyPodConfiguration,
  buildPodResource,
  buildRawPod,
  SYSTEM_ENV_NAMES,
} from '../../../../src/plugins/pod/build/index.js';
import { arbBuildContext, arbPlatformConfig, arbTaskExecution } from '../../../../src/testing/index.js';

const containersOf = (pod: Pod): ReadonlyArray<Container> => [
  ...(pod.spec?.initContainers ?? []),
  ...(pod.spec?.containers ?? []),
];

/** The simple generator of the foundation (container tasks) as a build context. */
const arbSimpleContext = fc
  .tuple(arbTaskExecution, arbPlatformConfig)
  .map(([task, config]): BuildContext => ({ task, config }));

describe('generators', () => {
  it('the rich generator builds a pod in the vast majority of cases (the laws are not vacuous)', () => {
    const samples = fc.sample(arbBuildContext, { numRuns: 300, seed: 42 });
    const ok = samples.filter((ctx) => E.isRight(buildPodResource(ctx))).length;
    expect(ok).toBeGreaterThan(270);
  });
});

describe('laws', () => {
  test.prop([arbBuildContext])('applyPodConfiguration is idempotent', (ctx) => {
    const raw = buildRawPod(ctx);
    if (E.isLeft(raw)) return;
    const once = applyPodConfiguration(ctx, raw.right);
    if (E.isLeft(once)) return;
    expect(applyPodConfiguration(ctx, once.right)).toEqual(once);
  });

  test.prop([fc.oneof(arbBuildContext, arbSimpleContext)])(
    'requests ≤ limits for every resource of every container, and every request has a limit',
    (ctx) => {
      const r = buildPodResource(ctx);
      if (E.isLeft(r)) {
        // The simple generator writes requests above limits, and template variables without io paths: both are
        // refused, naming the request or the argument.
        expect(r.left.path?.join('.')).toMatch(/resources\.requests\.|\.(command|args)\.\d+$/);
        return;
      }
      for (const c of containersOf(r.right)) {
        const requests = c.resources?.requests ?? {};
        const limits = c.resources?.limits ?? {};
        expect(Object.keys(requests).sort()).toEqual(Object.keys(limits).sort());
        for (const [name, req] of Object.entries(requests)) {
          const lim = limits[name];
          expect(lim, `${c.name} ${name}`).toBeDefined();
          expect(Q.lte(Q.unsafeParse(req), Q.unsafeParse(lim ?? ''))).toBe(true);
        }
        expect(requests['cpu']).toBeDefined();
        expect(requests['memory']).toBeDefined();
      }
    },
  );

  test.prop([arbBuildContext])(
    'output names, labels and annotation keys are valid Kubernetes names; env names are unique',
    (ctx) => {
      const r = buildPodResource(ctx);
      if (E.isLeft(r)) return;
      const pod = addObjectMetadata(ctx, defaultPluginProperties, r.right);
      const meta = pod.metadata ?? {};
      expect(isDns1123Subdomain(meta.name ?? '')).toBe(true);
      for (const [k, v] of Object.entries(meta.labels ?? {})) {
        expect(isQualifiedName(k), k).toBe(true);
        expect(isLabelValue(v), v).toBe(true);
      }
      for (const k of Object.keys(meta.annotations ?? {}))
        expect(isQualifiedName(k.toLowerCase()), k).toBe(true);
      const names = containersOf(pod).map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const c of containersOf(pod)) {
        expect(dns1123LabelError(c.name)).toBeUndefined();
        const env = (c.env ?? []).map((e) => e.name);
        expect(new Set(env).size).toBe(env.length);
      }
      for (const v of pod.spec?.volumes ?? []) expect(isDns1123Label(v.name)).toBe(true);
    },
  );

  test.prop([arbBuildContext])('every emitted pod validates against the Kubernetes OpenAPI schema', (ctx) => {
    const r = buildPodResource(ctx);
    if (E.isLeft(r)) return;
    expect(r.right.kind).toBe('Pod');
    expect(r.right.apiVersion).toBe('v1');
    for (const pod of [r.right, addObjectMetadata(ctx, defaultPluginProperties, r.right)]) {
      expect(() => new PodModel(pod as ConstructorParameters<typeof PodModel>[0]).validate()).not.toThrow();
    }
  });
});

// -------------------------------------------------------------------------------------
// explicit values are never replaced by platform defaults
// -------------------------------------------------------------------------------------

const taskSpec = (te: TaskExecution): Partial<PodSpec> | undefined => te.task.podTemplate?.spec;
const overrideSpec = (te: TaskExecution): Partial<PodSpec> | undefined =>
  te.execution.overrides?.podTemplate?.spec;

const lastValue = (env: ReadonlyArray<{ name: string; value?: string }>, name: string): string | undefined =>
  [...env].reverse().find((e) => e.name === name)?.value;

describe('an explicit task or override value is never replaced by a platform default', () => {
  test.prop([arbBuildContext])('pod-level fields', (ctx) => {
    const pod = buildPodResource(ctx);
    if (E.isLeft(pod)) return;
    const spec = pod.right.spec!;
    const te = ctx.task;
    for (const field of ['schedulerName', 'restartPolicy', 'serviceAccountName'] as const) {
      const explicit = overrideSpec(te)?.[field] ?? taskSpec(te)?.[field];
      if (explicit !== undefined) expect(spec[field], field).toBe(explicit);
    }
    const selector = { ...taskSpec(te)?.nodeSelector, ...overrideSpec(te)?.nodeSelector };
    const interruptibleKeys = Object.keys(ctx.config.plugins.k8s['interruptible-node-selector']);
    const interruptible = te.execution.interruptible ?? te.task.metadata?.interruptible ?? false;
    for (const [k, v] of Object.entries(selector)) {
      if (interruptible && interruptibleKeys.includes(k)) continue; // a constraint, not a default
      expect(spec.nodeSelector?.[k], k).toBe(v);
    }
    for (const t of [...(taskSpec(te)?.tolerations ?? []), ...(overrideSpec(te)?.tolerations ?? [])]) {
      expect(spec.tolerations).toContainEqual(t);
    }
  });

  test.prop([arbBuildContext])('the primary container: image, env, resources, security context', (ctx) => {
    const pod = buildPodResource(ctx);
    if (E.isLeft(pod)) return;
    const te = ctx.task;
    const raw = buildRawPod(ctx);
    if (E.isLeft(raw)) throw new Error('raw pod fails where the full build succeeded');
    const primaryName = raw.right.primaryContainerName;
    const primary = pod.right.spec!.containers.find((c) => c.name === primaryName)!;
    const overridden = overrideSpec(te)?.containers?.find((c) => c.name === primaryName);
    const fromTaskSpec = taskSpec(te)?.containers?.find((c) => c.name === primaryName);
    // image: override image > override container > task container > task pod template container
    const image =
      te.execution.overrides?.containerImage ??
      overridden?.image ??
      te.task.container?.image ??
      fromTaskSpec?.image;
    expect(primary.image).toBe(image);
    // env: the task's own variables keep their values unless the execution or the system sets the name
    const ownEnv =
      overridden !== undefined
        ? (overridden.env ?? [])
        : [
            ...(fromTaskSpec?.env ?? []),
            ...(te.task.container?.env ?? []).map((e) => ({ name: e.name, value: e.value })),
          ];
    for (const e of ownEnv) {
      if (SYSTEM_ENV_NAMES.has(e.name) || e.name in (te.execution.environment ?? {})) continue;
      expect(lastValue(primary.env ?? [], e.name), e.name).toBe(lastValue(ownEnv, e.name));
    }
    // resources: each resource the override names comes from it, else from the task's container
    const sources = [
      te.execution.overrides?.resources,
      te.task.container?.resources ?? fromTaskSpec?.resources,
    ];
    if (overridden === undefined) {
      for (const side of ['requests', 'limits'] as const) {
        for (const name of ['cpu', 'memory', 'ephemeral-storage']) {
          const src = sources.find(
            (s) => s?.requests?.[name] !== undefined || s?.limits?.[name] !== undefined,
          );
          const explicit = src?.[side]?.[name];
          if (explicit === undefined) continue;
          expect(
            Q.Eq.equals(Q.unsafeParse(String(primary.resources?.[side]?.[name])), Q.unsafeParse(explicit)),
            `${side}.${name}`,
          ).toBe(true);
        }
      }
    }
    // security context fields the task sets survive the platform's default security context
    const sc = (overridden ?? fromTaskSpec)?.securityContext;
    for (const [k, v] of Object.entries(sc ?? {})) {
      expect((primary.securityContext as Record<string, unknown>)[k], k).toEqual(v);
    }
  });
});

// -------------------------------------------------------------------------------------
// construction never throws; invalid input is a BuildError naming the field
// -------------------------------------------------------------------------------------

const garbage = fc.anything({ maxDepth: 2 });

/** A generated context with garbage written into one of the places pod construction reads. */
const arbBrokenContext: fc.Arbitrary<{ ctx: BuildContext; where: string }> = fc
  .tuple(
    arbBuildContext,
    fc.constantFrom(
      'spec',
      'spec-field',
      'container-field',
      'template',
      'override',
      'resources',
      'env-name',
      'label',
      'inputs',
      'image',
    ),
    garbage,
    fc.constantFrom(
      'containers',
      'initContainers',
      'tolerations',
      'affinity',
      'nodeSelector',
      'securityContext',
      'volumes',
      'dnsConfig',
      'hostNetwork',
      'serviceAccountName',
    ),
    fc.constantFrom(
      'name',
      'image',
      'env',
      'resources',
      'securityContext',
      'volumeMounts',
      'ports',
      'args',
      'envFrom',
    ),
    fc.constantFrom('lots', '-1', '', '1Gi ', '5', 'gpu'),
  )
  .map(([ctx, where, junk, podField, containerField, text]) => {
    const te = ctx.task;
    const spec = (te.task.podTemplate?.spec ?? { containers: [{ name: 'main', image: 'x' }] }) as Record<
      string,
      unknown
    >;
    const containers = (spec['containers'] as ReadonlyArray<Record<string, unknown>> | undefined) ?? [];
    const withSpec = (s: unknown): TaskExecution => ({
      ...te,
      task: {
        ...te.task,
        podTemplate: { ...te.task.podTemplate, spec: s as PodSpec, primaryContainerName: 'main' },
      },
    });
    switch (where) {
      case 'spec':
        return { where, ctx: { ...ctx, task: withSpec(junk) } };
      case 'spec-field':
        return { where, ctx: { ...ctx, task: withSpec({ ...spec, [podField]: junk }) } };
      case 'container-field':
        return {
          where,
          ctx: {
            ...ctx,
            task: withSpec({
              ...spec,
              containers: containers.map((c) => ({ ...c, [containerField]: junk })),
            }),
          },
        };
      case 'template':
        return {
          where,
          ctx: {
            ...ctx,
            podTemplates: new Map([
              ['', new Map([['base', { spec: { [podField]: junk } as unknown as PodSpec }]])],
            ]),
            config: {
              ...ctx.config,
              plugins: {
                ...ctx.config.plugins,
                k8s: { ...ctx.config.plugins.k8s, 'default-pod-template-name': 'base' },
              },
            },
          },
        };
      case 'override':
        return {
          where,
          ctx: {
            ...ctx,
            task: {
              ...te,
              execution: {
                ...te.execution,
                overrides: { podTemplate: { spec: { [podField]: junk } as unknown as PodSpec } },
              },
            },
          },
        };
      case 'resources':
        return {
          where,
          ctx: {
            ...ctx,
            task: {
              ...te,
              execution: {
                ...te.execution,
                overrides: { resources: { requests: { cpu: text }, limits: { [text]: text } } },
              },
            },
          },
        };
      case 'env-name':
        return {
          where,
          ctx: {
            ...ctx,
            task: {
              ...te,
              task: { ...te.task, container: { image: 'x', env: [{ name: `${text}=`, value: 'v' }] } },
            },
          },
        };
      case 'label':
        return {
          where,
          ctx: { ...ctx, task: { ...te, execution: { ...te.execution, labels: { [`${text}/x/y`]: text } } } },
        };
      case 'inputs':
        return {
          where,
          ctx: {
            ...ctx,
            task: {
              ...te,
              task: { ...te.task, container: { image: 'x', args: ['{{ .Inputs.n }}', '{{.Input}}'] } },
              execution: { ...te.execution, inputs: { n: junk }, io: {} },
            },
          },
        };
      default:
        return {
          where,
          ctx: {
            ...ctx,
            task: { ...te, execution: { ...te.execution, overrides: { containerImage: `${text} ` } } },
          },
        };
    }
  });

describe('construction never throws', () => {
  it('a bug that throws reaches the caller as FailedToBuildResource naming the pod', () => {
    const exploding = new Proxy({} as BuildContext, {
      get: () => {
        throw new Error('bug');
      },
    });
    expect(buildPodResource(exploding)).toEqual(
      E.left({
        _tag: 'BuildError',
        code: 'FailedToBuildResource',
        message: 'internal error while building the pod: bug',
      }),
    );
  });

  test.prop([arbBrokenContext])('invalid input yields a BuildError, never an exception', ({ ctx }) => {
    let r: ReturnType<typeof buildPodResource> | undefined;
    expect(() => {
      r = buildPodResource(ctx);
    }).not.toThrow();
    if (r !== undefined && E.isLeft(r)) {
      expect(r.left.code).not.toBe('FailedToBuildResource'); // that code only reports a caught bug
      expect(r.left.message.length).toBeGreaterThan(0);
    }
  });

  test.prop([
    arbBrokenContext.filter(({ where }) =>
      ['spec', 'spec-field', 'container-field', 'override', 'resources', 'env-name', 'image'].includes(where),
    ),
  ])('an error caused by the task file names a field of it', ({ ctx }) => {
    const r = buildPodResource(ctx);
    if (E.isRight(r)) return;
    if (r.left.code === 'PodSecurityViolation' && r.left.path === undefined) return; // from the platform's templates
    expect(r.left.path?.[0]).toMatch(/^(task|execution)$/);
  });

  it('a context with garbage everywhere still returns a value', () => {
    const samples = fc.sample(fc.anything(), { numRuns: 200, seed: 7 });
    for (const junk of samples) {
      const ctx = {
        task: {
          task: { id: { name: 'x' }, type: 'container', podTemplate: { spec: junk } },
          execution: { id: { run: 'r', action: 'a' }, namespace: 'n' },
        },
      } as unknown as BuildContext;
      const withConfig = { ...ctx, config: fc.sample(arbPlatformConfig, 1)[0]! };
      const r = buildPodResource(withConfig);
      expect(E.isLeft(r) || E.isRight(r)).toBe(true);
      if (E.isLeft(r)) expect(r.left.code).not.toBe('FailedToBuildResource');
    }
  });
});
