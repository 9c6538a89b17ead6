import * as v from 'valibot';
import { AGENT_EVENT_NAMES } from './agent.js';
import { boundedString, describeIssues } from './common.js';
import { AppError } from './errors.js';

// The WebSocket event protocol of ../shared/spec/protocol.md: client events, server events and the
// manager proxy's own events, as discriminated unions on `event`.

const SessionId = boundedString(128, 1);
const Metadata = v.record(v.string(), v.unknown());
const common = {
  timestamp: v.optional(v.string()),
  metadata: v.optional(Metadata),
};

/** Signed session state (protocol.md, "Signed state"). */
export const SignedState = v.looseObject({
  state: v.unknown(),
  timestamp: v.union([v.string(), v.number()]),
  signature: boundedString(256, 1),
  version: v.optional(v.string(), '1.0'),
  checksum: boundedString(256, 1),
});
export type SignedState = v.InferOutput<typeof SignedState>;

/** Every event a client may send, validated. */
export const ClientMessage = v.variant('event', [
  v.object({ event: v.literal('user.create_session'), ...common, session_id: v.optional(v.string()) }),
  v.object({
    event: v.literal('user.message'),
    ...common,
    session_id: SessionId,
    content: v.pipe(v.string('content must be a string'), v.minLength(1, 'content must not be empty')),
  }),
  v.object({
    event: v.literal('user.response'),
    ...common,
    session_id: SessionId,
    step_id: boundedString(256, 1),
    content: v.looseObject({ confirmed: v.boolean('content.confirmed must be a boolean') }),
  }),
  v.object({ event: v.literal('user.cancel'), ...common, session_id: SessionId }),
  v.object({ event: v.literal('user.close_session'), ...common, session_id: SessionId }),
  v.object({ event: v.literal('user.request_state'), ...common, session_id: SessionId }),
  v.object({ event: v.literal('user.reconnect_with_state'), ...common, signed_state: SignedState }),
  v.object({
    event: v.literal('user.ack'),
    ...common,
    last_seq: v.pipe(v.number(), v.integer(), v.minValue(0)),
  }),
  v.object({ event: v.literal('ping'), ...common }),
]);
export type ClientMessage = v.InferOutput<typeof ClientMessage>;
/** The name of a client event. */
export type ClientEventName = ClientMessage['event'];
export const CLIENT_EVENTS: readonly ClientEventName[] = ClientMessage.options.map(
  (o) => o.entries.event.literal,
);

/** Outbound events are stamped by the server with these fields. */
const outbound = {
  timestamp: v.optional(v.string()),
  session_id: v.optional(v.string()),
  connection_id: v.optional(v.string()),
  step_id: v.optional(v.string()),
  content: v.optional(v.unknown()),
  metadata: v.optional(Metadata),
  seq: v.optional(v.number()),
  event_id: v.optional(v.string()),
};

/** The names of every event an agent server sends (protocol.md). */
export const SERVER_EVENTS = [
  'agent.session_created',
  ...AGENT_EVENT_NAMES,
  'agent.interrupted',
  'agent.timeout',
  'agent.session_end',
  'agent.state_exported',
  'agent.state_restored',
  'system.connected',
  'system.heartbeat',
  'system.notice',
  'system.error',
  'pong',
] as const;
export type ServerEventName = (typeof SERVER_EVENTS)[number];

/** An event an agent server sends; `content` and `metadata` vary by event as protocol.md says. */
export const ServerMessage = v.variant(
  'event',
  SERVER_EVENTS.map((name) => v.looseObject({ event: v.literal(name), ...outbound })) as [
    v.LooseObjectSchema<{ event: v.LiteralSchema<ServerEventName, undefined> } & typeof outbound, undefined>,
  ],
);
export type ServerMessage = v.InferOutput<typeof ServerMessage>;

/** The manager proxy's own events (protocol.md, "Manager proxy events"). */
export const ProxyMessage = v.variant('event', [
  v.object({
    event: v.literal('connection_routed'),
    data: v.object({
      target_service: v.string(),
      service_endpoint: v.string(),
      routing_strategy: v.string(),
      connection_id: v.string(),
    }),
  }),
  v.object({
    event: v.literal('service_switched'),
    data: v.object({
      from_service: v.string(),
      to_service: v.string(),
      reason: v.string(),
      session_preserved: v.boolean(),
    }),
  }),
  v.object({
    event: v.literal('management_notification'),
    data: v.object({
      type: v.string(),
      message: v.string(),
      severity: v.picklist(['info', 'warning', 'critical']),
      countdown_seconds: v.optional(v.number()),
    }),
  }),
  v.object({
    event: v.literal('error'),
    data: v.object({ code: v.string(), message: v.string(), recoverable: v.boolean() }),
  }),
]);
export type ProxyMessage = v.InferOutput<typeof ProxyMessage>;

