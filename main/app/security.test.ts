import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WINDOW_ROLES } from '../../preload/contract';
import {
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  checkSender,
  contentTypeFor,
  isAppUrl,
  isDownloadAllowed,
  isNavigationAllowed,
  isPermissionAllowed,
  isRequestAllowed,
  isWindowRole,
  resolveAppFile,
  windowUrl,
  type SenderFrame,
} from './security';

const ROOT = resolve('/opt/civichain/out/renderer');

describe('isAppUrl', () => {
  it.each([
    'civichain://app/windows/launcher.html',
    'civichain://app/',
    'civichain://app/assets/index-abc.js?v=1#top',
  ])('accepts %s', (url) => {
    expect(isAppUrl(url)).toBe(true);
  });

  it.each([
    'https://app/windows/launcher.html',
    'http://127.0.0.1:7545/',
    'file:///opt/civichain/out/renderer/windows/launcher.html',
    'civichain://app.evil.example/',
    'civichain://evil/',
    'civichain://user:pass@app/',
    'civichain://app:8080/',
    'javascript:alert(1)',
    'about:blank',
    'data:text/html,<script>1</script>',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(isAppUrl(url)).toBe(false);
  });
});

describe('windowUrl', () => {
  it('is a page of our origin for every role', () => {
    for (const role of WINDOW_ROLES) {
      const url = windowUrl(role);
      expect(url).toBe(`${APP_ORIGIN}/windows/${role}.html`);
      expect(resolveAppFile(ROOT, url)).toBe(join(ROOT, 'windows', `${role}.html`));
    }
  });

  it('isWindowRole knows exactly the contract roles', () => {
    expect(WINDOW_ROLES.every(isWindowRole)).toBe(true);
    expect(['admin', '', 'Launcher', 42, null, 'toString'].some(isWindowRole)).toBe(false);
  });
});

describe('resolveAppFile', () => {
  it('maps our URLs to files under the root', () => {
    expect(resolveAppFile(ROOT, 'civichain://app/windows/booth.html')).toBe(join(ROOT, 'windows', 'booth.html'));
    expect(resolveAppFile(ROOT, 'civichain://app/assets/app-1a2b.css?x=1')).toBe(join(ROOT, 'assets', 'app-1a2b.css'));
    expect(resolveAppFile(ROOT, 'civichain://app/assets/a%20b.svg')).toBe(join(ROOT, 'assets', 'a b.svg'));
  });

  it('maps the bare origin to index.html', () => {
    expect(resolveAppFile(ROOT, 'civichain://app')).toBe(join(ROOT, 'index.html'));
    expect(resolveAppFile(ROOT, 'civichain://app/')).toBe(join(ROOT, 'index.html'));
  });

  it.each([
    ['encoded slash', 'civichain://app/windows/..%2f..%2f..%2fetc%2fpasswd'],
    ['encoded backslash', 'civichain://app/windows/..%5c..%5csecret'],
    ['a NUL byte', 'civichain://app/windows/launcher.html%00.png'],
    ['a drive letter', 'civichain://app/C:%5cWindows%5cwin.ini'],
    ['broken percent-encoding', 'civichain://app/windows/%E0%A4%A'],
    ['another host', 'civichain://evil/windows/launcher.html'],
    ['another scheme', 'file:///etc/passwd'],
  ])('refuses %s', (_label, url) => {
    expect(resolveAppFile(ROOT, url)).toBeNull();
  });

  it('dot-dot segments, plain or encoded, are resolved by URL parsing and stay inside the root', () => {
    expect(resolveAppFile(ROOT, 'civichain://app/../../../etc/passwd')).toBe(join(ROOT, 'etc', 'passwd'));
    expect(resolveAppFile(ROOT, 'civichain://app/%2e%2e/%2E%2E/etc/passwd')).toBe(join(ROOT, 'etc', 'passwd'));
  });

  it('never returns a path outside the root', () => {
    const attempts = ['/..', '/./../x', '/%2e%2e', '/a/%2E%2E/%2E%2E/b', '//etc/passwd', '/windows//../../x'];
    for (const attempt of attempts) {
      const file = resolveAppFile(ROOT, `civichain://app${attempt}`);
      if (file !== null) expect(file.startsWith(ROOT + '/') || file.startsWith(ROOT + '\\')).toBe(true);
    }
  });
});

