// Cluster errors as data: apimachinery's messages, reasons and codes, and the round trip through Status objects.
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
  isClusterError,
  isQuotaExceeded,
  isResourceExpired,
  isTransient,
  notFound,
  resourceExpired,
  retryAfterSeconds,
  statusError,
  statusReasons,
  timeout,
  toStatus,
  tooManyRequests,
  type ClusterError,
} from '../../src/ports/cluster-error.js';

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
  ] as Array<[ClusterError, string, number, string]>)('case %#', (e, reason, code, message) => {
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
    expect(isTransient(tooManyRequests('slow down', 2))).toBe(true);
    expect(isTransient(notFound(pods, 'p'))).toBe(false);
    expect(retryAfterSeconds(tooManyRequests('slow down', 2))).toEqual(O.some(2));
    expect(isClusterError(notFound(pods, 'p'))).toBe(true);
    expect(isClusterError(new Error('x'))).toBe(false);
  });
});

describe('Status objects', () => {
  const clusterError: fc.Arbitrary<ClusterError> = fc
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
