import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ConnectionInfo } from './connection.js';
import { HealthCheckResult } from './health.js';
import { LogLine, MetricSample } from './observability.js';

const now = '2026-01-01T00:00:00.000Z';

describe('health, connections, logs and metrics', () => {
  it('parses a seed health result', () => {
    const result = v.parse(HealthCheckResult, {
      service_id: 'svc',
      status: 'healthy',
      response_time_ms: 45.2,
      timestamp: now,
      checks: { websocket: { status: 'healthy', message: 'WebSocket connection successful' } },
    });
    expect(result.error).toBeNull();
    expect(v.safeParse(HealthCheckResult, { ...result, status: 'fine' }).success).toBe(false);
    expect(v.safeParse(HealthCheckResult, { ...result, response_time_ms: -1 }).success).toBe(false);
  });

  it('fills connection counters', () => {
    const connection = v.parse(ConnectionInfo, {
      connection_id: 'c1',
      client_ip: '192.168.1.100',
      target_service_id: 'svc',
      connected_at: now,
      last_activity: now,
    });
    expect(connection).toMatchObject({
      status: 'connected',
      bytes_sent: 0,
      message_count: 0,
      session_id: null,
    });
    expect(v.safeParse(ConnectionInfo, { ...connection, bytes_sent: -3 }).success).toBe(false);
  });

  it('bounds log lines and names metrics', () => {
    const line = { service_id: 'svc', timestamp: now, level: 'info', stream: 'stdout', message: 'up' };
    expect(v.parse(LogLine, line).fields).toEqual({});
    expect(v.safeParse(LogLine, { ...line, level: 'loud' }).success).toBe(false);
    expect(v.safeParse(LogLine, { ...line, message: 'x'.repeat(20_000) }).success).toBe(false);
    expect(
      v.parse(MetricSample, { metric: 'active_connections', value: 3, timestamp: now }).service_id,
    ).toBeNull();
    expect(v.safeParse(MetricSample, { metric: 'Bad Name', value: 3, timestamp: now }).success).toBe(false);
    expect(v.safeParse(MetricSample, { metric: 'x', value: Number.NaN, timestamp: now }).success).toBe(false);
  });
});
