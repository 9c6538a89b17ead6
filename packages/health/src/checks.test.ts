import { describe, expect, it } from 'vitest';
import { checkResources, checkStatus, combineChecks } from './checks.js';

describe('checkStatus', () => {
  it('judges RUNNING healthy, STARTING unknown and every stopped or failed status unhealthy', () => {
    expect(checkStatus('running').status).toBe('healthy');
    expect(checkStatus('starting').status).toBe('unknown');
    for (const status of ['stopped', 'stopping', 'error'] as const) {
      expect(checkStatus(status)).toEqual({ status: 'unhealthy', message: `service is ${status}` });
    }
  });

  it('leaves an UNHEALTHY service to the other checks, so it can recover', () => {
    expect(checkStatus('unhealthy').status).toBe('unknown');
  });
});

describe('checkResources', () => {
  const usage = { cpu_percent: 42.123, memory_mb: 300.456 };

  it('is healthy within the limits and without limits', () => {
    expect(checkResources(usage, { memory_limit_mb: 512, cpu_limit_percent: 80 })).toMatchObject({
      status: 'healthy',
      message: 'memory 300.46 MB, CPU 42.12 %',
    });
    expect(checkResources(usage, { memory_limit_mb: null }).status).toBe('healthy');
  });

  it('is degraded past memory_limit_mb or cpu_limit_percent, naming what is over', () => {
    expect(checkResources(usage, { memory_limit_mb: 256 })).toMatchObject({
      status: 'degraded',
      message: 'memory 300.46 MB over the limit of 256 MB',
      details: { memory_mb: 300.46, memory_limit_mb: 256 },
    });
    expect(checkResources(usage, { cpu_limit_percent: 40 }).message).toBe(
      'CPU 42.12 % over the limit of 40 %',
    );
    expect(checkResources(usage, { memory_limit_mb: 1, cpu_limit_percent: 1 }).message).toContain('; CPU');
  });

  it('is unknown when the process could not be sampled', () => {
    expect(checkResources(null, { memory_limit_mb: 1 }).status).toBe('unknown');
  });
});

describe('combineChecks', () => {
  const check = (status: 'healthy' | 'unhealthy' | 'degraded' | 'unknown') => ({ status, message: '' });

  it('takes the worst opinion and ignores checks without one', () => {
    expect(combineChecks({ a: check('healthy'), b: check('unhealthy'), c: check('degraded') })).toBe(
      'unhealthy',
    );
    expect(combineChecks({ a: check('healthy'), b: check('degraded') })).toBe('degraded');
    expect(combineChecks({ a: check('unknown'), b: check('healthy') })).toBe('healthy');
    expect(combineChecks({ a: check('unknown') })).toBe('unknown');
    expect(combineChecks({})).toBe('unknown');
  });
});
