import * as v from 'valibot';
import { boundedString, Timestamp } from './common.js';

// What the manager records about itself: the operation log (spec H4) and the alert webhooks (spec D6).

/** Whether a recorded operation did what was asked. */
export const AuditResult = v.picklist(['success', 'failure']);
export type AuditResult = v.InferOutput<typeof AuditResult>;

/** One mutating call: who (a token's name, or `local` without auth), what, on which target, when, how it ended. */
export const AuditEntry = v.object({
  audit_id: v.pipe(v.number(), v.integer(), v.minValue(1)),
  timestamp: Timestamp,
  actor: boundedString(128, 1),
  /** A stable verb such as `service.start` or `routing_rule.create`. */
  action: boundedString(128, 1),
  method: boundedString(16, 1),
  path: boundedString(2048),
  target_type: v.nullable(boundedString(64)),
  target_id: v.nullable(boundedString(256)),
  /** The service the operation touched, when there is one (the `?service_id` filter reads it). */
  service_id: v.nullable(boundedString(64)),
  status_code: v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(599)),
  result: AuditResult,
  error_code: v.nullable(boundedString(64)),
  client_ip: v.nullable(boundedString(64)),
});
export type AuditEntry = v.InferOutput<typeof AuditEntry>;
/** An entry as it is written: the id and time are the store's. */
export type AuditEntryInput = Omit<AuditEntry, 'audit_id' | 'timestamp'> & { timestamp?: string };

/** The events an alert webhook may subscribe to (`*` takes them all). */
export const AlertEventType = v.picklist([
  'health_transition',
  'service_restart',
  'restart_limit_reached',
  'routing_failed',
  'test',
]);
export type AlertEventType = v.InferOutput<typeof AlertEventType>;

/** Every alert event type, in documentation order. */
export const ALERT_EVENT_TYPES: readonly AlertEventType[] = AlertEventType.options;

const WebhookEvents = v.pipe(
  v.array(v.union([AlertEventType, v.literal('*')])),
  v.minLength(1, 'a webhook needs at least one event'),
  v.maxLength(16),
  v.transform((events) => [...new Set(events)]),
);

/** An http(s) URL a webhook posts to. */
export const WebhookUrl = v.pipe(
  v.string(),
  v.maxLength(2048),
  v.url('not a URL'),
  v.check((url) => /^https?:\/\//iu.test(url), 'a webhook URL is http:// or https://'),
);

/** A stored alert webhook; its secret never leaves the manager (`has_secret` says whether there is one). */
export const Webhook = v.object({
  webhook_id: v.pipe(v.string(), v.uuid()),
  url: WebhookUrl,
  events: WebhookEvents,
  enabled: v.boolean(),
  description: boundedString(1000),
  has_secret: v.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Webhook = v.InferOutput<typeof Webhook>;

const webhookEntries = {
  url: WebhookUrl,
  events: v.optional(WebhookEvents, ['*']),
  /** Signs each body: `X-MyAgent-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. */
  secret: v.optional(v.nullable(boundedString(256, 1)), null),
  enabled: v.optional(v.boolean(), true),
  description: v.optional(boundedString(1000), ''),
};

/** `POST /api/v1/alerts/webhooks`. */
export const CreateWebhookRequest = v.strictObject(webhookEntries);
export type CreateWebhookRequest = v.InferOutput<typeof CreateWebhookRequest>;
export type CreateWebhookRequestInput = v.InferInput<typeof CreateWebhookRequest>;

/** `PUT /api/v1/alerts/webhooks/{id}`: any field; `secret: null` removes the secret. */
export const UpdateWebhookRequest = v.partial(
  v.strictObject({ ...webhookEntries, secret: v.nullable(boundedString(256, 1)) }),
);
export type UpdateWebhookRequest = v.InferOutput<typeof UpdateWebhookRequest>;

/** Where one alert's delivery to one webhook stands. */
export const DeliveryStatus = v.picklist(['pending', 'delivered', 'failed']);
export type DeliveryStatus = v.InferOutput<typeof DeliveryStatus>;

/** One alert sent (or being sent) to one webhook, with its attempts. */
export const WebhookDelivery = v.object({
  delivery_id: v.pipe(v.string(), v.uuid()),
  webhook_id: v.pipe(v.string(), v.uuid()),
  event: AlertEventType,
  status: DeliveryStatus,
  attempts: v.pipe(v.number(), v.integer(), v.minValue(0)),
  response_status: v.nullable(v.pipe(v.number(), v.integer())),
  error: v.nullable(boundedString(2048)),
  payload: v.record(v.string(), v.unknown()),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type WebhookDelivery = v.InferOutput<typeof WebhookDelivery>;
