import { AppError } from '@myagent/models';
import { describe, expect, it } from 'vitest';
import { createRouter } from './index.js';

describe('live connection table (C5)', () => {
  it('registers, counts, lists, updates and unregisters', () => {
    const { connections } = createRouter({ now: () => Date.parse('2026-01-01T00:00:00Z') });
    const info = connections.register({
      connection_id: 'c1',
      client_ip: '1.1.1.1',
      target_service_id: 's1',
      session_id: 'S',
    });
    expect(info).toMatchObject({
      status: 'connected',
      connected_at: '2026-01-01T00:00:00.000Z',
      bytes_sent: 0,
    });
    connections.register({
      connection_id: 'c2',
      client_ip: '1.1.1.2',
      target_service_id: 's1',
      status: 'active',
    });
    connections.register({ connection_id: 'c3', client_ip: '1.1.1.3', target_service_id: 's2' });
    expect([connections.count('s1'), connections.count('s2'), connections.count('none')]).toEqual([2, 1, 0]);
    expect(connections.active({ service_id: 's1' }).map((c) => c.connection_id)).toEqual(['c1', 'c2']);
    expect(connections.active({ status: 'active' })).toHaveLength(1);
    expect(connections.active({ limit: 1 })).toHaveLength(1);
    connections.update('c1', { status: 'disconnected', bytes_sent: 10 });
    expect(connections.count('s1')).toBe(1);
    expect(connections.stats()).toEqual({
      total_connections: 3,
      active_connections: 2,
      by_status: { disconnected: 1, active: 1, connected: 1 },
      by_service: { s1: 1, s2: 1 },
    });
    // Re-registering an id moves its count to the new service.
    connections.register({ connection_id: 'c3', client_ip: '1.1.1.3', target_service_id: 's1' });
    expect([connections.count('s1'), connections.count('s2')]).toEqual([2, 0]);
    expect(connections.unregister('c3')?.target_service_id).toBe('s1');
    expect(connections.unregister('c3')).toBeUndefined();
    expect(connections.size).toBe(2);
    expect(connections.get('c1')?.bytes_sent).toBe(10);
  });

  it('refuses bad entries with coded errors and keeps its counts', () => {
    const { connections } = createRouter();
    connections.register({ connection_id: 'ok', client_ip: '1.1.1.1', target_service_id: 's' });
    for (const bad of [
      {},
      { connection_id: 'x', client_ip: '1', target_service_id: '' },
      { connection_id: 'x', client_ip: '1', target_service_id: 's', status: 'weird' },
    ]) {
      expect(() => connections.register(bad as never)).toThrow(AppError);
    }
    expect(() => connections.update('ok', { bytes_sent: -1 })).toThrow(/Invalid connection/);
    try {
      connections.update('missing', {});
    } catch (error) {
      expect((error as AppError).code).toBe('CONNECTION_NOT_FOUND');
    }
    expect(connections.count('s')).toBe(1);
    expect(connections.size).toBe(1);
  });
});
