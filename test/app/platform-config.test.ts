// Platform config decoding: defaults, strictness, and exact error messages with file positions.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { loadPlatformConfig } from '../../src/app/inputs.js';
import { renderInputError } from '../../src/app/source.js';
import {
  decodePlatformConfig,
  defaultPlatformConfig,
  PlatformConfigC,
} from '../../src/domain/platform-config.js';
import { builtInPlatformConfigC } from '../../src/plugins/index.js';
import { arbPlatformConfig } from '../../src/testing/arbitraries.js';

const errorsOf = (text: string): ReadonlyArray<string> => {
  const r = loadPlatformConfig('platform.yaml', text);
  if (E.isRight(r)) throw new Error('expected errors');
  return r.left.map(renderInputError);
};

describe('platform config defaults', () => {
  it("has Flyte's defaults where Flyte has them", () => {
    const k8s = defaultPlatformConfig.plugins.k8s;
    expect(k8s['default-cpus']).toBe('1');
    expect(k8s['default-memory']).toBe('1Gi');
    expect(k8s['default-annotations']).toEqual({ 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' });
    expect(k8s['image-pull-backoff-grace-period']).toBe(180_000);
    expect(k8s['create-container-error-grace-period']).toBe(180_000);
    expect(k8s['pod-pending-timeout']).toBe(0);
    expect(k8s['gpu-resource-name']).toBe('nvidia.com/gpu');
    expect(k8s['gpu-device-node-label']).toBe('k8s.amazonaws.com/accelerator');
    expect(k8s['accelerator-devices']['A100']).toBe('nvidia-tesla-a100');
    expect(k8s['accelerator-device-classes']['GOOGLE_TPU']?.['resource-name']).toBe('google.com/tpu');
    expect(defaultPlatformConfig.executor['max-system-failures']).toBe(3);
  });

  it('differs from Flyte where docs/compatibility.md says so', () => {
    expect(defaultPlatformConfig.plugins.k8s['create-container-config-error-grace-period']).toBe(60_000);
    expect(defaultPlatformConfig.plugins.k8s['send-object-events']).toBe(true);
  });

  it.each(['', '{}', 'null', '# only a comment\n'])('an empty document %j means all defaults', (text) => {
    // The shipped plugins' sections (plugins.spark, plugins.ray, ...) decode to their defaults too.
    expect(loadPlatformConfig('p.yaml', text)).toEqual(builtInPlatformConfigC.decode({}));
    const r = loadPlatformConfig('p.yaml', text);
    if (E.isRight(r)) expect(r.right.plugins.k8s).toEqual(defaultPlatformConfig.plugins.k8s);
  });

  it('decodes the shipped example', () => {
    const r = loadPlatformConfig('examples/platform.yaml', readFileSync('examples/platform.yaml', 'utf8'));
    expect(E.isRight(r)).toBe(true);
    if (E.isRight(r)) {
      expect(r.right.plugins.k8s['default-cpus']).toBe('500m');
      expect(r.right.plugins.k8s['pod-pending-timeout']).toBe(900_000);
      expect(r.right.plugins.k8s['default-tolerations']).toEqual([]);
    }
  });
});

describe('platform config laws', () => {
  test.prop([arbPlatformConfig])('encode then decode is the identity', (c) => {
    expect(decodePlatformConfig(JSON.parse(JSON.stringify(PlatformConfigC.encode(c))))).toEqual(E.right(c));
  });

  test.prop([fc.anything()])('decoding anything never throws', (u) => {
    expect(() => decodePlatformConfig(u)).not.toThrow();
  });

  test.prop([fc.jsonValue()])('decoding any JSON gives a config or a non-empty issue list', (u) => {
    const r = decodePlatformConfig(u);
    if (E.isLeft(r)) expect(r.left.length).toBeGreaterThan(0);
  });

  test.prop([fc.string({ minLength: 1, maxLength: 12 })])(
    'every unknown top-level key is reported by name',
    (key) => {
      fc.pre(!['plugins', 'executor', 'tasks', 'logs'].includes(key));
      const r = decodePlatformConfig({ [key]: 1 });
      expect(E.isLeft(r) && r.left.some((i) => i.path[0] === key && i.unknownKey !== undefined)).toBe(true);
    },
  );
});

describe('malformed platform configs: exact messages', () => {
  it.each([
    [
      'a quantity that is not one',
      'plugins:\n  k8s:\n    default-cpus: lots\n',
      ['platform.yaml:3:19: plugins.k8s.default-cpus: expected a quantity such as "500m" or "2", got "lots"'],
    ],
    [
      'a misspelled key',
      'plugins:\n  k8s:\n    defualt-cpus: 2\n',
      ['platform.yaml:3:5: plugins.k8s.defualt-cpus: unknown key (did you mean "default-cpus"?)'],
    ],
    [
      'an unknown section',
      'plugin:\n  k8s: {}\n',
      ['platform.yaml:1:1: plugin: unknown key (did you mean "plugins"?)'],
    ],
    [
      'a duration without a unit',
      'plugins:\n  k8s:\n    pod-pending-timeout: 15\n',
      [
        'platform.yaml:3:26: plugins.k8s.pod-pending-timeout: expected a duration such as "30s", "3m" or "1h30m", got 15',
      ],
    ],
    [
      'a boolean written as a word',
      'plugins:\n  k8s:\n    inject-finalizer: yes\n',
      ['platform.yaml:3:23: plugins.k8s.inject-finalizer: expected a boolean (true or false), got "yes"'],
    ],
    [
      'a toleration with a bad effect',
      'plugins:\n  k8s:\n    default-tolerations:\n      - key: a\n        effect: Sometimes\n',
      [
        'platform.yaml:5:17: plugins.k8s.default-tolerations[0].effect: expected one of "NoSchedule", "PreferNoSchedule", "NoExecute", got "Sometimes"',
      ],
    ],
    [
      'tolerations as a map instead of a list',
      'plugins:\n  k8s:\n    default-tolerations:\n      key: a\n',
      ['platform.yaml:4:7: plugins.k8s.default-tolerations: expected a list, got {"key":"a"}'],
    ],
    [
      'a label value that is a number',
      'plugins:\n  k8s:\n    default-labels:\n      team: 7\n',
      ['platform.yaml:4:13: plugins.k8s.default-labels.team: expected a string, got 7'],
    ],
    [
      'an annotation key with dots',
      'plugins:\n  k8s:\n    default-annotations:\n      example.com/owner: [a]\n',
      [
        'platform.yaml:4:26: plugins.k8s.default-annotations["example.com/owner"]: expected a string, got ["a"]',
      ],
    ],
    [
      'a negative count',
      'executor:\n  max-system-failures: -1\n',
      ['platform.yaml:2:24: executor.max-system-failures: expected a whole number of 0 or more, got -1'],
    ],
    [
      'an image pull policy that does not exist',
      'plugins:\n  k8s:\n    image-pull-policy: Sometimes\n',
      [
        'platform.yaml:3:24: plugins.k8s.image-pull-policy: expected one of "", "Always", "IfNotPresent", "Never", got "Sometimes"',
      ],
    ],
    [
      'two problems at once, sorted by path',
      'plugins:\n  k8s:\n    default-memory: much\n    default-cpus: lots\n',
      [
        'platform.yaml:4:19: plugins.k8s.default-cpus: expected a quantity such as "500m" or "2", got "lots"',
        'platform.yaml:3:21: plugins.k8s.default-memory: expected a quantity such as "500m" or "2", got "much"',
      ],
    ],
    [
      'a document that is a list',
      '- a\n- b\n',
      ['platform.yaml:1:1: (document): expected an object (a mapping of keys to values), got ["a","b"]'],
    ],
    [
      'broken YAML',
      'plugins:\n  k8s: [\n',
      [
        'platform.yaml:3:1: not valid YAML or JSON: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ],
    ],
    [
      'a duplicated key',
      'executor:\n  max-system-failures: 1\n  max-system-failures: 2\n',
      ['platform.yaml:3:3: not valid YAML or JSON: Map keys must be unique'],
    ],
    ['two documents', 'executor: {}\n---\nlogs: {}\n', ['platform.yaml:2:1: expected one document, found 2']],
  ])('%s', (_name, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
  });
});
