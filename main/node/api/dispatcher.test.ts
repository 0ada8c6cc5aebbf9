import { describe, expect, it, vi } from 'vitest';
import { CivichainError } from '../../core/errors';
import { createDispatcher, type Handlers } from './dispatcher';
import { stubHandlers } from './stubHandlers';
import type { NodeIdentity, NodeStatus } from '../../../preload/contract';

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return stubHandlers({
    'node.status': () => ({ height: 7 }) as unknown as NodeStatus,
    'node.identity': () => ({}) as NodeIdentity,
    'keystore.list': ({ role }) => ({ identities: [{ id: 'x', label: String(role), role: 'resident', publicKey: '00' }] }),
    ...overrides,
  });
}

describe('API dispatcher', () => {
  it('calls the handler with validated input and returns its result', async () => {
    const result = await createDispatcher({ handlers: handlers() }).dispatch('keystore.list', { role: 'operator' });
    expect(result).toEqual({ ok: true, result: { identities: [expect.objectContaining({ label: 'operator' })] } });
  });

  it('treats absent params as {}', async () => {
    expect(await createDispatcher({ handlers: handlers() }).dispatch('node.status', undefined)).toEqual({ ok: true, result: { height: 7 } });
  });

  it('METHOD_NOT_FOUND for an unknown method, without calling anything', async () => {
    for (const method of ['node.nope', '__proto__', 'constructor', 42, null]) {
      const result = await createDispatcher({ handlers: handlers() }).dispatch(method, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'METHOD_NOT_FOUND' } });
    }
  });

  it('INVALID_PARAMS names the field and does not call the handler', async () => {
    const list = vi.fn();
    const dispatcher = createDispatcher({ handlers: handlers({ 'keystore.list': list }) });
    const result = await dispatcher.dispatch('keystore.list', { role: 'emperor' });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', details: { fields: ['role'] } } });
    expect(result.ok || result.error.message).toMatch(/role/);
    expect(await dispatcher.dispatch('keystore.list', { rol: 'resident' })).toMatchObject({ error: { code: 'INVALID_PARAMS' } });
    expect(await dispatcher.dispatch('node.status', 'junk')).toMatchObject({ error: { code: 'INVALID_PARAMS' } });
    expect(list).not.toHaveBeenCalled();
  });

  it('serialises a CivichainError as {code, message, details}', async () => {
    const dispatcher = createDispatcher({
      handlers: handlers({
        'node.status': () => {
          throw new CivichainError('NOT_READY', 'Wait.', { left: 3 });
        },
      }),
    });
    expect(await dispatcher.dispatch('node.status', {})).toEqual({
      ok: false,
      error: { code: 'NOT_READY', message: 'Wait.', details: { left: 3 } },
    });
  });

  it('hides an unexpected failure behind INTERNAL and reports it', async () => {
    const onInternalError = vi.fn();
    const dispatcher = createDispatcher({
      onInternalError,
      handlers: handlers({
        'node.status': async () => {
          throw new TypeError('secret stack detail');
        },
      }),
    });
    const result = await dispatcher.dispatch('node.status', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL', details: {} } });
    expect(JSON.stringify(result)).not.toMatch(/secret stack detail/);
    expect(onInternalError).toHaveBeenCalledWith(expect.any(TypeError), 'node.status');
  });
});

describe('mempool.list', () => {
  it('asks for 100 transactions when no limit is given', async () => {
    const list = vi.fn(({ limit }: { limit: number }) => ({ size: 0, transactions: [], limit }));
    const dispatcher = createDispatcher({ handlers: handlers({ 'mempool.list': list as unknown as Handlers['mempool.list'] }) });
    expect(await dispatcher.dispatch('mempool.list', {})).toMatchObject({ ok: true });
    expect(list).toHaveBeenCalledWith({ limit: 100 });
  });

  it('INVALID_PARAMS for a limit of 0, above 1000, fractional or not a number, and for unknown fields', async () => {
    const list = vi.fn();
    const dispatcher = createDispatcher({ handlers: handlers({ 'mempool.list': list }) });
    for (const params of [{ limit: 0 }, { limit: 1001 }, { limit: 2.5 }, { limit: '10' }, { limit: 10, all: true }]) {
      expect(await dispatcher.dispatch('mempool.list', params)).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    }
    expect(list).not.toHaveBeenCalled();
  });
});
