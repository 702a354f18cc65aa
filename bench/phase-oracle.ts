// Benchmark: the same generated pods through kubetasks' getTaskPhase and through Flyte's Go phase functions.
// Run: npm run bench:oracle [-- --pods 100000 --rounds 3 --seed 20261125 --log-links true]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { defaultPlatformConfig, type PlatformConfig } from '../src/domain/platform-config.js';
import { getPodTaskPhase } from '../src/plugins/pod/phase/classify.js';
import { arbObservation } from '../test/oracle/inputs.js';
import { oracleBinary, requestLine } from '../test/oracle/oracle.js';

const { values } = parseArgs({
  options: {
    pods: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: '20261125' },
    'log-links': { type: 'string', default: 'false' },
  },
});
const N = Number(values.pods);
const ROUNDS = Number(values.rounds);
const SEED = Number(values.seed);
const LOG_LINKS = values['log-links'] === 'true';

// Both sides run with Flyte's defaults (the oracle's --bench mode applies them): grace periods 3m, 0, 3m; no
// pending timeout.
const config: PlatformConfig = {
  ...defaultPlatformConfig,
  plugins: {
    ...defaultPlatformConfig.plugins,
    k8s: {
      ...defaultPlatformConfig.plugins.k8s,
      'create-container-error-grace-period': 180_000,
      'create-container-config-error-grace-period': 0,
      'image-pull-backoff-grace-period': 180_000,
      'pod-pending-timeout': 0,
    },
  },
};

// With --log-links true, kubetasks also renders the links a production config usually has: the Kubernetes dashboard,
// CloudWatch (pod, namespace, container name and id) and a generic template with the pod's start and finish times.
// The oracle's side has no links (Flyte renders them outside the phase functions), so only kubetasks pays for them.
const withLogLinks: PlatformConfig = {
  ...config,
  logs: {
    ...config.logs,
    'kubernetes-enabled': true,
    'kubernetes-url': 'https://dashboard.k8s.example.com',
    'cloudwatch-enabled': true,
    'cloudwatch-region': 'us-east-1',
    'cloudwatch-log-group': '/aws/containerinsights/prod/application',
    templates: [
      {
        'display-name': 'Logs (pod {{ .podName }})',
        'template-uris': [
          'https://logs.example.com/explore?ns={{ .namespace }}&pod={{ .podName }}&container={{ .containerName }}' +
            '&from={{ .podUnixStartTime }}&to={{ .podUnixFinishTime }}&start={{ .podRFC3339StartTime }}',
        ],
      },
    ],
  },
};
const tsConfig = LOG_LINKS ? withLogLinks : config;

// The machine is shared: print the load with the figures, since wall-clock columns depend on it.
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const loadBefore = load();
const t0 = performance.now();
const observations = fc.sample(arbObservation, { seed: SEED, numRuns: N });
console.log(`generated ${N} pods (seed ${SEED}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// kubetasks: one getTaskPhase call per pod, on the parsed JSON a watch delivers, or from the JSON text itself.
const texts = observations.map((o) => JSON.stringify(o.pod));
const pods = texts.map((t) => JSON.parse(t) as unknown);
const nows = observations.map((o) => o.now);
let sink = 0;
interface Timing {
  readonly seconds: number;
  readonly cpuSeconds: number;
}
const timed = (f: () => void): Timing => {
  const cpu = process.cpuUsage();
  const start = performance.now();
  f();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
};
const tsRound = (fromText: boolean) => (): Timing =>
  timed(() => {
    for (let i = 0; i < N; i++) {
      const pod = fromText ? (JSON.parse(texts[i] ?? 'null') as unknown) : pods[i];
      sink += getPodTaskPhase({ now: nows[i] ?? 0, config: tsConfig }, pod).version;
    }
  });
const best = <T extends { readonly seconds: number }>(runs: ReadonlyArray<T>): T =>
  runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const rounds = <T>(f: () => T): T[] => Array.from({ length: ROUNDS }, f);
tsRound(false)(); // warm-up: JIT
// How many links the answers carry, so that a run with links shows it rendered them.
const links = pods.reduce<number>(
  (n, pod, i) => n + getPodTaskPhase({ now: nows[i] ?? 0, config: tsConfig }, pod).info.logs.length,
  0,
);
const tsObjects = best(rounds(tsRound(false)));
const tsText = best(rounds(tsRound(true)));

// Flyte: the oracle reads every request first, then times N calls (tools/flyte-oracle --bench [--decode]).
const dir = mkdtempSync(join(tmpdir(), 'phase-oracle-'));
const inputFile = join(dir, 'pods.ndjson');
writeFileSync(
  inputFile,
  `${observations.map((o, i) => requestLine(i, { pod: o.pod, now: o.now, config })).join('\n')}\n`,
);
const binary = oracleBinary();
interface GoBench {
  readonly calls: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly errors: number;
}
const goRound = (decode: boolean) => (): GoBench => {
  const r = JSON.parse(
    execFileSync(
      'bash',
      ['-c', `"$0" --bench "$1" ${decode ? '--decode' : ''} < "$2"`, binary, String(N), inputFile],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    ),
  ) as GoBench;
  if (r.errors > 0) throw new Error(`the oracle failed ${r.errors} calls`);
  return r;
};
const goStructs = best(rounds(goRound(false)));
const goText = best(rounds(goRound(true)));
rmSync(dir, { recursive: true, force: true });

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const row = (name: string, t: Timing): string =>
  `| ${name} | ${fmt(N / t.seconds)} | ${((t.seconds / N) * 1e6).toFixed(2)} | ${((t.cpuSeconds / N) * 1e6).toFixed(2)} |`;
console.log(
  `best of ${ROUNDS} rounds of ${N} calls (checksum ${sink}); Node ${process.version}; ` +
    `kubetasks log links: ${LOG_LINKS ? 'Kubernetes, CloudWatch and one template' : 'none'} (${links} in all answers)`,
);
console.log(`load average (1, 5, 15 min): ${loadBefore} before, ${load()} after`);
console.log('| what | calls/s | µs/call (wall) | µs/call (CPU) |');
console.log('| --- | ---: | ---: | ---: |');
console.log(row('kubetasks getTaskPhase, parsed JSON object in', tsObjects));
console.log(row('Flyte v1.14.0 phase functions, decoded *v1.Pod in', goStructs));
console.log(row('kubetasks JSON.parse + getTaskPhase, JSON text in', tsText));
console.log(row('Flyte json.Unmarshal + phase functions, JSON text in', goText));
console.log(
  `kubetasks / Flyte, calls per second: ${(goStructs.seconds / tsObjects.seconds).toFixed(2)}x in memory, ` +
    `${(goText.seconds / tsText.seconds).toFixed(2)}x from JSON text; in CPU time per call: ` +
    `${(goStructs.cpuSeconds / tsObjects.cpuSeconds).toFixed(2)}x in memory, ` +
    `${(goText.cpuSeconds / tsText.cpuSeconds).toFixed(2)}x from JSON text`,
);
