import { createHmac, randomUUID } from 'node:crypto';
import {
  type AlertEventType,
  AppError,
  CreateWebhookRequest,
  type CreateWebhookRequestInput,
  isoNow,
  parseOrThrow,
  UpdateWebhookRequest,
  type Webhook,
  type WebhookDelivery,
} from '@myagent/models';
import type { StoredWebhook, WebhookRepository } from '@myagent/storage-kysely';
import { withDefaults } from '../defaults.js';

// Alert webhooks (spec D6): health transitions, restarts, crash-loop give-ups and routing failures are
// POSTed to the webhooks that subscribe to them, signed with HMAC-SHA256 when a secret is set, retried with
// backoff, each delivery recorded. Everything happens off the caller's path: `notify` only queues.

/** Options of the alerts. Times in ms. */
export interface AlertOptions {
  /** Deliveries waiting (queued or between retries) at most; past it new alerts are dropped. @default 1000 */
  maxQueue?: number;
  /** Attempts per delivery. @default 5 */
  attempts?: number;
  /** First retry after this, doubling each time. @default 1000 */
  backoffMs?: number;
  /** A receiver that has not answered in this long has failed the attempt. @default 5000 */
  timeoutMs?: number;
  /** Deliveries sent at once. @default 4 */
  concurrency?: number;
  /** Deliveries kept per webhook. @default 1000 */
  keepDeliveries?: number;
}

/** The `@default`s of {@link AlertOptions}. */
const ALERT_DEFAULTS: Required<AlertOptions> = {
  maxQueue: 1000,
  attempts: 5,
  backoffMs: 1000,
  timeoutMs: 5000,
  concurrency: 4,
  keepDeliveries: 1000,
};

/** The header with the body's signature: `sha256=<hex HMAC-SHA256 of the raw body with the secret>`. */
export const SIGNATURE_HEADER = 'x-myagent-signature';

/** A webhook as the API shows it: without its secret. */
export function publicWebhook({ secret: _, ...webhook }: StoredWebhook): Webhook {
  return webhook;
}

interface Job {
  hook: StoredWebhook;
  delivery: WebhookDelivery;
  body: string;
}

/** The alert webhooks: their CRUD, and the bounded, retrying, recorded delivery of alerts to them. */
export class Alerts {
  readonly #repo: WebhookRepository;
  readonly #onError: (error: unknown) => void;
  readonly #o: Required<AlertOptions>;
  #hooks: Promise<StoredWebhook[]> | undefined;
  readonly #ready: Job[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #waiting = 0;
  #dropped = 0;
  #sent = 0;
  #closed = false;

  constructor(repo: WebhookRepository, onError: (error: unknown) => void, options: AlertOptions = {}) {
    this.#repo = repo;
    this.#onError = onError;
    this.#o = withDefaults(options, ALERT_DEFAULTS);
  }

  /** Alerts dropped because the queue was full, since the start. */
  get dropped(): number {
    return this.#dropped;
  }

  // ---- webhooks

