// Log links and the log context of a pod, rendered from the platform config's logs section for the primary container.
import type { PhaseContext } from '../../../domain/plugin.js';
import type { ContainerLogContext, LogContext, LogLinkType, TaskLog } from '../../../domain/phase-info.js';
import type { TaskExecution } from '../../../domain/task.js';
import { isPlainObject } from '../../../domain/codec.js';
import { attemptOf, generatedName } from '../../../domain/task.js';
import { formatInstant, type Instant } from '../../../domain/time.js';
import {
  asText,
  containerStatusesOf,
  creationOf,
  finishedAtOf,
  namespaceOf,
  nameOf,
  podNameOf,
  stateOf,
  terminatedIn,
  type Json,
  type PodJson,
} from './pod-json.js';
import type { ContainerStatusView, PodView } from './pod-view.js';
import { primaryContainerNameOf } from './primary.js';

// -------------------------------------------------------------------------------------
// templates
// -------------------------------------------------------------------------------------

const PLACEHOLDER = /\{\{\s*[.$]([A-Za-z0-9_]+)\s*\}\}/g;

/**
 * Renders `{{ .name }}` placeholders (case-insensitive, `.` or `$`), as Flyte's log templates do. A variable that is
 * unknown or empty is left verbatim, so a broken link shows what it lacked.
 */
export const renderLogTemplate = (template: string, vars: Readonly<Record<string, string>>): string => {
  const byLower = new Map(Object.entries(vars).map(([k, v]) => [k.toLowerCase(), v]));
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const v = byLower.get(name.toLowerCase());
    return v === undefined || v === '' ? whole : v;
  });
};

const MAX_DATE_MS = 8.64e15;
const inDateRange = (i: Instant): boolean => Number.isFinite(i) && Math.abs(i) <= MAX_DATE_MS;
const unix = (i: Instant): string => (inDateRange(i) ? String(Math.floor(i / 1000)) : '');
const rfc3339 = (i: Instant): string => (inDateRange(i) ? formatInstant(i) : '');

/** Container ids carry a runtime scheme (`containerd://…`) that log shippers strip; so do the templates. */
const bareContainerId = (id: string): string => {
  const i = id.indexOf('://');
  return i < 0 ? id : id.slice(i + 3);
};

const taskVars = (task: TaskExecution | undefined, pod: PodView): Record<string, string> => {
  if (task === undefined) return {};
  const { id } = task.task;
  const exec = task.execution;
  return {
    taskID: id.name,
    taskVersion: id.version ?? '',
    taskProject: id.project ?? '',
    taskDomain: id.domain ?? '',
    taskRetryAttempt: String(attemptOf(task)),
    nodeID: pod.name,
    executionName: exec.id.run,
    executionProject: exec.id.project ?? '',
    executionDomain: exec.id.domain ?? '',
    runName: exec.id.run,
    actionName: exec.id.action,
    generatedName: generatedName(task),
  };
};

/** The template variables for the primary container of a pod, observed at `now`. */
export const logTemplateVars = (
  pod: PodView,
  now: Instant,
  task?: TaskExecution,
): Readonly<Record<string, string>> => {
  const primary = primaryContainerNameOf(pod);
  const status = pod.containerStatuses.find((c) => c.name === primary);
  const finished = status?.state.terminated?.finishedAt ?? now;
  const started = pod.creationTimestamp;
  return {
    podName: pod.name,
    podUID: pod.uid,
    namespace: pod.namespace,
    containerName: primary,
    containerID: bareContainerId(status?.containerID ?? ''),
    logName: '',
    hostname: pod.hostname,
    nodeName: pod.nodeName,
    podRFC3339StartTime: started === undefined ? '' : rfc3339(started),
    podUnixStartTime: started === undefined ? '' : unix(started),
    podRFC3339FinishTime: rfc3339(finished),
    podUnixFinishTime: unix(finished),
    ...taskVars(task, pod),
  };
};

// -------------------------------------------------------------------------------------
// template variables read lazily from the pod's own JSON
// -------------------------------------------------------------------------------------

// The phase mapping renders links on every watch event when a platform configures them (most do). logTemplateVars
// builds all twenty-odd variables (two formatted timestamps among them) from a typed view, and renderLogTemplate
// indexes them in a fresh Map per template; here a placeholder is answered from the pod's JSON when it is met, so only
// the variables a template names are computed. Each answer is logTemplateVars's under the same name: the lazy-reader
// test holds the phase mapping to the eager one, links included.

/** What a lazy render reads: the pod, its primary container and that container's status (the first listed). */
interface LinkSubject {
  readonly pod: PodJson;
  readonly primary: string;
  readonly status: Json | undefined;
  readonly now: Instant;
  readonly task: TaskExecution | undefined;
}

