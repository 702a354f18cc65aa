// A cluster port that counts calls by verb, for tests that bound how many writes something makes.
import type { ClusterPort } from '../../src/ports/cluster.js';

/** Wraps a port, counting each call by its method name. */
export const spyCalls = (port: ClusterPort) => {
  const counts = new Map<string, number>();
  const wrapped = Object.fromEntries(
    Object.entries(port).map(([k, f]) => [
      k,
      typeof f === 'function'
        ? (...args: unknown[]) => {
            counts.set(k, (counts.get(k) ?? 0) + 1);
            return (f as (...a: unknown[]) => unknown)(...args);
          }
        : f,
    ]),
  ) as unknown as ClusterPort;
  return { port: wrapped, count: (verb: string) => counts.get(verb) ?? 0 };
};
