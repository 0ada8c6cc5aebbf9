/**
 * The preload bridge (preload/index.ts) under plain Node: Electron's contextBridge and ipcRenderer are fakes,
 * so these tests check what the bridge lets through, not Electron itself.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS, type CivichainBridge, type MethodName, type WindowRole } from '../../preload/contract';

const electron = vi.hoisted(() => {
  type Listener = (event: unknown, ...args: unknown[]) => void;
  const state = {
    exposed: new Map<string, unknown>(),
    listeners: new Map<string, Listener[]>(),
    invoke: null as unknown as ReturnType<typeof vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>>,
  };
  return {
    state,
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void state.exposed.set(key, api) },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) => state.invoke(channel, ...args),
      on: (channel: string, listener: Listener) => {
        state.listeners.set(channel, [...(state.listeners.get(channel) ?? []), listener]);
      },
    },
  };
});

vi.mock('electron', () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer }));

const { createBridge } = await import('../../preload/index');

function fresh(): { bridge: CivichainBridge; emit: (...args: unknown[]) => void } {
  electron.state.listeners.clear();
  const bridge = createBridge(electron.ipcRenderer);
  const emit = (...args: unknown[]) => {
    for (const listener of electron.state.listeners.get(IPC_CHANNELS.event) ?? []) listener({ sender: 'secret' }, ...args);
  };
  return { bridge, emit };
}

beforeEach(() => {
  electron.state.invoke = vi.fn(async () => ({ ok: true, result: { fine: true } }));
});

describe('window.civichain', () => {
  it('is exposed under "civichain" with exactly the contract’s members', () => {
    const exposed = electron.state.exposed.get('civichain');
    expect(exposed).toBeDefined();
    expect(Object.keys(exposed as object).sort()).toEqual(['invoke', 'on', 'openWindow', 'transport']);
    expect((exposed as CivichainBridge).transport).toBe('ipc');
  });

  it('invoke sends a contract method on civichain:invoke and returns the IpcResult', async () => {
    const { bridge } = fresh();
    expect(await bridge.invoke('keystore.list', { role: 'validator' })).toEqual({ ok: true, result: { fine: true } });
    expect(electron.state.invoke).toHaveBeenCalledWith(IPC_CHANNELS.invoke, 'keystore.list', { role: 'validator' });
  });

  it.each(['node.shutdown', 'eval', '__proto__', 42])('METHOD_NOT_FOUND for %j, without sending', async (method) => {
    const { bridge } = fresh();
    const result = await bridge.invoke(method as MethodName, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'METHOD_NOT_FOUND' } });
    expect(electron.state.invoke).not.toHaveBeenCalled();
  });

  it('INVALID_PARAMS when Electron cannot clone the parameters', async () => {
    electron.state.invoke = vi.fn(async () => {
      throw new TypeError('An object could not be cloned.');
    });
    const { bridge } = fresh();
    expect(await bridge.invoke('node.status', {})).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
  });

  it('on delivers the payload only, for known events, until unsubscribed', () => {
    const { bridge, emit } = fresh();
    const seen: unknown[][] = [];
    const off = bridge.on('node.status', (...args: unknown[]) => void seen.push(args));
    emit('node.status', { height: 1 });
    emit('node.unknown', { height: 2 });
    off();
    emit('node.status', { height: 3 });
    expect(seen).toEqual([[{ height: 1 }]]);
  });

  it('on refuses unknown events and non-function listeners', () => {
    const { bridge } = fresh();
    expect(() => bridge.on('chain.everything' as 'node.status', () => undefined)).toThrow(TypeError);
    expect(() => bridge.on('node.status', 'alert(1)' as unknown as () => void)).toThrow(TypeError);
  });

  it('openWindow sends known roles only', async () => {
    electron.state.invoke = vi.fn(async () => ({ ok: true, result: null }));
    const { bridge } = fresh();
    await bridge.openWindow('booth');
    expect(electron.state.invoke).toHaveBeenCalledWith(IPC_CHANNELS.openWindow, 'booth');
    await expect(bridge.openWindow('admin' as WindowRole)).rejects.toThrow(TypeError);
    expect(electron.state.invoke).toHaveBeenCalledOnce();
  });

  it('openWindow rejects with the main process’s error', async () => {
    electron.state.invoke = vi.fn(async () => ({
      ok: false,
      error: { code: 'UNTRUSTED_SENDER', message: 'refused', details: {} },
    }));
    const { bridge } = fresh();
    await expect(bridge.openWindow('booth')).rejects.toMatchObject({ code: 'UNTRUSTED_SENDER', message: 'refused' });
  });
});
