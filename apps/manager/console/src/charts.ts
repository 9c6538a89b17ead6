import type { MetricName } from './types.js';

/** The charts the overview and a service's page draw, in order. */
export const CHARTS: readonly { metric: MetricName; title: string; unit?: string }[] = [
  { metric: 'connections', title: 'Connections' },
  { metric: 'sessions', title: 'Sessions' },
  { metric: 'errors', title: 'Errors' },
  { metric: 'response_time', title: 'Response time', unit: 'ms' },
  { metric: 'cpu', title: 'CPU', unit: '%' },
  { metric: 'memory', title: 'Memory', unit: 'MB' },
];
