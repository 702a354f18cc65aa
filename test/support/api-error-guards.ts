// Every guard of the API error by name, so table tests can say exactly which of them hold for an error.
import {
  isAlreadyExists,
  isBadRequest,
  isConflict,
  isForbidden,
  isInternalError,
  isInvalid,
  isNotFound,
  isQuotaExceeded,
  isRequestEntityTooLarge,
  isResourceExpired,
  isRetryable,
  isServerTimeout,
  isServiceUnavailable,
  isTimeout,
  isTooManyRequests,
  mayHaveApplied,
  type ApiError,
} from '../../src/domain/api-error.js';

/** Every guard, by name: each row of the table below says exactly which of them hold. */
export const guards = {
  isNotFound,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isForbidden,
  isBadRequest,
  isRequestEntityTooLarge,
  isTooManyRequests,
  isTimeout,
  isServerTimeout,
  isServiceUnavailable,
  isInternalError,
  isResourceExpired,
  isQuotaExceeded,
  isRetryable,
  mayHaveApplied,
} as const;
export type Guard = keyof typeof guards;

/** The guards that hold for an error, in the table's order. */
export const holding = (e: ApiError): ReadonlyArray<Guard> =>
  (Object.keys(guards) as Guard[]).filter((g) => guards[g](e));
