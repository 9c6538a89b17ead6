import type { CheckResult, HealthCheckResult } from '@myagent/models';
import { serviceEndpoint } from '@myagent/models';
import { checkResources, checkStatus, combineChecks } from './checks.js';
import type { HealthTarget, ResourceProbe } from './types.js';
import { checkWebSocket } from './websocket-check.js';

/** Defaults of spec B3, for a target whose config leaves them out. */
export const DEFAULT_INTERVAL_S = 10;
export const DEFAULT_TIMEOUT_S = 5;

/** Statuses in which a process should be listening, so the socket and resources are worth checking. */
export const PROBED_STATUSES: ReadonlySet<string> = new Set(['running', 'unhealthy']);

export interface CheckServiceOptions {
  probe?: ResourceProbe;
  signal?: AbortSignal;
  closeGraceMs?: number;
  /** Reports a probe that threw; the check itself carries on with the resources unknown. */
  onProbeError?: (error: unknown) => void;
}

/**
 * A config time in seconds, or the default when it is absent or not a positive number: a source that skipped
 * validation must not turn a NaN into a 1 ms timer. Capped at what setTimeout can hold.
 */
export function secondsOr(value: number | null | undefined, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return fallback;
  return Math.min(value, 2_147_483);
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function clipCheck(check: CheckResult): CheckResult {
  return { ...check, message: clip(check.message, 2048) };
}

/**
 * Runs every check of one service and assembles the spec D3 result. Never rejects: a failing probe or an
 * unreachable socket becomes part of the result.
 */
export async function checkTarget(
  target: HealthTarget,
  options: CheckServiceOptions = {},
): Promise<HealthCheckResult> {
  const timestamp = new Date().toISOString();
  const checks: Record<string, CheckResult> = { status: checkStatus(target.status) };
  let responseTime: number | null = null;

  if (PROBED_STATUSES.has(target.status)) {
    const timeoutS = secondsOr(target.config.health_check_timeout, DEFAULT_TIMEOUT_S);
    const endpoint = target.endpoint ?? serviceEndpoint(target.host, target.port);
    const [socket, resources] = await Promise.all([
      checkWebSocket(endpoint, {
        timeoutMs: timeoutS * 1000,
        signal: options.signal,
        closeGraceMs: options.closeGraceMs,
      }),
      sampleResources(target, options),
    ]);
    const { response_time_ms, ...websocket } = socket;
    responseTime = response_time_ms;
    checks.websocket = websocket;
    if (resources) checks.resources = resources;
  } else {
    const skipped = { status: 'unknown', message: `skipped: service is ${target.status}` } as const;
    checks.websocket = skipped;
  }

  for (const name of Object.keys(checks)) checks[name] = clipCheck(checks[name] as CheckResult);
  const status = combineChecks(checks);
  const failing = Object.entries(checks).find(([, check]) => check.status === status && status !== 'healthy');
  return {
    service_id: target.service_id,
    status,
    response_time_ms: responseTime,
    timestamp,
    checks,
    error: failing && status !== 'unknown' ? clip(`${failing[0]}: ${failing[1].message}`, 4096) : null,
  };
}

async function sampleResources(
  target: HealthTarget,
  options: CheckServiceOptions,
): Promise<CheckResult | null> {
  const { probe } = options;
  if (!probe) return null;
  const limits = {
    memory_limit_mb: target.config.memory_limit_mb,
    cpu_limit_percent: target.config.cpu_limit_percent,
  };
  if (target.pid == null) return { status: 'unknown', message: 'no process id known' };
  try {
    return checkResources(await probe.sample(target.pid), limits);
  } catch (error) {
    options.onProbeError?.(error);
    return {
      status: 'unknown',
      message: `resource probe failed: ${(error as Error)?.message ?? String(error)}`,
    };
  }
}
