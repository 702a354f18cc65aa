// Log links and the log context: built for the primary container, kept on every phase, templates rendered.
import { describe, expect, it } from 'vitest';
import { defaultPlatformConfig, type PlatformConfig } from '../../../../src/domain/platform-config.js';
import type { TaskExecution } from '../../../../src/domain/task.js';
import { getPodTaskPhase } from '../../../../src/plugins/pod/phase/classify.js';
import { renderLogTemplate } from '../../../../src/plugins/pod/phase/logs.js';
import { primaryContainerName } from '../../../../src/plugins/pod/phase/primary.js';
import {
  BACKOFF_MESSAGE,
  MIN,
  notReady,
  pod,
  readyConditions,
  running,
  SEC,
  T0,
  terminated,
  waiting,
} from './fixtures/pods.js';

const withLogs = (logs: Partial<PlatformConfig['logs']>): PlatformConfig => ({
  ...defaultPlatformConfig,
  logs: { ...defaultPlatformConfig.logs, ...logs },
});

const K8S = withLogs({ 'kubernetes-enabled': true, 'kubernetes-url': 'https://dash.example.com' });
const NOW = T0 + 10 * MIN;

describe('primaryContainerName (Flyte GetPrimaryContainerName)', () => {
  it.each([
    [
      'kubectl default-container annotation first',
      pod({
        primary: 'app',
        annotations: { 'kubectl.kubernetes.io/default-container': 'side' },
        containers: ['app', 'side'],
      }),
      'side',
    ],
    ['then the primary annotation', pod({ primary: 'app', containers: ['side', 'app'] }), 'app'],
    [
      'an empty default-container annotation names nothing: the primary annotation',
      pod({
        primary: 'app',
        annotations: { 'kubectl.kubernetes.io/default-container': '' },
        containers: ['side', 'app'],
      }),
      'app',
    ],
    [
      'an empty primary annotation names nothing: the container named like the pod',
      pod({ name: 'job-1', primary: '', containers: ['side', 'job-1'] }),
      'job-1',
    ],
    ['then the container named like the pod', pod({ name: 'job-1', containers: ['side', 'job-1'] }), 'job-1'],
    ['then the first container', pod({ containers: ['side', 'app'] }), 'side'],
    ['"" without containers', pod({ containers: [] }), ''],
    ['"" for garbage', 'pod', ''],
  ])('%s', (_name, resource, expected) => {
    expect(primaryContainerName(resource)).toBe(expected);
  });
});

describe('renderLogTemplate', () => {
  it('substitutes case-insensitively with . or $, and leaves unknown or empty variables verbatim', () => {
    expect(
      renderLogTemplate('{{ .podName }}/{{.NAMESPACE}}/{{ $containerName }}/{{ .nope }}/{{ .hostname }}', {
        podName: 'p',
        namespace: 'ns',
        containerName: 'c',
        hostname: '',
      }),
    ).toBe('p/ns/c/{{ .nope }}/{{ .hostname }}');
  });
});