describe('contentTypeFor', () => {
  it('names the types the build emits and falls back to octet-stream', () => {
    expect(contentTypeFor('/x/windows/booth.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('/x/assets/a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('/x/assets/a.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('/x/assets/font.woff2')).toBe('font/woff2');
    expect(contentTypeFor('/x/assets/blob.bin')).toBe('application/octet-stream');
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  it('allows no inline script, no eval and no remote origin', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });
});

describe('navigation and requests', () => {
  it('a window may navigate only within our origin', () => {
    expect(isNavigationAllowed('civichain://app/windows/wallet.html')).toBe(true);
    expect(isNavigationAllowed('https://example.org/')).toBe(false);
    expect(isNavigationAllowed('file:///etc/passwd')).toBe(false);
    expect(isNavigationAllowed('javascript:alert(1)')).toBe(false);
  });

  it('requests to the network or the disk are cancelled', () => {
    expect(isRequestAllowed('civichain://app/assets/a.js')).toBe(true);
    expect(isRequestAllowed('data:image/png;base64,AAAA')).toBe(true);
    expect(isRequestAllowed('blob:civichain://app/0b7a')).toBe(true);
    expect(isRequestAllowed('devtools://devtools/bundled/devtools_app.html')).toBe(true);
    for (const url of [
      'https://cdn.example/lib.js',
      'http://127.0.0.1:7545/api',
      'ws://127.0.0.1:7545/api',
      'file:///etc/passwd',
      'ftp://x/',
      'junk',
    ]) {
      expect(isRequestAllowed(url)).toBe(false);
    }
  });
});

describe('isDownloadAllowed', () => {
  it('allows files the window made itself, nothing from elsewhere', () => {
    expect(isDownloadAllowed('blob:civichain://app/5f0c-11')).toBe(true);
    expect(isDownloadAllowed('data:application/json,{}')).toBe(true);
    expect(isDownloadAllowed('blob:https://evil.example/5f0c')).toBe(false);
    expect(isDownloadAllowed('https://evil.example/setup.exe')).toBe(false);
    expect(isDownloadAllowed('file:///etc/passwd')).toBe(false);
  });
});

describe('isPermissionAllowed', () => {
  it('grants notifications (and clipboard writes) to our pages only', () => {
    expect(isPermissionAllowed('notifications', 'civichain://app/windows/validator.html')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'civichain://app/windows/booth.html')).toBe(true);
    expect(isPermissionAllowed('notifications', 'https://evil.example/')).toBe(false);
  });

  it.each(['media', 'geolocation', 'clipboard-read', 'hid', 'serial', 'openExternal', 'fullscreen', 'unknown'])(
    'refuses %s',
    (permission) => {
      expect(isPermissionAllowed(permission, 'civichain://app/windows/booth.html')).toBe(false);
    },
  );
});

describe('checkSender', () => {
  const ours = (id: number) => id === 1;
  const main = (url = 'civichain://app/windows/booth.html'): SenderFrame => ({ url, parent: null });

  it('trusts the main frame of our window on our origin', () => {
    expect(checkSender({ webContentsId: 1, frame: main(), isAppWindow: ours })).toEqual({ trusted: true });
  });

  it.each([
    ['frame-gone', { webContentsId: 1, frame: null }],
    ['not-our-window', { webContentsId: 2, frame: main() }],
    ['subframe', { webContentsId: 1, frame: { url: 'civichain://app/windows/booth.html', parent: main() } }],
    ['foreign-origin', { webContentsId: 1, frame: main('https://evil.example/') }],
    ['foreign-origin', { webContentsId: 1, frame: main('file:///opt/civichain/out/renderer/windows/booth.html') }],
  ] as const)('refuses with %s', (reason, sender) => {
    expect(checkSender({ ...sender, isAppWindow: ours })).toEqual({ trusted: false, reason });
  });
});