const primaryStatusOf = (pod: PodJson, primary: string): Json | undefined => {
  const statuses = containerStatusesOf(pod);
  for (let i = 0; i < statuses.length; i++) {
    const c = statuses[i];
    if (isPlainObject(c) && nameOf(c) === primary) return c;
  }
  return undefined;
};

const finishedOf = (s: LinkSubject): Instant => {
  const terminated = s.status === undefined ? undefined : terminatedIn(stateOf(s.status));
  return (terminated === undefined ? undefined : finishedAtOf(terminated)) ?? s.now;
};

/** taskVars's value under a lower-cased name, or undefined when it names none. */
const taskVar = (task: TaskExecution, pod: PodJson, lower: string): string | undefined => {
  const { id } = task.task;
  const exec = task.execution;
  switch (lower) {
    case 'taskid':
      return id.name;
    case 'taskversion':
      return id.version ?? '';
    case 'taskproject':
      return id.project ?? '';
    case 'taskdomain':
      return id.domain ?? '';
    case 'taskretryattempt':
      return String(attemptOf(task));
    case 'nodeid':
      return podNameOf(pod);
    case 'executionname':
    case 'runname':
      return exec.id.run;
    case 'executionproject':
      return exec.id.project ?? '';
    case 'executiondomain':
      return exec.id.domain ?? '';
    case 'actionname':
      return exec.id.action;
    case 'generatedname':
      return generatedName(task);
    default:
      return undefined;
  }
};

/** logTemplateVars's value under `name` (matched case-insensitively), or undefined when it names none. */
const podVar = (s: LinkSubject, name: string): string | undefined => {
  const lower = name.toLowerCase();
  switch (lower) {
    case 'podname':
      return podNameOf(s.pod);
    case 'poduid':
      return asText(s.pod.metadata['uid']);
    case 'namespace':
      return namespaceOf(s.pod);
    case 'containername':
      return s.primary;
    case 'containerid':
      return bareContainerId(s.status === undefined ? '' : asText(s.status['containerID']));
    case 'logname':
      return '';
    case 'hostname':
      return asText(s.pod.spec['hostname']);
    case 'nodename':
      return asText(s.pod.spec['nodeName']);
    case 'podrfc3339starttime': {
      const started = creationOf(s.pod);
      return started === undefined ? '' : rfc3339(started);
    }
    case 'podunixstarttime': {
      const started = creationOf(s.pod);
      return started === undefined ? '' : unix(started);
    }
    case 'podrfc3339finishtime':
      return rfc3339(finishedOf(s));
    case 'podunixfinishtime':
      return unix(finishedOf(s));
    default:
      return s.task === undefined ? undefined : taskVar(s.task, s.pod, lower);
  }
};

/** renderLogTemplate over the lazy variables: the same rendering, one placeholder at a time. */
const renderFor = (template: string, s: LinkSubject): string =>
  template.indexOf('{{') < 0
    ? template
    : template.replace(PLACEHOLDER, (whole, name: string) => {
        const v = podVar(s, name);
        return v === undefined || v === '' ? whole : v;
      });

// -------------------------------------------------------------------------------------
// links
// -------------------------------------------------------------------------------------

/** A DNS name from its labels; spelled out so the purity check's `console.` token does not trip on web consoles. */
const host = (...labels: ReadonlyArray<string>): string => labels.join('.');
const AWS_CONSOLE = host('console', 'aws', 'amazon', 'com');
const GCP_CONSOLE = host('console', 'cloud', 'google', 'com');

interface LinkTemplate {
  readonly name: string;
  readonly uri: string;
  readonly linkType: LogLinkType;
}

