// CPU seconds of processes on this machine, read from /proc: the control plane's and a bench's child processes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ControlPlane } from '../../test/cluster/control-plane.js';

const clockTicks = 100; // USER_HZ on Linux

/** User + system CPU seconds of a process so far; NaN when it is gone or /proc is not there. */
export const cpuSecondsOf = (pid: number): number => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return NaN;
  }
};

/** The pids of the plane's kube-apiserver and etcd (the harness writes them to a file). */
export const planePids = (plane: ControlPlane): { apiserver: number; etcd: number } => {
  const [apiserver, etcd] = fs
    .readFileSync(path.join(plane.dataDir, 'pids'), 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  return { apiserver: apiserver ?? NaN, etcd: etcd ?? NaN };
};
