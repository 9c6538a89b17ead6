// Metric time series: the MetricRepository contract, its samples, queries and rollup tiers.
/** One raw sample of a metric: `service_id` null for a system-wide metric; `ts` in epoch ms. */
export interface MetricSampleInput {
  service_id: string | null;
  metric: string;
  value: number;
  ts: number;
}

/** How a series folds into buckets: `avg` for gauges (connections, cpu), `sum` for counts (errors). */
export type MetricAggregate = 'avg' | 'sum';

/** A time series query over `[from, to)` in epoch ms, in buckets of `interval` ms starting at `from`. */
export interface MetricQuery {
  metric: string;
  service_id: string | null;
  from: number;
  to: number;
  interval: number;
  aggregate: MetricAggregate;
}

/** One bucket of a series; buckets without samples are left out. */
export interface MetricPoint {
  ts: number;
  value: number;
}

/** A rollup tier: rows of `resolution` ms (0 = raw) kept for `keepMs`. Ordered finest first. */
export interface MetricTier {
  resolution: number;
  keepMs: number;
}

/** Metric time series (spec H3): raw samples, rolled up into coarser tiers, each tier bounded in age. */
export interface MetricRepository {
  /** Appends raw samples in one transaction; returns how many. */
  append(samples: readonly MetricSampleInput[]): Promise<number>;
  /**
   * Rolls every complete bucket of each tier (after the first) up from the tier before it, then deletes
   * what each tier holds beyond its age. Returns how many rows were written and deleted.
   */
  maintain(tiers: readonly MetricTier[], now: number): Promise<{ rolled: number; pruned: number }>;
  /** Buckets from the finest tier that still holds `from`, and finer tiers for what is not rolled yet. */
  query(query: MetricQuery, tiers: readonly MetricTier[], now: number): Promise<MetricPoint[]>;
}
