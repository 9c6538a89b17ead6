import { AppError } from '@myagent/models';
import { type PartsHost, type Running, startParts, stopParts } from './manager-parts.js';
import type { StartOptions } from './options.js';

/**
 * The manager's life: the parts that exist while it runs (started and stopped here), and where background
 * failures go. Its host is the manager as the parts see it ({@link PartsHost}): options, events, routing.
 */
export interface Lifecycle {
  /** True between `start()` and `stop()`. */
  readonly running: boolean;
  start(options?: StartOptions): Promise<void>;
  stop(): Promise<void>;
  /** The running parts, or undefined while stopped (the upgrade handlers answer 503 then). */
  runningParts(): Running | undefined;
  /** The running parts. @throws AppError MANAGER_NOT_RUNNING */
  parts(): Running;
  /** A background failure: the host's `error` event, or a warning when nobody listens. */
  fail(error: unknown): void;
}

/** The life of one manager: `AgentManager` keeps one and delegates start, stop and its parts to it. */
export function createLifecycle(host: PartsHost): Lifecycle {
  let running: Running | undefined;
  let starting: Promise<void> | undefined;

  const fail = (error: unknown): void => {
    const wrapped = error instanceof Error ? error : new Error(String(error));
    if (host.listenerCount('error') > 0) host.emit('error', wrapped);
    else console.warn(`[agent-manager] ${wrapped.message}`);
  };

  const doStart = async (options: StartOptions): Promise<void> => {
    const hooks = { fail, leaseLost };
    const started = await startParts(host, hooks, options);
    running = started;
    if (options.reconcile !== false) await started.registry.reconcile();
    await started.monitor.start();
  };

  const stop = async (): Promise<void> => {
    await starting?.catch(() => undefined);
    const current = running;
    if (!current) return;
    running = undefined;
    await stopParts(current, fail);
  };

  /** Another manager took the lease over: say so and stop, without writing to the store any more. */
  function leaseLost(error: AppError): void {
    fail(error);
    void stop().catch((stopError: unknown) => fail(stopError));
  }

  return {
    get running() {
      return running !== undefined;
    },
    async start(options: StartOptions = {}): Promise<void> {
      if (running) return;
      starting ??= doStart(options).finally(() => {
        starting = undefined;
      });
      return starting;
    },
    stop,
    runningParts: () => running,
    parts(): Running {
      if (!running) {
        throw new AppError('MANAGER_NOT_RUNNING', 'The manager is not running: call start() first');
      }
      return running;
    },
    fail,
  };
}
