// The Kubernetes adapter's wire decoding, without a server: Status bodies, watch lines, lists, deletes, discovery.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import { deleteOutcomeOf, objectListOf, patchContentType } from '../../src/adapters/kubernetes/cluster.js';
import { discoveryPath, resolveKind, resourcesOf } from '../../src/adapters/kubernetes/discovery.js';
import { decodeFailure } from '../../src/adapters/kubernetes/errors.js';
import { collectionPath, objectPath, watchQuery } from '../../src/adapters/kubernetes/paths.js';
import { decodeWatchEvent, makeLineSplitter } from '../../src/adapters/kubernetes/watch.js';
import {
  codeOfReason,
  statusError,
  statusReasons,
  toStatus,
  type ApiError,
  type StatusReason,
} from '../../src/domain/api-error.js';
import type { ResourceInfo } from '../../src/ports/cluster.js';
import { holding, type Guard } from '../support/api-error-guards.js';

// Reasons the API server actually writes: "Unknown" stands for the empty reason, which decodes by code.
const reasonArb = fc.constantFrom(
  ...statusReasons.filter((r): r is Exclude<StatusReason, 'Unknown'> => r !== 'Unknown'),
);
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);

const errorArb: fc.Arbitrary<ApiError> = fc
  .record(
    {
      reason: reasonArb,
      message: fc.string(),
      name: word,
      group: word,
      kind: word,
      causes: fc.array(fc.record({ reason: word, message: fc.string(), field: word }), { maxLength: 3 }),
      retryAfterSeconds: fc.nat(100),
    },
    { requiredKeys: ['reason', 'message'] },
  )
  .map(({ reason, message, ...details }) =>
    statusError(reason, message, Object.keys(details).length === 0 ? undefined : details),
  );

describe('Status bodies', () => {
  test.prop([errorArb])(
    'a Status body, as the string it arrives as, decodes to the error it encodes',
    (e) => {
      expect(decodeFailure(e.code, JSON.stringify(toStatus(e)))).toEqual(e);
    },
  );

  test.prop([
    fc.constantFrom(400, 401, 403, 404, 409, 410, 413, 415, 422, 429, 500, 502, 503, 504),
    fc.string(),
  ])('a body that is not a Status keeps the HTTP code and becomes the message', (code, text) => {
    const e = decodeFailure(code, text);
    expect(e.code).toBe(code);
    if (text.trim() !== '' && !text.trim().startsWith('{')) expect(e.message).toBe(text.trim());
    if (code < 500 && code !== 409 && code !== 410 && code !== 502) expect(codeOfReason[e.reason]).toBe(code);
  });

  it('takes Retry-After from the header when the Status has none', () => {
    expect(decodeFailure(429, 'Too many requests, please try again later.', '3')).toEqual({
      _tag: 'ApiError',
      reason: 'TooManyRequests',
      code: 429,
      message: 'Too many requests, please try again later.',
      details: { retryAfterSeconds: 3 },
    });
    expect(decodeFailure(502, '')).toMatchObject({
      reason: 'InternalError',
      code: 502,
      message: 'Bad Gateway',
    });
  });
});

