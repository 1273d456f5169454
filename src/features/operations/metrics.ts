import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of one app. Each buildApp() gets its own registry: the tests build many apps
 * in one process, and prom-client's global registry would refuse the second "http_requests_total".
 * The process metrics (CPU, memory, event loop, GC) describe the process, not an app, so they live
 * in one registry shared by every app of the process and are collected once.
 */
export type ImportKind = 'wastewater' | 'indicators';
export type ImportOutcome = 'applied' | 'failed' | 'dry_run';

/** Seconds. Finer than prom-client's default at the low end: a cached public page takes well under 5 ms. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label for requests no route matched: their URLs are whatever a scanner sends, so never a label. */
export const UNMATCHED_ROUTE = 'unmatched';

let processRegistry: Registry | null = null;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class AppMetrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly #duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to the end of its response, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly #imports = new Counter({
    name: 'loften_imports_total',
    help: 'Imports that finished, by kind and outcome (applied, failed, dry_run).',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #importRows = new Counter({
    name: 'loften_import_rows_total',
    help: 'Rows read by finished imports, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    processMetrics();
  }

  /** `route` is the route pattern (e.g. /kommun/:slug), or undefined when nothing matched. */
  recordRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    const r = route ?? UNMATCHED_ROUTE;
    this.#requests.inc({ method, route: r, status: String(status) });
    this.#duration.observe({ method, route: r }, seconds);
  }

  recordImport(kind: ImportKind, outcome: ImportOutcome, rows: number): void {
    this.#imports.inc({ kind, outcome });
    if (rows > 0) this.#importRows.inc({ kind }, rows);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text: this app's metrics, then the process's. */
  async text(): Promise<string> {
    const own = await this.registry.metrics();
    const proc = await processMetrics().metrics();
    return `${own.trimEnd()}\n${proc}`;
  }
}
