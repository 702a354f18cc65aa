// Offline validation of custom resources against CustomResourceDefinitions: the API server's schema check, stricter.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { parseAllDocuments } from 'yaml';
import { closest, isPlainObject, renderPath, showValue, type PathSegment } from '../domain/codec.js';

/** A CRD file's text and the name it is shown by in messages (as `kubectl get crd NAME -o yaml` writes it). */
export interface CrdFile {
  readonly file: string;
  readonly text: string;
}

/** A CRD file that cannot be used: not YAML, not a CustomResourceDefinition, or a kind defined twice. */
export interface CrdFileError {
  readonly file: string;
  readonly message: string;
}

/** One version of a custom resource kind, as its CRD declares it. */
interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly schema: Readonly<Record<string, unknown>> | undefined;
}

/** A custom resource kind and the file whose CRD defines it. */
export interface CrdKind {
  readonly file: string;
  readonly group: string;
  readonly kind: string;
  readonly versions: ReadonlyArray<CrdVersion>;
}

/** The kinds a set of CRD files defines, keyed by `group/kind`, with validators compiled on first use. */
export interface CrdCatalog {
  readonly kinds: ReadonlyMap<string, CrdKind>;
  /** The compiled schema of one version; compiling the large operator CRDs takes a while, so it is done once. */
  readonly validatorOf: (kind: CrdKind, version: string) => E.Either<string, ValidateFunction>;
}

/** One way an object breaks its CRD's schema: where in the object, and what the CRD expected there. */
export interface CrdViolation {
  readonly path: ReadonlyArray<PathSegment>;
  readonly message: string;
}

/** The outcome of checking one object. */
export type CrdCheck =
  /** The object's kind is defined by `file` and it matches the schema of `version`. */
  | { readonly _tag: 'Valid'; readonly file: string; readonly version: string }
  /** A built-in kind (core group or a group without a dot, such as `batch`): no CRD describes it. */
  | { readonly _tag: 'BuiltIn'; readonly apiVersion: string; readonly kind: string }
  /** The object breaks the schema, or its kind or version is missing from the CRDs (the API server would refuse it). */
  | {
      readonly _tag: 'Invalid';
      readonly file: string | undefined;
      readonly version: string | undefined;
      readonly violations: ReadonlyArray<CrdViolation>;
    };

type Schema = Record<string, unknown>;

const CRD_API_VERSION = 'apiextensions.k8s.io/v1';

