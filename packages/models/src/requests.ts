import * as v from 'valibot';
import { boundedText, plainObject, Tags } from './common.js';
import { RoutingCondition, routingRuleEntries } from './routing.js';
import { Host, Port, ServiceConfigPatch, ServiceName } from './service.js';

// Request bodies of the HTTP API (spec F2, F5; seed 003). Unknown fields are refused so a typo never
// passes silently.

/** The fields of a new service besides its agent path and config (a config file's services share them). */
export const newServiceEntries = {
  name: ServiceName,
  description: v.optional(boundedText(1000), ''),
  host: v.optional(Host, '127.0.0.1'),
  /** Absent or null: the manager allocates one. */
  port: v.optional(v.nullable(Port), null),
  tags: v.optional(Tags, []),
  auto_start: v.optional(v.boolean(), false),
};

/** `POST /api/v1/services`. `config.agent_factory_path` defaults to the top-level path. */
export const CreateServiceRequest = plainObject(
  v.strictObject({
    ...newServiceEntries,
    agent_factory_path: boundedText(4096, 1),
    config: v.optional(ServiceConfigPatch, {}),
  }),
  'a service',
);
export type CreateServiceRequest = v.InferOutput<typeof CreateServiceRequest>;
export type CreateServiceRequestInput = v.InferInput<typeof CreateServiceRequest>;

/** `PUT /api/v1/services/{id}`: any of the service's own fields. */
export const UpdateServiceRequest = plainObject(
  v.strictObject({
    name: v.optional(ServiceName),
    description: v.optional(boundedText(1000)),
    host: v.optional(Host),
    port: v.optional(Port),
    tags: v.optional(Tags),
    config: v.optional(ServiceConfigPatch),
  }),
  'a service update',
);
export type UpdateServiceRequest = v.InferOutput<typeof UpdateServiceRequest>;
export type UpdateServiceRequestInput = v.InferInput<typeof UpdateServiceRequest>;

const ruleEntries = routingRuleEntries(
  v.optional(v.pipe(v.array(RoutingCondition), v.maxLength(32, 'at most 32 conditions')), []),
);

/** `POST /api/v1/routing/rules`. */
export const CreateRoutingRuleRequest = plainObject(v.strictObject(ruleEntries), 'a routing rule');
export type CreateRoutingRuleRequest = v.InferOutput<typeof CreateRoutingRuleRequest>;
export type CreateRoutingRuleRequestInput = v.InferInput<typeof CreateRoutingRuleRequest>;

/** `PUT /api/v1/routing/rules/{id}`: any field, none defaulted. */
export const UpdateRoutingRuleRequest = plainObject(
  v.partial(v.strictObject(ruleEntries)),
  'a routing rule update',
);
export type UpdateRoutingRuleRequest = v.InferOutput<typeof UpdateRoutingRuleRequest>;
