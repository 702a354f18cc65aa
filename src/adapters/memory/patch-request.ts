// Patch requests in the in-memory cluster: size limit, media type, applying the patch, and the name checks on its result.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../domain/kubernetes.js';
import {
  badRequest,
  requestEntityTooLarge,
  statusError,
  unsupportedMediaType,
  type ApiError,
} from '../../domain/api-error.js';
import type { Patch } from '../../ports/cluster.js';
import { metaOf } from './draft.js';
import { exceedsJsonSize, isObject } from './json.js';
import type { KindInfo } from './kinds.js';
import { jsonPatch, mergePatch, strategicMergePatch, type PatchFailure } from './patch.js';

/** The API server's answer to a strategic merge patch of a kind that has no strategic-merge schema (custom resources). */
export const strategicUnsupported = (): ApiError =>
  unsupportedMediaType(
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
  );

const patchFailure = (f: PatchFailure): ApiError =>
  f.kind === 'malformed' ? badRequest(f.message) : statusError('Invalid', f.message);

/**
 * The object a patch makes of `current` (not yet validated or stored), or the error the API server answers: a
 * body over `maxRequest` JSON characters, a malformed or failing patch, or a result naming another object.
 */
export const applyPatch = (
  k: KindInfo,
  current: KubeObject,
  p: Patch,
  maxRequest: number,
): E.Either<ApiError, KubeObject> => {
  if (exceedsJsonSize(p.body, maxRequest)) return E.left(requestEntityTooLarge(`limit is ${maxRequest}`));
  let patched: unknown;
  switch (p.type) {
    case 'merge':
      if (!isObject(p.body)) return E.left(badRequest('json merge patch must be a JSON object'));
      patched = mergePatch(current, p.body);
      break;
    case 'strategic': {
      if (k.smp === undefined) return E.left(strategicUnsupported());
      const r = strategicMergePatch(current, p.body, k.smp);
      if (E.isLeft(r)) return E.left(patchFailure(r.left));
      patched = r.right;
      break;
    }
    case 'json': {
      const r = jsonPatch(current, p.body);
      if (E.isLeft(r)) return E.left(patchFailure(r.left));
      patched = r.right;
      break;
    }
  }
  if (!isObject(patched)) return E.left(badRequest('the patched object is not a JSON object'));
  const obj = patched as KubeObject;
  const cur = metaOf(current);
  const m = metaOf(obj);
  if ((m.name ?? '') !== (cur.name ?? '')) {
    return E.left(
      badRequest(
        `the name of the object (${m.name ?? ''}) does not match the name on the URL (${cur.name ?? ''})`,
      ),
    );
  }
  if (k.namespaced && (m.namespace ?? '') !== (cur.namespace ?? '')) {
    return E.left(
      badRequest('the namespace of the provided object does not match the namespace sent on the request'),
    );
  }
  return E.right(obj);
};
