// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/models's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.
import { expectTypeOf, it } from 'vitest';
import {
  type Agent,
  type AgentEvent,
  type AgentEventName,
  type AgentModule,
  type AgentRunContext,
  type AgentServerHealth,
  type AgentSessionState,
  type AlertEventType,
  type AppError,
  type AppErrorOptions,
  type AuditEntry,
  type AuditEntryInput,
  type AuditResult,
  boundedString,
  boundedText,
  type CheckResult,
  type ClientEventName,
  type ClientMessage,
  type ConditionOperator,
  type ConfigService,
  type ConfirmationRequest,
  type ConnectionInfo,
  type ConnectionInfoInput,
  type ConnectionStatus,
  type CreateRoutingRuleRequest,
  type CreateRoutingRuleRequestInput,
  type CreateServiceRequest,
  type CreateServiceRequestInput,
  type CreateWebhookRequest,
  type CreateWebhookRequestInput,
  type DeliveryStatus,
  defineConfig,
  describeIssues,
  type ErrorBody,
  type ErrorCode,
  type HealthCheckResult,
  type HealthCheckResultInput,
  type HealthStatus,
  hexId,
  isErrorCode,
  isoNow,
  isValidRegex,
  type LlmCallInfo,
  type LogLevel,
  type LogLine,
  type MetricName,
  type MetricSample,
  type MyAgentConfig,
  type MyAgentConfigInput,
  type ParseOptions,
  type ParseResult,
  type ProxyMessage,
  parseClientMessage,
  parseServerMessage,
  parseTraceEvent,
  type RouteContextBody,
  type RoutingCondition,
  type RoutingRule,
  type RoutingRuleInput,
  type RoutingStrategy,
  regexHazard,
  regexProblem,
  type ServerEventName,
  type ServerMessage,
  type Service,
  type ServiceConfig,
  type ServiceConfigPatch,
  type ServiceInput,
  type ServiceSettings,
  type ServiceStats,
  type ServiceStatus,
  type SignedState,
  type SpanKind,
  serviceEndpoint,
  type TraceClientMessage,
  type TraceDetailResponse,
  type TraceEvent,
  type TraceEventType,
  type TraceListResponse,
  type TraceSpan,
  type TraceStatus,
  type TraceSummary,
  traceSpans,
  type UpdateRoutingRuleRequest,
  type UpdateServiceRequest,
  type UpdateServiceRequestInput,
  type UpdateWebhookRequest,
  type ValidationIssue,
  type Webhook,
  type WebhookDelivery,
} from './index.js';

/** The named members of a type with an index signature. */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: 0 };

it('Agent', () => {
  expectTypeOf<keyof Agent>().toEqualTypeOf<'description' | 'maxSteps' | 'name' | 'run'>();
});

it('AgentEvent', () => {
  expectTypeOf<keyof AgentEvent>().toEqualTypeOf<'content' | 'event' | 'metadata' | 'step_id'>();
});

it('AgentEventName', () => {
  expectTypeOf<AgentEventName>().toEqualTypeOf<
    | 'agent.thinking'
    | 'agent.tool_call'
    | 'agent.tool_result'
    | 'agent.user_confirm'
    | 'agent.partial_answer'
    | 'agent.final_answer'
    | 'agent.error'
  >();
});

it('AgentModule', () => {
  expectTypeOf<keyof AgentModule>().toEqualTypeOf<'agent' | 'createAgent' | 'default'>();
});

it('AgentRunContext', () => {
  expectTypeOf<keyof AgentRunContext>().toEqualTypeOf<'confirm' | 'sessionId' | 'signal' | 'state'>();
});

it('AgentServerHealth', () => {
  expectTypeOf<keyof AgentServerHealth>().toEqualTypeOf<
    | 'active_connections'
    | 'active_sessions'
    | 'agent'
    | 'avg_response_time_ms'
    | 'avg_session_duration'
    | 'completed_sessions'
    | 'error_count'
    | 'peak_connections'
    | 'pid'
    | 'status'
    | 'total_connections'
    | 'total_sessions'
    | 'uptime_seconds'
  >();
});

