// Kubernetes API errors as data (Status failures: reason, HTTP code, message, details), with their guards.
import * as O from 'fp-ts/lib/Option.js';
import type { Status } from './kubernetes.js';

/**
 * The `reason` of a failed Kubernetes Status (apimachinery `metav1.StatusReason`). `Unknown` stands for the
 * empty reason the API server sends with errors it did not classify (always with code 500).
 */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServerTimeout'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Unknown';

/** The HTTP code the API server sends with each reason. */
export const codeOfReason: Readonly<Record<StatusReason, number>> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServerTimeout: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
  Unknown: 500,
};

export const statusReasons = Object.keys(codeOfReason) as ReadonlyArray<StatusReason>;

/** One field-level cause of an Invalid error (`FieldValueInvalid` at `metadata.name`, ...). */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

/** Status `details`: what the error is about, why, and when to retry. */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  /** The resource (`pods`) for most reasons, the kind (`Pod`) for Invalid, as the API server writes it. */
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: ReadonlyArray<StatusCause>;
  readonly retryAfterSeconds?: number;
}

/**
 * A failed Kubernetes API call, as data: the one error type from the adapters through the port and the
 * interpreter to the lifecycle machine. Every adapter reports failures this way, with the reason and code the
 * real API server would send; messages follow apimachinery's wording so code that reads them (quota errors)
 * works on both. Ask it questions through the guards below (`isNotFound`, `isQuotaExceeded`, ...), never by
 * comparing reasons or codes by hand.
 */
export interface ApiError {
  readonly _tag: 'ApiError';
  readonly reason: StatusReason;
  readonly code: number;
  readonly message: string;
  readonly details?: StatusDetails;
}

/** A resource type by API group and plural name: `pods` in "", `rayjobs` in `ray.io`. */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

/** A kind by API group: `Pod` in "", `RayJob` in `ray.io`. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** `pods`, or `rayjobs.ray.io` for a non-core group, as apimachinery prints a GroupResource. */
export const showGroupResource = (gr: GroupResource): string =>
  gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;

/** `Pod`, or `RayJob.ray.io`, as apimachinery prints a GroupKind. */
export const showGroupKind = (gk: GroupKind): string =>
  gk.group === '' ? gk.kind : `${gk.kind}.${gk.group}`;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Any Status error by reason; the code comes from the reason. */
export const statusError = (reason: StatusReason, message: string, details?: StatusDetails): ApiError => ({
  _tag: 'ApiError',
  reason,
  code: codeOfReason[reason],
  message,
  ...(details === undefined ? {} : { details }),
});

const about = (gr: GroupResource, name: string): StatusDetails => ({
  name,
  ...(gr.group === '' ? {} : { group: gr.group }),
  kind: gr.resource,
});

export const notFound = (gr: GroupResource, name: string): ApiError =>
  statusError('NotFound', `${showGroupResource(gr)} "${name}" not found`, about(gr, name));

/** The resource type itself is not served (unknown kind, or a subresource it does not have). */
export const resourceNotServed = (): ApiError =>
  statusError('NotFound', 'the server could not find the requested resource');

export const alreadyExists = (gr: GroupResource, name: string): ApiError =>
  statusError('AlreadyExists', `${showGroupResource(gr)} "${name}" already exists`, about(gr, name));

/** Message of an optimistic-lock failure, word for word what the API server says. */
export const OPTIMISTIC_LOCK_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

export const conflict = (gr: GroupResource, name: string, why: string = OPTIMISTIC_LOCK_MESSAGE): ApiError =>
  statusError(
    'Conflict',
    `Operation cannot be fulfilled on ${showGroupResource(gr)} "${name}": ${why}`,
    about(gr, name),
  );

/** A field error kind, as apimachinery's field.ErrorType names its causes. */
export type FieldErrorType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueForbidden'
  | 'FieldValueDuplicate'
  | 'FieldValueNotSupported'
  | 'FieldValueNotFound'
  | 'FieldValueTooLong'
  | 'FieldValueTypeInvalid';

/** One validation failure at a field path. */
export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly value?: unknown;
  readonly detail?: string;
}

const showFieldValue = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'null';
  const s = JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
};

/** The text after the field path, as apimachinery's `field.Error.ErrorBody` renders it. */
export const fieldErrorBody = (e: FieldError): string => {
  const detail = e.detail === undefined || e.detail === '' ? '' : `: ${e.detail}`;
  switch (e.type) {
    case 'FieldValueInvalid':
      return `Invalid value: ${showFieldValue(e.value)}${detail}`;
    case 'FieldValueRequired':
      return `Required value${detail}`;
    case 'FieldValueForbidden':
      return `Forbidden${detail}`;
    case 'FieldValueDuplicate':
      return `Duplicate value: ${showFieldValue(e.value)}`;
    case 'FieldValueNotSupported':
      return `Unsupported value: ${showFieldValue(e.value)}${detail}`;
    case 'FieldValueNotFound':
      return `Not found: ${showFieldValue(e.value)}`;
    case 'FieldValueTooLong':
      return `Too long${detail}`;
    case 'FieldValueTypeInvalid':
      return `Invalid value: ${showFieldValue(e.value)}${detail}`;
  }
};

