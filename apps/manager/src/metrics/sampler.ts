import type { MetricName, Service } from '@myagent/models';
import type { ConnectionStats } from '@myagent/router';
import type { MetricSampleInput, MetricTier, Storage } from '@myagent/storage-kysely';

// The metrics of spec H3: every `intervalMs` one sample per running service and one for the whole
// system, kept in storage with rollups (raw, then 1-minute and 1-hour buckets, each tier bounded in age),
// and the counters that must outlive processes and managers (stat totals) added up as they grow.

/** Options of the metrics sampler. Times in ms. */
export interface MetricsOptions {
  /** Between samples; 0 turns sampling off. @default 10_000 */
  intervalMs?: number;
  /** Rollup tiers, finest first. @default raw 24 h, 1 min 7 days, 1 h 90 days */
  tiers?: MetricTier[];
  /** How often rollups and pruning run. @default 60_000 */
  maintainEveryMs?: number;
}

/** The default sampling period, as the issue asks (10 s). */
export const DEFAULT_METRICS_INTERVAL_MS = 10_000;
const HOUR = 3_600_000;
/** Raw samples a day, 1-minute buckets a week, 1-hour buckets 90 days. */
export const DEFAULT_METRIC_TIERS: MetricTier[] = [
  { resolution: 0, keepMs: 24 * HOUR },
  { resolution: 60_000, keepMs: 7 * 24 * HOUR },
  { resolution: HOUR, keepMs: 90 * 24 * HOUR },
];

/** Metrics that count events in a bucket (summed); the others are levels (averaged). */
export const COUNTER_METRICS: ReadonlySet<MetricName> = new Set(['messages', 'errors']);

/** What one tick reads from the manager. */
export interface SampleSource {
  services(): Promise<Service[]>;
  connections(): ConnectionStats;
  /** Messages each live connection has relayed so far, by connection id, with its service. */
  connectionCounters(): Iterable<{ connection_id: string; target_service_id: string; message_count: number }>;
}

/** Per-service counters as last seen, to turn the stored cumulative totals into deltas. */
interface Seen {
  total_connections: number;
  total_sessions: number;
  completed_sessions: number;
  error_count: number;
}

const NOTHING_SEEN: Seen = { total_connections: 0, total_sessions: 0, completed_sessions: 0, error_count: 0 };

function seenOf({ stats }: Service): Seen {
  return {
    total_connections: stats.total_connections,
    total_sessions: stats.total_sessions,
    completed_sessions: stats.completed_sessions,
    error_count: stats.error_count,
  };
}

const LIVE = new Set(['running', 'unhealthy']);
const SYSTEM = 'system';
const day = (ts: number) => `day:${new Date(ts).toISOString().slice(0, 10)}`;

/** Samples the manager into storage and answers time series from it. */
export class MetricsSampler {
  readonly intervalMs: number;
  readonly tiers: MetricTier[];
  readonly #storage: Storage;
  readonly #source: SampleSource;
  readonly #onError: (error: unknown) => void;
  readonly #maintainEveryMs: number;
  readonly #seen = new Map<string, Seen>();
  /** The stored totals when this manager started: what it counts is the growth from there. */
  readonly #initial: Promise<Map<string, Seen>>;
  readonly #messages = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastMaintain = 0;

  constructor(
    storage: Storage,
    source: SampleSource,
    onError: (error: unknown) => void,
    options: MetricsOptions = {},
  ) {
    this.#storage = storage;
    this.#source = source;
    this.#onError = onError;
    this.intervalMs = options.intervalMs ?? DEFAULT_METRICS_INTERVAL_MS;
    this.tiers = options.tiers ?? DEFAULT_METRIC_TIERS;
    this.#maintainEveryMs = options.maintainEveryMs ?? 60_000;
    // Taken now, before any child of this manager runs; counted totals then start where they were.
    this.#initial = Promise.resolve()
      .then(() => source.services())
      .then((services) => new Map(services.map((service) => [service.service_id, seenOf(service)])))
      .catch((error: unknown) => {
        onError(error);
        return new Map<string, Seen>();
      });
  }

