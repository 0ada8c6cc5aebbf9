/**
 * The local API: JSON-RPC 2.0 over WebSocket on 127.0.0.1 only, authenticated with the bearer token kept in
 * the data folder; and the browser console (the built windows) served over HTTP on the same port.
 *
 * Authentication: `Authorization: Bearer <token>` (CLI, tests) or, because browsers cannot set headers on a
 * WebSocket, the subprotocol pair `civichain.v1` + `bearer.<token>`. The Host header must name loopback
 * (against DNS rebinding) and a browser's Origin must be this server's own.
 */
import { timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { API_ERROR_CODES, type ApiErrorShape } from '../../../preload/contract';
import { CivichainError } from '../../core/errors';
import type { Logger } from '../log';
import type { CivichainNode } from '../node';

export const API_HOST = '127.0.0.1';
export const API_PATH = '/api';
export const API_SUBPROTOCOL = 'civichain.v1';
/** Large enough for a voter roll of about a million voters in election.create (the CSV travels in base64). */
export const MAX_API_FRAME_BYTES = 48 * 1024 * 1024;
/** A client that lets this much of our output queue up is too slow to keep; it is disconnected. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** JSON-RPC 2.0 §5.1 error codes; application errors use -32000 with `data` = {code, message, details}. */
const JSON_RPC_CODES: Readonly<Record<string, number>> = {
  [API_ERROR_CODES.parseError]: -32700,
  [API_ERROR_CODES.invalidRequest]: -32600,
  [API_ERROR_CODES.methodNotFound]: -32601,
  [API_ERROR_CODES.invalidParams]: -32602,
  [API_ERROR_CODES.internal]: -32603,
};

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface ApiServerOptions {
  readonly host?: string;
  /** 0 picks any free port. */
  readonly port: number;
  readonly token: string;
  /** The built windows (out/renderer); null serves no console. */
  readonly staticDir: string | null;
}

export interface ApiServer {
  readonly port: number;
  readonly apiUrl: string;
  /** The browser console's address, token included. */
  readonly consoleUrl: string;
  close(): Promise<void>;
}

interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data: ApiErrorShape };
}

function errorResponse(id: JsonRpcResponse['id'], error: ApiErrorShape): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: { code: JSON_RPC_CODES[error.code] ?? -32000, message: error.message, data: error } };
}

function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function offeredToken(request: IncomingMessage): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const bearer = protocols.find((p) => p.startsWith('bearer.'));
  return bearer ? bearer.slice('bearer.'.length) : null;
}

function isLoopbackHost(hostHeader: string | undefined, port: number): boolean {
  return hostHeader === `${API_HOST}:${port}` || hostHeader === `localhost:${port}`;
}

function refuseUpgrade(socket: Duplex, status: number, reason: string, error: ApiErrorShape): void {
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Handles one JSON-RPC frame; returns the response (or responses, for a batch), or null for notifications. */
export async function handleJsonRpcFrame(
  node: Pick<CivichainNode, 'dispatcher'>,
  text: string,
): Promise<JsonRpcResponse | JsonRpcResponse[] | null> {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return errorResponse(null, {
      code: API_ERROR_CODES.parseError,
      message: 'The frame is not valid JSON. Send one JSON-RPC 2.0 request object (or a batch array) per frame.',
      details: {},
    });
  }
  if (Array.isArray(message)) {
    if (message.length === 0) {
      return errorResponse(null, { code: API_ERROR_CODES.invalidRequest, message: 'An empty batch is not a request.', details: {} });
    }
    const responses = await Promise.all(message.map((item) => handleRequest(node, item)));
    const present = responses.filter((r): r is JsonRpcResponse => r !== null);
    return present.length > 0 ? present : null;
  }
  return handleRequest(node, message);
}

async function handleRequest(node: Pick<CivichainNode, 'dispatcher'>, message: unknown): Promise<JsonRpcResponse | null> {
  const request = message as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown } | null;
  const rawId = request && typeof request === 'object' ? request.id : undefined;
  const id = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
  if (
    !request ||
    typeof request !== 'object' ||
    Array.isArray(request) ||
    request.jsonrpc !== '2.0' ||
    typeof request.method !== 'string' ||
    (rawId !== undefined && rawId !== null && id === null) ||
    (request.params !== undefined && (typeof request.params !== 'object' || request.params === null))
  ) {
    return errorResponse(id, {
      code: API_ERROR_CODES.invalidRequest,
      message:
        'Not a JSON-RPC 2.0 request: expected {"jsonrpc":"2.0","id":<number|string>,"method":<string>,"params":<object>}.',
      details: {},
    });
  }
  if (Array.isArray(request.params)) {
    return errorResponse(id, {
      code: API_ERROR_CODES.invalidParams,
      message: `Parameters of ${request.method} are passed by name: send "params" as an object.`,
      details: { method: request.method },
    });
  }
  const outcome = await node.dispatcher.dispatch(request.method, request.params);
  // JSON-RPC 2.0 §4.1: a request without an id is a notification and gets no response.
  if (rawId === undefined) return null;
  return outcome.ok ? { jsonrpc: '2.0', id, result: outcome.result } : errorResponse(id, outcome.error);
}

