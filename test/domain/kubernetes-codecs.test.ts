// Kubernetes codecs: strict decoding of embedded core/v1 objects, exact messages, round trips, totality.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type * as k8s from 'kubernetes-types/core/v1.js';
import type * as meta from 'kubernetes-types/meta/v1.js';
import { describe, expect } from 'vitest';
import { decode, type DecodeIssue, renderIssue, StrictStructType } from '../../src/domain/codec.js';
import * as K from '../../src/domain/kubernetes-codecs.js';

const messages = (codec: t.Decoder<unknown, unknown>, u: unknown): ReadonlyArray<string> =>
  E.match(
    (issues: ReadonlyArray<DecodeIssue>) => issues.map(renderIssue),
    () => [],
  )(decode(codec)(u));

// -------------------------------------------------------------------------------------
// type-level: decoded values are kubernetes-types values
// -------------------------------------------------------------------------------------

// Each entry stops compiling if a decoded type is no longer assignable to its kubernetes-types counterpart.
const toKubernetesTypes = {
  Toleration: (x: t.TypeOf<typeof K.Toleration>): k8s.Toleration => x,
  NodeSelectorRequirement: (x: t.TypeOf<typeof K.NodeSelectorRequirement>): k8s.NodeSelectorRequirement => x,
  NodeSelectorTerm: (x: t.TypeOf<typeof K.NodeSelectorTerm>): k8s.NodeSelectorTerm => x,
  NodeSelector: (x: t.TypeOf<typeof K.NodeSelector>): k8s.NodeSelector => x,
  PreferredSchedulingTerm: (x: t.TypeOf<typeof K.PreferredSchedulingTerm>): k8s.PreferredSchedulingTerm => x,
  NodeAffinity: (x: t.TypeOf<typeof K.NodeAffinity>): k8s.NodeAffinity => x,
  LabelSelectorRequirement: (x: t.TypeOf<typeof K.LabelSelectorRequirement>): meta.LabelSelectorRequirement =>
    x,
  LabelSelector: (x: t.TypeOf<typeof K.LabelSelector>): meta.LabelSelector => x,
  PodAffinityTerm: (x: t.TypeOf<typeof K.PodAffinityTerm>): k8s.PodAffinityTerm => x,
  WeightedPodAffinityTerm: (x: t.TypeOf<typeof K.WeightedPodAffinityTerm>): k8s.WeightedPodAffinityTerm => x,
  PodAffinity: (x: t.TypeOf<typeof K.PodAffinity>): k8s.PodAffinity => x,
  PodAntiAffinity: (x: t.TypeOf<typeof K.PodAntiAffinity>): k8s.PodAntiAffinity => x,
  Affinity: (x: t.TypeOf<typeof K.Affinity>): k8s.Affinity => x,
  SELinuxOptions: (x: t.TypeOf<typeof K.SELinuxOptions>): k8s.SELinuxOptions => x,
  SeccompProfile: (x: t.TypeOf<typeof K.SeccompProfile>): k8s.SeccompProfile => x,
  AppArmorProfile: (x: t.TypeOf<typeof K.AppArmorProfile>): k8s.AppArmorProfile => x,
  Capabilities: (x: t.TypeOf<typeof K.Capabilities>): k8s.Capabilities => x,
  WindowsSecurityContextOptions: (
    x: t.TypeOf<typeof K.WindowsSecurityContextOptions>,
  ): k8s.WindowsSecurityContextOptions => x,
  SecurityContext: (x: t.TypeOf<typeof K.SecurityContext>): k8s.SecurityContext => x,
  Sysctl: (x: t.TypeOf<typeof K.Sysctl>): k8s.Sysctl => x,
  PodSecurityContext: (x: t.TypeOf<typeof K.PodSecurityContext>): k8s.PodSecurityContext => x,
  PodDNSConfigOption: (x: t.TypeOf<typeof K.PodDNSConfigOption>): k8s.PodDNSConfigOption => x,
  PodDNSConfig: (x: t.TypeOf<typeof K.PodDNSConfig>): k8s.PodDNSConfig => x,
  ResourceClaim: (x: t.TypeOf<typeof K.ResourceClaim>): k8s.ResourceClaim => x,
  ResourceRequirements: (x: t.TypeOf<typeof K.ResourceRequirements>): k8s.ResourceRequirements => x,
  ObjectFieldSelector: (x: t.TypeOf<typeof K.ObjectFieldSelector>): k8s.ObjectFieldSelector => x,
  ResourceFieldSelector: (x: t.TypeOf<typeof K.ResourceFieldSelector>): k8s.ResourceFieldSelector => x,
  ConfigMapKeySelector: (x: t.TypeOf<typeof K.ConfigMapKeySelector>): k8s.ConfigMapKeySelector => x,
  SecretKeySelector: (x: t.TypeOf<typeof K.SecretKeySelector>): k8s.SecretKeySelector => x,
  EnvVarSource: (x: t.TypeOf<typeof K.EnvVarSource>): k8s.EnvVarSource => x,
  EnvVar: (x: t.TypeOf<typeof K.EnvVar>): k8s.EnvVar => x,
  ConfigMapEnvSource: (x: t.TypeOf<typeof K.ConfigMapEnvSource>): k8s.ConfigMapEnvSource => x,
  SecretEnvSource: (x: t.TypeOf<typeof K.SecretEnvSource>): k8s.SecretEnvSource => x,
  EnvFromSource: (x: t.TypeOf<typeof K.EnvFromSource>): k8s.EnvFromSource => x,
};

