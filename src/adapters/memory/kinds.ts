// The kinds the in-memory cluster serves: built-in ones with their API-server rules, and registered custom ones.
import { groupOf, gvkKey, type GroupVersionKind, type KubeObject } from '../../domain/kubernetes.js';
import type { GroupKind, GroupResource } from '../../domain/api-error.js';
import type { ResourceInfo } from '../../ports/cluster.js';
import { isObject } from './json.js';
import type { SmpSchema } from './patch.js';

/** What changes bump `metadata.generation`. */
export type GenerationRule =
  | 'none'
  /** Built-in workloads: any change to `spec`. */
  | 'spec'
  /** Custom resources: any change outside metadata (and outside status when status is a subresource). */
  | 'content';

/** Which names a kind accepts (apimachinery's name validators). */
export type NameRule = 'subdomain' | 'label' | 'dns1035';

/** Everything the in-memory API server knows about a kind. */
export interface KindInfo extends ResourceInfo {
  /** `apiVersion/kind`, kept rather than rebuilt: every request compares it several times. */
  readonly key: string;
  readonly group: string;
  readonly builtIn: boolean;
  readonly generation: GenerationRule;
  /** Pods: delete is graceful (marked, then confirmed by the kubelet). */
  readonly gracefulDelete: boolean;
  /** Nodes allow status on create; every other kind with a status subresource drops it. */
  readonly statusOnCreate: boolean;
  readonly nameRule: NameRule;
  /** Patch metadata for strategic merge patch; undefined: not supported (custom resources answer 415). */
  readonly smp: SmpSchema | undefined;
  /** Field-selector getters beyond metadata.name / metadata.namespace. */
  readonly fields: Readonly<Record<string, (o: KubeObject) => string>>;
  /**
   * Built-in kinds: the top-level fields of the Go type besides apiVersion, kind and metadata. The API server
   * decodes a body into that type, so any other top-level field is dropped. Undefined (custom resources with a
   * schema that preserves unknown fields): everything is kept.
   */
  readonly topLevel: ReadonlySet<string> | undefined;
}

/** The fields of ObjectMeta; the API server drops any other field under metadata, for every kind. */
export const OBJECT_META_FIELDS: ReadonlySet<string> = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

/** A custom resource to serve, as its CRD would declare it. */
export interface CustomKind extends GroupVersionKind {
  /** Plural resource name, e.g. `rayjobs`. */
  readonly plural: string;
  /** Default true. */
  readonly namespaced?: boolean;
  /** Whether the CRD declares the status subresource. Default true. */
  readonly statusSubresource?: boolean;
}

export const groupResourceOf = (k: KindInfo): GroupResource => ({ group: k.group, resource: k.plural });
export const groupKindOf = (k: KindInfo): GroupKind => ({ group: k.group, kind: k.kind });

// -------------------------------------------------------------------------------------
// strategic merge patch metadata (k8s.io/api struct tags, v1.34)
// -------------------------------------------------------------------------------------

const objectMetaSmp: SmpSchema = {
  fields: {
    finalizers: { primitiveSet: true },
    ownerReferences: { mergeKey: 'uid' },
  },
};

const containerSmp: SmpSchema = {
  fields: {
    env: { mergeKey: 'name' },
    ports: { mergeKey: 'containerPort' },
    volumeMounts: { mergeKey: 'mountPath' },
    volumeDevices: { mergeKey: 'devicePath' },
  },
};

const podSpecSmp: SmpSchema = {
  fields: {
    containers: { mergeKey: 'name', items: containerSmp },
    initContainers: { mergeKey: 'name', items: containerSmp },
    ephemeralContainers: { mergeKey: 'name', items: containerSmp },
    volumes: { mergeKey: 'name' },
    imagePullSecrets: { mergeKey: 'name' },
    hostAliases: { mergeKey: 'ip' },
    resourceClaims: { mergeKey: 'name' },
    schedulingGates: { mergeKey: 'name' },
    topologySpreadConstraints: { mergeKey: 'topologyKey' },
  },
};

