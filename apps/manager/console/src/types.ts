import type * as M from '@myagent/models';
import type { InferOutput } from 'valibot';

// The wire shapes, as the models package defines them. Type-only: none of the schemas ship to the browser
// (they would triple the bundle), so the console trusts the manager's answers as typed and shows them
// through Vue's text interpolation, which escapes whatever a field holds.

export type Service = M.Service;
export type ServiceStatus = M.ServiceStatus;
export type MetricName = M.MetricName;
export type RouteContextBody = M.RouteContextBody;
export type ServiceList = InferOutput<typeof M.ServiceListResponse>;
export type ServiceDetails = InferOutput<typeof M.ServiceDetailsResponse>;
export type ServiceUpdate = InferOutput<typeof M.ServiceUpdateResponse>;
export type Overview = InferOutput<typeof M.StatsOverviewResponse>;
export type Timeseries = InferOutput<typeof M.TimeseriesResponse>;
export type HealthHistory = InferOutput<typeof M.HealthHistoryResponse>;
export type ConnectionList = InferOutput<typeof M.ConnectionListResponse>;
export type Connection = InferOutput<typeof M.ConnectionInfo>;
export type RuleList = InferOutput<typeof M.RoutingRuleListResponse>;
export type Rule = InferOutput<typeof M.RoutingRule>;
export type Explain = InferOutput<typeof M.RouteExplainResponse>;
export type LogList = InferOutput<typeof M.LogListResponse>;
export type LogLine = InferOutput<typeof M.StoredLogLine>;
export type AuditList = InferOutput<typeof M.AuditListResponse>;
export type Info = InferOutput<typeof M.ManagerInfoResponse>;
export type TraceList = InferOutput<typeof M.TraceListResponse>;
export type TraceDetail = InferOutput<typeof M.TraceDetailResponse>;
