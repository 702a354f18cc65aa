// Pod rules of the API server: defaulting and QoS at create, spec immutability, and status validation.
import * as E from 'fp-ts/lib/Either.js';
import type { Container, Pod, PodSpec, PodStatus, Toleration } from '../../domain/kubernetes.js';
import { dns1123LabelError, dns1123SubdomainError } from '../../domain/names.js';
import { setOwn } from '../../domain/own-keys.js';
import * as Q from '../../domain/quantity.js';
import type { FieldError } from '../../domain/api-error.js';
import { cloneJson, isObject, jsonEqual } from './json.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const COMPUTE = ['cpu', 'memory'] as const;

// -------------------------------------------------------------------------------------
// defaulting (API defaults plus the admission plugins on by default)
// -------------------------------------------------------------------------------------

const imagePullPolicyFor = (image: string | undefined): string => {
  const ref = image ?? '';
  if (ref.includes('@')) return 'IfNotPresent';
  const lastSlash = ref.lastIndexOf('/');
  const tagAt = ref.indexOf(':', lastSlash + 1);
  const tag = tagAt < 0 ? '' : ref.slice(tagAt + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
};

const defaultContainer = (c: Container): Container => {
  const out: Mutable<Container> = { ...c };
  out.terminationMessagePath ??= '/dev/termination-log';
  out.terminationMessagePolicy ??= 'File';
  out.imagePullPolicy ??= imagePullPolicyFor(c.image);
  const resources = { ...(c.resources ?? {}) };
  // Requests default to limits, resource by resource.
  if (resources.limits !== undefined) {
    const requests = { ...(resources.requests ?? {}) };
    for (const [k, v] of Object.entries(resources.limits))
      if (!Object.hasOwn(requests, k)) setOwn(requests, k, v);
    resources.requests = requests;
  }
  out.resources = resources;
  return out;
};

// DefaultTolerationSeconds admission: 300 s for not-ready and unreachable nodes unless the pod says otherwise.
const defaultTolerations = (tolerations: ReadonlyArray<Toleration> | undefined): Toleration[] => {
  const out = [...(tolerations ?? [])];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const covered = out.some(
      (t) =>
        (t.key === key || (t.key === undefined && t.operator === 'Exists')) &&
        (t.effect === undefined || t.effect === 'NoExecute'),
    );
    if (!covered) out.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  return out;
};

/** The API defaults of a pod spec (applied on create and on every update). */
export const defaultPodSpec = (input: PodSpec): PodSpec => {
  const spec: Mutable<PodSpec> = { ...input };
  spec.containers = (spec.containers ?? []).map(defaultContainer);
  if (spec.initContainers !== undefined) spec.initContainers = spec.initContainers.map(defaultContainer);
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  return spec;
};

/** The pod as the API server stores it at create: API defaults, the default admission plugins, initial status. */
export const defaultPod = (pod: Pod): Pod => {
  const spec: Mutable<PodSpec> = { ...defaultPodSpec(pod.spec ?? { containers: [] }) };
  // DefaultTolerationSeconds adds two tolerations; priority is the Priority admission's (priority.ts).
  spec.tolerations = defaultTolerations(spec.tolerations);
  const withSpec: Pod = { ...pod, spec };
  return { ...withSpec, status: { phase: 'Pending', qosClass: qosClassOf(withSpec) } };
};

// -------------------------------------------------------------------------------------
// QoS
// -------------------------------------------------------------------------------------

// Pods repeat a handful of quantity strings ("500m", "1Gi"); parsing is exact (BigInt), so results are cached.
const QUANTITY_CACHE_LIMIT = 4096;
const quantityCache = new Map<string, Q.Quantity | null>();

/** A quantity from a JSON string or number; undefined when it does not parse. */
export const quantityOf = (u: unknown): Q.Quantity | undefined => {
  if (typeof u !== 'string' && typeof u !== 'number') return undefined;
  const s = String(u);
  const hit = quantityCache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  const r = Q.parse(s);
  const q = E.isRight(r) ? r.right : null;
  if (quantityCache.size >= QUANTITY_CACHE_LIMIT) quantityCache.clear();
  quantityCache.set(s, q);
  return q ?? undefined;
};

/** The pod's QoS class (BestEffort, Burstable, Guaranteed), computed as the API server does at create. */
export const qosClassOf = (pod: Pod): 'BestEffort' | 'Burstable' | 'Guaranteed' => {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    for (const r of COMPUTE) {
      const req = quantityOf(requests[r] ?? limits[r]);
      const lim = quantityOf(limits[r]);
      if ((req !== undefined && !Q.isZero(req)) || lim !== undefined) any = true;
      if (lim === undefined || req === undefined || Q.compare(req, lim) !== 0) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
};

// -------------------------------------------------------------------------------------
// create validation
// -------------------------------------------------------------------------------------

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];

/** Quantities that do not parse make the request undecodable (400), not invalid; this finds the first one. */
export const undecodableQuantity = (pod: Pod): string | undefined => {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const c of containers) {
    for (const list of [c.resources?.requests, c.resources?.limits]) {
      for (const v of Object.values(list ?? {})) {
        if (quantityOf(v) === undefined) {
          return `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`;
        }
      }
    }
  }
  return undefined;
};

