// A watch response body as the port's WatchStream: newline-delimited events, clean ends, no socket left behind.
import type { Readable } from 'node:stream';
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../domain/kubernetes.js';
import { fromStatus, internalError } from '../../domain/api-error.js';
import { INITIAL_EVENTS_END_ANNOTATION, type WatchEvent, type WatchStream } from '../../ports/cluster.js';
import { isRecord, isStatus } from './errors.js';

const isObject = (u: unknown): u is KubeObject =>
  isRecord(u) && typeof u['apiVersion'] === 'string' && typeof u['kind'] === 'string';

/** One line of a watch body as an event; Left with the reason when the line is not a well-formed event. */
export const decodeWatchEvent = (line: string): E.Either<string, WatchEvent> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return E.left('not JSON');
  }
  if (!isRecord(parsed) || typeof parsed['type'] !== 'string') return E.left('no event type');
  const object = parsed['object'];
  switch (parsed['type']) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return isObject(object) ? E.right({ type: parsed['type'], object }) : E.left('no object');
    case 'BOOKMARK': {
      const metadata = isRecord(object) ? object['metadata'] : undefined;
      const rv = isRecord(metadata) ? metadata['resourceVersion'] : undefined;
      if (typeof rv !== 'string') return E.left('bookmark without resourceVersion');
      const annotations = isRecord(metadata) ? metadata['annotations'] : undefined;
      const end = isRecord(annotations) && annotations[INITIAL_EVENTS_END_ANNOTATION] === 'true';
      return E.right({ type: 'BOOKMARK', resourceVersion: rv, ...(end ? { initialEventsEnd: true } : {}) });
    }
    case 'ERROR':
      return isStatus(object)
        ? E.right({ type: 'ERROR', error: fromStatus(object) })
        : E.left('error event without a Status');
    default:
      return E.left(`unknown event type ${JSON.stringify(parsed['type'])}`);
  }
};

/** Splits a stream of text chunks into complete lines, keeping the unfinished tail between calls. */
export const makeLineSplitter = (): {
  readonly push: (chunk: string) => string[];
  readonly flush: () => string[];
} => {
  let tail = '';
  return {
    push: (chunk) => {
      const parts = (tail + chunk).split('\n');
      tail = parts.pop() ?? '';
      return parts.filter((l) => l.trim() !== '');
    },
    flush: () => {
      const rest = tail;
      tail = '';
      return rest.trim() === '' ? [] : [rest];
    },
  };
};

export interface WatchBodyOptions {
  /** End the stream (cleanly) when nothing arrives for this long: a half-open connection. */
  readonly idleTimeoutMs: number;
  /** Pause reading past this many undelivered events (TCP then pushes back on the server). */
  readonly highWaterMark: number;
}

interface Queue {
  readonly stream: WatchStream;
  readonly push: (e: WatchEvent) => void;
  readonly end: () => void;
  readonly ended: () => boolean;
}

// A single-consumer queue; `onEnd` runs once however the stream ends, `onDrain` when a paused producer may go on.
const makeQueue = (
  highWaterMark: number,
  hooks: { readonly onEnd: () => void; readonly onFull: () => void; readonly onDrain: () => void },
): Queue => {
  let items: WatchEvent[] = [];
  let head = 0;
  let ended = false;
  let full = false;
  let waiting: ((r: IteratorResult<WatchEvent>) => void) | undefined;

  const end = (): void => {
    if (ended) return;
    ended = true;
    hooks.onEnd();
    if (waiting !== undefined && head >= items.length) {
      const w = waiting;
      waiting = undefined;
      w({ done: true, value: undefined });
    }
  };

  const push = (e: WatchEvent): void => {
    if (ended) return;
    if (waiting !== undefined) {
      const w = waiting;
      waiting = undefined;
      w({ done: false, value: e });
      return;
    }
    items.push(e);
    if (!full && items.length - head >= highWaterMark) {
      full = true;
      hooks.onFull();
    }
  };

  const next = (): Promise<IteratorResult<WatchEvent>> => {
    if (head < items.length) {
      const value = items[head] as WatchEvent;
      head++;
      if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head);
        head = 0;
      }
      if (full && items.length - head <= highWaterMark / 2) {
        full = false;
        hooks.onDrain();
      }
      return Promise.resolve({ done: false, value });
    }
    if (ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      waiting = resolve;
    });
  };

  const stop = (): void => {
    items = [];
    head = 0;
    end();
  };

  const stream: WatchStream = {
    stop,
    [Symbol.asyncIterator]: () => ({
      next,
      return: () => {
        stop();
        return Promise.resolve({ done: true, value: undefined });
      },
    }),
  };
  return { stream, push, end, ended: () => ended };
};

/** A stream that delivers the given events and ends (a watch refused with 410 is an ERROR event, like in-stream). */
export const eventsStream = (events: ReadonlyArray<WatchEvent>): WatchStream => {
  const q = makeQueue(Number.MAX_SAFE_INTEGER, {
    onEnd: () => undefined,
    onFull: () => undefined,
    onDrain: () => undefined,
  });
  for (const e of events) q.push(e);
  q.end();
  return q.stream;
};

/**
 * Reads a watch body. The stream ends, without throwing, when the server closes it, after an ERROR event, on any
 * network failure, after `idleTimeoutMs` of silence, and on stop(); every end aborts the request so its socket is
 * destroyed, never left half-read in the pool. A malformed line becomes an InternalError ERROR event: dropping it
 * silently would lose an event, ending lets the consumer resume from the last resourceVersion it saw.
 */
export const watchBodyStream = (
  body: Readable,
  abort: () => void,
  options: WatchBodyOptions,
): WatchStream => {
  let idle: ReturnType<typeof setTimeout> | undefined;
  let paused = false;
  const disarm = (): void => {
    if (idle !== undefined) clearTimeout(idle);
    idle = undefined;
  };
  const arm = (): void => {
    disarm();
    if (!paused)
      idle = setTimeout(() => {
        q.end();
      }, options.idleTimeoutMs);
  };
  const q = makeQueue(options.highWaterMark, {
    onEnd: () => {
      disarm();
      body.removeListener('data', onData);
      body.removeListener('end', onEnd);
      // Keep a listener: an error after the end must not become an uncaught exception.
      abort();
    },
    onFull: () => {
      paused = true;
      disarm();
      body.pause();
    },
    onDrain: () => {
      paused = false;
      body.resume();
      arm();
    },
  });
  const lines = makeLineSplitter();
  const deliver = (batch: ReadonlyArray<string>): void => {
    for (const line of batch) {
      if (q.ended()) return;
      const event = decodeWatchEvent(line);
      if (E.isLeft(event)) {
        q.push({
          type: 'ERROR',
          error: internalError(`malformed watch event (${event.left}): ${line.slice(0, 200)}`),
        });
        q.end();
        return;
      }
      q.push(event.right);
      if (event.right.type === 'ERROR') q.end();
    }
  };
  const onData = (chunk: string): void => {
    arm();
    deliver(lines.push(chunk));
  };
  const onEnd = (): void => {
    deliver(lines.flush());
    q.end();
  };
  body.setEncoding('utf8');
  body.on('data', onData);
  body.on('end', onEnd);
  body.on('error', () => {
    q.end();
  });
  body.on('close', () => {
    q.end();
  });
  arm();
  return q.stream;
};