describe('HTTP answers, as the typed error and its guards', () => {
  const status = (code: number, reason: string | undefined, message: string): string =>
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message,
      ...(reason === undefined ? {} : { reason }),
      code,
    });
  it.each<[number, string, string | undefined, StatusReason, ReadonlyArray<Guard>]>([
    [404, status(404, 'NotFound', 'pods "p" not found'), undefined, 'NotFound', ['isNotFound']],
    [404, '404 page not found', undefined, 'NotFound', ['isNotFound']],
    [
      409,
      status(409, 'AlreadyExists', 'pods "p" already exists'),
      undefined,
      'AlreadyExists',
      ['isAlreadyExists'],
    ],
    [409, status(409, 'Conflict', 'the object has been modified'), undefined, 'Conflict', ['isConflict']],
    [409, 'conflict', undefined, 'Conflict', ['isConflict']],
    [
      403,
      status(403, 'Forbidden', 'pods "p" is forbidden: exceeded quota: q, requested: pods=1'),
      undefined,
      'Forbidden',
      ['isForbidden', 'isQuotaExceeded'],
    ],
    [403, 'forbidden by a proxy', undefined, 'Forbidden', ['isForbidden']],
    [422, status(422, 'Invalid', 'Pod "p" is invalid'), undefined, 'Invalid', ['isInvalid']],
    // A reason the API does not define is read by its code.
    [
      413,
      status(413, 'EntityTooLarge', 'too big'),
      undefined,
      'RequestEntityTooLarge',
      ['isRequestEntityTooLarge'],
    ],
    [400, status(400, 'BadRequest', 'bad selector'), undefined, 'BadRequest', ['isBadRequest']],
    [429, 'Too many requests', '3', 'TooManyRequests', ['isTooManyRequests', 'isRetryable']],
    [410, status(410, 'Expired', 'too old resource version'), undefined, 'Expired', ['isResourceExpired']],
    [
      500,
      status(500, 'InternalError', 'etcd'),
      undefined,
      'InternalError',
      ['isInternalError', 'isRetryable', 'mayHaveApplied'],
    ],
    [500, status(500, undefined, 'something'), undefined, 'Unknown', ['isInternalError', 'mayHaveApplied']],
    [502, '', undefined, 'InternalError', ['isInternalError', 'isRetryable', 'mayHaveApplied']],
    [503, '', undefined, 'ServiceUnavailable', ['isServiceUnavailable', 'isRetryable']],
    [504, '', undefined, 'Timeout', ['isTimeout', 'isRetryable', 'mayHaveApplied']],
  ])('%i %s → %s %j', (code, body, retryAfter, reason, expected) => {
    const e = decodeFailure(code, body, retryAfter);
    expect(e.reason).toBe(reason);
    expect(holding(e)).toEqual(expected);
  });
});

describe('watch lines', () => {
  const objectArb = fc.record({
    apiVersion: fc.constantFrom('v1', 'ray.io/v1'),
    kind: fc.constantFrom('Pod', 'RayJob'),
    metadata: fc.record({ name: word, resourceVersion: fc.nat().map(String) }),
    data: fc.dictionary(word, fc.string()),
  });
  const lineArb = fc.oneof(
    fc.record({ type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED'), object: objectArb }),
    fc.record({
      type: fc.constant('BOOKMARK'),
      object: fc.record({
        kind: fc.constant('Pod'),
        apiVersion: fc.constant('v1'),
        metadata: fc.record(
          {
            resourceVersion: fc.nat().map(String),
            annotations: fc.constant({ 'k8s.io/initial-events-end': 'true' }),
          },
          { requiredKeys: ['resourceVersion'] },
        ),
      }),
    }),
  );

  test.prop([fc.array(lineArb, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 })])(
    'however the body is cut into chunks, the same events come out in the same order',
    (events, cuts) => {
      const text = events.map((e) => `${JSON.stringify(e)}\n`).join('');
      const points = [...new Set(cuts.map((c) => (text.length === 0 ? 0 : c % text.length)))].sort(
        (a, b) => a - b,
      );
      const chunks = [0, ...points, text.length]
        .slice(1)
        .map((end, i, ends) => text.slice(i === 0 ? 0 : ends[i - 1], end));
      const split = makeLineSplitter();
      const lines = [...chunks.flatMap((c) => split.push(c)), ...split.flush()];
      const decoded = lines.map(decodeWatchEvent);
      expect(decoded.every(E.isRight)).toBe(true);
      expect(
        decoded.map((d) =>
          E.isRight(d) ? (d.right.type === 'BOOKMARK' ? `B${d.right.resourceVersion}` : d.right.type) : 'x',
        ),
      ).toEqual(
        events.map((e) => (e.type === 'BOOKMARK' ? `B${e.object.metadata.resourceVersion}` : e.type)),
      );
    },
  );

  test.prop([objectArb, fc.constantFrom('ADDED', 'MODIFIED', 'DELETED')])(
    'object events carry the object unchanged',
    (object, type) => {
      expect(decodeWatchEvent(JSON.stringify({ type, object }))).toEqual(E.right({ type, object }));
    },
  );

  test.prop([errorArb])('an ERROR event carries the Status as the port error', (e) => {
    expect(decodeWatchEvent(JSON.stringify({ type: 'ERROR', object: toStatus(e) }))).toEqual(
      E.right({ type: 'ERROR', error: e }),
    );
  });

  it('bookmarks: the resourceVersion, and the initial-events-end mark only when it is "true"', () => {
    const bookmark = (annotations?: Record<string, string>): string =>
      JSON.stringify({
        type: 'BOOKMARK',
        object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '42', annotations } },
      });
    expect(decodeWatchEvent(bookmark())).toEqual(E.right({ type: 'BOOKMARK', resourceVersion: '42' }));
    expect(decodeWatchEvent(bookmark({ 'k8s.io/initial-events-end': 'true' }))).toEqual(
      E.right({ type: 'BOOKMARK', resourceVersion: '42', initialEventsEnd: true }),
    );
    expect(decodeWatchEvent(bookmark({ 'k8s.io/initial-events-end': 'false' }))).toEqual(
      E.right({ type: 'BOOKMARK', resourceVersion: '42' }),
    );
  });

  it.each([
    ['not json', '{"type":'],
    ['no type', '{"object":{}}'],
    ['unknown type', '{"type":"RENAMED","object":{"apiVersion":"v1","kind":"Pod"}}'],
    ['object without kind', '{"type":"ADDED","object":{"metadata":{}}}'],
    ['bookmark without version', '{"type":"BOOKMARK","object":{"metadata":{}}}'],
    ['error without Status', '{"type":"ERROR","object":{"kind":"Pod"}}'],
  ])('refuses a malformed line: %s', (_, line) => {
    expect(E.isLeft(decodeWatchEvent(line))).toBe(true);
  });
});

