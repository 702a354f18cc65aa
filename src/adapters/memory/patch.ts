// Patch application: RFC 7386 JSON merge patch, RFC 6902 JSON Patch and Kubernetes strategic merge patch.
import * as E from 'fp-ts/lib/Either.js';
import { ownValue, setOwn } from '../../domain/own-keys.js';
import { cloneJson, isObject, jsonEqual, type JsonObject } from './json.js';

/** Why a patch could not be applied: a malformed patch (400) or one that does not fit the object (422). */
export interface PatchFailure {
  readonly kind: 'malformed' | 'unprocessable';
  readonly message: string;
}

const malformed = (message: string): PatchFailure => ({ kind: 'malformed', message });
const unprocessable = (message: string): PatchFailure => ({ kind: 'unprocessable', message });

// -------------------------------------------------------------------------------------
// JSON merge patch (RFC 7386)
// -------------------------------------------------------------------------------------

/** RFC 7386: objects merge key by key, `null` deletes, everything else (lists too) replaces. */
export const mergePatch = (target: unknown, patch: unknown): unknown => {
  if (!isObject(patch)) return cloneJson(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) Reflect.deleteProperty(out, k);
    else setOwn(out, k, mergePatch(ownValue(out, k), v));
  }
  return out;
};

// -------------------------------------------------------------------------------------
// JSON Patch (RFC 6902)
// -------------------------------------------------------------------------------------

const parsePointer = (pointer: string): E.Either<PatchFailure, ReadonlyArray<string>> => {
  if (pointer === '') return E.right([]);
  if (!pointer.startsWith('/')) return E.left(malformed(`invalid JSON pointer: "${pointer}"`));
  return E.right(
    pointer
      .slice(1)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')),
  );
};

type Container = JsonObject | unknown[];

// One level of a container, copied so that it may be changed (the document's own parts are never changed).
const shallowCopy = (u: unknown): unknown =>
  Array.isArray(u) ? [...(u as unknown[])] : isObject(u) ? { ...u } : u;

// Walks to the parent of the last segment of a document whose root the caller has copied, copying the containers
// on the way: the document is copied only along the paths the operations change, the rest stays shared.
const parentOf = (doc: unknown, path: ReadonlyArray<string>): E.Either<PatchFailure, Container> => {
  let cur: unknown = doc;
  for (const seg of path.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = Number(seg);
      if (!/^\d+$/.test(seg) || i >= cur.length)
        return E.left(unprocessable(`missing path segment "${seg}"`));
      const child = shallowCopy(cur[i]);
      cur[i] = child;
      cur = child;
    } else if (isObject(cur)) {
      if (!Object.hasOwn(cur, seg)) return E.left(unprocessable(`doc is missing path: "/${path.join('/')}"`));
      const child = shallowCopy(cur[seg]);
      setOwn(cur, seg, child);
      cur = child;
    } else return E.left(unprocessable(`doc is missing path: "/${path.join('/')}"`));
  }
  return Array.isArray(cur) || isObject(cur)
    ? E.right(cur)
    : E.left(unprocessable(`doc is missing path: "/${path.join('/')}"`));
};

const getAt = (doc: unknown, path: ReadonlyArray<string>): E.Either<PatchFailure, unknown> => {
  let cur: unknown = doc;
  for (const seg of path) {
    if (Array.isArray(cur) && /^\d+$/.test(seg) && Number(seg) < cur.length) cur = cur[Number(seg)];
    else if (isObject(cur) && Object.hasOwn(cur, seg)) cur = cur[seg];
    else return E.left(unprocessable(`doc is missing path: "/${path.join('/')}"`));
  }
  return E.right(cur);
};

