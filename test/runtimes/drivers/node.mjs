// Runs the harness bundle on Node: node node.mjs BUNDLE INPUT OUTPUT (golden | bench:ROUNDS:PASSES).
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, input, output, mode] = process.argv.slice(2);
const harness = await import(pathToFileURL(bundle).href);
const text = readFileSync(input, 'utf8');
const result =
  mode === 'golden'
    ? harness.golden(text)
    : JSON.stringify(harness.benchHere(text, Number(mode.split(':')[1]), Number(mode.split(':')[2] ?? 1)));
writeFileSync(output, result);
