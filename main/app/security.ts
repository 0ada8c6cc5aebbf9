/**
 * The pure rules behind the Electron hardening (DESIGN.md §9): which URLs are ours, which file a request of
 * our custom scheme maps to, where a window may navigate, which requests and permissions are allowed, and
 * whether an IPC message comes from one of our windows. No Electron import here, so every rule is unit-tested
 * under plain Node (security.test.ts); main/app/index.ts and windows.ts only wire them to Electron's hooks.
 */
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { WINDOW_ROLES, type WindowRole } from '../../preload/contract';

/**
 * The windows are served from a privileged custom scheme rather than `file://`: `file://` pages share one
 * origin with every file on the disk, while `civichain://app` is an origin of its own that the CSP's
 * `'self'` and the IPC sender check can name.
 */
export const APP_SCHEME = 'civichain';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * Served with every page. Scripts, styles and fonts come only from the application itself; no inline script,
 * no eval, no remote content of any kind; images may also be data:/blob: URLs (QR codes of receipts).
 * `connect-src 'self'` because the windows talk to the node over IPC, not the network.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Headers sent with every response of the custom scheme, besides its Content-Type. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
};

/**
 * Permissions a window may be granted. Everything else (camera, microphone, geolocation, HID, …) is refused.
 * `clipboard-sanitized-write` is what `navigator.clipboard.writeText` asks for: the voter booth copies a
 * receipt's tracking code with it; it can write text only, never read the clipboard.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['notifications', 'clipboard-sanitized-write']);

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Whether `url` belongs to our application's own origin (`civichain://app/…`), and nothing else. */
export function isAppUrl(url: string): boolean {
  const parsed = parseUrl(url);
  return (
    parsed !== null &&
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/** The page of a window: `civichain://app/windows/<role>.html` (out/renderer/windows/<role>.html). */
export function windowUrl(role: WindowRole): string {
  return `${APP_ORIGIN}/windows/${role}.html`;
}

export function isWindowRole(value: unknown): value is WindowRole {
  return typeof value === 'string' && (WINDOW_ROLES as readonly string[]).includes(value);
}

/** A window may only ever show our own pages; links elsewhere are refused, not followed. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/**
 * Requests a window's session may make: our own origin, and the in-memory URLs a page creates itself.
 * `devtools:` keeps the developer tools working in development builds. Everything else — http(s), ws(s),
 * file — is cancelled, so no remote content can load even if a CSP were bypassed.
 */
export function isRequestAllowed(url: string): boolean {
  if (isAppUrl(url)) return true;
  const parsed = parseUrl(url);
  if (parsed === null) return false;
  return parsed.protocol === 'data:' || parsed.protocol === 'blob:' || parsed.protocol === 'devtools:';
}

/**
 * Downloads a window may start: files it made itself (an exported record, a report, a receipt) as `blob:` URLs
 * of our origin or `data:` URLs. Nothing is ever downloaded from elsewhere.
 */
export function isDownloadAllowed(url: string): boolean {
  if (url.startsWith('data:')) return true;
  return url.startsWith('blob:') && isAppUrl(url.slice('blob:'.length));
}

/** Whether a window at `requestingUrl` (our origin only) may have `permission`. */
export function isPermissionAllowed(permission: string, requestingUrl: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl);
}

/**
 * Maps a request of our scheme to a file under `rootDir` (out/renderer), or null when it must be refused:
 * another origin, an undecodable path, `.`/`..` segments (also percent-encoded), backslashes, NUL bytes, drive
 * letters, or anything that would resolve outside `rootDir`. `/` maps to `index.html`.
 */
export function resolveAppFile(rootDir: string, requestUrl: string): string | null {
  if (!isAppUrl(requestUrl)) return null;
  const parsed = new URL(requestUrl);
  // Decode segment by segment, so an encoded "/" (%2F) cannot smuggle in another segment.
  const segments: string[] = [];
  for (const raw of parsed.pathname.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '.' || segment === '..' || /[\\/:]/.test(segment) || segment.includes('\u0000')) return null;
    segments.push(segment);
  }
  if (segments.length === 0) segments.push('index.html');
  const root = resolve(rootDir);
  const file = resolve(root, ...segments);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return null;
  return file;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** What the main process knows about the frame an IPC message came from (a subset of WebFrameMain). */
export interface SenderFrame {
  readonly url: string;
  readonly parent: SenderFrame | null;
}

export type SenderVerdict =
  | { readonly trusted: true }
  | { readonly trusted: false; readonly reason: 'frame-gone' | 'not-our-window' | 'subframe' | 'foreign-origin' };

/**
 * An IPC message is trusted only when it comes from the main frame of one of our windows, showing a page of
 * our origin. A subframe, a page that navigated elsewhere, or any other webContents (devtools, a stray
 * BrowserView) is refused — the preload is not the only code that can reach ipcRenderer's channels.
 */
export function checkSender(sender: {
  readonly webContentsId: number;
  readonly frame: SenderFrame | null;
  readonly isAppWindow: (webContentsId: number) => boolean;
}): SenderVerdict {
  if (sender.frame === null) return { trusted: false, reason: 'frame-gone' };
  if (!sender.isAppWindow(sender.webContentsId)) return { trusted: false, reason: 'not-our-window' };
  if (sender.frame.parent !== null) return { trusted: false, reason: 'subframe' };
  if (!isAppUrl(sender.frame.url)) return { trusted: false, reason: 'foreign-origin' };
  return { trusted: true };
}