const removeAt = (doc: unknown, path: ReadonlyArray<string>): E.Either<PatchFailure, unknown> => {
  if (path.length === 0) return E.left(unprocessable('cannot remove the whole document'));
  const parent = parentOf(doc, path);
  if (E.isLeft(parent)) return parent;
  const last = path[path.length - 1] ?? '';
  const p = parent.right;
  if (Array.isArray(p)) {
    const i = Number(last);
    if (!/^\d+$/.test(last) || i >= p.length) {
      return E.left(unprocessable(`unable to remove nonexistent key: ${last}: missing value`));
    }
    return E.right(p.splice(i, 1)[0]);
  }
  if (!Object.hasOwn(p, last))
    return E.left(unprocessable(`unable to remove nonexistent key: ${last}: missing value`));
  const v = p[last];
  Reflect.deleteProperty(p, last);
  return E.right(v);
};

const addAt = (
  doc: unknown,
  path: ReadonlyArray<string>,
  value: unknown,
): E.Either<PatchFailure, unknown> => {
  if (path.length === 0) return E.right(cloneJson(value));
  const parent = parentOf(doc, path);
  if (E.isLeft(parent)) return parent;
  const last = path[path.length - 1] ?? '';
  const p = parent.right;
  if (Array.isArray(p)) {
    const i = last === '-' ? p.length : Number(last);
    if (!(last === '-' || /^\d+$/.test(last)) || i > p.length) {
      return E.left(unprocessable(`index out of bounds: ${last}`));
    }
    p.splice(i, 0, cloneJson(value));
  } else setOwn(p, last, cloneJson(value));
  return E.right(doc);
};

/** Applies RFC 6902 operations in order; any failure leaves the object unchanged. */
export const jsonPatch = (target: unknown, ops: unknown): E.Either<PatchFailure, unknown> => {
  if (!Array.isArray(ops))
    return E.left(malformed('json: cannot unmarshal object into Go value of type jsonpatch.Patch'));
  // Copy-on-write for a frozen (stored) target: unchanged parts stay shared with it. Anything else is copied whole,
  // so the result never shares parts a caller may still change.
  let doc = Object.isFrozen(target) ? shallowCopy(target) : cloneJson(target);
  for (const op of ops) {
    if (!isObject(op) || typeof op['op'] !== 'string' || typeof op['path'] !== 'string') {
      return E.left(malformed('invalid JSON Patch operation'));
    }
    const path = parsePointer(op['path']);
    if (E.isLeft(path)) return path;
    const from =
      typeof op['from'] === 'string' ? parsePointer(op['from']) : E.right<PatchFailure, string[]>([]);
    if (E.isLeft(from)) return from;
    let r: E.Either<PatchFailure, unknown>;
    switch (op['op']) {
      case 'add':
        if (!('value' in op)) return E.left(malformed('missing value'));
        r = addAt(doc, path.right, op['value']);
        break;
      case 'remove':
        r = E.map(() => doc)(removeAt(doc, path.right));
        break;
      case 'replace': {
        if (!('value' in op)) return E.left(malformed('missing value'));
        const existing = path.right.length === 0 ? E.right(doc) : getAt(doc, path.right);
        if (E.isLeft(existing)) {
          return E.left(unprocessable(`replace operation does not apply: doc is missing key: ${op['path']}`));
        }
        if (path.right.length > 0) {
          const removed = removeAt(doc, path.right);
          if (E.isLeft(removed)) return removed;
        }
        r = addAt(doc, path.right, op['value']);
        break;
      }
      case 'move': {
        const v = getAt(doc, from.right);
        if (E.isLeft(v)) return v;
        const removed = removeAt(doc, from.right);
        if (E.isLeft(removed)) return removed;
        r = addAt(doc, path.right, v.right);
        break;
      }
      case 'copy': {
        const v = getAt(doc, from.right);
        if (E.isLeft(v)) return v;
        r = addAt(doc, path.right, v.right);
        break;
      }
      case 'test': {
        const v = getAt(doc, path.right);
        if (E.isLeft(v) || !jsonEqual(v.right, op['value'])) {
          return E.left(unprocessable(`testing value ${op['path']} failed: test failed`));
        }
        r = E.right(doc);
        break;
      }
      default:
        return E.left(malformed(`Unexpected kind: ${op['op']}`));
    }
    if (E.isLeft(r)) return r;
    doc = r.right;
  }
  return E.right(doc);
};

