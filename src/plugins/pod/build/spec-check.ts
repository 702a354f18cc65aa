// Checks the parts of a user-written pod spec that pod construction reads or changes, with the path of each problem.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  decode,
  NonEmptyString,
  oneOf,
  showValue,
  StringMap,
  type DecodeIssue,
  type PathSegment,
} from '../../../domain/codec.js';
import type { PodSpec } from '../../../domain/kubernetes.js';
import { PodDNSConfig } from '../../../domain/core-v1/dns.js';
import { EnvFromSource, EnvVar } from '../../../domain/core-v1/env.js';
import { ResourceRequirements } from '../../../domain/core-v1/resources.js';
import { Int32 } from '../../../domain/core-v1/scalars.js';
import { Affinity, Toleration } from '../../../domain/core-v1/scheduling.js';
import { PodSecurityContext, SecurityContext } from '../../../domain/core-v1/security.js';
import { dns1123LabelError, dns1123SubdomainError, envVarNameError } from '../../../domain/names.js';
import { buildError, type BuildError } from '../../../domain/plugin.js';
import { isRecord, stripNulls, type JsonRecord } from './json.js';

// -------------------------------------------------------------------------------------
// codec helpers
// -------------------------------------------------------------------------------------

/**
 * An object codec that checks the listed keys and keeps every other key as written: Kubernetes objects have many
 * fields pod construction never reads, and those are the API server's to check.
 */
const loose = (
  name: string,
  props: Readonly<Record<string, t.Mixed>>,
  required: ReadonlyArray<string> = [],
): t.Type<JsonRecord, JsonRecord> =>
  new t.Type<JsonRecord, JsonRecord>(
    name,
    isRecord,
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c, 'an object (a mapping of keys to values)');
      const errors: t.ValidationError[] = [];
      const out: Record<string, unknown> = { ...u };
      for (const [k, codec] of Object.entries(props)) {
        const v = u[k];
        const ctx = t.appendContext(c, k, codec, v);
        if (v === undefined) {
          if (required.includes(k)) errors.push({ value: undefined, context: ctx, message: codec.name });
          continue;
        }
        const r = codec.validate(v, ctx);
        if (E.isLeft(r)) errors.push(...r.left);
        else out[k] = r.right;
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    },
    (a) => a,
  );

/** A string checked by a validator that explains what is wrong. */
const validatedString = (name: string, why: (s: string) => string | undefined): t.Type<string, string> =>
  new t.Type<string, string>(
    name,
    (u): u is string => typeof u === 'string' && why(u) === undefined,
    (u, c) => {
      if (typeof u !== 'string') return t.failure(u, c, name);
      const reason = why(u);
      return reason === undefined ? t.success(u) : t.failure(u, c, `${name} (${reason})`);
    },
    (a) => a,
  );

/** A list whose items have distinct keys. */
const uniqueList = <C extends t.Mixed>(
  item: C,
  keyOf: (a: t.TypeOf<C>) => string,
  what: string,
): t.Type<ReadonlyArray<t.TypeOf<C>>, ReadonlyArray<t.TypeOf<C>>> => {
  const list = t.readonlyArray(item);
  return new t.Type<ReadonlyArray<t.TypeOf<C>>, ReadonlyArray<t.TypeOf<C>>>(
    list.name,
    list.is,
    (u, c) => {
      const r = list.validate(u, c);
      if (E.isLeft(r)) return r;
      const seen = new Map<string, number>();
      for (const [i, a] of r.right.entries()) {
        const k = keyOf(a);
        const first = seen.get(k);
        if (first !== undefined) {
          return t.failure(
            k,
            t.appendContext(t.appendContext(c, String(i), item, a), 'name', t.string, k),
            `a ${what} not already used by item ${first}`,
          );
        }
        seen.set(k, i);
      }
      return t.success(r.right);
    },
    (a) => a,
  );
};

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

export const DnsLabel = validatedString('a DNS-1123 label such as "main"', dns1123LabelError);
const DnsSubdomain = validatedString('a DNS-1123 subdomain such as "default"', dns1123SubdomainError);
const EnvVarName = validatedString('an environment variable name', envVarNameError);
const Image = validatedString('a container image', (s) =>
  s.trim() !== s ? 'without leading or trailing spaces' : s === '' ? 'non-empty' : undefined,
);

const CheckedEnvVar = new t.Type<t.TypeOf<typeof EnvVar>>(
  'EnvVar',
  EnvVar.is,
  (u, c) => {
    const r = EnvVar.validate(u, c);
    if (E.isLeft(r)) return r;
    const n = EnvVarName.validate(r.right.name, t.appendContext(c, 'name', EnvVarName, r.right.name));
    return E.isLeft(n) ? n : t.success(r.right);
  },
  (a) => a,
);

