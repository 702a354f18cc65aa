// task-format.md names every task type of the shipped plugins and links every plugin page under docs/plugins/.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInPlugins } from '../../src/plugins/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const doc = readFileSync(join(ROOT, 'docs', 'task-format.md'), 'utf8');
const start = doc.indexOf('## Task types and their `custom` payloads');
const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
/** The table's rows: first cell (task types) and the whole line. */
const rows = section
  .split('\n')
  .filter((l) => l.startsWith('| `'))
  .map((l) => ({
    types: [...(l.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ''),
    line: l,
  }));

describe('docs/task-format.md: task types', () => {
  it('has the section the custom row links to', () => {
    expect(doc).toContain('](#task-types-and-their-custom-payloads)');
    expect(rows.length).toBeGreaterThan(0);
  });

  it.each(builtInPlugins.flatMap((p) => p.taskTypes.map((tt) => [tt, p.id] as const)))(
    'names task type %s with its plugin %s',
    (taskType, pluginId) => {
      const row = rows.find((r) => r.types.includes(taskType));
      expect(row?.line, `no row names \`${taskType}\``).toBeDefined();
      expect(row?.line.split('|')[2]?.trim()).toBe(`\`${pluginId}\``);
    },
  );

  it('names no task type that no shipped plugin serves', () => {
    const known = new Set(builtInPlugins.flatMap((p) => p.taskTypes));
    expect(rows.flatMap((r) => r.types).filter((t) => !known.has(t))).toEqual([]);
  });

  it.each(readdirSync(join(ROOT, 'docs', 'plugins')).filter((f) => f.endsWith('.md')))(
    'links plugins/%s',
    (page) => {
      expect(section).toContain(`](plugins/${page})`);
    },
  );
});