describe('log links', () => {
  const runningPod = pod({
    phase: 'Running',
    primary: 'app',
    containers: ['sidecar', 'app'],
    startTime: T0 + SEC,
    conditions: readyConditions(T0 + 40 * SEC),
    containerStatuses: [running('sidecar', T0 + 40 * SEC), running('app', T0 + 40 * SEC)],
  });

  it('renders the Kubernetes dashboard link', () => {
    expect(getPodTaskPhase({ now: NOW, config: K8S }, runningPod).info.logs).toEqual([
      {
        name: 'Kubernetes Logs',
        uri: 'https://dash.example.com/#!/log/ml-team/r8f3a2c-train-0/pod?namespace=ml-team',
        linkType: 'EXTERNAL',
        ready: true,
      },
    ]);
  });

  it('renders links for the primary container, not the first one, without the runtime scheme of its id', () => {
    const config = withLogs({
      'cloudwatch-enabled': true,
      'cloudwatch-region': 'us-east-1',
      'cloudwatch-log-group': '/eks/c1',
    });
    const [link] = getPodTaskPhase({ now: NOW, config }, runningPod).info.logs;
    expect(link?.name).toBe('Cloudwatch Logs');
    expect(link?.uri).toBe(
      'https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEventViewer:group=/eks/c1;stream=var.log.containers.r8f3a2c-train-0_ml-team_app-app000009d3c1e0f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e.log',
    );
  });

  it('renders the Stackdriver link and custom templates with task variables, task links first', () => {
    const config = withLogs({
      'stackdriver-enabled': true,
      'gcp-project': 'proj',
      'stackdriver-logresourcename': 'k8s_container',
      templates: [
        {
          'display-name': 'Grafana {{ .containerName }}',
          'template-uris': [
            'https://grafana.example.com/d/logs?pod={{ .podName }}&from={{ .podUnixStartTime }}&to={{ .podUnixFinishTime }}&run={{ .runName }}&try={{ .taskRetryAttempt }}',
          ],
        },
      ],
    });
    const task: TaskExecution = {
      task: {
        id: { name: 'train' },
        type: 'python',
        metadata: {
          logLinks: [
            { name: 'Run', uri: 'https://ui.example.com/runs/{{ .executionName }}/{{ .actionName }}' },
          ],
        },
      },
      execution: { id: { run: 'r8f3a2c', action: 'train' }, namespace: 'ml-team', attempt: 1 },
    };
    const logs = getPodTaskPhase({ now: NOW, config, task }, runningPod).info.logs;
    expect(logs.map((l) => [l.name, l.linkType])).toEqual([
      ['Run', 'DASHBOARD'],
      ['Stackdriver Logs', 'EXTERNAL'],
      ['Grafana app', 'EXTERNAL'],
    ]);
    expect(logs[0]?.uri).toBe('https://ui.example.com/runs/r8f3a2c/train');
    expect(logs[1]?.uri).toBe(
      'https://console.cloud.google.com/logs/viewer?project=proj&angularJsUrl=%2Flogs%2Fviewer%3Fproject%3Dproj&resource=k8s_container&advancedFilter=resource.labels.pod_name%3Dr8f3a2c-train-0',
    );
    expect(logs[2]?.uri).toBe(
      `https://grafana.example.com/d/logs?pod=r8f3a2c-train-0&from=${T0 / 1000}&to=${NOW / 1000}&run=r8f3a2c&try=1`,
    );
  });

  it('uses the primary container finishedAt as the finish time once it ended', () => {
    const config = withLogs({
      templates: [{ 'display-name': 'L', 'template-uris': ['{{ .podRFC3339FinishTime }}'] }],
    });
    const ended = pod({
      phase: 'Succeeded',
      startTime: T0 + SEC,
      containerStatuses: [terminated('app', 0, 'Completed', T0 + 40 * SEC, T0 + 5 * MIN)],
    });
    expect(getPodTaskPhase({ now: NOW, config }, ended).info.logs[0]?.uri).toBe('2026-03-02T10:05:00Z');
  });

  it('keeps links and log context while Initializing and on a pending failure', () => {
    const pending = pod({
      phase: 'Pending',
      startTime: T0 + 2 * SEC,
      conditions: notReady(T0 + 2 * SEC, ['app']),
      containerStatuses: [waiting('app', 'ImagePullBackOff', BACKOFF_MESSAGE)],
    });
    for (const now of [T0 + MIN, T0 + 10 * MIN]) {
      const pi = getPodTaskPhase({ now, config: K8S }, pending);
      expect(pi.info.logs).toHaveLength(1);
      expect(pi.info.logContext?.pods[0]?.primaryContainerName).toBe('app');
    }
  });

  it('marks an IDE link ready only when the primary container is, and says so in the reason', () => {
    const config = withLogs({
      templates: [
        {
          'display-name': 'VS Code',
          'template-uris': ['https://ide.example.com/{{ .podName }}'],
          'link-type': 'IDE',
        },
      ],
    });
    const notReadyPod = pod({
      phase: 'Running',
      startTime: T0 + SEC,
      conditions: readyConditions(T0 + 40 * SEC),
      containerStatuses: [running('app', T0 + 40 * SEC, false)],
    });
    const a = getPodTaskPhase({ now: NOW, config }, notReadyPod);
    expect([a.reason, a.info.logs[0]?.ready]).toEqual(['Vscode server is not ready', false]);
    const b = getPodTaskPhase(
      { now: NOW, config, previous: { phase: 'Running', version: 1, reason: a.reason } },
      runningPodWithIde(),
    );
    expect([b.reason, b.info.logs[0]?.ready, b.version]).toEqual(['Vscode server is ready', true, 2]);
  });

  it('describes each container process in the log context', () => {
    const p = pod({
      phase: 'Running',
      initContainers: ['fetch-inputs'],
      startTime: T0 + SEC,
      initContainerStatuses: [terminated('fetch-inputs', 0, 'Completed', T0 + 2 * SEC, T0 + 20 * SEC)],
      containerStatuses: [running('app', T0 + 40 * SEC)],
    });
    expect(getPodTaskPhase({ now: NOW, config: K8S }, p).info.logContext).toEqual({
      primaryPodName: 'r8f3a2c-train-0',
      pods: [
        {
          namespace: 'ml-team',
          podName: 'r8f3a2c-train-0',
          primaryContainerName: 'app',
          containers: [{ name: 'app', startTime: T0 + 40 * SEC }],
          initContainers: [{ name: 'fetch-inputs', startTime: T0 + 2 * SEC, endTime: T0 + 20 * SEC }],
        },
      ],
    });
  });
});

function runningPodWithIde() {
  return pod({
    phase: 'Running',
    startTime: T0 + SEC,
    conditions: readyConditions(T0 + 40 * SEC),
    containerStatuses: [running('app', T0 + 40 * SEC, true)],
  });
}
