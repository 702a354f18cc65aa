// Selections of lists and watches in the in-memory cluster: namespace, label and field selectors checked against the kind.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../domain/kubernetes.js';
import { ownValue } from '../../domain/own-keys.js';
import { badRequest, type ApiError } from '../../domain/api-error.js';
import type { Selection } from '../../ports/cluster.js';
import { metaOf } from './draft.js';
import type { KindInfo } from './kinds.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { Watcher } from './watch.js';

/** What a list or watch selects, parsed: a watcher without its sink and start version. */
export type ParsedSelection = Omit<Watcher, 'sink' | 'bookmarks' | 'after'>;

const fieldValue =
  (k: KindInfo) =>
  (o: KubeObject, field: string): string => {
    if (field === 'metadata.name') return metaOf(o).name ?? '';
    if (field === 'metadata.namespace') return metaOf(o).namespace ?? '';
    return ownValue(k.fields, field)?.(o) ?? '';
  };

/** Parses a selection for a kind; selectors the kind does not support are a BadRequest, worded as the API server does. */
export const parseSelection = (
  k: KindInfo,
  sel: Selection | undefined,
): E.Either<ApiError, ParsedSelection> => {
  const labels = parseLabelSelector(sel?.labelSelector ?? '');
  if (E.isLeft(labels)) return E.left(badRequest(labels.left));
  const supported = (f: string): boolean =>
    f === 'metadata.name' || f === 'metadata.namespace' || Object.hasOwn(k.fields, f);
  const fields = parseFieldSelector(
    sel?.fieldSelector ?? '',
    supported,
    // Kinds with field-label conversions of their own (pods, events, ...) word it one way, the rest another.
    Object.keys(k.fields).length > 0
      ? undefined
      : (f) => `"${f}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
  );
  if (E.isLeft(fields)) return E.left(badRequest(fields.left));
  const namespace =
    k.namespaced && sel?.namespace !== undefined && sel.namespace !== '' ? sel.namespace : undefined;
  return E.right({ namespace, labels: labels.right, fields: fields.right, fieldValue: fieldValue(k) });
};
