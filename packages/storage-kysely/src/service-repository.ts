// Services and their recorded child processes: the ServiceRepository contract and its options.
import type { Service, ServiceInput, ServiceStats, ServiceStatus } from '@myagent/models';

/** Filters of {@link ServiceRepository.list}. */
export interface ListServicesOptions {
  /** One status or any of several. */
  status?: ServiceStatus | readonly ServiceStatus[];
  /** Every tag must be on the service (all-of). */
  tags?: readonly string[];
  /** At most this many (default 100, max 10,000). */
  limit?: number;
  offset?: number;
}

/** A page of services and how many match the filter in all. */
export interface ServicePage {
  services: Service[];
  total: number;
}

/** Options of {@link ServiceRepository.updateStatus}. */
export interface UpdateStatusOptions {
  /** Set (or clear with null) the error message; left as is when undefined. */
  error_message?: string | null;
  /** Set (or clear with null) the start time; left as is when undefined. */
  started_at?: string | null;
  /** Set (or clear with null) when the pending auto-restart is due; left as is when undefined. */
  restart_due_at?: string | null;
  /** Compare-and-set: the update happens only while the current status is one of these. */
  expected?: readonly ServiceStatus[];
}

/** The child process a manager runs for a service, as recorded in the store. */
export interface ServiceProcess {
  service_id: string;
  pid: number;
  /** The host name of the machine the process runs on. */
  host: string;
}

/** Services (spec B2, B8, B9, B11): one row per service, tags kept in a join table for the all-of filter. */
export interface ServiceRepository {
  /**
   * Inserts or replaces the service with this id; a name taken by another id, in any case, throws
   * SERVICE_ALREADY_EXISTS.
   */
  save(service: ServiceInput): Promise<Service>;
  get(serviceId: string): Promise<Service | undefined>;
  /** The service of this name, compared case-insensitively (names are unique regardless of case). */
  getByName(name: string): Promise<Service | undefined>;
  /** Ordered by created_at, then name. */
  list(options?: ListServicesOptions): Promise<ServicePage>;
  /**
   * Sets the status atomically. Returns the updated service, or undefined when there is no such service or
   * (with `expected`) its status was not one of the expected ones; nothing changes then.
   */
  updateStatus(
    serviceId: string,
    status: ServiceStatus,
    options?: UpdateStatusOptions,
  ): Promise<Service | undefined>;
  /** Merges the given counters into the stored stats; undefined when there is no such service. */
  updateStats(serviceId: string, stats: Partial<ServiceStats>): Promise<Service | undefined>;
  /** Records when the last health check ran. */
  setLastHealthCheck(serviceId: string, timestamp: string): Promise<Service | undefined>;
  /** Adds one to restart_count atomically and returns the service. */
  incrementRestartCount(serviceId: string): Promise<Service | undefined>;
  setRestartCount(serviceId: string, count: number): Promise<Service | undefined>;
  /** Records the child process the service runs as (its pid and host); false when there is no such service. */
  setProcess(serviceId: string, process: { pid: number; host: string }): Promise<boolean>;
  /** Clears the recorded process if it is still this pid (a newer child's record stays); true when it was. */
  clearProcess(serviceId: string, pid: number): Promise<boolean>;
  /** Every recorded child process: all a later manager may ever stop as a stray. */
  listProcesses(): Promise<ServiceProcess[]>;
  /** Deletes the service with its tags, health history and log lines. True when it existed. */
  delete(serviceId: string): Promise<boolean>;
}
