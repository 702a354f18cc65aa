// The CRD toolkit's protobuf-JSON payload codec: both spellings of a field, scalars, resources, written paths.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { decode, renderIssue } from '../../../src/domain/codec.js';
import {
  decodePayload,
  Int32,
  message,
  protoEnum,
  protoName,
  ProtoResources,
  UInt32,
  writtenPath,
} from '../../../src/plugins/crd/index.js';

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

describe('required fields', () => {
  const R = message('R', { rules: t.readonlyArray(t.string), note: t.string }, ['rules']);

  it('reports a missing required field under its lowerCamel name, and accepts either spelling', () => {
    const r = decode(R)({ note: 'x' });
    expect(E.isLeft(r) && r.left.map(renderIssue)).toEqual(['rules: missing, expected a list']);
    expect(decode(R)({ rules: [] })).toEqual(E.right({ rules: [] }));
  });

  it('reports a wrong required field once, as wrong rather than missing', () => {
    const r = decode(R)({ rules: 3 });
    expect(E.isLeft(r) && r.left.map(renderIssue)).toEqual(['rules: expected a list, got 3']);
  });
});

describe('decodePayload', () => {
  const M = message('M', { groupName: t.string, minReplicas: Int32 });

  it('reads an absent payload as the empty message', () => {
    expect(decodePayload(M)(undefined)).toEqual(E.right({}));
  });

  it('gives the first issue as a BadTaskSpecification at its place under task.custom', () => {
    const r = decodePayload(M)({ groupName: 'a', group_name: 'b' });
    expect(E.isLeft(r) && r.left.code).toBe('BadTaskSpecification');
    expect(E.isLeft(r) && r.left.path).toEqual(['task', 'custom', 'group_name']);
    expect(E.isLeft(r) && r.left.message).toMatch(/only one of "groupName" and "group_name": both/);
  });
});

describe('writtenPath', () => {
  it('follows the spelling the author used, step by step, through lists', () => {
    const raw = { worker_replicas: { common: { replicas: 0 } }, runPolicy: { backoff_limit: -1 } };
    expect(writtenPath(raw, ['workerReplicas', 'common', 'replicas'])).toEqual([
      'task',
      'custom',
      'worker_replicas',
      'common',
      'replicas',
    ]);
    expect(writtenPath(raw, ['runPolicy', 'backoffLimit'])).toEqual([
      'task',
      'custom',
      'runPolicy',
      'backoff_limit',
    ]);
    expect(writtenPath({ rules: [{ on_exit_codes: {} }] }, ['rules', 0, 'onExitCodes'], [])).toEqual([
      'rules',
      0,
      'on_exit_codes',
    ]);
  });

  it('names a field nobody wrote by its lowerCamel name', () => {
    expect(writtenPath({}, ['completionMode'])).toEqual(['task', 'custom', 'completionMode']);
  });

  test.prop([fc.stringMatching(/^[a-z]+([A-Z][a-z0-9]+){0,3}$/)])(
    'a message reads a field written under its proto name as under its JSON name',
    (camel) => {
      const C = message('C', { [camel]: t.string });
      expect(decode(C)({ [protoName(camel)]: 'v' })).toEqual(E.right({ [camel]: 'v' }));
      expect(writtenPath({ [protoName(camel)]: 'v' }, [camel], [])).toEqual([protoName(camel)]);
    },
  );
});
