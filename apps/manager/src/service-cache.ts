import { AppError, type Service, type ServiceStats, type ServiceStatus } from '@myagent/models';
import type { RecordedProcess, ServiceStore, StatusPatch } from '@myagent/registry';
import type { ListServicesOptions, ServicePage, ServiceRepository } from '@myagent/storage-kysely';

// The services in memory, written through to storage. Every write of the manager's parts goes through it
// (the registry's store, the health wiring), so it is always what storage holds; reads cost no query and no
// parse, which is what lets GET /api/v1/services answer near a bare handler, and routing read candidates
// in microseconds. One manager per database (the manager lease holds that), so no other writer exists.

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
};

/** The services of a store, kept in memory and written through. */
export class ServiceCache implements ServiceStore {
  readonly #store: ServiceRepository;
  readonly #byId = new Map<string, Service>();
  #ordered: Service[] | undefined;
  /** Answers of `page` until the next write, frozen: the same question gets the same arrays. */
  readonly #pages = new Map<string, ServicePage>();

  constructor(store: ServiceRepository) {
    this.#store = store;
  }

  /** Reads every stored service once; call before the first read. */
  async load(): Promise<void> {
    this.#byId.clear();
    for (let offset = 0; ; offset += 1000) {
      const page = await this.#store.list({ limit: 1000, offset });
      for (const service of page.services) this.#put(service);
      if (page.services.length < 1000) return;
    }
  }

  // ---- shared reads: frozen objects, never to be changed (the API memoises their JSON by identity)

  /** The service by id, frozen. */
  peek(serviceId: string): Service | undefined {
    return this.#byId.get(serviceId);
  }

  /** The service by name (as storage compares names), frozen. */
  async peekByName(name: string): Promise<Service | undefined> {
    for (const service of this.#byId.values()) if (service.name === name) return service;
    // Storage may compare names more loosely than ===; its answer is ours once cached.
    const stored = await this.#store.getByName(name);
    return stored && this.#put(stored);
  }

  /** As storage's `list`: status (one or any of several), tags (all of), by created_at then name, paged. */
  page(options: ListServicesOptions = {}): ServicePage {
    const limit = options.limit ?? 100;
    const offset = options.offset ?? 0;
    if (
      !Number.isSafeInteger(limit) ||
      limit < 0 ||
      limit > 10_000 ||
      !Number.isSafeInteger(offset) ||
      offset < 0
    ) {
      throw new AppError(
        'INVALID_REQUEST',
        'limit must be an integer from 0 to 10000 and offset a non-negative integer',
        {
          details: { limit, offset },
        },
      );
    }
    const statuses =
      options.status === undefined ? undefined : new Set<ServiceStatus>([options.status].flat());
    const tags = options.tags ?? [];
    const key = `${[...(statuses ?? [])].join(',')}|${tags.join(',')}|${limit}|${offset}`;
    const known = this.#pages.get(key);
    if (known) return known;
    const all = this.#sorted();
    const matches =
      statuses === undefined && tags.length === 0
        ? all
        : all.filter(
            (s) => (!statuses || statuses.has(s.status)) && tags.every((tag) => s.tags.includes(tag)),
          );
    const answer: ServicePage = Object.freeze({
      services: Object.freeze(matches.slice(offset, offset + limit)) as Service[],
      total: matches.length,
    });
    // Bounded: a client asking for every possible page cannot grow it past this between two writes.
    if (this.#pages.size >= 256) this.#pages.clear();
    this.#pages.set(key, answer);
    return answer;
  }

  // ---- the registry's store: copies it may change, writes through

  async save(service: Service): Promise<Service> {
    return structuredClone(this.#put(await this.#store.save(service)));
  }

  async get(serviceId: string): Promise<Service | undefined> {
    const service = this.#byId.get(serviceId);
    return service && structuredClone(service);
  }

  async getByName(name: string): Promise<Service | undefined> {
    const service = await this.peekByName(name);
    return service && structuredClone(service);
  }

  async list(filter: ListServicesOptions = {}): Promise<ServicePage> {
    const { services, total } = this.page(filter);
    return { services: services.map((s) => structuredClone(s)), total };
  }

  updateStatus(serviceId: string, status: ServiceStatus, patch?: StatusPatch): Promise<Service | undefined> {
    return this.#write(this.#store.updateStatus(serviceId, status, patch));
  }

  updateStats(serviceId: string, stats: Partial<ServiceStats>): Promise<Service | undefined> {
    return this.#write(this.#store.updateStats(serviceId, stats));
  }

  setRestartCount(serviceId: string, count: number): Promise<Service | undefined> {
    return this.#write(this.#store.setRestartCount(serviceId, count));
  }

  setLastHealthCheck(serviceId: string, timestamp: string): Promise<Service | undefined> {
    return this.#write(this.#store.setLastHealthCheck(serviceId, timestamp));
  }

  // The child process records are not part of a Service: they go straight to storage.

  setProcess(serviceId: string, process: { pid: number; host: string }): Promise<boolean> {
    return this.#store.setProcess(serviceId, process);
  }

  clearProcess(serviceId: string, pid: number): Promise<boolean> {
    return this.#store.clearProcess(serviceId, pid);
  }

  listProcesses(): Promise<RecordedProcess[]> {
    return this.#store.listProcesses();
  }

  async delete(serviceId: string): Promise<boolean> {
    const removed = await this.#store.delete(serviceId);
    if (this.#byId.delete(serviceId)) this.#ordered = undefined;
    this.#pages.clear();
    return removed;
  }

  async #write(write: Promise<Service | undefined>): Promise<Service | undefined> {
    const service = await write;
    return service && structuredClone(this.#put(service));
  }

  #put(service: Service): Service {
    const frozen = deepFreeze(structuredClone(service));
    this.#pages.clear();
    const before = this.#byId.get(frozen.service_id);
    this.#byId.set(frozen.service_id, frozen);
    // Only a new service, or a change of what the order reads, re-sorts.
    if (!before || before.created_at !== frozen.created_at || before.name !== frozen.name)
      this.#ordered = undefined;
    else if (this.#ordered) this.#ordered[this.#ordered.indexOf(before)] = frozen;
    return frozen;
  }

  #sorted(): Service[] {
    this.#ordered ??= [...this.#byId.values()].sort((a, b) =>
      a.created_at === b.created_at
        ? a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0
        : a.created_at < b.created_at
          ? -1
          : 1,
    );
    return this.#ordered;
  }
}
