// JSON Schema (draft-07) generated from the codecs, so editors can complete and check config and task files.
import type * as t from 'io-ts';
import { DefaultType, DescribedType, OneOfType, StrictStructType } from './codec.js';

/**
 * A JSON Schema (draft-07) document or sub-schema, as plain data ready to serialise; kept loose because
 * it is only written, never interpreted here.
 */
export type JsonSchema = Readonly<Record<string, unknown>>;

const QUANTITY_PATTERN = '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$';
const DURATION_PATTERN = '^(0|([0-9]*\\.?[0-9]+(ns|us|µs|ms|s|m|h))+)$';

/** Schemas of the named leaf codecs, which have no structure io-ts can see. */
const named: Readonly<Record<string, JsonSchema>> = {
  QuantityString: {
    anyOf: [{ type: 'string', pattern: QUANTITY_PATTERN }, { type: 'number' }],
    description: 'A Kubernetes quantity such as "500m", "2" or "1Gi".',
  },
  Duration: {
    type: 'string',
    pattern: DURATION_PATTERN,
    description: 'A duration such as "30s", "3m" or "1h30m".',
  },
  StringMap: { type: 'object', additionalProperties: { type: 'string' } },
  JsonObject: { type: 'object' },
  ResourceList: {
    type: 'object',
    additionalProperties: { anyOf: [{ type: 'string', pattern: QUANTITY_PATTERN }, { type: 'number' }] },
  },
  NonNegativeInt: { type: 'integer', minimum: 0 },
  Int64: { type: 'integer' },
  Int32: { type: 'integer', minimum: -2_147_483_648, maximum: 2_147_483_647 },
  Weight: { type: 'integer', minimum: 1, maximum: 100 },
  NonEmptyString: { type: 'string', minLength: 1 },
  Dns1123Label: {
    type: 'string',
    pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
    maxLength: 63,
    description: 'A DNS-1123 label: lower-case letters, digits and "-", at most 63 characters.',
  },
  PodSpec: { type: 'object', description: 'A Kubernetes PodSpec.' },
  UnknownRecord: { type: 'object' },
};

interface Tagged {
  readonly _tag?: string;
  readonly name: string;
}

/** Builds a JSON Schema for a codec built from io-ts and ./codec.js combinators. */
export const toJsonSchema = (codec: t.Mixed): JsonSchema => {
  const c = codec as unknown as Tagged;
  if (codec instanceof StrictStructType) {
    const props = { ...(codec.required as t.Props), ...(codec.optional as t.Props) };
    const required = Object.entries(codec.required as t.Props)
      .filter(([, v]) => !(v instanceof DefaultType))
      .map(([k]) => k);
    return {
      type: 'object',
      ...(codec.description === undefined ? {} : { description: codec.description }),
      properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, toJsonSchema(v)])),
      ...(required.length === 0 ? {} : { required }),
      additionalProperties: false,
    };
  }
  if (codec instanceof DefaultType) {
    return {
      ...toJsonSchema(codec.type as t.Mixed),
      ...(codec.description === undefined ? {} : { description: codec.description }),
      default: codec.encode(codec.value),
    };
  }
  if (codec instanceof DescribedType)
    return { ...toJsonSchema(codec.type as t.Mixed), description: codec.description };
  if (codec instanceof OneOfType) return { type: 'string', enum: codec.values };
  const leaf = named[c.name];
  if (leaf !== undefined) return leaf;
  const any = codec as unknown as Record<string, unknown>;
  switch (c._tag ?? '') {
    case 'StringType':
      return { type: 'string' };
    case 'NumberType':
      return { type: 'number' };
    case 'BooleanType':
      return { type: 'boolean' };
    case 'NullType':
      return { type: 'null' };
    case 'UnknownRecordType':
      return { type: 'object' };
    case 'UnknownArrayType':
      return { type: 'array' };
    case 'LiteralType':
      return { const: any['value'] };
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(any['keys'] as object) };
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { type: 'array', items: toJsonSchema(any['type'] as t.Mixed) };
    case 'DictionaryType':
      return { type: 'object', additionalProperties: toJsonSchema(any['codomain'] as t.Mixed) };
    case 'ReadonlyType':
    case 'ExactType':
      return toJsonSchema(any['type'] as t.Mixed);
    case 'RefinementType':
      return { ...toJsonSchema(any['type'] as t.Mixed), description: c.name };
    case 'UnionType':
      return { anyOf: (any['types'] as t.Mixed[]).map(toJsonSchema) };
    case 'IntersectionType':
      return { allOf: (any['types'] as t.Mixed[]).map(toJsonSchema) };
    case 'InterfaceType':
    case 'PartialType': {
      const props = any['props'] as t.Props;
      return {
        type: 'object',
        properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, toJsonSchema(v)])),
        ...(c._tag === 'InterfaceType' ? { required: Object.keys(props) } : {}),
      };
    }
    default:
      return {};
  }
};

/** A complete schema document with a title and $id. */
export const schemaDocument = (codec: t.Mixed, id: string, title: string): JsonSchema => ({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: id,
  title,
  ...toJsonSchema(codec),
});