// -------------------------------------------------------------------------------------
// valid examples
// -------------------------------------------------------------------------------------

const valid: ReadonlyArray<readonly [keyof typeof toKubernetesTypes, unknown]> = [
  ['Toleration', { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  [
    'Toleration',
    {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 300,
    },
  ],
  ['Toleration', { key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'PreferNoSchedule' }],
  ['Toleration', {}],
  ['NodeSelectorRequirement', { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a', 'b'] }],
  ['NodeSelectorRequirement', { key: 'cores', operator: 'Gt', values: ['8'] }],
  [
    'Affinity',
    {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] },
            { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-1'] }] },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 50, preference: { matchExpressions: [{ key: 'spot', operator: 'DoesNotExist' }] } },
        ],
      },
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            labelSelector: { matchLabels: { app: 'cache' } },
            topologyKey: 'kubernetes.io/hostname',
            namespaces: ['infra'],
          },
        ],
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['trainer'] }] },
              namespaceSelector: {},
              topologyKey: 'topology.kubernetes.io/zone',
              matchLabelKeys: ['pod-template-hash'],
              mismatchLabelKeys: ['tenant'],
            },
          },
        ],
      },
    },
  ],
  [
    'SecurityContext',
    {
      capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
      privileged: false,
      seLinuxOptions: { user: 'system_u', role: 'system_r', type: 'container_t', level: 's0:c123,c456' },
      windowsOptions: { gmsaCredentialSpecName: 'spec', runAsUserName: 'ContainerUser', hostProcess: false },
      runAsUser: 1000,
      runAsGroup: 3000,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      procMount: 'Default',
      seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' },
      appArmorProfile: { type: 'RuntimeDefault' },
    },
  ],
  [
    'PodSecurityContext',
    {
      runAsUser: 1000,
      runAsGroup: 3000,
      runAsNonRoot: true,
      fsGroup: 2000,
      fsGroupChangePolicy: 'OnRootMismatch',
      supplementalGroups: [4000, 5000],
      supplementalGroupsPolicy: 'Strict',
      sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }],
      seccompProfile: { type: 'RuntimeDefault' },
      appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-apparmor-example' },
      seLinuxOptions: { level: 's0:c1,c2' },
      seLinuxChangePolicy: 'MountOption',
    },
  ],
  [
    'PodDNSConfig',
    {
      nameservers: ['1.2.3.4'],
      searches: ['ns1.svc.cluster.local', 'my.dns.search.suffix'],
      options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
    },
  ],
  [
    'ResourceRequirements',
    {
      limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' },
      requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '10G' },
      claims: [{ name: 'gpu' }, { name: 'fpga', request: 'big' }],
    },
  ],
  ['EnvVar', { name: 'LOG_LEVEL', value: 'debug' }],
  ['EnvVar', { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
  [
    'EnvVar',
    {
      name: 'CPU_LIMIT',
      valueFrom: { resourceFieldRef: { containerName: 'main', resource: 'limits.cpu', divisor: '1m' } },
    },
  ],
  [
    'EnvVar',
    { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode', optional: true } } },
  ],
  ['EnvVar', { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }],
  [
    'EnvVar',
    {
      name: 'CONFIG_MAIN',
      valueFrom: {
        fileKeyRef: { volumeName: 'config', path: 'config.env', key: 'CONFIG_MAIN', optional: false },
      },
    },
  ],
  ['EnvFromSource', { prefix: 'APP_', configMapRef: { name: 'app-config' } }],
  ['EnvFromSource', { secretRef: { name: 'app-secrets', optional: true } }],
];

describe('valid Kubernetes objects', () => {
  test.each(valid)('%s decodes to itself: %j', (name, input) => {
    const codec: t.Mixed = K[name];
    const decoded = decode(codec)(input);
    expect(decoded).toEqual(E.right(input));
    if (E.isRight(decoded)) {
      expect(codec.is(decoded.right)).toBe(true);
      expect(codec.encode(decoded.right)).toEqual(input);
    }
  });

  test('decoded values pass as kubernetes-types values unchanged', () => {
    const input = valid.find(([name]) => name === 'Affinity')?.[1];
    const decoded = K.Affinity.decode(input);
    expect(E.isRight(decoded)).toBe(true);
    if (E.isRight(decoded)) expect(toKubernetesTypes.Affinity(decoded.right)).toBe(decoded.right);
  });
});

// -------------------------------------------------------------------------------------
// malformed examples: the exact messages operators see
// -------------------------------------------------------------------------------------

const ONE_OF_SECCOMP = 'one of "Unconfined", "RuntimeDefault", "Localhost"';
const QUANTITY = 'a quantity such as "500m" or "2"';

const malformed: ReadonlyArray<
  readonly [string, t.Decoder<unknown, unknown>, unknown, ReadonlyArray<string>]
> = [
  [
    'misspelled toleration key',
    t.array(K.Toleration),
    [{ key: 'gpu', operator: 'Exists', efect: 'NoSchedule' }],
    ['[0].efect: unknown key (did you mean "effect"?)'],
  ],
  [
    'toleration operator outside the enumeration',
    K.Toleration,
    { key: 'gpu', operator: 'Equals', value: 'true' },
    ['operator: expected one of "Exists", "Equal", got "Equals"'],
  ],
  [
    'toleration effect outside the enumeration',
    K.Toleration,
    { effect: 'NoScheduleNoAdmit' },
    ['effect: expected one of "NoSchedule", "PreferNoSchedule", "NoExecute", got "NoScheduleNoAdmit"'],
  ],
  [
    'fractional tolerationSeconds',
    K.Toleration,
    { operator: 'Exists', tolerationSeconds: 1.5 },
    ['tolerationSeconds: expected a whole number, got 1.5'],
  ],
  [
    'tolerationSeconds past the exact integer range',
    K.Toleration,
    { tolerationSeconds: 2 ** 53 },
    ['tolerationSeconds: expected a whole number, got 9007199254740992'],
  ],
  [
    'a toleration that is not an object',
    K.Toleration,
    'NoSchedule',
    ['(document): expected an object (a mapping of keys to values), got "NoSchedule"'],
  ],
  [
    'node selector requirement with missing key and scalar values',
    K.NodeSelectorRequirement,
    { operator: 'In', values: 'a' },
    ['key: missing, expected a string', 'values: expected a list, got "a"'],
  ],
  [
    'node selector operator outside the enumeration',
    K.NodeSelectorRequirement,
    { key: 'cores', operator: 'Gte', values: ['4'] },
    ['operator: expected one of "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", got "Gte"'],
  ],
  [
    'deep node affinity operator and misspelled affinity key',
    K.Affinity,
    {
      nodeAfinity: {},
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'a', operator: 'In' },
                { key: 'b', operator: 'Gt' },
              ],
            },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 }],
      },
    },
    [
      'nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference: missing, expected an object (a mapping of keys to values)',
      'nodeAfinity: unknown key (did you mean "nodeAffinity"?)',
    ],
  ],
  [
    'pod anti-affinity weight out of range and label selector operator',
    K.Affinity,
    {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 0,
            podAffinityTerm: {
              topologyKey: 'kubernetes.io/hostname',
              labelSelector: { matchLabels: { app: 1 }, matchExpressions: [{ key: 'app', operator: 'Gt' }] },
            },
          },
        ],
      },
    },
    [
      'podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchExpressions[0].operator: expected one of "In", "NotIn", "Exists", "DoesNotExist", got "Gt"',
      'podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels.app: expected a string, got 1',
      'podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: expected a whole number from 1 to 100, got 0',
    ],
  ],
  [
    'pod affinity term without a topology key',
    K.PodAffinity,
    { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {} }] },
    ['requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: missing, expected a string'],
  ],
  [
    'security context with wrong scalar types',
    K.SecurityContext,
    { runAsUser: '1000', privileged: 'yes', capabilities: { add: ['NET_ADMIN', 3] } },
    [
      'capabilities.add[1]: expected a string, got 3',
      'privileged: expected a boolean (true or false), got "yes"',
      'runAsUser: expected a whole number, got "1000"',
    ],
  ],
  [
    'seccomp profile without a type, procMount outside the enumeration',
    K.SecurityContext,
    { seccompProfile: { localhostProfile: 'x.json' }, procMount: 'unmasked' },
    [
      'procMount: expected one of "Default", "Unmasked", got "unmasked"',
      `seccompProfile.type: missing, expected ${ONE_OF_SECCOMP}`,
    ],
  ],
  [
    'container-only field in a pod security context',
    K.PodSecurityContext,
    { readOnlyRootFilesystem: true, runAsUser: 0 },
    ['readOnlyRootFilesystem: unknown key'],
  ],
  [
    'pod security context lists and enumerations',
    K.PodSecurityContext,
    {
      supplementalGroups: [1, 2.5],
      sysctls: [{ name: 'kernel.shm_rmid_forced' }],
      fsGroupChangePolicy: 'Sometimes',
      supplementalGroupsPolicy: 'merge',
    },
    [
      'fsGroupChangePolicy: expected one of "OnRootMismatch", "Always", got "Sometimes"',
      'supplementalGroups[1]: expected a whole number, got 2.5',
      'supplementalGroupsPolicy: expected one of "Merge", "Strict", got "merge"',
      'sysctls[0].value: missing, expected a string',
    ],
  ],
  [
    'DNS config with a misspelled list and a nameless option',
    K.PodDNSConfig,
    { nameserver: ['1.1.1.1'], options: [{ value: '2' }] },
    ['nameserver: unknown key (did you mean "nameservers"?)', 'options[0].name: missing, expected a string'],
  ],
  [
    'resource quantity that does not parse and a misspelled requests',
    K.ResourceRequirements,
    { limits: { cpu: 'lots', memory: '1Gi' }, request: { cpu: '1' } },
    [`limits.cpu: expected ${QUANTITY}, got "lots"`, 'request: unknown key (did you mean "requests"?)'],
  ],
  [
    'resource names with dots are quoted in the path',
    K.ResourceRequirements,
    { requests: { 'nvidia.com/gpu': true }, claims: [{ request: 'r' }] },
    [
      'claims[0].name: missing, expected a string',
      `requests["nvidia.com/gpu"]: expected ${QUANTITY}, got true`,
    ],
  ],
  [
    'secret key reference without a key',
    K.EnvVar,
    { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds' } } },
    ['valueFrom.secretKeyRef.key: missing, expected a string'],
  ],
  [
    'misspelled optional in a file key reference',
    K.EnvVar,
    { name: 'A', valueFrom: { fileKeyRef: { volumeName: 'v', path: 'p', key: 'k', optinal: true } } },
    ['valueFrom.fileKeyRef.optinal: unknown key (did you mean "optional"?)'],
  ],
  [
    'resource field divisor that is not a quantity',
    K.EnvVar,
    { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1 Mi' } } },
    [`valueFrom.resourceFieldRef.divisor: expected ${QUANTITY}, got "1 Mi"`],
  ],
  [
    'env from a config map named by a bare string',
    K.EnvFromSource,
    { configMapRef: 'app-config' },
    ['configMapRef: expected an object (a mapping of keys to values), got "app-config"'],
  ],
];

describe('malformed Kubernetes objects', () => {
  test.each(malformed)('%s', (_name, codec, input, expected) => {
    expect(messages(codec, input)).toEqual(expected);
  });
});

// -------------------------------------------------------------------------------------
// scalars
// -------------------------------------------------------------------------------------

describe('QuantityString', () => {
  test.each([
    ['500m', '500m'],
    ['0.5', '500m'],
    ['1Gi', '1Gi'],
    [2, '2'],
    [0.25, '250m'],
  ] as const)('%j decodes to the canonical %j', (input, canonical) => {
    expect(K.QuantityString.decode(input)).toEqual(E.right(canonical));
    expect(K.QuantityString.is(canonical)).toBe(true);
  });

  test('a non-canonical spelling is not a decoded value', () => {
    expect(K.QuantityString.is('0.5')).toBe(false);
    expect(K.QuantityString.is(2)).toBe(false);
  });

  test.each([[''], ['lots'], ['1 Gi'], [Number.NaN], [Number.POSITIVE_INFINITY], [null], [['1']]])(
    '%j is not a quantity',
    (input) => {
      expect(messages(K.QuantityString, input)).toEqual([
        `(document): expected ${QUANTITY}, got ${JSON.stringify(input) ?? String(input)}`,
      ]);
    },
  );

  test.prop([fc.oneof(fc.string(), fc.double(), fc.integer())])('decoding is idempotent', (u) => {
    const once = K.QuantityString.decode(u);
    if (E.isRight(once)) {
      expect(K.QuantityString.decode(once.right)).toEqual(once);
      expect(K.QuantityString.is(once.right)).toBe(true);
    }
  });
});

describe('integer codecs', () => {
  test.prop([fc.maxSafeInteger()])('Int64 accepts every safe integer', (n) => {
    expect(K.Int64.decode(n)).toEqual(E.right(n));
  });

  test.prop([fc.double().filter((x) => !Number.isSafeInteger(x))])(
    'Int64 rejects every other number',
    (x) => {
      expect(E.isLeft(K.Int64.decode(x))).toBe(true);
    },
  );

  test.prop([fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })])('Int32 accepts the int32 range', (n) => {
    expect(K.Int32.decode(n)).toEqual(E.right(n));
  });

  test.prop([
    fc.oneof(
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: -(2 ** 31) - 1 }),
      fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER }),
    ),
  ])('Int32 rejects integers outside it', (n) => {
    expect(E.isLeft(K.Int32.decode(n))).toBe(true);
  });

  test.prop([fc.integer()])('Weight accepts exactly 1 to 100', (n) => {
    expect(E.isRight(K.Weight.decode(n))).toBe(n >= 1 && n <= 100);
  });
});

