// The dask task's payload (task.custom): Flyte's DaskJob message (scheduler, workers), decoded with protobuf-JSON names.
import * as t from 'io-ts';
import { message, ProtoResources, UInt32 } from '../crd/index.js';

export const DaskScheduler = message('DaskScheduler', { image: t.string, resources: ProtoResources });
export type DaskScheduler = t.TypeOf<typeof DaskScheduler>;

export const DaskWorkerGroup = message('DaskWorkerGroup', {
  numberOfWorkers: UInt32,
  image: t.string,
  resources: ProtoResources,
});
export type DaskWorkerGroup = t.TypeOf<typeof DaskWorkerGroup>;

export const DaskJobPayload = message('DaskJob', { scheduler: DaskScheduler, workers: DaskWorkerGroup });
export type DaskJobPayload = t.TypeOf<typeof DaskJobPayload>;
