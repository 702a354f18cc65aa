// The docs cannot drift: docs/phase-mapping.md embeds the rendered decision table, the compat doc every difference.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { differenceIds, differences } from '../../../../src/plugins/pod/phase/differences.js';
import { phaseTable, renderPhaseTable } from '../../../../src/plugins/pod/phase/table.js';

const MAPPING = 'docs/phase-mapping.md';
const COMPAT = 'docs/compatibility.md';
const BEGIN =
  '<!-- BEGIN GENERATED: phase table (UPDATE_DOCS=1 npx vitest run test/plugins/pod/phase/docs.test.ts) -->';
const END = '<!-- END GENERATED: phase table -->';

/** A markdown table without alignment padding, so an editor that realigns columns does not count as drift. */
const normalize = (table: string | undefined): string | undefined =>
  table
    ?.trim()
    .split('\n')
    .map((l) =>
      l
        .split(/(?<!\\)\|/u)
        .map((c) => (/^\s*:?-+:?\s*$/u.test(c) ? '---' : c.trim()))
        .join('|'),
    )
    .join('\n');

const between = (text: string): string | undefined => {
  const i = text.indexOf(BEGIN);
  const j = text.indexOf(END);
  return i < 0 || j < i ? undefined : text.slice(i + BEGIN.length + 1, j);
};

describe('docs/phase-mapping.md', () => {
  it('embeds exactly the rendered decision table', () => {
    const text = readFileSync(MAPPING, 'utf8');
    const rendered = renderPhaseTable();
    if (process.env['UPDATE_DOCS'] === '1' && between(text) !== rendered) {
      const i = text.indexOf(BEGIN);
      const j = text.indexOf(END);
      writeFileSync(MAPPING, `${text.slice(0, i + BEGIN.length)}\n${rendered}${text.slice(j)}`);
    }
    expect(
      normalize(between(readFileSync(MAPPING, 'utf8'))),
      'docs/phase-mapping.md is out of date: run UPDATE_DOCS=1 npx vitest run test/plugins/pod/phase/docs.test.ts',
    ).toBe(normalize(rendered));
  });

  it('renders one line per row, and every row id once', () => {
    const lines = renderPhaseTable().trimEnd().split('\n');
    expect(lines).toHaveLength(phaseTable.length + 2);
    expect(new Set(phaseTable.map((r) => r.id)).size).toBe(phaseTable.length);
    for (const { id } of phaseTable)
      expect(lines.filter((l) => l.startsWith(`| \`${id}\` |`))).toHaveLength(1);
  });
});

describe('docs/compatibility.md', () => {
  const text = readFileSync(COMPAT, 'utf8');

  it.each(differences.map((d) => [d.id, d] as const))('documents %s with its title', (id, d) => {
    expect(text).toContain(`<a id="${id}"></a>`);
    expect(text).toContain(d.title);
    expect(d.docs).toBe(`${COMPAT}#${id}`);
  });

  it('links only to differences that exist, and every difference has a unique id', () => {
    expect(new Set(differenceIds).size).toBe(differenceIds.length);
    const known = new Set<string>(differenceIds);
    for (const { row } of phaseTable) for (const d of row.differs ?? []) expect(known.has(d), d).toBe(true);
    const anchors = [...text.matchAll(/<a id="([^"]+)"><\/a>/gu)].map((m) => m[1]);
    expect(anchors.filter((a) => a !== undefined && !known.has(a))).toEqual([]);
  });
});
