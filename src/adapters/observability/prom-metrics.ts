// The metrics port on prom-client: every metric the plugin manager emits is declared here, with help text.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricLabels, Metrics } from '../../ports/metrics.js';

interface Spec {
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly labels: ReadonlyArray<string>;
  readonly buckets?: ReadonlyArray<number>;
}

/** The metrics kubetasks emits, named after controller-runtime's (see docs/observability.md). */
export const METRICS: Readonly<Record<string, Spec>> = {
  kubetasks_tasks_submitted_total: {
    type: 'counter',
    help: 'Tasks submitted to the manager.',
    labels: ['plugin'],
  },
  kubetasks_task_phase_transitions_total: {
    type: 'counter',
    help: 'PhaseInfos emitted, by plugin and phase.',
    labels: ['plugin', 'phase'],
  },
  kubetasks_reconcile_total: {
    type: 'counter',
    help: 'Batches of observations processed for one task (controller_runtime_reconcile_total).',
    labels: ['plugin', 'result'],
  },
  kubetasks_reconcile_time_seconds: {
    type: 'histogram',
    help: 'Time to process one batch of observations (controller_runtime_reconcile_time_seconds).',
    labels: ['plugin'],
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
  },
  kubetasks_workqueue_depth: {
    type: 'gauge',
    help: 'Tasks waiting for a worker (workqueue_depth).',
    labels: [],
  },
  kubetasks_workqueue_adds_total: {
    type: 'counter',
    help: 'Observations queued (workqueue_adds_total).',
    labels: [],
  },
  kubetasks_cluster_requests_total: {
    type: 'counter',
    help: 'Cluster API calls by verb and HTTP code (rest_client_requests_total).',
    labels: ['verb', 'code'],
  },
  kubetasks_informer_lists_total: {
    type: 'counter',
    help: 'Informer LIST calls, by kind.',
    labels: ['kind'],
  },
  kubetasks_informer_watches_total: {
    type: 'counter',
    help: 'Informer WATCH calls, by kind.',
    labels: ['kind'],
  },
  kubetasks_leader_election_master_status: {
    type: 'gauge',
    help: 'Whether this process leads the Lease: 1 or 0 (leader_election_master_status).',
    labels: ['name'],
  },
  kubetasks_leader_election_transitions_total: {
    type: 'counter',
    help: 'Times this process took the Lease; summed over replicas, the lease transitions.',
    labels: ['name'],
  },
  kubetasks_taskexecution_status_writes_total: {
    type: 'counter',
    help: 'TaskExecution status writes (state and phase) by result: success, conflict, fenced, error.',
    labels: ['result'],
  },
  kubetasks_taskexecution_status_writes_by_operation_total: {
    type: 'counter',
    help: 'Successful TaskExecution status writes by what made them: put (a state stored before its commands), flush (a phase written alone after the status delay), remove (the last status as a settled task is dropped).',
    labels: ['operation'],
  },
  kubetasks_state_store_errors_total: {
    type: 'counter',
    help: 'State store failures: a state not stored (put), a record not removed (remove), unreadable at start (read).',
    labels: ['operation'],
  },
};

/**
 * prom-client metrics behind the port, registered in `registry` (a fresh one by default; pass the application's
 * to expose them with its other metrics). Unknown names are created as untyped-help counters/gauges/histograms
 * on first use, so adapters that add metrics do not have to register them here first.
 */
export const makePromMetrics = (
  registry: Registry = new Registry(),
): Metrics & { readonly registry: Registry } => {
  const counters = new Map<string, Counter>();
  const gauges = new Map<string, Gauge>();
  const histograms = new Map<string, Histogram>();
  const labelNames = (name: string, labels: MetricLabels | undefined): string[] => [
    ...(METRICS[name]?.labels ?? Object.keys(labels ?? {})),
  ];
  const help = (name: string): string => METRICS[name]?.help ?? name;
  return {
    registry,
    increment: (name, labels, by = 1) => {
      let c = counters.get(name);
      if (c === undefined) {
        c = new Counter({
          name,
          help: help(name),
          labelNames: labelNames(name, labels),
          registers: [registry],
        });
        counters.set(name, c);
      }
      c.inc(labels ?? {}, by);
    },
    setGauge: (name, value, labels) => {
      let g = gauges.get(name);
      if (g === undefined) {
        g = new Gauge({
          name,
          help: help(name),
          labelNames: labelNames(name, labels),
          registers: [registry],
        });
        gauges.set(name, g);
      }
      g.set(labels ?? {}, value);
    },
    observe: (name, value, labels) => {
      let h = histograms.get(name);
      if (h === undefined) {
        const buckets = METRICS[name]?.buckets;
        h = new Histogram({
          name,
          help: help(name),
          labelNames: labelNames(name, labels),
          registers: [registry],
          ...(buckets === undefined ? {} : { buckets: [...buckets] }),
        });
        histograms.set(name, h);
      }
      h.observe(labels ?? {}, value);
    },
  };
};