/** Reads the CustomResourceDefinitions in one file: one or more YAML documents, each a CRD or a `List` of CRDs. */
const crdsOfFile = (source: CrdFile): E.Either<CrdFileError, ReadonlyArray<CrdKind>> => {
  const fail = (message: string): E.Either<CrdFileError, never> => E.left({ file: source.file, message });
  const docs = parseAllDocuments(source.text, { prettyErrors: false });
  if (!Array.isArray(docs)) return fail('holds no YAML document');
  const values: unknown[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err !== undefined) return fail(`not valid YAML: ${err.message.split('\n')[0] ?? err.code}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    if (isPlainObject(value) && value['kind'] === 'List' && Array.isArray(value['items'])) {
      values.push(...(value['items'] as unknown[]));
    } else values.push(value);
  }
  if (values.length === 0) return fail('holds no CustomResourceDefinition');
  const out: CrdKind[] = [];
  for (const [i, value] of values.entries()) {
    const kind = crdKindOf(value);
    if (E.isLeft(kind)) return fail(values.length === 1 ? kind.left : `document ${i + 1}: ${kind.left}`);
    out.push({ file: source.file, ...kind.right });
  }
  return E.right(out);
};

const str = (u: unknown): string | undefined => (typeof u === 'string' && u !== '' ? u : undefined);

/** The group, kind and versions of one CRD object, or why it is not a usable CRD. */
const crdKindOf = (u: unknown): E.Either<string, Omit<CrdKind, 'file'>> => {
  if (!isPlainObject(u)) return E.left(`expected a CustomResourceDefinition, got ${showValue(u)}`);
  if (u['kind'] !== 'CustomResourceDefinition' || u['apiVersion'] !== CRD_API_VERSION) {
    return E.left(
      `expected a CustomResourceDefinition (${CRD_API_VERSION}), got ${showValue(u['apiVersion'])} ${showValue(u['kind'])}`,
    );
  }
  const spec = isPlainObject(u['spec']) ? u['spec'] : {};
  const names = isPlainObject(spec['names']) ? spec['names'] : {};
  const group = str(spec['group']);
  const kind = str(names['kind']);
  if (group === undefined || kind === undefined)
    return E.left('the CRD has no spec.group or spec.names.kind');
  const rawVersions = Array.isArray(spec['versions']) ? (spec['versions'] as unknown[]) : [];
  const versions: CrdVersion[] = [];
  for (const v of rawVersions) {
    const name = isPlainObject(v) ? str(v['name']) : undefined;
    if (!isPlainObject(v) || name === undefined) return E.left(`${kind}: a spec.versions entry has no name`);
    const schema = isPlainObject(v['schema']) ? v['schema']['openAPIV3Schema'] : undefined;
    versions.push({ name, served: v['served'] === true, schema: isPlainObject(schema) ? schema : undefined });
  }
  if (versions.length === 0) return E.left(`${kind}: the CRD declares no spec.versions`);
  return E.right({ group, kind, versions });
};

/**
 * Turns a structural openAPIV3Schema into JSON Schema for ajv. Unknown fields are errors here, where the API server
 * would prune them silently: a field the CRD does not know is lost on create, which for a plugin is a bug.
 */
const toJsonSchema = (s: unknown): unknown => {
  if (!isPlainObject(s)) return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'format' || k === 'nullable') continue; // the API server checks few formats
    if (k === 'properties' && isPlainObject(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, toJsonSchema(ps)]));
    } else if (k === 'items' || k === 'additionalProperties' || k === 'not') out[k] = toJsonSchema(v);
    else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v))
      out[k] = v.map(toJsonSchema);
    else out[k] = v;
  }
  // One type error ("expected integer or string") rather than three from an anyOf.
  if (s['x-kubernetes-int-or-string'] === true) out['type'] = ['integer', 'string'];
  // An embedded object (a pod template's owner, say) is a whole Kubernetes object: these fields are always allowed.
  if (s['x-kubernetes-embedded-resource'] === true && isPlainObject(out['properties'])) withObjectFields(out);
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (isPlainObject(out['properties']) && out['additionalProperties'] === undefined && !preserve) {
    out['additionalProperties'] = false;
  }
  if (s['nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  return out;
};

/**
 * metadata is checked by the API server itself, not by the CRD; apiVersion and kind are always allowed (some CRDs,
 * dask-kubernetes' among them, do not declare them).
 */
const withObjectFields = (schema: Schema): void => {
  const props = schema['properties'];
  if (!isPlainObject(props)) return;
  props['metadata'] = { type: 'object' };
  props['apiVersion'] = { type: 'string' };
  props['kind'] = { type: 'string' };
};

const keyOf = (group: string, kind: string): string => `${group}/${kind}`;

/** Reads CRD files into a catalog; every unusable file and every kind defined twice is an error. */
export const crdCatalog = (
  files: ReadonlyArray<CrdFile>,
): E.Either<ReadonlyArray<CrdFileError>, CrdCatalog> => {
  const errors: CrdFileError[] = [];
  const kinds = new Map<string, CrdKind>();
  for (const f of files) {
    const r = crdsOfFile(f);
    if (E.isLeft(r)) {
      errors.push(r.left);
      continue;
    }
    for (const k of r.right) {
      const key = keyOf(k.group, k.kind);
      const before = kinds.get(key);
      if (before !== undefined) {
        errors.push({ file: f.file, message: `${k.kind}.${k.group} is also defined in ${before.file}` });
      } else kinds.set(key, k);
    }
  }
  if (errors.length > 0) return E.left(errors);
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  const compiled = new Map<string, E.Either<string, ValidateFunction>>();
  const validatorOf = (kind: CrdKind, version: string): E.Either<string, ValidateFunction> => {
    const key = `${keyOf(kind.group, kind.kind)}@${version}`;
    const hit = compiled.get(key);
    if (hit !== undefined) return hit;
    const v = kind.versions.find((x) => x.name === version);
    const json = v?.schema === undefined ? undefined : toJsonSchema(v.schema);
    let r: E.Either<string, ValidateFunction>;
    if (!isPlainObject(json)) r = E.left(`version ${version} of ${kind.kind} has no openAPIV3Schema`);
    else {
      withObjectFields(json);
      try {
        r = E.right(ajv.compile(json));
      } catch (e) {
        r = E.left(`the schema of ${kind.kind} ${version} does not compile: ${(e as Error).message}`);
      }
    }
    compiled.set(key, r);
    return r;
  };
  return E.right({ kinds, validatorOf });
};

/** `group/version` split as the API server does: no slash is the core group. */
const splitApiVersion = (apiVersion: string): { group: string; version: string } => {
  const i = apiVersion.lastIndexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
};

/** The API groups Kubernetes itself serves whose names have a dot; the others (`batch`, `apps`, core) have none. */
const BUILT_IN_GROUPS: ReadonlySet<string> = new Set(
  [
    'admissionregistration',
    'apiextensions',
    'apiregistration',
    'certificates',
    'coordination',
    'discovery',
    'events',
    'networking',
    'node',
    'rbac.authorization',
    'resource',
    'scheduling',
    'storage',
    'storagemigration',
    'internal.apiserver',
    'flowcontrol.apiserver',
  ].map((g) => `${g}.k8s.io`),
);

/** A kind no CRD describes because Kubernetes serves it itself (a Pod, a batch/v1 Job). */
const isBuiltInGroup = (group: string): boolean => !group.includes('.') || BUILT_IN_GROUPS.has(group);

const pointerToPath = (pointer: string): PathSegment[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));

/** What the CRD expected where the object broke it, in words; ajv's own message where no better one is known. */
const violationOf = (e: ErrorObject): CrdViolation => {
  const path = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const got = `got ${showValue(e.data)}`;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const known =
        isPlainObject(e.parentSchema) && isPlainObject(e.parentSchema['properties'])
          ? Object.keys(e.parentSchema['properties'])
          : [];
      const hint = closest(name, known);
      return {
        path: [...path, name],
        message: `unknown field, the CRD does not declare it${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`,
      };
    }
    case 'required':
      return { path: [...path, String(params['missingProperty'])], message: 'missing, the CRD requires it' };
    case 'type': {
      const t = params['type'];
      return { path, message: `expected ${Array.isArray(t) ? t.join(' or ') : String(t)}, ${got}` };
    }
    case 'enum': {
      const allowed = Array.isArray(params['allowedValues']) ? (params['allowedValues'] as unknown[]) : [];
      return { path, message: `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, ${got}` };
    }
    default:
      return { path, message: `${e.message ?? `breaks the CRD's ${e.keyword} rule`}, ${got}` };
  }
};

const invalid = (violations: ReadonlyArray<CrdViolation>, file?: string, version?: string): CrdCheck => ({
  _tag: 'Invalid',
  file,
  version,
  violations,
});

/**
 * Checks one Kubernetes object against the catalog: the CRD is chosen by the group of its apiVersion and its kind,
 * the schema by the version. Unknown fields are violations (the API server would drop them without a word).
 */
export const checkObject =
  (catalog: CrdCatalog) =>
  (object: unknown): CrdCheck => {
    if (!isPlainObject(object))
      return invalid([{ path: [], message: `expected an object, got ${showValue(object)}` }]);
    const apiVersion = str(object['apiVersion']);
    const kind = str(object['kind']);
    if (apiVersion === undefined || kind === undefined) {
      return invalid([
        {
          path: [apiVersion === undefined ? 'apiVersion' : 'kind'],
          message: 'missing, every object has one',
        },
      ]);
    }
    const { group, version } = splitApiVersion(apiVersion);
    const crd = catalog.kinds.get(keyOf(group, kind));
    if (crd === undefined) {
      if (isBuiltInGroup(group)) return { _tag: 'BuiltIn', apiVersion, kind };
      const known = [...catalog.kinds.values()].map((k) => `${k.kind}.${k.group} (${k.file})`);
      return invalid([
        {
          path: ['kind'],
          message: `no CRD defines ${kind} in group ${group}; the CRDs define ${known.join(', ') || 'nothing'}`,
        },
      ]);
    }
    const v = crd.versions.find((x) => x.name === version);
    if (v === undefined || !v.served) {
      const served = crd.versions.filter((x) => x.served).map((x) => x.name);
      return invalid(
        [
          {
            path: ['apiVersion'],
            message: `version ${version} of ${kind} is ${v === undefined ? 'not in' : 'not served by'} the CRD; it serves ${served.join(', ') || 'none'}`,
          },
        ],
        crd.file,
        version,
      );
    }
    return pipe(
      catalog.validatorOf(crd, version),
      E.match(
        (message) => invalid([{ path: [], message }], crd.file, version),
        (validate) =>
          validate(object)
            ? { _tag: 'Valid', file: crd.file, version }
            : invalid((validate.errors ?? []).map(violationOf), crd.file, version),
      ),
    );
  };

/** `spec.driver.coresx: unknown field ... [CRD sparkoperator.k8s.io_sparkapplications.yaml, version v1beta2]`. */
export const renderViolation =
  (check: Extract<CrdCheck, { _tag: 'Invalid' }>) =>
  (v: CrdViolation): string => {
    const at = renderPath(v.path);
    const crd =
      check.file === undefined
        ? ''
        : ` [CRD ${check.file}${check.version === undefined ? '' : `, version ${check.version}`}]`;
    return `${at === '' ? '(object)' : at}: ${v.message}${crd}`;
  };
