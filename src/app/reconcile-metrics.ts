// Reconcile metrics: how long each reconcile took and how it ended, per plugin, with label sets made once.
import type { Metrics } from '../ports/metrics.js';

/** How a reconcile ended: its step stored and its commands run, its state not stored, or an unexpected throw. */
export type ReconcileResult = 'success' | 'store_failed' | 'error';

interface Labels {
  readonly plugin: { readonly plugin: string };
  readonly result: Readonly<Record<ReconcileResult, { readonly plugin: string; readonly result: string }>>;
}

/** `kubetasks_reconcile_time_seconds{plugin}` and `kubetasks_reconcile_total{plugin,result}`. */
export class ReconcileMetrics {
  // The label objects of a plugin are made once rather than on every reconcile (it showed in the benchmark).
  private readonly labelsByPlugin = new Map<string, Labels>();

  constructor(private readonly metrics: Metrics) {}

  /** Records one reconcile of a task of `plugin` that started at `started` (performance.now()). */
  record(plugin: string, started: number, result: ReconcileResult): void {
    const labels = this.labelsOf(plugin);
    this.metrics.observe(
      'kubetasks_reconcile_time_seconds',
      (performance.now() - started) / 1000,
      labels.plugin,
    );
    this.metrics.increment('kubetasks_reconcile_total', labels.result[result]);
  }

  private labelsOf(plugin: string): Labels {
    let labels = this.labelsByPlugin.get(plugin);
    if (labels === undefined) {
      labels = {
        plugin: { plugin },
        result: {
          success: { plugin, result: 'success' },
          store_failed: { plugin, result: 'store_failed' },
          error: { plugin, result: 'error' },
        },
      };
      this.labelsByPlugin.set(plugin, labels);
    }
    return labels;
  }
}
