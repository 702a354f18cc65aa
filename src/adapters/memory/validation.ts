// Object metadata validation as the API server applies it: names, labels, annotations, finalizers, owners.
import type { ObjectMeta } from '../../domain/kubernetes.js';
import {
  dns1123LabelError,
  dns1123SubdomainError,
  labelValueError,
  qualifiedNameError,
} from '../../domain/names.js';
import type { FieldError } from '../../domain/api-error.js';
import type { KindInfo, NameRule } from './kinds.js';

const dns1035Pattern = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;

const dns1035LabelError = (s: string): string | undefined => {
  if (s.length > 63) return 'must be no more than 63 characters';
  return dns1035Pattern.test(s)
    ? undefined
    : "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123')";
};

/** Why `name` is not acceptable under the rule, or undefined. */
export const nameError = (rule: NameRule, name: string): string | undefined => {
  switch (rule) {
    case 'subdomain':
      return dns1123SubdomainError(name);
    case 'label':
      return dns1123LabelError(name);
    case 'dns1035':
      return dns1035LabelError(name);
  }
};

/** Finalizers Kubernetes itself owns; every other finalizer on a built-in kind must be domain-qualified. */
export const STANDARD_FINALIZERS: ReadonlySet<string> = new Set([
  'kubernetes',
  'orphan',
  'foregroundDeletion',
]);

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/**
 * Validates metadata on create and update (name first, as the API server reports it). On an update, `stored` is the
 * stored metadata: labels or annotations that are still its own (frozen) objects were valid when stored and are not
 * checked again.
 */
export const validateMetadata = (kind: KindInfo, meta: ObjectMeta, stored?: ObjectMeta): FieldError[] => {
  const errors: FieldError[] = [];
  const name = meta.name ?? '';
  if (name === '') {
    errors.push({
      type: 'FieldValueRequired',
      field: 'metadata.name',
      detail: 'name or generateName is required',
    });
  } else {
    const err = nameError(kind.nameRule, name);
    if (err !== undefined)
      errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: err });
  }
  const labels = meta.labels !== undefined && meta.labels === stored?.labels ? undefined : meta.labels;
  for (const [k, v] of Object.entries(labels ?? {})) {
    const keyErr = qualifiedNameError(k);
    if (keyErr !== undefined) {
      errors.push({ type: 'FieldValueInvalid', field: 'metadata.labels', value: k, detail: keyErr });
    }
    if (typeof v !== 'string') {
      errors.push({
        type: 'FieldValueTypeInvalid',
        field: `metadata.labels`,
        value: v,
        detail: 'must be a string',
      });
      continue;
    }
    const valueErr = labelValueError(v);
    if (valueErr !== undefined) {
      errors.push({ type: 'FieldValueInvalid', field: 'metadata.labels', value: v, detail: valueErr });
    }
  }
  let annotationBytes = 0;
  const annotations =
    meta.annotations !== undefined && meta.annotations === stored?.annotations ? undefined : meta.annotations;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    const keyErr = qualifiedNameError(k.toLowerCase());
    if (keyErr !== undefined) {
      errors.push({ type: 'FieldValueInvalid', field: 'metadata.annotations', value: k, detail: keyErr });
    }
    annotationBytes += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (annotationBytes > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errors.push({
      type: 'FieldValueTooLong',
      field: 'metadata.annotations',
      detail: `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`,
    });
  }
  (meta.finalizers ?? []).forEach((f, i) => {
    const field = `metadata.finalizers[${i}]`;
    const err = qualifiedNameError(f);
    if (err !== undefined) {
      errors.push({ type: 'FieldValueInvalid', field, value: f, detail: err });
    } else if (kind.builtIn && !f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errors.push({
        type: 'FieldValueInvalid',
        field,
        value: f,
        detail: 'name is neither a standard finalizer name nor is it fully qualified',
      });
    }
  });
  const finalizers = meta.finalizers ?? [];
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'metadata.finalizers',
      value: finalizers,
      detail: 'finalizer orphan and foregroundDeletion cannot be both set',
    });
  }
  let controllers = 0;
  (meta.ownerReferences ?? []).forEach((r, i) => {
    const field = `metadata.ownerReferences[${i}]`;
    if (!r.apiVersion)
      errors.push({
        type: 'FieldValueInvalid',
        field: `${field}.apiVersion`,
        value: r.apiVersion,
        detail: 'version must not be empty',
      });
    if (!r.kind)
      errors.push({
        type: 'FieldValueInvalid',
        field: `${field}.kind`,
        value: r.kind,
        detail: 'kind must not be empty',
      });
    if (!r.name)
      errors.push({
        type: 'FieldValueInvalid',
        field: `${field}.name`,
        value: r.name,
        detail: 'name must not be empty',
      });
    if (!r.uid)
      errors.push({
        type: 'FieldValueInvalid',
        field: `${field}.uid`,
        value: r.uid,
        detail: 'uid must not be empty',
      });
    if (r.controller === true) controllers++;
  });
  if (controllers > 1) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'metadata.ownerReferences',
      value: meta.ownerReferences,
      detail: 'Only one reference can have Controller set to true',
    });
  }
  return errors;
};

/** Update-only metadata rules: no new finalizers once deletion started. */
export const validateMetadataUpdate = (oldMeta: ObjectMeta, newMeta: ObjectMeta): FieldError[] => {
  if (oldMeta.deletionTimestamp === undefined) return [];
  const old = new Set(oldMeta.finalizers ?? []);
  const added = (newMeta.finalizers ?? []).filter((f) => !old.has(f));
  return added.length === 0
    ? []
    : [
        {
          type: 'FieldValueForbidden',
          field: 'metadata.finalizers',
          detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added
            .map((f) => JSON.stringify(f))
            .join(', ')}}`,
        },
      ];
};

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Config maps and secrets marked `immutable: true`: the mark stays and the data may not change (the API server's
 * ValidateConfigMapUpdate / ValidateSecretUpdate). `dataFields` are the kind's content fields.
 */
export const validateImmutableData = (
  old: Readonly<Record<string, unknown>>,
  next: Readonly<Record<string, unknown>>,
  dataFields: ReadonlyArray<string>,
): FieldError[] => {
  if (old['immutable'] !== true) return [];
  const detail = 'field is immutable when `immutable` is set';
  const errors: FieldError[] = [];
  if (next['immutable'] !== true) errors.push({ type: 'FieldValueForbidden', field: 'immutable', detail });
  for (const f of dataFields) {
    if (!sameJson(old[f], next[f])) errors.push({ type: 'FieldValueForbidden', field: f, detail });
  }
  return errors;
};