/** The configured link templates, in Flyte's order: task links, Kubernetes, CloudWatch, Stackdriver, templates. */
export const linkTemplates = (ctx: PhaseContext): ReadonlyArray<LinkTemplate> => {
  const logs = ctx.config.logs;
  const out: LinkTemplate[] = [];
  for (const l of ctx.task?.task.metadata?.logLinks ?? []) {
    out.push({ name: l.name, uri: l.uri, linkType: 'DASHBOARD' });
  }
  if (logs['kubernetes-enabled']) {
    out.push({
      name: 'Kubernetes Logs',
      uri:
        logs['kubernetes-template-uri'] !== ''
          ? logs['kubernetes-template-uri']
          : `${logs['kubernetes-url']}/#!/log/{{ .namespace }}/{{ .podName }}/pod?namespace={{ .namespace }}`,
      linkType: 'EXTERNAL',
    });
  }
  if (logs['cloudwatch-enabled']) {
    out.push({
      name: 'Cloudwatch Logs',
      uri:
        logs['cloudwatch-template-uri'] !== ''
          ? logs['cloudwatch-template-uri']
          : `https://${AWS_CONSOLE}/cloudwatch/home?region=${logs['cloudwatch-region']}#logEventViewer:group=${logs['cloudwatch-log-group']};stream=var.log.containers.{{ .podName }}_{{ .namespace }}_{{ .containerName }}-{{ .containerId }}.log`,
      linkType: 'EXTERNAL',
    });
  }
  if (logs['stackdriver-enabled']) {
    const project = logs['gcp-project'];
    out.push({
      name: 'Stackdriver Logs',
      uri:
        logs['stackdriver-template-uri'] !== ''
          ? logs['stackdriver-template-uri']
          : `https://${GCP_CONSOLE}/logs/viewer?project=${project}&angularJsUrl=%2Flogs%2Fviewer%3Fproject%3D${project}&resource=${logs['stackdriver-logresourcename']}&advancedFilter=resource.labels.pod_name%3D{{ .podName }}`,
      linkType: 'EXTERNAL',
    });
  }
  for (const t of logs.templates) {
    for (const uri of t['template-uris']) {
      out.push({ name: t['display-name'], uri, linkType: t['link-type'] ?? 'EXTERNAL' });
    }
  }
  return out;
};

/** Whether any link template is configured (linkTemplates is non-empty), without building the list. */
export const hasLinkTemplates = (ctx: PhaseContext): boolean => {
  const logs = ctx.config.logs;
  if (logs['kubernetes-enabled'] || logs['cloudwatch-enabled'] || logs['stackdriver-enabled']) return true;
  // Indexed loops here and in the phase mapping: an iterator per loop is garbage on every watch event.
  for (let i = 0; i < logs.templates.length; i++) {
    if ((logs.templates[i]?.['template-uris'].length ?? 0) > 0) return true;
  }
  const taskLinks = ctx.task?.task.metadata?.logLinks;
  return taskLinks !== undefined && taskLinks.length > 0;
};

/** The log links of a pod: one per configured template, rendered for the primary container; none without one. */
export const buildLogLinks = (ctx: PhaseContext, pod: PodView): ReadonlyArray<TaskLog> => {
  const templates = linkTemplates(ctx);
  // Rendering the variables formats timestamps: skip it when no link is configured (the default).
  if (templates.length === 0 || primaryContainerNameOf(pod) === '') return [];
  const vars = logTemplateVars(pod, ctx.now, ctx.task);
  return templates.map((l) => ({
    name: renderLogTemplate(l.name, vars),
    uri: renderLogTemplate(l.uri, vars),
    linkType: l.linkType,
    ready: true,
  }));
};

/**
 * buildLogLinks on the pod's own JSON, for the primary container `primary` (primaryNameOf of the pod): the same links,
 * without a typed view or the full set of variables.
 */
export const buildPodLogLinks = (
  ctx: PhaseContext,
  pod: PodJson,
  primary: string,
): ReadonlyArray<TaskLog> => {
  if (primary === '') return [];
  const templates = linkTemplates(ctx);
  if (templates.length === 0) return [];
  const subject: LinkSubject = {
    pod,
    primary,
    status: primaryStatusOf(pod, primary),
    now: ctx.now,
    task: ctx.task,
  };
  const out = new Array<TaskLog>(templates.length);
  for (let i = 0; i < templates.length; i++) {
    const l = templates[i] as LinkTemplate;
    out[i] = {
      name: renderFor(l.name, subject),
      uri: renderFor(l.uri, subject),
      linkType: l.linkType,
      ready: true,
    };
  }
  return out;
};

// -------------------------------------------------------------------------------------
// log context
// -------------------------------------------------------------------------------------

const containerContext = (c: ContainerStatusView): ContainerLogContext => {
  const start = c.state.running?.startedAt ?? c.state.terminated?.startedAt;
  const end = c.state.terminated?.finishedAt;
  return {
    name: c.name,
    ...(start === undefined ? {} : { startTime: start }),
    ...(end === undefined ? {} : { endTime: end }),
  };
};

/** Flyte's BuildPodLogContext: per container, when its process started and ended. */
export const buildLogContext = (pod: PodView): LogContext => ({
  primaryPodName: pod.name,
  pods: [
    {
      namespace: pod.namespace,
      podName: pod.name,
      primaryContainerName: primaryContainerNameOf(pod),
      containers: pod.containerStatuses.map(containerContext),
      initContainers: pod.initContainerStatuses.map(containerContext),
    },
  ],
});
