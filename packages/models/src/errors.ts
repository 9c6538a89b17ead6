/**
 * The error catalogue (spec F7, plus the codes of the WebSocket protocol) and the one error class that
 * carries a code across every boundary: HTTP, WebSocket, CLI.
 */

/** Every error code with the HTTP status a boundary answers it with. */
export const ERROR_CODES = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  SERVICE_NOT_FOUND: 404,
  RULE_NOT_FOUND: 404,
  CONNECTION_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  SERVICE_ALREADY_EXISTS: 409,
  PORT_IN_USE: 409,
  SESSION_BUSY: 409,
  PAYLOAD_TOO_LARGE: 413,
  SERVICE_START_FAILED: 500,
  HEALTH_CHECK_FAILED: 500,
  ROUTING_FAILED: 503,
  INSUFFICIENT_RESOURCES: 503,
  MAX_SESSIONS: 503,
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
}

/**
 * An error with a code from the catalogue. Boundaries turn it into `{success: false, error: {...}}`.
 * @example throw new AppError('SERVICE_NOT_FOUND', `Service '${id}' not found`, { details: { service_id: id } });
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** The HTTP status that goes with the code. */
  get status(): number {
    return ERROR_CODES[this.code];
  }

  toJSON(): ErrorBody {
    return { success: false, error: { code: this.code, message: this.message, details: this.details } };
  }

  /** Wraps anything thrown into an AppError; an AppError passes through unchanged. */
  static from(thrown: unknown, code: ErrorCode = 'INTERNAL_ERROR'): AppError {
    if (thrown instanceof AppError) return thrown;
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return new AppError(code, message, { cause: thrown });
  }
}

/** True for a string that names a code of the catalogue. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