it('AgentSessionState', () => {
  expectTypeOf<keyof AgentSessionState>().toEqualTypeOf<'current_step' | 'data' | 'messages'>();
});

it('AlertEventType', () => {
  expectTypeOf<AlertEventType>().toEqualTypeOf<
    'health_transition' | 'service_restart' | 'restart_limit_reached' | 'routing_failed' | 'test'
  >();
});

it('AppError', () => {
  expectTypeOf<keyof AppError>().toEqualTypeOf<
    | 'cause'
    | 'code'
    | 'details'
    | 'expose'
    | 'message'
    | 'name'
    | 'stack'
    | 'status'
    | 'toJSON'
    | 'toPublicJSON'
  >();
});

it('AppErrorOptions', () => {
  expectTypeOf<keyof AppErrorOptions>().toEqualTypeOf<'cause' | 'details' | 'expose'>();
});

it('AuditEntry', () => {
  expectTypeOf<keyof AuditEntry>().toEqualTypeOf<
    | 'action'
    | 'actor'
    | 'audit_id'
    | 'client_ip'
    | 'error_code'
    | 'method'
    | 'path'
    | 'result'
    | 'service_id'
    | 'status_code'
    | 'target_id'
    | 'target_type'
    | 'timestamp'
  >();
});

it('AuditEntryInput', () => {
  expectTypeOf<keyof AuditEntryInput>().toEqualTypeOf<
    | 'action'
    | 'actor'
    | 'client_ip'
    | 'error_code'
    | 'method'
    | 'path'
    | 'result'
    | 'service_id'
    | 'status_code'
    | 'target_id'
    | 'target_type'
    | 'timestamp'
  >();
});

it('AuditResult', () => {
  expectTypeOf<AuditResult>().toEqualTypeOf<'success' | 'failure'>();
});

it('boundedString', () => {
  expectTypeOf(boundedString).parameters.toEqualTypeOf<[max: number, min?: number]>();
});

it('boundedText', () => {
  expectTypeOf(boundedText).parameters.toEqualTypeOf<[max: number, min?: number]>();
});

it('CheckResult', () => {
  expectTypeOf<keyof CheckResult>().toEqualTypeOf<'details' | 'message' | 'status'>();
});

it('ClientEventName', () => {
  expectTypeOf<ClientEventName>().toEqualTypeOf<
    | 'user.create_session'
    | 'user.message'
    | 'user.response'
    | 'user.cancel'
    | 'user.close_session'
    | 'user.request_state'
    | 'user.reconnect_with_state'
    | 'user.ack'
    | 'ping'
  >();
});

it('ClientMessage', () => {
  expectTypeOf<ClientMessage['event']>().toEqualTypeOf<
    | 'user.create_session'
    | 'user.message'
    | 'user.response'
    | 'user.cancel'
    | 'user.close_session'
    | 'user.request_state'
    | 'user.reconnect_with_state'
    | 'user.ack'
    | 'ping'
  >();
});

it('ConditionOperator', () => {
  expectTypeOf<ConditionOperator>().toEqualTypeOf<
    | 'equals'
    | 'not_equals'
    | 'contains'
    | 'not_contains'
    | 'starts_with'
    | 'ends_with'
    | 'regex_match'
    | 'in_list'
    | 'not_in_list'
    | 'ip_in_range'
  >();
});

it('ConfigService', () => {
  expectTypeOf<keyof ConfigService>().toEqualTypeOf<
    'auto_start' | 'config' | 'description' | 'host' | 'name' | 'path' | 'port' | 'tags'
  >();
});

it('ConfirmationRequest', () => {
  expectTypeOf<keyof ConfirmationRequest>().toEqualTypeOf<'tool_args' | 'tool_description' | 'tool_name'>();
});