// -------------------------------------------------------------------------------------
// strategic merge patch
// -------------------------------------------------------------------------------------

/**
 * The patch metadata of a type, as the Go struct tags give it: for each field either a nested type or a list
 * strategy. Fields not described merge as in JSON merge patch (maps recursively, lists replaced whole).
 */
export interface SmpSchema {
  readonly fields?: Readonly<Record<string, SmpField>>;
}

export type SmpField =
  | { readonly type: SmpSchema }
  /** A list of objects merged by `mergeKey`; `items` describes the objects. */
  | { readonly mergeKey: string; readonly items?: SmpSchema }
  /** A list of scalars merged as a set (`finalizers`). */
  | { readonly primitiveSet: true };

const DIRECTIVE = '$patch';
const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const RETAIN_KEYS = '$retainKeys';

const fieldOf = (schema: SmpSchema | undefined, key: string): SmpField | undefined =>
  schema?.fields === undefined ? undefined : ownValue(schema.fields, key);

const typeOf = (f: SmpField | undefined): SmpSchema | undefined =>
  f !== undefined && 'type' in f ? f.type : undefined;

/**
 * Applies a strategic merge patch. Supported: recursive map merge, `null` deletes, lists merged by their merge
 * key (`$patch: delete` on an item removes it, `$patch: replace` as an item replaces the list), primitive sets
 * (`$deleteFromPrimitiveList/<field>`), `$patch: replace` / `$patch: delete` on a map. `$setElementOrder` and
 * `$retainKeys` are accepted and ignored (order and retention follow the plain merge).
 */
export const strategicMergePatch = (
  target: unknown,
  patch: unknown,
  schema: SmpSchema | undefined,
): E.Either<PatchFailure, unknown> => {
  if (!isObject(patch)) return E.left(malformed('strategic merge patch must be a JSON object'));
  return mergeMap(isObject(target) ? target : {}, patch, schema);
};

const mergeMap = (
  original: JsonObject,
  patch: JsonObject,
  schema: SmpSchema | undefined,
): E.Either<PatchFailure, JsonObject> => {
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') {
    const rest: JsonObject = {};
    for (const [k, v] of Object.entries(patch))
      if (k !== DIRECTIVE && v !== null) setOwn(rest, k, cloneJson(v));
    return E.right(rest);
  }
  if (directive !== undefined && directive !== 'merge') {
    return E.left(malformed(`Unknown patch type: ${JSON.stringify(directive)}`));
  }
  const out: JsonObject = { ...original };
  // for-in rather than entries, and directives recognised by their `$` first: status patches run on every write.
  for (const k in patch) {
    const v = patch[k];
    if (k.charCodeAt(0) === 36) {
      if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(SET_ELEMENT_ORDER)) continue;
      if (k.startsWith(DELETE_FROM_PRIMITIVE)) {
        const field = k.slice(DELETE_FROM_PRIMITIVE.length);
        if (!Array.isArray(v)) return E.left(malformed(`invalid patch: ${k} must be a list`));
        const current = ownValue(out, field);
        if (Array.isArray(current))
          setOwn(
            out,
            field,
            current.filter((x) => !v.some((d) => jsonEqual(d, x))),
          );
        continue;
      }
    }
    if (v === null) {
      Reflect.deleteProperty(out, k);
      continue;
    }
    const f = fieldOf(schema, k);
    if (isObject(v)) {
      if (v[DIRECTIVE] === 'delete') {
        Reflect.deleteProperty(out, k);
        continue;
      }
      const current = ownValue(out, k);
      const merged = mergeMap(isObject(current) ? current : {}, v, typeOf(f));
      if (E.isLeft(merged)) return merged;
      setOwn(out, k, merged.right);
    } else if (Array.isArray(v)) {
      const merged = mergeList(ownValue(out, k), v, f, k);
      if (E.isLeft(merged)) return merged;
      setOwn(out, k, merged.right);
    } else setOwn(out, k, v);
  }
  return E.right(out);
};

