/**
 * The preload bridge: exposes `window.civichain` (the contract's {@link CivichainBridge}) to the windows, and
 * nothing else. It is deliberately narrow: three fixed channels, method, event and role names checked against
 * the contract before anything is sent, and neither ipcRenderer nor Electron's event objects ever reach the
 * page. The main process checks every message again (main/app/ipc.ts): this file is a convenience and a first
 * filter, not the security boundary.
 *
 * It runs sandboxed (`sandbox: true`), so it is bundled to one CommonJS file with its dependencies.
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  API_ERROR_CODES,
  EVENT_NAMES,
  IPC_CHANNELS,
  WINDOW_ROLES,
  isMethodName,
  type CivichainBridge,
  type EventName,
  type EventPayloads,
  type IpcResult,
  type MethodInput,
  type MethodName,
  type MethodOutput,
  type WindowRole,
} from './contract';

/** The parts of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** A failure of the bridge itself; its `code` is one of the contract's. */
class BridgeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
  }
}

function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENT_NAMES as readonly string[]).includes(value);
}

function isWindowRole(value: unknown): value is WindowRole {
  return typeof value === 'string' && (WINDOW_ROLES as readonly string[]).includes(value);
}

export function createBridge(ipc: IpcRendererLike): CivichainBridge {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();

  // One subscription for all events; the page gets the payload only, never the IPC event.
  ipc.on(IPC_CHANNELS.event, (_event, name, payload) => {
    if (!isEventName(name)) return;
    for (const listener of listeners.get(name) ?? []) {
      try {
        (listener as (payload: unknown) => void)(payload);
      } catch {
        // One window's failing listener must not stop the others; the page reports its own errors.
      }
    }
  });

  return {
    transport: 'ipc',

    async invoke<M extends MethodName>(method: M, params: MethodInput<M>): Promise<IpcResult<MethodOutput<M>>> {
      if (!isMethodName(method)) {
        return {
          ok: false,
          error: {
            code: API_ERROR_CODES.methodNotFound,
            message: `There is no method ${JSON.stringify(method)}.`,
            details: { method: typeof method === 'string' ? method : null },
          },
        };
      }
      try {
        return (await ipc.invoke(IPC_CHANNELS.invoke, method, params)) as IpcResult<MethodOutput<M>>;
      } catch (error) {
        // Electron refuses to send what it cannot clone (functions, DOM nodes, class instances).
        const uncloneable = error instanceof Error && /could not be cloned/i.test(error.message);
        return {
          ok: false,
          error: uncloneable
            ? {
                code: API_ERROR_CODES.invalidParams,
                message: `The parameters of ${method} could not be sent to the node: use plain data only.`,
                details: { method },
              }
            : {
                code: API_ERROR_CODES.internal,
                message: 'The window could not reach the node. Restart Civichain if this persists.',
                details: { method },
              },
        };
      }
    },

    on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
      if (!isEventName(event)) throw new TypeError(`There is no event ${JSON.stringify(event)}.`);
      if (typeof listener !== 'function') throw new TypeError('The listener must be a function.');
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const entry = listener as (payload: never) => void;
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },

    async openWindow(role: WindowRole): Promise<void> {
      if (!isWindowRole(role)) throw new TypeError(`There is no window ${JSON.stringify(role)}.`);
      const outcome = (await ipc.invoke(IPC_CHANNELS.openWindow, role)) as IpcResult<null>;
      if (!outcome.ok) throw new BridgeError(outcome.error.code, outcome.error.message);
    },
  };
}

contextBridge.exposeInMainWorld('civichain', createBridge(ipcRenderer));
