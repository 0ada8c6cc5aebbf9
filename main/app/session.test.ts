import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from './security';
import { createAppProtocolHandler, type ReadFile } from './session';

const ROOT = resolve('/opt/civichain/out/renderer');
const FILES = new Map<string, string>([
  [join(ROOT, 'windows', 'launcher.html'), '<!doctype html><title>Civichain</title>'],
  [join(ROOT, 'assets', 'app.js'), 'export {}'],
  [join(ROOT, 'index.html'), '<!doctype html>'],
]);

function setup(readFile?: ReadFile) {
  const log = { warn: vi.fn(), error: vi.fn() };
  const read: ReadFile =
    readFile ??
    (async (path) => {
      const text = FILES.get(path);
      if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return new TextEncoder().encode(text);
    });
  return { log, handle: createAppProtocolHandler(ROOT, { log, readFile: read }) };
}

describe('the civichain://app protocol', () => {
  it('serves a window page with its type, the CSP and nosniff', async () => {
    const { handle } = setup();
    const response = await handle(new Request('civichain://app/windows/launcher.html'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>Civichain</title>');
  });

  it('serves scripts as JavaScript and HEAD without a body', async () => {
    const { handle } = setup();
    const response = await handle(new Request('civichain://app/assets/app.js', { method: 'HEAD' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await response.text()).toBe('');
  });

  it('404 for a missing file, with the CSP still set', async () => {
    const { handle } = setup();
    const response = await handle(new Request('civichain://app/windows/nope.html'));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it.each([
    'civichain://app/windows/..%2f..%2f..%2fetc%2fpasswd',
    'civichain://app/C:%5cWindows%5cwin.ini',
    'civichain://other/windows/launcher.html',
  ])('404 without reading the disk for %s', async (url) => {
    const readFile = vi.fn<ReadFile>();
    const { handle, log } = setup(readFile);
    expect((await handle(new Request(url))).status).toBe(404);
    expect(readFile).not.toHaveBeenCalled();
    expect(log.warn).toHaveBeenCalledOnce();
  });

  it('405 for anything but GET and HEAD', async () => {
    const { handle } = setup();
    const response = await handle(new Request('civichain://app/windows/launcher.html', { method: 'POST', body: 'x' }));
    expect(response.status).toBe(405);
  });

  it('500 without details when the disk fails', async () => {
    const { handle, log } = setup(async () => {
      throw Object.assign(new Error('I/O error at sector 7'), { code: 'EIO' });
    });
    const response = await handle(new Request('civichain://app/windows/launcher.html'));
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('sector');
    expect(log.error).toHaveBeenCalledOnce();
  });
});
