// addObjectMetadata (spec 6.3): namespace, generated name, label and annotation unions, owner reference, finalizer.
import { describe, expect, it } from 'vitest';
import { test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../../../src/domain/kubernetes.js';
import {
  addObjectMetadata,
  annotationsError,
  ANNOTATIONS_MAX_BYTES,
  checkExecutionMetadata,
  FINALIZER,
  labelsError,
} from '../../../../src/domain/object-metadata.js';
import { defaultPluginProperties, type PluginProperties } from '../../../../src/domain/plugin.js';
import { arbBuildContext } from '../../../../src/testing/index.js';
import { config, ctxOf, task } from './fixtures.js';

const owner = {
  apiVersion: 'kubetasks.dev/v1alpha1',
  kind: 'TaskAction',
  name: 'r1-a',
  uid: 'u-1',
  controller: true,
};
const obj: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    labels: { a: 'object', b: 'object' },
    annotations: { x: 'object' },
    ownerReferences: [{ ...owner, uid: 'old' }],
  },
};
const props = (p: Partial<PluginProperties> = {}): PluginProperties => ({ ...defaultPluginProperties, ...p });

describe('addObjectMetadata', () => {
  const ctx = ctxOf(
    task({}, { labels: { b: 'execution' }, annotations: { y: 'execution' }, ownerReference: owner }),
    config({ 'inject-finalizer': true, 'default-labels': { a: 'config', c: 'config' } }),
  );

  it('sets namespace and name, unions labels and annotations (config < object < execution), owner and finalizer', () => {
    expect(addObjectMetadata(ctx, props(), obj).metadata).toEqual({
      name: 'r1-a-0',
      namespace: 'ns',
      labels: { a: 'object', b: 'execution', c: 'config' },
      annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false', x: 'object', y: 'execution' },
      ownerReferences: [owner],
      finalizers: [FINALIZER],
    });
  });

  it('never adds the finalizer twice, and keeps foreign ones', () => {
    const once = addObjectMetadata(ctx, props(), { ...obj, metadata: { finalizers: ['other'] } });
    expect(addObjectMetadata(ctx, props(), once).metadata?.finalizers).toEqual(['other', FINALIZER]);
  });

  it.each<[string, PluginProperties, boolean, boolean, ReadonlyArray<string> | undefined, string]>([
    [
      'the plugin opts out of the finalizer',
      props({ disableInjectFinalizer: true }),
      true,
      false,
      undefined,
      'u-1',
    ],
    ['inject-finalizer is off', props(), false, false, undefined, 'u-1'],
    [
      'the plugin opts out of owner references',
      props({ disableInjectOwnerReferences: true }),
      true,
      false,
      [FINALIZER],
      'old',
    ],
    ['the config opts out of owner references', props(), true, true, [FINALIZER], 'old'],
  ])('when %s', (_name, p, inject, disableOwners, finalizers, ownerUid) => {
    const c = ctxOf(
      ctx.task,
      config({ 'inject-finalizer': inject, 'disable-inject-owner-references': disableOwners }),
    );
    const m = addObjectMetadata(c, p, obj).metadata!;
    expect(m.finalizers).toEqual(finalizers);
    expect(m.ownerReferences?.map((o) => o.uid)).toEqual([ownerUid]);
  });

  it("bounds the name by the plugin's generatedNameMaxLength", () => {
    const long = ctxOf(task({}, { id: { run: 'r'.repeat(40), action: 'a'.repeat(30) } }));
    const name = addObjectMetadata(long, props({ generatedNameMaxLength: 20 }), obj).metadata?.name ?? '';
    expect(name.length).toBeLessThanOrEqual(20);
  });

  test.prop([arbBuildContext])('idempotent', (c) => {
    const once = addObjectMetadata(c, props(), obj);
    expect(addObjectMetadata(c, props(), once)).toEqual(once);
  });
});

describe('metadata checks', () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    ['valid', { 'example.com/team': 'ml', app: '' }, undefined],
    ['a key with a space', { 'a b': 'x' }, 'a b'],
    ['a key with two slashes', { 'a/b/c': 'x' }, 'a/b/c'],
    ['a value that is too long', { k: 'v'.repeat(64) }, 'k'],
    ['a value with a slash', { k: 'a/b' }, 'k'],
  ])('labels: %s', (_name, labels, badKey) => {
    expect(labelsError(labels, ['labels'])?.path).toEqual(
      badKey === undefined ? undefined : ['labels', badKey],
    );
  });

  it('annotations: any value, qualified keys, 256 KiB in all', () => {
    expect(annotationsError({ 'Example.com/Key': 'any / value' }, [])).toBeUndefined();
    expect(annotationsError({ 'a b': '' }, ['annotations'])?.path).toEqual(['annotations', 'a b']);
    expect(annotationsError({ big: 'x'.repeat(ANNOTATIONS_MAX_BYTES) }, ['annotations'])?.code).toBe(
      'MetadataTooLarge',
    );
  });

  it('checks execution labels and config defaults, naming where they are', () => {
    expect(checkExecutionMetadata(ctxOf(task({}, { labels: { x: 'no way' } })))).toEqual(
      E.left(expect.objectContaining({ path: ['execution', 'labels', 'x'] })),
    );
    const bad = checkExecutionMetadata(ctxOf(task(), config({ 'default-labels': { '-x': 'y' } })));
    expect(E.isLeft(bad) && bad.left.message).toMatch(/^plugins\.k8s\.default-labels\["-x"\]: label key/);
  });
});
