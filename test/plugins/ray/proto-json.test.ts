// Protobuf-JSON payload decoding shared by the ray and dask plugins, and the pure base64 decoder.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { decode, renderIssue } from '../../../src/domain/codec.js';
import { decodeBase64Utf8 } from '../../../src/plugins/ray/base64.js';
import { Int32, message, protoEnum, ProtoResources, UInt32 } from '../../../src/plugins/ray/proto-json.js';

const M = message('M', { groupName: t.string, minReplicas: Int32 });

describe('message', () => {
  it('reads a field under its lowerCamel or proto name, to lowerCamel', () => {
    expect(decode(M)({ group_name: 'a', minReplicas: 2 })).toEqual(
      E.right({ groupName: 'a', minReplicas: 2 }),
    );
    expect(decode(M)({ groupName: 'a', min_replicas: '3' })).toEqual(
      E.right({ groupName: 'a', minReplicas: 3 }),
    );
  });

  it('treats null as unset', () => {
    expect(decode(M)({ groupName: null })).toEqual(E.right({}));
  });

  it('refuses both names, unknown keys (with a suggestion) and wrong types, each at its path', () => {
    const r = decode(M)({ group_name: 'a', groupName: 'b', minReplica: 1, min_replicas: 'x' });
    expect(E.isLeft(r)).toBe(true);
    if (E.isLeft(r)) {
      const lines = r.left.map(renderIssue);
      expect(lines.some((l) => l.startsWith('group_name: expected only one of'))).toBe(true);
      expect(lines).toContain('minReplica: unknown key (did you mean "minReplicas"?)');
      expect(lines.some((l) => l.startsWith('min_replicas: expected a whole number (int32)'))).toBe(true);
    }
  });
});

describe('scalars', () => {
  it.each([
    [Int32, 5, 5],
    [Int32, '-7', -7],
    [UInt32, '9', 9],
  ] as const)('%s reads %j as %j', (c, input, out) => {
    expect(decode(c)(input)).toEqual(E.right(out));
  });

  it.each([
    [Int32, 1.5],
    [Int32, 2 ** 31],
    [UInt32, -1],
    [UInt32, 'x'],
  ] as const)('%s refuses %j', (c, input) => {
    expect(E.isLeft(decode(c)(input))).toBe(true);
  });

  it('reads enums by name, prefixed name or number', () => {
    const Mode = protoEnum('Mode', ['UNSPECIFIED', 'DEFAULT', 'AGGRESSIVE'] as const, 'MODE_');
    expect(decode(Mode)('DEFAULT')).toEqual(E.right('DEFAULT'));
    expect(decode(Mode)('MODE_AGGRESSIVE')).toEqual(E.right('AGGRESSIVE'));
    expect(decode(Mode)(0)).toEqual(E.right('UNSPECIFIED'));
    expect(E.isLeft(decode(Mode)(3))).toBe(true);
    expect(E.isLeft(decode(Mode)('LAZY'))).toBe(true);
  });

  it('reads resources as Flyte lists or as Kubernetes maps', () => {
    expect(
      decode(ProtoResources)({
        limits: [
          { name: 'CPU', value: '1' },
          { name: 'EPHEMERAL_STORAGE', value: '1Gi' },
        ],
      }),
    ).toEqual(E.right({ limits: { cpu: '1', 'ephemeral-storage': '1Gi' } }));
    expect(decode(ProtoResources)({ requests: { cpu: 2 } })).toEqual(E.right({ requests: { cpu: '2' } }));
    expect(E.isLeft(decode(ProtoResources)({ limits: [{ name: 'UNKNOWN', value: '1' }] }))).toBe(true);
    expect(E.isLeft(decode(ProtoResources)({ limit: {} }))).toBe(true);
  });
});

describe('base64', () => {
  const encode = (s: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

  test.prop([fc.string({ unit: 'grapheme', maxLength: 40 })])(
    'decodes what was encoded, UTF-8 included',
    (s) => {
      expect(decodeBase64Utf8(encode(s))).toBe(s);
    },
  );

  test.prop([fc.string({ maxLength: 40 })])('decodes the URL-safe alphabet without padding too', (s) => {
    const url = encode(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(decodeBase64Utf8(url)).toBe(s);
  });

  it('refuses what is not base64 or not UTF-8', () => {
    expect(decodeBase64Utf8('%%%')).toBeUndefined();
    expect(decodeBase64Utf8('A')).toBeUndefined();
    expect(decodeBase64Utf8(btoa('\xff\xfe'))).toBeUndefined();
  });
});
