// HTTP to the API server over keep-alive pools, one per credential set: auth per request, timeouts, retries.
import { createHash, type Hash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import * as E from 'fp-ts/lib/Either.js';
import { serviceUnavailable, statusError, timeout, type ApiError } from '../../domain/api-error.js';
import type { Connection, RequestAuth } from './config.js';

/**
 * The HTTP behaviour towards the API server: timeouts, retry of throttled requests, and how many requests may
 * be outstanding. The defaults suit one controller process against one cluster.
 */
export interface TransportOptions {
  /** Budget for a whole request (for a watch: until its response headers). Default 60 000 ms. */
  readonly requestTimeoutMs?: number;
  /** How often a 429, or a 5xx with Retry-After, is retried (client-go retries up to 10 times). Default 5. */
  readonly maxRetries?: number;
  /** Cap on one Retry-After wait. Default 10 000 ms. */
  readonly maxRetryWaitMs?: number;
  /** Sent as User-Agent. Default `kubetasks`. */
  readonly userAgent?: string;
  /** Idle keep-alive connections kept per host. Default 32. */
  readonly maxFreeSockets?: number;
  /**
   * Plain requests (watches excepted) in flight at once; the rest wait their turn in order. Without a cap a burst
   * of a thousand creates becomes a thousand connections and requests that the API server serves all at once,
   * slowing every other client's requests meanwhile. Default 64 (`DEFAULT_MAX_REQUESTS_IN_FLIGHT`);
   * `Infinity` for no cap.
   */
  readonly maxRequestsInFlight?: number;
}

/**
 * The default cap on plain requests in flight. Go clients limit themselves too (client-go's rate limiter,
 * flytepropeller's kube-client-config); a cap on requests in flight needs no tuning to the server's speed.
 * At 64 the 1,000-task bench opened 65-67 connections instead of about 1,000 (docs/benchmarks.md).
 */
export const DEFAULT_MAX_REQUESTS_IN_FLIGHT = 64;

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, starting with `/`. */
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A response whose body is read as it arrives (watches). `abort` destroys the request and its socket. */
export interface OpenResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: http.IncomingMessage;
  readonly abort: () => void;
}

/**
 * Counters of the HTTP traffic since the cluster was made, to see in a benchmark or a soak whether keep-alive
 * and the in-flight cap work.
 */
export interface TransportStats {
  /** Requests sent, retries included. */
  readonly requests: number;
  /**
   * Requests sent again after a 429, or a 5xx with Retry-After: a steady rise means the API server is throttling
   * this client.
   */
  readonly retries: number;
  /** TCP(+TLS) connections opened: with keep-alive this stays far below `requests`. */
  readonly connectionsOpened: number;
  /** The most plain requests that were in flight at once (at most `maxRequestsInFlight`). */
  readonly peakRequestsInFlight: number;
}

