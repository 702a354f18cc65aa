// Model-based test of the in-memory cluster: random command sequences against a simple model, every result checked.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster } from '../../src/adapters/memory/index.js';
import { refOf, type ClusterPort } from '../../src/ports/cluster.js';
import { WIDGET } from '../../src/testing/index.js';
import { modelCommands, runModel } from '../support/cluster-commands.js';

const memory = (): ClusterPort => makeMemoryCluster({ clock: makeVirtualClock(), kinds: [WIDGET] });

/** A planted bug: an update carries whatever resourceVersion is current instead of its own, so stale writes win. */
const staleUpdatesAccepted = (): ClusterPort => {
  const inner = memory();
  return {
    ...inner,
    update: (o) => async () => {
      const current = await inner.get(refOf(o))();
      const rv = E.isRight(current) ? current.right.metadata?.resourceVersion : undefined;
      return inner.update({
        ...o,
        metadata: { ...o.metadata, ...(rv === undefined ? {} : { resourceVersion: rv }) },
      })();
    },
  };
};

const sequences = fc.commands(modelCommands, { maxCommands: 40, size: 'max' });

describe('in-memory cluster against a model', () => {
  test.prop([sequences], { numRuns: 200 })(
    'behaves like the model for random sequences of create/update/patch/status/delete/finalizer/list/watch',
    (cmds) => runModel(memory, cmds),
  );

  it('finds a planted stale-update bug and shrinks it to a short sequence ending in a stale update', async () => {
    const result = await fc.check(
      fc.asyncProperty(sequences, (cmds) => runModel(staleUpdatesAccepted, cmds)),
      { numRuns: 300, seed: 6 },
    );
    expect(result.failed).toBe(true);
    const counterexample = fc.stringify(result.counterexample?.[0]);
    expect(counterexample).toMatch(/UpdateStale\([abc], [xyz]\)/);
    expect(counterexample.split('),').length).toBeLessThanOrEqual(6);
  });

  it('the same planted bug passes unnoticed by a test that never updates stale', async () => {
    const withoutStale = fc.commands(
      // The fourth generator is the stale update.
      modelCommands.filter((_, i) => i !== 3),
      { maxCommands: 40 },
    );
    const result = await fc.check(
      fc.asyncProperty(withoutStale, (cmds) => runModel(staleUpdatesAccepted, cmds)),
      { numRuns: 50, seed: 6 },
    );
    expect(result.failed).toBe(false);
  });
});
