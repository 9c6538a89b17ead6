// Routing rules: the RuleRepository contract and its options.
import type { RoutingRule, RoutingRuleInput } from '@myagent/models';

/** Options of {@link RuleRepository.list}. */
export interface ListRulesOptions {
  enabledOnly?: boolean;
}

/** Routing rules (spec C2): names are unique (a duplicate throws INVALID_REQUEST). */
export interface RuleRepository {
  /** Inserts or replaces the rule with this id. */
  save(rule: RoutingRuleInput): Promise<RoutingRule>;
  get(ruleId: string): Promise<RoutingRule | undefined>;
  getByName(name: string): Promise<RoutingRule | undefined>;
  /** Ordered by priority (highest first), then created_at (oldest first). */
  list(options?: ListRulesOptions): Promise<RoutingRule[]>;
  delete(ruleId: string): Promise<boolean>;
}
