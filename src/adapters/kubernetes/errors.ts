// API server failures as the port's ApiError: Status bodies decoded, anything else classified by HTTP code.
import * as http from 'node:http';
import * as E from 'fp-ts/lib/Either.js';
import type { Status } from '../../domain/kubernetes.js';
import { fromStatus, statusError, type ApiError } from '../../domain/api-error.js';

export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

/** Whether a decoded JSON value is a Status object (kind Status, or the apiVersion-less shape proxies send). */
export const isStatus = (u: unknown): u is Status =>
  isRecord(u) &&
  u['kind'] === 'Status' &&
  (u['status'] === 'Failure' || u['status'] === 'Success' || 'code' in u);

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * The error for a non-2xx response. The body is normally a Status (decoded field by field); a 401 from an
 * authenticating proxy or a 502 from a load balancer may be plain text, which becomes the message.
 */
export const decodeFailure = (code: number, body: string, retryAfterHeader?: string): ApiError => {
  const parsed = parseJson(body);
  const status: Status = isStatus(parsed)
    ? parsed
    : { message: body.trim() === '' ? (http.STATUS_CODES[code] ?? `HTTP ${code}`) : body.trim() };
  const error = fromStatus(status, code);
  const header = retryAfterHeader === undefined ? NaN : Number(retryAfterHeader);
  if (error.details?.retryAfterSeconds !== undefined || !Number.isFinite(header)) return error;
  return { ...error, details: { ...error.details, retryAfterSeconds: header } };
};

/** A 2xx body that is not the JSON the API promises (a proxy's HTML page, a truncated read). */
export const malformedBody = (what: string, body: string): ApiError =>
  statusError(
    'InternalError',
    `Internal error occurred: ${what}: the server sent a body that is not a JSON object: ${JSON.stringify(body.slice(0, 200))}`,
  );

/** Parses a success body into a JSON object, or the error for a malformed one. */
export const parseObject = (what: string, body: string): E.Either<ApiError, Record<string, unknown>> => {
  const parsed = parseJson(body);
  return isRecord(parsed) ? E.right(parsed) : E.left(malformedBody(what, body));
};
