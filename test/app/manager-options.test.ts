// A wrong registry is refused: a type error for TypeScript callers, a clear TypeError at construction for JavaScript.
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { Manager, type ManagerOptions } from '../../src/app/manager.js';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster } from '../../src/adapters/memory/index.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';
import * as R from '../../src/domain/registry.js';
import { builtInPlugins, builtInRegistry } from '../../src/plugins/index.js';

const world = () => {
  const clock = makeVirtualClock({ auto: true });
  const cluster = makeMemoryCluster({ clock });
  return { clock, cluster, config: defaultPlatformConfig };
};

describe('ManagerOptions.registry', () => {
  it('is a type error when it is not a Registry', () => {
    const w = world();
    // @ts-expect-error the function, not the registry it builds
    const fn: ManagerOptions = { ...w, registry: builtInRegistry };
    // @ts-expect-error the Either, not its Right
    const either: ManagerOptions = { ...w, registry: builtInRegistry() };
    expect([fn, either]).toHaveLength(2);
    w.cluster.close();
    w.clock.dispose();
  });

  it.each([
    ['the function builtInRegistry', builtInRegistry, /got the function builtInRegistry: call it/],
    ['the Either it returns', builtInRegistry(), /got an Either: pass its Right value/],
    [
      'a Left',
      R.fromPlugins([...builtInPlugins, builtInPlugins[0]]),
      /got a Left: .*plugin id "pod" is already registered/,
    ],
    ['undefined', undefined, /got undefined/],
    [
      'a look-alike without a task type map',
      { plugins: [], taskTypes: {}, defaultId: { _tag: 'None' } },
      /got object/,
    ],
  ])('from JavaScript, %s is refused at construction, by name', (_, registry, message) => {
    const w = world();
    try {
      expect(() => new Manager({ ...w, registry: registry as unknown as R.Registry })).toThrow(TypeError);
      expect(() => new Manager({ ...w, registry: registry as unknown as R.Registry })).toThrow(message);
    } finally {
      w.cluster.close();
      w.clock.dispose();
    }
  });

  it('accepts a registry built by builtInRegistry() or fromPlugins', async () => {
    const w = world();
    const built = builtInRegistry();
    if (E.isLeft(built)) throw new Error(R.showRegistryError(built.left));
    expect(R.isRegistry(built.right)).toBe(true);
    expect(R.isRegistry(R.empty)).toBe(true);
    const manager = new Manager({ ...w, registry: built.right });
    await manager.start();
    await manager.stop();
    w.cluster.close();
    w.clock.dispose();
  });
});
