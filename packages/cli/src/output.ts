import Table from 'cli-table3';
import { createSpinner } from 'nanospinner';
import { createColors } from 'picocolors';

/** Where a command writes: the process's streams in the binary, buffers in tests. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: Record<string, string | undefined>;
  cwd: string;
}

/** Colour on a terminal only, never with NO_COLOR (https://no-color.org) or TERM=dumb; FORCE_COLOR wins. */
export function colorEnabled(io: Pick<CliIO, 'stdout' | 'env'>): boolean {
  const { env } = io;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return io.stdout.isTTY === true && env.TERM !== 'dumb';
}

/** The colours a command may use (all identity functions when colour is off). */
export type Colors = ReturnType<typeof createColors>;

const STATUS_COLOR: Record<string, keyof Colors> = {
  running: 'green',
  healthy: 'green',
  connected: 'green',
  active: 'green',
  selected: 'green',
  starting: 'yellow',
  stopping: 'yellow',
  degraded: 'yellow',
  idle: 'yellow',
  warn: 'yellow',
  stopped: 'gray',
  unknown: 'gray',
  disconnected: 'gray',
  debug: 'gray',
  error: 'red',
  unhealthy: 'red',
  failed: 'red',
};

// No box: aligned columns that read well in a terminal and grep well in a pipe (as kubectl and docker print).
const PLAIN_CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** Human or JSON output of one command run. */
export class Output {
  readonly c: Colors;
  readonly color: boolean;

  constructor(
    readonly io: CliIO,
    readonly json: boolean,
  ) {
    this.color = colorEnabled(io);
    this.c = createColors(this.color);
  }

  /** A line (or lines) on stdout. */
  print(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** A note on stderr (progress, hints): never mixed into what a script reads. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** The value as JSON on stdout, for `--json`. */
  printJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A status word in its colour. */
  status(word: string): string {
    const color = STATUS_COLOR[word];
    return color ? (this.c[color] as (text: string) => string)(word) : word;
  }

  /** Aligned columns under a bold header; `empty` is printed instead when there are no rows. */
  table(head: string[], rows: (string | number)[][], empty = '(none)'): void {
    if (rows.length === 0) {
      this.print(this.c.dim(empty));
      return;
    }
    const table = new Table({
      head: head.map((title) => this.c.bold(title)),
      chars: PLAIN_CHARS,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    });
    for (const row of rows) table.push(row.map(String));
    // cli-table3 pads every line to the widest cell: trailing spaces are of no use to anyone.
    this.print(
      table
        .toString()
        .split('\n')
        .map((line) => line.trimEnd())
        .join('\n'),
    );
  }

  /** `key  value` pairs, keys aligned. */
  pairs(entries: [string, string | number][]): void {
    const width = Math.max(0, ...entries.map(([key]) => key.length));
    for (const [key, value] of entries) this.print(`${this.c.dim(key.padEnd(width))}  ${value}`);
  }

  /** A heading line. */
  heading(text: string): void {
    this.print(this.c.bold(text));
  }

  /**
   * A spinner on stderr while `work` runs, on a terminal only (never in JSON mode or a pipe); resolves with
   * what `work` resolves.
   */
  async spin<T>(text: string, work: () => Promise<T>): Promise<T> {
    if (this.json || this.io.stderr.isTTY !== true) return work();
    const spinner = createSpinner(text, {
      stream: this.io.stderr as NodeJS.WriteStream,
      color: 'cyan',
    }).start();
    try {
      return await work();
    } finally {
      // Gone without a trace: what the work produced is printed by the command, on stdout.
      spinner.reset();
      spinner.clear();
      this.io.stderr.write('\x1b[?25h');
    }
  }
}

/** Seconds as `3d 4h`, `2h 5m`, `5m 3s`, `42s`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** A fraction as a percentage (`0.042` → `4.2%`). */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** An ISO time as local `YYYY-MM-DD HH:MM:SS`, or `-`. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
