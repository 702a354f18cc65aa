// The CRD suite's input: KUBETASKS_CRD_DIR names a directory holding every CRD file the suite checks against.
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { crdCatalog } from '../../src/app/crd-validation.js';
import { crdDir, crdFile, EXPECTED_CRDS } from './crd-dir.js';

describe('KUBETASKS_CRD_DIR', () => {
  it('names a directory', () => {
    expect(crdDir()).not.toBe('');
  });

  it.each(Object.entries(EXPECTED_CRDS))('holds the CRD of %s (%s)', (kind, file) => {
    const catalog = crdCatalog([crdFile(file)]);
    expect(E.isRight(catalog) && [...catalog.right.kinds.values()].map((k) => k.kind)).toEqual([kind]);
  });
});
