// Runs the harness bundle on Deno with Deno's own APIs: deno run deno.mjs BUNDLE INPUT OUTPUT (golden | bench:ROUNDS:PASSES).
const [bundle, input, output, mode] = Deno.args;
const harness = await import(new URL(`file://${bundle}`).href);
const text = Deno.readTextFileSync(input);
const result =
  mode === 'golden'
    ? harness.golden(text)
    : JSON.stringify(harness.benchHere(text, Number(mode.split(':')[1]), Number(mode.split(':')[2] ?? 1)));
Deno.writeTextFileSync(output, result);