/** `Pod "x" is invalid: metadata.name: Invalid value: ...`, with one cause per field error. */
export const invalid = (gk: GroupKind, name: string, errors: ReadonlyArray<FieldError>): ApiError => {
  const rendered = errors.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  const summary = rendered.length === 1 ? (rendered[0] ?? '') : `[${rendered.join(', ')}]`;
  return statusError('Invalid', `${showGroupKind(gk)} "${name}" is invalid: ${summary}`, {
    name,
    ...(gk.group === '' ? {} : { group: gk.group }),
    kind: gk.kind,
    causes: errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
  });
};

/** `pods "x" is forbidden: <why>` (or `pods is forbidden: ...` when the name is not known yet). */
export const forbidden = (gr: GroupResource, name: string, why: string): ApiError =>
  statusError(
    'Forbidden',
    name === ''
      ? `${showGroupResource(gr)} is forbidden: ${why}`
      : `${showGroupResource(gr)} "${name}" is forbidden: ${why}`,
    about(gr, name),
  );

/** The watch or list resourceVersion is older than what the server keeps: re-list, then watch again. */
export const resourceExpired = (message: string): ApiError => statusError('Expired', message);

export const gone = (message: string): ApiError => statusError('Gone', message);

export const badRequest = (message: string): ApiError => statusError('BadRequest', message);

export const tooManyRequests = (message: string, retryAfterSeconds?: number): ApiError =>
  statusError(
    'TooManyRequests',
    message,
    retryAfterSeconds === undefined ? undefined : { retryAfterSeconds },
  );

export const internalError = (why: string): ApiError =>
  statusError('InternalError', `Internal error occurred: ${why}`, { causes: [{ message: why }] });

export const timeout = (why: string, retryAfterSeconds?: number): ApiError =>
  statusError(
    'Timeout',
    `Timeout: ${why}`,
    retryAfterSeconds === undefined ? undefined : { retryAfterSeconds },
  );

export const serverTimeout = (gr: GroupResource, operation: string, retryAfterSeconds = 2): ApiError =>
  statusError(
    'ServerTimeout',
    `The ${operation} operation against ${showGroupResource(gr)} could not be completed at this time, please try again.`,
    { ...about(gr, operation), retryAfterSeconds },
  );

export const requestEntityTooLarge = (why: string): ApiError =>
  statusError('RequestEntityTooLarge', `Request entity too large: ${why}`);

export const unsupportedMediaType = (why: string): ApiError => statusError('UnsupportedMediaType', why);

export const serviceUnavailable = (why: string): ApiError => statusError('ServiceUnavailable', why);

// -------------------------------------------------------------------------------------
// guards
// -------------------------------------------------------------------------------------

export const isApiError = (u: unknown): u is ApiError =>
  typeof u === 'object' &&
  u !== null &&
  (u as { _tag?: unknown })._tag === 'ApiError' &&
  typeof (u as { reason?: unknown }).reason === 'string' &&
  typeof (u as { code?: unknown }).code === 'number';

// As apimachinery's guards: the reason decides; for most reasons, a reason the server did not classify falls back
// to the code (an AlreadyExists and a ServerTimeout are only ever named, as their codes are shared).
const hasReason =
  (reason: StatusReason, byCode = true) =>
  (e: ApiError): boolean =>
    e.reason === reason || (byCode && e.reason === 'Unknown' && e.code === codeOfReason[reason]);

/** The object (or its namespace, or the kind itself) does not exist. */
export const isNotFound = hasReason('NotFound');
/** A create found an object of that name already there. */
export const isAlreadyExists = hasReason('AlreadyExists', false);
/** A stale resourceVersion or a failed precondition (uid, resourceVersion). */
export const isConflict = hasReason('Conflict');
/** The object failed validation (or a JSON patch `test` failed). */
export const isInvalid = hasReason('Invalid');
/** Refused by authorization or admission (a ResourceQuota is one case: see `isQuotaExceeded`). */
export const isForbidden = hasReason('Forbidden');
/** The request itself is malformed. */
export const isBadRequest = hasReason('BadRequest');
/** The object is larger than the server accepts. */
export const isRequestEntityTooLarge = hasReason('RequestEntityTooLarge');
/** Throttled: retry after a pause (see `retryAfterSeconds`). */
export const isTooManyRequests = hasReason('TooManyRequests');
/** The request timed out (the write may have happened all the same). */
export const isTimeout = hasReason('Timeout');
/** The server could not complete the operation in time (the write may have happened all the same). */
export const isServerTimeout = hasReason('ServerTimeout', false);
/** The server failed while handling the request. */
export const isInternalError = hasReason('InternalError');
/** The server is not there or refused the connection: the request was not processed. */
export const isServiceUnavailable = hasReason('ServiceUnavailable');

