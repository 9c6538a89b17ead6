import type { ErrorCode } from '@myagent/models';

/** What an audited call says about itself, for the operation log. */
export interface AuditTarget {
  action: string;
  target_type?: string;
  target_id?: string | null;
  service_id?: string | null;
}

/** The per-request variables of the API's hono app. */
export interface ApiEnv {
  Variables: {
    /** The token's name, or `local` without auth. */
    actor: string;
    audit?: AuditTarget;
    errorCode?: ErrorCode;
  };
}
