import { AppError, type RoutingRule } from '@myagent/models';
import type { Router } from '@myagent/router';

/**
 * Loads the stored rules into the router. A rule it refuses (a regex an older release stored before the
 * ReDoS check) is left out and reported, so that one bad row neither stops the manager from starting nor
 * reaches a route; it stays stored, to be fixed or removed.
 */
export function loadRules(
  router: Router,
  rules: readonly RoutingRule[],
  onRefused: (error: AppError) => void,
): void {
  try {
    router.setRules(rules);
    return;
  } catch {
    // setRules is all or nothing: load them one by one to find the bad ones.
  }
  for (const rule of rules) {
    try {
      router.addRule(rule);
    } catch (error) {
      onRefused(
        new AppError(
          'INVALID_REQUEST',
          `Routing rule '${rule.name}' is not loaded: ${AppError.from(error).message}`,
          {
            details: { rule_id: rule.rule_id, name: rule.name },
          },
        ),
      );
    }
  }
}
