// Runs the harness bundle on Bun with Bun's own APIs: bun bun.mjs BUNDLE INPUT OUTPUT (golden | bench:ROUNDS:PASSES).
const [bundle, input, output, mode] = Bun.argv.slice(2);
const harness = await import(bundle);
const text = await Bun.file(input).text();
const result =
  mode === 'golden'
    ? harness.golden(text)
    : JSON.stringify(harness.benchHere(text, Number(mode.split(':')[1]), Number(mode.split(':')[2] ?? 1)));
await Bun.write(output, result);