const podStatusSmp: SmpSchema = {
  fields: {
    conditions: { mergeKey: 'type' },
    podIPs: { mergeKey: 'ip' },
    hostIPs: { mergeKey: 'ip' },
    resourceClaimStatuses: { mergeKey: 'name' },
  },
};

const podTemplateSmp: SmpSchema = {
  fields: { metadata: { type: objectMetaSmp }, spec: { type: podSpecSmp } },
};

const withMeta = (fields: NonNullable<SmpSchema['fields']>): SmpSchema => ({
  fields: { metadata: { type: objectMetaSmp }, ...fields },
});

const podSmp = withMeta({ spec: { type: podSpecSmp }, status: { type: podStatusSmp } });

const conditionsByType: SmpSchema = { fields: { conditions: { mergeKey: 'type' } } };

// -------------------------------------------------------------------------------------
// field selectors
// -------------------------------------------------------------------------------------

const str = (u: unknown): string =>
  typeof u === 'string' ? u : typeof u === 'number' || typeof u === 'boolean' ? String(u) : '';

const at =
  (...path: ReadonlyArray<string>) =>
  (o: KubeObject): string => {
    let cur: unknown = o;
    for (const p of path) cur = isObject(cur) ? cur[p] : undefined;
    return str(cur);
  };

const podFields: KindInfo['fields'] = {
  'spec.nodeName': at('spec', 'nodeName'),
  'spec.restartPolicy': at('spec', 'restartPolicy'),
  'spec.schedulerName': at('spec', 'schedulerName'),
  'spec.serviceAccountName': at('spec', 'serviceAccountName'),
  'spec.hostNetwork': (o) => (at('spec', 'hostNetwork')(o) === 'true' ? 'true' : 'false'),
  'status.phase': at('status', 'phase'),
  'status.podIP': at('status', 'podIP'),
  'status.nominatedNodeName': at('status', 'nominatedNodeName'),
};

const eventFields: KindInfo['fields'] = {
  'involvedObject.kind': at('involvedObject', 'kind'),
  'involvedObject.namespace': at('involvedObject', 'namespace'),
  'involvedObject.name': at('involvedObject', 'name'),
  'involvedObject.uid': at('involvedObject', 'uid'),
  'involvedObject.apiVersion': at('involvedObject', 'apiVersion'),
  'involvedObject.resourceVersion': at('involvedObject', 'resourceVersion'),
  'involvedObject.fieldPath': at('involvedObject', 'fieldPath'),
  reason: at('reason'),
  reportingComponent: at('reportingComponent'),
  source: at('source', 'component'),
  type: at('type'),
};

// -------------------------------------------------------------------------------------
// the built-in kinds
// -------------------------------------------------------------------------------------

interface BuiltIn {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly statusSubresource: boolean;
  readonly generation?: GenerationRule;
  readonly gracefulDelete?: boolean;
  readonly statusOnCreate?: boolean;
  readonly nameRule?: NameRule;
  readonly smp?: SmpSchema;
  readonly fields?: KindInfo['fields'];
  /** Top-level fields of the type; default spec and status. */
  readonly topLevel?: ReadonlyArray<string>;
}

const builtIn = (b: BuiltIn): KindInfo => ({
  key: gvkKey(b),
  apiVersion: b.apiVersion,
  kind: b.kind,
  group: groupOf(b.apiVersion),
  plural: b.plural,
  namespaced: b.namespaced,
  statusSubresource: b.statusSubresource,
  builtIn: true,
  generation: b.generation ?? 'none',
  gracefulDelete: b.gracefulDelete ?? false,
  statusOnCreate: b.statusOnCreate ?? false,
  nameRule: b.nameRule ?? 'subdomain',
  smp: b.smp ?? withMeta({}),
  fields: b.fields ?? {},
  topLevel: new Set(b.topLevel ?? ['spec', 'status']),
});

