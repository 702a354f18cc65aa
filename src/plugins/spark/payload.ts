// The Spark task payload (task.custom, Flyte's SparkJob message), decoded like protobuf JSON: camel or proto names.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { JsonObject, StringMap, type PathSegment } from '../../domain/codec.js';
import type { BuildError } from '../../domain/plugin.js';
import { ObjectMetadata } from '../../domain/task.js';
import { decodePayload, message, writtenPath } from '../crd/index.js';

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

const K8sPodC = message('K8sPod', {
  metadata: ObjectMetadata,
  podSpec: JsonObject,
  primaryContainerName: t.string,
  dataConfig: JsonObject,
});
type K8sPod = t.TypeOf<typeof K8sPodC>;

/** Flyte's SparkJob message; the Databricks fields are accepted and ignored (they belong to the Databricks connector). */
const SparkJobC = message('SparkJob', {
  applicationType: ApplicationTypeC,
  mainApplicationFile: t.string,
  mainClass: t.string,
  sparkConf: StringMap,
  hadoopConf: StringMap,
  executorPath: t.string,
  databricksConf: JsonObject,
  databricksToken: t.string,
  databricksInstance: t.string,
  driverPod: K8sPodC,
  executorPod: K8sPodC,
});

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

const rolePod = (
  custom: unknown,
  role: 'driverPod' | 'executorPod',
  pod: K8sPod | undefined,
): RolePod | undefined => {
  if (pod === undefined) return undefined;
  const name = pod.primaryContainerName;
  return {
    labels: pod.metadata?.labels ?? {},
    annotations: pod.metadata?.annotations ?? {},
    ...(pod.podSpec === undefined ? {} : { podSpec: pod.podSpec }),
    podSpecAt: writtenPath(custom, [role, 'podSpec']),
    ...(name === undefined || name === '' ? {} : { primaryContainerName: name }),
    primaryContainerNameAt: writtenPath(custom, [role, 'primaryContainerName']),
  };
};

/**
 * Decodes task.custom into a SparkJob. Unknown fields, wrong types and a field given under both names are
 * BadTaskSpecification errors naming the path in the task file. A missing payload is an empty job (validated by the
 * caller).
 */
export const decodeSparkJob = (custom: unknown): E.Either<BuildError, SparkJob> =>
  pipe(
    decodePayload(SparkJobC)(custom),
    E.map((j) => {
      const driverPod = rolePod(custom, 'driverPod', j.driverPod);
      const executorPod = rolePod(custom, 'executorPod', j.executorPod);
      return {
        applicationType: j.applicationType ?? 'Python',
        mainApplicationFile: j.mainApplicationFile ?? '',
        mainClass: j.mainClass ?? '',
        sparkConf: j.sparkConf ?? {},
        hadoopConf: j.hadoopConf ?? {},
        executorPath: j.executorPath ?? '',
        ...(driverPod === undefined ? {} : { driverPod }),
        ...(executorPod === undefined ? {} : { executorPod }),
      };
    }),
  );