/** 410 (Expired or Gone): the resourceVersion is too old; the caller must list again and watch from there. */
export const isResourceExpired = (e: ApiError): boolean => e.code === 410;

/**
 * A ResourceQuota refused the object: Forbidden with the `exceeded quota` message the quota admission writes
 * (`... is forbidden: exceeded quota: q, requested: ..., used: ..., limited: ...`).
 */
export const isQuotaExceeded = (e: ApiError): boolean => isForbidden(e) && /exceeded quota/i.test(e.message);

const retryableReasons: ReadonlySet<StatusReason> = new Set<StatusReason>([
  'TooManyRequests',
  'ServerTimeout',
  'Timeout',
  'ServiceUnavailable',
  'InternalError',
]);

/**
 * Worth retrying unchanged after a pause: throttling, timeouts and transient server failures, as the server named
 * them (an unclassified 500, such as a TLS failure the transport reports, is not retried blindly).
 */
export const isRetryable = (e: ApiError): boolean => retryableReasons.has(e.reason);

/**
 * The write may have been committed although the call failed: a server error or timeout can come after the
 * object was stored. 503 (and a refused connection, which adapters report as 503) means it was not processed.
 */
export const mayHaveApplied = (e: ApiError): boolean =>
  (e.code >= 500 && !isServiceUnavailable(e)) || isTimeout(e) || isServerTimeout(e);

/** The server's hint of when to retry, in seconds. */
export const retryAfterSeconds = (e: ApiError): O.Option<number> =>
  O.fromNullable(e.details?.retryAfterSeconds);

// -------------------------------------------------------------------------------------
// Status objects
// -------------------------------------------------------------------------------------

const reasonFromCode = (code: number): StatusReason => {
  switch (code) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 406:
      return 'NotAcceptable';
    case 409:
      return 'Conflict';
    case 410:
      return 'Gone';
    case 413:
      return 'RequestEntityTooLarge';
    case 415:
      return 'UnsupportedMediaType';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    case 500:
      // The API server sends 500 without a reason for errors it did not classify.
      return 'Unknown';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return code > 500 ? 'InternalError' : 'Unknown';
  }
};

const knownReasons = new Set<string>(statusReasons);

/** A Status object from the API server, as data. A missing or unknown reason is inferred from the code. */
export const fromStatus = (status: Status, httpCode?: number): ApiError => {
  const code = status.code ?? httpCode ?? 500;
  const reason =
    status.reason !== undefined && knownReasons.has(status.reason)
      ? (status.reason as StatusReason)
      : reasonFromCode(code);
  const d = status.details;
  const details: StatusDetails | undefined =
    d === undefined
      ? undefined
      : {
          ...(d.name === undefined ? {} : { name: d.name }),
          ...(d.group === undefined ? {} : { group: d.group }),
          ...(d.kind === undefined ? {} : { kind: d.kind }),
          ...(d.uid === undefined ? {} : { uid: d.uid }),
          ...(d.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: d.retryAfterSeconds }),
          ...(d.causes === undefined
            ? {}
            : {
                causes: d.causes.map((c) => ({
                  ...(c.reason === undefined ? {} : { reason: c.reason }),
                  ...(c.message === undefined ? {} : { message: c.message }),
                  ...(c.field === undefined ? {} : { field: c.field }),
                })),
              }),
        };
  return {
    _tag: 'ApiError',
    reason,
    code,
    message: status.message ?? '',
    ...(details === undefined ? {} : { details }),
  };
};

/** The Status object the API server would send for this error. */
export const toStatus = (e: ApiError): Status => ({
  apiVersion: 'v1',
  kind: 'Status',
  metadata: {},
  status: 'Failure',
  message: e.message,
  ...(e.reason === 'Unknown' ? {} : { reason: e.reason }),
  code: e.code,
  ...(e.details === undefined
    ? {}
    : {
        details: {
          ...(e.details.name === undefined ? {} : { name: e.details.name }),
          ...(e.details.group === undefined ? {} : { group: e.details.group }),
          ...(e.details.kind === undefined ? {} : { kind: e.details.kind }),
          ...(e.details.uid === undefined ? {} : { uid: e.details.uid }),
          ...(e.details.retryAfterSeconds === undefined
            ? {}
            : { retryAfterSeconds: e.details.retryAfterSeconds }),
          ...(e.details.causes === undefined ? {} : { causes: e.details.causes.map((c) => ({ ...c })) }),
        },
      }),
});

/** One line for logs: `NotFound (404): pods "x" not found`. */
export const showApiError = (e: ApiError): string => `${e.reason} (${e.code}): ${e.message}`;