it('ConnectionInfo', () => {
  expectTypeOf<keyof ConnectionInfo>().toEqualTypeOf<
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

it('ConnectionInfoInput', () => {
  expectTypeOf<keyof ConnectionInfoInput>().toEqualTypeOf<
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

it('ConnectionStatus', () => {
  expectTypeOf<ConnectionStatus>().toEqualTypeOf<
    'connecting' | 'connected' | 'active' | 'idle' | 'disconnected' | 'error'
  >();
});

it('CreateRoutingRuleRequest', () => {
  expectTypeOf<keyof CreateRoutingRuleRequest>().toEqualTypeOf<
    | 'conditions'
    | 'description'
    | 'enabled'
    | 'fallback_strategy'
    | 'name'
    | 'priority'
    | 'target_services'
    | 'target_strategy'
    | 'target_tags'
    | 'weight'
  >();
});

it('CreateRoutingRuleRequestInput', () => {
  expectTypeOf<keyof CreateRoutingRuleRequestInput>().toEqualTypeOf<
    | 'conditions'
    | 'description'
    | 'enabled'
    | 'fallback_strategy'
    | 'name'
    | 'priority'
    | 'target_services'
    | 'target_strategy'
    | 'target_tags'
    | 'weight'
  >();
});

it('CreateServiceRequest', () => {
  expectTypeOf<keyof CreateServiceRequest>().toEqualTypeOf<
    'agent_factory_path' | 'auto_start' | 'config' | 'description' | 'host' | 'name' | 'port' | 'tags'
  >();
});

it('CreateServiceRequestInput', () => {
  expectTypeOf<keyof CreateServiceRequestInput>().toEqualTypeOf<
    'agent_factory_path' | 'auto_start' | 'config' | 'description' | 'host' | 'name' | 'port' | 'tags'
  >();
});

it('CreateWebhookRequest', () => {
  expectTypeOf<keyof CreateWebhookRequest>().toEqualTypeOf<
    'description' | 'enabled' | 'events' | 'secret' | 'url'
  >();
});

it('CreateWebhookRequestInput', () => {
  expectTypeOf<keyof CreateWebhookRequestInput>().toEqualTypeOf<
    'description' | 'enabled' | 'events' | 'secret' | 'url'
  >();
});

it('defineConfig', () => {
  expectTypeOf(defineConfig).parameters.toEqualTypeOf<
    [
      config: {
        $schema?: string | undefined;
        services?:
          | Array<{
              path: string;
              config?:
                | {
                    max_sessions?: number | undefined;
                    session_timeout?: number | undefined;
                    heartbeat_interval?: number | undefined;
                    run_timeout?: number | undefined;
                    memory_limit_mb?: number | null | undefined;
                    cpu_limit_percent?: number | null | undefined;
                    auto_restart?: boolean | undefined;
                    max_restart_count?: number | undefined;
                    restart_delay?: number | undefined;
                    health_check_enabled?: boolean | undefined;
                    health_check_interval?: number | undefined;
                    health_check_timeout?: number | undefined;
                    environment?: { [x: string]: string } | undefined;
                  }
                | undefined;
              name: string;
              description?: string | undefined;
              host?: string | undefined;
              port?: number | null | undefined;
              tags?: Array<string> | undefined;
              auto_start?: boolean | undefined;
            }>
          | undefined;
        rules?:
          | Array<{
              name: string;
              priority?: number | undefined;
              enabled?: boolean | undefined;
              conditions?:
                | Array<{
                    field: string;
                    operator:
                      | 'equals'
                      | 'not_equals'
                      | 'contains'
                      | 'not_contains'
                      | 'starts_with'
                      | 'ends_with'
                      | 'regex_match'
                      | 'in_list'
                      | 'not_in_list'
                      | 'ip_in_range';
                    value: string | Array<string>;
                    case_sensitive?: boolean | undefined;
                  }>
                | undefined;
              target_strategy?:
                | 'round_robin'
                | 'least_connections'
                | 'weighted_random'
                | 'hash_based'
                | 'tag_based'
                | undefined;
              target_services?: Array<string> | undefined;
              target_tags?: Array<string> | undefined;
              weight?: number | undefined;
              fallback_strategy?:
                | 'round_robin'
                | 'least_connections'
                | 'weighted_random'
                | 'hash_based'
                | 'tag_based'
                | null
                | undefined;
              description?: string | undefined;
            }>
          | undefined;
      },
    ]
  >();
  expectTypeOf<keyof ReturnType<typeof defineConfig>>().toEqualTypeOf<'$schema' | 'rules' | 'services'>();
});

it('DeliveryStatus', () => {
  expectTypeOf<DeliveryStatus>().toEqualTypeOf<'pending' | 'delivered' | 'failed'>();
});

it('describeIssues', () => {
  expectTypeOf(describeIssues).returns.toEqualTypeOf<Array<ValidationIssue>>();
});

it('ErrorBody', () => {
  expectTypeOf<keyof ErrorBody>().toEqualTypeOf<'error' | 'success'>();
});

it('ErrorCode', () => {
  expectTypeOf<ErrorCode>().toEqualTypeOf<
    | 'INVALID_REQUEST'
    | 'UNAUTHORIZED'
    | 'SERVICE_NOT_FOUND'
    | 'FORBIDDEN'
    | 'RULE_NOT_FOUND'
    | 'CONNECTION_NOT_FOUND'
    | 'WEBHOOK_NOT_FOUND'
    | 'SESSION_NOT_FOUND'
    | 'NOT_FOUND'
    | 'METHOD_NOT_ALLOWED'
    | 'SERVICE_ALREADY_EXISTS'
    | 'PORT_IN_USE'
    | 'SERVICE_RUNNING'
    | 'SESSION_BUSY'
    | 'PAYLOAD_TOO_LARGE'
    | 'UNSUPPORTED_MEDIA_TYPE'
    | 'RATE_LIMITED'
    | 'SERVICE_START_FAILED'
    | 'HEALTH_CHECK_FAILED'
    | 'ROUTING_FAILED'
    | 'INSUFFICIENT_RESOURCES'
    | 'MAX_SESSIONS'
    | 'MANAGER_NOT_RUNNING'
    | 'REGISTRY_CLOSED'
    | 'MANAGER_LOCKED'
    | 'UPSTREAM_LOST'
    | 'UPSTREAM_TIMEOUT'
    | 'INVALID_JSON'
    | 'INVALID_MESSAGE'
    | 'UNKNOWN_EVENT'
    | 'UNSUPPORTED_FRAME'
    | 'INVALID_STATE'
    | 'RUN_TIMEOUT'
    | 'AGENT_ERROR'
    | 'STORAGE_ERROR'
    | 'INTERNAL_ERROR'
  >();
});

it('HealthCheckResult', () => {
  expectTypeOf<keyof HealthCheckResult>().toEqualTypeOf<
    'checks' | 'error' | 'response_time_ms' | 'service_id' | 'status' | 'timestamp'
  >();
});

it('HealthCheckResultInput', () => {
  expectTypeOf<keyof HealthCheckResultInput>().toEqualTypeOf<
    'checks' | 'error' | 'response_time_ms' | 'service_id' | 'status' | 'timestamp'
  >();
});

it('HealthStatus', () => {
  expectTypeOf<HealthStatus>().toEqualTypeOf<'healthy' | 'unhealthy' | 'degraded' | 'unknown'>();
});

it('hexId', () => {
  expectTypeOf(hexId).parameters.toEqualTypeOf<[text: string]>();
  expectTypeOf(hexId).returns.toEqualTypeOf<string>();
});

it('isErrorCode', () => {
  expectTypeOf(isErrorCode).parameters.toEqualTypeOf<[value: unknown]>();
  expectTypeOf(isErrorCode).returns.toEqualTypeOf<boolean>();
});

it('isoNow', () => {
  expectTypeOf(isoNow).parameters.toEqualTypeOf<[]>();
  expectTypeOf(isoNow).returns.toEqualTypeOf<string>();
});

it('isValidRegex', () => {
  expectTypeOf(isValidRegex).parameters.toEqualTypeOf<[source: string, caseSensitive?: boolean]>();
  expectTypeOf(isValidRegex).returns.toEqualTypeOf<boolean>();
});

it('LlmCallInfo', () => {
  expectTypeOf<keyof LlmCallInfo>().toEqualTypeOf<
    'duration_ms' | 'input_tokens' | 'model' | 'output_tokens' | 'total_tokens' | 'ttft_ms'
  >();
});

it('LogLevel', () => {
  expectTypeOf<LogLevel>().toEqualTypeOf<'error' | 'debug' | 'info' | 'warn'>();
});

it('LogLine', () => {
  expectTypeOf<keyof LogLine>().toEqualTypeOf<
    'fields' | 'level' | 'message' | 'service_id' | 'stream' | 'timestamp'
  >();
});

it('MetricName', () => {
  expectTypeOf<MetricName>().toEqualTypeOf<
    | 'connections'
    | 'sessions'
    | 'messages'
    | 'response_time'
    | 'errors'
    | 'cpu'
    | 'memory'
    | 'services_running'
  >();
});

it('MetricSample', () => {
  expectTypeOf<keyof MetricSample>().toEqualTypeOf<'metric' | 'service_id' | 'timestamp' | 'value'>();
});

it('MyAgentConfig', () => {
  expectTypeOf<keyof MyAgentConfig>().toEqualTypeOf<'$schema' | 'rules' | 'services'>();
});

it('MyAgentConfigInput', () => {
  expectTypeOf<keyof MyAgentConfigInput>().toEqualTypeOf<'$schema' | 'rules' | 'services'>();
});

it('parseClientMessage', () => {
  expectTypeOf(parseClientMessage).parameters.toEqualTypeOf<[text: string, options?: ParseOptions]>();
  expectTypeOf<keyof ReturnType<typeof parseClientMessage>>().toEqualTypeOf<'ok'>();
});

it('ParseOptions', () => {
  expectTypeOf<keyof ParseOptions>().toEqualTypeOf<'maxBytes'>();
});

it('ParseResult', () => {
  expectTypeOf<ParseResult<unknown>>().toEqualTypeOf<
    { ok: true; message: unknown } | { ok: false; error: AppError }
  >();
});

it('parseServerMessage', () => {
  expectTypeOf(parseServerMessage).parameters.toEqualTypeOf<[text: string]>();
  expectTypeOf<keyof ReturnType<typeof parseServerMessage>>().toEqualTypeOf<'ok'>();
});

it('parseTraceEvent', () => {
  expectTypeOf(parseTraceEvent).parameters.toEqualTypeOf<[input: unknown]>();
});

it('ProxyMessage', () => {
  expectTypeOf<ProxyMessage['event']>().toEqualTypeOf<
    'connection_routed' | 'service_switched' | 'management_notification' | 'error'
  >();
});

it('regexHazard', () => {
  expectTypeOf(regexHazard).parameters.toEqualTypeOf<[source: string, caseSensitive?: boolean]>();
  expectTypeOf(regexHazard).returns.toEqualTypeOf<string | undefined>();
});

it('regexProblem', () => {
  expectTypeOf(regexProblem).parameters.toEqualTypeOf<[source: string, caseSensitive?: boolean]>();
  expectTypeOf(regexProblem).returns.toEqualTypeOf<string | undefined>();
});

it('RouteContextBody', () => {
  expectTypeOf<keyof RouteContextBody>().toEqualTypeOf<
    'client_ip' | 'headers' | 'query_params' | 'session_id' | 'tags' | 'user_agent'
  >();
});

it('RoutingCondition', () => {
  expectTypeOf<keyof RoutingCondition>().toEqualTypeOf<'case_sensitive' | 'field' | 'operator' | 'value'>();
});

it('RoutingRule', () => {
  expectTypeOf<keyof RoutingRule>().toEqualTypeOf<
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

it('RoutingRuleInput', () => {
  expectTypeOf<keyof RoutingRuleInput>().toEqualTypeOf<
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

it('RoutingStrategy', () => {
  expectTypeOf<RoutingStrategy>().toEqualTypeOf<
    'round_robin' | 'least_connections' | 'weighted_random' | 'hash_based' | 'tag_based'
  >();
});

it('ServerEventName', () => {
  expectTypeOf<ServerEventName>().toEqualTypeOf<
    | 'agent.thinking'
    | 'agent.tool_call'
    | 'agent.tool_result'
    | 'agent.user_confirm'
    | 'agent.partial_answer'
    | 'agent.final_answer'
    | 'agent.error'
    | 'agent.session_created'
    | 'agent.interrupted'
    | 'agent.timeout'
    | 'agent.session_end'
    | 'agent.state_exported'
    | 'agent.state_restored'
    | 'system.connected'
    | 'system.heartbeat'
    | 'system.notice'
    | 'system.error'
    | 'pong'
  >();
});

it('ServerMessage', () => {
  expectTypeOf<KnownKeys<ServerMessage>>().toEqualTypeOf<
    | 'connection_id'
    | 'content'
    | 'event'
    | 'event_id'
    | 'metadata'
    | 'seq'
    | 'session_id'
    | 'step_id'
    | 'timestamp'
  >();
  expectTypeOf<ServerMessage[string]>().toEqualTypeOf<unknown>();
});

it('Service', () => {
  expectTypeOf<keyof Service>().toEqualTypeOf<
    | 'agent_type'
    | 'config'
    | 'created_at'
    | 'description'
    | 'endpoint'
    | 'error_message'
    | 'host'
    | 'last_health_check'
    | 'name'
    | 'port'
    | 'restart_count'
    | 'restart_due_at'
    | 'service_id'
    | 'started_at'
    | 'stats'
    | 'status'
    | 'tags'
    | 'version'
  >();
});

it('ServiceConfig', () => {
  expectTypeOf<keyof ServiceConfig>().toEqualTypeOf<
    | 'agent_factory_path'
    | 'auto_restart'
    | 'cpu_limit_percent'
    | 'environment'
    | 'health_check_enabled'
    | 'health_check_interval'
    | 'health_check_timeout'
    | 'heartbeat_interval'
    | 'max_restart_count'
    | 'max_sessions'
    | 'memory_limit_mb'
    | 'restart_delay'
    | 'run_timeout'
    | 'session_timeout'
  >();
});

it('ServiceConfigPatch', () => {
  expectTypeOf<keyof ServiceConfigPatch>().toEqualTypeOf<
    | 'agent_factory_path'
    | 'auto_restart'
    | 'cpu_limit_percent'
    | 'environment'
    | 'health_check_enabled'
    | 'health_check_interval'
    | 'health_check_timeout'
    | 'heartbeat_interval'
    | 'max_restart_count'
    | 'max_sessions'
    | 'memory_limit_mb'
    | 'restart_delay'
    | 'run_timeout'
    | 'session_timeout'
  >();
});

it('serviceEndpoint', () => {
  expectTypeOf(serviceEndpoint).parameters.toEqualTypeOf<[host: string, port: number]>();
  expectTypeOf(serviceEndpoint).returns.toEqualTypeOf<string>();
});

it('ServiceInput', () => {
  expectTypeOf<keyof ServiceInput>().toEqualTypeOf<
    | 'agent_type'
    | 'config'
    | 'created_at'
    | 'description'
    | 'endpoint'
    | 'error_message'
    | 'host'
    | 'last_health_check'
    | 'name'
    | 'port'
    | 'restart_count'
    | 'restart_due_at'
    | 'service_id'
    | 'started_at'
    | 'stats'
    | 'status'
    | 'tags'
    | 'version'
  >();
});

it('ServiceSettings', () => {
  expectTypeOf<keyof ServiceSettings>().toEqualTypeOf<
    | 'auto_restart'
    | 'cpu_limit_percent'
    | 'environment'
    | 'health_check_enabled'
    | 'health_check_interval'
    | 'health_check_timeout'
    | 'heartbeat_interval'
    | 'max_restart_count'
    | 'max_sessions'
    | 'memory_limit_mb'
    | 'restart_delay'
    | 'run_timeout'
    | 'session_timeout'
  >();
});

it('ServiceStats', () => {
  expectTypeOf<keyof ServiceStats>().toEqualTypeOf<
    | 'active_connections'
    | 'active_sessions'
    | 'avg_response_time'
    | 'avg_session_duration'
    | 'completed_sessions'
    | 'cpu_usage_percent'
    | 'error_count'
    | 'error_rate'
    | 'last_updated'
    | 'memory_usage_mb'
    | 'peak_connections'
    | 'total_connections'
    | 'total_sessions'
    | 'uptime_seconds'
  >();
});

it('ServiceStatus', () => {
  expectTypeOf<ServiceStatus>().toEqualTypeOf<
    'unhealthy' | 'error' | 'stopped' | 'starting' | 'running' | 'stopping'
  >();
});

it('SignedState', () => {
  expectTypeOf<KnownKeys<SignedState>>().toEqualTypeOf<
    'checksum' | 'signature' | 'state' | 'timestamp' | 'version'
  >();
  expectTypeOf<SignedState[string]>().toEqualTypeOf<unknown>();
});

it('SpanKind', () => {
  expectTypeOf<SpanKind>().toEqualTypeOf<'llm' | 'trace' | 'think' | 'tool'>();
});

it('TraceClientMessage', () => {
  expectTypeOf<TraceClientMessage['action']>().toEqualTypeOf<'start_agent' | 'ping'>();
});

it('TraceDetailResponse', () => {
  expectTypeOf<keyof TraceDetailResponse>().toEqualTypeOf<'events' | 'spans' | 'trace'>();
});

it('TraceEvent', () => {
  expectTypeOf<TraceEvent['event_type']>().toEqualTypeOf<
    | 'connection_established'
    | 'trace_started'
    | 'think_completed'
    | 'tool_completed'
    | 'trace_completed'
    | 'run_error'
    | 'status_update'
  >();
});

it('TraceEventType', () => {
  expectTypeOf<TraceEventType>().toEqualTypeOf<
    | 'connection_established'
    | 'trace_started'
    | 'think_completed'
    | 'tool_completed'
    | 'trace_completed'
    | 'run_error'
    | 'status_update'
  >();
});

it('TraceListResponse', () => {
  expectTypeOf<keyof TraceListResponse>().toEqualTypeOf<'total' | 'traces'>();
});

it('TraceSpan', () => {
  expectTypeOf<keyof TraceSpan>().toEqualTypeOf<
    | 'attributes'
    | 'duration_ms'
    | 'end_time'
    | 'kind'
    | 'name'
    | 'parent_span_id'
    | 'span_id'
    | 'start_time'
    | 'status'
  >();
});

it('traceSpans', () => {
  expectTypeOf(traceSpans).parameters.toEqualTypeOf<
    [
      trace: {
        trace_id: string;
        service_id: string;
        session_id: string;
        trace_name: string;
        agent_name: string;
        request: string;
        status: 'failed' | 'running' | 'completed' | 'cancelled' | 'timeout';
        started_at: string;
        ended_at: string | null;
        duration_ms: number | null;
        steps: number;
        tool_calls: number;
        llm_calls: number;
        input_tokens: number;
        output_tokens: number;
        final_answer_chars: number;
        error_code: string | null;
        error_message: string | null;
      },
      events: ReadonlyArray<
        | {
            data: { session_id?: string | undefined; filters?: { [x: string]: string } | undefined };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'connection_established';
          }
        | {
            data: {
              trace_name: string;
              request: string;
              agent_name: string;
              max_steps: number | null;
              trace_id: string;
            };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'trace_started';
          }
        | {
            data: {
              step: number;
              duration_ms: number;
              llm?:
                | {
                    model: string;
                    duration_ms: number;
                    ttft_ms?: number | null | undefined;
                    input_tokens?: number | null | undefined;
                    output_tokens?: number | null | undefined;
                    total_tokens?: number | null | undefined;
                  }
                | undefined;
              trace_id: string;
            };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'think_completed';
          }
        | {
            data: {
              step_id?: string | undefined;
              name: string;
              args: { [x: string]: unknown };
              duration_ms: number;
              status: string;
              output_chars: number;
              error?: string | undefined;
              trace_id: string;
            };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'tool_completed';
          }
        | {
            data: {
              status: 'failed' | 'running' | 'completed' | 'cancelled' | 'timeout';
              duration_ms: number;
              steps: number;
              tool_calls: number;
              final_answer_chars: number;
              trace_id: string;
            };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'trace_completed';
          }
        | {
            data: { code: string; message: string; trace_id: string };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'run_error';
          }
        | {
            data: { trace_id?: string | undefined; status: string; message: string };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'status_update';
          }
      >,
    ]
  >();
  expectTypeOf(traceSpans).returns.toEqualTypeOf<
    Array<{
      span_id: string;
      parent_span_id: string | null;
      kind: 'llm' | 'trace' | 'think' | 'tool';
      name: string;
      start_time: string;
      end_time: string | null;
      duration_ms: number | null;
      status: 'ok' | 'error' | 'unset';
      attributes: { [x: string]: string | number | boolean };
    }>
  >();
});

it('TraceStatus', () => {
  expectTypeOf<TraceStatus>().toEqualTypeOf<'failed' | 'running' | 'completed' | 'cancelled' | 'timeout'>();
});

it('TraceSummary', () => {
  expectTypeOf<keyof TraceSummary>().toEqualTypeOf<
    | 'agent_name'
    | 'duration_ms'
    | 'ended_at'
    | 'error_code'
    | 'error_message'
    | 'final_answer_chars'
    | 'input_tokens'
    | 'llm_calls'
    | 'output_tokens'
    | 'request'
    | 'service_id'
    | 'session_id'
    | 'started_at'
    | 'status'
    | 'steps'
    | 'tool_calls'
    | 'trace_id'
    | 'trace_name'
  >();
});

it('UpdateRoutingRuleRequest', () => {
  expectTypeOf<keyof UpdateRoutingRuleRequest>().toEqualTypeOf<
    | 'conditions'
    | 'description'
    | 'enabled'
    | 'fallback_strategy'
    | 'name'
    | 'priority'
    | 'target_services'
    | 'target_strategy'
    | 'target_tags'
    | 'weight'
  >();
});

it('UpdateServiceRequest', () => {
  expectTypeOf<keyof UpdateServiceRequest>().toEqualTypeOf<
    'config' | 'description' | 'host' | 'name' | 'port' | 'tags'
  >();
});

it('UpdateServiceRequestInput', () => {
  expectTypeOf<keyof UpdateServiceRequestInput>().toEqualTypeOf<
    'config' | 'description' | 'host' | 'name' | 'port' | 'tags'
  >();
});

it('UpdateWebhookRequest', () => {
  expectTypeOf<keyof UpdateWebhookRequest>().toEqualTypeOf<
    'description' | 'enabled' | 'events' | 'secret' | 'url'
  >();
});

it('ValidationIssue', () => {
  expectTypeOf<keyof ValidationIssue>().toEqualTypeOf<'message' | 'path'>();
});

it('Webhook', () => {
  expectTypeOf<keyof Webhook>().toEqualTypeOf<
    'created_at' | 'description' | 'enabled' | 'events' | 'has_secret' | 'updated_at' | 'url' | 'webhook_id'
  >();
});

it('WebhookDelivery', () => {
  expectTypeOf<keyof WebhookDelivery>().toEqualTypeOf<
    | 'attempts'
    | 'created_at'
    | 'delivery_id'
    | 'error'
    | 'event'
    | 'payload'
    | 'response_status'
    | 'status'
    | 'updated_at'
    | 'webhook_id'
  >();
});