export interface Transport {
  /** A whole request; any HTTP status is a Right, only transport failures are Left. */
  readonly send: (req: HttpRequest) => Promise<E.Either<ApiError, HttpResponse>>;
  /** A request whose body is streamed; 429s are retried before it is handed over. */
  readonly open: (req: HttpRequest) => Promise<E.Either<ApiError, OpenResponse>>;
  readonly stats: () => TransportStats;
  /** Closes idle connections; open streams must be stopped by their owners. */
  readonly close: () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class RequestTimedOut extends Error {}

interface Attempt {
  readonly request: http.ClientRequest;
  readonly response: http.IncomingMessage;
}

type AttemptResult = E.Either<{ readonly error: Error; readonly retryable: boolean }, Attempt>;

const retryAfterMs = (headers: http.IncomingHttpHeaders): number | undefined => {
  const raw = headers['retry-after'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
};

const readAll = (res: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.on('error', reject);
    res.on('aborted', () => {
      reject(new Error('response aborted'));
    });
  });

const maxCredentialPools = 4;

const feed = (hash: Hash, value: unknown): void => {
  if (value === undefined || value === null) {
    hash.update('\0-');
  } else if (typeof value === 'string' || Buffer.isBuffer(value)) {
    hash.update(`\0${String(Buffer.byteLength(value))}:`);
    hash.update(value);
  } else if (Array.isArray(value)) {
    hash.update(`\0[${String(value.length)}`);
    for (const v of value) feed(hash, v);
  } else {
    // KeyObject-style entries ({ pem, passphrase }, { buf, passphrase }): their JSON carries all their bytes.
    feed(hash, JSON.stringify(value));
  }
};

/** A digest of the TLS material, to tell credential sets apart without keeping or comparing the PEM text. */
const fingerprint = (material: RequestAuth['tls']): string => {
  const hash = createHash('sha256');
  for (const v of [material.ca, material.cert, material.key, material.pfx, material.passphrase])
    feed(hash, v);
  return hash.digest('hex');
};

export const makeTransport = (conn: Connection, opts: TransportOptions = {}): Transport => {
  const requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
  const maxRetries = opts.maxRetries ?? 5;
  const maxRetryWaitMs = opts.maxRetryWaitMs ?? 10_000;
  const userAgent = opts.userAgent ?? 'kubetasks';
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    // TCP keep-alive probes notice a silently dead peer (a half-open watch) without waiting for the OS default.
    keepAliveMsecs: 30_000,
    maxFreeSockets: opts.maxFreeSockets ?? 32,
    scheduling: 'lifo',
  };
  const secure = conn.server.startsWith('https:');
  const plainAgent = new http.Agent(agentOptions);
  // One TLS context and one keep-alive pool per set of credentials. Handing Node the CA, certificate and key with
  // each request makes it parse them again for every new connection (a burst of a thousand creates spent more CPU
  // there than in the manager itself) and puts kilobytes of PEM into every pool lookup. A pool per credential set
  // keeps connections opened with rotated credentials apart from the new ones.
  const pools = new Map<string, { readonly agent: https.Agent; readonly secureContext: tls.SecureContext }>();
  const poolFor = (
    material: RequestAuth['tls'],
  ): { readonly agent: https.Agent; readonly secureContext: tls.SecureContext } => {
    const key = fingerprint(material);
    const found = pools.get(key);
    if (found !== undefined) return found;
    const { ca, cert, key: privateKey, pfx, passphrase } = material;
    const pool = {
      agent: new https.Agent(agentOptions),
      secureContext: tls.createSecureContext({
        ...(ca === undefined ? {} : { ca }),
        ...(cert === undefined ? {} : { cert }),
        ...(privateKey === undefined ? {} : { key: privateKey }),
        ...(pfx === undefined ? {} : { pfx }),
        ...(passphrase === undefined ? {} : { passphrase }),
      }),
    };
    pools.set(key, pool);
    // Credentials rotate rarely; the pools of long-replaced ones go, with whatever they still hold.
    while (pools.size > maxCredentialPools) {
      const oldest = pools.keys().next().value;
      if (oldest === undefined) break;
      pools.get(oldest)?.agent.destroy();
      pools.delete(oldest);
    }
    return pool;
  };
  // `secureContext` reaches tls.connect through the agent; Node's request typings just do not list it.
  const connectionOptions = (
    auth: RequestAuth,
  ): https.RequestOptions & Pick<tls.ConnectionOptions, 'secureContext'> => {
    if (auth.proxyAgent !== undefined) return { agent: auth.proxyAgent, ...auth.tls };
    if (!secure) return { agent: plainAgent };
    const pool = poolFor(auth.tls);
    const { rejectUnauthorized, servername } = auth.tls;
    return {
      agent: pool.agent,
      secureContext: pool.secureContext,
      ...(rejectUnauthorized === undefined ? {} : { rejectUnauthorized }),
      ...(servername === undefined ? {} : { servername }),
    };
  };
  const seen = new WeakSet<Socket>();
  let requests = 0;
  let retries = 0;
  let connectionsOpened = 0;

  // Unreachable or reset is worth retrying (ServiceUnavailable); a certificate the client cannot trust is a
  // configuration error that no retry fixes, so it gets the non-transient Unknown reason.
  const fail = (req: HttpRequest, error: Error): ApiError => {
    if (error instanceof RequestTimedOut)
      return timeout(`${req.method} ${req.path} did not complete within ${requestTimeoutMs} ms`);
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const message = `${req.method} ${req.path}: ${error.message}${code === '' ? '' : ` (${code})`}`;
    return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH/.test(code)
      ? statusError('Unknown', message)
      : serviceUnavailable(message);
  };