const validateContainers = (
  list: ReadonlyArray<Container>,
  path: string,
  seen: Set<string>,
  volumes: ReadonlySet<string>,
): FieldError[] => {
  const errors: FieldError[] = [];
  list.forEach((c, i) => {
    const at = `${path}[${i}]`;
    const name = c.name ?? '';
    if (name === '') errors.push({ type: 'FieldValueRequired', field: `${at}.name` });
    else {
      const err = dns1123LabelError(name);
      if (err !== undefined)
        errors.push({ type: 'FieldValueInvalid', field: `${at}.name`, value: name, detail: err });
      if (seen.has(name)) errors.push({ type: 'FieldValueDuplicate', field: `${at}.name`, value: name });
      seen.add(name);
    }
    if (c.image === undefined || c.image.trim() === '')
      errors.push({ type: 'FieldValueRequired', field: `${at}.image` });
    (c.volumeMounts ?? []).forEach((m, j) => {
      if (!volumes.has(m.name)) {
        errors.push({ type: 'FieldValueNotFound', field: `${at}.volumeMounts[${j}].name`, value: m.name });
      }
    });
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    for (const [r, l] of Object.entries(limits)) {
      const req = quantityOf(requests[r]);
      const lim = quantityOf(l);
      if (req !== undefined && lim !== undefined && Q.gt(req, lim)) {
        errors.push({
          type: 'FieldValueInvalid',
          field: `${at}.resources.requests`,
          value: requests[r],
          detail: `must be less than or equal to ${r} limit of ${l}`,
        });
      }
    }
  });
  return errors;
};

/** The pod rules that bite at create (a subset of ValidatePodCreate; see docs/cluster-port.md). */
export const validatePodSpec = (pod: Pod): FieldError[] => {
  const spec = pod.spec;
  if (spec === undefined) return [{ type: 'FieldValueRequired', field: 'spec' }];
  const errors: FieldError[] = [];
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    if (volumes.has(v.name))
      errors.push({ type: 'FieldValueDuplicate', field: `spec.volumes[${i}].name`, value: v.name });
    volumes.add(v.name);
  });
  if (spec.containers === undefined || spec.containers.length === 0) {
    errors.push({ type: 'FieldValueRequired', field: 'spec.containers' });
  }
  const seen = new Set<string>();
  errors.push(...validateContainers(spec.initContainers ?? [], 'spec.initContainers', seen, volumes));
  errors.push(...validateContainers(spec.containers ?? [], 'spec.containers', seen, volumes));
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy)) {
    errors.push({
      type: 'FieldValueNotSupported',
      field: 'spec.restartPolicy',
      value: spec.restartPolicy,
      detail: 'supported values: "Always", "OnFailure", "Never"',
    });
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds < 1) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.activeDeadlineSeconds',
      value: spec.activeDeadlineSeconds,
      detail: 'must be between 1 and 2147483647, inclusive',
    });
  }
  if (spec.nodeName !== undefined && spec.nodeName !== '') {
    const err = dns1123SubdomainError(spec.nodeName);
    if (err !== undefined)
      errors.push({ type: 'FieldValueInvalid', field: 'spec.nodeName', value: spec.nodeName, detail: err });
  }
  return errors;
};

