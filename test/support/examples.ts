// The example task files shipped in examples/, and a task whose strings YAML 1.1 readers would misread.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { YAML11_SPECIAL_FORMS } from './yaml-strings.js';

/** Every example task file (examples/<area>/*.yaml but the platform configs and the pod templates). */
export const exampleTaskFiles = (): ReadonlyArray<string> =>
  readdirSync('examples', { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'pod-templates')
    .flatMap((d) =>
      readdirSync(join('examples', d.name))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join('examples', d.name, f)),
    )
    .sort();

/** The PodTemplate file example tasks may name. */
export const EXAMPLE_POD_TEMPLATES = 'examples/pod-templates/ml-base.yaml';

/** A container task whose args, env values, labels and annotations are the given strings (as JSON: YAML too). */
export const trickyTask = (strings: ReadonlyArray<string> = YAML11_SPECIAL_FORMS): string =>
  JSON.stringify({
    apiVersion: 'kubetasks.dev/v1alpha1',
    kind: 'TaskExecution',
    task: {
      id: { project: 'demo', domain: 'development', name: 'tricky', version: 'v1' },
      type: 'container',
      container: {
        image: 'busybox:1.36',
        command: ['echo'],
        args: strings,
        env: strings.map((value, i) => ({ name: `V${i}`, value })),
      },
    },
    execution: {
      id: { project: 'demo', domain: 'development', run: 'r1', action: 'tricky' },
      namespace: 'demo-development',
      annotations: Object.fromEntries(strings.map((s, i) => [`example.com/a${i}`, s])),
    },
  });
