// The configuration reference in docs/configuration.md is exactly what the codecs generate.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigReference } from '../../src/app/config-reference.js';
import { builtInPlatformConfigC as PlatformConfigC } from '../../src/plugins/index.js';

describe('docs/configuration.md', () => {
  it('holds the generated reference (run `npm run docs` after changing a codec)', () => {
    const text = readFileSync('docs/configuration.md', 'utf8');
    const begin = '<!-- BEGIN GENERATED: config reference -->';
    const end = '<!-- END GENERATED: config reference -->';
    const inDoc = text.slice(text.indexOf(begin) + begin.length, text.indexOf(end)).trim();
    expect(inDoc).toBe(renderConfigReference(PlatformConfigC).trim());
  });

  it('documents every key of plugins.k8s', () => {
    const reference = renderConfigReference(PlatformConfigC);
    for (const key of ['inject-finalizer', 'default-cpus', 'pod-pending-timeout', 'pod-security-standard']) {
      expect(reference).toContain(`| \`${key}\` |`);
    }
  });
});
