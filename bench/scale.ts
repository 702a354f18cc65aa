// Benchmark: N pod tasks through one Manager onto M KWOK nodes via the real kube-scheduler, on the e2e control plane.
// Run: npm run bench:scale [-- --tasks 10000 --nodes 100 --max-in-flight 64|none --resync 30000 --timeout 3600]
//   (or KUBETASKS_SCALE_TASKS / KUBETASKS_SCALE_NODES); profile: node --cpu-prof --import tsx bench/scale.ts ...
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { systemClock } from '../src/adapters/clock/system.js';
import { DEFAULT_MAX_REQUESTS_IN_FLIGHT, makeKubernetesCluster } from '../src/adapters/kubernetes/index.js';
import { Manager } from '../src/app/manager.js';
import { builtInRegistry } from '../src/plugins/index.js';
import { podTask, wallClockConfig } from '../test/cluster/fixtures.js';
import { startFullControlPlane } from '../test/e2e/control-plane.js';
import { formatScaleReport, makeScaleProbe, measureScaleRun } from './support/scale-measure.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: process.env['KUBETASKS_SCALE_TASKS'] ?? '10000' },
    nodes: { type: 'string', default: process.env['KUBETASKS_SCALE_NODES'] ?? '100' },
    /** The manager's adapter: plain requests in flight at once, a number or `none`. */
    'max-in-flight': { type: 'string', default: String(DEFAULT_MAX_REQUESTS_IN_FLIGHT) },
    /** The executor's resync period, ms (the smoke's 30 s: a resync of every task is its own load). */
    resync: { type: 'string', default: '30000' },
    /** Budget for the whole batch, seconds. */
    timeout: { type: 'string', default: '3600' },
  },
});
const N = Number(values.tasks);
const NODES = Number(values.nodes);
const maxInFlight = values['max-in-flight'] === 'none' ? Infinity : Number(values['max-in-flight']);
const NS = 'scale';

const main = async (): Promise<number> => {
  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg();
  const t0 = performance.now();
  const full = await startFullControlPlane({ nodes: NODES, trainingOperator: false });
  const planeSeconds = (performance.now() - t0) / 1000;
  const cluster = makeKubernetesCluster({
    kubeconfigPath: full.plane.kubeconfigPath,
    maxRequestsInFlight: maxInFlight,
  });
  const probe = makeScaleProbe(cluster);
  let manager: Manager | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const ns = await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })();
    if (E.isLeft(ns)) throw new Error(ns.left.message);
    const registry = builtInRegistry();
    if (E.isLeft(registry)) throw new Error('registry');
    const m = new Manager({
      cluster: probe.port,
      clock: systemClock,
      registry: registry.right,
      config: wallClockConfig({ 'resync-period': Number(values.resync) }),
      namespace: NS,
    });
    manager = m;
    await m.start();
    const ids = Array.from({ length: N }, (_, i) => `t${i}`);
    const report = await Promise.race([
      measureScaleRun({
        plane: full.plane,
        probe,
        manager: m,
        ids,
        submit: (id) => {
          const r = m.submit(id, podTask({ namespace: NS, run: 'scale', action: id, scenario: 'succeed' }));
          if (E.isLeft(r)) throw new Error(`submit ${id}: ${JSON.stringify(r.left)}`);
        },
        transportStats: cluster.stats,
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`not done within ${values.timeout} s`)),
          Number(values.timeout) * 1000,
        );
      }),
    ]);
    console.log(
      JSON.stringify(
        {
          startedAt,
          node: process.version,
          cpus: os.cpus().length,
          loadAverageAtStart: loadAtStart.map((x) => Number(x.toFixed(2))),
          controlPlaneStartSeconds: Number(planeSeconds.toFixed(1)),
          nodes: NODES,
          managerMaxRequestsInFlight: maxInFlight,
          resyncMs: Number(values.resync),
        },
        null,
        2,
      ),
    );
    console.log(formatScaleReport('scale', report));
    return report.phases['Success'] === N ? 0 : 1;
  } finally {
    clearTimeout(timer);
    await manager?.stop();
    cluster.close();
    await full.stop();
  }
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
