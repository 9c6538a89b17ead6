/**
 * The repository interfaces every dialect implements. Inputs are validated with the models schemas (a bad
 * row is rejected with `AppError('INVALID_REQUEST')` and nothing is stored); outputs are parsed models.
 * Errors are always `AppError`s: SERVICE_ALREADY_EXISTS (duplicate service name), SERVICE_NOT_FOUND (a
 * health result or log line for a service that is not stored), INVALID_REQUEST, STORAGE_ERROR (the rest).
 */
import type { AuditRepository } from './audit-repository.js';
import type { ConnectionRepository } from './connection-repository.js';
import type { HealthRepository } from './health-repository.js';
import type { LeaseRepository } from './lease-repository.js';
import type { LogRepository } from './log-repository.js';
import type { MetricRepository } from './metric-repository.js';
import type { RuleRepository } from './rule-repository.js';
import type { ServiceRepository } from './service-repository.js';
import type { TotalsRepository } from './totals-repository.js';
import type { TraceRepository } from './trace-repository.js';
import type { WebhookRepository } from './webhook-repository.js';

/** Which SQL dialect a storage speaks. */
export type StorageDialect = 'sqlite' | 'postgres';

/** An open store: one repository per entity. Close it (or `await using`) to release the database. */
export interface Storage extends AsyncDisposable {
  readonly dialect: StorageDialect;
  readonly services: ServiceRepository;
  readonly rules: RuleRepository;
  readonly health: HealthRepository;
  readonly connections: ConnectionRepository;
  readonly logs: LogRepository;
  readonly lease: LeaseRepository;
  readonly metrics: MetricRepository;
  readonly totals: TotalsRepository;
  readonly audit: AuditRepository;
  readonly webhooks: WebhookRepository;
  readonly traces: TraceRepository;
  /** Closes the database; later calls are no-ops. */
  close(): Promise<void>;
}
