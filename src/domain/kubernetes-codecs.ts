// Strict codecs for the Kubernetes core/v1 objects that operators embed in the platform configuration.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { oneOf, StringMap, struct } from './codec.js';
import { format, QuantityFromString } from './quantity.js';

// Field lists follow the Kubernetes v1.34 API (k8s.io/api core/v1 and meta/v1 at v0.34). The
// installed kubernetes-types describes v1.30, so the fields added since then are decoded here
// although its types do not name them: ResourceClaim.request, PodSecurityContext.supplementalGroupsPolicy
// and .seLinuxChangePolicy, and EnvVarSource.fileKeyRef (FileKeySelector). Decoded values stay
// assignable to the kubernetes-types shapes, so adapters can place them in manifests unchanged.
//
// Checked here: shape, the closed enumerations, integer widths, and two single-field rules the API
// server always enforces (weights are 1 to 100, a DNS option has a name), because those are what a
// misspelling or a wrong indentation breaks. Cross-field rules (one source per valueFrom,
// localhostProfile only with type Localhost, ...) stay with the API server.

// -------------------------------------------------------------------------------------
// scalars
// -------------------------------------------------------------------------------------

const integer = (name: string, min: number, max: number, expected: string): t.Type<number> => {
  const ok = (u: unknown): u is number =>
    typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max;
  return new t.Type<number>(
    name,
    ok,
    (u, c) => (ok(u) ? t.success(u) : t.failure(u, c, expected)),
    (a) => a,
  );
};

