// The pod plugin: runs a container (or a pod with a primary container) as a Pod, mapping its status to a phase.
import { defaultPluginProperties, type Plugin } from '../../domain/plugin.js';
import { buildIdentityResource, buildResource, podTaskTypes } from './build/index.js';
import { explainPodTaskPhase, getPodTaskPhase, isPodTerminal, podCompletionTime } from './phase/index.js';

/**
 * Flyte registers three plugins over pods (container, sidecar, pod); only `pod` is reachable without routing, so
 * kubetasks registers one. It serves container, python, raw-container and sidecar tasks and is the default.
 */
export const podPlugin: Plugin = {
  id: 'pod',
  taskTypes: podTaskTypes,
  watches: { apiVersion: 'v1', kind: 'Pod' },
  properties: defaultPluginProperties,
  isDefault: true,
  buildIdentityResource,
  buildResource,
  getTaskPhase: getPodTaskPhase,
  explainTaskPhase: explainPodTaskPhase,
  isTerminal: isPodTerminal,
  completionTime: podCompletionTime,
};
