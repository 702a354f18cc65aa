// Renders the configuration reference (markdown) from the codecs, so the documentation cannot drift from the code.
import type * as t from 'io-ts';
import { DefaultType, DescribedType, OneOfType, StrictStructType } from '../domain/codec.js';
import { toJsonSchema } from '../domain/json-schema.js';
import * as Kube from '../domain/kubernetes-codecs.js';

/** Names of embedded Kubernetes types, which are not expanded into tables of their own. */
const kubeTypeNames = new Set(Object.values(Kube).map((c) => (c as { name?: unknown }).name));

interface Row {
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

const typeName = (codec: t.Mixed): string => {
  if (codec instanceof DefaultType || codec instanceof DescribedType) return typeName(codec.type as t.Mixed);
  if (codec instanceof OneOfType) {
    return (codec.values as ReadonlyArray<string>).map((v) => (v === '' ? '""' : v)).join(' \\| ');
  }
  if (codec instanceof StrictStructType) return codec.name;
  const schema = toJsonSchema(codec);
  switch (codec.name) {
    case 'QuantityString':
      return 'quantity';
    case 'Duration':
      return 'duration';
    case 'StringMap':
      return 'map of string';
    default:
      break;
  }
  const type = schema['type'];
  if (type === 'array') return `list of ${codec.name.replace(/^(Readonly)?Array<(.*)>$/, '$2')}`;
  if (typeof type === 'string') return type;
  return codec.name;
};

const descriptionOf = (codec: t.Mixed): string => {
  if (codec instanceof DefaultType) return codec.description ?? descriptionOf(codec.type as t.Mixed);
  if (codec instanceof DescribedType) return codec.description;
  if (codec instanceof StrictStructType) return codec.description ?? '';
  return '';
};

const innerStruct = (codec: t.Mixed): StrictStructType<t.Props, t.Props> | undefined => {
  if (codec instanceof DefaultType || codec instanceof DescribedType)
    return innerStruct(codec.type as t.Mixed);
  return codec instanceof StrictStructType ? (codec as StrictStructType<t.Props, t.Props>) : undefined;
};

const showDefault = (codec: t.Mixed, inherited: unknown): string => {
  const encoded: unknown =
    inherited ?? (codec instanceof DefaultType ? codec.encode(codec.value) : undefined);
  if (encoded === undefined) return '';
  const s = JSON.stringify(encoded);
  if (s === '{}' || s === '[]' || s === '""') return `\`${s}\``;
  return s.length > 60 ? '(see `kubetasks config defaults`)' : `\`${s}\``;
};

/** Rows of one section, recursing into nested sections, which get their own tables. */
const sections = (
  prefix: string,
  struct: StrictStructType<t.Props, t.Props>,
  defaults: Readonly<Record<string, unknown>> | undefined,
): ReadonlyArray<{
  readonly title: string;
  readonly description: string;
  readonly rows: ReadonlyArray<Row>;
}> => {
  const own: Row[] = [];
  const nested: Array<{ title: string; description: string; rows: ReadonlyArray<Row> }> = [];
  const entries = [...Object.entries(struct.required), ...Object.entries(struct.optional)];
  for (const [key, codec] of entries) {
    const inner = innerStruct(codec);
    const path = prefix === '' ? key : `${prefix}.${key}`;
    // Our own sections get a table each; embedded Kubernetes objects are named by their type.
    const inherited = defaults?.[key];
    if (inner !== undefined && !kubeTypeNames.has(inner.name)) {
      const own =
        codec instanceof DefaultType ? (codec.encode(codec.value) as Record<string, unknown>) : undefined;
      nested.push(...sections(path, inner, (inherited as Record<string, unknown> | undefined) ?? own));
      continue;
    }
    own.push({
      key,
      type: typeName(codec),
      default: showDefault(codec, inherited),
      description: descriptionOf(codec),
    });
  }
  return [
    ...(own.length === 0 ? [] : [{ title: prefix, description: struct.description ?? '', rows: own }]),
    ...nested,
  ];
};

/** The configuration reference as markdown. */
export const renderConfigReference = (codec: t.Mixed): string => {
  const root = innerStruct(codec);
  if (root === undefined) return '';
  const out: string[] = [];
  for (const s of sections('', root, undefined)) {
    out.push(`### \`${s.title}\``, '');
    if (s.description !== '') out.push(s.description, '');
    out.push('| key | type | default | meaning |', '| --- | --- | --- | --- |');
    for (const r of s.rows) {
      out.push(`| \`${r.key}\` | ${r.type} | ${r.default} | ${r.description.replace(/\|/g, '\\|')} |`);
    }
    out.push('');
  }
  return out.join('\n');
};
