import type { LogLevel, LogLine } from '@myagent/models';

/** Longest message kept from one line (the LogLine schema's bound); the rest is cut. */
export const MAX_LINE_CHARS = 16_384;

const LEVELS: Record<string, LogLevel> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  notice: 'info',
  log: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'error',
  critical: 'error',
  crit: 'error',
};

// pino's numeric levels.
function numericLevel(value: number): LogLevel {
  if (value >= 50) return 'error';
  if (value >= 40) return 'warn';
  if (value >= 30) return 'info';
  return 'debug';
}

function levelOf(value: unknown): LogLevel | undefined {
  if (typeof value === 'number') return numericLevel(value);
  if (typeof value === 'string') return LEVELS[value.toLowerCase()];
  return undefined;
}

function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const PLAIN_LEVEL = /^\s*\[?(debug|info|warn(?:ing)?|error|fatal|critical)\b\]?:?/iu;

/**
 * Turns one line a child wrote into a LogLine: JSON lines keep level, time, msg and their other fields;
 * plain lines take a leading level word, else info on stdout and error on stderr.
 */
export function parseLogLine(serviceId: string, stream: 'stdout' | 'stderr', text: string): LogLine {
  const now = new Date().toISOString();
  const line = text.length > MAX_LINE_CHARS ? text.slice(0, MAX_LINE_CHARS) : text;
  if (line.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const { level, time, timestamp, msg, message, ...fields } = parsed as Record<string, unknown>;
        const body = msg ?? message;
        return {
          service_id: serviceId,
          timestamp: isoTime(time) ?? isoTime(timestamp) ?? now,
          level: levelOf(level) ?? (stream === 'stderr' ? 'error' : 'info'),
          stream,
          message: (typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body)).slice(
            0,
            MAX_LINE_CHARS,
          ),
          fields,
        };
      }
    } catch {
      // Not JSON after all: kept as a plain line.
    }
  }
  const word = PLAIN_LEVEL.exec(line)?.[1];
  return {
    service_id: serviceId,
    timestamp: now,
    level: (word ? levelOf(word) : undefined) ?? (stream === 'stderr' ? 'error' : 'info'),
    stream,
    message: line,
    fields: {},
  };
}

/**
 * Splits a byte stream into lines without ever holding more than one bounded line: an endless line is
 * cut into chunks of {@link MAX_LINE_CHARS}.
 */
export class LineSplitter {
  #partial = '';
  readonly #emit: (line: string) => void;

  constructor(emit: (line: string) => void) {
    this.#emit = emit;
  }

  push(chunk: string): void {
    let text = this.#partial + chunk;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.#emit(text.slice(0, newline).replace(/\r$/u, ''));
      text = text.slice(newline + 1);
      newline = text.indexOf('\n');
    }
    while (text.length > MAX_LINE_CHARS) {
      this.#emit(text.slice(0, MAX_LINE_CHARS));
      text = text.slice(MAX_LINE_CHARS);
    }
    this.#partial = text;
  }

  /** Emits what is left when the stream ends. */
  end(): void {
    if (this.#partial.length > 0) this.#emit(this.#partial);
    this.#partial = '';
  }
}

/** The last `size` lines seen, for error messages. */
export class Tail {
  readonly #lines: string[] = [];
  readonly #size: number;

  constructor(size: number) {
    this.#size = size;
  }

  push(line: string): void {
    if (line.trim() === '') return;
    this.#lines.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
    if (this.#lines.length > this.#size) this.#lines.shift();
  }

  lines(): string[] {
    return [...this.#lines];
  }
}
