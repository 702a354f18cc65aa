// The operators' real CRDs for the CRD suite: read from the directory KUBETASKS_CRD_DIR names, checked with src's validator.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { checkObject, crdCatalog, renderViolation } from '../../src/app/crd-validation.js';

/** The variable naming the directory of real CRD files (CI: ../shared/crds beside the clone). */
export const CRD_DIR_VARIABLE = 'KUBETASKS_CRD_DIR';

/** The CRD files the suite needs, as `kubectl get crd NAME -o yaml` or the operators' releases name them. */
export const EXPECTED_CRDS = {
  SparkApplication: 'sparkoperator.k8s.io_sparkapplications.yaml',
  PyTorchJob: 'kubeflow.org_pytorchjobs.yaml',
  TFJob: 'kubeflow.org_tfjobs.yaml',
  MPIJob: 'kubeflow.org_mpijobs.yaml',
  RayJob: 'ray.io_rayjobs.yaml',
  DaskJob: 'kubernetes.dask.org_daskjobs.yaml',
} as const;

/** The directory, or an error that says how to run the suite; never a silent skip. */
export const crdDir = (): string => {
  const dir = process.env[CRD_DIR_VARIABLE];
  if (dir === undefined || dir === '') {
    throw new Error(
      `${CRD_DIR_VARIABLE} is not set: point it at a directory of the operators' CRD files, e.g. ` +
        `${CRD_DIR_VARIABLE}="$(pwd)/../shared/crds" npm run test:crds (files: ${Object.values(EXPECTED_CRDS).join(', ')})`,
    );
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`${CRD_DIR_VARIABLE}=${dir}: no such directory`);
  }
  return dir;
};

/** Reads one CRD file of the directory, or fails naming the missing file. */
export const crdFile = (file: string): { readonly file: string; readonly text: string } => {
  const path = join(crdDir(), file);
  if (!existsSync(path)) throw new Error(`${CRD_DIR_VARIABLE}: ${path} is missing`);
  return { file: path, text: readFileSync(path, 'utf8') };
};

/** A validator for one kind: the API server-like error lines (empty when the object is accepted). */
export type CrdValidator = (object: unknown) => ReadonlyArray<string>;

/**
 * The validator of `kind` at `version`, from its CRD file: an object of another kind or version is an error too, so
 * a test cannot pass by checking the wrong CRD. Built on first use, so an unset variable fails each test that needs it.
 */
export const crdValidator = (kind: keyof typeof EXPECTED_CRDS, version: string): CrdValidator => {
  let check: ReturnType<typeof checkObject> | undefined;
  return (object) => {
    if (check === undefined) {
      const catalog = crdCatalog([crdFile(EXPECTED_CRDS[kind])]);
      if (E.isLeft(catalog)) throw new Error(catalog.left.map((e) => `${e.file}: ${e.message}`).join('\n'));
      check = checkObject(catalog.right);
    }
    const r = check(object);
    if (r._tag === 'BuiltIn') return [`${r.apiVersion} ${r.kind} is not a custom resource`];
    if (r._tag === 'Invalid') return r.violations.map(renderViolation(r));
    return r.version === version ? [] : [`checked against version ${r.version}, expected ${version}`];
  };
};

/**
 * Every `*.yaml` CRD file of the directory, sorted, as paths: what the real-cluster suite installs into its API server.
 * Throws (failing the file that asks) when the variable is unset or the directory or an expected file is missing.
 */
export const crdFilePaths = (): ReadonlyArray<string> => {
  const dir = crdDir();
  for (const f of Object.values(EXPECTED_CRDS)) crdFile(f);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
};