describe('lists, deletes, patches, paths', () => {
  const itemArb = fc.record({ metadata: fc.record({ namespace: word, name: word }) });

  test.prop([fc.array(itemArb, { maxLength: 30 }), fc.nat().map(String)])(
    'list items come back sorted by namespace then name, each with apiVersion and kind',
    (items, rv) => {
      const list = objectListOf(
        { apiVersion: 'v1', kind: 'Pod' },
        { metadata: { resourceVersion: rv }, items },
      );
      expect(list.resourceVersion).toBe(rv);
      expect(list.items).toHaveLength(items.length);
      expect(list.items.every((o) => o.apiVersion === 'v1' && o.kind === 'Pod')).toBe(true);
      const keys = list.items.map((o) => [o.metadata?.namespace ?? '', o.metadata?.name ?? ''] as const);
      for (let i = 1; i < keys.length; i++) {
        const [a, b] = [keys[i - 1]!, keys[i]!];
        expect(a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1])).toBe(true);
      }
    },
  );

  it.each([
    [
      'a Status: removed',
      { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name: 'a' } },
      true,
    ],
    [
      'finalizers remain: marked',
      { kind: 'ConfigMap', metadata: { finalizers: ['x/y'], deletionGracePeriodSeconds: 0 } },
      false,
    ],
    ['graceful pod: marked', { kind: 'Pod', metadata: { deletionGracePeriodSeconds: 30 } }, false],
    ['grace 0, no finalizers: removed', { kind: 'Pod', metadata: { deletionGracePeriodSeconds: 0 } }, true],
    ['the last state of a removed custom resource', { kind: 'RayJob', metadata: { name: 'j' } }, true],
  ])('delete outcome: %s', (_, body, removed) => {
    const outcome = deleteOutcomeOf(body);
    expect(outcome.removed).toBe(removed);
    expect(outcome.object === undefined).toBe(removed);
  });

  it('patch media types', () => {
    expect(patchContentType).toEqual({
      merge: 'application/merge-patch+json',
      strategic: 'application/strategic-merge-patch+json',
      json: 'application/json-patch+json',
    });
  });

  const pods: ResourceInfo = {
    apiVersion: 'v1',
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    statusSubresource: true,
  };
  const nodes: ResourceInfo = {
    apiVersion: 'v1',
    kind: 'Node',
    plural: 'nodes',
    namespaced: false,
    statusSubresource: true,
  };
  const rayjobs: ResourceInfo = {
    apiVersion: 'ray.io/v1',
    kind: 'RayJob',
    plural: 'rayjobs',
    namespaced: true,
    statusSubresource: true,
  };

  it('paths', () => {
    expect(collectionPath(pods, 'ns')).toBe('/api/v1/namespaces/ns/pods');
    expect(collectionPath(pods, undefined)).toBe('/api/v1/pods');
    expect(collectionPath(nodes, 'ns')).toBe('/api/v1/nodes');
    expect(objectPath(rayjobs, 'ns', 'j', 'status')).toBe('/apis/ray.io/v1/namespaces/ns/rayjobs/j/status');
    expect(objectPath(pods, 'ns', 'p', 'binding')).toBe('/api/v1/namespaces/ns/pods/p/binding');
  });

  test.prop([
    fc.string(),
    fc.string(),
    fc.option(fc.nat().map(String), { nil: undefined }),
    fc.boolean(),
    fc.boolean(),
  ])(
    'watch queries carry selectors verbatim; sendInitialEvents brings bookmarks and NotOlderThan',
    (labelSelector, fieldSelector, resourceVersion, allowBookmarks, sendInitialEvents) => {
      const q = new URLSearchParams(
        watchQuery(
          {
            labelSelector,
            fieldSelector,
            allowBookmarks,
            sendInitialEvents,
            ...(resourceVersion === undefined ? {} : { resourceVersion }),
          },
          300,
        ).slice(1),
      );
      expect(q.get('watch')).toBe('true');
      expect(q.get('labelSelector') ?? '').toBe(labelSelector);
      expect(q.get('fieldSelector') ?? '').toBe(fieldSelector);
      expect(q.get('resourceVersion') ?? undefined).toBe(resourceVersion);
      expect(q.get('allowWatchBookmarks') === 'true').toBe(allowBookmarks || sendInitialEvents);
      expect(q.get('resourceVersionMatch') === 'NotOlderThan').toBe(sendInitialEvents);
      expect(q.get('timeoutSeconds')).toBe('300');
    },
  );
});

