// Errors
export { AppError, ERROR_CODES, INTERNAL_ERROR_MESSAGE, isErrorCode } from './errors.js';
export type { AppErrorOptions, ErrorBody, ErrorCode } from './errors.js';

// Validation helpers
export {
  boundedString,
  boundedText,
  describeIssues,
  isoNow,
  objectWithMethods,
  parseOrThrow,
  plainObject,
  Tag,
  Tags,
  Timestamp,
} from './common.js';
export type { ValidationIssue } from './common.js';

// Services
export {
  Environment,
  Host,
  Port,
  Service,
  ServiceConfig,
  ServiceConfigPatch,
  ServiceName,
  ServiceSettings,
  ServiceStats,
  ServiceStatus,
  serviceEndpoint,
} from './service.js';
export type { ServiceInput } from './service.js';

// Declarative config files (`myagent-manager apply`)
export { ConfigService, defineConfig, MyAgentConfig } from './config-file.js';
export type { MyAgentConfigInput } from './config-file.js';

// Routing
export {
  ConditionOperator,
  isValidRegex,
  RoutingCondition,
  RoutingRule,
  RoutingStrategy,
  regexProblem,
} from './routing.js';
export { REGEX_INPUT_LIMIT, REGEX_WORK_LIMIT, regexHazard } from './regex-safety.js';
export type { RoutingRuleInput } from './routing.js';

// Connections
export { ConnectionInfo, ConnectionStatus } from './connection.js';
export type { ConnectionInfoInput } from './connection.js';

// Health
export { AgentServerHealth, CheckResult, HealthCheckResult, HealthStatus } from './health.js';
export type { HealthCheckResultInput } from './health.js';

// Logs and metrics
export { LogLevel, LogLine, MetricSample } from './observability.js';

// HTTP API request bodies
export {
  CreateRoutingRuleRequest,
  CreateServiceRequest,
  UpdateRoutingRuleRequest,
  UpdateServiceRequest,
} from './requests.js';
export type {
  CreateRoutingRuleRequestInput,
  CreateServiceRequestInput,
  UpdateServiceRequestInput,
} from './requests.js';

// Operation log and alert webhooks
export {
  ALERT_EVENT_TYPES,
  AlertEventType,
  AuditEntry,
  AuditResult,
  CreateWebhookRequest,
  DeliveryStatus,
  UpdateWebhookRequest,
  Webhook,
  WebhookDelivery,
  WebhookUrl,
} from './operations.js';
export type { AuditEntryInput, CreateWebhookRequestInput } from './operations.js';

// HTTP API response bodies
export {
  AuditListResponse,
  ConnectionListResponse,
  ConnectionStatsResponse,
  DeliveryListResponse,
  DisconnectResponse,
  ErrorResponse,
  HealthHistoryResponse,
  HealthOverviewResponse,
  LogListResponse,
  ManagerHealthResponse,
  ManagerInfoResponse,
  MetricName,
  PageInfo,
  RegisterServiceResponse,
  RouteContextBody,
  RouteExplainResponse,
  RoutingRuleListResponse,
  RoutingRuleResponse,
  ServiceActionResponse,
  ServiceDetailsResponse,
  ServiceHealthBrief,
  ServiceHealthResponse,
  ServiceListResponse,
  ServiceUpdateResponse,
  StatsOverviewResponse,
  StoredLogLine,
  SystemStatsResponse,
  TimeseriesResponse,
  WebhookListResponse,
  WebhookResponse,
} from './api.js';

// The agent contract
export { AGENT_EVENT_NAMES } from './agent.js';
export type {
  Agent,
  AgentEvent,
  AgentEventName,
  AgentModule,
  AgentRunContext,
  AgentSessionState,
  ConfirmationRequest,
} from './agent.js';

// WebSocket event protocol
export {
  CLIENT_EVENTS,
  ClientMessage,
  DEFAULT_MAX_MESSAGE_BYTES,
  PROBE_HEADER,
  ProxyMessage,
  parseClientMessage,
  parseServerMessage,
  SERVER_EVENTS,
  ServerMessage,
  SignedState,
} from './protocol.js';
export type { ClientEventName, ParseOptions, ParseResult, ServerEventName } from './protocol.js';

// Traces of agent runs (seed 004)
export {
  LlmCallInfo,
  MAX_TRACE_ARGS_CHARS,
  MAX_TRACE_LINE_CHARS,
  MAX_TRACE_REQUEST_CHARS,
  SpanKind,
  TRACE_EVENT_TYPES,
  TRACE_LOG_MESSAGE,
  TraceClientMessage,
  TraceDetailResponse,
  TraceEvent,
  TraceEventData,
  TraceListResponse,
  TraceSpan,
  TraceStatus,
  TraceSummary,
  parseTraceEvent,
} from './traces.js';
export type { TraceEventType } from './traces.js';
export { hexId, traceSpans } from './trace-spans.js';