  // One try: resolves with the response headers, or the error and whether a retry cannot double-apply it.
  const attempt = async (req: HttpRequest): Promise<AttemptResult> => {
    const auth = await conn.authorize();
    requests++;
    const url = new URL(conn.server + req.path);
    const headers: Record<string, string | number> = {
      Accept: 'application/json',
      'User-Agent': userAgent,
      ...auth.headers,
    };
    if (req.body !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(req.body);
    }
    const options: https.RequestOptions = {
      method: req.method,
      headers,
      ...connectionOptions(auth),
      ...(auth.basicAuth === undefined ? {} : { auth: auth.basicAuth }),
    };
    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const settle = (r: AttemptResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const request = (secure ? https : http).request(url, options, (response) => {
        settle(E.right({ request, response }));
      });
      const timer = setTimeout(() => request.destroy(new RequestTimedOut()), requestTimeoutMs);
      request.on('socket', (socket: Socket) => {
        if (!seen.has(socket)) {
          seen.add(socket);
          connectionsOpened++;
        }
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed while idle fails before anything was processed (Node's documented
        // keep-alive race), so a retry cannot apply the request twice.
        const stale = request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        settle(E.left({ error, retryable: stale }));
      });
      request.end(req.body);
    });
  };

  // Retries what client-go retries: a 429, or a 5xx carrying Retry-After, both sent before the server acted.
  const withRetries = async <A>(
    req: HttpRequest,
    handle: (a: Attempt) => Promise<E.Either<ApiError, A>>,
  ): Promise<E.Either<ApiError, A>> => {
    let staleRetried = false;
    for (let n = 0; ; n++) {
      let result: AttemptResult;
      try {
        result = await attempt(req);
      } catch (error) {
        // The credential plugin or token file failed before anything was sent.
        return E.left(statusError('Unauthorized', `credentials for ${conn.contextName}: ${String(error)}`));
      }
      if (E.isLeft(result)) {
        if (result.left.retryable && !staleRetried) {
          staleRetried = true;
          retries++;
          n--;
          continue;
        }
        return E.left(fail(req, result.left.error));
      }
      const { response } = result.right;
      const status = response.statusCode ?? 0;
      const wait = retryAfterMs(response.headers);
      if (n < maxRetries && (status === 429 || (status >= 500 && wait !== undefined))) {
        response.resume();
        retries++;
        await sleep(Math.min(wait ?? 1000, maxRetryWaitMs));
        continue;
      }
      return handle(result.right);
    }
  };

  const requested = opts.maxRequestsInFlight ?? DEFAULT_MAX_REQUESTS_IN_FLIGHT;
  // NaN would queue every request forever.
  const limit = Number.isNaN(requested) ? DEFAULT_MAX_REQUESTS_IN_FLIGHT : Math.max(1, Math.floor(requested));
  let inFlight = 0;
  let peakInFlight = 0;
  const queued: Array<() => void> = [];
  const acquire = (): Promise<void> => {
    if (inFlight < limit) {
      inFlight++;
      if (inFlight > peakInFlight) peakInFlight = inFlight;
      return Promise.resolve();
    }
    return new Promise((resolve) => queued.push(resolve));
  };
  // The slot passes straight to the next waiter, so the count never dips below the limit while any wait.
  const release = (): void => {
    const next = queued.shift();
    if (next === undefined) inFlight--;
    else next();
  };

  const send = async (req: HttpRequest): Promise<E.Either<ApiError, HttpResponse>> => {
    await acquire();
    try {
      return await sendNow(req);
    } finally {
      release();
    }
  };

  const sendNow = (req: HttpRequest): Promise<E.Either<ApiError, HttpResponse>> =>
    withRetries(req, async ({ request, response }) => {
      const timer = setTimeout(() => request.destroy(new RequestTimedOut()), requestTimeoutMs);
      try {
        const body = await readAll(response);
        return E.right({ status: response.statusCode ?? 0, headers: response.headers, body });
      } catch (error) {
        return E.left(fail(req, error instanceof Error ? error : new Error(String(error))));
      } finally {
        clearTimeout(timer);
      }
    });

  const open = (req: HttpRequest): Promise<E.Either<ApiError, OpenResponse>> =>
    withRetries(req, ({ request, response }) =>
      Promise.resolve(
        E.right({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: response,
          abort: () => {
            request.destroy();
          },
        }),
      ),
    );

  return {
    send,
    open,
    stats: () => ({ requests, retries, connectionsOpened, peakRequestsInFlight: peakInFlight }),
    close: () => {
      plainAgent.destroy();
      for (const pool of pools.values()) pool.agent.destroy();
      pools.clear();
    },
  };
};
