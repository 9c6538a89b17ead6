// The baseline: a straightforward router as one would first write it (and as the Python original does):
// rules in an array sorted by priority and tried in order, each condition reading and lower-casing its
// field again, in_list as an array search, least connections and weighted random as a full scan, hash as
// hash(ip) mod n. Regexes are compiled once, so the comparison is not flattered by a strawman.
import type { RoutingRule } from '@myagent/models';
import { hashString } from '@myagent/router';

interface Svc {
  service_id: string;
  status: string;
  tags: string[];
  weight?: number;
}
type Ctx = {
  client_ip: string;
  user_agent: string;
  headers: Record<string, string>;
  query_params: Record<string, string>;
};

function read(ctx: Ctx, field: string): string {
  if (field === 'user_agent') return ctx.user_agent ?? '';
  if (field === 'client_ip') return ctx.client_ip ?? '';
  if (field.startsWith('header.')) {
    const name = field.slice(7).toLowerCase();
    for (const key of Object.keys(ctx.headers)) if (key.toLowerCase() === name) return ctx.headers[key] ?? '';
    return '';
  }
  if (field.startsWith('query.')) return ctx.query_params[field.slice(6)] ?? '';
  return '';
}

export function createNaiveRouter(rules: RoutingRule[], counts: Map<string, number>) {
  const sorted = [...rules].sort((a, b) => b.priority - a.priority);
  const regexes = new Map<string, RegExp>();
  let rr = 0;
  const holds = (ctx: Ctx, c: RoutingRule['conditions'][number]): boolean => {
    const raw = read(ctx, c.field);
    const value = c.case_sensitive ? raw : raw.toLowerCase();
    const want = typeof c.value === 'string' ? c.value : c.value.join(',');
    const wanted = c.case_sensitive ? want : want.toLowerCase();
    switch (c.operator) {
      case 'equals':
        return value === wanted;
      case 'contains':
        return value.includes(wanted);
      case 'in_list':
        return wanted
          .split(',')
          .map((s) => s.trim())
          .includes(value);
      case 'regex_match': {
        let re = regexes.get(want);
        if (!re) {
          re = new RegExp(want, c.case_sensitive ? 'u' : 'iu');
          regexes.set(want, re);
        }
        return re.test(raw);
      }
      default:
        return false;
    }
  };
  return {
    roundRobin: (pool: Svc[]) => pool[rr++ % pool.length] as Svc,
    leastConnections(pool: Svc[]): Svc {
      let best = pool[0] as Svc;
      let least = counts.get(best.service_id) ?? 0;
      for (const s of pool) {
        const c = counts.get(s.service_id) ?? 0;
        if (c < least) {
          least = c;
          best = s;
        }
      }
      return best;
    },
    weightedRandom(pool: Svc[]): Svc {
      const weights = pool.map((s) => (s.weight ?? 1) / ((counts.get(s.service_id) ?? 0) + 1));
      let r = Math.random() * weights.reduce((a, b) => a + b, 0);
      for (let i = 0; i < pool.length; i++) {
        r -= weights[i] as number;
        if (r < 0) return pool[i] as Svc;
      }
      return pool[pool.length - 1] as Svc;
    },
    hash: (pool: Svc[], ip: string) => pool[hashString(ip) % pool.length] as Svc,
    route(ctx: Ctx, pool: Svc[]): Svc {
      for (const rule of sorted) {
        if (!rule.enabled || !rule.conditions.every((c) => holds(ctx, c))) continue;
        const targets =
          rule.target_services.length > 0
            ? pool.filter((s) => rule.target_services.includes(s.service_id))
            : rule.target_tags.length > 0
              ? pool.filter((s) => rule.target_tags.every((t) => s.tags.includes(t)))
              : pool;
        if (targets.length > 0) return this.roundRobin(targets);
      }
      return this.roundRobin(pool);
    },
  };
}
