// docs/plugins/ray.md and dask.md name every status the operators write, and the table rows agree with the plugins.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/domain/kubernetes.js';
import { defaultPlatformConfig } from '../../../src/domain/platform-config.js';
import { getDaskTaskPhase } from '../../../src/plugins/dask/phase.js';
import { getRayTaskPhase } from '../../../src/plugins/ray/phase.js';
import { daskJobStatuses, rayJobDeploymentStatuses } from '../../../src/testing/index.js';

/** The first column and the phase column of each row of the Phase table of a plugin page. */
const rows = (file: string): ReadonlyArray<{ readonly first: string; readonly phase: string }> => {
  const text = readFileSync(file, 'utf8');
  const section = text.slice(text.indexOf('## Phase'), text.indexOf('\n## ', text.indexOf('## Phase') + 1));
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))
    .slice(1)
    .map((l) => {
      const cells = l.split(' | ');
      return { first: cells[0] ?? '', phase: cells[1] ?? '' };
    });
};

const ray = (s: string): KubeObject => ({
  apiVersion: 'ray.io/v1',
  kind: 'RayJob',
  metadata: { name: 'j', namespace: 'ns' },
  status: { jobDeploymentStatus: s, jobStatus: s === 'Complete' ? 'SUCCEEDED' : '' },
});
const dask = (s: string): KubeObject => ({
  apiVersion: 'kubernetes.dask.org/v1',
  kind: 'DaskJob',
  metadata: { name: 'j', namespace: 'ns' },
  status: { jobStatus: s },
});

describe('the plugin pages', () => {
  it('ray.md has a row for every jobDeploymentStatus, with the phase the plugin gives', () => {
    const table = rows('docs/plugins/ray.md');
    for (const s of rayJobDeploymentStatuses.filter((x) => x !== '')) {
      const mine = table.filter((r) => r.first.startsWith(`| \`${s}\``));
      expect(mine.length, s).toBeGreaterThan(0);
      const phase = getRayTaskPhase({ now: 0, config: defaultPlatformConfig }, ray(s)).phase;
      expect(
        mine.some((r) => r.phase.includes(phase)),
        `${s} → ${phase}`,
      ).toBe(true);
    }
  });

  it('dask.md has a row for every jobStatus, with the phase the plugin gives', () => {
    const table = rows('docs/plugins/dask.md');
    for (const s of daskJobStatuses.filter((x) => x !== '')) {
      const mine = table.filter((r) => r.first.startsWith(`| \`${s}\``));
      expect(mine.length, s).toBeGreaterThan(0);
      const phase = getDaskTaskPhase({ now: 0, config: defaultPlatformConfig }, dask(s)).phase;
      expect(
        mine.some((r) => r.phase.includes(phase)),
        `${s} → ${phase}`,
      ).toBe(true);
    }
  });
});
