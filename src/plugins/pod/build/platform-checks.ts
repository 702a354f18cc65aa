// Checks of what the platform configuration and the execution supply to every pod, before any pod is built.
import { renderPath } from '../../../domain/codec.js';
import type { PodSpec } from '../../../domain/kubernetes.js';
import { envVarNameError } from '../../../domain/names.js';
import type { K8sPluginConfig } from '../../../domain/platform-config.js';
import {
  badTaskSpecification,
  buildError,
  type BuildContext,
  type BuildError,
} from '../../../domain/plugin.js';
import { explicitViolations } from './security.js';

const configError = (k8s: K8sPluginConfig): BuildError | undefined => {
  for (const key of ['default-env-vars', 'default-env-vars-from-env'] as const) {
    for (const name of Object.keys(k8s[key])) {
      const why = envVarNameError(name);
      if (why !== undefined)
        return badTaskSpecification(`plugins.k8s.${key}[${JSON.stringify(name)}]: ${why}`);
    }
  }
  const profile = k8s['pod-security-standard'];
  const hostNetwork = k8s['enable-host-networking-pod'];
  const probe: PodSpec = {
    ...(hostNetwork === undefined ? {} : { hostNetwork }),
    ...(k8s['default-pod-security-context'] === undefined
      ? {}
      : { securityContext: k8s['default-pod-security-context'] }),
    containers: [
      {
        name: 'probe',
        ...(k8s['default-security-context'] === undefined
          ? {}
          : { securityContext: k8s['default-security-context'] }),
      },
    ],
  };
  const v = explicitViolations(probe, profile)[0];
  if (v === undefined) return undefined;
  const [head, ...rest] = v.path;
  const where =
    head === 'hostNetwork'
      ? 'plugins.k8s.enable-host-networking-pod'
      : head === 'securityContext'
        ? `plugins.k8s.default-pod-security-context.${renderPath(rest)}`
        : `plugins.k8s.default-security-context.${renderPath(rest.slice(2))}`;
  return buildError('PodSecurityViolation', `${where}: ${v.message}`);
};

const executionEnvError = (ctx: BuildContext): BuildError | undefined => {
  for (const name of Object.keys(ctx.task.execution.environment ?? {})) {
    const why = envVarNameError(name);
    if (why !== undefined) return badTaskSpecification(why, ['execution', 'environment', name]);
  }
  return undefined;
};

/**
 * The first problem of what the platform and the execution supply (env names that are not names, platform security
 * contexts that break the configured Pod Security Standard), named by where it is configured.
 */
export const suppliedValuesError = (ctx: BuildContext): BuildError | undefined =>
  configError(ctx.config.plugins.k8s) ?? executionEnvError(ctx);
