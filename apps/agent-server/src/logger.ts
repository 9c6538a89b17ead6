import type { RuntimeLogger } from '@myagent/ws-runtime';

/** A logger that writes JSON lines `{"time","level","msg",...fields}`, as a manager captures them. */
export interface JsonLogger extends RuntimeLogger {
  readonly debugEnabled: boolean;
}

/**
 * Creates a JSON-lines logger; debug lines only when `debug` is set.
 * @example createJsonLogger({ debug: true }).info('listening', { url });
 */
export function createJsonLogger(
  options: { debug?: boolean; write?: (line: string) => void } = {},
): JsonLogger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
    };
  return {
    debugEnabled: options.debug ?? false,
    debug: options.debug ? log('debug') : () => {},
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}
