// The embedded Manager in a process of its own, for bench/controller.ts: the same N pod tasks the controller runs.
// Started by manager-child.ts with: node dist-bench/bench/support/manager-process.js KUBECONFIG NAMESPACE CONFIG N
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import { makeKubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { makePinoLogger } from '../../src/adapters/observability/pino-logger.js';
import { loadPlatformConfig } from '../../src/app/inputs.js';
import { Manager } from '../../src/app/manager.js';
import { isSettled } from '../../src/domain/lifecycle/step.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import { countingPort } from './counting-port.js';
import { benchTask } from './bench-task.js';

const [kubeconfigPath, namespace, configPath, count] = process.argv.slice(2);
if (
  kubeconfigPath === undefined ||
  namespace === undefined ||
  configPath === undefined ||
  count === undefined ||
  process.send === undefined
) {
  console.error('usage: manager-process.js KUBECONFIG NAMESPACE CONFIG N (as a forked child)');
  process.exit(2);
}
const send = process.send.bind(process);
const n = Number(count);

// The controller's own inputs: the same config file, and the built-in registry the CLI uses (the config's
// enabled plugins decide the watched kinds), so the two runs differ only in the controller.
const config = loadPlatformConfig(configPath, readFileSync(configPath, 'utf8'));
if (E.isLeft(config)) throw new Error(config.left.map((e) => e.message).join('; '));
const registry = builtInRegistry();
if (E.isLeft(registry)) throw new Error('registry');
const cluster = makeKubernetesCluster({ kubeconfigPath, userAgent: 'kubetasks-bench-manager' });
const counted = countingPort(cluster);
const manager = new Manager({
  cluster: counted.port,
  clock: systemClock,
  registry: registry.right,
  config: config.right,
  namespace,
  // Logged as the controller logs (pino at info, a line per phase change, to standard error: a file here).
  logger: makePinoLogger({ level: 'info', destination: process.stderr }),
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

process.on('disconnect', () => {
  process.exit(1);
});

/** Epoch milliseconds with sub-millisecond precision, comparable with the parent's. */
const now = (): number => performance.timeOrigin + performance.now();

const go = async (): Promise<void> => {
  const errors: string[] = [];
  const startedAt = now();
  for (let i = 0; i < n; i++) {
    const r = manager.submit(`t${i}`, benchTask(namespace, i));
    if (E.isLeft(r)) errors.push(`submit t${i}: ${r.left._tag}`);
  }
  const finals = await Promise.all(Array.from({ length: n }, (_, i) => manager.awaitFinal(`t${i}`)));
  for (const [i, f] of finals.entries()) if (f.phase !== 'Success') errors.push(`t${i} ended ${f.phase}`);
  // Settled: finalizer removed, pod deleted, its deletion observed. The parent then waits, as for the controller,
  // until the kubelet has let every pod go.
  for (;;) {
    let open = 0;
    for (let i = 0; i < n; i++) {
      const s = manager.state(`t${i}`);
      if (s === undefined || !isSettled(s)) open++;
    }
    if (open === 0) break;
    await sleep(20);
  }
  const settledAt = now();
  await manager.stop();
  cluster.close();
  send(
    {
      type: 'done',
      startedAt,
      settledAt,
      counts: Object.fromEntries(counted.counts),
      stats: cluster.stats(),
      errors,
    },
    () => process.exit(0),
  );
};

process.on('message', (m: unknown) => {
  if (m === 'go') void go();
});

void manager.start().then(() => {
  send({ type: 'ready' });
});