/** The built-in kinds served: what task plugins create, watch and need around them. */
export const builtInKinds: ReadonlyArray<KindInfo> = [
  builtIn({
    apiVersion: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    statusSubresource: true,
    nameRule: 'label',
    fields: { 'status.phase': at('status', 'phase') },
  }),
  builtIn({
    apiVersion: 'v1',
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    statusSubresource: true,
    generation: 'spec',
    gracefulDelete: true,
    smp: podSmp,
    fields: podFields,
  }),
  builtIn({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    plural: 'configmaps',
    namespaced: true,
    statusSubresource: false,
    topLevel: ['data', 'binaryData', 'immutable'],
  }),
  builtIn({
    apiVersion: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    namespaced: true,
    statusSubresource: false,
    topLevel: ['data', 'stringData', 'type', 'immutable'],
    fields: { type: at('type') },
  }),
  builtIn({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    namespaced: true,
    statusSubresource: false,
    topLevel: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  }),
  builtIn({
    apiVersion: 'v1',
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    statusSubresource: true,
    nameRule: 'dns1035',
    smp: withMeta({ spec: { type: { fields: { ports: { mergeKey: 'port' } } } } }),
  }),
  builtIn({
    apiVersion: 'v1',
    kind: 'Event',
    plural: 'events',
    namespaced: true,
    statusSubresource: false,
    topLevel: [
      'involvedObject',
      'reason',
      'message',
      'source',
      'firstTimestamp',
      'lastTimestamp',
      'count',
      'type',
      'eventTime',
      'series',
      'action',
      'related',
      'reportingComponent',
      'reportingInstance',
    ],
    fields: eventFields,
  }),
  builtIn({
    apiVersion: 'v1',
    kind: 'Node',
    plural: 'nodes',
    namespaced: false,
    statusSubresource: true,
    statusOnCreate: true,
    smp: withMeta({
      status: {
        type: { fields: { conditions: { mergeKey: 'type' }, addresses: { mergeKey: 'type' } } },
      },
    }),
    fields: { 'spec.unschedulable': (o) => (at('spec', 'unschedulable')(o) === 'true' ? 'true' : 'false') },
  }),
  builtIn({
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    plural: 'resourcequotas',
    namespaced: true,
    statusSubresource: true,
  }),
  builtIn({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    plural: 'priorityclasses',
    namespaced: false,
    statusSubresource: false,
    topLevel: ['value', 'globalDefault', 'description', 'preemptionPolicy'],
  }),
  builtIn({
    apiVersion: 'v1',
    kind: 'PodTemplate',
    plural: 'podtemplates',
    namespaced: true,
    statusSubresource: false,
    topLevel: ['template'],
    smp: withMeta({ template: { type: podTemplateSmp } }),
  }),
  builtIn({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    plural: 'leases',
    namespaced: true,
    statusSubresource: false,
    topLevel: ['spec'],
  }),
  builtIn({
    apiVersion: 'batch/v1',
    kind: 'Job',
    plural: 'jobs',
    namespaced: true,
    statusSubresource: true,
    generation: 'spec',
    smp: withMeta({
      spec: { type: { fields: { template: { type: podTemplateSmp } } } },
      status: { type: conditionsByType },
    }),
    fields: { 'status.successful': at('status', 'succeeded') },
  }),
];

/** The KindInfo of a custom resource, with the rules the API server applies to every CRD-served kind. */
export const customKindInfo = (c: CustomKind): KindInfo => ({
  key: gvkKey(c),
  apiVersion: c.apiVersion,
  kind: c.kind,
  group: groupOf(c.apiVersion),
  plural: c.plural,
  namespaced: c.namespaced ?? true,
  statusSubresource: c.statusSubresource ?? true,
  builtIn: false,
  generation: 'content',
  gracefulDelete: false,
  statusOnCreate: false,
  nameRule: 'subdomain',
  smp: undefined,
  fields: {},
  topLevel: undefined,
});

export const kindKey = gvkKey;

/** The TaskExecution custom resource, as deploy/crd.yaml serves it (namespaced, status subresource). */
export const taskExecutionKind: CustomKind = {
  apiVersion: 'kubetasks.dev/v1alpha1',
  kind: 'TaskExecution',
  plural: 'taskexecutions',
  namespaced: true,
  statusSubresource: true,
};
