// The dask plugin: runs a dask task as a dask-kubernetes DaskJob (job runner, scheduler, workers) and maps its status.
import { defaultPluginProperties, type Plugin } from '../../domain/plugin.js';
import { POD_KIND } from '../crd/index.js';
import {
  buildIdentityResource,
  buildResource,
  DASK_API_VERSION,
  DASK_JOB_KIND,
  DASK_NAME_MAX_LENGTH,
} from './build.js';
import { daskSection } from './config.js';
import {
  daskJobCompletionTime,
  daskRelatedResources,
  explainDaskTaskPhase,
  getDaskTaskPhase,
  isDaskJobTerminal,
} from './phase.js';

/** Task type `dask`. */
export const daskPlugin: Plugin = {
  id: 'dask',
  taskTypes: ['dask'],
  watches: { apiVersion: DASK_API_VERSION, kind: DASK_JOB_KIND },
  properties: { ...defaultPluginProperties, generatedNameMaxLength: DASK_NAME_MAX_LENGTH },
  buildIdentityResource,
  buildResource,
  getTaskPhase: getDaskTaskPhase,
  explainTaskPhase: explainDaskTaskPhase,
  isTerminal: isDaskJobTerminal,
  completionTime: daskJobCompletionTime,
  customResource: { plural: 'daskjobs', statusSubresource: true },
  relatedKinds: [POD_KIND],
  relatedResources: daskRelatedResources,
  configSection: daskSection,
};
