import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS, type IpcResult, type NodeStatus, type WindowRole } from '../../preload/contract';
import { CivichainError } from '../core/errors';
import { createDispatcher, type Handlers } from '../node/api/dispatcher';
import { stubHandlers } from '../node/api/stubHandlers';
import {
  createInvokeHandler,
  createOpenWindowHandler,
  fanOutEvents,
  registerIpc,
  serializeError,
  type EventSource,
  type EventTargetLike,
  type InvokeEventLike,
  type IpcDependencies,
  type IpcMainLike,
} from './ipc';
import type { SenderFrame } from './security';

const OUR_WINDOW_ID = 7;
const STATUS: NodeStatus = {
  networkName: 'Civichain Demo',
  chainId: 'civichain-demo-1',
  height: 3,
  finalHeight: 2,
  peers: 0,
  state: 'running',
  syncBlocksLeft: null,
  mining: { active: false, hashesPerSecond: 0 },
  round: 0,
  mempoolSize: 0,
  approvalMode: 'auto',
  localValidators: [],
  proposer: false,
  demo: true,
  startedAtMs: 1_000,
  version: '0.1.0',
};

function frame(url: string, parent: SenderFrame | null = null): SenderFrame {
  return { url, parent };
}

/** An invoke event from the main frame of our launcher window, unless told otherwise. */
function eventFrom(
  options: { url?: string; webContentsId?: number; parent?: SenderFrame | null; gone?: boolean } = {},
): InvokeEventLike {
  return {
    sender: { id: options.webContentsId ?? OUR_WINDOW_ID },
    senderFrame: options.gone
      ? null
      : frame(options.url ?? 'civichain://app/windows/launcher.html', options.parent ?? null),
  };
}

function setup(handlers: Partial<Handlers> = {}) {
  const log = { warn: vi.fn(), error: vi.fn() };
  const onInternalError = vi.fn();
  const opened: WindowRole[] = [];
  const dispatcher = createDispatcher({
    handlers: stubHandlers({
      'node.status': () => STATUS,
      'node.identity': () => {
        throw new CivichainError('NOT_READY', 'The node is still starting.', { retryAfterMs: 500 });
      },
      'keystore.list': () => ({ identities: [] }),
      ...handlers,
    }),
    onInternalError,
  });
  const deps: IpcDependencies = {
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    dispatcher,
    windows: {
      isAppWindow: (id) => id === OUR_WINDOW_ID,
      open: (role) => {
        opened.push(role);
      },
    },
    log,
  };
  return { deps, log, opened, onInternalError, invoke: createInvokeHandler(deps), open: createOpenWindowHandler(deps) };
}

function expectError(result: IpcResult<unknown>, code: string) {
  expect(result.ok).toBe(false);
  if (result.ok) throw new TypeError('expected a failure');
  expect(result.error.code).toBe(code);
  return result.error;
}

