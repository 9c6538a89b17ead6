// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/proxy's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.

import type { Router } from '@myagent/router';
import { expectTypeOf, it } from 'vitest';
import {
  type CandidateSource,
  type ConnectionHooks,
  connectUpstream,
  createProxy,
  type DisconnectOptions,
  encodeFrame,
  type ManagementNotification,
  type ProxyCandidate,
  type ProxyConnectionInfo,
  type ProxyHandle,
  type ProxyOptionsInput,
  type ProxyStats,
  proxyMark,
  type RoutingFailure,
  type UpstreamConnector,
  type UpstreamLeg,
  type UpstreamRequest,
} from './index.js';

it('CandidateSource', () => {
  expectTypeOf<keyof CandidateSource>().toEqualTypeOf<'list' | 'subscribe'>();
});

it('ConnectionHooks', () => {
  expectTypeOf<keyof ConnectionHooks>().toEqualTypeOf<'close' | 'open' | 'update'>();
});

it('connectUpstream', () => {
  expectTypeOf(connectUpstream).parameters.toEqualTypeOf<[request: UpstreamRequest]>();
  expectTypeOf(connectUpstream).returns.toEqualTypeOf<Promise<UpstreamLeg>>();
});

it('createProxy', () => {
  expectTypeOf(createProxy).parameters.toEqualTypeOf<
    [
      input: {
        source: CandidateSource<ProxyCandidate>;
        router?: Router | undefined;
        hooks?: ConnectionHooks | undefined;
        onRoutingFailed?: ((failure: RoutingFailure) => void) | undefined;
        onError?: ((error: Error) => void) | undefined;
        trustedProxies?: Array<string> | undefined;
        connectTimeoutMs?: number | undefined;
        maxPendingHandshakes?: number | undefined;
        maxConnections?: number | undefined;
        maxMessageBytes?: number | undefined;
        maxBufferedBytes?: number | undefined;
        statsIntervalMs?: number | undefined;
        closeTimeoutMs?: number | undefined;
        routedEvent?: boolean | undefined;
        proxyMetadata?: boolean | undefined;
        stateSecret?: string | undefined;
        failoverWaitMs?: number | undefined;
        maxStateBytes?: number | undefined;
        connectUpstream?: UpstreamConnector | undefined;
      },
    ]
  >();
  expectTypeOf(createProxy).returns.toEqualTypeOf<ProxyHandle>();
});

it('DisconnectOptions', () => {
  expectTypeOf<keyof DisconnectOptions>().toEqualTypeOf<'notify_client' | 'reason'>();
});

it('encodeFrame', () => {
  expectTypeOf(encodeFrame).parameters.toEqualTypeOf<
    [opcode: number, payload: Buffer<ArrayBufferLike>, mask: boolean]
  >();
  expectTypeOf(encodeFrame).returns.toEqualTypeOf<Buffer<ArrayBufferLike>>();
});

it('ManagementNotification', () => {
  expectTypeOf<keyof ManagementNotification>().toEqualTypeOf<
    'countdown_seconds' | 'message' | 'severity' | 'type'
  >();
});

it('ProxyCandidate', () => {
  expectTypeOf<keyof ProxyCandidate>().toEqualTypeOf<
    'endpoint' | 'healthy' | 'name' | 'service_id' | 'started_at' | 'status' | 'tags' | 'weight'
  >();
});

it('ProxyConnectionInfo', () => {
  expectTypeOf<keyof ProxyConnectionInfo>().toEqualTypeOf<
    | 'bytes_received'
    | 'bytes_sent'
    | 'client_ip'
    | 'client_port'
    | 'close_reason'
    | 'connected_at'
    | 'connection_id'
    | 'disconnected_at'
    | 'last_activity'
    | 'message_count'
    | 'routing_strategy'
    | 'session_ids'
    | 'status'
    | 'target_service'
    | 'target_service_id'
    | 'user_agent'
  >();
});

it('ProxyHandle', () => {
  expectTypeOf<keyof ProxyHandle>().toEqualTypeOf<
    | 'close'
    | 'connection'
    | 'connections'
    | 'disconnect'
    | 'drain'
    | 'endDrain'
    | 'handleUpgrade'
    | 'notify'
    | 'stats'
  >();
});

it('proxyMark', () => {
  expectTypeOf(proxyMark).parameters.toEqualTypeOf<[secret: string, now?: number]>();
  expectTypeOf(proxyMark).returns.toEqualTypeOf<string>();
});

it('ProxyOptionsInput', () => {
  expectTypeOf<keyof ProxyOptionsInput>().toEqualTypeOf<
    | 'closeTimeoutMs'
    | 'connectTimeoutMs'
    | 'connectUpstream'
    | 'failoverWaitMs'
    | 'hooks'
    | 'maxBufferedBytes'
    | 'maxConnections'
    | 'maxMessageBytes'
    | 'maxPendingHandshakes'
    | 'maxStateBytes'
    | 'onError'
    | 'onRoutingFailed'
    | 'proxyMetadata'
    | 'routedEvent'
    | 'router'
    | 'source'
    | 'stateSecret'
    | 'statsIntervalMs'
    | 'trustedProxies'
  >();
});

it('ProxyStats', () => {
  expectTypeOf<keyof ProxyStats>().toEqualTypeOf<
    'buffered_bytes' | 'connections' | 'pending_handshakes' | 'routing_failures' | 'total_connections'
  >();
});

it('RoutingFailure', () => {
  expectTypeOf<keyof RoutingFailure>().toEqualTypeOf<'client_ip' | 'code' | 'message' | 'service'>();
});

it('UpstreamConnector', () => {
  expectTypeOf<UpstreamConnector>().toEqualTypeOf<(request: UpstreamRequest) => Promise<UpstreamLeg>>();
});

it('UpstreamLeg', () => {
  expectTypeOf<keyof UpstreamLeg>().toEqualTypeOf<'head' | 'socket'>();
});

it('UpstreamRequest', () => {
  expectTypeOf<keyof UpstreamRequest>().toEqualTypeOf<'headers' | 'signal' | 'timeoutMs' | 'url'>();
});
