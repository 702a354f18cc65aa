// The Spark task payload (task.custom, Flyte's SparkJob message), decoded like protobuf JSON: camel or proto names.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  decode,
  isPlainObject,
  JsonObject,
  StringMap,
  struct,
  type PathSegment,
} from '../../domain/codec.js';
import { badTaskSpecification, type BuildError } from '../../domain/plugin.js';
import { ObjectMetadata } from '../../domain/task.js';
import { issueToBuildError } from '../pod/build/spec-check.js';

export type ApplicationType = 'Python' | 'Java' | 'Scala' | 'R';

const TYPE_NAMES: ReadonlyArray<readonly [string, number, ApplicationType]> = [
  ['PYTHON', 0, 'Python'],
  ['JAVA', 1, 'Java'],
  ['SCALA', 2, 'Scala'],
  ['R', 3, 'R'],
];

/** Flyte's SparkJob.applicationType enum: its name or its number, as protobuf JSON accepts. */
export const ApplicationTypeC = new t.Type<ApplicationType, string, unknown>(
  'SparkApplicationType',
  (u): u is ApplicationType => TYPE_NAMES.some(([, , v]) => v === u),
  (u, c) => {
    const hit = TYPE_NAMES.find(([name, n]) => u === name || u === n);
    return hit === undefined
      ? t.failure(u, c, 'one of "PYTHON", "JAVA", "SCALA", "R" (or 0 to 3)')
      : t.success(hit[2]);
  },
  (a) => TYPE_NAMES.find(([, , v]) => v === a)?.[0] ?? 'PYTHON',
);

/** `{a_b: x}` as well as `{aB: x}`: protobuf JSON accepts both names of every field. */
const protoName = (camel: string): string => camel.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);

/** A strict struct of optional fields, each accepted under its lowerCamel and its proto name. */
const protoStruct = (name: string, props: t.Props) => {
  const all: t.Props = {};
  for (const [k, c] of Object.entries(props)) {
    all[k] = c;
    all[protoName(k)] = c;
  }
  return struct(name, {}, all);
};

const K8sPodFields = {
  metadata: ObjectMetadata,
  podSpec: JsonObject,
  primaryContainerName: t.string,
  dataConfig: JsonObject,
};

const SparkJobFields = {
  applicationType: ApplicationTypeC,
  mainApplicationFile: t.string,
  mainClass: t.string,
  sparkConf: StringMap,
  hadoopConf: StringMap,
  executorPath: t.string,
  databricksConf: JsonObject,
  databricksToken: t.string,
  databricksInstance: t.string,
  driverPod: protoStruct('K8sPod', K8sPodFields),
  executorPod: protoStruct('K8sPod', K8sPodFields),
};

const SparkJobC = protoStruct('SparkJob', SparkJobFields);

/** A role's pod as the payload gives it (Flyte's K8sPod); `at` is where its pod spec is written. */
export interface RolePod {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly podSpec?: Readonly<Record<string, unknown>>;
  readonly podSpecAt: ReadonlyArray<PathSegment>;
  readonly primaryContainerName?: string;
  readonly primaryContainerNameAt: ReadonlyArray<PathSegment>;
}

/** The decoded payload, with every field under its lowerCamel name and Flyte's defaults. */
export interface SparkJob {
  readonly applicationType: ApplicationType;
  readonly mainApplicationFile: string;
  readonly mainClass: string;
  readonly sparkConf: Readonly<Record<string, string>>;
  readonly hadoopConf: Readonly<Record<string, string>>;
  readonly executorPath: string;
  readonly driverPod?: RolePod;
  readonly executorPod?: RolePod;
}

const AT: ReadonlyArray<PathSegment> = ['task', 'custom'];

type Fields = Readonly<Record<string, unknown>>;

/** The value of a field under either name; both at once is an error, as in Go's protojson. */
const field = (
  o: Fields,
  camel: string,
  at: ReadonlyArray<PathSegment>,
): E.Either<BuildError, { readonly value: unknown; readonly key: string }> => {
  const proto = protoName(camel);
  const a = o[camel];
  const b = proto === camel ? undefined : o[proto];
  if (a !== undefined && b !== undefined) {
    return E.left(badTaskSpecification(`${camel} is given twice, also as ${proto}`, [...at, proto]));
  }
  return E.right(b !== undefined ? { value: b, key: proto } : { value: a, key: camel });
};

const rolePod = (
  o: Fields,
  camel: 'driverPod' | 'executorPod',
): E.Either<BuildError, RolePod | undefined> => {
  const f = field(o, camel, AT);
  if (E.isLeft(f)) return f;
  const { value, key } = f.right;
  if (!isPlainObject(value)) return E.right(undefined);
  const at = [...AT, key];
  const spec = field(value, 'podSpec', at);
  if (E.isLeft(spec)) return spec;
  const primary = field(value, 'primaryContainerName', at);
  if (E.isLeft(primary)) return primary;
  const meta = (value['metadata'] ?? {}) as {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  const podSpec = spec.right.value as Readonly<Record<string, unknown>> | undefined;
  const name = primary.right.value as string | undefined;
  return E.right({
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    ...(podSpec === undefined ? {} : { podSpec }),
    podSpecAt: [...at, spec.right.key],
    ...(name === undefined || name === '' ? {} : { primaryContainerName: name }),
    primaryContainerNameAt: [...at, primary.right.key],
  });
};

/**
 * Decodes task.custom into a SparkJob. Unknown fields, wrong types and a field given under both names are
 * BadTaskSpecification errors naming the path in the task file; the Databricks fields are accepted and ignored
 * (they belong to the Databricks connector). A missing payload is an empty job (validated by the caller).
 */
export const decodeSparkJob = (custom: unknown): E.Either<BuildError, SparkJob> => {
  const r = decode(SparkJobC)(custom ?? {});
  if (E.isLeft(r)) return E.left(issueToBuildError(r.left, AT));
  const o: Fields = r.right;
  const get = (camel: string): E.Either<BuildError, unknown> =>
    E.map((f: { value: unknown }) => f.value)(field(o, camel, AT));
  const out: Record<string, unknown> = {};
  for (const k of [
    'applicationType',
    'mainApplicationFile',
    'mainClass',
    'sparkConf',
    'hadoopConf',
    'executorPath',
  ]) {
    const v = get(k);
    if (E.isLeft(v)) return v;
    out[k] = v.right;
  }
  for (const k of ['databricksConf', 'databricksToken', 'databricksInstance']) {
    const v = get(k);
    if (E.isLeft(v)) return v;
  }
  const driverPod = rolePod(o, 'driverPod');
  if (E.isLeft(driverPod)) return driverPod;
  const executorPod = rolePod(o, 'executorPod');
  if (E.isLeft(executorPod)) return executorPod;
  return E.right({
    applicationType: (out['applicationType'] as ApplicationType | undefined) ?? 'Python',
    mainApplicationFile: (out['mainApplicationFile'] as string | undefined) ?? '',
    mainClass: (out['mainClass'] as string | undefined) ?? '',
    sparkConf: (out['sparkConf'] as Record<string, string> | undefined) ?? {},
    hadoopConf: (out['hadoopConf'] as Record<string, string> | undefined) ?? {},
    executorPath: (out['executorPath'] as string | undefined) ?? '',
    ...(driverPod.right === undefined ? {} : { driverPod: driverPod.right }),
    ...(executorPod.right === undefined ? {} : { executorPod: executorPod.right }),
  });
};
