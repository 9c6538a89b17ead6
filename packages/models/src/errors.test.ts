import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES, isErrorCode } from './errors.js';

describe('AppError', () => {
  it('carries code, details and cause, and serialises to the wire shape', () => {
    const cause = new Error('disk full');
    const error = new AppError('SERVICE_NOT_FOUND', "Service 'x' not found", {
      details: { service_id: 'x' },
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('AppError');
    expect(error.cause).toBe(cause);
    expect(error.status).toBe(404);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      success: false,
      error: { code: 'SERVICE_NOT_FOUND', message: "Service 'x' not found", details: { service_id: 'x' } },
    });
  });

  it('wraps unknown throws and passes AppErrors through', () => {
    const original = new AppError('PORT_IN_USE', 'taken');
    expect(AppError.from(original)).toBe(original);
    const wrapped = AppError.from(new TypeError('boom'));
    expect(wrapped.code).toBe('INTERNAL_ERROR');
    expect(wrapped.message).toBe('boom');
    expect(AppError.from('text', 'STORAGE_ERROR').code).toBe('STORAGE_ERROR');
  });

  it('hides the message of a wrapped unknown error from clients, never of its own', () => {
    const wrapped = AppError.from(new Error('SQLITE_CORRUPT at /var/lib/secret.db'), 'STORAGE_ERROR');
    expect(wrapped.expose).toBe(false);
    expect(wrapped.message).toContain('SQLITE_CORRUPT');
    expect(wrapped.toPublicJSON()).toEqual({
      success: false,
      error: { code: 'INTERNAL_ERROR', message: 'Internal error', details: {} },
    });
    const own = new AppError('SERVICE_NOT_FOUND', "Service 'x' not found", { details: { service_id: 'x' } });
    expect(own.expose).toBe(true);
    expect(own.toPublicJSON()).toEqual(own.toJSON());
  });

  it('recognises an AppError of another copy of models by name and code', () => {
    const foreign = Object.assign(new Error('taken'), { name: 'AppError', code: 'PORT_IN_USE', details: {} });
    expect(foreign instanceof AppError).toBe(false);
    expect(AppError.is(foreign)).toBe(true);
    const rebuilt = AppError.from(foreign);
    expect(rebuilt).toBeInstanceOf(AppError);
    expect([rebuilt.code, rebuilt.message, rebuilt.expose]).toEqual(['PORT_IN_USE', 'taken', true]);
    expect(AppError.is(Object.assign(new Error('x'), { name: 'AppError', code: 'NOPE' }))).toBe(false);
    expect(AppError.is({ name: 'AppError', code: 'PORT_IN_USE', message: 'not an Error' })).toBe(false);
  });

  it('holds every code of spec F7', () => {
    for (const code of [
      'INVALID_REQUEST',
      'SERVICE_NOT_FOUND',
      'SERVICE_ALREADY_EXISTS',
      'SERVICE_START_FAILED',
      'PORT_IN_USE',
      'INSUFFICIENT_RESOURCES',
      'ROUTING_FAILED',
      'CONNECTION_NOT_FOUND',
      'HEALTH_CHECK_FAILED',
      'RULE_NOT_FOUND',
      'UNAUTHORIZED',
    ]) {
      expect(isErrorCode(code), code).toBe(true);
    }
    expect(isErrorCode('NOPE')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    expect(ERROR_CODES.ROUTING_FAILED).toBe(503);
  });
});
