import type { LogLine } from '@myagent/models';
import type { LogSink } from './types.js';

/** Options of {@link LogWriter}. */
export interface LogWriterOptions {
  /** Lines kept per service in the sink; older ones are pruned (default 10,000). */
  maxLinesPerService: number;
  /** How long lines wait to be written together (default 100 ms). */
  flushIntervalMs: number;
  onError: (error: Error) => void;
}

// Lines held in memory while the sink is slow; beyond this the oldest are dropped rather than eat memory.
const MAX_PENDING = 20_000;

/** Batches captured lines into the sink and keeps each service's lines bounded. */
export class LogWriter {
  #pending: LogLine[] = [];
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  readonly #sinceprune = new Map<string, number>();
  readonly #sink: LogSink;
  readonly #options: LogWriterOptions;

  constructor(sink: LogSink, options: LogWriterOptions) {
    this.#sink = sink;
    this.#options = options;
  }

  push(line: LogLine): void {
    this.#pending.push(line);
    if (this.#pending.length > MAX_PENDING) this.#pending.splice(0, this.#pending.length - MAX_PENDING);
    if (this.#pending.length >= 500) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#options.flushIntervalMs);
  }

  /**
   * Writes what is pending; resolves once it (and any earlier write) is stored. With `prune`, every service
   * written since its last prune is cut to the bound exactly (between prunes it may exceed it by a tenth).
   */
  flush(options: { prune?: boolean } = {}): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length > 0) this.#chain = this.#chain.then(() => this.#write(batch));
    if (options.prune) this.#chain = this.#chain.then(() => this.#pruneAll());
    return this.#chain;
  }

  async #pruneAll(): Promise<void> {
    for (const [serviceId, since] of this.#sinceprune) {
      if (since === 0) continue;
      this.#sinceprune.set(serviceId, 0);
      await this.#sink
        .prune(serviceId, this.#options.maxLinesPerService)
        .catch((error: Error) => this.#options.onError(error));
    }
  }

  /** Forgets the pending lines of a service that is about to be deleted. */
  drop(serviceId: string): void {
    this.#pending = this.#pending.filter((line) => line.service_id !== serviceId);
    this.#sinceprune.delete(serviceId);
  }

  async #write(batch: LogLine[]): Promise<void> {
    try {
      await this.#sink.append(batch);
    } catch (error) {
      this.#options.onError(error as Error);
      return;
    }
    const max = this.#options.maxLinesPerService;
    const counts = new Map<string, number>();
    for (const line of batch) counts.set(line.service_id, (counts.get(line.service_id) ?? 0) + 1);
    for (const [serviceId, added] of counts) {
      const since = (this.#sinceprune.get(serviceId) ?? 0) + added;
      // Pruning on every batch would cost a delete per write; a tenth of the bound of slack is plenty.
      if (since >= Math.max(1, Math.floor(max / 10))) {
        this.#sinceprune.set(serviceId, 0);
        await this.#sink.prune(serviceId, max).catch((error: Error) => this.#options.onError(error));
      } else {
        this.#sinceprune.set(serviceId, since);
      }
    }
  }
}
