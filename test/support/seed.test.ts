// The CI seed: a pure function of the commit and the suite, so a run before merging replays CI.
import { afterEach, describe, expect, it } from 'vitest';
import { commitSeed } from './seed.js';

const saved = { ci: process.env['CI'], seed: process.env['KUBETASKS_SEED'] };
const set = (name: 'CI' | 'KUBETASKS_SEED', v: string | undefined) => {
  if (v !== undefined) process.env[name] = v;
  else if (name === 'CI') delete process.env['CI'];
  else delete process.env['KUBETASKS_SEED'];
};

afterEach(() => {
  set('CI', saved.ci);
  set('KUBETASKS_SEED', saved.seed);
});

describe('commitSeed', () => {
  it('is the same for one commit and suite, differs between suites, and fits a 31-bit seed', () => {
    set('CI', 'true');
    set('KUBETASKS_SEED', undefined);
    const a = commitSeed('properties');
    expect(a).toBeDefined();
    expect(commitSeed('properties')).toBe(a);
    expect(commitSeed('oracle')).not.toBe(a);
    expect(Number.isInteger(a) && a! >= 0 && a! < 2 ** 31).toBe(true);
  });

  it('leaves the seed random outside CI, and in CI when asked for random', () => {
    set('CI', undefined);
    expect(commitSeed('properties')).toBeUndefined();
    set('CI', 'true');
    set('KUBETASKS_SEED', 'random');
    expect(commitSeed('properties')).toBeUndefined();
  });
});