// -------------------------------------------------------------------------------------
// update validation: the pod spec is immutable but for a few fields
// -------------------------------------------------------------------------------------

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

// Blanks the mutable fields so that what remains must be equal.
const mask = (spec: PodSpec, reference: PodSpec): Record<string, unknown> => {
  const m = cloneJson(spec) as unknown as Record<string, unknown>;
  const blankImages = (key: 'containers' | 'initContainers'): void => {
    const list = m[key];
    if (Array.isArray(list)) m[key] = list.map((c: unknown) => (isObject(c) ? { ...c, image: '' } : c));
  };
  blankImages('containers');
  blankImages('initContainers');
  delete m['activeDeadlineSeconds'];
  delete m['tolerations'];
  delete m['schedulingGates'];
  if ((reference.terminationGracePeriodSeconds ?? 0) < 0) delete m['terminationGracePeriodSeconds'];
  return m;
};

/** Spec changes a pod update may make; anything else is Invalid, as in ValidatePodUpdate. */
export const validatePodUpdate = (oldPod: Pod, newPod: Pod): FieldError[] => {
  // The stored spec itself (a patch of metadata only): it was valid when stored, and nothing changed.
  if (oldPod.spec !== undefined && oldPod.spec === newPod.spec) return [];
  const oldSpec = oldPod.spec ?? { containers: [] };
  const newSpec = newPod.spec ?? { containers: [] };
  const errors: FieldError[] = [];
  const newActive = newSpec.activeDeadlineSeconds;
  const oldActive = oldSpec.activeDeadlineSeconds;
  if (oldActive !== undefined && (newActive === undefined || newActive > oldActive)) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.activeDeadlineSeconds',
      value: newActive,
      detail: 'must be less than or equal to previous value',
    });
  }
  const newTolerations = newSpec.tolerations ?? [];
  if (!(oldSpec.tolerations ?? []).every((t) => newTolerations.some((n) => jsonEqual(n, t)))) {
    errors.push({
      type: 'FieldValueForbidden',
      field: 'spec.tolerations',
      detail: 'existing toleration can not be modified except its tolerationSeconds',
    });
  }
  const oldGates = oldSpec.schedulingGates ?? [];
  if (!(newSpec.schedulingGates ?? []).every((g) => oldGates.some((o) => o.name === g.name))) {
    errors.push({
      type: 'FieldValueForbidden',
      field: 'spec.schedulingGates',
      detail: 'only deletion is allowed, but found new scheduling gate',
    });
  }
  newSpec.containers.forEach((c, i) => {
    if (c.image === undefined || c.image === '')
      errors.push({ type: 'FieldValueRequired', field: `spec.containers[${i}].image` });
  });
  if (!jsonEqual(mask(oldSpec, oldSpec), mask(newSpec, oldSpec))) {
    errors.push({ type: 'FieldValueForbidden', field: 'spec', detail: POD_UPDATE_FORBIDDEN });
  }
  return errors;
};

// -------------------------------------------------------------------------------------
// status validation (ValidatePodStatusUpdate, the rules that bite; harness spec 5.3)
// -------------------------------------------------------------------------------------

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const isIp = (s: string): boolean => IPV4.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));

