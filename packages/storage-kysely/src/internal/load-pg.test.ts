import { AppError } from '@myagent/models';
import { describe, expect, it } from 'vitest';
import { loadOptionalPeer, loadPg } from './load-pg.js';

describe('loadOptionalPeer', () => {
  it('turns a package that is not installed into STORAGE_ERROR with the install command', async () => {
    const name = 'myagent-no-such-driver';
    const error = await loadOptionalPeer(name, 'PostgreSQL storage', () => import(name)).catch((e) => e);
    expect(AppError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'STORAGE_ERROR', details: { package: name }, expose: true });
    expect(error.message).toBe(
      `PostgreSQL storage needs the '${name}' package, an optional peer dependency of @myagent/storage-kysely: npm install ${name}`,
    );
    expect((error.cause as { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('keeps any other failure as it is', async () => {
    const broken = new Error('boom');
    await expect(loadOptionalPeer('pg', 'PostgreSQL storage', () => Promise.reject(broken))).rejects.toBe(
      broken,
    );
  });

  it('loads pg where it is installed (here, as a dev dependency)', async () => {
    expect(typeof (await loadPg()).Pool).toBe('function');
  });
});
