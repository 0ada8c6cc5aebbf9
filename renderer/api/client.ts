/**
 * The one client interface the windows use to talk to the node. Two implementations, chosen at start:
 * Electron IPC through the preload bridge (`window.civichain`), or the local WebSocket JSON-RPC API when the
 * windows are served as the browser console. Only types come from the contract.
 */
import type {
  ApiErrorShape,
  CivichainBridge,
  EventName,
  EventPayloads,
  MethodInput,
  MethodName,
  MethodOutput,
  WindowRole,
} from '../../preload/contract';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface CivichainClient {
  readonly transport: 'ipc' | 'websocket';
  call<M extends MethodName>(method: M, params: MethodInput<M>): Promise<MethodOutput<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /** Open another window (Electron) or move to its route (browser console). */
  openWindow(role: WindowRole): Promise<void>;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  readonly connection: ConnectionState;
}

/** An error from the node, with the contract's `{code, message, details}`. */
export class ApiError extends Error implements ApiErrorShape {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(shape: ApiErrorShape) {
    super(shape.message);
    this.name = 'ApiError';
    this.code = shape.code;
    this.details = shape.details;
  }
}

declare global {
  interface Window {
    civichain?: CivichainBridge;
  }
}

type Listener = (payload: never) => void;

class Listeners {
  private readonly byEvent = new Map<string, Set<Listener>>();
  add(event: string, listener: Listener): () => void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }
  emit(event: string, payload: unknown): void {
    for (const listener of this.byEvent.get(event) ?? []) (listener as (p: unknown) => void)(payload);
  }
}

function createIpcClient(bridge: CivichainBridge): CivichainClient {
  return {
    transport: 'ipc',
    connection: 'open',
    async call(method, params) {
      const outcome = await bridge.invoke(method, params);
      if (!outcome.ok) throw new ApiError(outcome.error);
      return outcome.result;
    },
    on: (event, listener) => bridge.on(event, listener),
    openWindow: (role) => bridge.openWindow(role),
    onConnectionChange: () => () => undefined,
  };
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: ApiError): void;
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

/** JSON-RPC 2.0 over WebSocket; reconnects with backoff, and fails calls made while disconnected. */
export function createWebSocketClient(options: {
  url: string;
  token: string;
  navigate: (role: WindowRole) => Promise<void>;
}): CivichainClient {
  const listeners = new Listeners();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let backoffMs = RECONNECT_MIN_MS;
  let opened: Promise<void>;
  let markOpen: () => void = () => undefined;

  const setState = (next: ConnectionState): void => {
    state = next;
    for (const listener of connectionListeners) listener(next);
  };

  const connect = (): void => {
    opened = new Promise((resolve) => (markOpen = resolve));
    setState('connecting');
    // Browsers cannot set an Authorization header on a WebSocket: the bearer token travels as a subprotocol.
    const ws = new WebSocket(options.url, ['civichain.v1', `bearer.${options.token}`]);
    socket = ws;
    ws.addEventListener('open', () => {
      backoffMs = RECONNECT_MIN_MS;
      setState('open');
      markOpen();
    });
    ws.addEventListener('message', (event) => onMessage(String(event.data)));
    ws.addEventListener('close', () => {
      socket = null;
      // Calls waiting for this attempt to open must not wait for ever (the next attempt has its own promise):
      // let them go on, find no socket, and fail as DISCONNECTED.
      markOpen();
      for (const [id, call] of pending) {
        pending.delete(id);
        call.reject(
          new ApiError({
            code: 'DISCONNECTED',
            message: 'The connection to the node was lost. Check that the node is still running.',
            details: {},
          }),
        );
      }
      setState('closed');
      setTimeout(connect, backoffMs);
      backoffMs = Math.min(backoffMs * 2, RECONNECT_MAX_MS);
    });
  };

  const onMessage = (text: string): void => {
    let message: {
      id?: number;
      result?: unknown;
      error?: { message: string; data?: ApiErrorShape };
      method?: string;
      params?: { event: string; payload: unknown };
    };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.method === 'event' && message.params) {
      listeners.emit(message.params.event, message.params.payload);
      return;
    }
    if (typeof message.id !== 'number') return;
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.error) {
      call.reject(
        new ApiError(message.error.data ?? { code: 'INTERNAL', message: message.error.message, details: {} }),
      );
    } else {
      call.resolve(message.result);
    }
  };

  connect();

  return {
    transport: 'websocket',
    get connection() {
      return state;
    },
    async call(method, params) {
      await opened;
      const ws = socket;
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        throw new ApiError({
          code: 'DISCONNECTED',
          message: 'Not connected to the node. It will reconnect by itself when the node is back.',
          details: {},
        });
      }
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      });
    },
    on: (event, listener) => listeners.add(event, listener as Listener),
    openWindow: (role) => options.navigate(role),
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}

/**
 * Picks the transport: the Electron bridge when the preload exposed it, otherwise the local WebSocket API of
 * the node that served this page, authenticated with the token from the console URL (`?token=…`), which is
 * then kept in sessionStorage and removed from the address bar.
 */
export function createClient(navigate: (role: WindowRole) => Promise<void>): CivichainClient {
  if (window.civichain) return createIpcClient(window.civichain);
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem('civichain.token', fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.toString());
  }
  const token = fromUrl ?? sessionStorage.getItem('civichain.token') ?? '';
  const wsUrl = `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}/api`;
  return createWebSocketClient({ url: wsUrl, token, navigate });
}