const validateIps = (
  primary: string | undefined,
  list: ReadonlyArray<{ readonly ip?: string }> | undefined,
  field: 'podIP' | 'hostIP',
): FieldError[] => {
  const errors: FieldError[] = [];
  const plural = field === 'podIP' ? 'podIPs' : 'hostIPs';
  if (primary !== undefined && primary !== '' && !isIp(primary)) {
    errors.push({
      type: 'FieldValueInvalid',
      field: `status.${field}`,
      value: primary,
      detail: 'must be a valid IP address',
    });
  }
  (list ?? []).forEach((entry, i) => {
    const ip = entry.ip ?? '';
    if (!isIp(ip))
      errors.push({
        type: 'FieldValueInvalid',
        field: `status.${plural}[${i}].ip`,
        value: ip,
        detail: 'must be a valid IP address',
      });
  });
  return errors;
};

/**
 * What the v1 → internal conversion does to pod IPs: `podIP` is authoritative, so a `podIPs` that disagrees
 * becomes `[podIP]`, an empty one gets it, and a `podIP` missing next to `podIPs` becomes `podIPs[0]`. The same
 * for `hostIP` / `hostIPs`. A client can therefore never store `podIPs[0] != podIP`.
 */
export const convertPodStatusIps = (status: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...status };
  for (const [single, plural] of [
    ['podIP', 'podIPs'],
    ['hostIP', 'hostIPs'],
  ] as const) {
    const ip = status[single];
    const ips = Array.isArray(status[plural]) ? (status[plural] as ReadonlyArray<unknown>) : [];
    const first = ips[0];
    const firstIp = typeof first === 'object' && first !== null ? (first as { ip?: unknown }).ip : undefined;
    if (typeof ip === 'string' && ip !== '') {
      if (ips.length === 0 || firstIp !== ip) out[plural] = [{ ip }];
    } else if (typeof firstIp === 'string' && firstIp !== '') {
      out[single] = firstIp;
    }
  }
  return out;
};

const terminatedFor = (
  status: PodStatus | undefined,
  key: 'containerStatuses' | 'initContainerStatuses',
): Map<string, boolean> => {
  const m = new Map<string, boolean>();
  for (const c of status?.[key] ?? []) m.set(c.name, c.state?.terminated !== undefined);
  return m;
};

/** Status writes the API server refuses (after `convertPodStatusIps`). Phase regressions and unknown container names are not among them. */
export const validatePodStatusUpdate = (oldPod: Pod, newPod: Pod): FieldError[] => {
  const errors: FieldError[] = [];
  const oldStatus = oldPod.status;
  const newStatus = newPod.status;
  if (oldStatus?.qosClass !== undefined && newStatus?.qosClass !== oldStatus.qosClass) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'status.qosClass',
      value: newStatus?.qosClass,
      detail: 'field is immutable',
    });
  }
  errors.push(...validateIps(newStatus?.podIP, newStatus?.podIPs, 'podIP'));
  errors.push(...validateIps(newStatus?.hostIP, newStatus?.hostIPs, 'hostIP'));
  const policy = oldPod.spec?.restartPolicy ?? 'Always';
  for (const key of ['containerStatuses', 'initContainerStatuses'] as const) {
    if (key === 'containerStatuses' && policy === 'Always') continue;
    const wasTerminated = terminatedFor(oldStatus, key);
    (newStatus?.[key] ?? []).forEach((c, i) => {
      if (wasTerminated.get(c.name) !== true || c.state?.terminated !== undefined) return;
      const oldExit = oldStatus?.[key]?.find((o) => o.name === c.name)?.state?.terminated?.exitCode;
      // OnFailure containers may restart after a failure, never after success; Never containers never restart;
      // init containers that succeeded never run again.
      if (key === 'containerStatuses' && policy === 'OnFailure' && oldExit !== 0) return;
      if (key === 'initContainerStatuses' && oldExit !== 0 && policy !== 'Never') return;
      errors.push({
        type: 'FieldValueForbidden',
        field: `status.${key}[${i}].state`,
        detail: 'may not be transitioned to non-terminated state',
      });
    });
  }
  return errors;
};

/** The status a pod is created with: Pending, and the QoS class. */
export const initialPodStatus = (pod: Pod): PodStatus => ({ phase: 'Pending', qosClass: qosClassOf(pod) });
