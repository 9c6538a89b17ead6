import type { LogLevel, LogLine, Service, ServiceStats, ServiceStatus } from '@myagent/models';

/** Filter of {@link ServiceStore.list}. */
export interface ServiceListFilter {
  status?: ServiceStatus;
  tags?: string[];
  limit?: number;
  offset?: number;
}

/** Extra fields written together with a status by {@link ServiceStore.updateStatus}. */
export interface StatusPatch {
  error_message?: string | null;
  started_at?: string | null;
  /** When the pending auto-restart is due (ISO), or null: none pending. */
  restart_due_at?: string | null;
  /** Compare-and-set: the update happens only while the stored status is one of these. */
  expected?: ServiceStatus[];
}

/**
 * Where the registry keeps services: the few methods it calls, shaped like storage-kysely's services
 * repository so that `storage.services` can be passed as is.
 */
export interface ServiceStore {
  save(service: Service): Promise<unknown>;
  get(id: string): Promise<Service | undefined>;
  getByName(name: string): Promise<Service | undefined>;
  list(filter?: ServiceListFilter): Promise<{ services: Service[]; total: number }>;
  /** Atomic status change; resolves undefined when the service is gone or `expected` did not match. */
  updateStatus(id: string, status: ServiceStatus, patch?: StatusPatch): Promise<Service | undefined>;
  /** Merges the given counters into the stored stats. */
  updateStats(id: string, stats: Partial<ServiceStats>): Promise<unknown>;
  setRestartCount(id: string, count: number): Promise<unknown>;
  delete(id: string): Promise<boolean>;
  /** Records the child a service runs as: the only process a later manager may stop as a stray. */
  setProcess(id: string, process: { pid: number; host: string }): Promise<unknown>;
  /** Forgets the recorded child if it is still this pid. */
  clearProcess(id: string, pid: number): Promise<unknown>;
  /** Every recorded child, of every service. */
  listProcesses(): Promise<RecordedProcess[]>;
}

/** A child process recorded for a service by {@link ServiceStore.setProcess}. */
export interface RecordedProcess {
  service_id: string;
  pid: number;
  /** The host name of the machine it runs on. */
  host: string;
}

/** Filters of {@link LogSink.list}. */
export interface ListLogsOptions {
  /** Minimum level: 'warn' gives warn and error. */
  level?: LogLevel;
  /** Only lines at or after this ISO timestamp. */
  since?: string;
  /** The newest `limit` matching lines. */
  limit?: number;
}

/** Filters of {@link LogSink.search}. */
export interface SearchLogsOptions {
  service_id?: string;
  level?: LogLevel;
  limit?: number;
}

/** Where captured log lines go and are read back: storage-kysely's logs repository fits. */
export interface LogSink {
  /** Appends a batch of lines (one transaction where the store has them). */
  append(lines: LogLine[]): Promise<unknown>;
  /** Keeps the newest `keep` lines of a service and drops the rest. */
  prune(serviceId: string, keep: number): Promise<unknown>;
  /** The newest matching lines of a service, oldest first. */
  list(serviceId: string, options?: ListLogsOptions): Promise<LogLine[]>;
  /** Lines whose message contains `text`, case-insensitive. */
  search(text: string, options?: SearchLogsOptions): Promise<LogLine[]>;
}

/** A program and its leading arguments, e.g. `agentServerCommand()` of `@myagent/agent-server`. */
export interface CommandSpec {
  command: string;
  args: string[];
}

/** A status change of a service. */
export interface StatusEvent {
  service_id: string;
  name: string;
  from: ServiceStatus;
  to: ServiceStatus;
  error_message: string | null;
}

/** A child process of a service ended. `expected` is true when the registry asked it to stop. */
export interface ExitEvent {
  service_id: string;
  pid: number | undefined;
  code: number | null;
  signal: string | null;
  expected: boolean;
  /** The last lines the child wrote to stderr. */
  stderr_tail: string[];
}

/** An automatic restart was scheduled. */
export interface RestartEvent {
  service_id: string;
  /** 1 for the first restart within the current window. */
  attempt: number;
  delay_ms: number;
  reason: string;
}

/** A failing service reached max_restart_count within the window: it stays in ERROR (a crash loop). */
export interface RestartLimitEvent {
  service_id: string;
  reason: string;
  /** The error_message stored, which says how many restarts were made. */
  message: string;
}

/** The events a registry emits; `log` fires for every captured line. */
export interface RegistryEvents {
  status: [StatusEvent];
  exit: [ExitEvent];
  restart: [RestartEvent];
  restart_limit: [RestartLimitEvent];
  log: [LogLine];
  /** A stray process (a recorded child of a previous manager) was stopped by {@link ServiceRegistry.reconcile}. */
  stray: [{ service_id: string; pid: number; port: number }];
  /** A background task failed (a log flush, a stats refresh); the registry goes on. */
  error: [Error];
}

/** Result of one service in startAll / stopAll. */
export interface BulkResult {
  service_id: string;
  name: string;
  success: boolean;
  status: ServiceStatus;
  error?: { code: string; message: string };
}

/** What {@link ServiceRegistry.reconcile} did. */
export interface ReconcileReport {
  /** Services started again because the store said they should run. */
  started: BulkResult[];
  /**
   * Services that were in ERROR waiting for an auto-restart when the previous manager went away, restarted
   * under the restart policy (the restarts counted before still count). One whose restart_due_at was past
   * is restarted before reconcile returns, with that start's outcome; one not yet due is scheduled for
   * then, and listed with success and its current status, error.
   */
  resumed: BulkResult[];
  /** Stray processes that were stopped. */
  strays: Array<{ service_id: string; pid: number; port: number }>;
}
