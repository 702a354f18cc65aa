// Label and field selectors in the API server's string syntax: parsing (with its error messages) and matching.
import * as E from 'fp-ts/lib/Either.js';
import { labelValueError, qualifiedNameError } from '../../domain/names.js';

// -------------------------------------------------------------------------------------
// label selectors
// -------------------------------------------------------------------------------------

export type LabelOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** One requirement of a label selector: `tier in (web,api)`. */
export interface LabelRequirement {
  readonly key: string;
  readonly op: LabelOperator;
  readonly values: ReadonlyArray<string>;
}

/** A parsed label selector: every requirement must hold. The empty selector selects everything. */
export type LabelSelector = ReadonlyArray<LabelRequirement>;

type Token =
  | { readonly t: 'id'; readonly v: string }
  | { readonly t: 'op'; readonly v: '=' | '==' | '!=' | '!' | '>' | '<' | '(' | ')' | ',' }
  | { readonly t: 'end' };

const isIdChar = (c: string): boolean => /[A-Za-z0-9._/-]/.test(c);

const tokenize = (s: string): E.Either<string, ReadonlyArray<Token>> => {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s.charAt(i);
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
    } else if (c === '=' || c === '!') {
      const two = s.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        out.push({ t: 'op', v: two });
        i += 2;
      } else {
        out.push({ t: 'op', v: c });
        i++;
      }
    } else if (c === '>' || c === '<' || c === '(' || c === ')' || c === ',') {
      out.push({ t: 'op', v: c });
      i++;
    } else if (isIdChar(c)) {
      let j = i;
      while (j < s.length && isIdChar(s.charAt(j))) j++;
      out.push({ t: 'id', v: s.slice(i, j) });
      i = j;
    } else {
      return E.left(`unable to parse requirement: found '${c}', expected: identifier or operator`);
    }
  }
  out.push({ t: 'end' });
  return E.right(out);
};

const validateKey = (key: string): string | undefined => {
  const err = qualifiedNameError(key);
  return err === undefined ? undefined : `unable to parse requirement: key: Invalid value: "${key}": ${err}`;
};

