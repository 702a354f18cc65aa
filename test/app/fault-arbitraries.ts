// fast-check arbitraries for API faults (withFaults rules) that a real API server can show.
import { fc } from '@fast-check/vitest';
import type { FaultRule } from '../../src/adapters/memory/index.js';

const arbError = fc.constantFrom(
  'TooManyRequests' as const,
  'InternalError' as const,
  'ServiceUnavailable' as const,
  'Timeout' as const,
);
const arbProbability = fc.double({ min: 0.02, max: 0.3, noNaN: true });
/** Errors a server sends after it committed a write: 429 and 503 come only before (the request was not processed). */
const arbErrorAfter = fc.constantFrom('InternalError' as const, 'Timeout' as const, 'ServerTimeout' as const);
/** A random mix of the faults a real API server shows: refusals, lost answers, slowness, cut watches. */
export const arbRules: fc.Arbitrary<FaultRule[]> = fc
  .subarray(
    [
      ['write-before', fc.record({ probability: arbProbability, error: arbError })],
      ['write-after', fc.record({ probability: arbProbability, error: arbErrorAfter })],
      ['read', fc.record({ probability: arbProbability, error: arbError })],
      ['slow', fc.record({ probability: arbProbability, ms: fc.integer({ min: 1, max: 3000 }) })],
      ['watch', fc.record({ probability: arbProbability, expired: fc.boolean() })],
    ] as const,
    { minLength: 1 },
  )
  .chain((picked) =>
    fc.tuple(
      ...picked.map(([kind, arb]) =>
        (arb as fc.Arbitrary<Record<string, unknown>>).map((v): FaultRule => {
          const probability = v['probability'] as number;
          switch (kind) {
            case 'write-before':
              return { verbs: ['create', 'patch', 'delete'], probability, error: v['error'] as 'Timeout' };
            case 'write-after':
              return {
                verbs: ['create', 'patch', 'delete'],
                probability,
                error: v['error'] as 'Timeout',
                when: 'after',
              };
            case 'read':
              return { verbs: ['get', 'list'], probability, error: v['error'] as 'Timeout' };
            case 'slow':
              return { probability, latencyMs: [0, v['ms'] as number] };
            case 'watch':
              return {
                verbs: ['watch'],
                dropWatch: { probability, ...(v['expired'] === true ? { error: 'Expired' } : {}) },
              };
          }
        }),
      ),
    ),
  );
