// The plugins.spark section: Flyte's keys and defaults, decoded strictly, read by the plugin from the platform config.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { renderIssue } from '../../../src/domain/codec.js';
import { decodePlatformConfigWith, readPluginConfig } from '../../../src/domain/plugin-config.js';
import { defaultPlatformConfig } from '../../../src/domain/platform-config.js';
import { sparkConfigSection } from '../../../src/plugins/spark/config.js';
import { sparkPlugin } from '../../../src/plugins/spark/plugin.js';

const decode = decodePlatformConfigWith([sparkConfigSection]);

describe('plugins.spark', () => {
  it("is the plugin's config section", () => {
    expect(sparkPlugin.configSection?.key).toBe('spark');
  });

  it("defaults to Flyte's values when absent", () => {
    const c = readPluginConfig(sparkConfigSection, defaultPlatformConfig);
    expect(c['spark-config-default']).toEqual({});
    expect(c['spark-history-server-url']).toBe('');
    expect(c.features).toEqual([]);
    expect(c['enable-pod-template']).toBe(true);
    expect(c['pod-template-detection-timeout']).toBe(30_000);
    expect(c.logs.mixed['kubernetes-enabled']).toBe(true);
    expect(c.logs.user['kubernetes-enabled']).toBe(false);
  });

  it('decodes a Flyte plugins.spark section', () => {
    const r = decode({
      plugins: {
        spark: {
          'spark-config-default': { 'spark.ui.enabled': 'false' },
          'spark-history-server-url': 'https://history',
          features: [{ name: 'gcs', 'spark-config': { 'spark.hadoop.fs.gs.impl': 'x' } }],
          logs: { user: { 'cloudwatch-enabled': true, 'cloudwatch-region': 'eu-west-1' } },
          'enable-pod-template': false,
          'pod-template-detection-timeout': '10s',
        },
      },
    });
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    const c = readPluginConfig(sparkConfigSection, r.right);
    expect(c.features).toEqual([{ name: 'gcs', 'spark-config': { 'spark.hadoop.fs.gs.impl': 'x' } }]);
    expect(c.logs.user['cloudwatch-region']).toBe('eu-west-1');
    expect(c.logs.mixed['kubernetes-enabled']).toBe(true);
    expect(c['enable-pod-template']).toBe(false);
    expect(c['pod-template-detection-timeout']).toBe(10_000);
  });

  it.each([
    [{ featurs: [] }, 'plugins.spark.featurs: unknown key (did you mean "features"?)'],
    [
      { features: [{ 'spark-config': {} }] },
      'plugins.spark.features[0].name: missing, expected a non-empty string',
    ],
    [
      { 'spark-config-default': { 'spark.x': 1 } },
      'plugins.spark.spark-config-default["spark.x"]: expected a string, got 1',
    ],
  ])('rejects %j', (spark, message) => {
    const r = decode({ plugins: { spark } });
    expect(E.isLeft(r) ? r.left.map(renderIssue) : []).toContain(message);
  });
});