describe('civichain:invoke', () => {
  it('returns the handler result for a valid call from our window', async () => {
    const { invoke } = setup();
    expect(await invoke(eventFrom(), 'node.status', {})).toEqual({ ok: true, result: STATUS });
  });

  it('METHOD_NOT_FOUND for a method the contract does not name', async () => {
    const { invoke } = setup();
    const error = expectError(await invoke(eventFrom(), 'node.shutdown', {}), 'METHOD_NOT_FOUND');
    expect(error.details).toEqual({ method: 'node.shutdown' });
  });

  it.each([undefined, null, 42, { method: 'node.status' }, '__proto__', 'toString'])(
    'METHOD_NOT_FOUND for a junk method name (%j)',
    async (method) => {
      const { invoke } = setup();
      expectError(await invoke(eventFrom(), method, {}), 'METHOD_NOT_FOUND');
    },
  );

  it('INVALID_PARAMS names the offending field', async () => {
    const { invoke } = setup();
    const error = expectError(await invoke(eventFrom(), 'keystore.list', { role: 'emperor' }), 'INVALID_PARAMS');
    expect(error.message).toContain('role');
    expect(error.details['fields']).toEqual(['role']);
  });

  it.each([[{ extra: true }], ['not an object'], [[1, 2]]])('INVALID_PARAMS for junk params (%j)', async (params) => {
    const { invoke } = setup();
    expectError(await invoke(eventFrom(), 'node.status', params), 'INVALID_PARAMS');
  });

  it('a CivichainError crosses as {code, message, details}', async () => {
    const { invoke, onInternalError } = setup();
    const result = await invoke(eventFrom(), 'node.identity', {});
    expect(result).toEqual({
      ok: false,
      error: { code: 'NOT_READY', message: 'The node is still starting.', details: { retryAfterMs: 500 } },
    });
    expect(onInternalError).not.toHaveBeenCalled();
  });

  it('a plain error becomes INTERNAL without its message or stack', async () => {
    const { invoke, onInternalError } = setup({
      'node.status': () => {
        throw new TypeError('secret internals at /home/someone/civichain/main/node/x.ts:12');
      },
    });
    const result = await invoke(eventFrom(), 'node.status', {});
    const error = expectError(result, 'INTERNAL');
    const wire = JSON.stringify(result);
    expect(wire).not.toContain('secret internals');
    expect(wire).not.toContain('x.ts');
    expect(Object.keys(error).sort()).toEqual(['code', 'details', 'message']);
    expect(onInternalError).toHaveBeenCalledOnce();
  });

  it('INTERNAL, not a throw, when the dispatcher itself fails', async () => {
    const { deps, log } = setup();
    const invoke = createInvokeHandler({
      ...deps,
      dispatcher: { dispatch: () => Promise.reject(new TypeError('boom')) },
    });
    expectError(await invoke(eventFrom(), 'node.status', {}), 'INTERNAL');
    expect(log.error).toHaveBeenCalledOnce();
  });

  it('error details that cannot be cloned are dropped, not thrown', async () => {
    const { invoke } = setup({
      'node.identity': () => {
        throw new CivichainError('NOT_READY', 'Later.', { when: 10n, callback: () => undefined });
      },
    });
    const error = expectError(await invoke(eventFrom(), 'node.identity', {}), 'NOT_READY');
    expect(error.details).toEqual({});
  });

  describe('UNTRUSTED_SENDER', () => {
    const cases: Array<[string, InvokeEventLike]> = [
      ['a page of another origin', eventFrom({ url: 'https://evil.example/windows/launcher.html' })],
      ['a file:// page', eventFrom({ url: 'file:///work/main/out/renderer/windows/launcher.html' })],
      ['a look-alike host', eventFrom({ url: 'civichain://app.evil/windows/launcher.html' })],
      ['a subframe of our window', eventFrom({ parent: frame('civichain://app/windows/launcher.html') })],
      ['a webContents that is not one of our windows', eventFrom({ webContentsId: 99 })],
      ['a frame that is gone', eventFrom({ gone: true })],
    ];

    it.each(cases)('refuses %s', async (_label, event) => {
      const handler = vi.fn();
      const { invoke, log } = setup({ 'node.status': handler });
      const error = expectError(await invoke(event, 'node.status', {}), 'UNTRUSTED_SENDER');
      expect(error.details['channel']).toBe(IPC_CHANNELS.invoke);
      expect(handler).not.toHaveBeenCalled();
      expect(log.warn).toHaveBeenCalledOnce();
    });

    it('refuses before looking at the method', async () => {
      const { invoke } = setup();
      expectError(await invoke(eventFrom({ url: 'https://evil.example/' }), 'no.such.method', {}), 'UNTRUSTED_SENDER');
    });
  });
});

