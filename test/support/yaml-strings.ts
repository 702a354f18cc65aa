// Strings YAML readers disagree about, and documents made of them: for the tests of the CLI's YAML output.
import fc from 'fast-check';

/**
 * Plain scalars that a YAML 1.1 reader (PyYAML, go-yaml v2 under kubectl) reads as something other than the
 * string: booleans, nulls, numbers in every base and with `_`, sexagesimals, special floats, dates, merge and
 * value keys, and go-yaml's extras (Go's ParseInt base prefixes in upper case, `_` anywhere).
 */
export const YAML11_SPECIAL_FORMS: ReadonlyArray<string> = [
  ...['y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF'],
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', '~', ''],
  ...[
    '=',
    '<<',
    '1_000',
    '1_',
    '+_1',
    '-1_000.5',
    '1e1_0',
    '1e3',
    '1E+3',
    '.5',
    '+.5',
    '1.',
    '08',
    '-0',
    '+1',
  ],
  ...['12:30', '-1:30:00', '190:20:30.15', '0o17', '0O17', '017', '0x1F', '0X1F', '+0x_1f', '0b101', '0B101'],
  ...['.inf', '-.Inf', '+.INF', '.nan', '.NaN', '.NAN', '18446744073709551616', '9223372036854775808'],
  // YAML 1.1 readers (go-yaml under kubectl) take the line and paragraph separators for line breaks.
  ...['a\u2028b', 'c\u2029'],
  ...[
    '2026-12-01',
    '2026-1-1',
    '2026-12-01T10:00:00Z',
    '2001-12-14 21:59:43.10 -5',
    '2001-12-14t21:59:43.10-05:00',
  ],
];

/** Strings near the special forms: digits, signs, separators and the letters of bases, exponents and booleans. */
export const arbNumberishString: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom(...Array.from('0123456789_.:+-eEoOxXbBfFyYnN~= T')),
  minLength: 1,
  maxLength: 9,
});

/** A string a YAML writer may get wrong: a special form, a near miss, or any text. */
export const arbYamlTrickyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...YAML11_SPECIAL_FORMS) },
  { weight: 3, arbitrary: arbNumberishString },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
);

/** A JSON document whose keys and string values are tricky strings, nested two levels. */
export const arbYamlTrickyDocument: fc.Arbitrary<Readonly<Record<string, unknown>>> = fc.dictionary(
  arbYamlTrickyString,
  fc.oneof(
    arbYamlTrickyString,
    fc.array(arbYamlTrickyString, { maxLength: 4 }),
    fc.dictionary(arbYamlTrickyString, arbYamlTrickyString, { maxKeys: 4 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  ),
  { maxKeys: 8 },
);
