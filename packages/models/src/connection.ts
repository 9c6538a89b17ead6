import * as v from 'valibot';
import { boundedString, Timestamp } from './common.js';
import { RoutingStrategy } from './routing.js';

/** Where a client connection is (spec E9). */
export const ConnectionStatus = v.picklist([
  'connecting',
  'connected',
  'active',
  'idle',
  'disconnected',
  'error',
]);
export type ConnectionStatus = v.InferOutput<typeof ConnectionStatus>;

const counter = v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0);

/** One client connection routed to a service (spec E9 plus where it came from and how it was routed). */
export const ConnectionInfo = v.object({
  connection_id: boundedString(128, 1),
  session_id: v.optional(v.nullable(boundedString(128)), null),
  client_ip: boundedString(64),
  client_port: v.optional(
    v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65_535))),
    null,
  ),
  user_agent: v.optional(v.nullable(boundedString(1024)), null),
  target_service_id: boundedString(64, 1),
  status: v.optional(ConnectionStatus, 'connected'),
  connected_at: Timestamp,
  last_activity: Timestamp,
  disconnected_at: v.optional(v.nullable(Timestamp), null),
  bytes_sent: counter,
  bytes_received: counter,
  message_count: counter,
  routing_strategy: v.optional(v.nullable(RoutingStrategy), null),
  routing_metadata: v.optional(v.record(v.string(), v.unknown()), {}),
});
export type ConnectionInfo = v.InferOutput<typeof ConnectionInfo>;
export type ConnectionInfoInput = v.InferInput<typeof ConnectionInfo>;