  async list(): Promise<Webhook[]> {
    return (await this.#repo.list()).map(publicWebhook);
  }

  async get(webhookId: string): Promise<Webhook | undefined> {
    const hook = await this.#repo.get(webhookId);
    return hook && publicWebhook(hook);
  }

  async create(input: CreateWebhookRequestInput): Promise<Webhook> {
    const request = parseOrThrow(CreateWebhookRequest, input, 'webhook');
    const now = isoNow();
    const saved = await this.#repo.save({
      ...request,
      webhook_id: randomUUID(),
      created_at: now,
      updated_at: now,
    });
    this.#hooks = undefined;
    return publicWebhook(saved);
  }

  async update(webhookId: string, input: unknown): Promise<Webhook> {
    const patch = parseOrThrow(UpdateWebhookRequest, input, 'webhook update');
    const current = await this.#require(webhookId);
    const saved = await this.#repo.save({ ...current, ...patch, updated_at: isoNow() });
    this.#hooks = undefined;
    return publicWebhook(saved);
  }

  async delete(webhookId: string): Promise<boolean> {
    const removed = await this.#repo.delete(webhookId);
    this.#hooks = undefined;
    return removed;
  }

  deliveries(options: { webhook_id?: string; limit?: number } = {}) {
    return this.#repo.deliveries(options);
  }

  /** Queues a `test` alert to one webhook (enabled or not) and resolves with its pending delivery. */
  async test(webhookId: string): Promise<WebhookDelivery> {
    const hook = await this.#require(webhookId);
    const job = await this.#enqueue(hook, 'test', { message: 'A test alert from MyAgent Manager' });
    if (!job) throw new AppError('INSUFFICIENT_RESOURCES', 'The alert queue is full; try again later');
    return job.delivery;
  }

  // ---- delivery

  /** Queues an alert to every enabled webhook that subscribes to it. Never throws, never waits. */
  notify(event: AlertEventType, data: Record<string, unknown>): void {
    if (this.#closed) return;
    this.#hooks ??= this.#repo.list().catch((error: unknown) => {
      this.#hooks = undefined;
      this.#onError(error);
      return [];
    });
    void this.#hooks.then(async (hooks) => {
      for (const hook of hooks) {
        if (hook.enabled && (hook.events.includes('*') || hook.events.includes(event))) {
          await this.#enqueue(hook, event, data).catch(this.#onError);
        }
      }
    });
  }

  /** Resolves once nothing is queued, retrying or in flight (for tests and an orderly stop). */
  async idle(): Promise<void> {
    while (this.#waiting > 0 || this.#inFlight.size > 0) {
      await Promise.race([...this.#inFlight, new Promise((resolve) => setTimeout(resolve, 20))]);
    }
  }

  /** Stops: no new alerts, pending retries cancelled, requests in flight aborted. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#abort.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #require(webhookId: string): Promise<StoredWebhook> {
    const hook = await this.#repo.get(webhookId);
    if (!hook)
      throw new AppError('WEBHOOK_NOT_FOUND', `Webhook '${webhookId}' not found`, {
        details: { webhook_id: webhookId },
      });
    return hook;
  }

  async #enqueue(
    hook: StoredWebhook,
    event: AlertEventType,
    data: Record<string, unknown>,
  ): Promise<Job | undefined> {
    if (this.#waiting >= this.#o.maxQueue) {
      this.#dropped++;
      if (this.#dropped === 1 || this.#dropped % 100 === 0) {
        this.#onError(new Error(`alert queue full (${this.#o.maxQueue}): ${this.#dropped} alert(s) dropped`));
      }
      return undefined;
    }
    this.#waiting++;
    const now = isoNow();
    const delivery_id = randomUUID();
    const payload = { event, delivery_id, timestamp: now, data };
    try {
      const delivery = await this.#repo.addDelivery({
        delivery_id,
        webhook_id: hook.webhook_id,
        event,
        status: 'pending',
        attempts: 0,
        response_status: null,
        error: null,
        payload,
        created_at: now,
        updated_at: now,
      });
      const job = { hook, delivery, body: JSON.stringify(payload) };
      this.#ready.push(job);
      this.#pump();
      if (++this.#sent % 100 === 0)
        void this.#repo.pruneDeliveries(this.#o.keepDeliveries).catch(this.#onError);
      return job;
    } catch (error) {
      this.#waiting--;
      throw error;
    }
  }

  #pump(): void {
    while (!this.#closed && this.#inFlight.size < this.#o.concurrency && this.#ready.length > 0) {
      const job = this.#ready.shift() as Job;
      const run = this.#attempt(job).finally(() => {
        this.#inFlight.delete(run);
        this.#pump();
      });
      this.#inFlight.add(run);
    }
  }

  async #attempt(job: Job): Promise<void> {
    const attempts = job.delivery.attempts + 1;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'myagent-manager',
        'x-myagent-event': job.delivery.event,
        'x-myagent-delivery': job.delivery.delivery_id,
      };
      if (job.hook.secret) {
        headers[SIGNATURE_HEADER] =
          `sha256=${createHmac('sha256', job.hook.secret).update(job.body).digest('hex')}`;
      }
      const response = await fetch(job.hook.url, {
        method: 'POST',
        headers,
        body: job.body,
        redirect: 'manual',
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#o.timeoutMs)]),
      });
      status = response.status;
      await response.body?.cancel().catch(() => {});
      if (status < 200 || status >= 300) error = `receiver answered ${status}`;
    } catch (thrown) {
      error = thrown instanceof Error ? `${thrown.name}: ${thrown.message}`.slice(0, 2000) : String(thrown);
    }
    const done = error === null;
    const final = done || attempts >= this.#o.attempts || this.#closed;
    job.delivery = {
      ...job.delivery,
      attempts,
      response_status: status,
      error,
      status: done ? 'delivered' : final ? 'failed' : 'pending',
    };
    await this.#repo
      .updateDelivery(job.delivery.delivery_id, {
        attempts,
        response_status: status,
        error,
        status: job.delivery.status,
      })
      .catch((failure: unknown) => {
        // The webhook was deleted meanwhile: its deliveries went with it; nothing to retry for.
        if (!(AppError.is(failure) && failure.code === 'WEBHOOK_NOT_FOUND')) this.#onError(failure);
      });
    if (final) {
      this.#waiting--;
      return;
    }
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        this.#ready.push(job);
        this.#pump();
      },
      this.#o.backoffMs * 2 ** (attempts - 1),
    );
    timer.unref();
    this.#timers.add(timer);
  }
}