// -------------------------------------------------------------------------------------
// arbitraries
// -------------------------------------------------------------------------------------

const small = { maxLength: 3 } as const;
const strings = fc.array(fc.string(), small);
const int64 = fc.maxSafeInteger();
const weight = fc.integer({ min: 1, max: 100 });
const label = fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 });

const toleration = fc.record(
  {
    key: fc.string(),
    operator: fc.constantFrom('Exists', 'Equal'),
    value: fc.string(),
    effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute'),
    tolerationSeconds: int64,
  },
  { requiredKeys: [] },
);

const nodeSelectorRequirement = fc.record(
  {
    key: fc.string(),
    operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'),
    values: strings,
  },
  { requiredKeys: ['key', 'operator'] },
);

const nodeSelectorTerm = fc.record(
  {
    matchExpressions: fc.array(nodeSelectorRequirement, small),
    matchFields: fc.array(nodeSelectorRequirement, small),
  },
  { requiredKeys: [] },
);

const labelSelector = fc.record(
  {
    matchLabels: label,
    matchExpressions: fc.array(
      fc.record(
        {
          key: fc.string(),
          operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
          values: strings,
        },
        { requiredKeys: ['key', 'operator'] },
      ),
      small,
    ),
  },
  { requiredKeys: [] },
);