const mergeList = (
  original: unknown,
  patch: ReadonlyArray<unknown>,
  field: SmpField | undefined,
  name: string,
): E.Either<PatchFailure, unknown[]> => {
  const replaceDirective = patch.some((p) => isObject(p) && p[DIRECTIVE] === 'replace');
  if (field === undefined || 'type' in field || replaceDirective) {
    return E.right(
      patch.filter((p) => !(isObject(p) && p[DIRECTIVE] === 'replace')).map((p) => cloneJson(p)),
    );
  }
  const base = (Array.isArray(original) ? original : []) as unknown[];
  if ('primitiveSet' in field) {
    const merged: unknown[] = [];
    for (const x of [...base, ...patch]) {
      if (isObject(x) || Array.isArray(x)) return E.left(malformed(`invalid patch: ${name} holds scalars`));
      if (!merged.some((m) => jsonEqual(m, x))) merged.push(x);
    }
    return E.right(inPatchOrder(merged, patch, base, (x) => x));
  }
  const key = field.mergeKey;
  const out: unknown[] = [...base];
  const kept: unknown[] = [];
  for (const p of patch) {
    if (!isObject(p)) return E.left(malformed(`invalid patch: ${name} items must be objects`));
    if (!Object.hasOwn(p, key)) {
      return E.left(unprocessable(`map: ${JSON.stringify(p)} does not contain declared merge key: ${key}`));
    }
    const idx = out.findIndex((x) => isObject(x) && jsonEqual(x[key], p[key]));
    if (p[DIRECTIVE] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    kept.push(p);
    if (idx >= 0) {
      const merged = mergeMap(out[idx] as JsonObject, p, field.items);
      if (E.isLeft(merged)) return merged;
      out[idx] = merged.right;
    } else {
      const fresh = mergeMap({}, p, field.items);
      if (E.isLeft(fresh)) return fresh;
      out.push(fresh.right);
    }
  }
  return E.right(inPatchOrder(out, kept, base, (x) => (isObject(x) ? x[key] : undefined)));
};

/**
 * The order apimachinery gives a merged list (`normalizeElementOrder`): the items the patch names, in the
 * patch's order, with the items only the server had slotted in by their place in the server's list. An item new
 * to the server therefore goes before the server-only items that follow it: `[a]` patched with `[b]` is `[b, a]`.
 */
const inPatchOrder = (
  merged: ReadonlyArray<unknown>,
  patch: ReadonlyArray<unknown>,
  server: ReadonlyArray<unknown>,
  id: (x: unknown) => unknown,
): unknown[] => {
  const indexIn = (list: ReadonlyArray<unknown>, x: unknown): number =>
    list.findIndex((y) => jsonEqual(id(y), id(x)));
  const patchItems = merged
    .filter((x) => indexIn(patch, x) >= 0)
    .sort((a, b) => indexIn(patch, a) - indexIn(patch, b));
  const serverOnly = merged.filter((x) => indexIn(patch, x) < 0);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    const left = serverOnly[i];
    const right = patchItems[j];
    if (j >= patchItems.length) {
      out.push(left);
      i++;
    } else if (i >= serverOnly.length) {
      out.push(right);
      j++;
    } else {
      const li = indexIn(server, left);
      const ri = indexIn(server, right);
      if (li >= 0 && ri >= 0 && li < ri) {
        out.push(left);
        i++;
      } else {
        out.push(right);
        j++;
      }
    }
  }
  return out;
};
