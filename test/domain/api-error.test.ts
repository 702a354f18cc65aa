// API errors as data: apimachinery's messages, reasons and codes, the guards, and the round trip through Status.
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  alreadyExists,
  codeOfReason,
  conflict,
  forbidden,
  fromStatus,
  internalError,
  invalid,
  badRequest,
  gone,
  isApiError,
  isQuotaExceeded,
  isResourceExpired,
  isRetryable,
  notFound,
  requestEntityTooLarge,
  resourceExpired,
  resourceNotServed,
  serverTimeout,
  serviceUnavailable,
  retryAfterSeconds,
  statusError,
  statusReasons,
  timeout,
  toStatus,
  tooManyRequests,
  type ApiError,
} from '../../src/domain/api-error.js';
import { holding, type Guard } from '../support/api-error-guards.js';

const pods = { group: '', resource: 'pods' };
const rayjobs = { group: 'ray.io', resource: 'rayjobs' };

describe('constructors speak apimachinery', () => {
  it.each([
    [notFound(pods, 'p'), 'NotFound', 404, 'pods "p" not found'],
    [notFound(rayjobs, 'r'), 'NotFound', 404, 'rayjobs.ray.io "r" not found'],
    [alreadyExists(pods, 'p'), 'AlreadyExists', 409, 'pods "p" already exists'],
    [
      conflict(pods, 'p'),
      'Conflict',
      409,
      'Operation cannot be fulfilled on pods "p": the object has been modified; please apply your changes to the latest version and try again',
    ],
    [forbidden(pods, 'p', 'exceeded quota: q'), 'Forbidden', 403, 'pods "p" is forbidden: exceeded quota: q'],
    [forbidden(pods, '', 'nope'), 'Forbidden', 403, 'pods is forbidden: nope'],
    [resourceExpired('too old resource version: 1 (5)'), 'Expired', 410, 'too old resource version: 1 (5)'],
    [internalError('boom'), 'InternalError', 500, 'Internal error occurred: boom'],
    [
      timeout('Too large resource version: 9, current: 5', 1),
      'Timeout',
      504,
      'Timeout: Too large resource version: 9, current: 5',
    ],
  ] as Array<[ApiError, string, number, string]>)('case %#', (e, reason, code, message) => {
    expect(e.reason).toBe(reason);
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
  });

  it('renders field errors like field.ErrorList', () => {
    const one = invalid({ group: '', kind: 'Pod' }, 'p', [
      { type: 'FieldValueRequired', field: 'spec.containers' },
    ]);
    expect(one.message).toBe('Pod "p" is invalid: spec.containers: Required value');
    const two = invalid({ group: 'ray.io', kind: 'RayJob' }, 'r', [
      { type: 'FieldValueInvalid', field: 'metadata.name', value: 'R', detail: 'bad' },
      { type: 'FieldValueForbidden', field: 'spec', detail: 'immutable' },
    ]);
    expect(two.message).toBe(
      'RayJob.ray.io "r" is invalid: [metadata.name: Invalid value: "R": bad, spec: Forbidden: immutable]',
    );
    expect(two.details?.causes?.map((c) => c.field)).toEqual(['metadata.name', 'spec']);
  });
});

describe('guards', () => {
  it('classifies', () => {
    expect(isQuotaExceeded(forbidden(pods, 'p', 'exceeded quota: q, requested: pods=1'))).toBe(true);
    expect(isQuotaExceeded(forbidden(pods, 'p', 'something else'))).toBe(false);
    expect(isResourceExpired(statusError('Gone', 'gone'))).toBe(true);
    expect(isResourceExpired(resourceExpired('x'))).toBe(true);
    expect(isRetryable(tooManyRequests('slow down', 2))).toBe(true);
    expect(isRetryable(notFound(pods, 'p'))).toBe(false);
    expect(retryAfterSeconds(tooManyRequests('slow down', 2))).toEqual(O.some(2));
    expect(isApiError(notFound(pods, 'p'))).toBe(true);
    expect(isApiError(new Error('x'))).toBe(false);
  });
});

