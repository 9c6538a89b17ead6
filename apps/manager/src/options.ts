import type { RoutingStrategy, Service } from '@myagent/models';
import type { CommandSpec, PortRange, RestartPolicyOptions } from '@myagent/registry';
import type { Storage } from '@myagent/storage-kysely';
import type { OperationsOptions } from './operations.js';
import type { ManagerProxyOptions } from './proxy-wiring.js';
import type { ManagerTraceOptions } from './traces/index.js';

/** Options of {@link AgentManager}. Times are in seconds where the seed used seconds, else as named. */
export interface AgentManagerOptions extends OperationsOptions {
  /** The SQLite file (default `agent_manager.db`, as in seed 000). */
  dbPath?: string;
  /** A postgres:// URL (one manager per database or schema until spec I1). Wins over `dbPath`. */
  databaseUrl?: string;
  /** An already open storage; the manager then leaves closing it to the caller. */
  storage?: Storage;
  /** Ports allocated to services that name none (default 8081-9000). */
  portRange?: PortRange;
  /** How to start `myagent-ws` (default: `agentServerCommand()` of @myagent/agent-server). */
  agentServer?: CommandSpec;
  /** Extra flags for every agent server (e.g. `['--in-process']`). */
  serverArgs?: string[] | ((service: Service) => string[]);
  /** Base of relative agent paths and working directory of the children (default: process.cwd()). */
  cwd?: string;
  /** A start that answers no WebSocket ping within this is ERROR (default 30 s). */
  readyTimeoutMs?: number;
  /** SIGTERM, then SIGKILL after this (default 10 s). */
  stopGraceMs?: number;
  /** Backoff and window of auto-restarts. */
  restart?: RestartPolicyOptions;
  /** Consecutive results before a health verdict flips (default rise 2, fall 3). */
  healthThresholds?: { rise?: number; fall?: number };
  /** An UNHEALTHY service is restarted after this long (default 30 s). */
  unhealthyGraceMs?: number;
  /** Health results kept per service in storage (default 1,000). */
  healthHistoryKeep?: number;
  /**
   * The database's manager lease: another manager may take over only after this long without a renewal
   * (or at once when the holder's pid is gone on this host). Renewed every third of it. Default 30 s.
   */
  leaseTtlMs?: number;
  /** Strategy when no rule applies (default round_robin). */
  defaultStrategy?: RoutingStrategy;
  /** Session affinity bindings: lifetime and bound (default 30 min, 100,000), as the router's defaults. */
  affinity?: { ttlMs?: number; maxEntries?: number };
  /**
   * The agent servers' shared state secret (`MYAGENT_STATE_SECRET` of every child), so that any of them
   * restores another's signed session states: failover at `/ws` keeps sessions with it. Default: the
   * database's own, generated once and kept in storage.
   */
  stateSecret?: string;
  /** The WebSocket proxy at `/ws`: `connection_routed` for every client, the proxy_metadata envelope, bounds. */
  proxy?: ManagerProxyOptions;
  /** Traces of agent runs: retention (runs kept, events per run), `/ws/traces` bounds, OTLP export. */
  traces?: ManagerTraceOptions;
}

/** Options of {@link AgentManager.start}. */
export interface StartOptions {
  /**
   * Seconds between health checks of every service, overriding each service's own
   * `health_check_interval` (seed 000: `start(health_check_interval=5)`). Default: each service's own.
   */
  healthCheckInterval?: number;
  /** Start the services the database says should run (default true). */
  reconcile?: boolean;
}