/** A parse that either yields a typed message or a coded error. */
export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: AppError };

/** The default frame size limit of protocol.md: 1 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * The request header of the manager's own WebSocket probes (the readiness ping, health checks): an agent
 * server does not count such a connection among its clients' (total, active and peak connections).
 */
export const PROBE_HEADER = 'x-myagent-probe';

/** Options of {@link parseClientMessage}. */
export interface ParseOptions {
  /** Frames larger than this are refused with PAYLOAD_TOO_LARGE. Default 1 MiB. */
  maxBytes?: number;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const fail = (code: ConstructorParameters<typeof AppError>[0], message: string, details = {}) =>
  ({ ok: false, error: new AppError(code, message, { details }) }) as const;

/** Lifts the alternative places older clients put a field into the one place the schema reads it. */
function normalize(raw: Record<string, unknown>): Record<string, unknown> {
  if (raw.event === undefined && raw.type === 'ping') return { ...raw, event: 'ping' };
  if (raw.event === 'user.ack' && raw.last_seq === undefined) {
    const content = raw.content;
    const lastSeq =
      typeof content === 'number'
        ? content
        : (content as { last_seq?: unknown } | null | undefined)?.last_seq;
    return { ...raw, last_seq: lastSeq };
  }
  if (raw.event === 'user.reconnect_with_state' && raw.signed_state === undefined) {
    const holder = [raw.content, raw.metadata].find(
      (place) => typeof place === 'object' && place !== null && 'signed_state' in place,
    ) as { signed_state: unknown } | undefined;
    return { ...raw, signed_state: holder?.signed_state };
  }
  return raw;
}

/**
 * Parses one text frame from a client. Never throws: invalid JSON, a non-object, an unknown event, missing
 * or mistyped fields and oversize frames each come back as a coded error.
 * @example const parsed = parseClientMessage(text); if (!parsed.ok) send(systemError(parsed.error));
 */
export function parseClientMessage(text: string, options: ParseOptions = {}): ParseResult<ClientMessage> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (text.length > maxBytes || utf8Length(text) > maxBytes) {
    return fail('PAYLOAD_TOO_LARGE', `Message exceeds the limit of ${maxBytes} bytes`, {
      max_bytes: maxBytes,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail('INVALID_JSON', `Invalid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail('INVALID_MESSAGE', 'A message must be a JSON object');
  }
  const message = normalize(raw as Record<string, unknown>);
  if (typeof message.event !== 'string') {
    return fail('INVALID_MESSAGE', "A message needs a string field 'event'");
  }
  if (!(CLIENT_EVENTS as readonly string[]).includes(message.event)) {
    return fail('UNKNOWN_EVENT', `Unknown event '${message.event.slice(0, 100)}'`, {
      event: message.event.slice(0, 100),
    });
  }
  const result = v.safeParse(ClientMessage, message);
  if (result.success) return { ok: true, message: result.output };
  const issues = describeIssues(result.issues);
  const first = issues[0];
  return fail(
    'INVALID_MESSAGE',
    `Invalid '${message.event}'${first?.path ? ` at '${first.path}'` : ''}: ${first?.message}`,
    {
      event: message.event,
      issues,
    },
  );
}

/** Parses one event an agent server or the manager proxy sent (for clients, the proxy and tests). */
export function parseServerMessage(text: string): ParseResult<ServerMessage | ProxyMessage> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail('INVALID_JSON', `Invalid JSON: ${(error as Error).message}`);
  }
  const schema = typeof raw === 'object' && raw !== null && 'data' in raw ? ProxyMessage : ServerMessage;
  const result = v.safeParse(schema, raw);
  if (result.success) return { ok: true, message: result.output };
  const issues = describeIssues(result.issues);
  return fail('INVALID_MESSAGE', `Invalid server event: ${issues[0]?.message}`, { issues });
}
