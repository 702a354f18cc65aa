// Offline validation of custom resources against the operators' real CRDs (../shared/crds), like the API server.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the operators' CRDs live: ../shared/crds beside the repository (never copied into it). */
export const CRD_DIR = path.resolve(repoRoot, '..', 'shared', 'crds');

type Schema = Record<string, unknown>;

const isObj = (u: unknown): u is Schema => typeof u === 'object' && u !== null && !Array.isArray(u);

/**
 * Turns a structural openAPIV3Schema into JSON Schema for ajv. Unknown fields are errors here, where the API server
 * would prune them silently: a field the operator's CRD does not know is lost on create, which is a plugin bug.
 */
const toJsonSchema = (s: unknown): unknown => {
  if (!isObj(s)) return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-')) continue;
    if (k === 'properties' && isObj(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, toJsonSchema(ps)]));
    } else if (k === 'items' || k === 'additionalProperties' || k === 'not') out[k] = toJsonSchema(v);
    else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v))
      out[k] = v.map(toJsonSchema);
    else if (k === 'format')
      continue; // int32, int64, date-time...: the API server only checks a few.
    else if (k === 'nullable') continue;
    else out[k] = v;
  }
  if (s['x-kubernetes-int-or-string'] === true) {
    delete out['type'];
    out['anyOf'] = [{ type: 'integer' }, { type: 'string' }];
  }
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (isObj(out['properties']) && out['additionalProperties'] === undefined && !preserve) {
    out['additionalProperties'] = false;
  }
  if (s['nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  return out;
};

/** A validator for one kind: returns the API server-like error messages (empty when the object is accepted). */
export type CrdValidator = (object: unknown) => ReadonlyArray<string>;

const cache = new Map<string, CrdValidator>();

/** Loads `file` from the CRD folder and builds a validator for `version` (e.g. `v1beta2`). */
export const crdValidator = (file: string, version: string): CrdValidator => {
  const key = `${file}@${version}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const crd = parse(fs.readFileSync(path.join(CRD_DIR, file), 'utf8')) as {
    spec: { versions: Array<{ name: string; schema?: { openAPIV3Schema?: Schema } }> };
  };
  const v = crd.spec.versions.find((x) => x.name === version);
  const schema = v?.schema?.openAPIV3Schema;
  if (schema === undefined) throw new Error(`${file} has no schema for version ${version}`);
  const json = toJsonSchema(schema) as Schema;
  // metadata is validated by the API server itself, not by the CRD; apiVersion and kind are always allowed (some
  // CRDs, dask-kubernetes' among them, do not declare them).
  const props = json['properties'];
  if (isObj(props)) {
    props['metadata'] = { type: 'object' };
    props['apiVersion'] = { type: 'string' };
    props['kind'] = { type: 'string' };
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate: ValidateFunction = ajv.compile(json);
  const validator: CrdValidator = (object) =>
    validate(object)
      ? []
      : (validate.errors ?? []).map(
          (e: ErrorObject) =>
            `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${
              e.keyword === 'additionalProperties' ? `: ${JSON.stringify(e.params)}` : ''
            }`,
        );
  cache.set(key, validator);
  return validator;
};