function serveStatic(staticDir: string, request: IncomingMessage, response: ServerResponse): void {
  const send = (status: number, text: string) => {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    response.end(text);
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'Method not allowed.');
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    return send(400, 'Bad path.');
  }
  if (pathname.includes('\0')) return send(400, 'Bad path.');
  const root = resolve(staticDir);
  const relative = pathname === '/' ? 'index.html' : normalize(pathname).replace(/^([/\\])+/, '');
  const file = resolve(join(root, relative));
  if (file !== root && !file.startsWith(root + sep)) return send(404, 'Not found.');
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return send(404, 'Not found.');
    size = stat.size;
  } catch {
    return send(404, 'Not found.');
  }
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  response.writeHead(200, {
    'Content-Type': type,
    'Content-Length': size,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'no-cache',
  });
  if (request.method === 'HEAD') return void response.end();
  createReadStream(file).pipe(response);
}

export async function startApiServer(
  options: ApiServerOptions,
  deps: { node: Pick<CivichainNode, 'dispatcher' | 'onEvent'>; log: Logger },
): Promise<ApiServer> {
  const host = options.host ?? API_HOST;
  const { node, log } = deps;
  let port = options.port;

  const httpServer = createServer((request, response) => {
    if (!isLoopbackHost(request.headers.host, port)) {
      response.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void response.end('This node answers only to 127.0.0.1 and localhost.');
    }
    if (!options.staticDir) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void response.end('This node serves no console.');
    }
    serveStatic(options.staticDir, request, response);
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_API_FRAME_BYTES,
    // Answer with our protocol name, never echo the token back.
    handleProtocols: (protocols) => (protocols.has(API_SUBPROTOCOL) ? API_SUBPROTOCOL : false),
  });

  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== API_PATH) {
      return refuseUpgrade(socket, 404, 'Not Found', {
        code: API_ERROR_CODES.invalidRequest,
        message: `The API is at ${API_PATH}.`,
        details: {},
      });
    }
    if (!isLoopbackHost(request.headers.host, port)) {
      return refuseUpgrade(socket, 421, 'Misdirected Request', {
        code: API_ERROR_CODES.unauthorized,
        message: 'This node answers only to 127.0.0.1 and localhost.',
        details: {},
      });
    }
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${API_HOST}:${port}` && origin !== `http://localhost:${port}`) {
      return refuseUpgrade(socket, 403, 'Forbidden', {
        code: API_ERROR_CODES.unauthorized,
        message: `Pages from ${origin} may not use this node's API.`,
        details: { origin },
      });
    }
    const token = offeredToken(request);
    if (token === null || !tokensEqual(token, options.token)) {
      return refuseUpgrade(socket, 401, 'Unauthorized', {
        code: API_ERROR_CODES.unauthorized,
        message:
          token === null
            ? 'The API needs the bearer token from the data folder (api-token): send "Authorization: Bearer <token>".'
            : 'The bearer token is wrong. Use the one in the api-token file of this node\'s data folder.',
        details: {},
      });
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  /**
   * Each connection's socket, corked while one turn of the event loop answers: a mempool batch acknowledges
   * hundreds of submissions at once, and they leave in one write (one `writev`) instead of one each.
   */
  const sockets = new WeakMap<WebSocket, Duplex>();
  const holdWrites = (ws: WebSocket) => {
    const socket = sockets.get(ws);
    if (!socket || socket.writableCorked > 0) return;
    socket.cork();
    process.nextTick(() => socket.uncork());
  };

  const send = (ws: WebSocket, payload: unknown) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      log.warn('closing a slow API client', { bufferedBytes: ws.bufferedAmount });
      ws.close(1013, 'Too slow: reconnect and fetch state again');
      return;
    }
    holdWrites(ws);
    ws.send(JSON.stringify(payload));
  };

  wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    sockets.set(ws, request.socket);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        return send(
          ws,
          errorResponse(null, { code: API_ERROR_CODES.parseError, message: 'Send JSON-RPC as text frames.', details: {} }),
        );
      }
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      handleJsonRpcFrame(node, text).then(
        (response) => {
          if (response !== null) send(ws, response);
        },
        (error: unknown) => log.error('API frame handling failed', { error: String(error) }),
      );
    });
    ws.on('error', (error) => log.warn('API connection error', { error: error.message }));
  });

  const unsubscribe = node.onEvent((event, payload) => {
    const frame = { jsonrpc: '2.0', method: 'event', params: { event, payload } };
    for (const client of wss.clients) send(client, frame);
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    const onError = (error: NodeJS.ErrnoException) => {
      rejectListen(
        error.code === 'EADDRINUSE'
          ? new CivichainError(
              'PORT_IN_USE',
              `Port ${options.port} on ${host} is already in use (another node?). Choose another with --api-port, or 0 for any free port.`,
              { port: options.port },
            )
          : error,
      );
    };
    httpServer.once('error', onError);
    httpServer.listen(options.port, host, () => {
      httpServer.off('error', onError);
      resolveListen();
    });
  });
  port = (httpServer.address() as AddressInfo).port;

  return {
    port,
    apiUrl: `ws://${host}:${port}${API_PATH}`,
    consoleUrl: `http://${host}:${port}/?token=${encodeURIComponent(options.token)}`,
    async close() {
      unsubscribe();
      for (const client of wss.clients) client.close(1001, 'Node shutting down');
      await new Promise<void>((done) => wss.close(() => done()));
      httpServer.closeAllConnections();
      await new Promise<void>((done) => httpServer.close(() => done()));
    },
  };
}
