// Alert webhooks and their deliveries: the WebhookRepository contract.
import type { Webhook, WebhookDelivery } from '@myagent/models';

/** A webhook as stored, with its secret. */
export type StoredWebhook = Webhook & { secret: string | null };

/** Absolute values to set on a delivery. */
export interface DeliveryPatch {
  status?: WebhookDelivery['status'];
  attempts?: number;
  response_status?: number | null;
  error?: string | null;
}

/** Alert webhooks and their deliveries (spec D6); deliveries go with their webhook. */
export interface WebhookRepository {
  /** Inserts or replaces the webhook with this id (`has_secret` is derived from `secret`). */
  save(webhook: Omit<StoredWebhook, 'has_secret'>): Promise<StoredWebhook>;
  get(webhookId: string): Promise<StoredWebhook | undefined>;
  /** Oldest first. */
  list(): Promise<StoredWebhook[]>;
  delete(webhookId: string): Promise<boolean>;
  /** Records a new delivery; a webhook that is gone throws WEBHOOK_NOT_FOUND. */
  addDelivery(delivery: WebhookDelivery): Promise<WebhookDelivery>;
  updateDelivery(deliveryId: string, patch: DeliveryPatch): Promise<WebhookDelivery | undefined>;
  /** Newest first, of one webhook or all. */
  deliveries(options?: {
    webhook_id?: string;
    limit?: number;
  }): Promise<{ deliveries: WebhookDelivery[]; total: number }>;
  /** Keeps the newest `keep` deliveries of each webhook; returns how many went. */
  pruneDeliveries(keep: number): Promise<number>;
}