const podAffinityTerm = fc.record(
  {
    topologyKey: fc.string(),
    labelSelector,
    namespaces: strings,
    namespaceSelector: labelSelector,
    matchLabelKeys: strings,
    mismatchLabelKeys: strings,
  },
  { requiredKeys: ['topologyKey'] },
);

const podAffinity = fc.record(
  {
    requiredDuringSchedulingIgnoredDuringExecution: fc.array(podAffinityTerm, small),
    preferredDuringSchedulingIgnoredDuringExecution: fc.array(
      fc.record({ weight, podAffinityTerm: podAffinityTerm }),
      small,
    ),
  },
  { requiredKeys: [] },
);

const affinity = fc.record(
  {
    nodeAffinity: fc.record(
      {
        requiredDuringSchedulingIgnoredDuringExecution: fc.record({
          nodeSelectorTerms: fc.array(nodeSelectorTerm, small),
        }),
        preferredDuringSchedulingIgnoredDuringExecution: fc.array(
          fc.record({ weight, preference: nodeSelectorTerm }),
          small,
        ),
      },
      { requiredKeys: [] },
    ),
    podAffinity,
    podAntiAffinity: podAffinity,
  },
  { requiredKeys: [] },
);

const profileType = fc.constantFrom('Unconfined', 'RuntimeDefault', 'Localhost');
const profile = fc.record({ type: profileType, localhostProfile: fc.string() }, { requiredKeys: ['type'] });
const seLinuxOptions = fc.record(
  { user: fc.string(), role: fc.string(), type: fc.string(), level: fc.string() },
  { requiredKeys: [] },
);
const windowsOptions = fc.record(
  {
    gmsaCredentialSpecName: fc.string(),
    gmsaCredentialSpec: fc.string(),
    runAsUserName: fc.string(),
    hostProcess: fc.boolean(),
  },
  { requiredKeys: [] },
);

