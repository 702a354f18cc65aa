// The ray plugin's pure base64 decoder (the deprecated runtime_env field is base64 JSON).
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeBase64Utf8 } from '../../../src/plugins/ray/base64.js';

describe('base64', () => {
  const encode = (s: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

  test.prop([fc.string({ unit: 'grapheme', maxLength: 40 })])(
    'decodes what was encoded, UTF-8 included',
    (s) => {
      expect(decodeBase64Utf8(encode(s))).toBe(s);
    },
  );

  test.prop([fc.string({ maxLength: 40 })])('decodes the URL-safe alphabet without padding too', (s) => {
    const url = encode(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(decodeBase64Utf8(url)).toBe(s);
  });

  it('refuses what is not base64 or not UTF-8', () => {
    expect(decodeBase64Utf8('%%%')).toBeUndefined();
    expect(decodeBase64Utf8('A')).toBeUndefined();
    expect(decodeBase64Utf8(btoa('\xff\xfe'))).toBeUndefined();
  });
});
