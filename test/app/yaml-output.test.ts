// The CLI's YAML: whatever strings it holds, a YAML 1.1 reader reads back the document that JSON shows.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readersMisread, toYaml } from '../../src/app/yaml-output.js';
import { arbYamlTrickyDocument, arbYamlTrickyString, YAML11_SPECIAL_FORMS } from '../support/yaml-strings.js';

/** The yaml package's YAML 1.1 reader, merge keys included (as PyYAML and go-yaml read `<<`). */
const read11 = (text: string): unknown => parse(text, { version: '1.1' });
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('toYaml', () => {
  it.each(YAML11_SPECIAL_FORMS.map((s) => [s]))(
    'keeps %j a string for YAML 1.1, as key and as value',
    (s) => {
      const doc = { value: s, list: [s], [s]: 'key' };
      expect(read11(toYaml(doc))).toEqual(doc);
      expect(parse(toYaml(doc))).toEqual(doc);
    },
  );

  it("writes a 1.1-only boolean the yaml package's default output leaves plain", () => {
    // The old output: YAML 1.2, where `yes` is a string, so nothing quoted it.
    expect(stringify({ value: 'yes' })).toBe('value: yes\n');
    expect(toYaml({ value: 'yes', on: 'off' })).toBe('value: "yes"\n"on": "off"\n');
  });

  test.prop([arbYamlTrickyDocument])('a YAML 1.1 and a YAML 1.2 reader both read back the JSON', (doc) => {
    const text = toYaml(doc);
    expect(read11(text)).toEqual(asJson(doc));
    expect(parse(text)).toEqual(asJson(doc));
  });

  test.prop([
    fc.array(fc.oneof(arbYamlTrickyString, fc.stringMatching(/^[a-z][a-z-]{0,8}$/u)), { maxLength: 20 }),
  ])('leaves words plain', (xs) => {
    // Plain stays plain where no reader could misread it: the output is still the YAML people write.
    for (const s of xs) {
      const line = toYaml({ k: s });
      if (/^[a-z][a-z-]*$/u.test(s) && !YAML11_SPECIAL_FORMS.includes(s)) expect(line).toBe(`k: ${s}\n`);
    }
  });

  it.each([
    ['0O17', true],
    ['0X1F', true],
    ['0B101', true],
    ['1_', true],
    ['+_1', true],
    ['1e1_0', true],
    ['=', true],
    ['_1', false],
    ['0xg', false],
    ['1-2', false],
    ['.e3', false],
    ['image:v1', false],
  ])("readersMisread(%j) is %s: go-yaml v2's numbers and PyYAML's value key", (s, expected) => {
    expect(readersMisread(s)).toBe(expected);
  });

  it('writes no anchors for shared values and folds no long lines', () => {
    const shared = { name: 'x' };
    const long = 'a '.repeat(100).trim();
    const text = toYaml({ a: shared, b: shared, long });
    expect(text).not.toMatch(/[&*]/u);
    expect(text).toContain(`long: ${long}\n`);
  });
});
