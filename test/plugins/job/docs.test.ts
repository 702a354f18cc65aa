// docs/plugins/job.md stays in step with the code: every table row, every config key, every payload field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JobConfig } from '../../../src/plugins/job/config.js';
import { jobPhaseTable } from '../../../src/plugins/job/phase.js';

const doc = readFileSync('docs/plugins/job.md', 'utf8');

describe('docs/plugins/job.md', () => {
  it.each(jobPhaseTable.map((r) => [r.id, r] as const))('documents row %s with its phase', (id, row) => {
    const line = doc.split('\n').find((l) => l.startsWith(`| \`${id}\` |`));
    expect(line, id).toBeDefined();
    if (!row.phase.includes(' ')) expect(line).toContain(row.phase);
  });

  it.each(Object.keys(JobConfig.required))('documents config key %s', (key) => {
    expect(doc).toContain(`| \`${key}\` |`);
  });

  it.each([
    'backoffLimit',
    'backoffLimitPerIndex',
    'maxFailedIndexes',
    'podFailurePolicy',
    'activeDeadlineSeconds',
    'ttlSecondsAfterFinished',
    'completions',
    'parallelism',
    'completionMode',
    'successPolicy',
    'podReplacementPolicy',
  ])('documents payload field %s', (field) => {
    expect(doc).toContain(`| \`${field}\` |`);
  });
});
