/**
 * The IPC half of the API (DESIGN.md §3): `civichain:invoke` and `civichain:open-window` from the preload
 * bridge, `civichain:event` back to every window. Every message's sender is checked first (main frame of one
 * of our windows, on our own origin); the dispatcher then refuses unknown methods and invalid input; and every
 * outcome is returned as an {@link IpcResult} — nothing is thrown across IPC, where Electron would flatten an
 * error into a string with our stack trace in it.
 *
 * Electron is only a type here: the ipcMain-, event- and webContents-like objects are parameters, so this file
 * runs under plain Node in ipc.test.ts.
 */
import {
  API_ERROR_CODES,
  IPC_CHANNELS,
  type ApiErrorShape,
  type EventName,
  type EventPayloads,
  type IpcResult,
  type WindowRole,
} from '../../preload/contract';
import type { Dispatcher } from '../node/api/dispatcher';
import type { Logger } from '../node/log';
import { checkSender, isWindowRole, type SenderFrame } from './security';

/** The parts of Electron's IpcMainInvokeEvent this file reads. */
export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: SenderFrame | null;
}

/** The parts of Electron's ipcMain this file uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The parts of a window's WebContents the event fan-out uses. */
export interface EventTargetLike {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/** What the IPC wiring needs to know about the windows. */
export interface AppWindows {
  /** Whether a webContents id belongs to one of our windows. */
  isAppWindow(webContentsId: number): boolean;
  /** Opens the role's window, or focuses it when already open; may return a promise. */
  open(role: WindowRole): unknown;
}

export interface IpcDependencies {
  readonly ipcMain: IpcMainLike;
  readonly dispatcher: Pick<Dispatcher, 'dispatch'>;
  readonly windows: AppWindows;
  readonly log: Pick<Logger, 'warn' | 'error'>;
}

const INTERNAL_ERROR: ApiErrorShape = {
  code: API_ERROR_CODES.internal,
  message: 'The node failed while handling this request. The details are in the node log; please report it.',
  details: {},
};

/**
 * Makes an error shape safe to send: own plain fields only (no prototype, no stack), details reduced to what
 * survives JSON — Electron's structured clone would otherwise throw on a function or a class instance.
 */
export function serializeError(error: ApiErrorShape): ApiErrorShape {
  let details: Readonly<Record<string, unknown>> = {};
  try {
    const copied: unknown = JSON.parse(JSON.stringify(error.details ?? {}));
    if (copied !== null && typeof copied === 'object' && !Array.isArray(copied)) {
      details = copied as Record<string, unknown>;
    }
  } catch {
    // Cyclic or BigInt details: the code and message still say what happened.
  }
  return { code: String(error.code), message: String(error.message), details };
}

function failure(error: ApiErrorShape): IpcResult<never> {
  return { ok: false, error: serializeError(error) };
}

function untrusted(channel: string, reason: string): IpcResult<never> {
  return failure({
    code: API_ERROR_CODES.untrustedSender,
    message: 'This request did not come from a Civichain window, so the node refused it.',
    details: { channel, reason },
  });
}

/** Checks the sender of an IPC message; logs and returns the refusal, or null when it may proceed. */
function refuseUntrusted(deps: IpcDependencies, channel: string, event: InvokeEventLike): IpcResult<never> | null {
  const verdict = checkSender({
    webContentsId: event.sender.id,
    frame: event.senderFrame,
    isAppWindow: (id) => deps.windows.isAppWindow(id),
  });
  if (verdict.trusted) return null;
  deps.log.warn('IPC message from an untrusted sender refused', {
    channel,
    reason: verdict.reason,
    url: event.senderFrame?.url ?? null,
  });
  return untrusted(channel, verdict.reason);
}

/** `civichain:invoke (method, params)` → the dispatcher's result, as an IpcResult. */
export function createInvokeHandler(deps: IpcDependencies) {
  return async (event: InvokeEventLike, method?: unknown, params?: unknown): Promise<IpcResult<unknown>> => {
    const refused = refuseUntrusted(deps, IPC_CHANNELS.invoke, event);
    if (refused) return refused;
    try {
      const outcome = await deps.dispatcher.dispatch(method, params);
      return outcome.ok ? { ok: true, result: outcome.result } : failure(outcome.error);
    } catch (error) {
      // The dispatcher turns handler failures into results itself; reaching here is a bug in it.
      deps.log.error('IPC dispatch failed', { method: typeof method === 'string' ? method : null, error: String(error) });
      return failure(INTERNAL_ERROR);
    }
  };
}

/** `civichain:open-window (role)` → opens (or focuses) that role's window. */
export function createOpenWindowHandler(deps: IpcDependencies) {
  return async (event: InvokeEventLike, role?: unknown): Promise<IpcResult<null>> => {
    const refused = refuseUntrusted(deps, IPC_CHANNELS.openWindow, event);
    if (refused) return refused;
    if (!isWindowRole(role)) {
      return failure({
        code: API_ERROR_CODES.invalidParams,
        message: `There is no window ${JSON.stringify(role)}.`,
        details: { fields: ['role'], role: typeof role === 'string' ? role : null },
      });
    }
    try {
      await deps.windows.open(role);
      return { ok: true, result: null };
    } catch (error) {
      deps.log.error('could not open a window', { role, error: String(error) });
      return failure(INTERNAL_ERROR);
    }
  };
}

/**
 * Registers the handlers of the two renderer→main channels — and only those: a message on any other channel
 * finds no handler and is refused by Electron. Returns the function that removes them.
 */
export function registerIpc(deps: IpcDependencies): () => void {
  deps.ipcMain.handle(IPC_CHANNELS.invoke, createInvokeHandler(deps));
  deps.ipcMain.handle(IPC_CHANNELS.openWindow, createOpenWindowHandler(deps));
  return () => {
    deps.ipcMain.removeHandler(IPC_CHANNELS.invoke);
    deps.ipcMain.removeHandler(IPC_CHANNELS.openWindow);
  };
}

/** A node's event stream, as main/node/node.ts offers it. */
export interface EventSource {
  onEvent(listener: <E extends EventName>(event: E, payload: EventPayloads[E]) => void): () => void;
}

/**
 * Forwards every node event to every live window as `civichain:event (name, payload)`. A window that closes
 * between listing and sending is skipped; one that cannot take the payload does not stop the others.
 */
export function fanOutEvents(
  source: EventSource,
  targets: () => Iterable<EventTargetLike>,
  log: Pick<Logger, 'warn'>,
): () => void {
  return source.onEvent((name, payload) => {
    for (const target of targets()) {
      if (target.isDestroyed()) continue;
      try {
        target.send(IPC_CHANNELS.event, name, payload);
      } catch (error) {
        log.warn('could not send an event to a window', { event: name, error: String(error) });
      }
    }
  });
}
