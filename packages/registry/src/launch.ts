import { AppError, type Service } from '@myagent/models';
import { type Child, type ChildExit, type SpawnChildOptions, spawnChild } from './child.js';
import { waitUntilReady } from './readiness.js';
import { describeExit, withTail } from './registration.js';
import type { ServiceRuntime } from './runtime.js';
import { totalsOf } from './stats.js';

/** What {@link launchChild} needs: the service's runtime, how to spawn its server and where it answers. */
export interface LaunchContext {
  service: Pick<Service, 'service_id' | 'name' | 'stats'>;
  runtime: ServiceRuntime;
  spawn: SpawnChildOptions;
  /** The WebSocket URL the server answers a ping on once it is ready. */
  endpoint: string;
  readyTimeoutMs: number;
  /** Every exit of the child, expected or not; called before the start sees it. */
  onExit: (child: Child, exit: ChildExit) => void;
  /** The child has a pid (called before its readiness is waited for). */
  onSpawned: (child: Child & { pid: number }) => Promise<unknown>;
}

/** A child that answered its ping, or why it never did (with its last stderr lines). */
export type LaunchOutcome = { ready: true; child: Child } | { ready: false; message: string };

/**
 * Spawns the service's agent server into `runtime` and waits until it answers a ping. A child that is not
 * ready in time is killed. A stop (through `runtime.startAbort`) interrupts the wait.
 * @throws AppError SERVICE_START_FAILED when a stop interrupted the start
 */
export async function launchChild(context: LaunchContext): Promise<LaunchOutcome> {
  const { runtime, service } = context;
  const child = spawnChild(context.spawn);
  runtime.child = child;
  runtime.starting = child;
  runtime.sample = undefined;
  // The new server counts from zero: the stored totals are where its figures start from.
  runtime.baseline = totalsOf(service.stats);
  runtime.peak = service.stats.peak_connections;
  const abort = new AbortController();
  runtime.startAbort = abort;
  void child.exited.then((exit) => context.onExit(child, exit));
  if (child.pid !== undefined) await context.onSpawned(child as Child & { pid: number });
  const exitedEarly = new AbortController();
  void child.exited.then(() => exitedEarly.abort());
  try {
    await waitUntilReady(context.endpoint, {
      timeoutMs: context.readyTimeoutMs,
      signal: AbortSignal.any([abort.signal, exitedEarly.signal]),
    });
  } catch (error) {
    if (abort.signal.aborted) {
      runtime.starting = undefined;
      throw new AppError('SERVICE_START_FAILED', `Start of '${service.name}' was interrupted by a stop`, {
        details: { service_id: service.service_id },
      });
    }
    let message: string;
    if (exitedEarly.signal.aborted || !child.running) {
      const exit = await child.exited;
      message = exit.spawnError
        ? `could not spawn the agent server: ${exit.spawnError}`
        : `the agent server ${describeExit(exit.code, exit.signal)} before it was ready`;
    } else {
      message = (error as Error).message;
      await runtime.kill(child, 2_000);
    }
    runtime.starting = undefined;
    return { ready: false, message: withTail(message, child.stderrTail.lines()) };
  } finally {
    if (runtime.startAbort === abort) runtime.startAbort = undefined;
  }
  return { ready: true, child };
}

/** Why a child that had been running is gone, with its last stderr lines: the error_message of a crash. */
export function crashReason(child: Child, exit: Pick<ChildExit, 'code' | 'signal'>): string {
  return withTail(
    `the agent server ${describeExit(exit.code, exit.signal)} unexpectedly`,
    child.stderrTail.lines(),
  );
}
