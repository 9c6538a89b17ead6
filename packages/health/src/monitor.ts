import type { HealthCheckResult, HealthStatus } from '@myagent/models';
import { AppError } from '@myagent/models';
import { checkTarget, DEFAULT_INTERVAL_S, PROBED_STATUSES, secondsOr } from './check-service.js';
import { type Listener, TypedEmitter } from './emitter.js';
import { MemoryHistory } from './history.js';
import { createLimiter } from './limiter.js';
import { type HealthMonitorOptions, resolveMonitorOptions } from './options.js';
import { createProcResourceProbe } from './proc-probe.js';
import { resolveThresholds, ThresholdTracker } from './thresholds.js';
import type { HealthMonitorEvents, HealthSummary, HealthTarget, ServiceHealthState } from './types.js';

/** Checks services at their own intervals, applies thresholds, keeps history and emits events. */
export interface HealthMonitor {
  /** Lists the source and schedules every enabled service. Idempotent. */
  start(): Promise<void>;
  /** Clears every timer, aborts checks under way (their sockets are dropped) and waits for them. */
  stop(): Promise<void>;
  readonly running: boolean;
  /** Lists the source now instead of waiting for the next sync. */
  sync(): Promise<void>;
  /** Checks one service now, whatever its schedule. Rejects with SERVICE_NOT_FOUND for an unknown id. */
  checkService(serviceId: string): Promise<HealthCheckResult>;
  /** Checks every service of the source now, at most `concurrency` at once. */
  checkAll(): Promise<HealthCheckResult[]>;
  /** Counts of services by verdict; stopped and starting services count as unknown, ERROR as unhealthy. */
  getSummary(): Promise<HealthSummary>;
  /** A service's latest results, newest first (from the sink when it can read, else from memory). */
  getHistory(serviceId: string, limit?: number): Promise<HealthCheckResult[]>;
  /** The monitor's verdict on a service, or undefined before its first result. */
  getState(serviceId: string): ServiceHealthState | undefined;
  /** Drops what the monitor remembers of a service (for an unregistered one). */
  forget(serviceId: string): void;
  on<K extends keyof HealthMonitorEvents>(event: K, listener: Listener<HealthMonitorEvents[K]>): () => void;
  once<K extends keyof HealthMonitorEvents>(event: K, listener: Listener<HealthMonitorEvents[K]>): () => void;
  off<K extends keyof HealthMonitorEvents>(event: K, listener: Listener<HealthMonitorEvents[K]>): void;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Schedule {
  timer?: NodeJS.Timeout;
  intervalMs: number;
}

const MAX_HISTORY_READ = 10_000;

const isEnabled = (target: HealthTarget) => target.config.health_check_enabled !== false;
const intervalOf = (target: HealthTarget) =>
  secondsOr(target.config.health_check_interval, DEFAULT_INTERVAL_S) * 1000;
/** Statuses in which a result counts toward the verdict; stopped or failed services are not judged. */
const JUDGED = new Set(['running', 'unhealthy', 'starting']);

/**
 * Creates a health monitor over a source of services.
 * @example
 * const monitor = createHealthMonitor({ source: { list: () => services }, thresholds: { rise: 2, fall: 3 } });
 * monitor.on('transition', ({ service_id, from, to }) => console.log(service_id, from, '->', to));
 * await monitor.start();
 */
export function createHealthMonitor(input: HealthMonitorOptions): HealthMonitor {
  const options = resolveMonitorOptions(input);
  const { source, sink, concurrency, historyLimit, sinkKeep, syncIntervalMs } = options;
  const thresholds = resolveThresholds(options.thresholds);
  const graceMs = options.unhealthyGraceMs;
  const probe = options.probe === false ? undefined : (options.probe ?? createProcResourceProbe());

  const events = new TypedEmitter<HealthMonitorEvents>((error, event) => {
    if (event !== 'error') events.emit('error', { stage: 'listener', error });
  });
  const reportError = (stage: string, error: unknown, service_id?: string) =>
    events.emit('error', service_id === undefined ? { stage, error } : { service_id, stage, error });
  const limit = createLimiter(concurrency);
  const history = new MemoryHistory(historyLimit);
  const trackers = new Map<string, ThresholdTracker>();
  const graceFrom = new Map<string, number>();
  const schedules = new Map<string, Schedule>();
  const inflight = new Set<Promise<unknown>>();
  let controller = new AbortController();
  let syncTimer: NodeJS.Timeout | undefined;
  let running = false;
  let lastCheck: string | null = null;

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inflight.add(promise);
    void promise.finally(() => inflight.delete(promise)).catch(() => {});
    return promise;
  };

