// The generated JSON Schemas agree with the codecs: a document validates exactly when it decodes.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Ajv } from 'ajv';
import * as E from 'fp-ts/lib/Either.js';
import { schemaDocument } from '../../src/domain/json-schema.js';
import { decodePlatformConfig, PlatformConfigC } from '../../src/domain/platform-config.js';
import { TaskExecutionC } from '../../src/domain/task.js';
import { arbPlatformConfig, arbTaskExecution } from '../../src/testing/arbitraries.js';

const ajv = new Ajv({ strict: false, allErrors: true });
const validConfig = ajv.compile(schemaDocument(PlatformConfigC, 'https://kubetasks.dev/c', 'config'));
const validTask = ajv.compile(schemaDocument(TaskExecutionC, 'https://kubetasks.dev/t', 'task'));

/** Mutations that must break a config, or at least keep schema and codec in agreement. */
const arbConfigMutation = fc.oneof(
  fc.constant((c: Record<string, any>) => ({ ...c, extra: 1 })),
  fc.constant((c: Record<string, any>) => ({
    ...c,
    plugins: { k8s: { ...c['plugins']['k8s'], 'default-cpus': [] } },
  })),
  fc.constant((c: Record<string, any>) => ({
    ...c,
    executor: { ...c['executor'], 'max-system-failures': 'x' },
  })),
  fc.constant((c: Record<string, any>) => ({
    ...c,
    plugins: { k8s: { ...c['plugins']['k8s'], 'inject-finalizer': 1 } },
  })),
  fc.constant((c: Record<string, any>) => ({ ...c, logs: { templates: [{ 'display-name': 1 }] } })),
  fc.constant((c: Record<string, any>) => c),
);

describe('JSON Schema consistency', () => {
  test.prop([arbPlatformConfig, arbConfigMutation])('config: schema-valid ⇔ decodes', (c, mutate) => {
    const doc = mutate(JSON.parse(JSON.stringify(PlatformConfigC.encode(c))));
    expect(validConfig(doc)).toBe(E.isRight(decodePlatformConfig(doc)));
  });

  test.prop([arbTaskExecution])('task: every generated task validates', (te) => {
    const doc = JSON.parse(JSON.stringify(TaskExecutionC.encode(te)));
    expect(validTask(doc)).toBe(true);
    expect(validTask({ ...doc, tsak: {} })).toBe(false);
  });

  it('documents defaults and descriptions', () => {
    const s = schemaDocument(PlatformConfigC, 'urn:c', 'c') as any;
    const cpus = s.properties.plugins.properties.k8s.properties['default-cpus'];
    expect(cpus.default).toBe('1');
    expect(cpus.description).toBe('Default CPU request when the task sets none.');
    expect(s.additionalProperties).toBe(false);
  });
});
