// `pnpm bench router`: the router's picks over 1,000 services against a naive router in the same process.
// A single pick is below timer resolution, so each figure is a batch of 1,000 picks timed with
// process.hrtime.bigint() and divided by 1,000; the median and p99 are taken over the batches.
import type { RoutingRule } from '@myagent/models';
import { createRouter, type Router } from '@myagent/router';
import { createNaiveRouter } from './naive.js';

const SERVICES = 1000;
const RULES = 100;
const BATCH = 1000;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const services = Array.from({ length: SERVICES }, (_, i) => ({
  service_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  status: 'running',
  tags: [`t${i % 20}`],
  weight: 1 + (i % 3),
}));

const rules = Array.from({ length: RULES }, (_, i) => ({
  rule_id: `rule-${i}`,
  name: `rule ${i}`,
  priority: i % 7,
  created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  updated_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  conditions: [
    { field: 'user_agent', operator: 'regex_match' as const, value: `Chrome/${90 + (i % 30)}\\.\\d+` },
    { field: 'header.x-client', operator: 'contains' as const, value: `app-${i % 10}` },
    { field: 'query.region', operator: 'in_list' as const, value: `r${i}a,r${i}b,r${i}c` },
  ],
  target_tags: [`t${i % 20}`],
  target_strategy: 'round_robin' as const,
}));

/** 1,024 contexts: about 70 % match a rule, the rest fall through every rule to the default. */
const contexts = Array.from({ length: 1024 }, (_, k) => {
  const i = (k * 37) % RULES;
  const matches = k % 10 < 7;
  return {
    client_ip: `10.${(k >> 8) & 255}.${k & 255}.${(k * 7) & 255}`,
    user_agent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/${90 + (i % 30)}.0 Safari/537.36`,
    headers: { 'x-client': `my-app-${i % 10}-build`, accept: '*/*', host: 'gw.example' },
    query_params: { region: matches ? `r${i}b` : 'nowhere' },
  };
});

interface Figures {
  median: number;
  p99: number;
}

/** Times `batches` batches of BATCH calls of fn after a warm-up; ns per call, median and p99 over batches. */
function measure(fn: (i: number) => unknown, batches: number, between?: () => void): Figures {
  let sink = 0;
  for (let w = 0; w < Math.max(20, batches / 5); w++) {
    for (let i = 0; i < BATCH; i++) sink += fn(i) ? 1 : 0;
    between?.();
  }
  gc();
  const per: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) sink += fn(i) ? 1 : 0;
    per.push(Number(process.hrtime.bigint() - start) / BATCH);
    between?.();
  }
  if (sink < 0) console.log(sink);
  per.sort((a, b) => a - b);
  return {
    median: per[Math.floor(per.length / 2)] as number,
    p99: per[Math.floor(per.length * 0.99)] as number,
  };
}

function withConnections(router: Router, counts: Map<string, number>): () => void {
  let next = 0;
  const open: string[] = [];
  const add = (serviceId: string) => {
    const id = `c${next++}`;
    router.connections.register({ connection_id: id, client_ip: '10.0.0.1', target_service_id: serviceId });
    counts.set(serviceId, (counts.get(serviceId) ?? 0) + 1);
    open.push(id);
  };
  for (let i = 0; i < 5000; i++) add(services[Math.floor(Math.random() * SERVICES)]?.service_id as string);
  // Between batches a little churn, so the picks read a table that moves.
  return () => {
    for (let i = 0; i < 10; i++) {
      const gone = router.connections.unregister(open.shift() as string);
      if (gone) counts.set(gone.target_service_id, (counts.get(gone.target_service_id) ?? 1) - 1);
      add(services[Math.floor(Math.random() * SERVICES)]?.service_id as string);
    }
  };
}

const rows: { name: string; ours: Figures; naive: Figures; target: number | null }[] = [];
const ctx = (i: number) => contexts[i & 1023] as (typeof contexts)[number];

{
  const router = createRouter({ rules, affinity: false });
  const pool = router.prepare(services);
  const naive = createNaiveRouter(router.rules() as RoutingRule[], new Map());
  const ours = measure((i) => router.route(ctx(i), pool), 300);
  const base = measure((i) => naive.route(ctx(i), services), 60);
  rows.push({
    name: `route with ${RULES} rules × 3 conditions (regex, contains, in_list)`,
    ours,
    naive: base,
    target: 2000,
  });
  const misses = contexts.filter((c) => c.query_params.region === 'nowhere');
  const oursMiss = measure((i) => router.route(misses[i % misses.length] as never, pool), 300);
  const naiveMiss = measure((i) => naive.route(misses[i % misses.length] as never, services), 60);
  rows.push({
    name: '… of which no rule matches (every rule tried)',
    ours: oursMiss,
    naive: naiveMiss,
    target: 2000,
  });
}

for (const strategy of ['least_connections', 'round_robin', 'hash_based', 'weighted_random'] as const) {
  gc();
  const router = createRouter({ defaultStrategy: strategy, affinity: false });
  const counts = new Map<string, number>();
  const churn = withConnections(router, counts);
  const naive = createNaiveRouter([], counts);
  const pool = router.prepare(services);
  const ours = measure((i) => router.route(ctx(i), pool), 300, churn);
  const pickNaive = {
    least_connections: () => naive.leastConnections(services),
    round_robin: () => naive.roundRobin(services),
    hash_based: (i: number) => naive.hash(services, ctx(i).client_ip),
    weighted_random: () => naive.weightedRandom(services),
  }[strategy];
  const base = measure(
    pickNaive,
    strategy === 'least_connections' || strategy === 'weighted_random' ? 60 : 300,
    churn,
  );
  rows.push({
    name: `${strategy} over ${SERVICES} services`,
    ours,
    naive: base,
    target: strategy === 'least_connections' ? 200 : 100,
  });
}

{
  const router = createRouter({ affinity: false });
  const naive = createNaiveRouter([], new Map());
  const ours = measure((i) => router.route(ctx(i), services), 100);
  const base = measure(() => naive.roundRobin(services.filter((s) => s.status === 'running')), 100);
  rows.push({
    name: `round_robin over a plain list of ${SERVICES} (re-checked per call; naive filters it)`,
    ours,
    naive: base,
    target: null,
  });
}

const ns = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
console.log(`Node ${process.version}, ${SERVICES} services, batches of ${BATCH} picks, ns per pick\n`);
console.log(
  '| pick | ours median | ours p99 | naive median | naive p99 | naive / ours (p99) | target p99 | met |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |');
for (const row of rows) {
  const met = row.target === null ? '–' : row.ours.p99 <= row.target ? 'yes' : 'no';
  console.log(
    `| ${row.name} | ${ns(row.ours.median)} | ${ns(row.ours.p99)} | ${ns(row.naive.median)} | ${ns(row.naive.p99)} | ${(row.naive.p99 / row.ours.p99).toFixed(1)}× | ${row.target === null ? '–' : ns(row.target)} | ${met} |`,
  );
}