  async function listTargets(): Promise<readonly HealthTarget[]> {
    try {
      return await source.list();
    } catch (error) {
      throw AppError.from(error, 'HEALTH_CHECK_FAILED');
    }
  }

  async function getTarget(serviceId: string): Promise<HealthTarget | undefined> {
    if (!source.get) return (await listTargets()).find((target) => target.service_id === serviceId);
    try {
      return (await source.get(serviceId)) ?? undefined;
    } catch (error) {
      throw AppError.from(error, 'HEALTH_CHECK_FAILED');
    }
  }

  function trackerOf(serviceId: string): ThresholdTracker {
    let tracker = trackers.get(serviceId);
    if (!tracker) {
      tracker = new ThresholdTracker(serviceId, thresholds);
      trackers.set(serviceId, tracker);
    }
    return tracker;
  }

  /** Stores, emits and judges one result; nothing in here may throw to the caller. */
  async function record(target: HealthTarget, result: HealthCheckResult): Promise<void> {
    history.add(result);
    if (lastCheck === null || result.timestamp > lastCheck) lastCheck = result.timestamp;
    if (sink) {
      try {
        await (sinkKeep === undefined ? sink.append(result) : sink.append(result, { keep: sinkKeep }));
      } catch (error) {
        reportError('sink', error, result.service_id);
      }
    }
    events.emit('result', result);
    if (!JUDGED.has(target.status)) return;
    const tracker = trackerOf(target.service_id);
    const change = tracker.record(result);
    const now = Date.now();
    if (change) {
      if (change.to === 'unhealthy') graceFrom.set(target.service_id, now);
      else graceFrom.delete(target.service_id);
      events.emit('transition', {
        service_id: target.service_id,
        ...change,
        result,
        timestamp: result.timestamp,
      });
    }
    const from = graceFrom.get(target.service_id);
    // Only a failing check of a live process asks: a service already restarting (STARTING) or on its way
    // back (a passing check) is left alone.
    const failing = result.status === 'unhealthy' && PROBED_STATUSES.has(target.status);
    if (tracker.status === 'unhealthy' && failing && from !== undefined && now - from >= graceMs) {
      graceFrom.set(target.service_id, now);
      events.emit('restart', {
        service_id: target.service_id,
        reason: `unhealthy for more than ${graceMs} ms: ${result.error ?? 'checks failing'}`,
        unhealthy_since: tracker.since ?? result.timestamp,
        result,
      });
    }
  }

  async function runCheck(target: HealthTarget): Promise<HealthCheckResult> {
    const { signal } = controller;
    const result = await limit(() =>
      checkTarget(target, {
        probe,
        signal,
        closeGraceMs: options.closeGraceMs,
        onProbeError: (error) => reportError('probe', error, target.service_id),
      }),
    );
    // A check cut short by stop() says nothing about the service.
    if (!signal.aborted) await record(target, result);
    return result;
  }

