// `kubetasks explain` under plain node: resource files in, PhaseInfo and the reasons out; bad input exits 2.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, tempFiles } from './spawn.js';

/** Every shipped plugin with its kind, as explain lists them. */
const KNOWN =
  'pod (v1/Pod), batch-job (batch/v1/Job), spark (sparkoperator.k8s.io/v1beta2/SparkApplication), ' +
  'pytorch (kubeflow.org/v1/PyTorchJob), tensorflow (kubeflow.org/v1/TFJob), mpi (kubeflow.org/v1/MPIJob), ' +
  'ray (ray.io/v1/RayJob), dask (kubernetes.dask.org/v1/DaskJob)';
const KINDS = 'test/cli/fixtures/explain';
const FIXTURES = 'test/plugins/pod/phase/fixtures';

const run = (args: ReadonlyArray<string>, input?: string) => runCli(['explain', ...args], input);

const json = (args: ReadonlyArray<string>, input?: string) => {
  const r = run([...args, '-o', 'json'], input);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

const { write: tmp } = tempFiles('kubetasks-explain-');

describe('kubetasks explain', () => {
  it('explains a kubectl JSON dump in text: phase, error, cleanup and the rows that fired', () => {
    const r = run([`${FIXTURES}/image-pull-backoff.json`, '--now', '2026-03-02T10:05:00Z']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'plugin:     pod (v1/Pod)',
        'phase:      RetryableFailure',
        'version:    0',
        'reason:     (none)',
        'error:      USER ContainersNotReady|ImagePullBackOff',
        'message:    Grace period [3m0s] exceeded|containers with unready status: [r8f3a2c-train-0]|Back-off pulling image "ghcr.io/example/trainer:v1.2"',
        'cleanup:    yes (the resource is deleted on failure)',
        'why:',
        '  - plugin pod (v1/Pod) reads v1/Pod r8f3a2c-train-0',
        '  - pod ml-team/r8f3a2c-train-0: phase Pending',
        '  - condition Ready=False (ContainersNotReady) at 2026-03-02T10:00:02Z',
        '  - container r8f3a2c-train-0 waiting: ImagePullBackOff',
        '  - image-pull-backoff-grace-period 3m0s: 4m58s since 2026-03-02T10:00:02Z, exceeded',
        '  - row pending.waiting.image-pull-backoff.expired: Ready=False and the first waiting init container (else the first unready waiting container) has `ImagePullBackOff`, grace period exceeded',
        '',
      ].join('\n'),
    );
  });

  it('prints one JSON object with phase, version, reason, error, cleanupOnFailure and the rows', () => {
    const out = json([`${FIXTURES}/image-pull-backoff.json`, '--now', '2026-03-02T10:02:00Z']);
    expect(out).toMatchObject({
      phase: 'Initializing',
      version: 0,
      reason:
        '[ContainersNotReady|ImagePullBackOff]: containers with unready status: [r8f3a2c-train-0]|Back-off pulling image "ghcr.io/example/trainer:v1.2"',
      cleanupOnFailure: false,
      plugin: 'pod',
      rows: ['pending.waiting.image-pull-backoff'],
    });
    expect(out).not.toHaveProperty('error');
    expect(Array.isArray(out['why'])).toBe(true);
  });

  it('reads YAML and applies a platform config', () => {
    const out = json([`${FIXTURES}/oom-killed.yaml`, '--now', '2026-03-02T10:10:00Z']);
    expect(out).toMatchObject({
      phase: 'RetryableFailure',
      error: { code: 'OOMKilled', kind: 'USER' },
      cleanupOnFailure: false,
      rows: ['primary.oom-killed'],
    });
    const config = tmp('platform.yaml', 'plugins:\n  k8s:\n    image-pull-backoff-grace-period: 10m\n');
    const graced = json([
      `${FIXTURES}/image-pull-backoff.json`,
      '--now',
      '2026-03-02T10:05:00Z',
      '--config',
      config,
    ]);
    expect(graced['phase']).toBe('Initializing');
  });

  it('explains the pod of a List and attaches its events', () => {
    const out = json([`${FIXTURES}/preempted-with-events.json`, '--now', '2026-03-02T10:15:00Z']);
    expect(out).toMatchObject({
      phase: 'RetryableFailure',
      error: { code: 'Preempted', kind: 'SYSTEM' },
      rows: ['failed.preempted'],
      info: {
        additionalReasons: [
          {
            reason: 'Preempted by pod 5d1e9f20-7a3b-4c8d-9e0f-112233445566 on node gke-spot-pool-2-11ab',
            occurredAt: '2026-03-02T10:12:30.000Z',
            kubernetesEvent: {
              type: 'Normal',
              reason: 'Preempted',
              sourceComponent: 'default-scheduler',
              count: 1,
            },
          },
          {
            reason: 'Stopping container worker',
            kubernetesEvent: { reason: 'Killing', sourceComponent: 'kubelet' },
          },
        ],
      },
    });
    const text = run([`${FIXTURES}/preempted-with-events.json`, '--now', '2026-03-02T10:15:00Z']).stdout;
    expect(text).toContain(
      'event:      2026-03-02T10:12:31.000Z Normal Killing: Stopping container worker\n',
    );
    expect(text).toContain('  - attached 2 of 3 events (those about this object)\n');
  });

  it('reads standard input, and --plugin reads a resource without apiVersion and kind', () => {
    const pod = JSON.parse(readFileSync(`${FIXTURES}/image-pull-backoff.json`, 'utf8')) as Record<
      string,
      unknown
    >;
    const bare = { metadata: pod['metadata'], spec: pod['spec'], status: pod['status'] };
    const out = json(['-', '--plugin', 'pod', '--now', '2026-03-02T10:01:00Z'], JSON.stringify(bare));
    expect(out['phase']).toBe('Initializing');
    const r = run(['-'], JSON.stringify(bare));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `<stdin>:1:1: the resource has no apiVersion and kind; pass --plugin to say how to read it (known: ${KNOWN})\n`,
    );
  });

  it.each([
    [['no/such/pod.json'], 'no/such/pod.json: cannot read: no such file\n'],
    [
      [`${FIXTURES}/image-pull-backoff.json`, '--now', 'yesterday'],
      '--now: expected an RFC 3339 time such as 2026-03-02T10:00:00Z, got "yesterday"\n',
    ],
    [
      [`${FIXTURES}/image-pull-backoff.json`, '-o', 'xml'],
      '-o: expected one of text, json, yaml, got "xml"\n',
    ],
    [
      [`${FIXTURES}/image-pull-backoff.json`, '--plugin', 'sprak'],
      `--plugin: unknown plugin "sprak"; known: ${KNOWN}\n`,
    ],
    [
      [`${FIXTURES}/image-pull-backoff.json`, '--plugin', 'spark'],
      `${FIXTURES}/image-pull-backoff.json: the plugin spark (sparkoperator.k8s.io/v1beta2/SparkApplication) reads sparkoperator.k8s.io/v1beta2/SparkApplication; the input holds v1/Pod r8f3a2c-train-0\n`,
    ],
  ])('exits 2 on bad input %j', (args, stderr) => {
    expect(run(args)).toEqual({ code: 2, stdout: '', stderr });
  });

  it('exits 2 with a clear message for an unknown kind, garbage, or a List of several resources', () => {
    const svc = tmp('svc.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n');
    expect(run([svc])).toEqual({
      code: 2,
      stdout: '',
      stderr: `${svc}:1:1: no plugin watches v1/Service (known: ${KNOWN}); pass --plugin to force one\n`,
    });
    const broken = tmp('broken.json', '{"apiVersion": "v1", "kind": "Pod",\n  "status": {\n');
    const r = run([broken]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^${broken.replaceAll('.', '\\.')}:\\d+:\\d+: not valid YAML or JSON: `, 'u'),
    );
    expect(run([tmp('n.json', '42\n')]).stderr).toMatch(
      /expected a Kubernetes resource \(an object\), got a number\n$/u,
    );
    const two = tmp(
      'list.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Pod' },
          { apiVersion: 'v1', kind: 'Pod' },
        ],
      }),
    );
    expect(run([two])).toMatchObject({
      code: 2,
      stderr: `${two}: expected one resource to explain besides Events and the objects related to it, found 2: v1/Pod (unnamed), v1/Pod (unnamed); give one resource (and its related objects) per input\n`,
    });
  });

  it.each([
    // file, plugin, phase, error code, the line of the reasoning that says what decided
    ['job.json', 'batch-job', 'PermanentFailure', 'BackoffLimitExceeded', 'row failed.backoff-limit: '],
    [
      'pytorchjob.yaml',
      'pytorch',
      'RetryableFailure',
      'OOMKilled',
      'decided by the Worker pod r5b2d7-train-0-worker-0 failed',
    ],
    [
      'tfjob.yaml',
      'tensorflow',
      'Success',
      undefined,
      'decided by terminal condition Succeeded=True (TFJobSucceeded)',
    ],
    ['mpijob.json', 'mpi', 'Queued', undefined, 'decided by current condition Created=True (MPIJobCreated)'],
    [
      'rayjob.yaml',
      'ray',
      'Running',
      undefined,
      'decided by status.jobDeploymentStatus "Running", jobStatus RUNNING',
    ],
    [
      'daskjob.yaml',
      'dask',
      'RetryableFailure',
      'Error',
      'decided by status.jobStatus Failed, and the job runner pod r6f1a3-etl-0-runner',
    ],
    ['sparkapplication.yaml', 'spark', 'Running', undefined, 'row running: '],
  ])(
    'explains %s with the %s plugin and its related pods from the same input',
    (file, plugin, phase, code, decided) => {
      const out = json([`${KINDS}/${file}`, '--now', '2026-03-02T10:10:00Z']);
      expect(out).toMatchObject({ plugin, phase });
      expect((out['error'] as { code?: string } | undefined)?.code).toBe(code);
      const why = out['why'] as ReadonlyArray<string>;
      expect(why.some((l) => l.startsWith(decided))).toBe(true);
      // Every fixture but the two with no pods hands the plugin its pods.
      if (!['tfjob.yaml', 'mpijob.json'].includes(file)) expect(out['related']).not.toEqual([]);
    },
  );

  it('--plugin picks a registered plugin by id, and -o yaml prints the same answer', () => {
    const r = run([
      `${KINDS}/job.json`,
      '--plugin',
      'batch-job',
      '--now',
      '2026-03-02T10:10:00Z',
      '-o',
      'yaml',
    ]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('plugin: batch-job\n');
    expect(r.stdout).toContain('phase: PermanentFailure\n');
  });

  it('names the file, the line and the path of a malformed object in a List or a stream', () => {
    const list = tmp(
      'list.yaml',
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n  - 42\n',
    );
    expect(run([list])).toEqual({
      code: 2,
      stdout: '',
      stderr: `${list}:6:5: items[1]: expected a Kubernetes resource (an object), got a number\n`,
    });
    const stream = tmp('stream.yaml', 'apiVersion: v1\nkind: Pod\n---\n- a\n- b\n');
    expect(run([stream])).toEqual({
      code: 2,
      stdout: '',
      stderr: `${stream}:4:1: document 2: expected a Kubernetes resource (an object), got a list\n`,
    });
  });
});
