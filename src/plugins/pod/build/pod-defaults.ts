// Pod defaults: what a task pod is when nobody says otherwise, filled in only where the pod leaves a field unset.
import type { PodSpec } from '../../../domain/kubernetes.js';
import type { BuildContext } from '../../../domain/plugin.js';
import { serviceAccountOf } from '../../../domain/task.js';
import { setOptional } from './json.js';
import { merge } from './merge.js';

/** The built-in defaults, lowest of all: what a task pod is when nobody says otherwise. */
export const BUILT_IN = {
  restartPolicy: 'Never',
  enableServiceLinks: false,
  terminationMessagePolicy: 'FallbackToLogsOnError',
} as const;

/**
 * Pod defaults for what is still unset: restart policy Never, service links off, the service account (the task's
 * own pod spec > task runAs > execution > template > executor default), the scheduler name, the pod security
 * context and DNS config (merged under the pod's); host networking forced when the config says so. `written` is the
 * pod spec as the task wrote it, before any template, whose service account wins over everything.
 */
export const applyPodDefaults = (ctx: BuildContext, written: PodSpec, spec: PodSpec): PodSpec => {
  const k8s = ctx.config.plugins.k8s;
  const executorDefault = ctx.config.executor['default-k8s-service-account'];
  const serviceAccount =
    written.serviceAccountName ??
    serviceAccountOf(ctx.task) ??
    spec.serviceAccountName ??
    (executorDefault === '' ? undefined : executorDefault);
  const scheduler = spec.schedulerName ?? (k8s['scheduler-name'] === '' ? undefined : k8s['scheduler-name']);
  let out: PodSpec = {
    ...spec,
    restartPolicy: spec.restartPolicy ?? BUILT_IN.restartPolicy,
    enableServiceLinks: spec.enableServiceLinks ?? BUILT_IN.enableServiceLinks,
  };
  out = setOptional(out, 'serviceAccountName', serviceAccount);
  out = setOptional(out, 'schedulerName', scheduler);
  out = setOptional(out, 'securityContext', merge(k8s['default-pod-security-context'], out.securityContext));
  out = setOptional(out, 'dnsConfig', merge(k8s['default-pod-dns-config'], out.dnsConfig));
  const hostNetwork = k8s['enable-host-networking-pod'];
  return hostNetwork === undefined ? out : { ...out, hostNetwork };
};