describe('discovery', () => {
  const core = resourcesOf({
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      { name: 'bindings', kind: 'Binding', namespaced: true },
      { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
      { name: 'nodes', kind: 'Node', namespaced: false },
      { name: 'nodes/status', kind: 'Node', namespaced: false },
      { name: 'pods', kind: 'Pod', namespaced: true },
      { name: 'pods/binding', kind: 'Binding', namespaced: true },
      { name: 'pods/status', kind: 'Pod', namespaced: true },
      'garbage',
    ],
  });

  it('finds the top-level resource of a kind and its status subresource', () => {
    expect(resolveKind({ apiVersion: 'v1', kind: 'Pod' }, core)).toEqual(
      O.some({ apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, statusSubresource: true }),
    );
    expect(resolveKind({ apiVersion: 'v1', kind: 'ConfigMap' }, core)).toEqual(
      O.some({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        plural: 'configmaps',
        namespaced: true,
        statusSubresource: false,
      }),
    );
    expect(resolveKind({ apiVersion: 'v1', kind: 'Binding' }, core)).toEqual(
      O.some({
        apiVersion: 'v1',
        kind: 'Binding',
        plural: 'bindings',
        namespaced: true,
        statusSubresource: false,
      }),
    );
    expect(resolveKind({ apiVersion: 'v1', kind: 'Secret' }, core)).toEqual(O.none);
  });

  it.each([
    ['v1', O.some('/api/v1')],
    ['batch/v1', O.some('/apis/batch/v1')],
    ['ray.io/v1alpha1', O.some('/apis/ray.io/v1alpha1')],
    ['', O.none],
    ['apps', O.none],
    ['a/b/c', O.none],
    ['../v1', O.none],
  ])('discovery path of %j', (apiVersion, path) => {
    expect(discoveryPath(apiVersion)).toEqual(path);
  });
});
