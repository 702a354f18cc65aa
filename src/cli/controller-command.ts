// `kubetasks controller`: runs the controller against a cluster, with probes and metrics served over HTTP.
import { randomUUID } from 'node:crypto';
import { Command } from '@commander-js/extra-typings';
import * as E from 'fp-ts/lib/Either.js';
import { Registry as PromRegistry } from 'prom-client';
import { Controller } from '../app/controller.js';
import { loadPlatformConfig } from '../app/inputs.js';
import { alwaysLeader, type Leadership } from '../app/leadership.js';
import { leaseLeadership } from '../app/lease-leadership.js';
import { steadyClock, systemClock } from '../adapters/clock/index.js';
import type { TransportOptions } from '../adapters/kubernetes/index.js';
import {
  parseListenAddress,
  serveEndpoints,
  type ListenAddress,
} from '../adapters/observability/http-endpoints.js';
import { makePinoLogger } from '../adapters/observability/pino-logger.js';
import { makePromMetrics } from '../adapters/observability/prom-metrics.js';
import { leaseTimings, type LeaseTimings } from '../domain/leader-election/timings.js';
import { defaultPlatformConfig } from '../domain/platform-config.js';
import { parseDuration } from '../domain/time.js';
import { showRegistryError } from '../domain/registry.js';
import type { ClusterPort } from '../ports/cluster.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import { builtInRegistry } from '../plugins/index.js';
import { CliExit, ExitCode, loadOrExit } from './io.js';
import { loadKubernetesCluster } from './kube.js';
import { holdOpen } from './lifetime.js';
import { checkNamespaceFlag } from './task-input.js';

/** What the leader election needs from the command line. */
export interface LeaderElectionFlags {
  readonly enabled: boolean;
  readonly leaseName: string;
  readonly leaseNamespace: string;
  readonly identity: string;
  /** Lease duration, renew deadline and retry period (client-go's 15 s / 10 s / 2 s unless the flags say). */
  readonly timings?: LeaseTimings;
}

/**
 * The leadership the controller runs under: with `--leader-elect`, a Lease (client-go's timings; the steady clock,
 * so a stepped wall clock cannot stretch a deadline); without, this replica leads alone (run one replica then).
 */
export const leadershipFor = (
  flags: LeaderElectionFlags,
  cluster: ClusterPort,
  logger: Logger,
  metrics: Metrics,
): Leadership =>
  flags.enabled
    ? leaseLeadership({
        cluster,
        clock: steadyClock,
        lease: { namespace: flags.leaseNamespace, name: flags.leaseName },
        identity: flags.identity,
        ...(flags.timings === undefined ? {} : { timings: flags.timings }),
        logger,
        metrics,
      })
    : alwaysLeader();

const address = (flag: string, value: string): ListenAddress => {
  const a = parseListenAddress(value);
  if (a === undefined)
    throw new CliExit(ExitCode.badInput, [`${flag}: expected [host]:port such as :8081, got "${value}"`]);
  return a;
};

/** A Go duration flag (`15s`, `500ms`) in milliseconds. */
const durationFlag = (flag: string, value: string): number => {
  const d = parseDuration(value);
  if (d._tag === 'None')
    throw new CliExit(ExitCode.badInput, [
      `${flag}: expected a duration such as 15s or 500ms, got "${value}"`,
    ]);
  return d.value;
};

/** The lease timings the flags ask for, validated by client-go's rules (lease > renew deadline > 1.2 × retry). */
const timingsOf = (opts: {
  readonly leaseDuration: string;
  readonly renewDeadline: string;
  readonly retryPeriod: string;
}): LeaseTimings => {
  const t = leaseTimings({
    leaseDuration: durationFlag('--lease-duration', opts.leaseDuration),
    renewDeadline: durationFlag('--renew-deadline', opts.renewDeadline),
    retryPeriod: durationFlag('--retry-period', opts.retryPeriod),
  });
  if (E.isLeft(t)) throw new CliExit(ExitCode.badInput, [`leader election: ${t.left}`]);
  return t.right;
};

/**
 * The election's connection: no retry of a 429 (or a 5xx with Retry-After) inside the request. The election asks
 * again every retry period by itself, and a retried request would only hold its answer back: a just-started
 * kube-apiserver answers 429 until its caches are ready, and the standby's read of the Lease, retried five times a
 * second apart, came back seconds after the server could have answered (test/cluster/controller-restart.test.ts).
 */
