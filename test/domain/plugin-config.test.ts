// Plugin config sections: declared by plugins, decoded as strictly as the rest, defaults when absent.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { renderIssue, struct, withDefault } from '../../src/domain/codec.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';
import {
  decodePlatformConfigWith,
  platformConfigCodec,
  pluginConfigSection,
  readPluginConfig,
} from '../../src/domain/plugin-config.js';

const sparkLike = pluginConfigSection(
  'sparkish',
  struct('SparkishConfig', {
    'spark-config-default': withDefault(t.record(t.string, t.string), {}, 'Base spark conf.'),
    'history-url': withDefault(t.string, '', 'History server.'),
  }),
);
const rayLike = pluginConfigSection(
  'rayish',
  struct('RayishConfig', { ttl: withDefault(t.number, 3600, 'Seconds after the job finishes.') }),
);
const sections = [sparkLike, rayLike];
const decode = decodePlatformConfigWith(sections);

describe('plugin config sections', () => {
  it('decode with defaults when the document omits them', () => {
    const r = decode({});
    expect(E.isRight(r)).toBe(true);
    if (E.isLeft(r)) return;
    expect(readPluginConfig(sparkLike, r.right)).toEqual({ 'spark-config-default': {}, 'history-url': '' });
    expect(readPluginConfig(rayLike, r.right)).toEqual({ ttl: 3600 });
    expect(r.right.plugins.k8s).toEqual(defaultPlatformConfig.plugins.k8s);
  });

  it('read the values a document sets', () => {
    const r = decode({ plugins: { rayish: { ttl: 60 }, sparkish: { 'history-url': 'http://h' } } });
    if (E.isLeft(r)) throw new Error(r.left.map(renderIssue).join('\n'));
    expect(readPluginConfig(rayLike, r.right).ttl).toBe(60);
    expect(readPluginConfig(sparkLike, r.right)['history-url']).toBe('http://h');
  });

  it('fall back to defaults on a config decoded without the section', () => {
    expect(readPluginConfig(rayLike, defaultPlatformConfig)).toEqual({ ttl: 3600 });
  });

  it('are strict: an unknown key inside a section names the path and suggests the closest key', () => {
    const r = decode({ plugins: { rayish: { tll: 60 } } });
    expect(E.isLeft(r)).toBe(true);
    if (E.isRight(r)) return;
    const text = r.left.map(renderIssue).join('\n');
    expect(text).toContain('plugins.rayish.tll');
    expect(text).toContain('ttl');
  });

  it('are strict: a section no plugin declares is an error with the known sections suggested', () => {
    const r = decode({ plugins: { rayis: {} } });
    expect(E.isLeft(r)).toBe(true);
    if (E.isRight(r)) return;
    const text = r.left.map(renderIssue).join('\n');
    expect(text).toContain('plugins.rayis');
    expect(text).toContain('rayish');
  });

  it('name the expected type of a bad value', () => {
    const r = decode({ plugins: { rayish: { ttl: 'soon' } } });
    expect(E.isLeft(r)).toBe(true);
    if (E.isRight(r)) return;
    expect(r.left.map(renderIssue).join('\n')).toContain('plugins.rayish.ttl');
  });

  it('keep one codec per section list (memoised)', () => {
    expect(platformConfigCodec(sections)).toBe(platformConfigCodec(sections));
  });

  it('refuse defaults that do not decode, at declaration', () => {
    expect(() => pluginConfigSection('bad', struct('Bad', { x: t.string }))).toThrow(/plugins\.bad/);
  });

  test.prop([fc.anything()])('decoding never throws', (u) => {
    expect(() => decode(u)).not.toThrow();
  });
});