const VolumeMount = loose('VolumeMount', { name: NonEmptyString, mountPath: NonEmptyString }, [
  'name',
  'mountPath',
]);
const ContainerPort = loose('ContainerPort', { containerPort: Int32, hostPort: Int32 }, ['containerPort']);

const containerProps = {
  name: DnsLabel,
  image: Image,
  command: t.readonlyArray(t.string),
  args: t.readonlyArray(t.string),
  env: t.readonlyArray(CheckedEnvVar),
  envFrom: t.readonlyArray(EnvFromSource),
  resources: ResourceRequirements,
  securityContext: SecurityContext,
  volumeMounts: t.readonlyArray(VolumeMount),
  ports: t.readonlyArray(ContainerPort),
  imagePullPolicy: oneOf('PullPolicy', ['Always', 'IfNotPresent', 'Never']),
  terminationMessagePolicy: oneOf('TerminationMessagePolicy', ['File', 'FallbackToLogsOnError']),
  readinessProbe: loose('Probe', {}),
};

export const ContainerC = loose('Container', containerProps, ['name']);

const nameOf = (a: JsonRecord): string => (typeof a['name'] === 'string' ? a['name'] : '');

const Containers = uniqueList(ContainerC, nameOf, 'container name');
const Volume = loose('Volume', { name: DnsLabel }, ['name']);

const podProps = {
  initContainers: Containers,
  tolerations: t.readonlyArray(Toleration),
  affinity: Affinity,
  nodeSelector: StringMap,
  securityContext: PodSecurityContext,
  dnsConfig: PodDNSConfig,
  volumes: uniqueList(Volume, nameOf, 'volume name'),
  hostNetwork: t.boolean,
  hostPID: t.boolean,
  hostIPC: t.boolean,
  enableServiceLinks: t.boolean,
  serviceAccountName: DnsSubdomain,
  schedulerName: NonEmptyString,
  restartPolicy: oneOf('RestartPolicy', ['Always', 'OnFailure', 'Never']),
  imagePullSecrets: t.readonlyArray(loose('LocalObjectReference', { name: NonEmptyString })),
};

const PodSpecWithContainers = loose('PodSpec', { containers: Containers, ...podProps }, ['containers']);
const PodSpecFragment = loose('PodSpec', { containers: Containers, ...podProps });

// Init and regular containers share one name space in a pod.
const sharedNameIssue = (spec: JsonRecord): DecodeIssue | undefined => {
  const regular = new Set(((spec['containers'] ?? []) as ReadonlyArray<JsonRecord>).map(nameOf));
  const init = (spec['initContainers'] ?? []) as ReadonlyArray<JsonRecord>;
  const i = init.findIndex((c) => regular.has(nameOf(c)));
  const clash = init[i];
  return clash === undefined
    ? undefined
    : {
        path: ['initContainers', i, 'name'],
        expected: 'a name no regular container of the pod uses',
        actual: nameOf(clash),
      };
};

// -------------------------------------------------------------------------------------
// entry points
// -------------------------------------------------------------------------------------

/** How a decode issue reads after its path: "expected ..., got ...", "missing, expected ..." or "unknown key". */
export const issueMessage = (issue: DecodeIssue): string => {
  if (issue.unknownKey !== undefined) {
    return issue.unknownKey.suggestion === undefined
      ? 'unknown key'
      : `unknown key (did you mean "${issue.unknownKey.suggestion}"?)`;
  }
  if (!('actual' in issue)) return `missing, expected ${issue.expected}`;
  return `expected ${issue.expected}, got ${showValue(issue.actual)}`;
};

/** The first issue as a BuildError whose path is `prefix` + the issue's path. */
export const issueToBuildError = (
  issues: ReadonlyArray<DecodeIssue>,
  prefix: ReadonlyArray<PathSegment>,
): BuildError => {
  const first = issues[0];
  return first === undefined
    ? buildError('BadTaskSpecification', 'invalid pod spec', prefix)
    : buildError('BadTaskSpecification', issueMessage(first), [...prefix, ...first.path]);
};

/**
 * Checks and normalizes a pod spec written in a task, an override or a PodTemplate: nulls dropped, quantities in
 * canonical form, every field pod construction reads checked. Task and override specs must list containers; a
 * template spec may leave them out.
 */
export const checkPodSpec = (
  u: unknown,
  options: { readonly requireContainers: boolean },
): E.Either<ReadonlyArray<DecodeIssue>, PodSpec> => {
  const r = decode(options.requireContainers ? PodSpecWithContainers : PodSpecFragment)(stripNulls(u));
  if (E.isLeft(r)) return r;
  const clash = sharedNameIssue(r.right);
  return clash === undefined ? E.right(r.right as unknown as PodSpec) : E.left([clash]);
};