describe('civichain:open-window', () => {
  it('opens a known role for our window', async () => {
    const { open, opened } = setup();
    expect(await open(eventFrom(), 'booth')).toEqual({ ok: true, result: null });
    expect(opened).toEqual(['booth']);
  });

  it.each(['admin', '', 42, undefined, '../launcher'])('INVALID_PARAMS for an unknown role (%j)', async (role) => {
    const { open, opened } = setup();
    const error = expectError(await open(eventFrom(), role), 'INVALID_PARAMS');
    expect(error.details['fields']).toEqual(['role']);
    expect(opened).toEqual([]);
  });

  it('UNTRUSTED_SENDER from a subframe', async () => {
    const { open, opened } = setup();
    const event = eventFrom({ parent: frame('civichain://app/windows/launcher.html') });
    expectError(await open(event, 'booth'), 'UNTRUSTED_SENDER');
    expect(opened).toEqual([]);
  });

  it('INTERNAL when the window cannot be opened', async () => {
    const { deps } = setup();
    const open = createOpenWindowHandler({
      ...deps,
      windows: {
        ...deps.windows,
        open: () => {
          throw new TypeError('no display');
        },
      },
    });
    expectError(await open(eventFrom(), 'booth'), 'INTERNAL');
  });
});

describe('registerIpc', () => {
  it('handles exactly the two renderer→main channels, and removes them again', () => {
    const handled = new Map<string, unknown>();
    const ipcMain: IpcMainLike = {
      handle: (channel, listener) => void handled.set(channel, listener),
      removeHandler: (channel) => void handled.delete(channel),
    };
    const { deps } = setup();
    const dispose = registerIpc({ ...deps, ipcMain });
    expect([...handled.keys()].sort()).toEqual([IPC_CHANNELS.invoke, IPC_CHANNELS.openWindow].sort());
    // The event channel goes main → renderer only; nothing may be sent to it.
    expect(handled.has(IPC_CHANNELS.event)).toBe(false);
    dispose();
    expect(handled.size).toBe(0);
  });
});

describe('fanOutEvents', () => {
  function source() {
    let listener: Parameters<EventSource['onEvent']>[0] | null = null;
    const unsubscribe = vi.fn();
    const events: EventSource = {
      onEvent: (next) => {
        listener = next;
        return unsubscribe;
      },
    };
    return {
      events,
      unsubscribe,
      emit: (payload: NodeStatus) => listener?.('node.status', payload),
    };
  }

  function target(options: { destroyed?: boolean; fails?: boolean } = {}): EventTargetLike & { sent: unknown[][] } {
    const sent: unknown[][] = [];
    return {
      sent,
      isDestroyed: () => options.destroyed ?? false,
      send: (...args: unknown[]) => {
        if (options.fails) throw new TypeError('An object could not be cloned.');
        sent.push(args);
      },
    };
  }

  it('sends each event to every live window, skipping destroyed ones and surviving a failing one', () => {
    const { events, emit, unsubscribe } = source();
    const live = target();
    const destroyed = target({ destroyed: true });
    const failing = target({ fails: true });
    const other = target();
    const log = { warn: vi.fn() };
    const stop = fanOutEvents(events, () => [live, destroyed, failing, other], log);
    emit(STATUS);
    expect(live.sent).toEqual([[IPC_CHANNELS.event, 'node.status', STATUS]]);
    expect(other.sent).toEqual([[IPC_CHANNELS.event, 'node.status', STATUS]]);
    expect(destroyed.sent).toEqual([]);
    expect(log.warn).toHaveBeenCalledOnce();
    stop();
    expect(unsubscribe).toHaveBeenCalledOnce();
  });
});

describe('serializeError', () => {
  it('keeps code, message and JSON details only', () => {
    const error = new CivichainError('DOUBLE_VOTE', 'Already voted.', { nullifier: 'ab', at: new Date(0) });
    expect(serializeError(error)).toEqual({
      code: 'DOUBLE_VOTE',
      message: 'Already voted.',
      details: { nullifier: 'ab', at: '1970-01-01T00:00:00.000Z' },
    });
  });
});
