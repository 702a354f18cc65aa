// The simulated kubelet in a process of its own, so the code under measurement does not share its event loop.
// Started by kubelet-child.ts with: node --import tsx bench/support/kubelet-process.ts KUBECONFIG NAMESPACE
import { systemClock } from '../../src/adapters/clock/system.js';
import { startKubelet } from '../../src/adapters/kubelet/index.js';
import { makeKubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { countingPort } from './counting-port.js';

const [kubeconfigPath, namespace] = process.argv.slice(2);
if (kubeconfigPath === undefined || namespace === undefined || process.send === undefined) {
  console.error('usage: kubelet-process.ts KUBECONFIG NAMESPACE (as a forked child)');
  process.exit(2);
}
const send = process.send.bind(process);

const cluster = makeKubernetesCluster({ kubeconfigPath, userAgent: 'kubetasks-simulated-kubelet' });
const counted = countingPort(cluster);
// The fast fixture of the real-cluster lifecycle tests: pending 200 ms, running 300 ms, then the scenario's exit.
const kubelet = startKubelet({
  cluster: counted.port,
  clock: systemClock,
  namespace,
  durations: { pendingMs: 200, runMs: 300, initMs: 100 },
  backoffMs: 500,
  terminationMs: 100,
});

// Measured from readiness: start-up (tsx compiling the sources) is not the kubelet's work.
let cpuAtReady = 0;
const cpuNow = (): number => {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1e6;
};

// The parent died without stopping us: no one is left to report to.
process.on('disconnect', () => {
  process.exit(1);
});

process.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  void kubelet.stop().then(() => {
    cluster.close();
    send(
      {
        type: 'stopped',
        counts: Object.fromEntries(counted.counts),
        stats: cluster.stats(),
        cpuSeconds: cpuNow() - cpuAtReady,
      },
      () => process.exit(0),
    );
  });
});

void kubelet.ready().then(() => {
  cpuAtReady = cpuNow();
  send({ type: 'ready' });
});
