import type { HealthStatus } from '@myagent/models';
import { describe, expect, it } from 'vitest';
import { resolveThresholds, ThresholdTracker } from './thresholds.js';

function feed(tracker: ThresholdTracker, statuses: HealthStatus[]) {
  const changes: string[] = [];
  statuses.forEach((status, i) => {
    const change = tracker.record({
      service_id: 's',
      status,
      response_time_ms: null,
      timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
      checks: {},
      error: null,
    });
    if (change) changes.push(`${i}:${change.from}->${change.to}`);
  });
  return changes;
}

describe('ThresholdTracker', () => {
  it('needs `rise` healthy and `fall` unhealthy results in a row', () => {
    const tracker = new ThresholdTracker('s', resolveThresholds({ rise: 2, fall: 3 }));
    const changes = feed(tracker, ['healthy', 'healthy', 'unhealthy', 'unhealthy', 'healthy', 'unhealthy']);
    expect(changes).toEqual(['1:unknown->healthy']);
    // The streak goes on from the last unhealthy result above: two more make three.
    expect(feed(tracker, ['unhealthy', 'unhealthy', 'unhealthy'])).toEqual(['1:healthy->unhealthy']);
    expect(tracker.snapshot()).toMatchObject({
      status: 'unhealthy',
      streak: 4,
      since: '2025-01-01T00:00:01.000Z',
    });
  });

  it('lets an unknown result break a streak without changing the verdict', () => {
    const tracker = new ThresholdTracker('s', resolveThresholds({ rise: 2, fall: 2 }));
    expect(feed(tracker, ['healthy', 'unknown', 'healthy', 'unknown', 'unknown', 'unknown'])).toEqual([]);
    expect(feed(tracker, ['healthy', 'healthy', 'unknown', 'unknown'])).toEqual(['1:unknown->healthy']);
    expect(tracker.status).toBe('healthy');
  });

  it('uses `degrade` (default: fall) for degraded results', () => {
    const tracker = new ThresholdTracker('s', resolveThresholds({ rise: 1, fall: 3, degrade: 2 }));
    expect(feed(tracker, ['healthy', 'degraded', 'degraded', 'healthy'])).toEqual([
      '0:unknown->healthy',
      '2:healthy->degraded',
      '3:degraded->healthy',
    ]);
    expect(resolveThresholds({ fall: 4 })).toEqual({ rise: 2, fall: 4, degrade: 4 });
  });
});
