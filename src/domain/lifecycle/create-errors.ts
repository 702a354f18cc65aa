// How a failed create is classified: submitted, quota, permanent, user-retryable or a system failure.
import * as E from 'fp-ts/lib/Either.js';
import {
  isAlreadyExists,
  isBadRequest,
  isForbidden,
  isInvalid,
  isQuotaExceeded,
  isRequestEntityTooLarge,
  mayHaveApplied,
  type ApiError,
} from '../api-error.js';
import * as Q from '../quantity.js';

export type CreateOutcome =
  /** AlreadyExists: the object of this name is ours (names are deterministic), so the create succeeded. */
  | { readonly _tag: 'Submitted' }
  /** A ResourceQuota rejected it for now; wait with the namespace's back-off. */
  | { readonly _tag: 'QuotaExceeded'; readonly message: string }
  /** The request can never fit: the quota's hard limit is below what the task asks for. */
  | { readonly _tag: 'NeverFits'; readonly message: string }
  | { readonly _tag: 'Permanent'; readonly code: string; readonly message: string }
  | { readonly _tag: 'UserRetryable'; readonly code: string; readonly message: string }
  /**
   * Transient trouble (500, 429, timeouts, conflicts, unknown). `maybeCreated` is true when the object may exist
   * anyway (a timeout or server error can come after the write was committed), so it must be cleaned up.
   */
  | {
      readonly _tag: 'System';
      readonly code: string;
      readonly message: string;
      readonly maybeCreated: boolean;
    };

/**
 * The resources a quota error says were requested and the hard limits, as Kubernetes writes them:
 * `exceeded quota: q, requested: limits.memory=2Gi,requests.cpu=3, used: ..., limited: limits.memory=1Gi,...`.
 */
export const parseQuotaMessage = (
  message: string,
): {
  readonly requested: ReadonlyMap<string, Q.Quantity>;
  readonly limited: ReadonlyMap<string, Q.Quantity>;
} => {
  const section = (name: string): ReadonlyMap<string, Q.Quantity> => {
    const m = new RegExp(`${name}: ([^ ]+?)(?:, [a-z]+:|$)`).exec(message);
    const out = new Map<string, Q.Quantity>();
    for (const pair of (m?.[1] ?? '').split(',')) {
      const [k, v] = pair.split('=');
      if (k === undefined || v === undefined) continue;
      const q = Q.parse(v.trim());
      if (E.isRight(q)) out.set(k.trim(), q.right);
    }
    return out;
  };
  return { requested: section('requested'), limited: section('limited') };
};

/** True when some requested resource is above its hard limit, so no amount of waiting helps. */
export const neverFits = (message: string): boolean => {
  const { requested, limited } = parseQuotaMessage(message);
  for (const [k, req] of requested) {
    const lim = limited.get(k);
    if (lim !== undefined && Q.compare(req, lim) > 0) return true;
  }
  return false;
};

/** Classifies a create error, in the order of Flyte's table, with v1's quota handling restored. */
export const classifyCreateError = (e: ApiError): CreateOutcome => {
  if (isAlreadyExists(e)) return { _tag: 'Submitted' };
  if (isQuotaExceeded(e)) {
    return neverFits(e.message)
      ? { _tag: 'NeverFits', message: e.message }
      : { _tag: 'QuotaExceeded', message: e.message };
  }
  if (isForbidden(e)) {
    return { _tag: 'UserRetryable', code: 'RuntimeFailure', message: e.message };
  }
  if (isRequestEntityTooLarge(e)) {
    return { _tag: 'Permanent', code: 'EntityTooLarge', message: e.message };
  }
  if (isInvalid(e)) return { _tag: 'Permanent', code: 'InvalidResource', message: e.message };
  if (isBadRequest(e)) return { _tag: 'Permanent', code: 'BadRequest', message: e.message };
  return {
    _tag: 'System',
    code: e.reason === 'Unknown' ? 'SystemError' : e.reason,
    message: `failed to create resource: ${e.message}`,
    maybeCreated: mayHaveApplied(e),
  };
};