const securityContext = fc.record(
  {
    capabilities: fc.record({ add: strings, drop: strings }, { requiredKeys: [] }),
    privileged: fc.boolean(),
    seLinuxOptions,
    windowsOptions,
    runAsUser: int64,
    runAsGroup: int64,
    runAsNonRoot: fc.boolean(),
    readOnlyRootFilesystem: fc.boolean(),
    allowPrivilegeEscalation: fc.boolean(),
    procMount: fc.constantFrom('Default', 'Unmasked'),
    seccompProfile: profile,
    appArmorProfile: profile,
  },
  { requiredKeys: [] },
);

const podSecurityContext = fc.record(
  {
    seLinuxOptions,
    windowsOptions,
    runAsUser: int64,
    runAsGroup: int64,
    runAsNonRoot: fc.boolean(),
    supplementalGroups: fc.array(int64, small),
    supplementalGroupsPolicy: fc.constantFrom('Merge', 'Strict'),
    fsGroup: int64,
    sysctls: fc.array(fc.record({ name: fc.string(), value: fc.string() }), small),
    fsGroupChangePolicy: fc.constantFrom('OnRootMismatch', 'Always'),
    seccompProfile: profile,
    appArmorProfile: profile,
    seLinuxChangePolicy: fc.constantFrom('Recursive', 'MountOption'),
  },
  { requiredKeys: [] },
);

