// `kubetasks controller`'s lease timing flags: parsed as durations and checked by client-go's rules before connecting.
import { describe, expect, it } from 'vitest';
import { runCli } from './spawn.js';

describe('kubetasks controller lease timing flags', () => {
  it.each([
    [['--lease-duration', '2500ms'], 'lease duration must be a whole number of seconds'],
    [['--lease-duration', '10s'], 'must be greater than the renew deadline'],
    [['--renew-deadline', '3s', '--retry-period', '3s'], 'must be greater than 1.2'],
    [['--retry-period', 'soon'], '--retry-period: expected a duration'],
  ])('%j is a usage error: %s', (flags, message) => {
    const r = runCli(['controller', '--kubeconfig', '/nonexistent', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    // Refused before any connection is tried.
    expect(r.stderr).not.toContain('cannot connect');
  });
});