/** A Go int64; JSON numbers past 2^53 cannot be carried exactly, so those are refused too. */
export const Int64 = integer('Int64', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a whole number');

/** A Go int32. */
export const Int32 = integer(
  'Int32',
  -2_147_483_648,
  2_147_483_647,
  'a whole number from -2147483648 to 2147483647',
);

/** A scheduling preference weight: an int32 that the API server only accepts from 1 to 100. */
export const Weight = integer('Weight', 1, 100, 'a whole number from 1 to 100');

const QUANTITY_EXPECTED = 'a quantity such as "500m" or "2"';

// Only strings and numbers: a quantity must never come from an object that happens to look like one.
const canonicalQuantity = (u: string | number): E.Either<unknown, string> =>
  pipe(QuantityFromString.decode(u), E.map(format));

/**
 * A resource quantity kept as its canonical string ("0.5" decodes to "500m"), the form kubernetes-types
 * uses. A YAML number (`cpu: 2`) is read through its decimal spelling, as the API server reads JSON numbers.
 */
export const QuantityString = new t.Type<string, string, unknown>(
  'QuantityString',
  (u): u is string =>
    typeof u === 'string' &&
    pipe(
      canonicalQuantity(u),
      E.exists((s) => s === u),
    ),
  (u, c) =>
    typeof u === 'string' || typeof u === 'number'
      ? pipe(
          canonicalQuantity(u),
          E.match(
            () => t.failure(u, c, QUANTITY_EXPECTED),
            (s) => t.success(s),
          ),
        )
      : t.failure(u, c, QUANTITY_EXPECTED),
  (a) => a,
);

/** Resource name to quantity, as in `limits` and `requests`. */
export const ResourceList = t.record(t.string, QuantityString, 'ResourceList');

const strings = t.array(t.string);

// -------------------------------------------------------------------------------------
// enumerations
// -------------------------------------------------------------------------------------

export const TolerationOperator = oneOf('TolerationOperator', ['Exists', 'Equal']);
export const TaintEffect = oneOf('TaintEffect', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
export const NodeSelectorOperator = oneOf('NodeSelectorOperator', [
  'In',
  'NotIn',
  'Exists',
  'DoesNotExist',
  'Gt',
  'Lt',
]);
export const LabelSelectorOperator = oneOf('LabelSelectorOperator', [
  'In',
  'NotIn',
  'Exists',
  'DoesNotExist',
]);
export const SeccompProfileType = oneOf('SeccompProfileType', ['Unconfined', 'RuntimeDefault', 'Localhost']);
export const AppArmorProfileType = oneOf('AppArmorProfileType', [
  'Unconfined',
  'RuntimeDefault',
  'Localhost',
]);
export const ProcMountType = oneOf('ProcMountType', ['Default', 'Unmasked']);
export const PodFSGroupChangePolicy = oneOf('PodFSGroupChangePolicy', ['OnRootMismatch', 'Always']);
export const SupplementalGroupsPolicy = oneOf('SupplementalGroupsPolicy', ['Merge', 'Strict']);
export const PodSELinuxChangePolicy = oneOf('PodSELinuxChangePolicy', ['Recursive', 'MountOption']);

// -------------------------------------------------------------------------------------
// scheduling: tolerations and affinity
// -------------------------------------------------------------------------------------

export const Toleration = struct(
  'Toleration',
  {},
  {
    key: t.string,
    operator: TolerationOperator,
    value: t.string,
    effect: TaintEffect,
    tolerationSeconds: Int64,
  },
  'Lets pods schedule onto (or stay on) nodes whose taints match.',
);
export type Toleration = t.TypeOf<typeof Toleration>;

export const NodeSelectorRequirement = struct(
  'NodeSelectorRequirement',
  { key: t.string, operator: NodeSelectorOperator },
  { values: strings },
  'A node label (or field) test: key, operator and values.',
);
export type NodeSelectorRequirement = t.TypeOf<typeof NodeSelectorRequirement>;

export const NodeSelectorTerm = struct(
  'NodeSelectorTerm',
  {},
  { matchExpressions: t.array(NodeSelectorRequirement), matchFields: t.array(NodeSelectorRequirement) },
  'Node requirements that must all hold (ANDed).',
);

export const NodeSelector = struct(
  'NodeSelector',
  { nodeSelectorTerms: t.array(NodeSelectorTerm) },
  {},
  'Alternative node selector terms, any of which may match (ORed).',
);

export const PreferredSchedulingTerm = struct(
  'PreferredSchedulingTerm',
  { weight: Weight, preference: NodeSelectorTerm },
  {},
  'A weighted node preference.',
);

export const NodeAffinity = struct(
  'NodeAffinity',
  {},
  {
    requiredDuringSchedulingIgnoredDuringExecution: NodeSelector,
    preferredDuringSchedulingIgnoredDuringExecution: t.array(PreferredSchedulingTerm),
  },
  'Node affinity scheduling rules.',
);

export const LabelSelectorRequirement = struct(
  'LabelSelectorRequirement',
  { key: t.string, operator: LabelSelectorOperator },
  { values: strings },
  'A label test: key, operator and values.',
);

export const LabelSelector = struct(
  'LabelSelector',
  {},
  { matchLabels: StringMap, matchExpressions: t.array(LabelSelectorRequirement) },
  'A label query; all of its labels and expressions must match.',
);

export const PodAffinityTerm = struct(
  'PodAffinityTerm',
  { topologyKey: t.string },
  {
    labelSelector: LabelSelector,
    namespaces: strings,
    namespaceSelector: LabelSelector,
    matchLabelKeys: strings,
    mismatchLabelKeys: strings,
  },
  'Pods to be (or not be) co-located with, within a topology domain.',
);

export const WeightedPodAffinityTerm = struct(
  'WeightedPodAffinityTerm',
  { weight: Weight, podAffinityTerm: PodAffinityTerm },
  {},
  'A weighted pod (anti-)affinity preference.',
);

const podAffinityProps = {
  requiredDuringSchedulingIgnoredDuringExecution: t.array(PodAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: t.array(WeightedPodAffinityTerm),
};

export const PodAffinity = struct('PodAffinity', {}, podAffinityProps, 'Pod affinity scheduling rules.');

export const PodAntiAffinity = struct(
  'PodAntiAffinity',
  {},
  podAffinityProps,
  'Pod anti-affinity scheduling rules.',
);

export const Affinity = struct(
  'Affinity',
  {},
  { nodeAffinity: NodeAffinity, podAffinity: PodAffinity, podAntiAffinity: PodAntiAffinity },
  'Node affinity, pod affinity and pod anti-affinity scheduling rules.',
);
export type Affinity = t.TypeOf<typeof Affinity>;

// -------------------------------------------------------------------------------------
// security contexts
// -------------------------------------------------------------------------------------

export const SELinuxOptions = struct(
  'SELinuxOptions',
  {},
  { user: t.string, role: t.string, type: t.string, level: t.string },
  'SELinux labels applied to a container.',
);

export const SeccompProfile = struct(
  'SeccompProfile',
  { type: SeccompProfileType },
  { localhostProfile: t.string },
  'The seccomp profile to apply.',
);

export const AppArmorProfile = struct(
  'AppArmorProfile',
  { type: AppArmorProfileType },
  { localhostProfile: t.string },
  'The AppArmor profile to apply.',
);

export const Capabilities = struct(
  'Capabilities',
  {},
  { add: strings, drop: strings },
  'POSIX capabilities to add and drop.',
);

export const WindowsSecurityContextOptions = struct(
  'WindowsSecurityContextOptions',
  {},
  {
    gmsaCredentialSpecName: t.string,
    gmsaCredentialSpec: t.string,
    runAsUserName: t.string,
    hostProcess: t.boolean,
  },
  'Windows-specific security options.',
);

export const SecurityContext = struct(
  'SecurityContext',
  {},
  {
    capabilities: Capabilities,
    privileged: t.boolean,
    seLinuxOptions: SELinuxOptions,
    windowsOptions: WindowsSecurityContextOptions,
    runAsUser: Int64,
    runAsGroup: Int64,
    runAsNonRoot: t.boolean,
    readOnlyRootFilesystem: t.boolean,
    allowPrivilegeEscalation: t.boolean,
    procMount: ProcMountType,
    seccompProfile: SeccompProfile,
    appArmorProfile: AppArmorProfile,
  },
  'Container-level security settings; they override the pod security context.',
);
export type SecurityContext = t.TypeOf<typeof SecurityContext>;

export const Sysctl = struct(
  'Sysctl',
  { name: t.string, value: t.string },
  {},
  'A namespaced kernel parameter.',
);

export const PodSecurityContext = struct(
  'PodSecurityContext',
  {},
  {
    seLinuxOptions: SELinuxOptions,
    windowsOptions: WindowsSecurityContextOptions,
    runAsUser: Int64,
    runAsGroup: Int64,
    runAsNonRoot: t.boolean,
    supplementalGroups: t.array(Int64),
    supplementalGroupsPolicy: SupplementalGroupsPolicy,
    fsGroup: Int64,
    sysctls: t.array(Sysctl),
    fsGroupChangePolicy: PodFSGroupChangePolicy,
    seccompProfile: SeccompProfile,
    appArmorProfile: AppArmorProfile,
    seLinuxChangePolicy: PodSELinuxChangePolicy,
  },
  'Pod-level security settings and defaults for every container.',
);
export type PodSecurityContext = t.TypeOf<typeof PodSecurityContext>;

// -------------------------------------------------------------------------------------
// DNS
// -------------------------------------------------------------------------------------

// `name` is optional in the OpenAPI schema but the API server rejects an option without one.
export const PodDNSConfigOption = struct(
  'PodDNSConfigOption',
  { name: t.string },
  { value: t.string },
  'A resolver option (options in resolv.conf).',
);

export const PodDNSConfig = struct(
  'PodDNSConfig',
  {},
  { nameservers: strings, searches: strings, options: t.array(PodDNSConfigOption) },
  'DNS parameters merged into those generated from the DNS policy.',
);
export type PodDNSConfig = t.TypeOf<typeof PodDNSConfig>;

// -------------------------------------------------------------------------------------
// resources
// -------------------------------------------------------------------------------------

export const ResourceClaim = struct(
  'ResourceClaim',
  { name: t.string },
  { request: t.string },
  'A pod resource claim (or one request of it) that the container uses.',
);

export const ResourceRequirements = struct(
  'ResourceRequirements',
  {},
  { limits: ResourceList, requests: ResourceList, claims: t.array(ResourceClaim) },
  'Compute resource limits and requests, and dynamic resource claims.',
);
export type ResourceRequirements = t.TypeOf<typeof ResourceRequirements>;

// -------------------------------------------------------------------------------------
// environment
// -------------------------------------------------------------------------------------

export const ObjectFieldSelector = struct(
  'ObjectFieldSelector',
  { fieldPath: t.string },
  { apiVersion: t.string },
  'A field of the pod, such as metadata.name.',
);

export const ResourceFieldSelector = struct(
  'ResourceFieldSelector',
  { resource: t.string },
  { containerName: t.string, divisor: QuantityString },
  'A container resource limit or request, such as limits.cpu.',
);

export const ConfigMapKeySelector = struct(
  'ConfigMapKeySelector',
  { key: t.string },
  { name: t.string, optional: t.boolean },
  'A key of a ConfigMap.',
);

export const SecretKeySelector = struct(
  'SecretKeySelector',
  { key: t.string },
  { name: t.string, optional: t.boolean },
  "A key of a Secret in the pod's namespace.",
);

export const FileKeySelector = struct(
  'FileKeySelector',
  { volumeName: t.string, path: t.string, key: t.string },
  { optional: t.boolean },
  'A key of an env file in a volume (EnvFiles feature gate).',
);

export const EnvVarSource = struct(
  'EnvVarSource',
  {},
  {
    fieldRef: ObjectFieldSelector,
    resourceFieldRef: ResourceFieldSelector,
    configMapKeyRef: ConfigMapKeySelector,
    secretKeyRef: SecretKeySelector,
    fileKeyRef: FileKeySelector,
  },
  "Where an environment variable's value comes from.",
);

export const EnvVar = struct(
  'EnvVar',
  { name: t.string },
  { value: t.string, valueFrom: EnvVarSource },
  'An environment variable: a literal value or a reference.',
);
export type EnvVar = t.TypeOf<typeof EnvVar>;

export const ConfigMapEnvSource = struct(
  'ConfigMapEnvSource',
  {},
  { name: t.string, optional: t.boolean },
  'A ConfigMap whose keys become environment variables.',
);

export const SecretEnvSource = struct(
  'SecretEnvSource',
  {},
  { name: t.string, optional: t.boolean },
  'A Secret whose keys become environment variables.',
);

export const EnvFromSource = struct(
  'EnvFromSource',
  {},
  { prefix: t.string, configMapRef: ConfigMapEnvSource, secretRef: SecretEnvSource },
  'A ConfigMap or Secret whose keys become environment variables.',
);
export type EnvFromSource = t.TypeOf<typeof EnvFromSource>;
