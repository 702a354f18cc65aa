// Exponential back-off with jitter, and the per-namespace quota gate; randomness comes in as a value.
import type { BackoffConfig } from '../platform-config.js';
import type { Duration, Instant } from '../time.js';

/**
 * The delay before try `failures + 1`: base · 2^(failures-1), capped at max, with a `jitter` fraction of it
 * randomised by `entropy` ∈ [0, 1). Pure: the caller draws the entropy.
 */
export const delay = (cfg: BackoffConfig, failures: number, entropy: number): Duration => {
  const n = Math.max(1, failures);
  const raw = Math.min(cfg['max-duration'], cfg['base-duration'] * 2 ** Math.min(n - 1, 40));
  const e = Number.isFinite(entropy) ? Math.min(Math.max(entropy, 0), 1) : 0;
  return Math.round(raw * (1 - cfg.jitter + cfg.jitter * e));
};

/** The back-off of one namespace whose creates a ResourceQuota rejects; shared by every task in it. */
export interface QuotaGate {
  readonly rejections: number;
  /** Creates in the namespace wait until then. */
  readonly closedUntil: Instant;
}

export const openGate: QuotaGate = { rejections: 0, closedUntil: 0 };

/** A rejection closes (or keeps closed) the gate for the next back-off delay. */
export const reject = (gate: QuotaGate, now: Instant, cfg: BackoffConfig, entropy: number): QuotaGate => {
  const rejections = gate.rejections + 1;
  return { rejections, closedUntil: Math.max(gate.closedUntil, now + delay(cfg, rejections, entropy)) };
};

/** A successful create resets the back-off. */
export const accept = (_gate: QuotaGate): QuotaGate => openGate;

export const isOpen = (gate: QuotaGate, now: Instant): boolean => now >= gate.closedUntil;
