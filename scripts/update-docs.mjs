// Regenerates the generated sections of the docs from the built CLI (run `npm run build` first).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const sections = [
  { file: 'docs/configuration.md', marker: 'config reference', args: ['config', 'reference'] },
];

for (const { file, marker, args } of sections) {
  const generated = execFileSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8' });
  const begin = `<!-- BEGIN GENERATED: ${marker} -->`;
  const end = `<!-- END GENERATED: ${marker} -->`;
  const text = readFileSync(file, 'utf8');
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${file}: markers for "${marker}" not found`);
  writeFileSync(file, `${text.slice(0, i + begin.length)}\n\n${generated.trimEnd()}\n\n${text.slice(j)}`);
  console.log(`${file}: ${marker} updated`);
}

// deploy/crd.yaml is the output of `kubetasks crd` (test/deploy/manifests.test.ts checks it is current).
writeFileSync(
  'deploy/crd.yaml',
  execFileSync(process.execPath, ['dist/cli/main.js', 'crd'], { encoding: 'utf8' }),
);
console.log('deploy/crd.yaml updated');