const generated: ReadonlyArray<readonly [string, t.Mixed, fc.Arbitrary<unknown>]> = [
  ['Toleration', K.Toleration, toleration],
  ['NodeSelectorRequirement', K.NodeSelectorRequirement, nodeSelectorRequirement],
  ['Affinity', K.Affinity, affinity],
  ['SecurityContext', K.SecurityContext, securityContext],
  ['PodSecurityContext', K.PodSecurityContext, podSecurityContext],
];

const knownKeys = (codec: t.Mixed): ReadonlyArray<string> =>
  codec instanceof StrictStructType ? [...Object.keys(codec.required), ...Object.keys(codec.optional)] : [];

// -------------------------------------------------------------------------------------
// laws
// -------------------------------------------------------------------------------------

describe.each(generated)('%s', (_name, codec, arb) => {
  test.prop([arb])('decode(encode(x)) equals x, and x is a decoded value', (x) => {
    expect(codec.is(x)).toBe(true);
    expect(codec.decode(codec.encode(x))).toEqual(E.right(x));
  });

  // An empty key is left out: codec.ts's pathOf drops '' segments, so it is reported at the parent's path.
  test.prop([arb, fc.string({ minLength: 1 }).filter((k) => k !== '__proto__'), fc.jsonValue()])(
    'an extra key is always reported as unknown at its own path',
    (x, key, value) => {
      fc.pre(!knownKeys(codec).includes(key));
      const issues = decode(codec)({ ...(x as object), [key]: value });
      expect(issues).toEqual(
        E.left([{ path: [key], expected: '', actual: value, unknownKey: expect.anything() }]),
      );
    },
  );
});

