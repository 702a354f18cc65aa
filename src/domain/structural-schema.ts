// Structural OpenAPI v3 schemas for CustomResourceDefinitions, derived from the codecs' JSON Schema.
import type * as t from 'io-ts';
import { toJsonSchema, type JsonSchema } from './json-schema.js';

/** Keywords a structural schema keeps as they are (value checks the API server runs at admission). */
const KEPT = ['description', 'enum', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'format'];

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';

const isSchema = (u: unknown): u is JsonSchema => typeof u === 'object' && u !== null && !Array.isArray(u);

const kept = (s: JsonSchema): JsonSchema =>
  Object.fromEntries(KEPT.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));

/** A node whose value the API server keeps as written: the codec is open there, or its shape is not one type. */
const open = (s: JsonSchema): JsonSchema => ({
  ...(typeof s['description'] === 'string' ? { description: s['description'] } : {}),
  [PRESERVE]: true,
});

const jsonTypeOf = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? 'string'
    : typeof v === 'boolean'
      ? 'boolean'
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? 'integer'
          : 'number'
        : undefined;

/**
 * Turns a generated JSON Schema into a structural one, as apiextensions.k8s.io/v1 requires: a type on every
 * node, no `additionalProperties: false` (the API server prunes unknown fields instead), no `$ref`, `const` or
 * defaults (the object is stored as written; the controller's decoder applies defaults). A node whose codec is
 * open (a PodSpec, a free-form object) or has several shapes (a quantity is a string or a number) keeps
 * unknown fields: the controller's decoder checks it and reports a failure with its path.
 */
export const structural = (s: JsonSchema): JsonSchema => {
  if (s['anyOf'] !== undefined || s['allOf'] !== undefined || s['oneOf'] !== undefined) {
    const branches = [
      ...((s['anyOf'] ?? s['allOf'] ?? s['oneOf']) as ReadonlyArray<unknown>).filter(isSchema),
    ];
    const types = new Set(branches.map((b) => b['type']));
    const only = [...types][0];
    // Branches of one scalar type collapse to that type; anything else is left open.
    return types.size === 1 && typeof only === 'string' && only !== 'object' && only !== 'array'
      ? { type: only, ...(typeof s['description'] === 'string' ? { description: s['description'] } : {}) }
      : open(s);
  }
  if (s['const'] !== undefined) {
    const type = jsonTypeOf(s['const']);
    return type === undefined ? open(s) : { type, enum: [s['const']], ...kept(s) };
  }
  switch (s['type']) {
    case 'object': {
      const props = s['properties'];
      const extra = s['additionalProperties'];
      if (isSchema(props)) {
        const required = s['required'];
        return {
          type: 'object',
          ...kept(s),
          properties: Object.fromEntries(
            Object.entries(props).map(([k, v]) => [k, isSchema(v) ? structural(v) : open({})]),
          ),
          ...(Array.isArray(required) && required.length > 0 ? { required } : {}),
        };
      }
      if (isSchema(extra)) return { type: 'object', ...kept(s), additionalProperties: structural(extra) };
      return { type: 'object', ...kept(s), [PRESERVE]: true };
    }
    case 'array':
      return { type: 'array', ...kept(s), items: isSchema(s['items']) ? structural(s['items']) : open({}) };
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return { type: s['type'], ...kept(s) };
    default:
      return open(s);
  }
};

/** The structural schema of a codec. */
export const toStructuralSchema = (codec: t.Mixed): JsonSchema => structural(toJsonSchema(codec));

/**
 * Violations of the structural-schema rules the API server enforces on a CRD's schema (an empty list when it
 * is structural): every node has a type unless it preserves unknown fields or is int-or-string, no `$ref`,
 * no `additionalProperties` beside `properties`, no `additionalProperties: false`.
 */
export const structuralViolations = (s: JsonSchema, path = ''): ReadonlyArray<string> => {
  const here = path === '' ? '(root)' : path;
  const own: string[] = [];
  if (s['$ref'] !== undefined) own.push(`${here}: $ref`);
  if (s['type'] === undefined && s[PRESERVE] !== true && s['x-kubernetes-int-or-string'] !== true)
    own.push(`${here}: no type`);
  if (s['additionalProperties'] === false) own.push(`${here}: additionalProperties: false`);
  if (s['additionalProperties'] !== undefined && s['properties'] !== undefined)
    own.push(`${here}: both properties and additionalProperties`);
  const props = isSchema(s['properties']) ? Object.entries(s['properties']) : [];
  const nested = [
    ...props.flatMap(([k, v]) => (isSchema(v) ? structuralViolations(v, `${path}.${k}`) : [])),
    ...(isSchema(s['items']) ? structuralViolations(s['items'], `${path}[]`) : []),
    ...(isSchema(s['additionalProperties'])
      ? structuralViolations(s['additionalProperties'], `${path}{}`)
      : []),
  ];
  return [...own, ...nested];
};
