// Observability adapters (`kubetasks/adapters/observability`): the logging port on pino, the metrics port on prom-client.
/**
 * Logging on pino and metrics on prom-client: production implementations of the `Logger` and `Metrics` ports.
 *
 * @module kubetasks/adapters/observability
 */
export { fromPino, makePinoLogger } from './pino-logger.js';
export { METRICS, makePromMetrics } from './prom-metrics.js';
export {
  parseListenAddress,
  serveEndpoints,
  type EndpointOptions,
  type Endpoints,
  type ListenAddress,
} from './http-endpoints.js';
