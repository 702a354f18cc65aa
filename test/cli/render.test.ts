// `kubetasks render` through the built CLI: manifests, metadata, formats, and positioned errors with exit code 2.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, tempFiles } from './spawn.js';

const { write: tmp } = tempFiles('kubetasks-render-');

const taskText = (container: string, extra = ''): string =>
  `task:\n  id: {name: t}\n  type: container\n${extra}  container:\n${container}execution:\n  id: {run: r1, action: a}\n  namespace: ns\n`;

describe('kubetasks render', () => {
  it('prints the plugin manifest, with a note about what the plugin manager adds', () => {
    const r = runCli(['render', 'examples/tasks/hello.yaml', '--config', 'examples/platform.yaml']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.startsWith('# kubetasks render examples/tasks/hello.yaml: ')).toBe(true);
    const pod = parse(r.stdout);
    expect([pod.apiVersion, pod.kind, pod.metadata.name]).toEqual(['v1', 'Pod', undefined]);
    expect(pod.spec.containers[0].args).toEqual(['echo hello from demo-development && sleep 1']);
    expect(r.stdout).not.toMatch(/[&*]a\d/); // no YAML anchors
  });

  it('--with-metadata adds name, namespace, unions, owner, finalizer, managed label and task annotation', () => {
    const r = runCli([
      'render',
      'examples/tasks/hello.yaml',
      '-c',
      'examples/platform.yaml',
      '--with-metadata',
      '-o',
      'json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).metadata).toEqual({
      name: 'r7f3a2-hello-0',
      namespace: 'demo-development',
      labels: { team: 'ml-platform', 'kubetasks.dev/managed': 'true' },
      annotations: {
        'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
        primary_container_name: 'r7f3a2-hello-0',
        'kubetasks.dev/task-id': 'r7f3a2-hello',
      },
      finalizers: ['kubetasks.dev/resource'],
    });
  });

  it('takes base PodTemplates with -t and reads the task from standard input', () => {
    const r = runCli(
      ['render', '-', '-t', 'examples/pod-templates/ml-base.yaml', '-o', 'json'],
      taskText('    image: x\n', '  metadata: {podTemplateName: ml-base}\n'),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).spec.priorityClassName).toBe('batch-low');
  });

  it.each([
    [
      'a decode error',
      taskText('    image: ""\n'),
      [],
      ':5:12: task.container.image: expected a non-empty string, got ""',
    ],
    [
      'a request above its limit',
      taskText('    image: x\n    resources:\n      requests: {cpu: 2}\n      limits: {cpu: 1}\n'),
      [],
      ':7:23: task.container.resources.requests.cpu: the request 2 is above the limit 1; a request may not exceed its limit',
    ],
    [
      'a missing base template',
      taskText('    image: x\n', '  metadata:\n    podTemplateName: gpu-base\n'),
      [],
      ':5:22: task.metadata.podTemplateName: PodTemplate "gpu-base" does not exist in namespace "ns" or the platform\'s namespace',
    ],
    [
      'an input the execution does not have',
      taskText('    image: x\n    args: ["--n", "{{ .Inputs.n }}"]\n'),
      [],
      ':6:19: task.container.args[1]: {{ .Inputs.n }} refers to input "n", which execution.inputs does not have',
    ],
    [
      'a Pod Security Standard violation',
      'task:\n  id: {name: t}\n  type: sidecar\n  podTemplate:\n    primaryContainerName: m\n    spec:\n      hostNetwork: true\n      containers: [{name: m, image: x}]\nexecution:\n  id: {run: r1, action: a}\n  namespace: ns\n',
      ['-c', 'examples/platform-restricted.yaml'],
      ":7:20: task.podTemplate.spec.hostNetwork: forbidden by the restricted Pod Security Standard: sharing the host's namespaces (hostNetwork)",
    ],
  ])('reports %s as file:line:col: path: message and exits 2', (_name, text, args, expected) => {
    const file = tmp('task.yaml', text);
    const r = runCli(['render', file, ...args]);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `${file}${expected}\n`]);
  });

  it('names a bad PodTemplate file, a bad config and a bad output format', () => {
    const tpl = tmp('tpl.yaml', 'apiVersion: v1\nkind: PodTemplate\nmetadata: {}\ntemplate: {}\n');
    const r = runCli(['render', 'examples/tasks/hello.yaml', '-t', tpl]);
    expect([r.code, r.stderr]).toEqual([
      2,
      `${tpl}:3:11: metadata.name: missing, expected a non-empty string\n`,
    ]);
    const cfg = tmp('cfg.yaml', 'plugins:\n  k8s:\n    pod-security-standard: strict\n');
    const c = runCli(['render', 'examples/tasks/hello.yaml', '-c', cfg]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(
      /cfg\.yaml:3:28: plugins\.k8s\.pod-security-standard: expected one of "none", "baseline", "restricted", got "strict"/,
    );
    expect(runCli(['render', 'examples/tasks/hello.yaml', '-o', 'xml']).code).toBe(2);
    expect(runCli(['render', 'no/such.yaml'])).toMatchObject({
      code: 2,
      stderr: 'no/such.yaml: cannot read: no such file\n',
    });
  });
});
