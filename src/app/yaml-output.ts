// The YAML the CLI writes: YAML 1.2 that YAML 1.1 readers (kubectl's sigs.k8s.io/yaml, PyYAML) read the same way.
import { Document, isScalar, Scalar, visit } from 'yaml';

/**
 * What go-yaml v2 (under kubectl) takes for a number beyond the YAML 1.1 spec: it drops every `_` and hands the
 * rest to Go's ParseInt with base 0 (so `0O17`, `0X1F`, `0B1`, `1_` and `+_1` are numbers) or to a float pattern
 * (`1e1_0`), whenever the scalar starts with a digit or a sign. The spec's own forms are the yaml package's.
 */
const GO_NUMBER =
  /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/u;

/**
 * Whether a plain string would be read as something else by a YAML 1.1 reader but not by the yaml package's
 * YAML 1.1 schema: go-yaml's numbers above, PyYAML's `=` (the 1.1 value type, which safe_load refuses), and the
 * line and paragraph separators, which 1.1 readers take for line breaks.
 */
export const readersMisread = (s: string): boolean =>
  s === '=' ||
  // YAML 1.1 counts the line and paragraph separators as line breaks (go-yaml v2 does; YAML 1.2 does not).
  /[\u2028\u2029]/u.test(s) ||
  (/^[-+0-9]/u.test(s) && GO_NUMBER.test(s.replaceAll('_', '')));

/**
 * A value as YAML, quoting every string a YAML 1.1 reader would take for a boolean, number, null, date or merge
 * key (`yes`, `on`, `n`, `0o17`, `017`, `1_000`, `12:30`, `.inf`, `~`, `2026-12-01`, `<<`), as map keys too, so
 * `kubetasks render TASK | kubectl apply -f -` creates exactly what `-o json` shows. The yaml package's `compat`
 * schema does the spec's forms; readersMisread adds what real readers resolve beyond it. No line folding, no
 * anchors: the caller passes plain data.
 */
export const toYaml = (value: unknown): string => {
  const doc = new Document(value, { compat: 'yaml-1.1', aliasDuplicateObjects: false });
  visit(doc, {
    Scalar: (_key, node) => {
      if (isScalar(node) && typeof node.value === 'string' && readersMisread(node.value)) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  // Every string holding a separator is double-quoted above, where the escape reads back as the character; the
  // yaml package writes it raw, which a 1.1 reader would fold into a space.
  return doc.toString({ lineWidth: 0 }).replace(/[\u2028\u2029]/gu, (c) => (c === '\u2028' ? '\\L' : '\\P'));
};
