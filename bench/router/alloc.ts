// Allocation per route() pick, a diagnostic beside bench.ts (not run by `pnpm bench`):
//   node --conditions=@myagent/source --import tsx --expose-gc bench/router/alloc.ts [strategy] [on|off]
// heapUsed before and after 10,000 picks over a prepared pool of 1,000 with 5,000 live connections, after
// a forced GC; 10,000 picks stay well inside the young generation, so no collection hides garbage. The
// least of 7 repetitions per strategy, with affinity off and on (no session id).
import { createRouter } from '@myagent/router';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const SERVICES = 1000;
const services = Array.from({ length: SERVICES }, (_, i) => ({
  service_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  status: 'running',
  tags: [`t${i % 20}`],
  weight: 1 + (i % 3),
}));
const contexts = Array.from({ length: 1024 }, (_, k) => ({
  client_ip: `10.${(k >> 8) & 255}.${k & 255}.${(k * 7) & 255}`,
  user_agent: `Mozilla/5.0 Chrome/${90 + (k % 30)}.0`,
  headers: { 'x-client': `my-app-${k % 10}-build` },
  query_params: { region: 'nowhere' },
}));
const only = process.argv[2];
const aff = process.argv[3];
for (const affinity of [false, undefined] as const) {
  if (aff && (aff === 'on') !== (affinity === undefined)) continue;
  for (const strategy of ['least_connections', 'round_robin', 'hash_based', 'weighted_random'] as const) {
    if (only && only !== strategy) continue;
    const router = createRouter({ defaultStrategy: strategy, affinity: affinity as false | undefined });
    for (let i = 0; i < 5000; i++)
      router.connections.register({
        connection_id: `c${i}`,
        client_ip: '10.0.0.1',
        target_service_id: (services[(i * 7919) % SERVICES] as (typeof services)[number]).service_id,
      });
    const pool = router.prepare(services);
    let sink = 0;
    const N = 200_000;
    for (let i = 0; i < N; i++)
      sink += router.route(contexts[i & 1023] as (typeof contexts)[number], pool) ? 1 : 0;
    for (let i = 0; i < 10; i++) {
      router.connections.unregister(`c${i}`);
    }
    for (let i = 0; i < N; i++)
      sink += router.route(contexts[i & 1023] as (typeof contexts)[number], pool) ? 1 : 0;
    let best = Infinity;
    let bestNs = Infinity;
    const M = 10_000;
    for (let rep = 0; rep < 7; rep++) {
      gc();
      gc();
      const before = process.memoryUsage().heapUsed;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < M; i++) {
        const d = router.route(contexts[i & 1023] as (typeof contexts)[number], pool);
        sink += d.service.service_id.length;
      }
      const t1 = process.hrtime.bigint();
      const after = process.memoryUsage().heapUsed;
      best = Math.min(best, (after - before) / M);
      bestNs = Math.min(bestNs, Number(t1 - t0) / M);
    }
    console.log(
      `${strategy.padEnd(18)} affinity=${affinity === false ? 'off' : 'on '} bytes/pick ${best.toFixed(1)}  ns/pick ${bestNs.toFixed(1)} ${sink < 0 ? sink : ''}`,
    );
  }
}
