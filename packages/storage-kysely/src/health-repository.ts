// Health check history: the HealthRepository contract and its options.
import type { HealthCheckResult, HealthCheckResultInput } from '@myagent/models';

/** Options of {@link HealthRepository.append}. */
export interface AppendHealthOptions {
  /** Keep only this many newest results of the service afterwards (same transaction). */
  keep?: number;
}

/** Health check history (spec D3, D5). */
export interface HealthRepository {
  append(result: HealthCheckResultInput, options?: AppendHealthOptions): Promise<HealthCheckResult>;
  /** Several results in one transaction. */
  appendMany(results: readonly HealthCheckResultInput[]): Promise<number>;
  /** The newest `limit` results of a service (default 100), newest first. */
  recent(serviceId: string, limit?: number): Promise<HealthCheckResult[]>;
  latest(serviceId: string): Promise<HealthCheckResult | undefined>;
  /** Deletes all but the newest `keep` results of a service; returns how many went. */
  prune(serviceId: string, keep: number): Promise<number>;
}
