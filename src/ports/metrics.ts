// The metrics port: counters, gauges and histograms addressed by name and labels, with a no-op default.

/** Label values by label name; keep the set of values small (a verb, a code, a phase; never an object name). */
export type MetricLabels = Readonly<Record<string, string>>;

/**
 * Metrics in the Prometheus model. A series is a name plus a label set; implementations create series on first
 * use. Names follow Prometheus conventions (`kubetasks_cluster_requests_total`, `_seconds` for durations).
 */
export interface Metrics {
  /** Adds `by` (default 1, never negative) to a counter. */
  readonly increment: (name: string, labels?: MetricLabels, by?: number) => void;
  /** Sets a gauge. */
  readonly setGauge: (name: string, value: number, labels?: MetricLabels) => void;
  /** Records one observation in a histogram (durations in seconds). */
  readonly observe: (name: string, value: number, labels?: MetricLabels) => void;
}

/** Records nothing. */
export const noopMetrics: Metrics = {
  increment: () => undefined,
  setGauge: () => undefined,
  observe: () => undefined,
};
