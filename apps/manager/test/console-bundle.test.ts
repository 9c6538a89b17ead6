// The console's JS budget (issue 11: fast on loopback): every script Vite built, gzipped, at most 200 KB,
// and the first screen's own (index.html's entry and what it preloads) well within it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../dist/console/', import.meta.url));
const BUDGET_BYTES = 200 * 1024;
const FIRST_SCREEN_BYTES = 80 * 1024;

const gzipped = (file: string) => gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length;

describe('the console bundle', () => {
  it('is built (pnpm build runs vite after tsc)', () => {
    expect(existsSync(join(DIST, 'index.html')), `${DIST}index.html: run pnpm build`).toBe(true);
  });

  it(`keeps every script within ${BUDGET_BYTES / 1024} KB gzipped`, () => {
    const scripts = readdirSync(join(DIST, 'assets')).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(1);
    const total = scripts.reduce((sum, name) => sum + gzipped(join('assets', name)), 0);
    console.log(`console JS: ${scripts.length} files, ${(total / 1024).toFixed(1)} KB gzipped`);
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it(`loads at most ${FIRST_SCREEN_BYTES / 1024} KB gzipped of script for the first screen, all from this origin`, () => {
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/gu)].map((match) => match[1] as string);
    // No CDN, nothing remote: the console works offline.
    expect(sources.filter((url) => /^(https?:)?\/\//u.test(url))).toEqual([]);
    const scripts = sources.filter((url) => url.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const total = scripts.reduce((sum, url) => sum + gzipped(url.replace(/^\//u, '')), 0);
    console.log(`console first screen JS: ${(total / 1024).toFixed(1)} KB gzipped`);
    expect(total).toBeLessThanOrEqual(FIRST_SCREEN_BYTES);
  });
});