export const ELECTION_TRANSPORT: TransportOptions = { maxRetries: 0 };

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** The signals that stop the controller (it releases its lease and exits 0). */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export const controllerCommand = () =>
  new Command('controller')
    .description('Run TaskExecutions from the cluster: the kubetasks controller (see docs/deploying.md)')
    .option(
      '--kubeconfig <file>',
      'kubeconfig (default: $KUBECONFIG, ~/.kube/config, then the in-cluster config)',
    )
    .option('-n, --namespace <ns>', 'watch TaskExecutions in this namespace only (default: all namespaces)')
    .option('-c, --config <file>', 'platform config file')
    .option('--leader-elect', 'elect a leader among replicas through a Lease; standbys wait to lead')
    .option('--lease-name <name>', 'the Lease of leader election', 'kubetasks-controller')
    .option(
      '--lease-namespace <ns>',
      "the Lease's namespace (default: the controller's own, else kubetasks-system)",
    )
    .option(
      '--lease-duration <duration>',
      'how long a lease nobody renews still holds (whole seconds)',
      '15s',
    )
    .option('--renew-deadline <duration>', 'how long a leader that cannot renew keeps leading', '10s')
    .option('--retry-period <duration>', 'how often candidates read the lease and the leader renews it', '2s')
    .option('--health-addr <addr>', 'where /healthz and /readyz are served', ':8081')
    .option('--metrics-addr <addr>', 'where /metrics is served', ':8080')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .action(async (opts) => {
      const namespace = checkNamespaceFlag(opts.namespace);
      const health = address('--health-addr', opts.healthAddr);
      const metricsAt = address('--metrics-addr', opts.metricsAddr);
      const level = opts.logLevel;
      if (!(LEVELS as ReadonlyArray<string>).includes(level))
        throw new CliExit(ExitCode.badInput, [
          `--log-level: expected debug, info, warn or error, got "${level}"`,
        ]);
      const timings = timingsOf(opts);
      const config =
        opts.config === undefined ? defaultPlatformConfig : loadOrExit(opts.config, loadPlatformConfig);
      const registry = builtInRegistry();
      if (E.isLeft(registry)) throw new CliExit(ExitCode.internal, [showRegistryError(registry.left)]);
      const connect = (userAgent: string, transport: TransportOptions = {}) =>
        loadKubernetesCluster({
          ...(opts.kubeconfig === undefined ? {} : { kubeconfigPath: opts.kubeconfig }),
          ...transport,
          userAgent,
        });
      const loaded = await connect('kubetasks-controller');
      if (E.isLeft(loaded)) throw new CliExit(ExitCode.badInput, [`cannot connect: ${loaded.left.message}`]);
      const cluster = loaded.right;
      // The election on a connection of its own, as controller-runtime does: behind the tasks' requests (a burst of
      // TaskExecutions queues thousands at the connection's cap of requests in flight) a renewal waits its turn,
      // misses the renew deadline, and the leader loses its lease for nothing (bench:controller, 1,000 tasks).
      const electionConnection =
        opts.leaderElect === true
          ? await connect('kubetasks-leader-election', ELECTION_TRANSPORT)
          : undefined;
      if (electionConnection !== undefined && E.isLeft(electionConnection))
        throw new CliExit(ExitCode.badInput, [`cannot connect: ${electionConnection.left.message}`]);
      const electionCluster = electionConnection?.right ?? cluster;
      const logger = makePinoLogger({ level: level as (typeof LEVELS)[number], destination: process.stderr });
      const metrics = makePromMetrics(new PromRegistry());
      const leadership = leadershipFor(
        {
          enabled: opts.leaderElect === true,
          leaseName: opts.leaseName,
          leaseNamespace: opts.leaseNamespace ?? process.env['POD_NAMESPACE'] ?? 'kubetasks-system',
          // Unique per process: a restarted container must not take over its predecessor's identity.
          identity: `${process.env['POD_NAME'] ?? process.env['HOSTNAME'] ?? 'kubetasks'}_${randomUUID().slice(0, 8)}`,
          timings,
        },
        electionCluster,
        logger,
        metrics,
      );
      const controller = new Controller({
        cluster,
        clock: systemClock,
        registry: registry.right,
        config,
        logger,
        metrics,
        leadership,
        ...(namespace === undefined ? {} : { namespace }),
      });
      const endpoints = await serveEndpoints({
        health,
        metrics: metricsAt,
        healthy: () => controller.isHealthy(),
        ready: () => controller.isReady(),
        registry: metrics.registry,
      }).catch((e: unknown) => {
        throw new CliExit(ExitCode.badInput, [
          `cannot listen: ${e instanceof Error ? e.message : String(e)}`,
        ]);
      });
      logger.info('controller starting', {
        namespace: namespace ?? '(all)',
        healthPort: endpoints.healthPort,
        metricsPort: endpoints.metricsPort,
      });
      const stop = new AbortController();
      const handlers = SIGNALS.map((signal) => {
        const handler = (): void => {
          logger.info('stopping', { signal });
          stop.abort();
        };
        process.on(signal, handler);
        return () => process.off(signal, handler);
      });
      try {
        const end = await holdOpen(controller.run(stop.signal));
        if (end._tag === 'Lost') {
          // Its caches may hold decisions made as leader: exit, and let the Deployment start it afresh.
          logger.error('leadership lost; exiting', { reason: end.reason });
          process.exitCode = ExitCode.failed;
        } else logger.info('controller stopped');
      } finally {
        for (const off of handlers) off();
        await endpoints.close();
        cluster.close();
        if (electionCluster !== cluster) electionCluster.close();
      }
    });
