/**
 * The windows' session: the `civichain://app` protocol that serves the built windows (out/renderer) with the
 * Content-Security-Policy, and the session-wide refusals — permissions, network requests, downloads — that
 * apply whatever a page tries (DESIGN.md §9). Electron is only a type here; index.ts passes the real session.
 */
import { readFile } from 'node:fs/promises';
import type { Session } from 'electron';
import type { Logger } from '../node/log';
import {
  SECURITY_HEADERS,
  contentTypeFor,
  isDownloadAllowed,
  isPermissionAllowed,
  isRequestAllowed,
  resolveAppFile,
} from './security';

export type ReadFile = (path: string) => Promise<Uint8Array>;

function textResponse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS },
  });
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/**
 * The handler of our scheme: GET/HEAD of a file under `rootDir`, with its content type and the security
 * headers. A path that leaves the root, another host, or a missing file is 404; other methods 405.
 */
export function createAppProtocolHandler(
  rootDir: string,
  deps: { readonly log: Pick<Logger, 'warn' | 'error'>; readonly readFile?: ReadFile },
): (request: Request) => Promise<Response> {
  const read = deps.readFile ?? ((path: string) => readFile(path));
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return textResponse(405, 'Method not allowed');
    }
    const file = resolveAppFile(rootDir, request.url);
    if (file === null) {
      deps.log.warn('refused a request outside the application', { url: request.url });
      return textResponse(404, 'Not found');
    }
    let body: Uint8Array;
    try {
      body = await read(file);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return textResponse(404, 'Not found');
      deps.log.error('could not read an application file', { file, error: String(error) });
      return textResponse(500, 'Could not read this file');
    }
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: { 'content-type': contentTypeFor(file), 'cache-control': 'no-cache', ...SECURITY_HEADERS },
    });
  };
}

/**
 * Refuses, for every page of the session: permissions other than the allowed few, requests that leave the
 * application (http, ws, file, …) and downloads of anything the page did not make itself.
 */
export function hardenSession(session: Session, log: Pick<Logger, 'warn'>): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const allowed = isPermissionAllowed(permission, details.requestingUrl);
    if (!allowed) log.warn('permission refused', { permission, url: details.requestingUrl });
    callback(allowed);
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionAllowed(permission, details.requestingUrl ?? requestingOrigin),
  );
  session.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => {
    const allowed = isRequestAllowed(details.url);
    if (!allowed) log.warn('request refused: windows load nothing from outside the application', { url: details.url });
    callback({ cancel: !allowed });
  });
  session.on('will-download', (event, item) => {
    if (isDownloadAllowed(item.getURL())) return;
    log.warn('download refused', { url: item.getURL() });
    event.preventDefault();
  });
}
