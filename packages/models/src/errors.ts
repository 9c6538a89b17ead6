/**
 * The error catalogue (spec F7, plus the codes of the WebSocket protocol) and the one error class that
 * carries a code across every boundary: HTTP, WebSocket, CLI.
 */

/** Every error code with the HTTP status a boundary answers it with. */
export const ERROR_CODES = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  SERVICE_NOT_FOUND: 404,
  FORBIDDEN: 403,
  RULE_NOT_FOUND: 404,
  CONNECTION_NOT_FOUND: 404,
  WEBHOOK_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  SERVICE_ALREADY_EXISTS: 409,
  PORT_IN_USE: 409,
  /** A change that needs the service stopped first (its host or port while it runs). */
  SERVICE_RUNNING: 409,
  SESSION_BUSY: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SERVICE_START_FAILED: 500,
  HEALTH_CHECK_FAILED: 500,
  ROUTING_FAILED: 503,
  INSUFFICIENT_RESOURCES: 503,
  MAX_SESSIONS: 503,
  /** A call on a manager before `start()` or after `stop()`. */
  MANAGER_NOT_RUNNING: 503,
  /** A call on a registry after `close()`. */
  REGISTRY_CLOSED: 503,
  /** Another manager holds the database (spec I1 is not built: one manager per database). */
  MANAGER_LOCKED: 409,
  /** The proxy lost the agent server a turn was running on (spec E6). */
  UPSTREAM_LOST: 502,
  /** The proxy could not reach any agent server in time. */
  UPSTREAM_TIMEOUT: 504,
  // WebSocket protocol (protocol.md): answered in `system.error` / `agent.error`, never as HTTP.
  INVALID_JSON: 400,
  INVALID_MESSAGE: 400,
  UNKNOWN_EVENT: 400,
  UNSUPPORTED_FRAME: 400,
  INVALID_STATE: 400,
  RUN_TIMEOUT: 504,
  AGENT_ERROR: 500,
  STORAGE_ERROR: 500,
  INTERNAL_ERROR: 500,
} as const;

/** A code of the catalogue. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The wire shape of an error on every boundary. */
export interface ErrorBody {
  success: false;
  error: { code: ErrorCode; message: string; details: Record<string, unknown> };
}

/** Options of {@link AppError}. */
export interface AppErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  /**
   * Whether the message may reach a client. True for errors we word ourselves; false for an unknown throw
   * wrapped by {@link AppError.from}, whose message may carry internals (paths, SQL, stack details).
   * @default true
   */
  expose?: boolean;
}

/** What a boundary answers for an error whose message must not leave the process. */
export const INTERNAL_ERROR_MESSAGE = 'Internal error';

/**
 * An error with a code from the catalogue. Boundaries turn it into `{success: false, error: {...}}`.
 * @example throw new AppError('SERVICE_NOT_FOUND', `Service '${id}' not found`, { details: { service_id: id } });
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  /** False when the message must not reach a client (see {@link AppErrorOptions.expose}). */
  readonly expose: boolean;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.expose = options.expose ?? true;
  }

  /**
   * True for an AppError, recognised by its name and code rather than `instanceof`, so that two copies of
   * models in one dependency tree still agree (tRPC's and h3's habit).
   */
  static is(value: unknown): value is AppError {
    if (value instanceof AppError) return true;
    const candidate = value as { name?: unknown; code?: unknown; message?: unknown } | null;
    return (
      value instanceof Error &&
      candidate?.name === 'AppError' &&
      isErrorCode(candidate.code) &&
      typeof candidate.message === 'string'
    );
  }

  /** The HTTP status that goes with the code. */
  get status(): number {
    return ERROR_CODES[this.code];
  }

  /** The full wire shape, message included: for logs and in-process callers. */
  toJSON(): ErrorBody {
    return { success: false, error: { code: this.code, message: this.message, details: this.details } };
  }

  /**
   * The wire shape a client may see: as {@link AppError.toJSON} when the error is exposable, otherwise
   * INTERNAL_ERROR with a plain message and no details (the boundary logs the cause instead).
   */
  toPublicJSON(): ErrorBody {
    if (this.expose) return this.toJSON();
    return {
      success: false,
      error: { code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_MESSAGE, details: {} },
    };
  }

  /**
   * Wraps anything thrown into an AppError with `code`; an AppError passes through with its own code (a
   * foreign copy is rebuilt as this class). A wrapped non-AppError is not exposable.
   */
  static from(thrown: unknown, code: ErrorCode = 'INTERNAL_ERROR'): AppError {
    if (thrown instanceof AppError) return thrown;
    if (AppError.is(thrown)) {
      const foreign = thrown as AppError;
      return new AppError(foreign.code, foreign.message, {
        details: foreign.details ?? {},
        cause: foreign.cause,
        expose: foreign.expose !== false,
      });
    }
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return new AppError(code, message, { cause: thrown, expose: false });
  }
}

/** True for a string that names a code of the catalogue. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
