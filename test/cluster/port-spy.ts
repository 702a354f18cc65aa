// A cluster port wrapper for real-cluster tests: records every error answer and counts successful creates per name.
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { ApiError } from '../../src/domain/api-error.js';
import type { ClusterPort, WatchEvent, WatchStream } from '../../src/ports/cluster.js';

export interface SpiedError {
  readonly op: string;
  readonly reason: string;
  readonly message: string;
}

export interface PortSpy {
  readonly port: ClusterPort;
  /** Every Left answer and every ERROR watch event, in order. */
  readonly errors: SpiedError[];
  /** Successful creates by `namespace/name`. */
  readonly creates: Map<string, number>;
}

const tap =
  <Args extends unknown[], A>(
    op: string,
    f: (...args: Args) => TE.TaskEither<ApiError, A>,
    onError: (e: SpiedError) => void,
    onRight: (a: A) => void = () => undefined,
  ) =>
  (...args: Args): TE.TaskEither<ApiError, A> =>
  async () => {
    const r = await f(...args)();
    if (E.isLeft(r)) onError({ op, reason: r.left.reason, message: r.left.message });
    else onRight(r.right);
    return r;
  };

const spiedStream = (stream: WatchStream, onError: (e: SpiedError) => void): WatchStream => ({
  stop: stream.stop,
  [Symbol.asyncIterator]: (): AsyncIterator<WatchEvent> => {
    const it = stream[Symbol.asyncIterator]();
    return {
      next: async () => {
        const r = await it.next();
        if (r.done !== true && r.value.type === 'ERROR')
          onError({ op: 'watch-event', reason: r.value.error.reason, message: r.value.error.message });
        return r;
      },
      ...(it.return === undefined ? {} : { return: (v?: unknown) => it.return!(v) }),
    };
  },
});

export const spyOn = (inner: ClusterPort): PortSpy => {
  const errors: SpiedError[] = [];
  const creates = new Map<string, number>();
  const onError = (e: SpiedError): void => {
    errors.push(e);
  };
  const port: ClusterPort = {
    get: tap('get', inner.get, onError),
    list: tap('list', inner.list, onError),
    create: tap('create', inner.create, onError, (o) => {
      const key = `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
      creates.set(key, (creates.get(key) ?? 0) + 1);
    }),
    update: tap('update', inner.update, onError),
    patch: tap('patch', inner.patch, onError),
    delete: tap('delete', inner.delete, onError),
    updateStatus: tap('updateStatus', inner.updateStatus, onError),
    patchStatus: tap('patchStatus', inner.patchStatus, onError),
    watch: tap(
      'watch',
      (gvk: Parameters<ClusterPort['watch']>[0], options?: Parameters<ClusterPort['watch']>[1]) =>
        async () => {
          const r = await inner.watch(gvk, options)();
          return E.isLeft(r) ? r : E.right(spiedStream(r.right, onError));
        },
      onError,
    ),
    bind: tap('bind', inner.bind, onError),
    discover: tap('discover', inner.discover, onError),
    serves: tap('serves', inner.serves, onError),
  };
  return { port, errors, creates };
};
