import { describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE_CHARS, parseLogLine, Tail } from './log-lines.js';

describe('parseLogLine', () => {
  it('keeps level, time, msg and the other fields of a JSON line', () => {
    const line = parseLogLine(
      's1',
      'stdout',
      '{"time":"2025-01-02T03:04:05.000Z","level":"warn","msg":"slow","ms":12}',
    );
    expect(line).toEqual({
      service_id: 's1',
      timestamp: '2025-01-02T03:04:05.000Z',
      level: 'warn',
      stream: 'stdout',
      message: 'slow',
      fields: { ms: 12 },
    });
  });

  it('maps other level names and pino numbers', () => {
    expect(parseLogLine('s', 'stdout', '{"level":"warning","msg":"x"}').level).toBe('warn');
    expect(parseLogLine('s', 'stdout', '{"level":"fatal","msg":"x"}').level).toBe('error');
    expect(parseLogLine('s', 'stdout', '{"level":20,"msg":"x"}').level).toBe('debug');
    expect(parseLogLine('s', 'stdout', '{"level":50,"msg":"x"}').level).toBe('error');
  });

  it('reads plain lines: a leading level word, else info on stdout and error on stderr', () => {
    expect(parseLogLine('s', 'stdout', 'hello').level).toBe('info');
    expect(parseLogLine('s', 'stderr', 'Traceback (most recent call last):').level).toBe('error');
    expect(parseLogLine('s', 'stderr', 'WARNING: deprecated').level).toBe('warn');
    expect(parseLogLine('s', 'stdout', '[debug] detail').level).toBe('debug');
    const broken = parseLogLine('s', 'stdout', '{"not json');
    expect(broken.message).toBe('{"not json');
    expect(broken.fields).toEqual({});
  });

  it('keeps a bad time out of the timestamp and bounds the message', () => {
    const line = parseLogLine(
      's',
      'stdout',
      `{"time":"yesterday","msg":"${'x'.repeat(MAX_LINE_CHARS + 10)}"}`,
    );
    expect(Number.isNaN(Date.parse(line.timestamp))).toBe(false);
    expect(line.message.length).toBe(MAX_LINE_CHARS);
  });
});

describe('LineSplitter', () => {
  it('splits chunks into lines, joins partial ones, strips CR, flushes the rest at the end', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push('one\r\ntw');
    splitter.push('o\nthr');
    expect(lines).toEqual(['one', 'two']);
    splitter.end();
    expect(lines).toEqual(['one', 'two', 'thr']);
  });

  it('cuts an endless line into bounded pieces', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push('y'.repeat(MAX_LINE_CHARS * 2 + 5));
    expect(lines.map((line) => line.length)).toEqual([MAX_LINE_CHARS, MAX_LINE_CHARS]);
    splitter.end();
    expect(lines.at(-1)).toBe('yyyyy');
  });
});

describe('Tail', () => {
  it('keeps the last non-empty lines', () => {
    const tail = new Tail(2);
    for (const line of ['a', '', 'b', 'c']) tail.push(line);
    expect(tail.lines()).toEqual(['b', 'c']);
  });
});
