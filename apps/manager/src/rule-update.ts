import { AppError, isoNow, parseOrThrow, type RoutingRule, UpdateRoutingRuleRequest } from '@myagent/models';
import type { Router } from '@myagent/router';
import type { RuleRepository } from '@myagent/storage-kysely';

/**
 * Changes any field of a stored rule: validated, compiled by the router first (a bad regex is refused
 * before anything is written), then stored; the router's copy is put back if storing fails.
 * @throws AppError RULE_NOT_FOUND, INVALID_REQUEST (a bad field, or a name another rule has)
 */
export async function updateRule(
  router: Router,
  rules: RuleRepository,
  ruleId: string,
  patch: unknown,
): Promise<RoutingRule> {
  const body = parseOrThrow(UpdateRoutingRuleRequest, patch, 'routing rule update');
  const current = await rules.get(ruleId);
  if (!current) {
    throw new AppError('RULE_NOT_FOUND', `Routing rule '${ruleId}' not found`, {
      details: { rule_id: ruleId },
    });
  }
  if (body.name !== undefined && body.name !== current.name && (await rules.getByName(body.name))) {
    throw new AppError('INVALID_REQUEST', `A routing rule named '${body.name}' exists`, {
      details: { name: body.name },
    });
  }
  if (!router.getRule(ruleId)) router.addRule(current);
  const compiled = router.updateRule(ruleId, { ...body, updated_at: isoNow() });
  try {
    return await rules.save(compiled);
  } catch (error) {
    router.updateRule(ruleId, current);
    throw error;
  }
}