const unclassified = (code: number): ApiError => ({ ...statusError('Unknown', 'x'), code });

describe('the guards, as a table', () => {
  it.each<[string, ApiError, ReadonlyArray<Guard>]>([
    ['a missing object', notFound(pods, 'p'), ['isNotFound']],
    ['a kind not served', resourceNotServed(), ['isNotFound']],
    ['an unclassified 404', unclassified(404), ['isNotFound']],
    ['a name taken', alreadyExists(pods, 'p'), ['isAlreadyExists']],
    ['a stale resourceVersion', conflict(pods, 'p'), ['isConflict']],
    // 409 without a reason is a conflict, never "already exists" (apimachinery asks the reason for that one).
    ['an unclassified 409', unclassified(409), ['isConflict']],
    ['a validation failure', invalid({ group: '', kind: 'Pod' }, 'p', []), ['isInvalid']],
    ['an unclassified 422', unclassified(422), ['isInvalid']],
    [
      'a quota refusal',
      forbidden(pods, 'p', 'exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1'),
      ['isForbidden', 'isQuotaExceeded'],
    ],
    ['another refusal', forbidden(pods, 'p', 'violates PodSecurity'), ['isForbidden']],
    ['an unclassified 403', unclassified(403), ['isForbidden']],
    ['a malformed request', badRequest('bad selector'), ['isBadRequest']],
    ['too large', requestEntityTooLarge('limit is 3145728'), ['isRequestEntityTooLarge']],
    ['throttled', tooManyRequests('slow down', 2), ['isTooManyRequests', 'isRetryable']],
    ['a server failure', internalError('etcd'), ['isInternalError', 'isRetryable', 'mayHaveApplied']],
    // An unclassified 500 (a TLS failure, say) may have applied, but is not retried blindly.
    ['an unclassified 500', statusError('Unknown', 'x509'), ['isInternalError', 'mayHaveApplied']],
    ['a timeout', timeout('etcd'), ['isTimeout', 'isRetryable', 'mayHaveApplied']],
    ['a server timeout', serverTimeout(pods, 'create'), ['isServerTimeout', 'isRetryable', 'mayHaveApplied']],
    ['unavailable', serviceUnavailable('connection refused'), ['isServiceUnavailable', 'isRetryable']],
    ['an expired resourceVersion', resourceExpired('too old'), ['isResourceExpired']],
    ['gone', gone('too old'), ['isResourceExpired']],
  ])('%s: %j', (_what, e, expected) => {
    expect(holding(e)).toEqual(expected);
  });
});

describe('Status objects', () => {
  const clusterError: fc.Arbitrary<ApiError> = fc
    .record({
      reason: fc.constantFrom(...statusReasons),
      message: fc.string(),
      name: fc.option(fc.string(), { nil: undefined }),
      retry: fc.option(fc.nat(), { nil: undefined }),
      causes: fc.option(fc.array(fc.record({ field: fc.string(), message: fc.string() }), { maxLength: 2 }), {
        nil: undefined,
      }),
    })
    .map(({ reason, message, name, retry, causes }) =>
      statusError(
        reason,
        message,
        name === undefined && retry === undefined && causes === undefined
          ? undefined
          : {
              ...(name === undefined ? {} : { name }),
              ...(retry === undefined ? {} : { retryAfterSeconds: retry }),
              ...(causes === undefined ? {} : { causes }),
            },
      ),
    );

  test.prop([clusterError])('fromStatus(toStatus(e)) is e', (e) => {
    expect(fromStatus(toStatus(e))).toEqual(e);
  });

  test.prop([fc.constantFrom(...statusReasons)])('every reason has its HTTP code', (reason) => {
    expect(statusError(reason, '').code).toBe(codeOfReason[reason]);
  });

  it('infers the reason from the code when the server sends none', () => {
    expect(fromStatus({ code: 429, message: 'slow' }).reason).toBe('TooManyRequests');
    expect(fromStatus({ message: 'x' }, 404).reason).toBe('NotFound');
    expect(fromStatus({ reason: 'SomethingNew', code: 503 }).reason).toBe('ServiceUnavailable');
  });
});
