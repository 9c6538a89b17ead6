// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/router's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.
import { expectTypeOf, it } from 'vitest';
import {
  type ActiveConnectionFilter,
  type AffinityBinding,
  type AffinityOptions,
  type AffinityTable,
  type CandidatePool,
  type Candidates,
  type Cidr,
  type ConditionTrace,
  type ConnectionRegistration,
  type ConnectionStats,
  type ConnectionTable,
  type ContextValue,
  createRouter,
  type Exclusion,
  hashString,
  type IpWords,
  inCidr,
  parseCidr,
  parseIp,
  type RouteCandidate,
  type RouteContext,
  type RouteDecision,
  type RouteExplanation,
  type RouteReason,
  type Router,
  type RouterOptions,
  type RuleInput,
  type RuleTrace,
  readContextField,
  unroutableReason,
} from './index.js';

/** The named members of a type with an index signature. */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: 0 };

it('ActiveConnectionFilter', () => {
  expectTypeOf<keyof ActiveConnectionFilter>().toEqualTypeOf<'limit' | 'service_id' | 'status'>();
});

it('AffinityBinding', () => {
  expectTypeOf<keyof AffinityBinding>().toEqualTypeOf<'expires_at' | 'service_id' | 'strategy'>();
});

it('AffinityOptions', () => {
  expectTypeOf<keyof AffinityOptions>().toEqualTypeOf<'maxEntries' | 'ttlMs'>();
});

it('AffinityTable', () => {
  expectTypeOf<keyof AffinityTable>().toEqualTypeOf<
    'bind' | 'clear' | 'get' | 'maxEntries' | 'release' | 'releaseService' | 'size' | 'ttlMs'
  >();
});

it('CandidatePool', () => {
  expectTypeOf<keyof CandidatePool>().toEqualTypeOf<'excluded' | 'items' | 'size'>();
});

it('Candidates', () => {
  expectTypeOf<Candidates<RouteCandidate>>().toEqualTypeOf<
    ReadonlyArray<RouteCandidate> | CandidatePool<RouteCandidate>
  >();
});

it('Cidr', () => {
  expectTypeOf<keyof Cidr>().toEqualTypeOf<'bits' | 'words'>();
});

it('ConditionTrace', () => {
  expectTypeOf<keyof ConditionTrace>().toEqualTypeOf<'actual' | 'field' | 'operator' | 'result' | 'value'>();
});

it('ConnectionRegistration', () => {
  expectTypeOf<keyof ConnectionRegistration>().toEqualTypeOf<
    | 'bytes_received'
    | 'bytes_sent'
    | 'client_ip'
    | 'client_port'
    | 'connected_at'
    | 'connection_id'
    | 'disconnected_at'
    | 'last_activity'
    | 'message_count'
    | 'routing_metadata'
    | 'routing_strategy'
    | 'session_id'
    | 'status'
    | 'target_service_id'
    | 'user_agent'
  >();
});

it('ConnectionStats', () => {
  expectTypeOf<keyof ConnectionStats>().toEqualTypeOf<
    'active_connections' | 'by_service' | 'by_status' | 'total_connections'
  >();
});

it('ConnectionTable', () => {
  expectTypeOf<keyof ConnectionTable>().toEqualTypeOf<
    'active' | 'count' | 'get' | 'register' | 'size' | 'stats' | 'unregister' | 'update'
  >();
});

it('ContextValue', () => {
  expectTypeOf<ContextValue>().toEqualTypeOf<
    string | number | boolean | ReadonlyArray<string> | null | undefined
  >();
});

it('createRouter', () => {
  expectTypeOf(createRouter).parameters.toEqualTypeOf<
    [
      input?: {
        defaultStrategy?:
          | 'round_robin'
          | 'least_connections'
          | 'weighted_random'
          | 'hash_based'
          | 'tag_based'
          | undefined;
        rules?: ReadonlyArray<RuleInput> | undefined;
        affinity?: false | { ttlMs?: number | undefined; maxEntries?: number | undefined } | undefined;
        hashKey?: string | undefined;
        maxFieldLength?: number | undefined;
        maxRegexInput?: number | undefined;
        random?: (() => number) | undefined;
        now?: (() => number) | undefined;
      },
    ]
  >();
  expectTypeOf(createRouter).returns.toEqualTypeOf<Router>();
});