const validateValue = (value: string): string | undefined => {
  const err = labelValueError(value);
  return err === undefined
    ? undefined
    : `unable to parse requirement: values[0]: Invalid value: "${value}": ${err}`;
};

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h,n>3`; the Left is the API server's BadRequest message. */
export const parseLabelSelector = (s: string): E.Either<string, LabelSelector> => {
  const tokens = tokenize(s);
  if (E.isLeft(tokens)) return tokens;
  const ts = tokens.right;
  let p = 0;
  const peek = (): Token => ts[p] ?? { t: 'end' };
  const reqs: LabelRequirement[] = [];
  if (peek().t === 'end') return E.right([]);
  for (;;) {
    let tok = peek();
    let negated = false;
    if (tok.t === 'op' && tok.v === '!') {
      negated = true;
      p++;
      tok = peek();
    }
    if (tok.t !== 'id')
      return E.left(`unable to parse requirement: found '${showToken(tok)}', expected: identifier`);
    const key = tok.v;
    const keyErr = validateKey(key);
    if (keyErr !== undefined) return E.left(keyErr);
    p++;
    const next = peek();
    if (negated) {
      reqs.push({ key, op: '!', values: [] });
    } else if (next.t === 'end' || (next.t === 'op' && next.v === ',')) {
      reqs.push({ key, op: 'exists', values: [] });
    } else if (next.t === 'op' && (next.v === '=' || next.v === '==' || next.v === '!=')) {
      p++;
      const v = peek();
      let value = '';
      if (v.t === 'id') {
        value = v.v;
        p++;
      } else if (!(v.t === 'end' || (v.t === 'op' && v.v === ','))) {
        return E.left(`unable to parse requirement: found '${showToken(v)}', expected: identifier`);
      }
      const valueErr = validateValue(value);
      if (valueErr !== undefined) return E.left(valueErr);
      reqs.push({ key, op: next.v === '!=' ? '!=' : '=', values: [value] });
    } else if (next.t === 'op' && (next.v === '>' || next.v === '<')) {
      p++;
      const v = peek();
      if (v.t !== 'id' || !/^-?\d+$/.test(v.v)) {
        return E.left(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
      }
      p++;
      reqs.push({ key, op: next.v === '>' ? 'gt' : 'lt', values: [v.v] });
    } else if (next.t === 'id' && (next.v === 'in' || next.v === 'notin')) {
      p++;
      const open = peek();
      if (!(open.t === 'op' && open.v === '(')) {
        return E.left(`unable to parse requirement: found '${showToken(open)}', expected: '('`);
      }
      p++;
      const values: string[] = [];
      for (;;) {
        const v = peek();
        if (v.t === 'id') {
          const valueErr = validateValue(v.v);
          if (valueErr !== undefined) return E.left(valueErr);
          values.push(v.v);
          p++;
        } else if (v.t === 'op' && (v.v === ',' || v.v === ')')) {
          // An empty value between commas is the empty string, which label values allow.
          values.push('');
        } else {
          return E.left(
            `unable to parse requirement: found '${showToken(v)}', expected: ',', ')' or identifier`,
          );
        }
        const sep = peek();
        if (sep.t === 'op' && sep.v === ',') {
          p++;
          continue;
        }
        if (sep.t === 'op' && sep.v === ')') {
          p++;
          break;
        }
        return E.left(`unable to parse requirement: found '${showToken(sep)}', expected: ',' or ')'`);
      }
      reqs.push({ key, op: next.v, values: [...new Set(values)] });
    } else {
      return E.left(
        `unable to parse requirement: found '${showToken(next)}', expected: in, notin, =, ==, !=, gt, lt`,
      );
    }
    const sep = peek();
    if (sep.t === 'end') break;
    if (sep.t === 'op' && sep.v === ',') {
      p++;
      continue;
    }
    return E.left(`unable to parse requirement: found '${showToken(sep)}', expected: ','`);
  }
  return E.right(reqs);
};

const showToken = (t: Token): string => (t.t === 'end' ? '' : t.v);

/** Whether labels satisfy every requirement (apimachinery semantics: `!=` and `notin` match a missing key). */
export const matchesLabels = (
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean => {
  for (const r of selector) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels[r.key] : undefined;
    switch (r.op) {
      case '=':
        if (v !== r.values[0]) return false;
        break;
      case '!=':
        if (has && v === r.values[0]) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case 'gt':
      case 'lt': {
        if (v === undefined || !/^-?\d+$/.test(v)) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        if (r.op === 'gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
};

// -------------------------------------------------------------------------------------
// field selectors
// -------------------------------------------------------------------------------------

/** One field requirement: `status.phase!=Running`. */
export interface FieldRequirement {
  readonly field: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

export type FieldSelector = ReadonlyArray<FieldRequirement>;

// Splits on unescaped commas; the API server escapes '\', ',' and '=' in values with a backslash.
const splitUnescaped = (s: string, sep: string): string[] => {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s.charAt(i + 1);
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
};

const unescape = (s: string): E.Either<string, string> => {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === '\\') {
      const n = s.charAt(i + 1);
      if (n !== '\\' && n !== ',' && n !== '=')
        return E.left(`invalid field selector: invalid escape sequence: \\${n}`);
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      return E.left(`invalid field selector: unescaped ${c} in value`);
    } else out += c;
  }
  return E.right(out);
};

/**
 * Parses `a=b,c!=d` (also `==`). Checks syntax only; `supported` then decides which fields the kind allows, and
 * `unsupported` words the refusal (built-in kinds: `field label not supported: x`).
 */
export const parseFieldSelector = (
  s: string,
  supported: (field: string) => boolean,
  unsupported: (field: string) => string = (field) => `field label not supported: ${field}`,
): E.Either<string, FieldSelector> => {
  if (s.trim() === '') return E.right([]);
  const reqs: FieldRequirement[] = [];
  for (const part of splitUnescaped(s, ',')) {
    const m = /^([^=!]+?)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (m === null) return E.left(`invalid selector: '${s}'; can't understand '${part}'`);
    const field = (m[1] ?? '').trim();
    const op = m[2] === '!=' ? '!=' : '=';
    const value = unescape(m[3] ?? '');
    if (E.isLeft(value)) return value;
    if (!supported(field)) return E.left(unsupported(field));
    reqs.push({ field, op, value: value.right });
  }
  return E.right(reqs);
};

/** Whether an object's field values satisfy every requirement; a missing field reads as "". */
export const matchesFields = (selector: FieldSelector, valueOf: (field: string) => string): boolean =>
  selector.every((r) => (valueOf(r.field) === r.value) === (r.op === '='));
