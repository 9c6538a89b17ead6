import type { HealthCheckResult } from '@myagent/models';

/** Results kept in memory: at most `limit` per service, the oldest dropped first. */
export class MemoryHistory {
  readonly #byService = new Map<string, HealthCheckResult[]>();

  constructor(readonly limit: number) {}

  add(result: HealthCheckResult): void {
    let list = this.#byService.get(result.service_id);
    if (!list) {
      list = [];
      this.#byService.set(result.service_id, list);
    }
    list.push(result);
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
  }

  /** The latest `limit` results of a service, newest first. */
  recent(serviceId: string, limit: number): HealthCheckResult[] {
    const list = this.#byService.get(serviceId) ?? [];
    return list.slice(Math.max(0, list.length - limit)).reverse();
  }

  serviceIds(): string[] {
    return [...this.#byService.keys()];
  }

  delete(serviceId: string): void {
    this.#byService.delete(serviceId);
  }

  clear(): void {
    this.#byService.clear();
  }
}
