// Per-namespace quota gates: after a ResourceQuota rejection, creates in that namespace wait out a back-off.
import * as Gate from '../domain/lifecycle/backoff.js';
import type { BackoffConfig } from '../domain/platform-config.js';
import type { CancelTimer, Clock } from '../ports/clock.js';

export interface QuotaGatesOptions {
  readonly clock: Clock;
  readonly backoff: BackoffConfig;
  /** Uniform draws in [0, 1) for the back-off's jitter. */
  readonly random: () => number;
  /** Called when a closed namespace reopens, after the held creates were let go. */
  readonly onReopen: (namespace: string) => void;
}

/**
 * The gates of every namespace, like v1's back-off controller: a rejection closes the namespace's gate for a
 * growing back-off, creates for it are held meanwhile (not sent to be rejected again), and the first accepted
 * create opens it again.
 */
export class QuotaGates {
  private readonly gates = new Map<string, Gate.QuotaGate>();
  private readonly timers = new Map<string, CancelTimer>();
  private readonly held = new Map<string, Array<() => void>>();

  constructor(private readonly opts: QuotaGatesOptions) {}

  /** A create in the namespace was rejected by its quota: close (or keep closed, longer) its gate. */
  reject(namespace: string): void {
    const now = this.opts.clock.now();
    const gate = Gate.reject(
      this.gates.get(namespace) ?? Gate.openGate,
      now,
      this.opts.backoff,
      this.opts.random(),
    );
    this.gates.set(namespace, gate);
    this.timers.get(namespace)?.();
    this.timers.set(
      namespace,
      this.opts.clock.setTimer(gate.closedUntil - now, () => {
        this.timers.delete(namespace);
        for (const run of this.held.get(namespace)?.splice(0) ?? []) run();
        this.opts.onReopen(namespace);
      }),
    );
  }

  /** A create in the namespace was accepted: its back-off starts over. */
  accept(namespace: string): void {
    this.gates.delete(namespace);
  }

  /** Runs `send` now if the namespace's gate is open, else when it reopens; resolves with what `send` gives. */
  admit<A>(namespace: string, send: () => Promise<A>): Promise<A> {
    const gate = this.gates.get(namespace);
    if (gate === undefined || Gate.isOpen(gate, this.opts.clock.now())) return send();
    return new Promise((resolve) => {
      const held = this.held.get(namespace) ?? [];
      // Asked again when it reopens: a new rejection meanwhile holds it once more.
      held.push(() => void this.admit(namespace, send).then(resolve));
      this.held.set(namespace, held);
    });
  }

  /** Cancels the reopening timers (a stopped manager). */
  stop(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }
}
