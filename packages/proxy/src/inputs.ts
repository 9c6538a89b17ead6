import type { IncomingHttpHeaders } from 'node:http';
import { AppError, RoutingStrategy } from '@myagent/models';
import { type ContextValue, inCidr, parseCidr, parseIp } from '@myagent/router';
import * as v from 'valibot';

// What a client's handshake asks of the proxy (spec E1): the routing inputs, from the query or from
// x-myagent-* headers, and the proxy's own switches; everything else of the handshake is router context.

/** The routing inputs and switches of one handshake. */
export interface RoutingInputs {
  /** A service name or id. */
  service: string | null;
  tags: string[];
  session_id: string | null;
  routing_hint: RoutingStrategy | null;
  /** `?events=routed` (or `x-myagent-events: routed`): send `connection_routed`. */
  routedEvent: boolean;
  /** `?proxy_metadata=1` (or `x-myagent-proxy-metadata: 1`): wrap client messages (seed 003 §2.2). */
  proxyMetadata: boolean;
}

const MAX_NAME = 128;
const MAX_TAGS = 32;
const MAX_TAG = 64;

function values(
  params: URLSearchParams,
  headers: IncomingHttpHeaders,
  key: string,
  header: string,
): string[] {
  const fromQuery = params.getAll(key);
  const raw = headers[header];
  const fromHeader = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return [...fromQuery, ...fromHeader];
}

/** Control characters (C0 and DEL) have no place in a name. */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function single(list: string[], name: string, max: number): string | null {
  const distinct = [...new Set(list.map((s) => s.trim()))];
  if (distinct.length === 0) return null;
  if (distinct.length > 1)
    throw new AppError('INVALID_REQUEST', `${name} is given more than once with different values`, {
      details: { field: name },
    });
  const value = distinct[0] as string;
  if (value.length === 0)
    throw new AppError('INVALID_REQUEST', `${name} is empty`, { details: { field: name } });
  if (value.length > max || hasControl(value))
    throw new AppError('INVALID_REQUEST', `${name} is too long or holds control characters`, {
      details: { field: name },
    });
  return value;
}

const on = (list: string[], word: string) =>
  list.some((value) => value.split(',').some((part) => ['1', 'true', 'yes', word].includes(part.trim())));

/** Reads the routing inputs; INVALID_REQUEST for a malformed one (repeated, empty, oversized, unknown hint). */
export function readInputs(params: URLSearchParams, headers: IncomingHttpHeaders): RoutingInputs {
  const service = single(values(params, headers, 'service', 'x-myagent-service'), 'service', MAX_NAME);
  const tags = values(params, headers, 'tag', 'x-myagent-tag')
    .flatMap((value) => value.split(','))
    .map((tag) => tag.trim())
    .filter(Boolean);
  if (tags.length > MAX_TAGS || tags.some((tag) => tag.length > MAX_TAG))
    throw new AppError('INVALID_REQUEST', `At most ${MAX_TAGS} tags of at most ${MAX_TAG} characters`, {
      details: { field: 'tag' },
    });
  const session = single(
    values(params, headers, 'session_id', 'x-myagent-session-id'),
    'session_id',
    MAX_NAME,
  );
  const hint = single(values(params, headers, 'routing_hint', 'x-myagent-routing-hint'), 'routing_hint', 64);
  if (hint !== null && !v.is(RoutingStrategy, hint))
    throw new AppError(
      'INVALID_REQUEST',
      `routing_hint must be one of ${RoutingStrategy.options.join(', ')}`,
      {
        details: { field: 'routing_hint', value: hint.slice(0, 64) },
      },
    );
  return {
    service,
    tags: [...new Set(tags)],
    session_id: session,
    routing_hint: hint as RoutingStrategy | null,
    routedEvent: on(values(params, headers, 'events', 'x-myagent-events'), 'routed'),
    proxyMetadata: on(values(params, headers, 'proxy_metadata', 'x-myagent-proxy-metadata'), 'on'),
  };
}

/** Headers the router never sees and the agent server never gets: credentials and the handshake's own. */
const PRIVATE_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
const HOP_HEADERS = new Set([
  'host',
  'connection',
  'upgrade',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'content-length',
  'forwarded',
  'proxy-connection',
]);

/** The handshake's headers as router context: without credentials. */
export function contextHeaders(headers: IncomingHttpHeaders): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const [name, value] of Object.entries(headers)) if (!PRIVATE_HEADERS.has(name)) out[name] = value;
  return out;
}

/** The query as router context: without the API token. */
export function contextQuery(params: URLSearchParams): Record<string, ContextValue> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    if (key === 'token') continue;
    const known = out[key];
    out[key] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value];
  }
  return out;
}

/**
 * Headers for the agent server: the client's own except the handshake's, credentials and every x-myagent-*
 * one (a client's `x-myagent-probe` would hide it from the agent server's counts; `x-myagent-proxy` is
 * the proxy's to set), plus X-Forwarded-For and the proxy mark.
 */
export function upstreamHeaders(headers: IncomingHttpHeaders, forwardedFor: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (
      value === undefined ||
      HOP_HEADERS.has(name) ||
      name === 'authorization' ||
      name === 'proxy-authorization'
    )
      continue;
    if (name.startsWith('sec-websocket-') || name.startsWith('x-myagent-') || name.startsWith('x-forwarded-'))
      continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  out['x-forwarded-for'] = forwardedFor;
  out['x-forwarded-proto'] = 'http';
  out['x-myagent-proxy'] = '1';
  return out;
}

/** The upstream URL: the service's endpoint with the client's query, less the manager's token. */
export function upstreamUrl(endpoint: string, params: URLSearchParams): URL {
  const url = new URL(endpoint);
  const query = new URLSearchParams(params);
  query.delete('token');
  const search = query.toString();
  url.search = search ? `?${search}` : '';
  return url;
}

/** Believes X-Forwarded-For only from trusted peers: the right-most address not of a trusted proxy. */
export function createClientIp(
  trusted: readonly string[],
): (peer: string, forwarded: string | string[] | undefined) => string {
  const cidrs = trusted
    .map((text) => parseCidr(text.includes('/') ? text : text.includes(':') ? `${text}/128` : `${text}/32`))
    .filter((cidr) => cidr !== null);
  const isTrusted = (address: string) => {
    const words = parseIp(address);
    return words !== null && cidrs.some((cidr) => inCidr(words, cidr));
  };
  return (peer, forwarded) => {
    const bare = bareIp(peer);
    if (cidrs.length === 0 || forwarded === undefined || !isTrusted(bare)) return bare;
    const chain = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    for (let i = chain.length - 1; i >= 0; i--) {
      const hop = chain[i] as string;
      if (parseIp(hop) === null) return bare;
      if (!isTrusted(hop) || i === 0) return bareIp(hop);
    }
    return bare;
  };
}

/** `::ffff:127.0.0.1` as `127.0.0.1`. */
export function bareIp(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