it('Exclusion', () => {
  expectTypeOf<keyof Exclusion>().toEqualTypeOf<'service_id' | 'why'>();
});

it('hashString', () => {
  expectTypeOf(hashString).parameters.toEqualTypeOf<[text: string, seed?: number]>();
  expectTypeOf(hashString).returns.toEqualTypeOf<number>();
});

it('inCidr', () => {
  expectTypeOf(inCidr).parameters.toEqualTypeOf<[address: IpWords, cidr: Cidr]>();
  expectTypeOf(inCidr).returns.toEqualTypeOf<boolean>();
});

it('IpWords', () => {
  expectTypeOf<IpWords>().toEqualTypeOf<ReadonlyArray<number>>();
});

it('parseCidr', () => {
  expectTypeOf(parseCidr).parameters.toEqualTypeOf<[input: string]>();
  expectTypeOf(parseCidr).returns.toEqualTypeOf<Cidr | null>();
});

it('parseIp', () => {
  expectTypeOf(parseIp).parameters.toEqualTypeOf<[input: string]>();
  expectTypeOf(parseIp).returns.toEqualTypeOf<IpWords | null>();
});

it('readContextField', () => {
  expectTypeOf(readContextField).parameters.toEqualTypeOf<[context: RouteContext, field: string]>();
  expectTypeOf(readContextField).returns.toEqualTypeOf<string>();
});

it('RouteCandidate', () => {
  expectTypeOf<keyof RouteCandidate>().toEqualTypeOf<
    'healthy' | 'name' | 'service_id' | 'status' | 'tags' | 'weight'
  >();
});

it('RouteContext', () => {
  expectTypeOf<KnownKeys<RouteContext>>().toEqualTypeOf<
    'client_ip' | 'client_port' | 'headers' | 'query_params' | 'session_id' | 'user_agent'
  >();
  expectTypeOf<RouteContext[string]>().toEqualTypeOf<unknown>();
});

it('RouteDecision', () => {
  expectTypeOf<keyof RouteDecision>().toEqualTypeOf<'reason' | 'rule' | 'service' | 'strategy'>();
});

it('RouteExplanation', () => {
  expectTypeOf<keyof RouteExplanation>().toEqualTypeOf<
    'affinity' | 'candidates' | 'decision' | 'error' | 'ok' | 'pick' | 'pool' | 'rules'
  >();
});

it('Router', () => {
  expectTypeOf<keyof Router>().toEqualTypeOf<
    | 'addRule'
    | 'affinity'
    | 'connections'
    | 'defaultStrategy'
    | 'explain'
    | 'getRule'
    | 'prepare'
    | 'removeRule'
    | 'route'
    | 'rules'
    | 'setRules'
    | 'updateRule'
  >();
});

it('RouteReason', () => {
  expectTypeOf<RouteReason>().toEqualTypeOf<'default' | 'affinity' | 'rule'>();
});

it('RouterOptions', () => {
  expectTypeOf<keyof RouterOptions>().toEqualTypeOf<
    | 'affinity'
    | 'defaultStrategy'
    | 'hashKey'
    | 'maxFieldLength'
    | 'maxRegexInput'
    | 'now'
    | 'random'
    | 'rules'
  >();
});

it('RuleInput', () => {
  expectTypeOf<keyof RuleInput>().toEqualTypeOf<
    | 'conditions'
    | 'created_at'
    | 'description'
    | 'enabled'
    | 'fallback_strategy'
    | 'name'
    | 'priority'
    | 'rule_id'
    | 'target_services'
    | 'target_strategy'
    | 'target_tags'
    | 'updated_at'
    | 'weight'
  >();
});

it('RuleTrace', () => {
  expectTypeOf<keyof RuleTrace>().toEqualTypeOf<
    'conditions' | 'enabled' | 'name' | 'outcome' | 'priority' | 'rule_id' | 'target_count' | 'targets'
  >();
});

it('unroutableReason', () => {
  expectTypeOf(unroutableReason).parameters.toEqualTypeOf<[candidate: unknown]>();
  expectTypeOf(unroutableReason).returns.toEqualTypeOf<string | null>();
});
