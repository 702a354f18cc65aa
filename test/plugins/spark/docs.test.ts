// The Spark docs cannot drift: docs/plugins/spark.md embeds the rendered status table; compatibility.md has a section.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSparkPhaseTable, sparkPhaseRows } from '../../../src/plugins/spark/phase.js';
import { APPLICATION_STATES, LEGACY_APPLICATION_STATES } from '../../../src/plugins/spark/status.js';

const DOC = 'docs/plugins/spark.md';
const BEGIN = '<!-- BEGIN GENERATED: spark status table (test/plugins/spark/docs.test.ts) -->';
const END = '<!-- END GENERATED: spark status table -->';

/** A markdown table without alignment padding, so prettier realigning columns does not count as drift. */
const normalize = (table: string): string =>
  table
    .trim()
    .split('\n')
    .map((l) =>
      l
        .split(/(?<!\\)\|/u)
        .map((c) => (/^\s*:?-+:?\s*$/u.test(c) ? '---' : c.trim()))
        .join('|'),
    )
    .join('\n');

describe('docs', () => {
  const text = readFileSync(DOC, 'utf8');

  it('docs/plugins/spark.md embeds the status table as the code renders it', () => {
    const i = text.indexOf(BEGIN);
    const j = text.indexOf(END);
    expect(i).toBeGreaterThan(0);
    expect(normalize(text.slice(i + BEGIN.length, j))).toBe(normalize(renderSparkPhaseTable()));
  });

  it('the table has a row for every application state of the operator, and for the legacy ones', () => {
    const rendered = renderSparkPhaseTable();
    for (const state of [...APPLICATION_STATES, ...LEGACY_APPLICATION_STATES]) {
      if (state !== '') expect(rendered).toContain(`\`${state}\``);
    }
    expect(Object.keys(sparkPhaseRows)).toContain('unrecognised');
  });

  it('docs/compatibility.md has a Spark section', () => {
    expect(readFileSync('docs/compatibility.md', 'utf8')).toMatch(/^## Spark$/mu);
  });
});
