// Runs kubelet-process.ts as a child process and collects what it counted when it stops.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TransportStats } from '../../src/adapters/kubernetes/index.js';

export interface KubeletReport {
  /** Requests by `VERB resource[/subresource]`, counted at the kubelet's port. */
  readonly counts: Map<string, number>;
  readonly stats: TransportStats & { readonly discoveryRequests: number };
  /** CPU time (user + system) of the kubelet's process from readiness to stop. */
  readonly cpuSeconds: number;
}

export interface KubeletChild {
  readonly stop: () => Promise<KubeletReport>;
}

interface Stopped {
  readonly type: 'stopped';
  readonly counts: Record<string, number>;
  readonly stats: KubeletReport['stats'];
  readonly cpuSeconds: number;
}

const script = fileURLToPath(new URL('./kubelet-process.ts', import.meta.url));

/** Resolves once the kubelet has listed the namespace's pods and its watch is open. */
export const startKubeletChild = (kubeconfigPath: string, namespace: string): Promise<KubeletChild> =>
  new Promise((resolve, reject) => {
    const child = fork(script, [kubeconfigPath, namespace], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let stopping: { resolve: (r: KubeletReport) => void; reject: (e: Error) => void } | undefined;
    let ready = false;
    child.once('exit', (code) => {
      const error = new Error(`kubelet process exited with ${String(code)}`);
      if (!ready) reject(error);
      stopping?.reject(error);
    });
    child.on('message', (m: { type?: string }) => {
      if (m.type === 'ready') {
        ready = true;
        resolve({
          stop: () =>
            new Promise((done, fail) => {
              stopping = { resolve: done, reject: fail };
              child.send('stop');
            }),
        });
      } else if (m.type === 'stopped') {
        const s = m as Stopped;
        const report = {
          counts: new Map(Object.entries(s.counts)),
          stats: s.stats,
          cpuSeconds: s.cpuSeconds,
        };
        const pending = stopping;
        stopping = undefined;
        pending?.resolve(report);
      }
    });
  });
