// A process's connection to the API server that a test can cut: the process dies, or is cut off by the network.
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { ApiError } from '../../src/domain/api-error.js';
import type { ClusterPort } from '../../src/ports/cluster.js';

/** A cluster port and the switch that cuts it. */
export interface Connection {
  readonly port: ClusterPort;
  /** From now on nothing more is sent and no answer comes back; a write already on its way may still land. */
  readonly cut: () => void;
}

/**
 * One process's connection to the API server. Once cut, every call hangs forever, and so does every call whose answer
 * had not come back yet: the process cannot tell a dead server from a slow one, which is what leader election and
 * crash recovery must survive. Every verb of the port goes through it, so a verb added to the port cannot slip past.
 */
export const connection = (inner: ClusterPort): Connection => {
  let severed = false;
  const hang: TE.TaskEither<ApiError, never> = () => new Promise(() => undefined);
  const guard =
    <A extends ReadonlyArray<unknown>, B>(f: (...args: A) => TE.TaskEither<ApiError, B>) =>
    (...args: A): TE.TaskEither<ApiError, B> => {
      if (severed) return hang;
      const te = f(...args);
      return () => te().then((r) => (severed ? hang() : r));
    };
  const port: ClusterPort = {
    get: guard(inner.get),
    list: guard(inner.list),
    create: guard(inner.create),
    update: guard(inner.update),
    patch: guard(inner.patch),
    delete: guard(inner.delete),
    updateStatus: guard(inner.updateStatus),
    patchStatus: guard(inner.patchStatus),
    watch: guard(inner.watch),
    bind: guard(inner.bind),
    discover: guard(inner.discover),
    serves: guard(inner.serves),
  };
  return {
    port,
    cut: () => {
      severed = true;
    },
  };
};