const exportedCodecs = Object.entries(K).filter((e): e is [string, t.Mixed] => e[1] instanceof t.Type);

describe('every exported codec', () => {
  test('the list is every codec the module exports', () => {
    const scalars = ['Int64', 'Int32', 'Weight', 'QuantityString', 'ResourceList'];
    const enumerations = [
      'TolerationOperator',
      'TaintEffect',
      'NodeSelectorOperator',
      'LabelSelectorOperator',
      'SeccompProfileType',
      'AppArmorProfileType',
      'ProcMountType',
      'PodFSGroupChangePolicy',
      'SupplementalGroupsPolicy',
      'PodSELinuxChangePolicy',
    ];
    // FileKeySelector (v1.34) has no kubernetes-types 1.30 counterpart to check against.
    const objects = [...Object.keys(toKubernetesTypes), 'FileKeySelector'];
    expect(exportedCodecs.map(([name]) => name).sort()).toEqual(
      [...scalars, ...enumerations, ...objects].sort(),
    );
  });

  test.each(exportedCodecs)(
    '%s: decoding anything never throws, and what decodes is a fixed point',
    (_name, codec) => {
      fc.assert(
        fc.property(fc.anything(), (u) => {
          const once = codec.decode(u);
          if (E.isRight(once)) {
            expect(codec.is(once.right)).toBe(true);
            expect(codec.decode(once.right)).toEqual(once);
          }
        }),
      );
    },
  );
});
