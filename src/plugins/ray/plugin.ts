// The ray plugin: runs a ray task as a KubeRay RayJob (head and worker groups, a submitter pod) and maps its status.
import { defaultPluginProperties, type Plugin } from '../../domain/plugin.js';
import { buildIdentityResource, buildResource, RAY_API_VERSION, RAY_JOB_KIND } from './build.js';
import { raySection } from './config.js';
import {
  explainRayTaskPhase,
  getRayTaskPhase,
  isRayJobTerminal,
  rayJobCompletionTime,
  rayRelatedResources,
} from './phase.js';
import { POD_KIND } from '../crd/index.js';

/**
 * Task type `ray`. Names are capped at 47 characters as in Flyte: KubeRay derives the RayCluster, its pods and its
 * services from the RayJob's name.
 */
export const rayPlugin: Plugin = {
  id: 'ray',
  taskTypes: ['ray'],
  watches: { apiVersion: RAY_API_VERSION, kind: RAY_JOB_KIND },
  properties: { ...defaultPluginProperties, generatedNameMaxLength: 47 },
  buildIdentityResource,
  buildResource,
  getTaskPhase: getRayTaskPhase,
  explainTaskPhase: explainRayTaskPhase,
  isTerminal: isRayJobTerminal,
  completionTime: rayJobCompletionTime,
  customResource: { plural: 'rayjobs', statusSubresource: true },
  relatedKinds: [POD_KIND],
  relatedResources: rayRelatedResources,
  configSection: raySection,
};
