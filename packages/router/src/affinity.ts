import type { RoutingStrategy } from '@myagent/models';

/** Options of session affinity (spec C6). */
export interface AffinityOptions {
  /** A binding unused for this long expires (sliding: each use renews it). Default 30 minutes. */
  ttlMs?: number;
  /** At most this many bindings; past it the least recently used goes. Default 100,000. */
  maxEntries?: number;
}

/** One session's binding. */
export interface AffinityBinding {
  service_id: string;
  strategy: RoutingStrategy;
  expires_at: number;
}

/** Session affinity (spec C6): which service each session is bound to, bounded in number and in time. */
export interface AffinityTable {
  /** A binding unused for this long expires. */
  readonly ttlMs: number;
  /** At most this many bindings are kept. */
  readonly maxEntries: number;
  /** The live binding of a session, or undefined. */
  get(sessionId: string): AffinityBinding | undefined;
  /** Binds (or renews) a session to a service. */
  bind(sessionId: string, serviceId: string, strategy: RoutingStrategy): void;
  /** Forgets a session's binding; true when there was one. */
  release(sessionId: string): boolean;
  /** Forgets every binding to a service (e.g. when it is removed); how many went. */
  releaseService(serviceId: string): number;
  /** Forgets every binding. */
  clear(): void;
  /** Bindings held. */
  readonly size: number;
}

/**
 * Session id -> service id, bounded in number and in time. A Map keeps insertion order, and every use
 * re-inserts its key, so the first key is always the least recently used and the first to expire.
 */
export class SessionBindings implements AffinityTable {
  private readonly map = new Map<string, AffinityBinding>();
  readonly ttlMs: number;
  readonly maxEntries: number;

  constructor(
    options: AffinityOptions,
    private readonly now: () => number,
  ) {
    this.ttlMs = options.ttlMs ?? 30 * 60_000;
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /** The live binding of a session, or undefined (an expired one is dropped on the way). */
  get(sessionId: string): AffinityBinding | undefined {
    const binding = this.map.get(sessionId);
    if (!binding) return undefined;
    if (binding.expires_at <= this.now()) {
      this.map.delete(sessionId);
      return undefined;
    }
    return binding;
  }

  /** Binds (or renews) a session to a service. */
  bind(sessionId: string, serviceId: string, strategy: RoutingStrategy): void {
    if (this.maxEntries <= 0 || this.ttlMs <= 0) return;
    const now = this.now();
    this.map.delete(sessionId);
    this.map.set(sessionId, { service_id: serviceId, strategy, expires_at: now + this.ttlMs });
    for (const [key, binding] of this.map) {
      if (this.map.size <= this.maxEntries && binding.expires_at > now) break;
      this.map.delete(key);
    }
  }

  /** Forgets a session's binding; true when there was one. */
  release(sessionId: string): boolean {
    return this.map.delete(sessionId);
  }

  /** Forgets every binding to a service (e.g. when it is removed). Returns how many went. */
  releaseService(serviceId: string): number {
    let removed = 0;
    for (const [key, binding] of this.map) {
      if (binding.service_id === serviceId) {
        this.map.delete(key);
        removed++;
      }
    }
    return removed;
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
