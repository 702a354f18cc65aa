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

/** How a toleration matches a taint: `Exists` ignores the taint's value, `Equal` requires it. */
export const TolerationOperator = oneOf('TolerationOperator', ['Exists', 'Equal']);
/** What a taint does to pods that do not tolerate it; a toleration without an effect tolerates all three. */
export const TaintEffect = oneOf('TaintEffect', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
/**
 * The tests a node affinity term can apply to a node label; `Gt` and `Lt` compare the label as an integer.
 */
export const NodeSelectorOperator = oneOf('NodeSelectorOperator', [
  'In',
  'NotIn',
  'Exists',
  'DoesNotExist',
  'Gt',
  'Lt',
]);
/** The tests a label selector can apply to a pod label (pod affinity terms). */
export const LabelSelectorOperator = oneOf('LabelSelectorOperator', [
  'In',
  'NotIn',
  'Exists',
  'DoesNotExist',
]);
/**
 * Which seccomp profile a container runs under; `Localhost` needs `localhostProfile`, which the API server
 * checks.
 */
export const SeccompProfileType = oneOf('SeccompProfileType', ['Unconfined', 'RuntimeDefault', 'Localhost']);
/**
 * Which AppArmor profile a container runs under; `Localhost` needs `localhostProfile`, which the API server
 * checks.
 */
export const AppArmorProfileType = oneOf('AppArmorProfileType', [
  'Unconfined',
  'RuntimeDefault',
  'Localhost',
]);
/** How /proc is mounted; `Unmasked` needs the ProcMountType feature and a user namespace. */
export const ProcMountType = oneOf('ProcMountType', ['Default', 'Unmasked']);
/**
 * When volume ownership is changed to the pod's fsGroup: `OnRootMismatch` skips a volume whose root already has
 * the right owner, so pods with large volumes start without walking every file.
 */
export const PodFSGroupChangePolicy = oneOf('PodFSGroupChangePolicy', ['OnRootMismatch', 'Always']);
/**
 * Whether the container image's own groups are merged with the pod's supplemental groups (`Merge`) or ignored
 * (`Strict`).
 */
export const SupplementalGroupsPolicy = oneOf('SupplementalGroupsPolicy', ['Merge', 'Strict']);
/**
 * How SELinux labels reach a pod's volumes: relabelling every file (`Recursive`) or a mount option
 * (`MountOption`, much faster on large volumes).
 */
export const PodSELinuxChangePolicy = oneOf('PodSELinuxChangePolicy', ['Recursive', 'MountOption']);

// -------------------------------------------------------------------------------------
// scheduling: tolerations and affinity
// -------------------------------------------------------------------------------------

/**
 * Decodes a toleration written in the platform configuration (`default-tolerations`,
 * `interruptible-tolerations`), so a misspelt key is reported with its place in the file instead of when the
 * pod is created.
 */
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
/**
 * A decoded toleration, assignable to kubernetes-types' `Toleration`, so it goes into a pod spec unchanged.
 */
export type Toleration = t.TypeOf<typeof Toleration>;

/**
 * Decodes one node label test of the platform configuration (e.g. how to keep GPU tasks off partitioned
 * devices).
 */
export const NodeSelectorRequirement = struct(
  'NodeSelectorRequirement',
  { key: t.string, operator: NodeSelectorOperator },
  { values: strings },
  'A node label (or field) test: key, operator and values.',
);
/** A decoded node label test, assignable to kubernetes-types' `NodeSelectorRequirement`. */
export type NodeSelectorRequirement = t.TypeOf<typeof NodeSelectorRequirement>;

/** Decodes a set of node tests that must all hold. */
export const NodeSelectorTerm = struct(
  'NodeSelectorTerm',
  {},
  { matchExpressions: t.array(NodeSelectorRequirement), matchFields: t.array(NodeSelectorRequirement) },
  'Node requirements that must all hold (ANDed).',
);

/** Decodes alternative node selector terms, of which any may match. */
export const NodeSelector = struct(
  'NodeSelector',
  { nodeSelectorTerms: t.array(NodeSelectorTerm) },
  {},
  'Alternative node selector terms, any of which may match (ORed).',
);

/** Decodes a weighted node preference: the scheduler adds the weight to nodes that match. */
export const PreferredSchedulingTerm = struct(
  'PreferredSchedulingTerm',
  { weight: Weight, preference: NodeSelectorTerm },
  {},
  'A weighted node preference.',
);

/** Decodes node affinity: hard requirements and weighted preferences on the nodes a pod may use. */
export const NodeAffinity = struct(
  'NodeAffinity',
  {},
  {
    requiredDuringSchedulingIgnoredDuringExecution: NodeSelector,
    preferredDuringSchedulingIgnoredDuringExecution: t.array(PreferredSchedulingTerm),
  },
  'Node affinity scheduling rules.',
);

/** Decodes one label test of a pod affinity term. */
export const LabelSelectorRequirement = struct(
  'LabelSelectorRequirement',
  { key: t.string, operator: LabelSelectorOperator },
  { values: strings },
  'A label test: key, operator and values.',
);

/** Decodes the pods a pod affinity term refers to. */
export const LabelSelector = struct(
  'LabelSelector',
  {},
  { matchLabels: StringMap, matchExpressions: t.array(LabelSelectorRequirement) },
  'A label query; all of its labels and expressions must match.',
);

/**
 * Decodes which pods to be near (or away from), and what "near" means (`topologyKey`: same node, zone, ...).
 */
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

/** Decodes a weighted pod affinity preference. */
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

/** Decodes rules that pull a pod towards other pods (e.g. the workers of one job into one zone). */
export const PodAffinity = struct('PodAffinity', {}, podAffinityProps, 'Pod affinity scheduling rules.');

/** Decodes rules that push a pod away from other pods (e.g. to spread replicas over nodes). */
export const PodAntiAffinity = struct(
  'PodAntiAffinity',
  {},
  podAffinityProps,
  'Pod anti-affinity scheduling rules.',
);

/**
 * Decodes the affinity of the platform configuration's default pod settings, with node, pod and anti-pod
 * rules.
 */
export const Affinity = struct(
  'Affinity',
  {},
  { nodeAffinity: NodeAffinity, podAffinity: PodAffinity, podAntiAffinity: PodAntiAffinity },
  'Node affinity, pod affinity and pod anti-affinity scheduling rules.',
);
/** A decoded affinity, assignable to kubernetes-types' `Affinity`, so it goes into a pod spec unchanged. */
export type Affinity = t.TypeOf<typeof Affinity>;

// -------------------------------------------------------------------------------------
// security contexts
// -------------------------------------------------------------------------------------

/** Decodes SELinux labels for a container or pod. */
export const SELinuxOptions = struct(
  'SELinuxOptions',
  {},
  { user: t.string, role: t.string, type: t.string, level: t.string },
  'SELinux labels applied to a container.',
);

/** Decodes the seccomp profile of a container or pod; restricted Pod Security requires one. */
export const SeccompProfile = struct(
  'SeccompProfile',
  { type: SeccompProfileType },
  { localhostProfile: t.string },
  'The seccomp profile to apply.',
);

/** Decodes the AppArmor profile of a container or pod. */
export const AppArmorProfile = struct(
  'AppArmorProfile',
  { type: AppArmorProfileType },
  { localhostProfile: t.string },
  'The AppArmor profile to apply.',
);

/** Decodes Linux capabilities to add and drop; restricted Pod Security requires dropping `ALL`. */
export const Capabilities = struct(
  'Capabilities',
  {},
  { add: strings, drop: strings },
  'POSIX capabilities to add and drop.',
);

/** Decodes the settings that apply only to Windows containers. */
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

/**
 * Decodes a container security context written in the platform configuration (the default one for every task
 * container).
 */
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
/** A decoded container security context, assignable to kubernetes-types' `SecurityContext`. */
export type SecurityContext = t.TypeOf<typeof SecurityContext>;

/** Decodes a namespaced kernel parameter set for a pod. */
export const Sysctl = struct(
  'Sysctl',
  { name: t.string, value: t.string },
  {},
  'A namespaced kernel parameter.',
);

/**
 * Decodes a pod security context written in the platform configuration (the default one for every task pod).
 */
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
/** A decoded pod security context, assignable to kubernetes-types' `PodSecurityContext`. */
export type PodSecurityContext = t.TypeOf<typeof PodSecurityContext>;

// -------------------------------------------------------------------------------------
// DNS
// -------------------------------------------------------------------------------------

// `name` is optional in the OpenAPI schema but the API server rejects an option without one.
/** Decodes one resolver option; `name` is required because the API server rejects an option without one. */
export const PodDNSConfigOption = struct(
  'PodDNSConfigOption',
  { name: t.string },
  { value: t.string },
  'A resolver option (options in resolv.conf).',
);

/** Decodes extra DNS settings for task pods (nameservers, search domains, resolver options). */
export const PodDNSConfig = struct(
  'PodDNSConfig',
  {},
  { nameservers: strings, searches: strings, options: t.array(PodDNSConfigOption) },
  'DNS parameters merged into those generated from the DNS policy.',
);
/** Decoded DNS settings, assignable to kubernetes-types' `PodDNSConfig`. */
export type PodDNSConfig = t.TypeOf<typeof PodDNSConfig>;

// -------------------------------------------------------------------------------------
// resources
// -------------------------------------------------------------------------------------

/** Decodes a container's use of a dynamic resource claim of its pod (e.g. a GPU through DRA). */
export const ResourceClaim = struct(
  'ResourceClaim',
  { name: t.string },
  { request: t.string },
  'A pod resource claim (or one request of it) that the container uses.',
);

/**
 * Decodes requests and limits, with quantities in canonical form ("0.5" becomes "500m") so they compare and
 * merge exactly.
 */
export const ResourceRequirements = struct(
  'ResourceRequirements',
  {},
  { limits: ResourceList, requests: ResourceList, claims: t.array(ResourceClaim) },
  'Compute resource limits and requests, and dynamic resource claims.',
);
/** Decoded requests and limits, assignable to kubernetes-types' `ResourceRequirements`. */
export type ResourceRequirements = t.TypeOf<typeof ResourceRequirements>;

// -------------------------------------------------------------------------------------
// environment
// -------------------------------------------------------------------------------------

/**
 * Decodes a reference to a field of the pod (`metadata.name`, `status.podIP`) whose value becomes an
 * environment variable.
 */
export const ObjectFieldSelector = struct(
  'ObjectFieldSelector',
  { fieldPath: t.string },
  { apiVersion: t.string },
  'A field of the pod, such as metadata.name.',
);

/**
 * Decodes a reference to a container's request or limit whose value becomes an environment variable (in units
 * of `divisor`).
 */
export const ResourceFieldSelector = struct(
  'ResourceFieldSelector',
  { resource: t.string },
  { containerName: t.string, divisor: QuantityString },
  'A container resource limit or request, such as limits.cpu.',
);

/**
 * Decodes a reference to one key of a ConfigMap; with `optional` a missing key leaves the variable unset
 * instead of failing the pod.
 */
export const ConfigMapKeySelector = struct(
  'ConfigMapKeySelector',
  { key: t.string },
  { name: t.string, optional: t.boolean },
  'A key of a ConfigMap.',
);

/**
 * Decodes a reference to one key of a Secret; with `optional` a missing key leaves the variable unset instead
 * of failing the pod.
 */
export const SecretKeySelector = struct(
  'SecretKeySelector',
  { key: t.string },
  { name: t.string, optional: t.boolean },
  "A key of a Secret in the pod's namespace.",
);

/** Decodes a reference to one key of an env file in a volume (Kubernetes 1.34+, EnvFiles feature gate). */
export const FileKeySelector = struct(
  'FileKeySelector',
  { volumeName: t.string, path: t.string, key: t.string },
  { optional: t.boolean },
  'A key of an env file in a volume (EnvFiles feature gate).',
);

/**
 * Decodes where an environment variable's value comes from; the API server, not this codec, checks that
 * exactly one source is set.
 */
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

/** Decodes an environment variable with a literal value or a reference. */
export const EnvVar = struct(
  'EnvVar',
  { name: t.string },
  { value: t.string, valueFrom: EnvVarSource },
  'An environment variable: a literal value or a reference.',
);
/** A decoded environment variable, assignable to kubernetes-types' `EnvVar`. */
export type EnvVar = t.TypeOf<typeof EnvVar>;

/** Decodes a ConfigMap whose every key becomes an environment variable. */
export const ConfigMapEnvSource = struct(
  'ConfigMapEnvSource',
  {},
  { name: t.string, optional: t.boolean },
  'A ConfigMap whose keys become environment variables.',
);

/** Decodes a Secret whose every key becomes an environment variable. */
export const SecretEnvSource = struct(
  'SecretEnvSource',
  {},
  { name: t.string, optional: t.boolean },
  'A Secret whose keys become environment variables.',
);

/** Decodes a source of many environment variables at once, with an optional name prefix. */
export const EnvFromSource = struct(
  'EnvFromSource',
  {},
  { prefix: t.string, configMapRef: ConfigMapEnvSource, secretRef: SecretEnvSource },
  'A ConfigMap or Secret whose keys become environment variables.',
);
/** A decoded source of environment variables, assignable to kubernetes-types' `EnvFromSource`. */
export type EnvFromSource = t.TypeOf<typeof EnvFromSource>;