  function schedule(serviceId: string, delayMs: number): void {
    const entry = schedules.get(serviceId);
    if (!entry || !running) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void track(tick(serviceId));
    }, delayMs);
  }

  function unschedule(serviceId: string): void {
    clearTimeout(schedules.get(serviceId)?.timer);
    schedules.delete(serviceId);
  }

  async function tick(serviceId: string): Promise<void> {
    const started = Date.now();
    let target: HealthTarget | undefined;
    let readFailed = false;
    try {
      target = await getTarget(serviceId);
    } catch (error) {
      readFailed = true;
      reportError('source', error, serviceId);
    }
    const entry = schedules.get(serviceId);
    if (!running || !entry) return;
    // A source that failed keeps the schedule (it may answer next time); a service that is gone does not.
    if (!readFailed && (!target || !isEnabled(target))) return unschedule(serviceId);
    if (target) {
      entry.intervalMs = intervalOf(target);
      if (JUDGED.has(target.status)) {
        try {
          await runCheck(target);
        } catch (error) {
          reportError('check', error, serviceId);
        }
      } else {
        // A stopped or failed service starts afresh when it runs again.
        trackers.delete(serviceId);
        graceFrom.delete(serviceId);
      }
    }
    if (schedules.get(serviceId) === entry)
      schedule(serviceId, Math.max(0, entry.intervalMs - (Date.now() - started)));
  }

  async function sync(): Promise<void> {
    let targets: readonly HealthTarget[];
    try {
      targets = await listTargets();
    } catch (error) {
      reportError('source', error);
      return;
    }
    if (!running) return;
    const seen = new Set<string>();
    const listed = new Set(targets.map((target) => target.service_id));
    // What is remembered of services that left the source goes with them, so memory stays bounded.
    for (const serviceId of new Set([...trackers.keys(), ...history.serviceIds()])) {
      if (!listed.has(serviceId)) forget(serviceId);
    }
    for (const target of targets) {
      if (!isEnabled(target)) continue;
      seen.add(target.service_id);
      const intervalMs = intervalOf(target);
      const entry = schedules.get(target.service_id);
      if (!entry) {
        schedules.set(target.service_id, { intervalMs });
        schedule(target.service_id, 0);
      } else if (entry.intervalMs !== intervalMs) {
        entry.intervalMs = intervalMs;
        // A check under way reschedules itself with the new interval when it ends.
        if (entry.timer) schedule(target.service_id, intervalMs);
      }
    }
    for (const serviceId of [...schedules.keys()]) if (!seen.has(serviceId)) unschedule(serviceId);
  }

  function scheduleSync(): void {
    if (!running) return;
    syncTimer = setTimeout(() => {
      void track(sync()).finally(scheduleSync);
    }, syncIntervalMs);
  }

  function forget(serviceId: string): void {
    trackers.delete(serviceId);
    graceFrom.delete(serviceId);
    history.delete(serviceId);
    unschedule(serviceId);
  }

  function verdictOf(target: HealthTarget): HealthStatus {
    const status = trackers.get(target.service_id)?.status ?? 'unknown';
    if (target.status === 'error') return 'unhealthy';
    if (target.status === 'unhealthy') return status === 'unknown' ? 'unhealthy' : status;
    return target.status === 'running' ? status : 'unknown';
  }

  const monitor: HealthMonitor = {
    get running() {
      return running;
    },
    async start() {
      if (running) return;
      running = true;
      await track(sync());
      scheduleSync();
    },
    async stop() {
      running = false;
      clearTimeout(syncTimer);
      syncTimer = undefined;
      for (const serviceId of [...schedules.keys()]) unschedule(serviceId);
      controller.abort();
      controller = new AbortController();
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    sync: () => track(sync()),
    async checkService(serviceId) {
      const target = await getTarget(serviceId);
      if (!target) {
        throw new AppError('SERVICE_NOT_FOUND', `Service '${serviceId}' not found`, {
          details: { service_id: serviceId },
        });
      }
      return track(runCheck(target));
    },
    async checkAll() {
      const targets = await listTargets();
      return Promise.all(targets.map((target) => track(runCheck(target))));
    },
    async getSummary() {
      const summary: HealthSummary = {
        total_services: 0,
        total: 0,
        healthy: 0,
        unhealthy: 0,
        degraded: 0,
        unknown: 0,
        last_check: lastCheck,
      };
      for (const target of await listTargets()) {
        summary.total++;
        summary[verdictOf(target)]++;
      }
      summary.total_services = summary.total;
      return summary;
    },
    async getHistory(serviceId, count = historyLimit) {
      if (!Number.isSafeInteger(count) || count < 1 || count > MAX_HISTORY_READ) {
        throw new AppError(
          'INVALID_REQUEST',
          `History limit must be an integer from 1 to ${MAX_HISTORY_READ}`,
          {
            details: { limit: count },
          },
        );
      }
      if (sink?.recent) {
        try {
          return [...(await sink.recent(serviceId, count))];
        } catch (error) {
          reportError('sink', error, serviceId);
        }
      }
      return history.recent(serviceId, count);
    },
    getState: (serviceId) => trackers.get(serviceId)?.snapshot(),
    forget,
    on: (event, listener) => events.on(event, listener),
    once: (event, listener) => events.once(event, listener),
    off: (event, listener) => events.off(event, listener),
    [Symbol.asyncDispose]: () => monitor.stop(),
  };
  return monitor;
}
