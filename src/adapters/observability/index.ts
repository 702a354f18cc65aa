// Observability adapters (`kubetasks/adapters/observability`): the logging port on pino, the metrics port on prom-client.
export { fromPino, makePinoLogger } from './pino-logger.js';
export { METRICS, makePromMetrics } from './prom-metrics.js';
