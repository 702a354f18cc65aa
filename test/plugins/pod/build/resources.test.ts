// The resource rule as a decision table: defaults, mirroring, ceilings, GPUs, overrides and refusals.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { ResourceRequirements } from '../../../../src/domain/kubernetes.js';
import {
  applyResourceRule,
  resourceProblem,
  type ResourcePolicy,
} from '../../../../src/plugins/pod/build/resources.js';
import { arbConsistentResources } from '../../../../src/testing/index.js';
import { build, buildFails, config, containerNamed, ctxOf, primaryOf, task } from './fixtures.js';

type R = ResourceRequirements;
const policy: ResourcePolicy = {
  defaults: { cpu: '1', memory: '1Gi' },
  ceilings: {},
  gpuResourceName: 'nvidia.com/gpu',
};

describe('the resource rule (applyResourceRule)', () => {
  it.each<[string, R | undefined, Partial<ResourcePolicy>, R]>([
    [
      'nothing set: the platform defaults, limit = request',
      undefined,
      {},
      { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
    ],
    [
      'a request only: the limit takes it',
      { requests: { cpu: '250m', memory: '64Mi' } },
      {},
      { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '250m', memory: '64Mi' } },
    ],
    [
      'a limit only: the request takes it, not the default',
      { limits: { cpu: '2', memory: '8Gi' } },
      {},
      { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
    ],
    [
      'both: kept',
      { requests: { cpu: '100m' }, limits: { cpu: '200m' } },
      {},
      { requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '200m', memory: '1Gi' } },
    ],
    [
      'a zero request counts as unset',
      { requests: { cpu: '0' } },
      {},
      { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
    ],
    [
      'other defaults',
      undefined,
      { defaults: { cpu: '500m', memory: '256Mi' } },
      { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    ],
    [
      'a ceiling lowers request and limit',
      { requests: { cpu: '8' } },
      { ceilings: { cpu: '4' } },
      { requests: { cpu: '4', memory: '1Gi' }, limits: { cpu: '4', memory: '1Gi' } },
    ],
    [
      'a ceiling between request and limit lowers only the limit',
      { requests: { memory: '1Gi' }, limits: { memory: '4Gi' } },
      { ceilings: { memory: '2Gi' } },
      { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
    ],
    [
      'a zero ceiling is no ceiling',
      { requests: { cpu: '8' } },
      { ceilings: { cpu: '0' } },
      { requests: { cpu: '8', memory: '1Gi' }, limits: { cpu: '8', memory: '1Gi' } },
    ],
    [
      'the generic gpu key becomes the accelerator resource, request = limit',
      { limits: { gpu: '2' } },
      {},
      {
        requests: { cpu: '1', memory: '1Gi', 'nvidia.com/gpu': '2' },
        limits: { cpu: '1', memory: '1Gi', 'nvidia.com/gpu': '2' },
      },
    ],
    [
      'ephemeral storage is mirrored but never defaulted',
      { requests: { 'ephemeral-storage': '10Gi' } },
      {},
      {
        requests: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '10Gi' },
        limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '10Gi' },
      },
    ],
    [
      'claims are kept',
      { claims: [{ name: 'gpu-claim' }] },
      {},
      {
        claims: [{ name: 'gpu-claim' }],
        requests: { cpu: '1', memory: '1Gi' },
        limits: { cpu: '1', memory: '1Gi' },
      },
    ],
  ])('%s', (_name, input, p, expected) => {
    expect(applyResourceRule(input, { ...policy, ...p })).toEqual(E.right(expected));
  });

  it.each<[string, R, ReadonlyArray<string | number>, RegExp]>([
    [
      'a request above its limit',
      { requests: { cpu: '2' }, limits: { cpu: '1' } },
      ['requests', 'cpu'],
      /above the limit 1/,
    ],
    [
      'a GPU request different from its limit',
      { requests: { gpu: '1' }, limits: { gpu: '2' } },
      ['requests', 'gpu'],
      /cannot be overcommitted/,
    ],
    ['a negative quantity', { limits: { memory: '-1Gi' } }, ['limits', 'memory'], /must not be negative/],
    ['an unparsable quantity', { limits: { memory: 'lots' } }, ['limits', 'memory'], /quantity/],
  ])('refuses %s, naming the field', (_name, input, path, message) => {
    const p = resourceProblem(input);
    expect(p?.path).toEqual(path);
    expect(p?.message).toMatch(message);
  });

  test.prop([
    arbConsistentResources,
    fc.constantFrom('250m', '1', '4'),
    fc.option(fc.constantFrom('2', '6'), { nil: undefined }),
  ])('idempotent, and request ≤ limit for every resource', (r, cpu, ceiling) => {
    const p: ResourcePolicy = {
      ...policy,
      defaults: { cpu, memory: '1Gi' },
      ceilings: ceiling === undefined ? {} : { cpu: ceiling },
    };
    const once = applyResourceRule(r, p);
    if (E.isLeft(once)) throw new Error(once.left.message);
    expect(applyResourceRule(once.right, p)).toEqual(once);
    expect(resourceProblem(once.right)).toBeUndefined();
  });
});

describe('resources in built pods', () => {
  it('execution platform requests beat the config defaults; platform limits cap everything', () => {
    const pod = build(
      ctxOf(
        task({}, { platformResources: { requests: { cpu: '3' }, limits: { memory: '512Mi' } } }),
        config({ 'default-cpus': '500m', 'default-memory': '1Gi' }),
      ),
    );
    expect(primaryOf(pod).resources).toEqual({
      requests: { cpu: '3', memory: '512Mi' },
      limits: { cpu: '3', memory: '512Mi' },
    });
  });

  it('an override replaces whole resources, per resource name, and keeps the others', () => {
    const pod = build(
      ctxOf(
        task(
          {
            container: {
              image: 'x',
              resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1' } },
            },
          },
          { overrides: { resources: { requests: { cpu: '4' } } } },
        ),
      ),
    );
    expect(primaryOf(pod).resources).toEqual({
      requests: { cpu: '4', memory: '2Gi' },
      limits: { cpu: '4', memory: '2Gi' },
    });
  });

  it('sidecars and init containers get resources by the same rule (no invented zero requests)', () => {
    const pod = build(
      ctxOf(
        task({
          type: 'sidecar',
          podTemplate: {
            primaryContainerName: 'main',
            spec: {
              initContainers: [{ name: 'setup', image: 'busybox' }],
              containers: [
                { name: 'main', image: 'app' },
                { name: 'proxy', image: 'envoy', resources: { limits: { memory: '128Mi' } } },
              ],
            },
          },
        }),
        config({ 'default-cpus': '100m', 'default-memory': '64Mi' }),
      ),
    );
    expect(containerNamed(pod, 'setup').resources).toEqual({
      requests: { cpu: '100m', memory: '64Mi' },
      limits: { cpu: '100m', memory: '64Mi' },
    });
    expect(containerNamed(pod, 'proxy').resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '100m', memory: '128Mi' },
    });
  });

  it.each<[string, Parameters<typeof task>, ReadonlyArray<string | number>]>([
    [
      'the task container',
      [{ container: { image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } } }],
      ['task', 'container', 'resources', 'requests', 'cpu'],
    ],
    [
      'the override',
      [{}, { overrides: { resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } } }],
      ['execution', 'overrides', 'resources', 'requests', 'memory'],
    ],
    [
      'a sidecar of a pod task',
      [
        {
          podTemplate: {
            primaryContainerName: 'main',
            spec: {
              containers: [
                { name: 'main', image: 'x' },
                { name: 'side', image: 'y', resources: { requests: { gpu: '1' }, limits: { gpu: '2' } } },
              ],
            },
          },
        },
      ],
      ['task', 'podTemplate', 'spec', 'containers', 1, 'resources', 'requests', 'gpu'],
    ],
  ])('a request above its limit in %s is a BuildError naming the field', (_name, args, path) => {
    expect(buildFails(ctxOf(task(...args))).path).toEqual(path);
  });
});
