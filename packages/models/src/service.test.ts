import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { parseOrThrow } from './common.js';
import { AppError } from './errors.js';
import { CreateServiceRequest, UpdateServiceRequest } from './requests.js';
import {
  Environment,
  Service,
  ServiceConfig,
  ServiceConfigPatch,
  ServiceStats,
  serviceEndpoint,
} from './service.js';

const now = '2026-01-01T00:00:00.000Z';

describe('ServiceConfig', () => {
  it('applies the spec defaults', () => {
    expect(v.parse(ServiceConfig, { agent_factory_path: 'agent.ts' })).toEqual({
      agent_factory_path: 'agent.ts',
      max_sessions: 0,
      session_timeout: 1800,
      heartbeat_interval: 30,
      run_timeout: 600,
      memory_limit_mb: null,
      cpu_limit_percent: null,
      auto_restart: true,
      max_restart_count: 3,
      restart_delay: 5,
      health_check_enabled: true,
      health_check_interval: 10,
      health_check_timeout: 5,
      environment: {},
    });
  });

  it.each([
    [{ max_sessions: -1 }],
    [{ max_sessions: 1.5 }],
    [{ session_timeout: 0 }],
    [{ restart_delay: 'soon' }],
    [{ environment: { 'BAD NAME': 'x' } }],
    [{ environment: { OK: 'x'.repeat(40_000) } }],
    [{ auto_restart: 'yes' }],
  ])('refuses %j', (patch) => {
    expect(v.safeParse(ServiceConfig, { agent_factory_path: 'a.ts', ...patch }).success).toBe(false);
  });

  it('reads a stored environment value with a NUL byte (older releases wrote them), refuses it in a patch', () => {
    const environment = { A: 'x\u0000y' };
    expect(v.parse(ServiceConfig, { agent_factory_path: 'a.ts', environment }).environment).toEqual(
      environment,
    );
    expect(v.safeParse(Environment, environment).success).toBe(false);
    expect(v.safeParse(ServiceConfigPatch, { environment }).success).toBe(false);
    expect(v.safeParse(Environment, { A: 'x' }).success).toBe(true);
  });

  it('takes a patch without defaults and refuses unknown fields', () => {
    expect(v.parse(ServiceConfigPatch, { max_sessions: 200 })).toEqual({ max_sessions: 200 });
    expect(v.safeParse(ServiceConfigPatch, { max_sesions: 200 }).success).toBe(false);
  });
});

describe('Service', () => {
  const base = {
    service_id: '0b7f3b9e-2d6c-4b8a-9a51-3f7a3c1e2d10',
    name: 'weather-agent',
    host: '127.0.0.1',
    port: 8081,
    endpoint: 'ws://127.0.0.1:8081',
    created_at: now,
    config: { agent_factory_path: 'agent.ts' },
  };

  it('fills defaults for status, stats and bookkeeping', () => {
    const service = v.parse(Service, base);
    expect(service.status).toBe('stopped');
    expect(service.tags).toEqual([]);
    expect(service.restart_count).toBe(0);
    expect(service.restart_due_at).toBeNull();
    expect(service.stats).toEqual(v.parse(ServiceStats, {}));
    expect(service.stats.error_rate).toBe(0);
  });

  it.each([
    [{ service_id: 'not-a-uuid' }],
    [{ port: 70_000 }],
    [{ status: 'sleeping' }],
    [{ name: '' }],
    [{ name: 'has space' }],
    [{ created_at: 'yesterday' }],
    [{ restart_due_at: 'in 5 s' }],
  ])('refuses %j', (patch) => {
    expect(v.safeParse(Service, { ...base, ...patch }).success).toBe(false);
  });

  it('keeps when a pending auto-restart is due', () => {
    const due = '2025-01-01T00:00:05.000Z';
    expect(v.parse(Service, { ...base, status: 'error', restart_due_at: due }).restart_due_at).toBe(due);
  });

  it('builds endpoints, bracketing IPv6', () => {
    expect(serviceEndpoint('localhost', 8081)).toBe('ws://localhost:8081');
    expect(serviceEndpoint('::1', 9000)).toBe('ws://[::1]:9000');
  });
});

describe('CreateServiceRequest', () => {
  it('accepts the seed 003 body and defaults host to loopback', () => {
    const body = parseOrThrow(CreateServiceRequest, {
      name: 'weather-agent',
      description: 'Weather information agent',
      agent_factory_path: './agents/weather_agent.py',
      port: 8081,
      tags: ['weather', 'information', 'weather'],
      config: { max_sessions: 100, session_timeout: 1800, auto_restart: true, health_check_enabled: true },
    });
    expect(body.host).toBe('127.0.0.1');
    expect(body.tags).toEqual(['weather', 'information']);
    expect(body.auto_start).toBe(false);
    expect(body.config).toEqual({
      max_sessions: 100,
      session_timeout: 1800,
      auto_restart: true,
      health_check_enabled: true,
    });
  });

  it.each([
    [{ name: 'x'.repeat(65) }, 'name'],
    [{ name: '-leading' }, 'name'],
    [{ port: 0 }, 'port'],
    [{ port: '8081' }, 'port'],
    [{ tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, 'tags'],
    [{ tags: ['has,comma'] }, 'tags.0'],
    [{ tags: ['x'.repeat(65)] }, 'tags.0'],
    [{ description: 'x'.repeat(1001) }, 'description'],
    [{ surprise: true }, 'surprise'],
    [{ config: { max_sessions: -5 } }, 'config.max_sessions'],
    [{ config: [] }, 'config'],
    [{ config: { environment: [] } }, 'config.environment'],
    [{ config: { environment: { A: 'x\u0000y' } } }, 'config.environment.A'],
    [{ config: { environment: { 'A=B': 'x' } } }, 'config.environment.A=B'],
    [{ config: { environment: { 'A\u0000': 'x' } } }, 'config.environment.A\u0000'],
    [{ config: { session_timeout: Number.NaN } }, 'config.session_timeout'],
    [{ config: { run_timeout: Number.POSITIVE_INFINITY } }, 'config.run_timeout'],
  ])('refuses %j with INVALID_REQUEST naming %s', (patch, path) => {
    const attempt = () =>
      parseOrThrow(CreateServiceRequest, { name: 'ok', agent_factory_path: 'a.ts', ...patch });
    expect(attempt).toThrow(AppError);
    try {
      attempt();
    } catch (error) {
      expect((error as AppError).code).toBe('INVALID_REQUEST');
      expect((error as AppError).details.issues).toEqual(
        expect.arrayContaining([expect.objectContaining({ path })]),
      );
    }
  });

  it('refuses a body that is an array, as it refuses any non-object', () => {
    for (const body of [[], [{ name: 'ok', agent_factory_path: 'a.ts' }], 'x', null, 42]) {
      expect(() => parseOrThrow(CreateServiceRequest, body)).toThrow(/must be an object|Invalid/u);
    }
    expect(() => parseOrThrow(UpdateServiceRequest, [])).toThrow(/must be an object/u);
    expect(() => parseOrThrow(ServiceConfigPatch, [])).toThrow(/config must be an object/u);
  });

  it('lets an update name any own field, and nothing else', () => {
    expect(parseOrThrow(UpdateServiceRequest, { description: 'new' })).toEqual({ description: 'new' });
    expect(() => parseOrThrow(UpdateServiceRequest, { status: 'running' })).toThrow(/Invalid input/);
  });
});