  /** Starts the periodic samples (none when the interval is 0). */
  start(): void {
    if (this.intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => void this.sampleNow().catch(this.#onError), this.intervalMs);
    this.#timer.unref();
  }

  /** Stops sampling and waits for a sample under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** Takes one sample now (a sample under way is awaited instead of overlapped). */
  sampleNow(now = Date.now()): Promise<void> {
    this.#running ??= this.#sample(now).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** One metric over `[from, to)` in buckets of `interval` ms, counters summed and levels averaged. */
  async query(query: {
    metric: MetricName;
    service_id: string | null;
    from: number;
    to: number;
    interval: number;
  }) {
    const aggregate = COUNTER_METRICS.has(query.metric) ? ('sum' as const) : ('avg' as const);
    const points = await this.#storage.metrics.query({ ...query, aggregate }, this.tiers, Date.now());
    return { aggregate, points };
  }

  async #sample(now: number): Promise<void> {
    const initial = await this.#initial;
    const services = (await this.#source.services()).filter((s) => LIVE.has(s.status));
    const messages = this.#messageDeltas();
    const samples: MetricSampleInput[] = [];
    const totals: { scope: string; key: string; value: number; mode: 'add' | 'max' }[] = [];
    const system = {
      connections: 0,
      sessions: 0,
      messages: 0,
      errors: 0,
      cpu: 0,
      memory: 0,
      response: 0,
      weight: 0,
    };
    for (const service of services) {
      const { stats } = service;
      const delta = this.#counterDeltas(service, initial);
      const sent = messages.get(service.service_id) ?? 0;
      const values: Record<MetricName, number> = {
        connections: stats.active_connections,
        sessions: stats.active_sessions,
        messages: sent,
        response_time: stats.avg_response_time,
        errors: delta.error_count,
        cpu: stats.cpu_usage_percent,
        memory: stats.memory_usage_mb,
        services_running: 1,
      };
      for (const [metric, value] of Object.entries(values)) {
        if (metric !== 'services_running')
          samples.push({ service_id: service.service_id, metric, value, ts: now });
      }
      const scope = service.service_id;
      totals.push(
        { scope, key: 'total_connections', value: delta.total_connections, mode: 'add' },
        { scope, key: 'total_sessions', value: delta.total_sessions, mode: 'add' },
        { scope, key: 'completed_sessions', value: delta.completed_sessions, mode: 'add' },
        { scope, key: 'error_count', value: delta.error_count, mode: 'add' },
        { scope, key: 'messages', value: sent, mode: 'add' },
        { scope, key: 'peak_connections', value: stats.active_connections, mode: 'max' },
      );
      for (const key of [
        'total_connections',
        'total_sessions',
        'completed_sessions',
        'error_count',
      ] as const) {
        totals.push({ scope: SYSTEM, key, value: delta[key], mode: 'add' });
      }
      totals.push(
        { scope: day(now), key: 'total_sessions', value: delta.total_sessions, mode: 'add' },
        { scope: day(now), key: 'completed_sessions', value: delta.completed_sessions, mode: 'add' },
        { scope: day(now), key: 'messages', value: sent, mode: 'add' },
      );
      system.connections += stats.active_connections;
      system.sessions += stats.active_sessions;
      system.messages += sent;
      system.errors += delta.error_count;
      system.cpu += stats.cpu_usage_percent;
      system.memory += stats.memory_usage_mb;
      if (stats.avg_response_time > 0) {
        system.response += stats.avg_response_time;
        system.weight++;
      }
    }
    // The proxy's live connections count too once it runs (it holds connections the agents' stats lag on).
    system.connections = Math.max(system.connections, this.#source.connections().active_connections);
    const systemValues: Record<MetricName, number> = {
      connections: system.connections,
      sessions: system.sessions,
      messages: system.messages,
      response_time: system.weight ? system.response / system.weight : 0,
      errors: system.errors,
      cpu: system.cpu,
      memory: system.memory,
      services_running: services.length,
    };
    for (const [metric, value] of Object.entries(systemValues))
      samples.push({ service_id: null, metric, value, ts: now });
    totals.push(
      { scope: SYSTEM, key: 'messages', value: system.messages, mode: 'add' },
      { scope: SYSTEM, key: 'peak_connections', value: system.connections, mode: 'max' },
      { scope: day(now), key: 'peak_connections', value: system.connections, mode: 'max' },
    );
    await this.#storage.metrics.append(samples);
    await this.#storage.totals.apply(totals.filter((t) => t.mode !== 'add' || t.value > 0));
    if (now - this.#lastMaintain >= this.#maintainEveryMs) {
      this.#lastMaintain = now;
      await this.#storage.metrics.maintain(this.tiers, now);
    }
  }

  /** How much each counter grew since the last sample. */
  #counterDeltas(service: Service, initial: ReadonlyMap<string, Seen>) {
    const current = seenOf(service);
    // Stored stats are cumulative (the registry adds each new agent server's counts to the totals stored
    // when it started), so they only grow: a delta is the growth since the last sample, or since this
    // manager started (a service registered since then started from zero).
    const previous = this.#seen.get(service.service_id) ?? initial.get(service.service_id) ?? NOTHING_SEEN;
    const delta = (key: keyof Seen) => Math.max(0, current[key] - previous[key]);
    const result = {
      total_connections: delta('total_connections'),
      total_sessions: delta('total_sessions'),
      completed_sessions: delta('completed_sessions'),
      error_count: delta('error_count'),
    };
    this.#seen.set(service.service_id, current);
    return result;
  }

  /** Messages relayed since the last sample, by service, from the live connections' counters. */
  #messageDeltas(): Map<string, number> {
    const out = new Map<string, number>();
    const live = new Set<string>();
    for (const connection of this.#source.connectionCounters()) {
      live.add(connection.connection_id);
      const before = this.#messages.get(connection.connection_id) ?? 0;
      const grown = Math.max(0, connection.message_count - before);
      this.#messages.set(connection.connection_id, connection.message_count);
      if (grown > 0)
        out.set(connection.target_service_id, (out.get(connection.target_service_id) ?? 0) + grown);
    }
    for (const id of this.#messages.keys()) if (!live.has(id)) this.#messages.delete(id);
    return out;
  }
}
